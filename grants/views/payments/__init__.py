"""Payments of an agreement: the payment panel (included by the agreement page), the promoter's
request form, the financer's check, approval and payment pages, suspensions and recoveries."""

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/paiements")

from grants.views.payments import panel, recovery, requests, steps  # noqa: E402,F401
