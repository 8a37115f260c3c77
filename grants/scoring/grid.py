"""The scoring grid of DOMAIN §4.3: pure functions from ``ScoringInputs`` and a grid payload to
points per component, each with a French sentence explaining them, and the total.

Component kinds: ``zoning`` (points per zoning category), ``physicians`` (bands on heads or ETP
plus a capped bonus) and ``checklist`` (items whose rule holds add their points). A component
never exceeds its weight. ``validate`` checks a payload an administrator submits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from grants.models.choices import PROJECT_STATUSES, ZONING_CATEGORIES
from grants.scoring.inputs import ScoringInputs

ZERO = Decimal("0")
ZONING_KEYS = (*ZONING_CATEGORIES, "none_with_diagnosis")
ZONING_LABELS = {
    **ZONING_CATEGORIES,
    "none_with_diagnosis": "Hors zonage, besoin montré par le diagnostic",
}


@dataclass(frozen=True)
class ScoreLine:
    code: str
    label: str
    points: Decimal
    max: Decimal
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "points": str(self.points),
            "max": str(self.max),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Score:
    lines: tuple[ScoreLine, ...]
    total: Decimal
    reading: str  # favourable | reservations | unfavourable


READINGS = {
    "favourable": "Proposition favorable",
    "reservations": "Favorable avec réserves",
    "unfavourable": "Défavorable sauf justification",
}


def score(inputs: ScoringInputs, grid: Mapping[str, Any]) -> Score:
    lines = tuple(_component(inputs, c) for c in grid["components"])
    total = sum((line.points for line in lines), ZERO)
    return Score(lines=lines, total=total, reading=reading(total, grid))


def reading(total: Decimal, grid: Mapping[str, Any]) -> str:
    thresholds = grid.get("thresholds", {})
    if total >= Decimal(str(thresholds.get("favourable", 60))):
        return "favourable"
    if total >= Decimal(str(thresholds.get("reservations", 45))):
        return "reservations"
    return "unfavourable"


def _component(inputs: ScoringInputs, component: Mapping[str, Any]) -> ScoreLine:
    weight = Decimal(str(component["weight"]))
    points, sentence = KINDS[component["kind"]](inputs, component)
    capped = min(points, weight)
    if capped < points:
        sentence += f" Plafonné à {_n(weight)} points."
    return ScoreLine(component["code"], component["label"], capped, weight, sentence)


def zoning_key(inputs: ScoringInputs) -> str | None:
    category = inputs.zoning_category
    if category in (None, "none"):
        return "none_with_diagnosis" if inputs.has_diagnosis else ("none" if category else None)
    return category


def _zoning(inputs: ScoringInputs, component: Mapping[str, Any]) -> tuple[Decimal, str]:
    key = zoning_key(inputs)
    if key is None:
        return ZERO, "Zonage inconnu pour les communes du dossier : 0 point."
    points = Decimal(str(component["points"].get(key, 0)))
    origin = "figé au dépôt" if inputs.zoning_frozen else "zonage en vigueur"
    return points, f"{ZONING_LABELS.get(key, key)} ({origin}) : {_n(points)} points."


def counted_physicians(inputs: ScoringInputs, include: list[str], basis: str) -> Decimal:
    counted = [p for p in inputs.physicians if p.status in include]
    if basis == "heads":
        return Decimal(len(counted))
    return sum((p.etp for p in counted), ZERO)


def _physicians(inputs: ScoringInputs, component: Mapping[str, Any]) -> tuple[Decimal, str]:
    basis = component.get("count_basis", "etp")
    count = counted_physicians(inputs, component.get("include", list(PROJECT_STATUSES)), basis)
    band_points = ZERO
    for band in component.get("bands", []):
        if count >= Decimal(str(band["min"])):
            band_points = Decimal(str(band["points"]))
    unit = "ETP de médecin" if basis == "etp" else "médecin(s)"
    sentence = f"{_n(count)} {unit} compté(s) : {_n(band_points)} points au barème."
    bonus_rule = component.get("bonus") or {}
    newcomers = sum(1 for p in inputs.physicians if p.status != "already_on_site" or p.contracts)
    bonus = min(
        Decimal(str(bonus_rule.get("per_physician", 0))) * newcomers,
        Decimal(str(bonus_rule.get("cap", 0))),
    )
    if bonus:
        sentence += (
            f" Bonus de {_n(bonus)} point(s) pour {newcomers} médecin(s) nouvellement "
            "installé(s) ou sous contrat incitatif."
        )
    return band_points + bonus, sentence


def _checklist(inputs: ScoringInputs, component: Mapping[str, Any]) -> tuple[Decimal, str]:
    met: list[str] = []
    unmet: list[str] = []
    points = ZERO
    for item in component.get("items", []):
        rule = RULES[item["rule"]]
        if rule(inputs, item.get("param")):
            value = Decimal(str(item["points"]))
            points += value
            met.append(f"{item['label']} (+{_n(value)})")
        else:
            unmet.append(item["label"])
    parts = []
    if met:
        parts.append("Critères remplis : " + ", ".join(met) + ".")
    if unmet:
        parts.append("Non remplis : " + ", ".join(unmet) + ".")
    return points, " ".join(parts) or "Aucun critère configuré."


def _d(param: Any, default: str = "0") -> Decimal:
    return Decimal(str(param if param is not None else default))


def _older_share(inputs: ScoringInputs, param: Any) -> bool:
    if not inputs.physicians:
        return False
    older = sum(1 for p in inputs.physicians if p.age_band == "gte60")
    return Decimal(older) / Decimal(len(inputs.physicians)) > _d(param)


def _cofinancing(inputs: ScoringInputs, param: Any) -> bool:
    total = inputs.total_costs
    if not total:
        return False
    financed = sum((r.amount for r in inputs.resources if r.kind == "financer"), ZERO)
    return financed / total >= _d(param)


def _moderate_rent(inputs: ScoringInputs, param: Any) -> bool:
    if not inputs.planned_rent or not inputs.market_rent:
        return False
    return Decimal(inputs.planned_rent) <= Decimal(inputs.market_rent) * _d(param)


Rule = Callable[[ScoringInputs, Any], bool]
RULES: dict[str, Rule] = {
    "diagnosis_shows_need": lambda i, _p: i.has_diagnosis and i.needs_analysis,
    "older_physicians_share_above": _older_share,
    "new_physicians": lambda i, _p: any(p.status != "already_on_site" for p in i.physicians),
    "priority_district": lambda i, _p: i.priority_district,
    "distinct_professions_at_least": lambda i, p: len(i.professions) >= int(_d(p)),
    "coordination": lambda i, _p: i.coordinator_named,
    "unscheduled_care": lambda i, _p: i.unscheduled_care,
    "prevention": lambda i, _p: i.prevention,
    "cooperation_protocol": lambda i, _p: i.cooperation_protocol,
    "shared_record": lambda i, _p: i.shared_record,
    "trainees": lambda i, _p: i.trainees,
    "feasibility_feasible": lambda i, _p: i.feasibility_conclusion == "feasible",
    "cofinancing_share_at_least": _cofinancing,
    "rent_at_most_market_share": _moderate_rent,
    "commitment_years_at_least": lambda i, p: (i.commitment_years or 0) >= int(_d(p)),
    "cls_signed": lambda i, _p: i.cls_signed,
    "articulation": lambda i, _p: i.articulation,
    "neighbouring_projects": lambda i, _p: i.neighbouring_projects,
    "regulated_fees": lambda i, _p: i.regulated_fees,
}
KINDS: dict[str, Callable[[ScoringInputs, Mapping[str, Any]], tuple[Decimal, str]]] = {
    "zoning": _zoning,
    "physicians": _physicians,
    "checklist": _checklist,
}


def _n(value: Decimal) -> str:
    """2 → « 2 », 5.50 → « 5,5 »."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


