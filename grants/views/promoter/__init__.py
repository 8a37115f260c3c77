"""The promoter's side: organisations, dossiers, sections, pieces, submission."""

from flask import Blueprint

bp = Blueprint("promoter", __name__, url_prefix="/espace")

from grants.views.promoter import (  # noqa: E402,F401
    dashboard,
    decisions,
    dossiers,
    invitations,
    messages,
    organisations,
    pieces,
    response,
    rows,
    sections,
    submission,
)
