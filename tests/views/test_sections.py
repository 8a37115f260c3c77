"""Single-object sections of the dossier over HTTP: round trips, draft errors, locks, summary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from grants.extensions import db
from grants.models import Dossier, Financer
from grants.sections import SECTIONS
from tests import factories
from tests.views.sections_support import (
    add_professionals,
    checked,
    post,
    reload,
    section_events,
    url,
)

STALE = "Ce dossier a été modifié entre-temps : rechargez la page."


# --- Round trips ---------------------------------------------------------------------------


def test_identity_round_trip_with_financers(promoter_client, dossier):
    ars, region = (
        db.session.scalar(select(Financer).where(Financer.code == code))
        for code in ("ARS_FIR", "REGION_IDF")
    )
    response = post(
        promoter_client,
        dossier,
        "identity",
        {
            "title": "  MSP des Coteaux de l'Orge ",
            "structure_type": "msp",
            "university": "y",
            "nature": "creation",
            "aid_types": ["operating", "investment_real_estate"],
            "financer_ids": [str(region.id), str(ars.id)],
            "project_stage": "feasibility_done",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/espace/dossiers/{dossier.id}")
    saved = reload(dossier)
    assert saved.title == "MSP des Coteaux de l'Orge"
    assert (saved.structure_type, saved.university, saved.nature) == ("msp", True, "creation")
    assert saved.aid_types == ["investment_real_estate", "operating"]
    assert [f.code for f in saved.financers] == ["ARS_FIR", "REGION_IDF"]
    summary = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    assert "Rubrique enregistrée." in summary
    assert "Région Île-de-France" in summary
    html = promoter_client.get(url(dossier, "identity")).get_data(as_text=True)
    assert 'value="MSP des Coteaux de l&#39;Orge"' in html
    assert checked(html, "financer_ids") == {str(ars.id), str(region.id)}
    assert checked(html, "aid_types") == {"investment_real_estate", "operating"}


def test_promoter_section_shows_organisation_and_normalises_siret(promoter_client, dossier):
    html = promoter_client.get(url(dossier, "promoter")).get_data(as_text=True)
    assert dossier.organisation.legal_name in html
    response = post(
        promoter_client,
        dossier,
        "promoter",
        {
            "owner_name": "Commune de Grigny",
            "owner_siret": "732 829 320 00074",
            "owner_contact": "Service urbanisme",
            "deliberation_reference": "DCM-2024-12",
            "deliberation_date": "15/03/2024",
        },
    )
    assert response.status_code == 302
    saved = reload(dossier)
    assert saved.owner_is_promoter is False  # unchecked box
    assert saved.owner_siret == "73282932000074"
    assert saved.deliberation_date == date(2024, 3, 15)


def test_feasibility_amounts_are_exact_decimals(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "feasibility",
        {
            "opportunity_study_done": "y",
            "opportunity_study_date": "2024-01-31",
            "feasibility_status": "in_progress",
            "feasibility_skills": ["legal", "architecture"],
            "feasibility_cost_ht": "1 234 567,89",
            "feasibility_cost_ttc": "1481481.47",
            "feasibility_subsidy_requested": "12\u202f000,10 €",
            "feasibility_deliverables": ["diagnosis"],
            "feasibility_conclusion": "feasible",
        },
    )
    assert response.status_code == 302
    saved = reload(dossier)
    assert saved.feasibility_cost_ht == Decimal("1234567.89")
    assert saved.feasibility_cost_ttc == Decimal("1481481.47")
    assert saved.feasibility_subsidy_requested == Decimal("12000.10")
    assert saved.feasibility_skills == ["architecture", "legal"]
    html = promoter_client.get(url(dossier, "feasibility")).get_data(as_text=True)
    assert 'value="1234567,89"' in html


def test_real_estate_round_trip_shows_cost_total(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "real_estate",
        {
            "operation_type": "new_build",
            "land_status": "owned",
            "surface_m2": "450,5",
            "consulting_rooms": "12",
            "cost_land": "100 000",
            "cost_works": "850 000,50",
            "cost_design_fees": "",
            "cost_pmr_works": "0,25",
            "vat_recoverable": "y",
            "opening_date": "2026-09-01",
            "planned_rent_m2_year": "150",
            "commitment_years": "15",
        },
    )
    assert response.status_code == 302
    saved = reload(dossier)
    assert saved.surface_m2 == Decimal("450.5")
    assert saved.cost_works == Decimal("850000.50")
    assert saved.cost_design_fees is None
    assert (saved.consulting_rooms, saved.commitment_years) == (12, 15)
    html = promoter_client.get(url(dossier, "real_estate")).get_data(as_text=True)
    assert "950\u202f000,75\xa0€" in html
    summary = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    assert "950\u202f000,75\xa0€" in summary


def test_health_project_and_commitments_round_trip(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "health_project",
        {
            "needs_analysis": "Population vieillissante",
            "coordinator_named": "y",
            "team_meetings_per_year": "10",
            "regulated_fee_share": "85,5",
            "trainees_internes": "2",
        },
    )
    assert response.status_code == 302
    response = post(
        promoter_client,
        dossier,
        "commitments",
        {
            "accepted_commitments": ["accept_cpom", "maintain_activity"],
            "commitments_signatory": "Dr Martin, gérante",
        },
    )
    assert response.status_code == 302
    saved = reload(dossier)
    assert saved.regulated_fee_share == Decimal("85.5")
    assert saved.team_meetings_per_year == 10 and saved.coordinator_named is True
    assert saved.accepted_commitments == ["maintain_activity", "accept_cpom"]
    html = promoter_client.get(url(dossier, "health_project")).get_data(as_text=True)
    assert "Population vieillissante" in html and 'value="85,50"' in html


def test_save_and_continue_goes_to_the_next_section(promoter_client, dossier):
    response = post(promoter_client, dossier, "identity", {"title": "X", "continue": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(dossier, "promoter"))


# --- Draft errors, access, locks --------------------------------------------------------------


def test_bad_shapes_answer_422_keep_values_and_save_nothing(promoter_client, dossier):
    response = post(
        promoter_client,
        dossier,
        "real_estate",
        {
            "land_owner": "Commune",
            "surface_m2": "beaucoup",
            "cost_works": "12,345",
            "consulting_rooms": "douze",
            "permit_date": "31/02/2025",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "error-summary" in html
    assert "Saisissez un nombre, par exemple 1 234,56." in html
    assert "Saisissez au plus deux chiffres après la virgule." in html
    assert "Saisissez un nombre entier" in html
    assert "Saisissez une date valide" in html
    for typed in ("beaucoup", "12,345", "douze", "31/02/2025", "Commune"):
        assert f'value="{typed}"' in html
    assert reload(dossier).land_owner is None and not section_events(dossier)


def test_bad_siret_is_refused(promoter_client, dossier):
    response = post(promoter_client, dossier, "promoter", {"owner_siret": "12345678901234"})
    assert response.status_code == 422
    assert "clé de contrôle" in response.get_data(as_text=True)


def test_unknown_section_is_404(promoter_client, dossier):
    assert promoter_client.get(url(dossier, "nope")).status_code == 404
    assert promoter_client.get(url(dossier, "professionals")).status_code == 404


def test_other_organisation_dossier_is_404(promoter_client):
    other = factories.DossierFactory()
    db.session.flush()
    assert promoter_client.get(url(other, "identity")).status_code == 404
    assert post(promoter_client, other, "identity", {"title": "pirate"}).status_code == 404


def test_non_draft_dossier_is_409(promoter_client, dossier):
    dossier.state = "submitted"
    dossier.reference = f"IDF-TEST-{dossier.id}"
    dossier.submitted_at = dossier.created_at
    db.session.flush()
    assert promoter_client.get(url(dossier, "identity")).status_code == 409
    assert post(promoter_client, dossier, "identity", {"title": "Y"}).status_code == 409


def test_stale_lock_version_is_409(promoter_client, dossier):
    old = dossier.lock_version
    assert post(promoter_client, dossier, "identity", {"title": "Premier"}).status_code == 302
    response = promoter_client.post(
        url(dossier, "identity"), data={"lock_version": str(old), "title": "Second"}
    )
    assert response.status_code == 409
    assert STALE in response.get_data(as_text=True)
    assert reload(dossier).title == "Premier"


def test_concurrent_write_after_the_check_is_409(promoter_client, dossier, monkeypatch):
    """Another transaction saves between our version check and our UPDATE: 409, nothing saved."""
    from grants.services import sections as service

    db.session.commit()  # keep the fixtures when the view rolls its own work back
    original = service.save_section

    def racing_save(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        table = Dossier.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == target.id)
            .values(lock_version=table.c.lock_version + 1)
        )
        return original(target, *args, **kwargs)

    monkeypatch.setattr(service, "save_section", racing_save)
    response = post(promoter_client, dossier, "identity", {"title": "Le mien"})
    assert response.status_code == 409
    assert STALE in response.get_data(as_text=True)
    assert reload(dossier).title != "Le mien" and not section_events(dossier)


def test_missing_lock_version_is_409(promoter_client, dossier):
    response = promoter_client.post(url(dossier, "identity"), data={"title": "Sans verrou"})
    assert response.status_code == 409


# --- Audit --------------------------------------------------------------------------------------


def test_one_audit_event_lists_changed_fields(promoter_client, dossier):
    post(promoter_client, dossier, "feasibility", {"feasibility_cost_ht": "10 000,50"})
    reload(dossier)
    post(
        promoter_client,
        dossier,
        "feasibility",
        {"feasibility_cost_ht": "10000.5", "feasibility_status": "delivered"},
    )
    events = section_events(dossier)
    assert len(events) == 2
    assert events[0].data == {
        "section": "feasibility",
        "changes": {"feasibility_cost_ht": [None, "10000.50"]},
    }
    assert events[1].data == {
        "section": "feasibility",
        "changes": {"feasibility_status": [None, "delivered"]},
    }
    assert events[1].actor_id == dossier.created_by_id


def test_saving_unchanged_values_records_nothing(promoter_client, dossier):
    post(promoter_client, dossier, "identity", {"title": dossier.title})
    assert section_events(dossier) == []


# --- Summary page and query counts ----------------------------------------------------------------


def test_summary_lists_every_section_with_edit_links(promoter_client, dossier):
    add_professionals(dossier, 3)
    html = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    for section in SECTIONS:
        assert section.title.replace("'", "&#39;") in html
    assert f'href="{url(dossier, "identity")}"' in html
    assert f'href="{url(dossier, "commitments")}"' in html
    assert "<dt>Professionnels</dt><dd>3</dd>" in html


def test_summary_hides_edit_links_once_submitted(promoter_client, dossier):
    dossier.state = "submitted"
    dossier.reference = f"IDF-TEST-{dossier.id}"
    dossier.submitted_at = dossier.created_at
    db.session.flush()
    html = promoter_client.get(f"/espace/dossiers/{dossier.id}").get_data(as_text=True)
    assert url(dossier, "identity") not in html


@pytest.mark.parametrize("code", ["identity", "territory"])
def test_query_counts_do_not_grow_with_rows(promoter_client, dossier, count_queries, code):
    summary = f"/espace/dossiers/{dossier.id}"
    if code == "territory":  # each counted save then replaces one commune by another
        post(promoter_client, dossier, "territory", {"commune_inputs-0": "91687"})
    counts = []
    for batch, (start, size) in enumerate(((0, 3), (3, 57))):
        add_professionals(dossier, size, start)
        db.session.expire_all()
        with count_queries() as get_counter:
            assert promoter_client.get(summary).status_code == 200
        version = reload(dossier).lock_version
        data = {"lock_version": str(version), "district": f"Q{batch}", "title": f"T{batch}"}
        if code == "territory":
            data["commune_inputs-0"] = ("91286", "91687")[batch]
        db.session.expire_all()
        with count_queries() as post_counter:
            assert promoter_client.post(url(dossier, code), data=data).status_code == 302
        counts.append((get_counter.count, post_counter.count))
        # A draft has no agreement to look for (agreements follow decisions).
        assert not any("FROM agreements" in s for s in get_counter.statements)
    assert counts[0] == counts[1]
    assert counts[0][0] < 25 and counts[0][1] < 20
