"""Financing plan over HTTP: cost and resource tables, balance per aid type, targeted financers."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

from sqlalchemy import select

from grants.extensions import db
from grants.models import CostLine, Financer, ResourceLine
from tests.views.rows_support import (
    cost_row,
    post_rows,
    resource_row,
    saved,
    targeted_financer,
    url,
)


def test_financing_saves_both_tables_and_shows_the_balance(promoter_client, dossier):
    financer = targeted_financer(dossier)
    response = post_rows(
        promoter_client,
        dossier,
        "financing",
        cost_row(0),
        cost_row(1, aid_type="operating", amount="5 000,50"),
        resource_row(0),
        resource_row(
            1, kind="financer", financer_id=str(financer.id), amount="50 000", status="requested"
        ),
    )
    assert response.status_code == 302
    costs, resources = saved(CostLine, dossier), saved(ResourceLine, dossier)
    assert [c.amount for c in costs] == [Decimal("100000.00"), Decimal("5000.50")]
    assert resources[1].financer_id == financer.id and resources[0].financer_id is None
    html = promoter_client.get(url(dossier, "financing")).get_data(as_text=True)
    assert 'id="balance-table"' in html and "js/balance.js" in html
    assert "-10\u202f000,00\xa0€" in html  # real estate: 90 000 resources − 100 000 costs
    assert "Non équilibré" in html


def test_financing_aid_types_are_limited_to_the_dossier(promoter_client, dossier):
    dossier.aid_types = ["operating"]
    db.session.flush()
    response = post_rows(promoter_client, dossier, "financing", cost_row(0))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#costs-0-aid_type"' in html
    assert 'value="investment_real_estate"' not in html


def test_financer_not_targeted_is_refused(promoter_client, dossier):
    targeted_financer(dossier)
    other = db.session.scalars(select(Financer).order_by(Financer.id).offset(1)).first()
    response = post_rows(
        promoter_client,
        dossier,
        "financing",
        resource_row(0, kind="financer", financer_id=str(other.id)),
        resource_row(1, kind="financer", financer_id=""),
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Ce cofinanceur n'est pas ciblé par le dossier (rubrique A)." in html
    assert "Choisissez le cofinanceur." in html
    assert saved(ResourceLine, dossier) == []


def test_add_resource_row_keeps_typed_costs(promoter_client, dossier):
    data = {
        "lock_version": str(dossier.lock_version),
        "add_row": "resources",
        **cost_row(0, amount="abc"),
        **resource_row(0),
    }
    html = promoter_client.post(url(dossier, "financing"), data=data).get_data(as_text=True)
    assert 'value="abc"' in html and 'name="resources-1-amount"' in html
    assert "40\u202f000,00\xa0€" in html  # typed resource counted in the balance


def test_zero_amount_is_a_value_not_a_missing_cell(promoter_client, dossier):
    response = post_rows(promoter_client, dossier, "financing", cost_row(0, amount="0"))
    assert response.status_code == 302
    assert [c.amount for c in saved(CostLine, dossier)] == [Decimal("0.00")]
    html = promoter_client.get(url(dossier, "financing")).get_data(as_text=True)
    assert 'name="costs-0-amount" size="10" type="text" value="0,00"' in html
