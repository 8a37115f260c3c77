"""An instructor asks the promoter for documents or clarifications (DOMAIN T3)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from grants.extensions import db
from grants.forms.document_request import DocumentRequestForm, build_request_form
from grants.models import Dossier
from grants.permissions import staff_dossier_or_404
from grants.services import document_requests as service
from grants.views.instruction import bp
from grants.views.instruction.helpers import transition_refused
from grants.workflow import engine
from grants.workflow.engine import NOT_AVAILABLE_MESSAGE, TransitionError

EVENT = "request_documents"


def _load(dossier_id: int) -> Dossier:
    return staff_dossier_or_404(
        current_user,
        dossier_id,
        (
            selectinload(Dossier.organisation),
            selectinload(Dossier.financers),
            selectinload(Dossier.attachments),
        ),
    )


def _refusal(dossier: Dossier) -> TransitionError | None:
    """Why the user may not open this form at all (wrong state, not an instructor)."""
    transition = engine.transition(dossier, EVENT)
    if dossier.state not in transition.sources:
        return TransitionError(422, NOT_AVAILABLE_MESSAGE)
    if not engine.actor_roles(dossier, current_user) & transition.roles:
        return TransitionError(403, transition.forbidden_message)
    return None


def _form(dossier: Dossier, pieces: list, **kwargs: object) -> DocumentRequestForm:  # type: ignore[type-arg]
    return build_request_form(
        sections=[(s.code, service.section_label(s)) for s in service.requestable_sections()],
        pieces=[(p.code, p.kind.label) for p in pieces],
        financers=[(f.id, f.name) for f in service.acting_financers(current_user, dossier)],
        today=service.paris_today(),
        **kwargs,
    )


def _render(dossier: Dossier, form: DocumentRequestForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("instruction/request_form.html", dossier=dossier, form=form), status


def _refused(dossier_id: int, refused: TransitionError):  # type: ignore[no-untyped-def]
    return transition_refused(dossier_id, refused)


@bp.app_template_global()
def staff_requests_panel(dossier: Dossier) -> dict[str, object]:
    """What instruction/_requests.html shows: every request, and whether this user may ask."""
    return {
        "requests": list(dossier.document_requests),
        "can_request": _refusal(dossier) is None,
    }


@bp.route("/dossiers/<int:dossier_id>/demande-de-pieces", methods=["GET", "POST"])
def request_documents(dossier_id: int):  # type: ignore[no-untyped-def]
    dossier = _load(dossier_id)
    refusal = _refusal(dossier)
    if refusal is not None:
        return _refused(dossier.id, refusal)
    pieces = service.requestable_pieces(dossier)
    if request.method == "GET":
        financers = service.acting_financers(current_user, dossier)
        form = _form(
            dossier,
            pieces,
            formdata=None,
            lock_version=dossier.lock_version,
            due_on=service.default_due_on(),
            financer_id=financers[0].id if financers else None,
        )
        return _render(dossier, form)
    form = _form(dossier, pieces)
    if not form.validate():
        return _render(dossier, form, 422)
    labels = {p.code: p.kind.label for p in pieces}
    data = {
        "items": service.build_items(
            list(form.sections.data or []), list(form.pieces.data or []), form.reasons(), labels
        ),
        "message": (form.message.data or "").strip(),
        "due_on": form.due_on.data,
        "financer_id": form.financer_id.data,
    }
    raw_version = form.lock_version.data or ""
    version = int(raw_version) if raw_version.isdigit() else None
    try:
        with db.session.begin_nested():  # a refusal undoes whatever the engine had begun
            engine.fire(dossier, EVENT, current_user, data=data, expected_version=version)
    except TransitionError as refused:
        return _refused(dossier_id, refused)
    db.session.commit()
    flash(
        f"La demande est envoyée au porteur (réponse attendue avant le "
        f"{form.due_on.data.strftime('%d/%m/%Y')}). Le délai d'instruction est suspendu.",
        "success",
    )
    return redirect(url_for("instruction.dossier", dossier_id=dossier_id))
