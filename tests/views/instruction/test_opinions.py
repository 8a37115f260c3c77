"""Opinions (avis) over HTTP, and the guards that read them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Financer, Opinion
from grants.workflow import engine


def _financer(code: str) -> Financer:
    return db.session.scalar(select(Financer).where(Financer.code == code))


def _give(client, dossier, financer_code=None, recommendation="favourable", text="Projet solide."):  # type: ignore[no-untyped-def]
    data = {"recommendation": recommendation, "text": text, "seen_latest_id": ""}
    if financer_code:
        data["financer_id"] = _financer(financer_code).id
    return client.post(f"/instruction/dossiers/{dossier.id}/avis", data=data)


def test_sources_by_role_and_listing(
    client_for, submitted_dossier, dd_instructor_77, ars_instructor, region_instructor, urps_member
):
    d = submitted_dossier
    assert (
        client_for(dd_instructor_77).get(f"/instruction/dossiers/{d.id}/avis/nouveau").status_code
        == 200
    )
    assert _give(client_for(dd_instructor_77), d, "ARS_IMMO", text="Avis DD").status_code == 302
    assert (
        _give(
            client_for(ars_instructor), d, "ARS_IMMO", "favourable_with_reservations", "Avis siège"
        ).status_code
        == 302
    )
    assert (
        _give(client_for(region_instructor), d, "REGION_IDF", "deferred", "Avis Région").status_code
        == 302
    )
    assert _give(client_for(urps_member), d, text="Avis URPS").status_code == 302
    opinions = db.session.scalars(select(Opinion).order_by(Opinion.id)).all()
    assert [(o.source, o.financer.code if o.financer else None) for o in opinions] == [
        ("dd_ars", "ARS_IMMO"),
        ("ars", "ARS_IMMO"),
        ("cofinancer", "REGION_IDF"),
        ("urps", None),
    ]
    # Every staff user who sees the dossier reads them all, with author and institution.
    html = client_for(region_instructor).get(f"/instruction/dossiers/{d.id}").get_data(as_text=True)
    for text in (
        "Avis DD",
        "Avis siège",
        "Avis Région",
        "Avis URPS",
        "Favorable avec réserves",
        "URPS médecins",
        dd_instructor_77.full_name,
    ):
        assert text in html, text
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "dossier.opinion_given")
    ).all()
    assert len(audited) == 4


def test_refusals(
    client_for, submitted_dossier, region_instructor, committee_secretary, promoter_web
):
    d = submitted_dossier
    assert _give(client_for(region_instructor), d, "ARS_IMMO").status_code == 403
    assert _give(client_for(committee_secretary), d, "ARS_IMMO").status_code == 403
    assert promoter_web.post(f"/instruction/dossiers/{d.id}/avis", data={}).status_code == 404
    empty = _give(client_for(region_instructor), d, "REGION_IDF", recommendation="", text="")
    assert empty.status_code == 422
    assert "Choisissez la recommandation." in empty.get_data(as_text=True)
    assert db.session.scalar(select(Opinion)) is None


def test_stale_opinion_409_and_presence(
    client_for, submitted_dossier, ars_instructor, dd_instructor_77
):
    d = submitted_dossier
    ars, dd = client_for(ars_instructor), client_for(dd_instructor_77)
    html = ars.get(f"/instruction/dossiers/{d.id}/avis/nouveau").get_data(as_text=True)
    assert 'name="seen_latest_id" type="hidden" value="0"' in html
    warned = dd.get(f"/instruction/dossiers/{d.id}/avis/nouveau").get_data(as_text=True)
    assert f"{ars_instructor.full_name} modifie aussi cet élément depuis" in warned
    data = {"financer_id": _financer("ARS_IMMO").id, "recommendation": "favourable", "text": "Oui"}
    assert (
        ars.post(
            f"/instruction/dossiers/{d.id}/avis", data={**data, "seen_latest_id": "0"}
        ).status_code
        == 302
    )
    # Same institution (the ARS), given meanwhile by a colleague: the second one is stale.
    # (The DD's own source differs, so only the ARS head office's second opinion is stale.)
    assert (
        ars.post(
            f"/instruction/dossiers/{d.id}/avis", data={**data, "seen_latest_id": "0"}
        ).status_code
        == 409
    )


def test_opinions_unlock_propose_and_schedule(
    client_for, submitted_dossier, dd_instructor_77, region_instructor, committee_secretary
):
    d = submitted_dossier
    # Put the dossier under instruction directly through the engine (reviews are tested elsewhere).
    from grants.models import PieceReview
    from grants.services.pieces import live_attachments

    for track in d.tracks:
        for attachment in live_attachments(d):
            db.session.add(
                PieceReview(
                    attachment_id=attachment.id,
                    financer_id=track.financer_id,
                    status="accepted",
                    reviewed_by_id=dd_instructor_77.id,
                )
            )
    db.session.flush()
    db.session.expire_all()
    for track in d.tracks:
        actor = {"REGION_IDF": region_instructor}.get(track.financer.code, dd_instructor_77)
        if track.financer.code == "DEP_77":
            from tests import factories

            actor = factories.make_staff("financer_instructor", ("DEP_77",))
        engine.fire(track, "complete_checklist", actor)
    db.session.flush()
    assert d.state == "under_instruction"
    region_track = next(t for t in d.tracks if t.financer.code == "REGION_IDF")
    region = client_for(region_instructor)
    url = f"/instruction/dossiers/{d.id}/financeurs/{region_track.id}/transitions/propose"
    refused = region.post(url, data={"lock_version": region_track.lock_version})
    assert refused.status_code == 422
    assert "Donnez d&#39;abord l&#39;avis" in refused.get_data(as_text=True)
    assert _give(region, d, "REGION_IDF").status_code == 302
    db.session.expire_all()
    assert region.post(url, data={"lock_version": region_track.lock_version}).status_code == 302
    db.session.expire_all()
    assert region_track.state == "awaiting_decision"

    # Scheduling happens on a committee session's agenda (the dossier page only links there).
    from tests.helpers.committee import make_session

    secretary = client_for(committee_secretary)
    schedule = f"/instruction/dossiers/{d.id}/transitions/schedule"
    assert secretary.post(schedule, data={"lock_version": d.lock_version}).status_code == 422
    session = make_session(committee_secretary)
    db.session.commit()
    add = f"/comite/seances/{session.id}/ordre-du-jour"
    refused = secretary.post(add, data={"dossier_id": d.id, "lock_version": session.lock_version})
    assert refused.status_code == 422
    assert "avis technique de la délégation départementale" in refused.get_data(as_text=True)
    assert _give(client_for(dd_instructor_77), d, "ARS_IMMO").status_code == 302
    db.session.expire_all()
    added = secretary.post(add, data={"dossier_id": d.id, "lock_version": session.lock_version})
    assert added.status_code == 302
    db.session.expire_all()
    assert d.state == "ready_for_committee"


@pytest.fixture
def promoter_web(client_for, promoter):  # type: ignore[no-untyped-def]
    return client_for(promoter)
