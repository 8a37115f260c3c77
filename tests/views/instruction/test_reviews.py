"""Completeness per financer: piece reviews over HTTP, their effect on the tracks' guards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Financer, PieceReview
from grants.services.pieces import live_attachments


def _financer(code: str) -> Financer:
    return db.session.scalar(select(Financer).where(Financer.code == code))


def _review_url(dossier, attachment) -> str:  # type: ignore[no-untyped-def]
    return f"/instruction/dossiers/{dossier.id}/pieces/{attachment.id}/review"


def _accept_all(client, dossier, financer) -> None:  # type: ignore[no-untyped-def]
    for attachment in live_attachments(dossier):
        response = client.post(
            _review_url(dossier, attachment),
            data={"financer_id": financer.id, "status": "accepted"},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:800]


def _track(dossier, code):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return next(t for t in dossier.tracks if t.financer.code == code)


def _fire_track(client, dossier, code, event="complete_checklist"):  # type: ignore[no-untyped-def]
    track = _track(dossier, code)
    return client.post(
        f"/instruction/dossiers/{dossier.id}/financeurs/{track.id}/transitions/{event}",
        data={"lock_version": track.lock_version},
    )


def test_accept_and_reject_with_reason_are_audited(
    client_for, submitted_dossier, region_instructor
):
    client = client_for(region_instructor)
    region = _financer("REGION_IDF")
    attachment = live_attachments(submitted_dossier)[0]
    page = client.get(f"/instruction/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    assert "Non examinée" in page and _review_url(submitted_dossier, attachment) in page

    missing_reason = client.post(
        _review_url(submitted_dossier, attachment),
        data={"financer_id": region.id, "status": "rejected", "reason": "  "},
    )
    assert missing_reason.status_code == 422
    assert "Indiquez le motif du refus" in missing_reason.get_data(as_text=True)

    rejected = client.post(
        _review_url(submitted_dossier, attachment),
        data={"financer_id": region.id, "status": "rejected", "reason": "Pièce illisible"},
    )
    assert rejected.status_code == 302
    accepted = client.post(
        _review_url(submitted_dossier, attachment),
        data={"financer_id": region.id, "status": "accepted"},
    )
    assert accepted.status_code == 302
    reviews = db.session.scalars(
        select(PieceReview).where(PieceReview.attachment_id == attachment.id)
    ).all()
    assert [(r.financer_id, r.status, r.reason) for r in reviews] == [(region.id, "accepted", None)]
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.dossier_id == submitted_dossier.id,
            AuditEvent.action == "dossier.piece_reviewed",
        )
        .order_by(AuditEvent.id)
    ).all()
    assert [e.data["status"] for e in events] == ["rejected", "accepted"]
    page = client.get(f"/instruction/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    assert "Acceptée" in page


def test_rejection_shows_reason_per_financer(
    client_for, submitted_dossier, region_instructor, ars_instructor
):
    attachment = live_attachments(submitted_dossier)[0]
    client_for(region_instructor).post(
        _review_url(submitted_dossier, attachment),
        data={
            "financer_id": _financer("REGION_IDF").id,
            "status": "rejected",
            "reason": "Non signée",
        },
    )
    html = (
        client_for(ars_instructor)
        .get(f"/instruction/dossiers/{submitted_dossier.id}")
        .get_data(as_text=True)
    )
    assert "Refusée" in html and "Non signée" in html


def test_region_cannot_review_for_the_ars(client_for, submitted_dossier, region_instructor):
    attachment = live_attachments(submitted_dossier)[0]
    response = client_for(region_instructor).post(
        _review_url(submitted_dossier, attachment),
        data={"financer_id": _financer("ARS_IMMO").id, "status": "accepted"},
    )
    assert response.status_code == 403
    assert db.session.scalar(select(PieceReview)) is None


def test_promoter_cannot_review(promoter_web, submitted_dossier):
    attachment = live_attachments(submitted_dossier)[0]
    response = promoter_web.post(
        _review_url(submitted_dossier, attachment),
        data={"financer_id": _financer("REGION_IDF").id, "status": "accepted"},
    )
    assert response.status_code == 404


def test_stale_review_answers_409(client_for, submitted_dossier, dd_instructor_77, ars_instructor):
    ars = _financer("ARS_IMMO")
    attachment = live_attachments(submitted_dossier)[0]
    first, second = client_for(dd_instructor_77), client_for(ars_instructor)
    form = first.get(_review_url(submitted_dossier, attachment))
    assert form.status_code == 200
    # The colleague opens the same piece: warned that the first instructor is on it.
    warned = second.get(_review_url(submitted_dossier, attachment)).get_data(as_text=True)
    assert f"{dd_instructor_77.full_name} modifie aussi cet élément depuis" in warned
    assert (
        second.post(
            _review_url(submitted_dossier, attachment),
            data={"financer_id": ars.id, "status": "accepted", "review_stamp": ""},
        ).status_code
        == 302
    )
    stale = first.post(
        _review_url(submitted_dossier, attachment),
        data={"financer_id": ars.id, "status": "rejected", "reason": "x", "review_stamp": ""},
    )
    assert stale.status_code == 409
    assert "modifiée entre-temps" in stale.get_data(as_text=True)


def test_reviews_open_checklists_then_dossier_becomes_under_instruction(
    client_for, submitted_dossier, dd_instructor_77, region_instructor, departement_77_instructor
):
    dossier = submitted_dossier
    dd = client_for(dd_instructor_77)
    # Before any review the guard refuses with its reasons.
    refused = _fire_track(dd, dossier, "ARS_IMMO")
    assert refused.status_code == 422
    assert "Pièce non acceptée" in refused.get_data(as_text=True)

    for user, code in (
        (dd_instructor_77, "ARS_IMMO"),
        (region_instructor, "REGION_IDF"),
        (departement_77_instructor, "DEP_77"),
    ):
        client = dd if user is dd_instructor_77 else client_for(user)
        _accept_all(client, dossier, _financer(code))
        response = _fire_track(client, dossier, code)
        assert response.status_code == 302, response.get_data(as_text=True)[:800]
        assert _track(dossier, code).state == "instructing"
    db.session.expire_all()
    assert dossier.state == "under_instruction"
    assert dossier.admissible_at is not None
    # Once checked, a financer's reviews are closed.
    late = dd.post(
        _review_url(dossier, live_attachments(dossier)[0]),
        data={"financer_id": _financer("ARS_IMMO").id, "status": "accepted"},
    )
    assert late.status_code == 409


@pytest.fixture
def promoter_web(client_for, promoter):  # type: ignore[no-untyped-def]
    return client_for(promoter)