# --- validation of a payload an administrator submits -------------------------------------------


def validate(grid: Mapping[str, Any]) -> list[str]:
    """French messages, empty when the grid is usable."""
    errors: list[str] = []
    components = grid.get("components") or []
    try:
        weights = [Decimal(str(c["weight"])) for c in components]
    except (KeyError, InvalidOperation):
        return ["Chaque composante doit avoir un poids numérique."]
    if sum(weights, ZERO) != 100:
        errors.append(f"La somme des poids doit être 100 (elle est de {_n(sum(weights, ZERO))}).")
    for component, weight in zip(components, weights, strict=True):
        if weight < 0:
            errors.append(f"Composante {component['code']} : le poids ne peut pas être négatif.")
        errors += _validate_component(component, weight)
    thresholds = grid.get("thresholds", {})
    try:
        favourable = Decimal(str(thresholds["favourable"]))
        reservations = Decimal(str(thresholds["reservations"]))
    except (KeyError, InvalidOperation):
        return [*errors, "Les seuils de lecture doivent être des nombres."]
    if not (0 <= reservations < favourable <= 100):
        errors.append("Les seuils doivent vérifier 0 ≤ « avec réserves » < « favorable » ≤ 100.")
    return errors


def _validate_component(component: Mapping[str, Any], weight: Decimal) -> list[str]:
    code = component["code"]
    errors: list[str] = []
    if component["kind"] == "zoning":
        for key, value in component.get("points", {}).items():
            if not (0 <= Decimal(str(value)) <= weight):
                errors.append(
                    f"Zonage « {ZONING_LABELS.get(key, key)} » : points entre 0 et {_n(weight)}."
                )
    elif component["kind"] == "physicians":
        bands = component.get("bands", [])
        mins = [Decimal(str(b["min"])) for b in bands]
        pts = [Decimal(str(b["points"])) for b in bands]
        if any(b <= a for a, b in zip(mins, mins[1:], strict=False)):
            errors.append(f"Composante {code} : les seuils des tranches doivent être croissants.")
        if any(b < a for a, b in zip(pts, pts[1:], strict=False)):
            errors.append(f"Composante {code} : les points des tranches ne peuvent pas décroître.")
        if any(p < 0 or p > weight for p in pts) or any(m < 0 for m in mins):
            errors.append(f"Composante {code} : points des tranches entre 0 et {_n(weight)}.")
        if component.get("count_basis") not in ("etp", "heads"):
            errors.append(f"Composante {code} : comptez les médecins en ETP ou par tête.")
    else:
        for item in component.get("items", []):
            if item["rule"] not in RULES:
                errors.append(f"Composante {code} : règle inconnue « {item['rule']} ».")
            if Decimal(str(item["points"])) < 0:
                errors.append(f"Composante {code} : « {item['label']} » a des points négatifs.")
    return errors
