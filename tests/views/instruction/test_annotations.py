"""Private annotations per financer over HTTP: who reads them, editing with lock_version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Annotation, AuditEvent, Financer


def _financer(code: str) -> Financer:
    return db.session.scalar(select(Financer).where(Financer.code == code))


def _page(client, dossier) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/instruction/dossiers/{dossier.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _annotate(client, dossier, code, body, shared=False):  # type: ignore[no-untyped-def]
    data = {"financer_id": _financer(code).id, "body": body}
    if shared:
        data["shared"] = "y"
    return client.post(f"/instruction/dossiers/{dossier.id}/annotations", data=data)


def _note(body: str) -> Annotation:
    return db.session.scalar(select(Annotation).where(Annotation.body == body))


def test_private_and_shared_visibility(
    client_for,
    submitted_dossier,
    ars_instructor,
    dd_instructor_77,
    region_instructor,
    urps_member,
    promoter_web,
):
    ars = client_for(ars_instructor)
    assert _annotate(ars, submitted_dossier, "ARS_IMMO", "Note privée ARS").status_code == 302
    assert (
        _annotate(ars, submitted_dossier, "ARS_IMMO", "Note partagée ARS", True).status_code == 302
    )

    # Another user of the same financer reads both.
    dd_page = _page(client_for(dd_instructor_77), submitted_dossier)
    assert "Note privée ARS" in dd_page and "Note partagée ARS" in dd_page
    # The Région reads only the shared one, and cannot open the private one.
    region = client_for(region_instructor)
    region_page = _page(region, submitted_dossier)
    assert "Note partagée ARS" in region_page and "Note privée ARS" not in region_page
    private = _note("Note privée ARS")
    edit_url = f"/instruction/dossiers/{submitted_dossier.id}/annotations/{private.id}/modifier"
    assert region.get(edit_url).status_code == 404
    # The URPS (committee member scoped by the ARS financers) reads shared notes only.
    urps_page = _page(client_for(urps_member), submitted_dossier)
    assert "Note partagée ARS" in urps_page and "Note privée ARS" not in urps_page
    # The promoter never: neither on its own pages nor through the instruction URLs.
    promoter_page = promoter_web.get(f"/dossiers/{submitted_dossier.id}").get_data(as_text=True)
    assert "Note privée ARS" not in promoter_page and "Note partagée ARS" not in promoter_page
    assert promoter_web.get(f"/instruction/dossiers/{submitted_dossier.id}").status_code == 404
    assert promoter_web.get(edit_url).status_code == 404
    assert (
        promoter_web.post(
            f"/instruction/dossiers/{submitted_dossier.id}/annotations",
            data={"financer_id": _financer("ARS_IMMO").id, "body": "intrus"},
        ).status_code
        == 404
    )


def test_region_cannot_annotate_for_the_ars(client_for, submitted_dossier, region_instructor):
    response = _annotate(client_for(region_instructor), submitted_dossier, "ARS_IMMO", "x")
    assert response.status_code == 403
    assert db.session.scalar(select(Annotation)) is None


def test_empty_annotation_is_422(client_for, submitted_dossier, region_instructor):
    response = _annotate(client_for(region_instructor), submitted_dossier, "REGION_IDF", " ")
    assert response.status_code == 422
    assert "Écrivez le texte de l&#39;annotation." in response.get_data(as_text=True)


def test_edit_delete_own_and_concurrent_edit_409(
    client_for, submitted_dossier, ars_instructor, dd_instructor_77
):
    ars = client_for(ars_instructor)
    _annotate(ars, submitted_dossier, "ARS_IMMO", "Première version")
    note = _note("Première version")
    base = f"/instruction/dossiers/{submitted_dossier.id}/annotations/{note.id}"
    # Only the author edits or deletes.
    dd = client_for(dd_instructor_77)
    assert dd.get(f"{base}/modifier").status_code == 403
    assert dd.post(f"{base}/supprimer", data={}).status_code == 403

    form = ars.get(f"{base}/modifier")
    assert form.status_code == 200 and "Première version" in form.get_data(as_text=True)
    version = note.lock_version
    saved = ars.post(f"{base}/modifier", data={"body": "Deuxième version", "lock_version": version})
    assert saved.status_code == 302
    stale = ars.post(f"{base}/modifier", data={"body": "Écrasement", "lock_version": version})
    assert stale.status_code == 409
    assert "modifiée entre-temps" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert note.body == "Deuxième version"

    assert ars.post(f"{base}/supprimer", data={}).status_code == 302
    assert db.session.get(Annotation, note.id) is None
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(
            AuditEvent.dossier_id == submitted_dossier.id,
            AuditEvent.action.like("dossier.annotation_%"),
        )
        .order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "dossier.annotation_created",
        "dossier.annotation_updated",
        "dossier.annotation_deleted",
    ]


def test_two_editors_warning(client_for, submitted_dossier, ars_instructor, app):
    from grants.models import User

    ars = client_for(ars_instructor)
    _annotate(ars, submitted_dossier, "ARS_IMMO", "Note commune", shared=True)
    note = _note("Note commune")
    url = f"/instruction/dossiers/{submitted_dossier.id}/annotations/{note.id}/modifier"
    # Another session of someone else on the same item (the author's second tab is not a warning).
    assert "modifie aussi" not in ars.get(url).get_data(as_text=True)
    from grants.services.assignment import touch_presence

    other = db.session.get(User, ars_instructor.id)
    colleague = type(other)(
        email="collegue@ars.fr",
        full_name="Camille Collègue",
        password_hash="x",
        role="ars_instructor",
    )
    db.session.add(colleague)
    db.session.flush()
    touch_presence(submitted_dossier.id, f"annotation:{note.id}", colleague)
    db.session.flush()
    html = ars.get(url).get_data(as_text=True)
    assert "Camille Collègue modifie aussi cet élément depuis" in html


@pytest.fixture
def promoter_web(client_for, promoter):  # type: ignore[no-untyped-def]
    return client_for(promoter)
