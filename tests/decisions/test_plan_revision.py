"""The financing plan recomputed with the granted amounts; a revised plan asked of the promoter when
the gap exceeds the configured threshold once every financer decided, and answered by editing
section I, which freezes a new version."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage, PlanRevisionRequest
from grants.services import config_versions, plan_revision
from tests.decisions.support import CONCLUDED, OP, RE, track_of
from tests.decisions.test_service import decide

D = Decimal


def settle(pending, deciders, *, region_re: str = "250000", dep: str | None = "100000"):  # type: ignore[no-untyped-def]
    decide(pending, "ARS_IMMO", deciders["ARS_IMMO"], "granted", {RE: "308641.97"})
    decide(
        pending,
        "REGION_IDF",
        deciders["REGION_IDF"],
        "partially_granted",
        {RE: region_re, OP: "40000"},
        motivation="Plafond régional.",
    )
    if dep is None:
        decide(pending, "DEP_77", deciders["DEP_77"], "refused", motivation="Hors schéma.")
    else:
        decide(pending, "DEP_77", deciders["DEP_77"], "granted", {RE: dep})


def revisions(dossier) -> list[PlanRevisionRequest]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(PlanRevisionRequest).where(PlanRevisionRequest.dossier_id == dossier.id)
        )
    )


def test_the_plan_is_recomputed_after_each_decision(pending, deciders):
    decide(
        pending,
        "REGION_IDF",
        deciders["REGION_IDF"],
        "partially_granted",
        {RE: "200000", OP: "40000"},
        motivation="Plafond régional.",
    )
    plan = plan_revision.recompute(pending)
    region = next(s for s in plan.shares if s.financer.code == "REGION_IDF")
    assert region.granted == {RE: D("200000.00"), OP: D("40000.00")}
    assert region.requested == {RE: D("308641.97"), OP: D("40000.00")}
    assert plan.gap == D("108641.97") and not plan.settled  # ARS and Département still decide
    real_estate = next(r for r in plan.rows if r.aid_type == RE)
    assert real_estate.costs == D("1234567.89")
    assert real_estate.requested == D("308641.97") * 3
    assert real_estate.in_plan == D("308641.97") * 2 + D("200000.00")
    assert real_estate.missing == D("108641.97")
    recomputed = db.session.scalars(
        select(AuditEvent.data)
        .where(AuditEvent.dossier_id == pending.id, AuditEvent.action == "dossier.plan_recomputed")
        .order_by(AuditEvent.id)
    ).all()
    assert recomputed[-1]["gap"] == "108641.97" and recomputed[-1]["settled"] is False


def test_a_small_gap_asks_for_nothing(pending, deciders):
    # Gap: 8 641,97 € (Région) + 48 641,97 € (Département: real estate, and nothing of the
    # operating costs it was asked for) = 57 283,94 €, below 10 % of the 1 354 567,89 € of costs.
    settle(pending, deciders, region_re="300000", dep="300000")
    assert pending.state in CONCLUDED
    assert revisions(pending) == []


def test_a_large_gap_once_decided_asks_the_promoter_for_a_revised_plan(pending, deciders, promoter):
    settle(pending, deciders, dep=None)  # the Département refuses: 348 641,97 € missing
    assert pending.state in CONCLUDED
    (request,) = revisions(pending)
    assert request.state == "open"
    assert request.gap == D("58641.97") + D("348641.97")
    assert "Transmettez un plan de financement révisé" in request.message
    outbox = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "plan_revision.requested")
    ).all()
    assert {o.recipient_id for o in outbox} == {promoter.id}
    assert outbox[0].context["link"].endswith(f"/espace/dossiers/{pending.id}/plan-revise")


def test_the_threshold_is_configurable(pending, deciders, app):
    from tests import factories

    admin = factories.UserFactory(role="admin")
    payload = dict(config_versions.active("financing_rules").payload)
    payload["revision_gap_threshold"] = "0.50"
    config_versions.create_version("financing_rules", payload, actor=admin, version="seuil-50")
    settle(pending, deciders, dep=None)  # 407 283,94 € missing, below half of the costs
    assert revisions(pending) == []
    assert config_versions.validate("financing_rules", {**payload, "revision_gap_threshold": "2"})
    assert config_versions.validate("financing_rules", {**payload, "revision_gap_threshold": "x"})


def test_the_promoter_answers_with_a_revised_plan_that_freezes_a_version(
    client_for, pending, deciders, promoter, ars_instructor
):
    settle(pending, deciders, dep=None)
    versions_before = len(pending.versions)
    db.session.commit()
    web = client_for(promoter)
    page = web.get(f"/espace/dossiers/{pending.id}").get_data(as_text=True)
    assert "Plan de financement révisé demandé" in page
    assert f"/espace/dossiers/{pending.id}/plan-revise" in page
    form_page = web.get(f"/espace/dossiers/{pending.id}/plan-revise")
    assert form_page.status_code == 200
    assert "Transmettez un plan de financement révisé" in form_page.get_data(as_text=True)

    region = track_of(pending, "REGION_IDF").financer_id
    ars = track_of(pending, "ARS_IMMO").financer_id

    def plan(own_re: str) -> dict[str, str]:
        return {
            "lock_version": str(pending.lock_version),
            "costs-0-aid_type": RE,
            "costs-0-year": "2026",
            "costs-0-label": "Travaux",
            "costs-0-amount": "1234567.89",
            "costs-1-aid_type": OP,
            "costs-1-year": "2026",
            "costs-1-label": "Coordination",
            "costs-1-amount": "120000.00",
            "resources-0-aid_type": RE,
            "resources-0-kind": "financer",
            "resources-0-financer_id": str(ars),
            "resources-0-amount": "308641.97",
            "resources-0-status": "granted",
            "resources-1-aid_type": RE,
            "resources-1-kind": "financer",
            "resources-1-financer_id": str(region),
            "resources-1-amount": "250000.00",
            "resources-1-status": "granted",
            "resources-2-aid_type": RE,
            "resources-2-kind": "loan",
            "resources-2-label": "Prêt bancaire",
            "resources-2-amount": "400000.00",
            "resources-2-status": "requested",
            "resources-3-aid_type": RE,
            "resources-3-kind": "own_funds",
            "resources-3-label": "Apport",
            "resources-3-amount": own_re,
            "resources-3-status": "self",
            "resources-4-aid_type": OP,
            "resources-4-kind": "financer",
            "resources-4-financer_id": str(region),
            "resources-4-amount": "40000.00",
            "resources-4-status": "granted",
            "resources-5-aid_type": OP,
            "resources-5-kind": "own_funds",
            "resources-5-label": "Apport",
            "resources-5-amount": "80000.00",
            "resources-5-status": "self",
        }

    unbalanced = web.post(f"/espace/dossiers/{pending.id}/plan-revise", data=plan("1000.00"))
    assert unbalanced.status_code == 422
    assert "doit être équilibré" in unbalanced.get_data(as_text=True)
    response = web.post(f"/espace/dossiers/{pending.id}/plan-revise", data=plan("275925.92"))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    (request,) = revisions(pending)
    assert request.state == "answered" and request.answered_at is not None
    assert request.version_number == versions_before + 1
    latest = max(pending.versions, key=lambda v: v.number)
    assert latest.reason == "plan_revision"
    assert any(r["label"] == "Prêt bancaire" for r in latest.payload["resource_lines"])
    staff = db.session.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.event == "plan_revision.answered")
    ).all()
    assert ars_instructor.id in staff
    # Nothing is asked any more.
    assert web.get(f"/espace/dossiers/{pending.id}/plan-revise").status_code == 302
    assert web.post(f"/espace/dossiers/{pending.id}/plan-revise", data={}).status_code == 409
    assert (
        db.session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "plan_revision.answered")
        )
        == 1
    )
    # The staff see the answer on the project page, and the new version on the dossier page.
    html = client_for(ars_instructor).get(f"/instruction/dossiers/{pending.id}/projet")
    assert "Transmis" in html.get_data(as_text=True)


def test_the_admin_sets_the_threshold_in_the_financing_rules_form(client_for):
    from tests import factories

    client = client_for(factories.UserFactory(role="admin"))
    url = "/admin/configuration/financing_rules/nouvelle-version"
    html = client.get(url).get_data(as_text=True)
    assert 'name="revision_gap"' in html and "plan révisé" in html
    import re

    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
    form.pop("csrf_token", None)
    bad = client.post(url, data={**form, "revision_gap": "150", "version": "seuil-150"})
    assert bad.status_code == 422
    assert "demande de plan révisé doit être entre 0 et 100 %" in bad.get_data(as_text=True)
    good = client.post(url, data={**form, "revision_gap": "15", "version": "seuil-15"})
    assert good.status_code == 302, good.get_data(as_text=True)[:2000]
    assert config_versions.active("financing_rules").payload["revision_gap_threshold"] == "0.15"
