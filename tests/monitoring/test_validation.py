"""The délégation départementale validates a report or returns it with a reason; audited,
notified; the promoter corrects and submits again. Who may do what."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage
from grants.services.reporting_reports import ReportInput, submit_report
from tests import factories
from tests.monitoring import support

COMPLETE = ReportInput(
    rent_m2_year=Decimal("120"), objectives_due=4, objectives_met=4, values={"K6": Decimal("2")}
)


def submitted(cpom, promoter, label: str = "2025"):  # type: ignore[no-untyped-def]
    period = support.period(cpom, label)
    submit_report(period, COMPLETE, actor=promoter, expected_lock_version=None)
    db.session.flush()
    return period


def promoter_notices(promoter, event: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.event == event, OutboxMessage.recipient_id == promoter.id
            )
        )
    )


def test_the_delegation_validates_a_report(client_for, promoter, cpom, dd_77):
    period = submitted(cpom, promoter)
    client = client_for(dd_77)
    listing = client.get("/suivi/rapports").get_data(as_text=True)
    assert f"/suivi/rapports/{period.id}" in listing
    page = client.get(f"/suivi/rapports/{period.id}").get_data(as_text=True)
    assert "Valider le rapport" in page and "Claire Martin" in page
    response = client.post(
        f"/suivi/rapports/{period.id}/validation", data={"lock_version": period.lock_version}
    )
    assert response.status_code == 302
    db.session.refresh(period)
    assert period.state == "validated" and period.validated_by_id == dd_77.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.validated"))
    assert event.actor_id == dd_77.id and event.dossier_id == cpom.dossier_id
    [email, inapp] = sorted(promoter_notices(promoter, "report.validated"), key=lambda r: r.channel)
    assert "validé" in email.subject and email.context["link"].endswith(
        f"/espace/suivi/rapports/{period.id}"
    )
    # Validated once: a second attempt is a conflict, explained.
    again = client.post(f"/suivi/rapports/{period.id}/validation", data={})
    assert again.status_code == 409 and "seul un rapport remis" in again.get_data(as_text=True)


def test_a_returned_report_is_corrected_and_submitted_again(client_for, promoter, cpom, dd_77):
    period = submitted(cpom, promoter)
    client = client_for(dd_77)
    empty = client.post(f"/suivi/rapports/{period.id}/renvoi", data={"reason": "  "})
    assert empty.status_code == 422
    assert "Indiquez au porteur ce qu&#39;il doit corriger" in empty.get_data(as_text=True)
    response = client.post(
        f"/suivi/rapports/{period.id}/renvoi",
        data={"reason": "Le loyer déclaré ne correspond pas au bail joint.",
              "lock_version": period.lock_version},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.refresh(period)
    assert period.state == "returned" and "bail" in period.return_reason
    assert promoter_notices(promoter, "report.returned")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.returned"))

    owner = client_for(promoter)
    page = owner.get(f"/espace/suivi/rapports/{period.id}").get_data(as_text=True)
    assert "La délégation vous a renvoyé ce rapport" in page and "bail" in page
    resubmit = owner.post(
        f"/espace/suivi/rapports/{period.id}",
        data={"action": "submit", "rent_m2_year": "130", "ind_K6": "2", "objectives_due": "4",
              "objectives_met": "4"},
    )  # fmt: skip
    assert resubmit.status_code == 302
    db.session.refresh(period)
    assert period.state == "submitted" and period.rent_m2_year == Decimal("130.00")
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "report.submitted").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.data["resubmitted"] is True


def test_who_may_validate(client_for, promoter, cpom, monitor):
    period = submitted(cpom, promoter)
    url = f"/suivi/rapports/{period.id}"
    # Another département's délégation and another financer do not see it at all.
    dd_93 = factories.make_staff("dd_instructor", factories.ARS_FINANCERS, departement="93")
    region = factories.make_staff("financer_instructor", ("REGION_IDF",))
    for user in (dd_93, region):
        client = client_for(user)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}/validation", data={}).status_code == 404
    # The monitor reads it but does not validate; the promoter never reaches staff pages.
    reader = client_for(monitor)
    assert reader.get(url).status_code == 200
    assert "Valider le rapport" not in reader.get(url).get_data(as_text=True)
    assert reader.post(f"{url}/validation", data={}).status_code == 403
    owner = client_for(promoter)
    for page in (url, "/suivi/", "/suivi/rapports", f"/suivi/cpom/{cpom.id}", "/suivi/evaluation"):
        assert owner.get(page).status_code == 404, page
    assert owner.post(f"{url}/validation", data={}).status_code == 404
    # ARS head office validates too.
    head_office = factories.make_staff("ars_instructor", factories.ARS_FINANCERS)
    assert client_for(head_office).post(f"{url}/validation", data={}).status_code == 302


def test_another_organisation_gets_404_everywhere(client_for, promoter, cpom):
    from tests.workflow.support import outsider_promoter

    period = support.period(cpom, "2025")
    entry_id = period.agreement_id  # any id: the period itself is out of reach
    client = client_for(outsider_promoter())
    base = f"/espace/suivi/rapports/{period.id}"
    assert client.get(base).status_code == 404
    for url in (base, f"{base}/arrivees", f"{base}/registre/{entry_id}/depart", f"{base}/pieces"):
        assert client.post(url, data={"action": "save"}).status_code == 404, url
    assert cpom.reference not in client.get("/espace/suivi").get_data(as_text=True)
