"""Building and freezing the agenda over HTTP: candidates panel, add, move, ranks, remove,
freeze (convocation by email, committee pack job), optimistic locking."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import BackgroundJob, CommitteeItem, OutboxMessage
from grants.models.scoring import ProposedAmount
from tests.helpers import committee as data
from tests.views.committee.conftest import text
from tests.workflow import support


def _page(client, session):  # type: ignore[no-untyped-def]
    return text(client.get(f"/comite/seances/{session.id}"))


def _post(client, session, path, **form):  # type: ignore[no-untyped-def]
    form.setdefault("lock_version", session.lock_version)
    return client.post(f"/comite/seances/{session.id}{path}", data=form)


def test_candidates_panel_ranked_with_score_opinions_amounts_and_reasons(
    secretary_web, committee_secretary, promoter, dd
):
    low = data.instructed_dossier(promoter, dd, score="40", title="MSP de Souppes")
    high = data.instructed_dossier(promoter, dd, score="80", title="MSP de Drancy")
    blocked = data.instructed_dossier(promoter, dd, score="20", opinion=False, title="MSP d'Orly")
    db.session.add(
        ProposedAmount(
            track_id=support.track_of(high, "ARS_IMMO").id,
            aid_type="investment_real_estate",
            amount=Decimal("440000"),
            updated_by_id=dd.id,
        )
    )
    session = data.make_session(committee_secretary)
    db.session.commit()  # a refused request rolls back: keep the test's data
    page = _page(secretary_web, session)
    assert page.index("MSP de Drancy") < page.index("MSP de Souppes") < page.index("MSP d'Orly")
    assert "note : <strong>80</strong> / 100" in page
    assert "C1 — Zonage" in page  # the score card
    assert "(55 M€) — Investissement immobilier : 440 000,00 €" in page  # proposed amount
    assert "Projet cohérent avec le diagnostic territorial." in page  # the DD opinion
    assert "L'avis technique de la délégation départementale de l'ARS est requis." in page
    assert page.count("Inscrire à l'ordre du jour") == 2
    refused = _post(secretary_web, session, "/ordre-du-jour", dossier_id=blocked.id)
    assert refused.status_code == 422
    assert "L'avis technique de la délégation départementale" in text(refused)
    for dossier in (low, high):
        assert (
            _post(secretary_web, session, "/ordre-du-jour", dossier_id=dossier.id).status_code
            == 302
        )
    assert [i.dossier for i in session.items] == [low, high]  # appended at the end
    assert high.state == "ready_for_committee"
    page = _page(secretary_web, session)
    assert "Aucun dossier en instruction n'attend" not in page  # Orly is still a candidate


def test_move_ranks_remove_and_stale_version(secretary_web, committee_secretary, promoter, dd):
    dossiers = [data.instructed_dossier(promoter, dd, score=str(s)) for s in (70, 60, 50)]
    session = data.make_session(committee_secretary)
    for dossier in dossiers:
        _post(secretary_web, session, "/ordre-du-jour", dossier_id=dossier.id)
    db.session.commit()
    items = list(session.items)
    stale = session.lock_version - 1
    conflict = secretary_web.post(
        f"/comite/seances/{session.id}/ordre-du-jour/{items[2].id}/deplacer",
        data={"direction": "up", "lock_version": stale},
    )
    assert conflict.status_code == 409 and "rechargez la page" in text(conflict)
    assert (
        _post(
            secretary_web, session, f"/ordre-du-jour/{items[2].id}/deplacer", direction="up"
        ).status_code
        == 302
    )
    db.session.expire(session, ["items"])
    assert [i.dossier for i in session.items] == [dossiers[0], dossiers[2], dossiers[1]]
    ranks = {f"rank_{i.id}": r for i, r in zip(items, (2, 3, 1), strict=True)}
    assert _post(secretary_web, session, "/ordre-du-jour/rangs", **ranks).status_code == 302
    db.session.expire(session, ["items"])
    assert [i.dossier for i in session.items] == [dossiers[2], dossiers[0], dossiers[1]]
    bad = _post(
        secretary_web, session, "/ordre-du-jour/rangs", **{**ranks, f"rank_{items[0].id}": "zéro"}
    )
    assert bad.status_code == 422 and "Le formulaire contient" in text(bad)
    removed = _post(secretary_web, session, f"/ordre-du-jour/{items[1].id}/retirer")
    assert removed.status_code == 302
    assert dossiers[1].state == "under_instruction"
    assert db.session.get(CommitteeItem, items[1].id) is None


def test_freeze_sends_the_convocation_and_builds_the_pack(
    secretary_web, committee_secretary, urps, promoter, dd, mailbox
):
    dossier = data.instructed_dossier(promoter, dd, title="MSP de Drancy")
    session = data.make_session(committee_secretary)
    db.session.commit()
    _post(secretary_web, session, "/ordre-du-jour", dossier_id=dossier.id)
    empty = _post(secretary_web, session, "/arreter")
    assert empty.status_code == 422 and "Nommez les membres" in text(empty)
    data.name_members(session, committee_secretary, (urps, "member"))
    db.session.commit()
    response = _post(secretary_web, session, "/arreter")
    assert response.status_code == 302
    assert session.state == "frozen" and session.frozen_at is not None
    convocations = [m for m in mailbox if str(m["Subject"]).startswith("Convocation")]
    convoked = sorted(m["To"] for m in convocations)
    assert convoked == sorted([urps.email, "martine.roussel@iledefrance.example"])
    message = next(m for m in convocations if m["To"] == urps.email)
    body = message.get_body(("plain",)).get_content()
    assert "14 janvier 2027 à 14:30" in body and "13 rue du Landy" in body
    assert f"{dossier.reference} — MSP de Drancy" in body
    assert f"/comite/seances/{session.id}" in body
    guest = next(m for m in convocations if m["To"] != urps.email)
    assert "Bonjour Martine Roussel" in guest.get_body(("plain",)).get_content()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "committee.convocation")
    ).all()
    assert {r.status for r in rows} == {"delivered"}
    job = db.session.scalar(select(BackgroundJob).where(BackgroundJob.kind == "committee_pack"))
    assert job is not None and session.pack_job_id == job.id
    page = _page(secretary_web, session)
    assert "Ordre du jour arrêté" in page and "Dossier de séance" in page
    assert "Inscrire à l'ordre du jour" not in page and "Ouvrir la séance" in page
    again = _post(secretary_web, session, "/ordre-du-jour", dossier_id=dossier.id)
    assert again.status_code == 422 and "arrêté" in text(again)


def test_the_instruction_page_links_to_the_session(client_for, committee_secretary, promoter, dd):
    dossier = data.instructed_dossier(promoter, dd)
    db.session.commit()
    web = client_for(committee_secretary)
    page = text(web.get(f"/instruction/dossiers/{dossier.id}"))
    assert (
        'href="/comite/"' in page
        and "Inscrire à l'ordre du jour du comité — choisir une séance" in page
    )
    bypass = web.post(f"/instruction/dossiers/{dossier.id}/transitions/schedule", data={})
    assert bypass.status_code == 422 and "page de la séance" in text(bypass)
    session = data.make_session(committee_secretary, "Séance de janvier")
    _post(web, session, "/ordre-du-jour", dossier_id=dossier.id)
    page = text(web.get(f"/instruction/dossiers/{dossier.id}"))
    assert f'href="/comite/seances/{session.id}#ordre-du-jour"' in page
    assert "Retirer de l'ordre du jour — séance « Séance de janvier »" in page
    assert f"/comite/seances/{session.id}/points/{session.items[0].id}" in page
