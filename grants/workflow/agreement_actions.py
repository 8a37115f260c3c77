"""Work the agreement, amendment and post-decision dossier transitions do inside their
transaction, before the new state is written (DOMAIN T12–T16, §3.7)."""

from __future__ import annotations

from datetime import date
from typing import Any

from grants.models import Agreement, Amendment, Dossier
from grants.workflow.guards import Context


def _agreement(obj: Agreement | Amendment) -> Agreement:
    return obj.agreement if isinstance(obj, Amendment) else obj


# --- the dossier -------------------------------------------------------------------------------


def draft_agreements(dossier: Dossier, ctx: Context) -> None:
    """T12: a draft CPOM (ARS) or convention (any other financer) per granting track."""
    from grants.services.agreements import draft_for_dossier

    drafted = draft_for_dossier(dossier, ctx.actor)
    ctx.audit["agreements"] = [a.reference for a in drafted]


def record_opening(dossier: Dossier, ctx: Context) -> None:
    """T14: the structure opened; the live dossier carries the real opening date (its frozen
    versions keep the one the promoter planned)."""
    opened_on: date = ctx.data["opening_date"]
    ctx.audit.update(
        opening_date=opened_on.isoformat(),
        planned_opening_date=dossier.opening_date.isoformat() if dossier.opening_date else None,
    )
    dossier.opening_date = opened_on


def note_termination(dossier: Dossier, ctx: Context) -> None:
    from grants.workflow.agreement_guards import agreements_of

    ctx.audit["reasons"] = {a.reference: a.termination_reason for a in agreements_of(dossier)}
    ctx.data.setdefault("message", "; ".join(ctx.audit["reasons"].values()))


# --- agreements and amendments -----------------------------------------------------------------


def note_version(obj: Agreement | Amendment, ctx: Context) -> None:
    from grants.services.agreement_versions import version_of

    version = version_of(obj)
    if version is not None:
        ctx.audit.update(
            version=version.number,
            data_sha256=version.data_sha256,
            pdf_sha256=version.pdf_sha256,
            docx_sha256=version.docx_sha256,
        )


def note_reason(_obj: object, ctx: Context) -> None:
    ctx.audit["reason"] = str(ctx.data.get("reason") or "").strip()


def record_promoter_signature(obj: Agreement | Amendment, ctx: Context) -> None:
    """The promoter's signature: a signed copy (kept with its hash) or a typed name confirmed
    in the product, with the time and the IP address it came from."""
    signature: dict[str, Any] = ctx.data["signature"]
    method = signature["method"]
    name = str(signature.get("name") or "").strip()
    if method == "upload" and not name and ctx.actor is not None:
        name = ctx.actor.full_name
    obj.promoter_signed_at = ctx.now
    obj.promoter_signature_method = method
    obj.promoter_signed_name = name[:200]
    obj.promoter_signed_ip = str(signature.get("ip") or "")[:64] or None
    obj.signed_copy_key = signature.get("storage_key") if method == "upload" else None
    if isinstance(obj, Agreement):
        obj.promoter_signed_by_id = ctx.actor.id if ctx.actor is not None else None
        obj.signed_copy_sha256 = signature.get("sha256") if method == "upload" else None
    note_version(obj, ctx)
    ctx.audit.update(
        method=method,
        signed_name=obj.promoter_signed_name,
        ip=obj.promoter_signed_ip,
        signed_at=ctx.now.isoformat(),
        signed_copy_sha256=signature.get("sha256") if method == "upload" else None,
    )


def clear_promoter_signature(obj: Agreement | Amendment, ctx: Context) -> None:
    """The signature is refused (illegible copy…): the promoter signs again."""
    ctx.audit.update(
        reason=str(ctx.data.get("reason") or "").strip(),
        refused_method=obj.promoter_signature_method,
        refused_signed_at=obj.promoter_signed_at.isoformat() if obj.promoter_signed_at else None,
    )
    obj.promoter_signed_at = None
    obj.promoter_signature_method = None
    obj.promoter_signed_name = None
    obj.promoter_signed_ip = None
    obj.signed_copy_key = None
    if isinstance(obj, Agreement):
        obj.promoter_signed_by_id = None
        obj.signed_copy_sha256 = None


def record_countersignature(obj: Agreement | Amendment, ctx: Context) -> None:
    obj.countersigned_at = ctx.now
    obj.countersigned_by_id = ctx.actor.id if ctx.actor is not None else None
    note_version(obj, ctx)
    ctx.audit["countersigned_at"] = ctx.now.isoformat()


def apply_amendment(amendment: Amendment, ctx: Context) -> None:
    """The amendment's terms become the agreement's (its version becomes the one in force)."""
    from grants.services.agreement_terms import Terms, apply_terms

    apply_terms(amendment.agreement, Terms.from_json(amendment.changes["terms"]))
    ctx.audit["changed"] = amendment.changes.get("changed", [])


def note_end(agreement: Agreement, ctx: Context) -> None:
    ctx.audit["ends_on"] = agreement.ends_on.isoformat()


def terminate_with_recovery(agreement: Agreement, ctx: Context) -> None:
    """Record the termination and compute the pro-rata recovery (ordered once the agreement is
    terminated, by the effect ``order_recovery``)."""
    from grants.services.agreement_termination import recovery_computation

    reason = str(ctx.data["reason"]).strip()
    on = ctx.data.get("terminated_on") or ctx.now.date()
    agreement.terminated_at = ctx.now
    agreement.termination_reason = reason
    computation = recovery_computation(_agreement(agreement), on)
    ctx.data["recovery"] = computation
    ctx.audit.update(reason=reason, recovery=computation)
