"""The administrator edits the monitoring rules through a new version; the monitoring panel of
the agreement page, for the promoter and for staff."""

from __future__ import annotations

import re

from flask import render_template
from flask_login import login_user
from sqlalchemy import select

from grants.extensions import db
from grants.models.scoring import ConfigVersion
from grants.services.monitoring_checks import raise_alert
from grants.services.reporting import rules
from tests import factories
from tests.monitoring import support

URL = "/admin/configuration/monitoring_rules/nouvelle-version"


def form_values(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    html = client.get(URL).get_data(as_text=True)
    values = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', html))
    values.pop("csrf_token", None)
    return values


def test_an_administrator_creates_a_monitoring_rules_version(client_for):
    client = client_for(factories.UserFactory(role="admin"))
    values = form_values(client)
    assert values["monitoring-annual_report_due_days"] == "90"
    assert values["monitoring-reminder_days_before"] == "15, 1"
    assert values["monitoring-objectives_warning_share"] == "75"
    assert values["monitoring-rent_tolerance"] == "0"

    bad = client.post(
        URL,
        data={**values, "version": "2026-01", "monitoring-annual_report_due_days": "0",
              "monitoring-reminder_days_before": "quinze", "monitoring-indicator_tolerance": "140"},
    )  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Indiquez un nombre entier de jours entre 1 et 365." in html
    assert "séparés par des virgules" in html and "entre 0 et 100" in html
    assert 'value="quinze"' in html  # what was typed stays

    response = client.post(
        URL,
        data={**values, "version": "2026-01", "comment": "Rapports plus tôt",
              "monitoring-annual_report_due_days": "60",
              "monitoring-reminder_days_before": "30; 7, 1",
              "monitoring-objectives_warning_share": "80",
              "monitoring-rent_tolerance": "2,5"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert client.get(response.headers["Location"]).status_code == 200
    version = db.session.scalar(select(ConfigVersion).where(ConfigVersion.version == "2026-01"))
    assert version.active and version.kind == "monitoring_rules"
    assert version.payload == {
        "annual_report_due_days": 60,
        "semiannual_report_due_days": 45,
        "reminder_days_before": [30, 7, 1],
        "objectives_warning_share": "0.8",
        "objectives_critical_share": "0.5",
        "indicator_tolerance": "0.1",
        "rent_tolerance": "0.025",
    }
    assert rules()["annual_report_due_days"] == 60  # the next schedules use it


def test_the_panel_for_the_promoter_and_for_staff(app, promoter, cpom, monitor):
    raise_alert(support.period(cpom, "2025"), "rent", "warning", "Loyer au-dessus du plafond.", {})
    with app.test_request_context():
        login_user(promoter)
        html = render_template("monitoring/_panel.html", agreement=cpom)
        assert f"/espace/suivi/rapports/{support.period(cpom, '2025').id}" in html
        assert "Loyer au-dessus" not in html  # alerts are the ARS's
    with app.test_request_context():
        login_user(monitor)
        html = render_template("monitoring/_panel.html", agreement=cpom)
        assert "Loyer au-dessus du plafond." in html
        assert f"/suivi/cpom/{cpom.id}" in html
        assert f"/suivi/rapports/{support.period(cpom, '2025').id}" in html


def test_the_agreement_page_shows_the_panel(client_for, promoter, cpom, monitor):
    raise_alert(support.period(cpom, "2025"), "rent", "warning", "Loyer au-dessus du plafond.", {})
    staff = client_for(monitor).get(f"/conventions/{cpom.id}")
    assert staff.status_code == 200
    html = staff.get_data(as_text=True)
    assert "Suivi des engagements" in html and "Loyer au-dessus du plafond." in html
    own = client_for(promoter).get(f"/conventions/{cpom.id}")
    assert own.status_code == 200
    html = own.get_data(as_text=True)
    assert "Suivi des engagements" in html and "Loyer au-dessus" not in html
