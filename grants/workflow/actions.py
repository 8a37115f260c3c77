"""Work a transition does inside its transaction, before the new state is written."""

from __future__ import annotations

from grants.extensions import db
from grants.models import DocumentRequest, Dossier, FinancerTrack
from grants.workflow.guards import Context


def file_dossier(dossier: Dossier, ctx: Context) -> None:
    """Submit: reference, filing time, first frozen version (DOMAIN T1)."""
    from grants.services.submission import assign_reference, freeze_version
    from grants.services.zoning import record_dossier_zoning

    assign_reference(dossier, ctx.now)
    version = freeze_version(dossier, actor=ctx.actor, reason="submit")
    record_dossier_zoning(dossier, ctx.now)
    ctx.audit.update(
        reference=dossier.reference, version=version.number, payload_sha256=version.payload_sha256
    )


def open_tracks(dossier: Dossier, ctx: Context) -> None:
    """One financer track per targeted financer, each starting its completeness check (T2)."""
    existing = {track.financer_id for track in dossier.tracks}
    for financer in dossier.financers:
        if financer.id not in existing:
            dossier.tracks.append(
                FinancerTrack(financer=financer, state="checking", opened_at=ctx.now)
            )
    ctx.audit["tracks"] = [financer.code for financer in dossier.financers]


def request_documents(dossier: Dossier, ctx: Context) -> None:
    """Record the request and pause the instruction clock (T3)."""
    request = DocumentRequest(
        dossier_id=dossier.id,
        financer_id=ctx.data.get("financer_id"),
        requested_by_id=ctx.actor.id if ctx.actor else None,
        items=list(ctx.data["items"]),
        message=str(ctx.data.get("message") or ""),
        due_on=ctx.data["due_on"],
        state="open",
        created_at=ctx.now,
    )
    db.session.add(request)
    db.session.flush()
    db.session.expire(dossier, ["document_requests"])
    if dossier.clock_paused_at is None:
        dossier.clock_paused_at = ctx.now
    ctx.audit.update(request_id=request.id, items=request.items, due_on=request.due_on.isoformat())


def answer_requests(dossier: Dossier, ctx: Context) -> None:
    """The promoter answers: requests closed, clock resumed, a new frozen version (T4)."""
    from grants.services.submission import freeze_version

    # Freeze first: it flushes, and the dossier must still satisfy its CHECKs at that moment
    # (an awaiting_documents dossier keeps its clock paused until the state moves on).
    version = freeze_version(dossier, actor=ctx.actor, reason="respond")
    answered = []
    for request in dossier.document_requests:
        if request.state == "open":
            request.state = "answered"
            request.answered_at = ctx.now
            answered.append(request.id)
    _resume_clock(dossier, ctx)
    ctx.audit.update(answered_requests=answered, version=version.number)


def mark_admissible(dossier: Dossier, ctx: Context) -> None:
    dossier.admissible_at = ctx.now


def put_on_hold(dossier: Dossier, ctx: Context) -> None:
    dossier.held_from_state = dossier.state
    dossier.hold_reason = str(ctx.data["reason"]).strip()
    ctx.audit["reason"] = dossier.hold_reason


def resume(dossier: Dossier, ctx: Context) -> None:
    ctx.audit["resumed_to"] = dossier.held_from_state
    dossier.held_from_state = None
    dossier.hold_reason = None


def withdraw(dossier: Dossier, ctx: Context) -> None:
    """The promoter gives up (T17): requests cancelled, clock resumed, envelope money released."""
    from grants.services.ledger import release_all_for_dossier

    released = release_all_for_dossier(
        dossier, ctx.actor, f"Dossier retiré par le porteur : {ctx.data.get('reason') or ''}"
    )
    if released:
        ctx.audit["released"] = [str(movement.amount) for movement in released]
    for request in dossier.document_requests:
        if request.state == "open":
            request.state = "cancelled"
    _resume_clock(dossier, ctx)
    dossier.held_from_state = None
    ctx.audit["reason"] = str(ctx.data.get("reason") or "")


def complete_checklist(track: FinancerTrack, ctx: Context) -> None:
    track.checklist_completed_at = ctx.now


def record_reason(_obj: object, ctx: Context) -> None:
    ctx.audit["reason"] = str(ctx.data.get("reason") or "").strip()


def _resume_clock(dossier: Dossier, ctx: Context) -> None:
    if dossier.clock_paused_at is not None:
        paused = ctx.now - dossier.clock_paused_at
        dossier.clock_paused_seconds += int(paused.total_seconds())
        dossier.clock_paused_at = None


def note_committee_opinion(dossier: Dossier, ctx: Context) -> None:
    """T8: the joint opinion is recorded on the agenda item; the event says which."""
    item = dossier.committee_items[-1]
    ctx.audit.update(
        session=item.session_id,
        item=item.id,
        opinion=item.opinion,
        reservations=item.reservations,
        amounts={f"{a.financer_id}:{a.aid_type}": str(a.amount) for a in item.amounts},
    )


def return_to_instruction(dossier: Dossier, ctx: Context) -> None:
    """T9: a deferred dossier goes back to instruction with the committee's reasons."""
    item = dossier.committee_items[-1]
    ctx.audit.update(session=item.session_id, reasons=item.deferral_reasons)
    ctx.data.setdefault("message", item.deferral_reasons)


def record_track_decision(track: FinancerTrack, ctx: Context) -> None:
    decision = ctx.data["decision"]
    track.decided_at = ctx.now
    ctx.audit.update(
        decision=decision.id,
        outcome=decision.outcome,
        act_reference=decision.act_reference,
        amounts={line.aid_type: str(line.amount) for line in decision.amounts},
    )
