"""The dossier after its decisions (DOMAIN T13–T16): in execution with its first agreement in
force, open monitoring once the délégation records the opening date (through its form), closed
by the monitor when every agreement is over, terminated when they all are terminated."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from grants.extensions import db
from grants.models import PaymentRequest, PaymentTranche, ReportingPeriod
from grants.models.base import utcnow
from grants.workflow import engine
from grants.workflow.engine import TransitionError
from tests import factories
from tests.agreements import support


def test_execution_opening_then_closing(promoter, staff, client_for):
    dossier = support.decided(promoter, grants={"ARS_IMMO": support.GRANTS["ARS_IMMO"]})
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])
    assert dossier.state == "in_execution"

    page = client_for(staff["dd_instructor"]).get(f"/instruction/dossiers/{dossier.id}")
    assert "Enregistrer l&#39;ouverture de la structure" in page.get_data(as_text=True)
    ars = client_for(staff["ars_instructor"])
    forbidden = ars.post(
        f"/instruction/dossiers/{dossier.id}/ouverture",
        data={"opening_date": date.today().isoformat()},
    )
    assert forbidden.status_code == 403
    dd = client_for(staff["dd_instructor"])
    future = dd.post(
        f"/instruction/dossiers/{dossier.id}/ouverture",
        data={"opening_date": (date.today() + timedelta(days=2)).isoformat()},
    )
    assert future.status_code == 422
    assert "ne peut pas être dans le futur" in future.get_data(as_text=True)
    opened = date.today() - timedelta(days=3)
    response = dd.post(
        f"/instruction/dossiers/{dossier.id}/ouverture", data={"opening_date": opened.isoformat()}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert dossier.state == "open_monitoring"
    assert dossier.opening_date == opened

    monitor = staff["monitor"]
    with_reasons = _refusal(dossier, "close", monitor)
    assert any("Conventions encore en cours" in r for r in with_reasons)
    cpom.ends_on = date.today() - timedelta(days=1)
    cpom.starts_on = cpom.ends_on - timedelta(days=800)
    db.session.flush()
    engine.fire(cpom, "end", monitor)
    assert cpom.state == "ended"
    db.session.execute(
        update(ReportingPeriod)
        .where(ReportingPeriod.agreement_id == cpom.id)
        .values(state="validated", submitted_at=utcnow())
    )
    assert _refusal(dossier, "close", staff["ars_instructor"]) == ["403"]
    response = client_for(monitor).post(
        f"/instruction/dossiers/{dossier.id}/transitions/close", data={}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert dossier.state == "closed"


def test_closing_waits_for_reports_and_payments(promoter, staff):
    dossier = support.decided(promoter, grants={"ARS_IMMO": support.GRANTS["ARS_IMMO"]})
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])
    engine.fire(
        dossier, "record_opening", staff["dd_instructor"], data={"opening_date": date.today()}
    )
    cpom.state = "ended"
    db.session.flush()
    reasons = _refusal(dossier, "close", staff["monitor"])
    assert any(r.startswith("Rapports de suivi non encore validés") for r in reasons)
    db.session.execute(
        update(ReportingPeriod)
        .where(ReportingPeriod.agreement_id == cpom.id)
        .values(state="validated", submitted_at=utcnow())
    )
    tranche = db.session.scalars(
        select(PaymentTranche).where(PaymentTranche.agreement_id == cpom.id)
    ).first()
    db.session.add(
        PaymentRequest(
            agreement_id=cpom.id,
            tranche_id=tranche.id,
            state="requested",
            amount=1,
            requested_by_id=promoter.id,
        )
    )
    db.session.flush()
    assert _refusal(dossier, "close", staff["monitor"]) == [
        "Demandes de versement en cours de traitement : 1."
    ]


def test_the_dossier_is_terminated_only_when_every_agreement_is(promoter, staff):
    dossier = support.decided(promoter)
    cpom = support.agreement_of(dossier, "ARS_IMMO")
    support.activate(cpom, promoter, staff["ars_instructor"], staff["ars_decider"])
    engine.fire(cpom, "terminate", staff["ars_decider"], data={"reason": "Projet abandonné"})
    assert dossier.state == "in_execution"  # the conventions still run
    region = support.agreement_of(dossier, "REGION_IDF")
    support.activate(region, promoter, staff["region_instructor"], staff["region_decider"])
    engine.fire(region, "terminate", staff["region_decider"], data={"reason": "Projet abandonné"})
    assert dossier.state == "in_execution"
    dep = support.agreement_of(dossier, "DEP_77")
    dep_staff = factories.make_staff("financer_instructor", ("DEP_77",))
    dep_decider = factories.make_staff("financer_decider", ("DEP_77",))
    support.activate(dep, promoter, dep_staff, dep_decider)
    engine.fire(dep, "terminate", dep_decider, data={"reason": "Projet abandonné"})
    assert dossier.state == "terminated"


def _refusal(dossier, event, actor) -> list[str]:  # type: ignore[no-untyped-def]
    try:
        engine.check(dossier, event, actor)
    except TransitionError as refused:
        return refused.reasons if refused.status == 422 else [str(refused.status)]
    return []
