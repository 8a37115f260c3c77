"""Which pieces a dossier needs: the requirement table evaluated against the loaded dossier.

Pure over the dossier's already-loaded ``organisation``, ``financers`` and ``attachments``; the
rules are read with one query (or passed in by a caller that evaluates several times).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from grants.extensions import db
from grants.models import Attachment, Dossier, Financer, PieceKind, PieceRequirement


@dataclass
class RequiredPiece:
    """One piece kind the dossier may or must provide, with the financers concerned."""

    kind: PieceKind
    mandatory: bool = False
    # Financers that ask for the piece, and those for which it is mandatory (a subset).
    financers: list[Financer] = field(default_factory=list)
    mandatory_for: list[Financer] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    # True when a rule scopes the piece to some financers (kind/code filters).
    scoped: bool = False

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def provided(self) -> bool:
        """A live attachment exists (for any financer)."""
        return bool(self.attachments)

    def provided_for(self, financer: Financer) -> bool:
        """A live attachment covers this financer: a general one, or one scoped to it."""
        return any(a.financer_id in (None, financer.id) for a in self.attachments)


def load_rules() -> list[PieceRequirement]:
    """Every rule with its piece kind, in the kinds' display order (one query)."""
    return list(
        db.session.scalars(
            select(PieceRequirement)
            .join(PieceRequirement.piece)
            .options(contains_eager(PieceRequirement.piece))
            .order_by(PieceKind.position, PieceRequirement.id)
        )
    )


def is_live(attachment: Attachment) -> bool:
    return attachment.removed_at is None and attachment.status != "rejected"


def live_attachments(dossier: Dossier) -> list[Attachment]:
    return [a for a in dossier.attachments if is_live(a)]


def _matches(values: Sequence[str], value: str | None) -> bool:
    return not values or value in values


def _dossier_matches(rule: PieceRequirement, dossier: Dossier) -> bool:
    aid_types = set(dossier.aid_types or [])
    category = dossier.organisation.category if dossier.organisation is not None else None
    return (
        _matches(rule.structure_types, dossier.structure_type)
        and (not rule.aid_types or bool(aid_types & set(rule.aid_types)))
        and _matches(rule.promoter_categories, category)
    )


def _financers_concerned(rule: PieceRequirement, financers: Sequence[Financer]) -> list[Financer]:
    return [
        f
        for f in financers
        if _matches(rule.financer_kinds, f.kind) and _matches(rule.financer_codes, f.code)
    ]


def _is_scoped(rule: PieceRequirement) -> bool:
    return bool(rule.financer_kinds or rule.financer_codes)


def required_pieces(
    dossier: Dossier, rules: Sequence[PieceRequirement] | None = None
) -> list[RequiredPiece]:
    """Every piece the applicable rules ask for, in the piece kinds' order."""
    rules = load_rules() if rules is None else rules
    targeted = list(dossier.financers)
    result: dict[str, RequiredPiece] = {}
    for rule in rules:
        if not _dossier_matches(rule, dossier):
            continue
        concerned = _financers_concerned(rule, targeted)
        if _is_scoped(rule) and not concerned:
            continue
        piece = result.setdefault(rule.piece_code, RequiredPiece(kind=rule.piece))
        piece.scoped = piece.scoped or _is_scoped(rule)
        piece.mandatory = piece.mandatory or rule.mandatory
        for financer in concerned:
            if financer not in piece.financers:
                piece.financers.append(financer)
            if rule.mandatory and financer not in piece.mandatory_for:
                piece.mandatory_for.append(financer)
    by_code: dict[str, list[Attachment]] = defaultdict(list)
    for attachment in live_attachments(dossier):
        by_code[attachment.piece_code].append(attachment)
    order = {f.id: i for i, f in enumerate(targeted)}
    for piece in result.values():
        piece.attachments = by_code.get(piece.code, [])
        piece.financers.sort(key=lambda f: order[f.id])
        piece.mandatory_for.sort(key=lambda f: order[f.id])
    return list(result.values())


def missing_by_financer(
    dossier: Dossier, pieces: Sequence[RequiredPiece] | None = None
) -> dict[Financer, list[PieceKind]]:
    """Mandatory pieces without a live attachment, for every targeted financer (in its order)."""
    pieces = required_pieces(dossier) if pieces is None else pieces
    return {
        financer: [
            p.kind for p in pieces if financer in p.mandatory_for and not p.provided_for(financer)
        ]
        for financer in dossier.financers
    }


def provided_by_financer(
    dossier: Dossier, pieces: Sequence[RequiredPiece]
) -> dict[Financer, list[PieceKind]]:
    """Mandatory pieces already provided, per targeted financer (the page's "fournies" list)."""
    return {
        financer: [
            p.kind for p in pieces if financer in p.mandatory_for and p.provided_for(financer)
        ]
        for financer in dossier.financers
    }
