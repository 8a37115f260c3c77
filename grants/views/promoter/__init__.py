"""The promoter's side: organisations, dossiers, sections, pieces, submission."""

from flask import Blueprint

bp = Blueprint("promoter", __name__, url_prefix="/espace")

from grants.views.promoter import dashboard, dossiers, organisations  # noqa: E402,F401
