"""Security baseline: login required by default, response headers, request ids, error pages."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, Response, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

# Endpoints reachable without being logged in; everything else requires a session.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "public.home",
        "public.health",
        "auth.login",
        "auth.register",
        "auth.forgot_password",
        "auth.reset_password",
        "auth.accept_invitation",
    }
)

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

log = logging.getLogger("grants")


def init_app(app: Flask) -> None:
    app.before_request(_assign_request_id)
    app.before_request(_require_login)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def _assign_request_id() -> None:
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex


def _require_login() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if current_user.is_authenticated:
        return None
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if current_user and current_user.is_authenticated:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    return render_template(
        "error.html",
        code=400,
        title="Formulaire expiré",
        message="Le formulaire a expiré ou n'est pas valide. Rechargez la page et recommencez.",
    ), 400


_MESSAGES = {
    400: ("Requête invalide", "La requête n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas le droit d'effectuer cette action."),
    404: ("Page introuvable", "La page demandée n'existe pas ou ne vous est pas accessible."),
    405: ("Méthode non autorisée", "Cette action n'est pas possible ici."),
    409: ("Conflit", "Ce dossier a été modifié entre-temps. Rechargez la page."),
    413: ("Fichier trop volumineux", "Le fichier dépasse la taille autorisée."),
    429: ("Trop de tentatives", "Trop de tentatives. Patientez une minute avant de réessayer."),
}


def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    title, message = _MESSAGES.get(code, ("Erreur", error.description or ""))
    return render_template("error.html", code=code, title=title, message=message), code
