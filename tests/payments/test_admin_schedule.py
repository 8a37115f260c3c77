"""An administrator creates a new version of the payment schedule through the admin pages:
shares and evidence per tranche for the default schedule and each override, an override added
and one removed; bad values answer 422 with the typed values kept."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models.scoring import ConfigVersion
from grants.services import config_versions
from tests import factories
from tests.conftest import login

URL = "/admin/configuration/payment_schedule/nouvelle-version"


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    admin = factories.UserFactory(role="admin")
    db.session.flush()
    login(client, admin.email)
    return client


def _form_values(html: str) -> dict[str, object]:
    """What a browser would post back unchanged: text inputs, checked boxes, selected options."""
    values: dict[str, object] = {}
    for name, value in re.findall(r'<input type="text"[^>]*name="([^"]+)" value="([^"]*)"', html):
        values[name] = value
    for name, value in re.findall(
        r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)" checked', html
    ):
        values.setdefault(name, []).append(value)  # type: ignore[union-attr]
    for select_name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[select_name] = chosen.group(1) if chosen else ""
    values.pop("version", None)
    return values


def test_an_administrator_creates_a_new_payment_schedule_version(admin_client):
    base = config_versions.active("payment_schedule")
    page = admin_client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Échéancier par défaut" in html
    assert (
        "ARS — enveloppe d&#39;aide à l&#39;investissement immobilier × Investissement immobilier"
        in html
    )
    values = _form_values(html)
    assert values["ps-default-0-kind"] == "advance" and values["ps-default-0-share"] == "30"
    assert values["ps-default-0-evidence"] == ["agreement_signed", "rib", "start_order"]
    # Default: 40 % advance with a RIB only, 10 % interim; the FIR override is removed and a
    # Région real-estate schedule is added (one tranche, paid 6 months after the start).
    values.update(
        {
            "ps-default-0-share": "40",
            "ps-default-0-evidence": ["rib"],
            "ps-default-1-share": "10",
            "ps-o1-remove": "on",
            "ps-new-key": "region:investment_real_estate",
            "ps-new-0-kind": "balance",
            "ps-new-0-share": "100",
            "ps-new-0-evidence": ["final_expense_statement"],
            "ps-new-0-months": "6",
            "version": "2026-12",
            "comment": "Avance portée à 40 %",
        }
    )
    response = admin_client.post(URL, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = config_versions.active("payment_schedule")
    assert created.id != base.id and created.version == "2026-12"
    payload = created.payload
    assert payload["default"][0] == {"kind": "advance", "share": "0.4", "evidence": ["rib"]}
    assert payload["default"][1]["share"] == "0.1"
    balance, shipped = payload["default"][2], base.payload["default"][2]
    assert (balance["kind"], balance["evidence"]) == (shipped["kind"], shipped["evidence"])
    assert Decimal(balance["share"]) == Decimal(shipped["share"])
    overrides = payload["by_financer_kind_and_aid_type"]
    assert set(overrides) == {
        "ars_envelope:investment_real_estate",
        "region:investment_real_estate",
    }
    assert overrides["region:investment_real_estate"] == [
        {"kind": "balance", "share": "1", "evidence": ["final_expense_statement"], "months": 6}
    ]
    assert payload["evidence_labels"] == base.payload["evidence_labels"]
    old = db.session.get(ConfigVersion, base.id)
    assert old.active is False and old.payload == base.payload


def test_bad_shares_answer_422_with_the_typed_values_kept(admin_client):
    html = admin_client.get(URL).get_data(as_text=True)
    values = _form_values(html)
    values.update({"ps-default-0-share": "trente", "ps-o0-1-share": "25", "version": "essai"})
    response = admin_client.post(URL, data=values)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'value="trente"' in body and "Indiquez un nombre." in body
    values["ps-default-0-share"] = "30"
    response = admin_client.post(URL, data=values)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "les parts doivent totaliser 100 %" in body
    assert 'value="25"' in body
    count = db.session.scalar(
        select(db.func.count())
        .select_from(ConfigVersion)
        .where(ConfigVersion.kind == "payment_schedule")
    )
    assert count == 1


def test_only_administrators_reach_the_schedule_form(client):
    login(client, factories.make_staff("ars_decider", factories.ARS_FINANCERS).email)
    assert client.get(URL).status_code == 404
