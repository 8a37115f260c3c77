"""The promoter files a yearly report through its pages: the register (a physician leaves,
another arrives), drafts, an incomplete submission refused with French messages (values kept),
then a complete one — turnover (K1) and new professionals (K2) computed from the register."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, IndicatorValue, OutboxMessage, RegisterEntry
from grants.services.document_requests import paris_today
from tests.monitoring import support
from tests.workflow.support import member_of


def entry(agreement, last_name: str) -> RegisterEntry:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(RegisterEntry).where(
            RegisterEntry.agreement_id == agreement.id, RegisterEntry.last_name == last_name
        )
    )


def report_url(period) -> str:  # type: ignore[no-untyped-def]
    return f"/espace/suivi/rapports/{period.id}"


def test_the_promoter_lists_its_reports(client_for, promoter, cpom):
    client = client_for(promoter)
    home = client.get("/espace/").get_data(as_text=True)
    assert '<a href="/espace/suivi">Suivi de mes contrats</a>' in home  # in the main menu
    page = client.get("/espace/suivi").get_data(as_text=True)
    assert cpom.reference in page and "Rapport annuel 2025" in page and "2025-S1" in page


def test_staff_menus_do_not_offer_the_promoters_follow_up(client_for, monitor):
    page = client_for(monitor).get("/suivi/").get_data(as_text=True)
    assert "Suivi des CPOM" in page and "Suivi de mes contrats" not in page


def test_a_yearly_report_with_a_physicians_departure(client_for, promoter, cpom, dd_77):
    client = client_for(promoter)
    period = support.period(cpom, "2025")
    url = report_url(period)
    page = client.get(url).get_data(as_text=True)
    assert "Claire Martin" in page and "ind_K6" in page
    assert 'name="ind_K1"' not in page and 'name="ind_K2"' not in page  # computed, not typed

    martin = entry(cpom, "Martin")
    left = client.post(f"{url}/registre/{martin.id}/depart", data={"left_on": "2025-06-15"})
    assert left.status_code == 302
    db.session.refresh(martin)
    assert martin.left_on == date(2025, 6, 15) and martin.left_in_period_id == period.id
    assert db.session.get(RegisterEntry, martin.id) is not None  # history kept

    arrived = client.post(
        f"{url}/arrivees",
        data={
            "last_name": "Lefèvre",
            "first_name": "Inès",
            "profession": "medecin_generaliste",
            "etp": "0,9",
            "arrived_on": "01/09/2025",
            "newly_installed": "y",
        },
    )
    assert arrived.status_code == 302, arrived.get_data(as_text=True)[:3000]
    lefevre = entry(cpom, "Lefèvre")
    assert lefevre.declared_in_period_id == period.id and lefevre.etp == Decimal("0.90")

    draft = client.post(url, data={"action": "save", "rent_m2_year": "140,5", "ind_K6": "3"})
    assert draft.status_code == 302
    db.session.refresh(period)
    assert period.state == "due" and period.rent_m2_year == Decimal("140.50")
    page = client.get(url).get_data(as_text=True)
    assert 'value="140,50"' in page or 'value="140,5"' in page

    incomplete = client.post(
        url,
        data={"action": "submit", "rent_m2_year": "140,5", "ind_K6": "", "objectives_due": "4",
              "objectives_met": "5", "comments": "Année de montée en charge."},
    )  # fmt: skip
    html = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 422
    assert "Indiquez la valeur de l&#39;indicateur K6 pour 2025." in html
    assert "ne peut pas dépasser le nombre d&#39;objectifs dus" in html
    assert "Année de montée en charge." in html and 'value="140,5"' in html  # values kept
    db.session.refresh(period)
    assert period.state == "due"

    done = client.post(
        url,
        data={"action": "submit", "rent_m2_year": "140,5", "ind_K6": "3", "objectives_due": "4",
              "objectives_met": "3", "comments": "Année de montée en charge.",
              "ind_K1": "0", "lock_version": str(period.lock_version)},
    )  # fmt: skip
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    db.session.refresh(period)
    assert period.state == "submitted" and period.submitted_by_id == promoter.id
    values = {
        v.code: v
        for v in db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.period_id == period.id)
        )
    }
    # 5 at the start, 5 at the end (one left, one arrived): 1 departure / 5 = 20 %.
    assert values["K1"].value == Decimal("20.00") and values["K1"].computed
    assert values["K2"].value == Decimal("1") and "dont 1 médecin" in values["K2"].comment
    assert values["K6"].value == Decimal("3") and not values["K6"].computed
    assert values["K3"].value == Decimal("75.00") and values["K4"].value == Decimal("3")
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.dossier_id == cpom.dossier_id)))  # fmt: skip
    assert {
        "register.departure_declared",
        "register.arrival_declared",
        "report.draft_saved",
        "report.submitted",
    } <= actions
    notified = db.session.scalars(
        select(OutboxMessage.recipient_id).where(OutboxMessage.event == "report.submitted")
    ).all()
    assert dd_77.id in notified

    # Once submitted, nothing changes any more.
    again = client.post(url, data={"action": "save", "rent_m2_year": "1"})
    assert again.status_code == 409
    late = client.post(f"{url}/arrivees", data={"last_name": "X"})
    assert late.status_code == 409


def test_register_changes_are_checked(client_for, promoter, cpom):
    client = client_for(promoter)
    url = report_url(support.period(cpom, "2025"))
    future = (paris_today() + timedelta(days=3)).isoformat()
    bad = client.post(
        f"{url}/arrivees",
        data={"last_name": "Roux", "first_name": "Léa", "profession": "infirmier",
              "etp": "2", "arrived_on": future},
    )  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "L&#39;ETP doit être compris entre 0,01 et 1,5." in html
    bad = client.post(
        f"{url}/arrivees",
        data={"last_name": "Roux", "first_name": "Léa", "profession": "infirmier",
              "etp": "1", "arrived_on": future},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "La date d&#39;arrivée ne peut pas être dans le futur" in bad.get_data(as_text=True)
    petit = entry(cpom, "Petit")
    before = client.post(f"{url}/registre/{petit.id}/depart", data={"left_on": "2024-12-01"})
    assert before.status_code == 422 and "précède l&#39;arrivée" in before.get_data(as_text=True)
    empty = client.post(f"{url}/registre/{petit.id}/depart", data={"left_on": ""})
    assert empty.status_code == 422 and "Indiquez la date de départ." in empty.get_data(
        as_text=True
    )
    client.post(f"{url}/registre/{petit.id}/depart", data={"left_on": "2025-03-01"})
    twice = client.post(f"{url}/registre/{petit.id}/depart", data={"left_on": "2025-04-01"})
    assert twice.status_code == 422 and "déjà enregistré" in twice.get_data(as_text=True)
    assert entry(cpom, "Petit").left_on == date(2025, 3, 1)


def test_a_member_drafts_but_only_the_owner_submits(client_for, promoter, cpom):
    member = member_of(promoter)
    client = client_for(member)
    period = support.period(cpom, "2025-S1")
    url = report_url(period)
    assert (
        client.post(url, data={"action": "save", "comments": "Point d'étape."}).status_code == 302
    )
    refused = client.post(url, data={"action": "submit", "comments": "Point d'étape."})
    assert refused.status_code == 403
    assert "Seul le responsable" in refused.get_data(as_text=True)
    # The half-yearly point needs no yearly figures: the owner files it as it is.
    owner = client_for(promoter)
    assert (
        owner.post(url, data={"action": "submit", "comments": "Point d'étape."}).status_code == 302
    )
    db.session.refresh(period)
    assert period.state == "submitted" and period.comments == "Point d'étape."


def test_pieces_are_checked_and_served_to_the_parties_only(client_for, promoter, cpom, monitor):
    from io import BytesIO

    from tests.workflow.support import outsider_promoter

    client = client_for(promoter)
    period = support.period(cpom, "2025")
    url = report_url(period)
    refused = client.post(
        f"{url}/pieces",
        data={"piece": (BytesIO(b"MZ\x90\x00 not a document"), "rapport.pdf")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "pas accepté" in refused.get_data(as_text=True)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    ok = client.post(
        f"{url}/pieces",
        data={"piece": (BytesIO(pdf), "Bilan 2025.pdf")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    db.session.refresh(period)
    assert period.pieces[0]["name"] == "Bilan 2025.pdf"
    assert client.get(f"{url}/pieces/0").data == pdf
    assert client.get(f"{url}/pieces/1").status_code == 404
    assert client_for(monitor).get(f"/suivi/rapports/{period.id}/pieces/0").data == pdf
    assert client_for(outsider_promoter()).get(f"{url}/pieces/0").status_code == 404
