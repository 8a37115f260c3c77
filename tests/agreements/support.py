"""A decided dossier, built directly: a complete filed dossier whose three financers granted
(the committee's opinion recorded, each decision act with its amounts, each amount committed on
the financer's envelope), then the engine's automatic transitions: the agreements are drafted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    Agreement,
    AgreementVersion,
    DecisionAmount,
    Dossier,
    Financer,
    FinancerDecision,
    User,
)
from grants.models.base import utcnow
from grants.services import agreement_versions, ledger
from grants.services.envelopes import envelope_for
from grants.services.submission import submit_dossier
from grants.workflow import engine
from tests import factories
from tests.decisions.support import add_item, make_session
from tests.helpers.complete_dossier import make_complete_dossier

D = Decimal
RE, OP = "investment_real_estate", "operating"
GRANTS: dict[str, dict[str, Decimal]] = {
    "ARS_IMMO": {RE: D("1234567.89")},
    "REGION_IDF": {RE: D("250000.00"), OP: D("40000.00")},
    "DEP_77": {RE: D("100000.00")},
}
ACT_DATE = date.today() - timedelta(days=7)
SIGNATORIES = {
    "ARS_IMMO": "Mme Anne Dupont, directrice générale de l'ARS Île-de-France",
    "REGION_IDF": "M. Paul Leroy, vice-président du conseil régional",
    "DEP_77": "Mme Jeanne Petit, présidente du conseil départemental",
}


def financer(code: str) -> Financer:
    return db.session.scalar(select(Financer).where(Financer.code == code))


def deciders() -> dict[str, User]:
    return {
        "ARS_IMMO": factories.make_staff("ars_decider", factories.ARS_FINANCERS),
        "REGION_IDF": factories.make_staff("financer_decider", ("REGION_IDF",)),
        "DEP_77": factories.make_staff("financer_decider", ("DEP_77",)),
    }


def decided(
    promoter: User,
    *,
    grants: dict[str, dict[str, Decimal]] | None = None,
    committee: bool = True,
    advance: bool = True,
) -> Dossier:
    """The dossier of ``promoter`` decided by its three financers; with ``advance`` the engine
    then drafts the agreements (T12) as it does after the last decision."""
    grants = GRANTS if grants is None else grants
    secretary = factories.make_staff("committee_secretary", factories.ARS_FINANCERS)
    dossier = make_complete_dossier(promoter)
    submit_dossier(dossier, actor=promoter, expected_lock_version=dossier.lock_version)
    now = utcnow()
    dossier.state = "decided"
    dossier.admissible_at = now
    for track in dossier.tracks:
        track.state = "granted" if track.financer.code in grants else "refused"
        track.checklist_completed_at = now
        track.decided_at = now
    db.session.flush()
    if committee:
        session = make_session(secretary, days_ago=20)
        proposed = {(c, a): v for c, lines in grants.items() for a, v in lines.items()}
        add_item(
            dossier,
            session,
            secretary,
            opinion="favourable_with_reservations",
            proposed=proposed,
            reserve=False,
            reservations="Loyer à plafonner au niveau prévu au dossier.",
        )
    decider = factories.make_staff("ars_decider", factories.ARS_FINANCERS)
    for track in dossier.tracks:
        lines = grants.get(track.financer.code)
        if not lines:
            continue
        decision = FinancerDecision(
            track_id=track.id,
            dossier_id=dossier.id,
            financer_id=track.financer_id,
            outcome="granted",
            conditions="Ouverture de la structure au plus tard fin 2028.",
            act_reference=f"DEC-{track.financer.code}-2026-014",
            act_date=ACT_DATE,
            signatory=SIGNATORIES.get(track.financer.code, "Le président"),
            decided_by_id=decider.id,
            amounts=[DecisionAmount(aid_type=a, amount=v) for a, v in lines.items()],
        )
        db.session.add(decision)
        db.session.flush()
        envelope = envelope_for(track.financer_id)
        if envelope is not None:
            total = sum(lines.values(), D("0"))
            ledger.commit(envelope, dossier, total, decider, "Décision", allow_direct=True)
    db.session.flush()
    db.session.expire(dossier, ["committee_items"])
    if advance:
        engine.advance(dossier)
        db.session.flush()
    return dossier


def agreement_of(dossier: Dossier, code: str) -> Agreement:
    return db.session.scalar(
        select(Agreement).where(
            Agreement.dossier_id == dossier.id, Agreement.financer_id == financer(code).id
        )
    )


def render(agreement: Agreement) -> AgreementVersion:
    """Render the current version's documents here (the product does it after commit)."""
    version = agreement_versions.version_of(agreement)
    assert version is not None
    agreement_versions.render_version(version.id)
    return version


def terms_form(agreement: Agreement, **changes: object) -> dict[str, str]:
    """What the terms form posts for ``agreement`` as it stands, with ``changes`` applied
    (plain field names; ``indicators`` / ``schedule`` are built from the current terms)."""
    from grants.services.agreement_terms import agreement_terms

    terms = agreement_terms(agreement)
    years = [str(y) for y in terms.years]
    form: dict[str, str] = {
        "lock_version": str(agreement.lock_version),
        "years": ",".join(years),
        "starts_on": terms.starts_on.isoformat(),
        "ends_on": terms.ends_on.isoformat(),
        "min_physicians": _text(terms.min_physicians),
        "min_physician_etp": _text(terms.min_physician_etp),
        "rent_ceiling_m2_year": _text(terms.rent_ceiling_m2_year),
        "commitments_survive_years": _text(terms.commitments_survive_years),
        "financer_signatory": terms.financer_signatory,
        "promoter_signatory": terms.promoter_signatory,
        "specific_clauses": terms.specific_clauses,
        "add_indicator": "",
    }
    for index, indicator in enumerate(terms.indicators):
        form[f"indicators-{index}-code"] = indicator.code
        form[f"indicators-{index}-baseline"] = _text(indicator.baseline)
        for position, year in enumerate(years):
            form[f"indicators-{index}-targets-{position}"] = _text(indicator.targets.get(year))
    for index, planned in enumerate(terms.schedule):
        form[f"schedule-{index}"] = planned.isoformat() if planned else ""
    form.update({key: str(value) for key, value in changes.items()})
    return form


def _text(value: object) -> str:
    return "" if value is None else str(value).replace(".", ",")


def outsider() -> User:
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, role="owner")
    db.session.flush()
    return user


def activate(agreement: Agreement, promoter: User, preparer: User, signer: User) -> Agreement:
    """Send, sign (typed) and countersign ``agreement`` through the engine."""
    version = agreement_versions.version_of(agreement)
    if version is not None and not version.pdf_key:
        version.pdf_key, version.pdf_sha256 = "test/none.pdf", "0" * 64  # not read here
    engine.fire(agreement, "send", preparer)
    signature = {"method": "typed", "name": promoter.full_name, "confirmed": True, "ip": "10.0.0.1"}
    engine.fire(agreement, "sign", promoter, data={"signature": signature})
    engine.fire(agreement, "countersign", signer)
    db.session.flush()
    return agreement
