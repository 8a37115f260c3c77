"""The plain data scoring reads: a frozen snapshot of the dossier fields the gates, the grid, the
aid formula and the financing checks need, built from a loaded dossier or from bulk rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from grants.models.choices import PHYSICIAN_PROFESSIONS

T = TypeVar("T")
ZERO = Decimal("0")
REAL_ESTATE = "investment_real_estate"
ENVELOPE_KIND = "ars_envelope"
# Most favourable first: a dossier spanning several communes takes its best category.
CATEGORY_ORDER = ("zip", "deficitaire", "zac", "fragile", "none")
REAL_ESTATE_COST_FIELDS = (
    "cost_land",
    "cost_works",
    "cost_design_fees",
    "cost_equipment",
    "cost_pmr_works",
)


@dataclass(frozen=True)
class PhysicianInput:
    status: str
    etp: Decimal
    age_band: str | None = None
    contracts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceInput:
    aid_type: str
    kind: str  # financer | own_funds | loan | other
    amount: Decimal
    financer_code: str | None = None
    financer_kind: str | None = None
    financer_name: str = ""


@dataclass(frozen=True)
class ScoringInputs:
    """Everything scoring reads, as plain values (no ORM object, no session)."""

    dossier_id: int | None = None
    state: str = "draft"
    structure_type: str | None = None
    promoter_category: str | None = None
    aid_types: tuple[str, ...] = ()
    financer_kinds: tuple[str, ...] = ()
    zoning_category: str | None = None  # None: unknown (no zoning for the communes)
    zoning_frozen: bool = False  # from the snapshot taken at submission
    has_diagnosis: bool = False
    needs_analysis: bool = False
    priority_district: bool = False
    cls_signed: bool = False
    physicians: tuple[PhysicianInput, ...] = ()
    professions: tuple[str, ...] = ()  # every distinct profession declared, physicians included
    professional_count: int = 0
    objectives_count: int = 0
    coordinator_named: bool = False
    unscheduled_care: bool = False
    prevention: bool = False
    cooperation_protocol: bool = False
    shared_record: bool = False
    trainees: bool = False
    feasibility_conclusion: str | None = None
    planned_rent: Decimal | None = None
    market_rent: Decimal | None = None
    commitment_years: int | None = None
    accepted_commitments: tuple[str, ...] = ()
    articulation: bool = False
    neighbouring_projects: bool = False
    regulated_fees: bool = False
    admissible: bool = False
    costs: tuple[tuple[str, Decimal], ...] = ()  # (aid type, total) of the financing plan
    resources: tuple[ResourceInput, ...] = field(default=())
    section_real_estate_cost: Decimal = ZERO

    @property
    def targets_envelope(self) -> bool:
        return ENVELOPE_KIND in self.financer_kinds

    @property
    def physician_heads(self) -> int:
        return len(self.physicians)

    @property
    def physician_etp(self) -> Decimal:
        return sum((p.etp for p in self.physicians), ZERO)

    def cost_of(self, aid_type: str) -> Decimal:
        return sum((amount for code, amount in self.costs if code == aid_type), ZERO)

    @property
    def total_costs(self) -> Decimal:
        return sum((amount for _code, amount in self.costs), ZERO)

    @property
    def eligible_cost(self) -> Decimal:
        """Real-estate cost of the financing plan, else the costs of section G."""
        return self.cost_of(REAL_ESTATE) or self.section_real_estate_cost

    def to_json(self) -> list[Any]:
        """The compact JSON form a score card stores: ``JSON_FORMAT``, then every field in
        declaration order (Decimals as strings, tuples as arrays; a physician as ``[status, etp,
        age_band, contracts]``, a resource as ``[aid_type, kind, amount, financer_code,
        financer_kind, financer_name]``, a cost as ``[aid_type, amount]``). No field names: they
        were more than half of the text and of the time spent encoding it (the re-score job
        writes one per dossier). ``from_json`` reads it back."""
        values = [JSON_FORMAT, *_field_values(self)]
        for index in _DECIMAL_POSITIONS:
            if values[index] is not None:
                values[index] = str(values[index])
        values[_PHYSICIANS] = [
            [p.status, str(p.etp), p.age_band, p.contracts] for p in self.physicians
        ]
        values[_RESOURCES] = [
            [r.aid_type, r.kind, str(r.amount), r.financer_code, r.financer_kind, r.financer_name]
            for r in self.resources
        ]
        values[_COSTS] = [[code, str(amount)] for code, amount in self.costs]
        return values

    @classmethod
    def from_json(cls, data: list[Any] | dict[str, Any]) -> ScoringInputs:
        """The inputs ``to_json`` wrote, or the named form of the cards stored before it."""
        if isinstance(data, dict):
            values = dict(data)
            physicians = [
                (p["status"], p["etp"], p["age_band"], p["contracts"]) for p in data["physicians"]
            ]
            resources = [
                (
                    r["aid_type"],
                    r["kind"],
                    r["amount"],
                    r["financer_code"],
                    r["financer_kind"],
                    r["financer_name"],
                )
                for r in data["resources"]
            ]
        else:
            if data[0] != JSON_FORMAT:
                raise ValueError(f"unknown scoring inputs format {data[0]!r}")
            values = dict(zip(FIELD_NAMES, data[1:], strict=True))
            physicians, resources = values["physicians"], values["resources"]
        for name in ("planned_rent", "market_rent", "section_real_estate_cost"):
            if values[name] is not None:
                values[name] = Decimal(values[name])
        for name in ("aid_types", "financer_kinds", "professions", "accepted_commitments"):
            values[name] = tuple(values[name])
        values["physicians"] = tuple(
            PhysicianInput(status, Decimal(etp), age_band, tuple(contracts))
            for status, etp, age_band, contracts in physicians
        )
        values["resources"] = tuple(
            ResourceInput(aid_type, kind, Decimal(amount), code, financer_kind, name)
            for aid_type, kind, amount, code, financer_kind, name in resources
        )
        values["costs"] = tuple((code, Decimal(amount)) for code, amount in values["costs"])
        return cls(**values)


JSON_FORMAT = 2  # 1: the named form (a JSON object), cards stored before the compact one
FIELD_NAMES = tuple(f.name for f in fields(ScoringInputs))
_field_values = attrgetter(*FIELD_NAMES)
# Positions in the list ``to_json`` returns (after the format number).
_DECIMAL_POSITIONS = tuple(
    1 + FIELD_NAMES.index(name)
    for name in ("planned_rent", "market_rent", "section_real_estate_cost")
)
_PHYSICIANS = 1 + FIELD_NAMES.index("physicians")
_RESOURCES = 1 + FIELD_NAMES.index("resources")
_COSTS = 1 + FIELD_NAMES.index("costs")


def best_category(categories: Iterable[str | None]) -> str | None:
    known = [c for c in categories if c]
    if not known:
        return None
    return min(known, key=lambda c: CATEGORY_ORDER.index(c) if c in CATEGORY_ORDER else 99)


def from_dossier(dossier: Any, *, zoning_category: str | None = None) -> ScoringInputs:
    """Inputs of a loaded dossier (its collections, financers and organisation loaded).

    The zoning category comes from ``zoning_category`` when given, else from the zoning frozen at
    submission, else (a draft) from the current zoning of its communes when it is known.
    """
    frozen = False
    financers = {f.id: f for f in dossier.financers}
    if zoning_category is None:
        zoning_category, frozen = _dossier_zoning(dossier)
    return assemble(
        _section_values(dossier),
        professionals=[_values(p, PROFESSIONAL_FIELDS) for p in dossier.professionals],
        resources=[_resource_of(line, financers) for line in dossier.resource_lines],
        costs=[(c.aid_type, c.amount) for c in dossier.cost_lines],
        financer_kinds=[f.kind for f in dossier.financers],
        promoter_category=dossier.organisation.category,
        objectives_count=len(dossier.objectives),
        zoning_category=zoning_category,
        zoning_frozen=frozen,
    )


PROFESSIONAL_FIELDS = ("profession", "status_in_project", "etp", "age_band", "contracts", "msu")
SECTION_FIELDS = (
    "id",
    "state",
    "structure_type",
    "aid_types",
    "diagnosis_reference",
    "needs_analysis",
    "flag_qpv",
    "flag_zus",
    "flag_zrr",
    "flag_zru",
    "cls_signed",
    "coordinator_named",
    "team_meetings_per_year",
    "unscheduled_care",
    "pdsa_participation",
    "prevention_programmes",
    "cooperation_protocols",
    "shared_information_system",
    "trainees_externes",
    "trainees_internes",
    "trainees_paramedical",
    "feasibility_conclusion",
    "planned_rent_m2_year",
    "market_rent_m2_year",
    "commitment_years",
    "accepted_commitments",
    "articulation",
    "neighbouring_projects",
    "regulated_fee_share",
    "third_party_payment",
    "admissible_at",
    *REAL_ESTATE_COST_FIELDS,
)


def assemble(
    row: Mapping[str, Any],
    *,
    professionals: Iterable[Sequence[Any]],
    resources: Iterable[ResourceInput],
    costs: Iterable[tuple[str, Decimal]],
    financer_kinds: Iterable[str],
    promoter_category: str | None,
    objectives_count: int,
    zoning_category: str | None,
    zoning_frozen: bool = False,
    transient: bool = False,
) -> ScoringInputs:
    """The one place that turns dossier values (``row``: every ``SECTION_FIELDS`` value) into
    inputs; each professional is a tuple of ``PROFESSIONAL_FIELDS`` values. ``transient``: see
    ``construct``."""
    make = construct if transient else _constructor
    people = professionals if isinstance(professionals, tuple | list) else list(professionals)
    physicians = tuple(
        [
            make(
                PhysicianInput,
                {
                    "status": status,
                    "etp": Decimal(etp or 0),
                    "age_band": age_band,
                    "contracts": tuple(contracts or ()),
                },
            )
            for profession, status, etp, age_band, contracts, _msu in people
            if profession in PHYSICIAN_PROFESSIONS
        ]
    )
    trainees = bool(
        row["trainees_externes"] or row["trainees_internes"] or row["trainees_paramedical"]
    ) or any([person[5] for person in people])
    return make(
        ScoringInputs,
        {
            "dossier_id": row["id"],
            "state": row["state"] or "draft",
            "structure_type": row["structure_type"],
            "promoter_category": promoter_category,
            "aid_types": tuple(row["aid_types"] or ()),
            "financer_kinds": tuple(sorted(set(financer_kinds))),
            "zoning_category": zoning_category,
            "zoning_frozen": zoning_frozen,
            "has_diagnosis": _filled(row["diagnosis_reference"]),
            "needs_analysis": _filled(row["needs_analysis"]),
            "priority_district": bool(
                row["flag_qpv"] or row["flag_zus"] or row["flag_zrr"] or row["flag_zru"]
            ),
            "cls_signed": bool(row["cls_signed"]),
            "physicians": physicians,
            "professions": tuple(sorted({person[0] for person in people})),
            "professional_count": len(people),
            "objectives_count": objectives_count,
            "coordinator_named": bool(row["coordinator_named"]),
            "unscheduled_care": bool(row["unscheduled_care"] or row["pdsa_participation"]),
            "prevention": _filled(row["prevention_programmes"]),
            "cooperation_protocol": _filled(row["cooperation_protocols"]),
            "shared_record": bool(row["shared_information_system"]),
            "trainees": trainees,
            "feasibility_conclusion": row["feasibility_conclusion"],
            "planned_rent": row["planned_rent_m2_year"],
            "market_rent": row["market_rent_m2_year"],
            "commitment_years": row["commitment_years"],
            "accepted_commitments": tuple(sorted(row["accepted_commitments"] or ())),
            "articulation": _filled(row["articulation"]),
            "neighbouring_projects": _filled(row["neighbouring_projects"]),
            "regulated_fees": bool(row["third_party_payment"])
            or Decimal(row["regulated_fee_share"] or 0) >= 100,
            "admissible": row["admissible_at"] is not None,
            "costs": _summed(costs),
            "resources": tuple(resources),
            # As summing Decimal(value or 0) from ZERO: zeros change neither value nor exponent.
            "section_real_estate_cost": sum(
                [Decimal(value) for f in REAL_ESTATE_COST_FIELDS if (value := row[f])], ZERO
            ),
        },
    )


def construct(cls: type[T], values: dict[str, Any]) -> T:
    """``cls(**values)`` for one of the frozen dataclasses above and a dict naming every field,
    without the generated ``__init__``, which sets the fields one ``object.__setattr__`` at a
    time (a few microseconds for ``ScoringInputs``).

    For inputs scored once and dropped (the bulk re-score builds thousands per chunk): the
    instance keeps its fields in a dict, which makes attribute reads a little slower than on an
    instance built by ``__init__``; inputs kept and scored repeatedly are built by ``__init__``.
    """
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


def _constructor(cls: type[T], values: dict[str, Any]) -> T:
    return cls(**values)


def _summed(costs: Iterable[tuple[str, Decimal]]) -> tuple[tuple[str, Decimal], ...]:
    totals: dict[str, Decimal] = {}
    for aid_type, amount in costs:
        totals[aid_type] = totals.get(aid_type, ZERO) + Decimal(amount or 0)
    return tuple(sorted(totals.items()))


def _filled(value: object) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _as_dict(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name, None) for name in names}


def _values(obj: Any, names: Iterable[str]) -> tuple[Any, ...]:
    return tuple(getattr(obj, name, None) for name in names)


def _section_values(dossier: Any) -> dict[str, Any]:
    return _as_dict(dossier, SECTION_FIELDS)


def _resource_of(line: Any, financers: Mapping[int, Any]) -> ResourceInput:
    """A plan line (ORM object or plain row); its financer is among the targeted ones."""
    financer = financers.get(line.financer_id) if line.financer_id else None
    if financer is None and line.financer_id:
        financer = getattr(line, "financer", None)
    return ResourceInput(
        aid_type=line.aid_type,
        kind=line.kind,
        amount=Decimal(line.amount or 0),
        financer_code=financer.code if financer is not None else None,
        financer_kind=financer.kind if financer is not None else None,
        financer_name=financer.name if financer is not None else (line.label or ""),
    )


def _dossier_zoning(dossier: Any) -> tuple[str | None, bool]:
    """(category, frozen): the submission snapshot, else the current zoning when known."""
    from grants.services.scoring_inputs import current_categories, frozen_categories

    if dossier.id is not None and dossier.state != "draft":
        categories = frozen_categories([dossier.id]).get(dossier.id)
        if categories:
            return best_category(categories), True
    codes = [c.insee_code for c in dossier.communes]
    return best_category(current_categories(codes).values()), False
