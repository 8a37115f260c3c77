"""Firing workflow transitions over HTTP (instruction.fire_dossier / fire_track): the engine's
refusals become 403/404/409/422 pages in French, a success redirects with a flash and leaves an
audit event and outbox rows behind; every POST needs its CSRF token."""

from __future__ import annotations

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage
from tests import factories
from tests.conftest import login
from tests.workflow import support

REASON = "Consensus local à construire (Forges-les-Bains)"


def dossier_url(dossier) -> str:  # type: ignore[no-untyped-def]
    return f"/instruction/dossiers/{dossier.id}"


def fire_url(dossier, event: str, track=None) -> str:  # type: ignore[no-untyped-def]
    if track is not None:
        return f"{dossier_url(dossier)}/financeurs/{track.id}/transitions/{event}"
    return f"{dossier_url(dossier)}/transitions/{event}"


def audit_actions(dossier) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.dossier_id == dossier.id)
            .order_by(AuditEvent.id)
        )
    )


def test_hold_succeeds_with_flash_audit_and_outbox(
    client, submitted_dossier, ars_instructor, promoter
):
    login(client, ars_instructor.email)
    version = submitted_dossier.lock_version
    response = client.post(
        fire_url(submitted_dossier, "hold"), data={"reason": REASON, "lock_version": version}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(dossier_url(submitted_dossier))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "« Mettre en attente » : c&#39;est fait." in page
        or "« Mettre en attente » : c'est fait." in page
    )

    db.session.expire_all()
    assert submitted_dossier.state == "on_hold"
    assert submitted_dossier.hold_reason == REASON
    assert audit_actions(submitted_dossier)[-1] == "dossier.hold"
    recipients = set(
        db.session.scalars(
            select(OutboxMessage.recipient_id).where(
                OutboxMessage.dossier_id == submitted_dossier.id,
                OutboxMessage.event == "dossier.hold",
            )
        )
    )
    assert promoter.id in recipients and ars_instructor.id not in recipients


def test_guard_reasons_are_shown_with_422(client, submitted_dossier, ars_instructor):
    login(client, ars_instructor.email)
    response = client.post(
        fire_url(submitted_dossier, "hold"),
        data={"reason": "  ", "lock_version": submitted_dossier.lock_version},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette action n&#39;est pas encore possible." in html
    assert "Indiquez le motif." in html
    db.session.expire_all()
    assert submitted_dossier.state == "completeness_check"


def test_an_action_unavailable_in_this_state_is_422(client, submitted_dossier, ars_instructor):
    login(client, ars_instructor.email)
    response = client.post(fire_url(submitted_dossier, "resume"), data={})
    assert response.status_code == 422
    assert "pas possible dans l&#39;état actuel" in response.get_data(as_text=True)


def test_stale_version_is_409_with_reload_message(client, submitted_dossier, ars_instructor):
    login(client, ars_instructor.email)
    response = client.post(
        fire_url(submitted_dossier, "hold"),
        data={"reason": REASON, "lock_version": submitted_dossier.lock_version - 1},
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Ce dossier a été modifié entre-temps" in html
    assert "rechargez la page" in html
    db.session.expire_all()
    assert submitted_dossier.state == "completeness_check"


def test_role_without_the_right_is_403(client, submitted_dossier, committee_secretary):
    login(client, committee_secretary.email)
    response = client.post(fire_url(submitted_dossier, "hold"), data={"reason": REASON})
    assert response.status_code == 403
    assert "Vous n&#39;avez pas le droit" in response.get_data(as_text=True)


def test_instructor_of_another_financer_gets_403_on_a_track(
    client, submitted_dossier, region_instructor
):
    login(client, region_instructor.email)
    ars_track = support.track_of(submitted_dossier, "ARS_IMMO")
    response = client.post(
        fire_url(submitted_dossier, "withdraw_interest", ars_track), data={"reason": REASON}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert ars_track.state == "checking"


def test_own_track_transition_succeeds(client, submitted_dossier, region_instructor):
    login(client, region_instructor.email)
    track = support.track_of(submitted_dossier, "REGION_IDF")
    response = client.post(
        fire_url(submitted_dossier, "withdraw_interest", track),
        data={"reason": "Projet hors de nos priorités", "lock_version": track.lock_version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert track.state == "not_concerned"
    assert audit_actions(submitted_dossier)[-1] == "track.withdraw_interest"


def test_out_of_scope_dossier_is_404(client, submitted_dossier):
    dd_91 = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, "91")
    login(client, dd_91.email)
    track = submitted_dossier.tracks[0]
    assert (
        client.post(fire_url(submitted_dossier, "hold"), data={"reason": REASON}).status_code == 404
    )
    response = client.post(
        fire_url(submitted_dossier, "withdraw_interest", track), data={"reason": REASON}
    )
    assert response.status_code == 404


def test_track_of_another_dossier_is_404(client, submitted_dossier, promoter, ars_instructor):
    other = support.make_dossier(promoter, "completeness_check")
    login(client, ars_instructor.email)
    response = client.post(
        fire_url(submitted_dossier, "withdraw_interest", other.tracks[0]), data={"reason": REASON}
    )
    assert response.status_code == 404


def test_promoter_never_reaches_the_instruction_routes(promoter_client, submitted_dossier):
    response = promoter_client.post(
        fire_url(submitted_dossier, "withdraw"), data={"reason": REASON}
    )
    assert response.status_code == 404


def test_post_without_csrf_is_400(client, submitted_dossier, ars_instructor):
    login(client, ars_instructor.email)
    client.auto_csrf = False
    response = client.post(fire_url(submitted_dossier, "hold"), data={"reason": REASON})
    assert response.status_code == 400
    db.session.expire_all()
    assert submitted_dossier.state == "completeness_check"
