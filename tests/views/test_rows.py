"""Repeating-row sections over HTTP: save and reload, add and delete rows, 422, 404, 409, audit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, HealthObjective, OperatingLine, Professional
from tests import factories
from tests.views.rows_support import (
    cost_row,
    objective_row,
    operating_row,
    post_rows,
    professional,
    resource_row,
    saved,
    targeted_financer,
    url,
)

# --- professionals -------------------------------------------------------------------------


def test_get_shows_an_accessible_table_with_a_blank_row(promoter_client, dossier):
    html = promoter_client.get(url(dossier, "professionals")).get_data(as_text=True)
    assert "<caption>Professionnels de santé impliqués</caption>" in html
    assert '<th scope="col">Profession</th>' in html
    assert 'name="rows-0-last_name"' in html and 'name="rows-1-last_name"' not in html
    assert 'name="lock_version"' in html and "Ajouter une ligne" in html
    assert "js/rows.js" in html and "<script>" not in html


def test_professionals_save_in_order_with_contracts_and_reload(promoter_client, dossier):
    second = professional(1, profession="infirmier", etp="1", sector="", msu="y")
    second["rows-1-contracts"] = "cesp"
    response = post_rows(
        promoter_client,
        dossier,
        "professionals",
        professional(0, etp="0,75", pdsa="y"),
        second,
        professional(
            2,
            last_name="",
            first_name="",
            profession="",
            exercise_mode="",
            status_in_project="",
            etp="",
            sector="",
            age_band="",
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/dossiers/{dossier.id}")
    people = saved(Professional, dossier)
    assert [p.last_name for p in people] == ["Martin0", "Martin1"]  # blank row ignored
    assert [p.position for p in people] == [0, 1]
    assert people[0].etp == Decimal("0.75") and people[0].pdsa and not people[0].msu
    assert people[1].sector is None and people[1].msu and people[1].contracts == ["cesp"]
    page = promoter_client.get(url(dossier, "professionals")).get_data(as_text=True)
    assert 'value="0,75"' in page and 'value="Martin1"' in page


def test_flash_message_after_save(promoter_client, dossier):
    response = post_rows(promoter_client, dossier, "objectives", objective_row(0))
    assert response.status_code == 302
    with promoter_client.session_transaction() as session:
        assert ("success", "Rubrique enregistrée.") in session["_flashes"]


def test_physician_sector_is_not_required_for_a_draft(promoter_client, dossier):
    response = post_rows(promoter_client, dossier, "professionals", professional(0, sector=""))
    assert response.status_code == 302
    assert saved(Professional, dossier)[0].sector is None


def test_shape_errors_answer_422_keep_values_and_save_nothing(promoter_client, dossier):
    response = post_rows(
        promoter_client,
        dossier,
        "professionals",
        professional(0, etp="1,6"),
        professional(1, etp="beaucoup", first_name=""),
        professional(2, profession="astronaute"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "error-summary" in html
    assert 'href="#rows-0-etp"' in html and "Entre 0 et 1,5 ETP." in html
    assert "Saisissez un nombre, par exemple 1 234,56." in html
    assert 'href="#rows-1-first_name"' in html and "Ce champ est obligatoire." in html
    assert "Choisissez une valeur dans la liste." in html
    assert 'value="1,6"' in html and 'value="beaucoup"' in html and 'value="Martin2"' in html
    assert saved(Professional, dossier) == []


def test_professional_aggregates_are_shown(promoter_client, dossier):
    post_rows(
        promoter_client,
        dossier,
        "professionals",
        professional(0, etp="0,5"),
        professional(1, status_in_project="new_installation", etp="1"),
        professional(2, profession="infirmier", etp="1"),
        professional(3, profession="infirmier", etp="0,5"),
    )
    html = promoter_client.get(url(dossier, "professionals")).get_data(as_text=True)
    assert "Synthèse des professionnels enregistrés" in html
    assert 'Infirmier</th><td class="num">2</td><td class="num">1,5</td>' in html
    assert "50 %" in html  # 2 physicians out of 4 people


# --- add / delete rows ---------------------------------------------------------------------


def test_add_row_button_rerenders_without_saving(promoter_client, dossier):
    data = {"lock_version": str(dossier.lock_version), "add_row": "rows", **professional(0)}
    response = promoter_client.post(url(dossier, "professionals"), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Martin0"' in html and 'name="rows-1-last_name"' in html
    assert "error-summary" not in html
    assert saved(Professional, dossier) == []


def test_delete_checkbox_removes_the_row(promoter_client, dossier):
    post_rows(promoter_client, dossier, "professionals", professional(0), professional(1))
    response = post_rows(
        promoter_client,
        dossier,
        "professionals",
        professional(0, etp="n'importe quoi", delete="y"),
        professional(1),
    )
    assert response.status_code == 302
    assert [p.last_name for p in saved(Professional, dossier)] == ["Martin1"]


# --- objectives and operating budget -------------------------------------------------------


def test_objectives_save_and_year_range(promoter_client, dossier):
    response = post_rows(promoter_client, dossier, "objectives", objective_row(0, year="1999"))
    assert response.status_code == 422
    assert "Indiquez une année entre 2000 et 2100." in response.get_data(as_text=True)
    response = post_rows(
        promoter_client, dossier, "objectives", objective_row(0), objective_row(1, baseline="")
    )
    assert response.status_code == 302
    objectives = saved(HealthObjective, dossier)
    assert [(o.year, o.baseline) for o in objectives] == [(2027, "120"), (2027, None)]
    html = promoter_client.get(url(dossier, "objectives")).get_data(as_text=True)
    assert 'value="Passages évitables"' in html and 'value="2027"' in html


def test_operating_lines_keep_exact_decimals(promoter_client, dossier):
    response = post_rows(
        promoter_client,
        dossier,
        "operating",
        operating_row(0),
        operating_row(1, kind="produit", category="team_remuneration", amount="1\u202f000,1"),
    )
    assert response.status_code == 302
    lines = saved(OperatingLine, dossier)
    assert [line.amount for line in lines] == [Decimal("12345.67"), Decimal("1000.10")]
    assert lines[0].year_index == 1
    html = promoter_client.get(url(dossier, "operating")).get_data(as_text=True)
    assert 'value="12345,67"' in html


def test_operating_amount_errors(promoter_client, dossier):
    response = post_rows(
        promoter_client,
        dossier,
        "operating",
        operating_row(0, amount="-5"),
        operating_row(1, amount="1,234"),
        operating_row(2, year_index="4"),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saisissez un montant positif." in html
    assert "Deux décimales au maximum." in html
    assert 'href="#rows-2-year_index"' in html
    assert saved(OperatingLine, dossier) == []


# --- access, state, concurrency, audit -----------------------------------------------------


def test_other_organisations_dossier_is_404(promoter_client):
    other = factories.DossierFactory()
    db.session.flush()
    assert promoter_client.get(url(other, "professionals")).status_code == 404
    response = post_rows(promoter_client, other, "professionals", professional(0))
    assert response.status_code == 404
    assert saved(Professional, other) == []


def test_unknown_section_is_404(promoter_client, dossier):
    assert promoter_client.get(url(dossier, "identity")).status_code == 404


def test_non_draft_dossier_is_409(promoter_client, dossier):
    from grants.models.base import utcnow

    dossier.state, dossier.reference, dossier.submitted_at = "submitted", "D-2026-0001", utcnow()
    db.session.flush()
    assert promoter_client.get(url(dossier, "objectives")).status_code == 409
    response = post_rows(promoter_client, dossier, "objectives", objective_row(0))
    assert response.status_code == 409
    assert saved(HealthObjective, dossier) == []


def test_stale_lock_version_is_409(promoter_client, dossier):
    stale = str(dossier.lock_version)
    assert post_rows(promoter_client, dossier, "objectives", objective_row(0)).status_code == 302
    response = promoter_client.post(
        url(dossier, "objectives"),
        data={"lock_version": stale, "save": "1", **objective_row(0, target="50")},
    )
    assert response.status_code == 409
    assert "Ce dossier a été modifié entre-temps : rechargez la page." in response.get_data(
        as_text=True
    )
    assert [o.target for o in saved(HealthObjective, dossier)] == ["80"]


def test_saving_bumps_lock_version_and_writes_one_audit_event(promoter_client, dossier):
    before = dossier.lock_version
    post_rows(promoter_client, dossier, "operating", operating_row(0))
    post_rows(
        promoter_client, dossier, "operating", operating_row(0), operating_row(1, amount="10")
    )
    db.session.expire_all()
    assert dossier.lock_version == before + 2
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.dossier_id == dossier.id, AuditEvent.action == "dossier.rows_saved")
            .order_by(AuditEvent.id)
        )
    )
    assert len(events) == 2
    assert events[1].data == {
        "section": "operating",
        "before": {"count": 1, "charges": "12345.67", "produits": "0.00"},
        "after": {"count": 2, "charges": "12355.67", "produits": "0.00"},
    }
    assert events[1].actor_id == dossier.created_by_id


# --- bounded number of queries -------------------------------------------------------------


@pytest.mark.parametrize("section", ["professionals", "financing"])
def test_queries_do_not_grow_with_the_number_of_rows(
    promoter_client, dossier, count_queries, section
):
    targeted_financer(dossier)

    def form(count: int) -> dict[str, str]:
        data: dict[str, str] = {}
        for index in range(count):
            if section == "professionals":
                data.update(professional(index))
            else:
                data.update(cost_row(index))
                data.update(resource_row(index))
        return data

    counts = []
    for size in (3, 60):
        with count_queries() as post_counter:
            response = post_rows(promoter_client, dossier, section, form(size))
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        db.session.expire_all()
        with count_queries() as get_counter:
            page = promoter_client.get(url(dossier, section))
        assert page.status_code == 200
        counts.append((post_counter.count, get_counter.count))
    assert counts[0] == counts[1]
    assert counts[1][0] <= 20 and counts[1][1] <= 15
