"""Agreements (CPOM and conventions) for both audiences: the contract page, the instructors'
edits and amendments, the promoter's signature, the countersignature, the termination and the
documents' downloads. Each endpoint checks its own access (promoter of the dossier's
organisation, or staff who see the dossier); the engine decides who may act."""

from flask import Blueprint

bp = Blueprint("agreements", __name__, url_prefix="/conventions")

from grants.views.agreements import (  # noqa: E402,F401
    amendments,
    detail,
    edit,
    files,
    signature,
    termination,
)
