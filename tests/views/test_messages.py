"""The message thread over HTTP: both sides write, attachments checked and downloaded through
the permission checks, the other side notified through the outbox, text escaped, audited."""

from __future__ import annotations

import io

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Message, MessageAttachment
from tests import factories
from tests.pieces_support import EXE, PDF
from tests.views.document_request_support import (
    client_for,
    outbox_rows,
)


def _post(client, url, body, files=()):
    data = {"body": body, "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(url, data=data, content_type="multipart/form-data")


def _messages(dossier):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Message).where(Message.dossier_id == dossier.id).order_by(Message.id)
        )
    )


def test_promoter_writes_with_an_attachment_and_staff_reads_it(
    app, promoter_client, submitted_dossier, dd_instructor_77, region_instructor, promoter
):
    dossier = submitted_dossier
    url = f"/espace/dossiers/{dossier.id}/messages"
    response = _post(
        promoter_client, url, "Voici le bail <script>x</script>", [("bail signé.pdf", PDF)]
    )
    assert response.status_code == 302
    [message] = _messages(dossier)
    [attachment] = message.attachments
    assert attachment.original_name == "bail signé.pdf" and attachment.content_type == (
        "application/pdf"
    )
    assert attachment.storage_key.startswith(f"messages/{dossier.id}/")
    assert "bail" not in attachment.storage_key
    # The staff of the dossier are notified, on both channels; not the author.
    rows = outbox_rows(dossier, "dossier.message_posted")
    recipients = {r.recipient_id for r in rows}
    assert {dd_instructor_77.id, region_instructor.id} <= recipients
    assert promoter.id not in recipients
    assert {r.channel for r in rows} == {"email", "inapp"}
    assert rows[0].template == "message" and rows[0].context["link"].endswith(
        f"/instruction/dossiers/{dossier.id}/messages"
    )
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.dossier_id == dossier.id)
    ).all()
    assert "dossier.message_posted" in actions

    staff = client_for(app, dd_instructor_77)
    page = staff.get(f"/instruction/dossiers/{dossier.id}/messages").get_data(as_text=True)
    assert "Voici le bail &lt;script&gt;x&lt;/script&gt;" in page
    assert "<script>x" not in page
    download = staff.get(
        f"/instruction/dossiers/{dossier.id}/messages/pieces-jointes/{attachment.id}"
    )
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # And the promoter may download its own attachment too.
    own = promoter_client.get(f"{url}/pieces-jointes/{attachment.id}")
    assert own.status_code == 200 and own.data == PDF


def test_staff_writes_and_the_promoter_members_are_notified(
    app, promoter_client, submitted_dossier, dd_instructor_77, promoter
):
    dossier = submitted_dossier
    staff = client_for(app, dd_instructor_77)
    response = _post(
        staff, f"/instruction/dossiers/{dossier.id}/messages", "Merci de préciser le loyer."
    )
    assert response.status_code == 302
    rows = outbox_rows(dossier, "dossier.message_posted")
    assert {r.recipient_id for r in rows} == {promoter.id}
    assert rows[0].context["link"].endswith(f"/espace/dossiers/{dossier.id}/messages")
    page = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Merci de préciser le loyer." in page


def test_other_organisation_and_other_departement_get_404(app, promoter_client, submitted_dossier):
    dossier = submitted_dossier
    _post(promoter_client, f"/espace/dossiers/{dossier.id}/messages", "Bonjour", [("a.pdf", PDF)])
    attachment = db.session.scalars(select(MessageAttachment)).all()[-1]
    stranger = factories.UserFactory()
    factories.MembershipFactory(user=stranger, role="owner")
    dd_93 = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="93")
    db.session.flush()
    other = client_for(app, stranger)
    base = f"/espace/dossiers/{dossier.id}/messages"
    assert other.get(base).status_code == 404
    assert other.get(f"{base}/pieces-jointes/{attachment.id}").status_code == 404
    assert _post(other, base, "Intrusion").status_code == 404
    far = client_for(app, dd_93)
    staff_base = f"/instruction/dossiers/{dossier.id}/messages"
    assert far.get(staff_base).status_code == 404
    assert far.get(f"{staff_base}/pieces-jointes/{attachment.id}").status_code == 404
    assert _post(far, staff_base, "Intrusion").status_code == 404
    assert len(_messages(dossier)) == 1


def test_attachment_of_another_dossier_is_404(app, promoter_client, submitted_dossier, promoter):
    from tests.helpers.complete_dossier import make_complete_dossier

    _post(
        promoter_client,
        f"/espace/dossiers/{submitted_dossier.id}/messages",
        "Bonjour",
        [("a.pdf", PDF)],
    )
    attachment = db.session.scalars(select(MessageAttachment)).all()[-1]
    draft = make_complete_dossier(promoter)
    response = promoter_client.get(
        f"/espace/dossiers/{draft.id}/messages/pieces-jointes/{attachment.id}"
    )
    assert response.status_code == 404


def test_refused_file_and_empty_body_are_422_and_nothing_is_written(
    promoter_client, submitted_dossier
):
    url = f"/espace/dossiers/{submitted_dossier.id}/messages"
    response = _post(promoter_client, url, "Texte conservé", [("virus.pdf", EXE)])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "n&#39;est pas accepté" in html and "Texte conservé" in html
    assert _post(promoter_client, url, "   ").status_code == 422
    assert _messages(submitted_dossier) == []
    assert outbox_rows(submitted_dossier, "dossier.message_posted") == []


def test_draft_has_no_thread(promoter_client, dossier):
    url = f"/espace/dossiers/{dossier.id}/messages"
    assert promoter_client.get(url).status_code == 200
    assert _post(promoter_client, url, "Bonjour").status_code == 409
