"""Recording the sitting over HTTP: attendance, the item form (opinions, amounts reserving on the
envelopes, conflicts of interest), refusals, and a deferred dossier that comes back to a later
session where it is examined favourably."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import CommitteeSession, EnvelopeMovement
from grants.services import committee_agenda as agenda
from grants.services import ledger
from grants.services.envelopes import envelope_for
from tests.helpers import committee as data
from tests.views.committee.conftest import text


def _frozen(secretary, urps, *dossiers) -> CommitteeSession:  # type: ignore[no-untyped-def]
    session = data.make_session(secretary)
    for dossier in dossiers:
        agenda.add_item(session, dossier, actor=secretary, expected_version=None)
    data.name_members(session, secretary, (urps, "member"), (secretary, "secretary"))
    agenda.freeze(session, actor=secretary, expected_version=None)
    db.session.commit()
    return session


def _item_url(session: CommitteeSession, index: int = 0) -> str:
    return f"/comite/seances/{session.id}/points/{session.items[index].id}"


def _reserved(code: str, dossier) -> Decimal:  # type: ignore[no-untyped-def]
    envelope = envelope_for(data.financer_id(code))
    return ledger.dossier_balance(envelope, dossier).reserved


def _amount(code: str, aid: str = "investment_real_estate") -> str:
    return f"amount_{data.financer_id(code)}_{aid}"


def test_attendance(secretary_web, committee_secretary, urps, promoter, dd):
    session = _frozen(committee_secretary, urps, data.instructed_dossier(promoter, dd))
    page = text(secretary_web.get(f"/comite/seances/{session.id}"))
    assert f"Présence de {urps.full_name}" in page
    urps_member, secretary_member, guest = session.members
    form = {
        f"attendance_{urps_member.id}": "present",
        f"attendance_{secretary_member.id}": "present",
        f"attendance_{guest.id}": "excused",
        "lock_version": session.lock_version,
    }
    assert (
        secretary_web.post(f"/comite/seances/{session.id}/presences", data=form).status_code == 302
    )
    assert session.state == "held"
    assert [m.attendance for m in session.members] == ["present", "present", "excused"]
    bad = secretary_web.post(
        f"/comite/seances/{session.id}/presences",
        data={**form, f"attendance_{guest.id}": "en retard", "lock_version": session.lock_version},
    )
    assert bad.status_code == 422 and "Choisissez présent, excusé ou absent." in text(bad)
    stale = secretary_web.post(f"/comite/seances/{session.id}/presences", data=form)
    assert stale.status_code == 409
    assert "Excusé" in text(secretary_web.get(f"/comite/seances/{session.id}"))


def test_favourable_with_amounts_and_a_conflict(
    secretary_web, client_for, committee_secretary, urps, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd, title="MSP de Drancy")
    session = _frozen(committee_secretary, urps, dossier)
    url = _item_url(session)
    page = text(secretary_web.get(url))
    assert "Point n° 1" in page and "MSP de Drancy" in page
    assert f"{urps.full_name} a déclaré un conflit d'intérêts" in page
    assert "Région Île-de-France — Investissement immobilier" in page
    assert "Département de Seine-et-Marne — Fonctionnement" in page
    urps_member = session.members[0]
    form = {
        "opinion": "favourable",
        "discussion": "Équipe constituée, foncier maîtrisé.",
        _amount("ARS_IMMO"): "440 000",
        _amount("REGION_IDF"): "150 000,50",
        f"conflict_{urps_member.id}": "y",
        f"conflict_note_{urps_member.id}": "Associé de la SISA.",
        "lock_version": session.items[0].lock_version,
    }
    response = secretary_web.post(url, data=form)
    assert response.status_code == 302, text(response)[:2000]
    item = session.items[0]
    assert item.opinion == "favourable" and dossier.state == "decisions_pending"
    assert _reserved("ARS_IMMO", dossier) == Decimal("440000.00")
    assert _reserved("REGION_IDF", dossier) == Decimal("150000.50")
    assert [c.member_id for c in item.conflicts] == [urps_member.id]
    # The member reads the item, with the conflict sentence, and cannot post.
    member_web = client_for(urps)
    member_page = text(member_web.get(url))
    assert "ayant déclaré un conflit d'intérêts, n'a pas pris part à l'examen" in member_page
    assert member_web.post(url, data=form).status_code == 403
    # Correcting the amount releases the difference.
    form.update({_amount("ARS_IMMO"): "400000", "lock_version": item.lock_version})
    assert secretary_web.post(url, data=form).status_code == 302
    assert _reserved("ARS_IMMO", dossier) == Decimal("400000.00")


def test_bad_input_is_422_with_typed_values_kept(
    secretary_web, committee_secretary, urps, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd)
    session = _frozen(committee_secretary, urps, dossier)
    url = _item_url(session)
    version = session.items[0].lock_version
    missing = secretary_web.post(
        url,
        data={
            "opinion": "favourable_with_reservations",
            "discussion": "Texte saisi",
            "lock_version": version,
        },
    )
    assert missing.status_code == 422
    html = text(missing)
    assert "Indiquez les réserves dont l'avis favorable est assorti." in html
    assert "Texte saisi" in html and 'href="#reservations"' in html
    deferred = secretary_web.post(url, data={"opinion": "deferred", "lock_version": version})
    assert "Indiquez les motifs de l'ajournement." in text(deferred)
    amounts = secretary_web.post(
        url,
        data={"opinion": "unfavourable", _amount("ARS_IMMO"): "12", "lock_version": version},
    )
    assert amounts.status_code == 422
    assert "Un avis défavorable ou un ajournement ne propose aucun montant" in text(amounts)
    assert 'value="12"' in amounts.get_data(as_text=True)
    not_a_number = secretary_web.post(
        url,
        data={"opinion": "favourable", _amount("ARS_IMMO"): "beaucoup", "lock_version": version},
    )
    assert not_a_number.status_code == 422 and "Saisissez un nombre" in text(not_a_number)
    db.session.expire_all()
    assert session.items[0].opinion is None and dossier.state == "ready_for_committee"


def test_the_ledger_refusal_is_422_and_nothing_is_half_recorded(
    secretary_web, committee_secretary, urps, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd)
    data.small_envelope("DEP_77", "100000")
    session = _frozen(committee_secretary, urps, dossier)
    response = secretary_web.post(
        _item_url(session),
        data={
            "opinion": "favourable",
            _amount("ARS_IMMO"): "440000",
            _amount("DEP_77"): "150000",
            "lock_version": session.items[0].lock_version,
        },
    )
    assert response.status_code == 422
    html = text(response)
    assert "L'avis n'a pas été enregistré" in html
    assert "Département de Seine-et-Marne : Il reste 100 000,00 € sur l'enveloppe" in html
    assert 'value="440000"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert session.items[0].opinion is None and dossier.state == "ready_for_committee"
    assert (
        db.session.scalar(
            select(EnvelopeMovement.id).where(EnvelopeMovement.dossier_id == dossier.id)
        )
        is None
    )


def test_deferred_then_favourable_at_a_later_session(
    secretary_web, committee_secretary, urps, promoter, dd
):
    dossier = data.instructed_dossier(promoter, dd, title="MSP de Drancy")
    first = _frozen(committee_secretary, urps, dossier)
    deferred = secretary_web.post(
        _item_url(first),
        data={
            "opinion": "deferred",
            "deferral_reasons": "Promesse de vente du terrain à produire.",
            "lock_version": first.items[0].lock_version,
        },
    )
    assert deferred.status_code == 302
    assert dossier.state == "under_instruction"
    assert first.items[0].deferral_reasons == "Promesse de vente du terrain à produire."

    second = data.make_session(committee_secretary, "Comité d'instruction partagé — mars 2027")
    data.name_members(second, committee_secretary, (urps, "member"))
    db.session.commit()
    page = text(secretary_web.get(f"/comite/seances/{second.id}"))
    assert "MSP de Drancy" in page  # a candidate again
    added = secretary_web.post(
        f"/comite/seances/{second.id}/ordre-du-jour",
        data={"dossier_id": dossier.id, "lock_version": second.lock_version},
    )
    assert added.status_code == 302 and dossier.state == "ready_for_committee"
    frozen = secretary_web.post(
        f"/comite/seances/{second.id}/arreter", data={"lock_version": second.lock_version}
    )
    assert frozen.status_code == 302
    favourable = secretary_web.post(
        _item_url(second),
        data={
            "opinion": "favourable",
            _amount("ARS_IMMO"): "440000",
            "lock_version": second.items[0].lock_version,
        },
    )
    assert favourable.status_code == 302
    assert dossier.state == "decisions_pending"
    assert [(i.session_id, i.opinion) for i in dossier.committee_items] == [
        (first.id, "deferred"),
        (second.id, "favourable"),
    ]
    assert _reserved("ARS_IMMO", dossier) == Decimal("440000.00")
