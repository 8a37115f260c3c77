"""The administrator's forms over versioned configuration: a flat list of fields built from the
active payload (components, weights, bands, thresholds, rates…), and the new payload read back
from the posted values. Shape only: business validation is ``config_versions.validate``."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from grants.models.choices import FINANCER_KINDS, PROJECT_STATUSES
from grants.scoring.eligibility import LABELS as GATE_LABELS
from grants.scoring.grid import ZONING_LABELS

BAND_ROWS = 8
PERCENT = Decimal("100")
DEFAULT_REVISION_GAP = "0.10"  # as shipped in grants/data/config/financing_rules.json


@dataclass
class Field:
    name: str
    label: str
    value: Any
    group: str
    type: str = "number"  # number | select | checkbox | checkboxes
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    errors: list[str] = field(default_factory=list)


def fields_for(kind: str, payload: Mapping[str, Any]) -> list[Field]:
    if kind == "payment_schedule":
        from grants.forms.config_payment_schedule import schedule_fields

        return schedule_fields(payload)
    if kind == "monitoring_rules":
        from grants.forms.monitoring_rules import fields as monitoring_fields

        return monitoring_fields(payload)
    return {"scoring_grid": _grid_fields, "aid_formula": _aid_fields}.get(kind, _rules_fields)(
        payload
    )


def read_form(
    kind: str, payload: Mapping[str, Any], form: Mapping[str, Any]
) -> tuple[dict[str, Any], list[Field]]:
    """(new payload, fields with the posted values and their shape errors)."""
    fields = fields_for(kind, payload)
    for f in fields:
        if f.type == "checkbox":
            f.value = form.get(f.name) == "on"
        elif f.type == "checkboxes":
            f.value = list(form.getlist(f.name)) if hasattr(form, "getlist") else form.get(f.name)
        else:
            f.value = (form.get(f.name) or "").strip()
    if kind == "payment_schedule":
        from grants.forms.config_payment_schedule import read_schedule

        return read_schedule(payload, fields), fields
    if kind == "monitoring_rules":
        from grants.forms.monitoring_rules import apply as apply_monitoring

        rules = copy.deepcopy(dict(payload))
        for f in fields:
            apply_monitoring(rules, f)
        return rules, fields
    new = copy.deepcopy(dict(payload))
    for f in fields:
        _apply(new, f)
    return new, fields


# --- scoring grid ------------------------------------------------------------------------------


def _grid_fields(payload: Mapping[str, Any]) -> list[Field]:
    fields: list[Field] = []
    for c in payload["components"]:
        group = f"{c['code']} — {c['label']}"
        fields.append(Field(f"weight-{c['code']}", "Poids (points)", c["weight"], group))
        if c["kind"] == "zoning":
            fields += [
                Field(f"zoning-{c['code']}-{key}", ZONING_LABELS.get(key, key), value, group)
                for key, value in c["points"].items()
            ]
        elif c["kind"] == "physicians":
            fields += _physician_fields(c, group)
        else:
            for item in c["items"]:
                fields.append(
                    Field(f"item-{c['code']}-{item['code']}", item["label"], item["points"], group)
                )
                if "param" in item:
                    fields.append(
                        Field(
                            f"param-{c['code']}-{item['code']}",
                            f"Seuil : {item['label']}",
                            item["param"],
                            group,
                        )
                    )
    thresholds = payload["thresholds"]
    fields += [
        Field("threshold-favourable", "Seuil « favorable »", thresholds["favourable"], "Lecture"),
        Field(
            "threshold-reservations",
            "Seuil « avec réserves »",
            thresholds["reservations"],
            "Lecture",
        ),
    ]
    for code, gate in payload.get("eligibility", {}).items():
        group = "Conditions d'éligibilité"
        fields.append(
            Field(
                f"gate-{code}-blocking",
                f"{code} — {GATE_LABELS.get(code, code)} : bloque le dépôt",
                bool(gate.get("blocking")),
                group,
                "checkbox",
            )
        )
        if "min_commitment_years" in gate:
            fields.append(
                Field(
                    f"gate-{code}-min_commitment_years",
                    "Durée minimale d'engagement (années)",
                    gate["min_commitment_years"],
                    group,
                )
            )
        if "max_envelope_share" in gate:
            fields.append(
                Field(
                    f"gate-{code}-max_envelope_share",
                    "Part maximale de l'aide ARS dans le coût immobilier (%)",
                    _pct(gate["max_envelope_share"]),
                    group,
                )
            )
    return fields


def _physician_fields(c: Mapping[str, Any], group: str) -> list[Field]:
    code = c["code"]
    fields = [
        Field(
            f"basis-{code}",
            "Compter les médecins",
            c["count_basis"],
            group,
            "select",
            (("etp", "en équivalents temps plein"), ("heads", "par tête")),
        ),
        Field(
            f"include-{code}",
            "Statuts comptés",
            list(c["include"]),
            group,
            "checkboxes",
            tuple(PROJECT_STATUSES.items()),
        ),
    ]
    bands = list(c["bands"]) + [{"min": "", "points": ""}] * (BAND_ROWS - len(c["bands"]))
    for index, band in enumerate(bands[:BAND_ROWS]):
        fields.append(
            Field(
                f"band-{code}-{index}-min", f"Tranche {index + 1} : à partir de", band["min"], group
            )
        )
        fields.append(
            Field(
                f"band-{code}-{index}-points",
                f"Tranche {index + 1} : points",
                band["points"],
                group,
            )
        )
    bonus = c.get("bonus") or {}
    fields.append(
        Field(
            f"bonus-{code}-per",
            "Bonus par médecin nouveau ou sous contrat",
            bonus.get("per_physician", 0),
            group,
        )
    )
    fields.append(Field(f"bonus-{code}-cap", "Plafond du bonus", bonus.get("cap", 0), group))
    return fields


# --- aid formula and financing rules ------------------------------------------------------------


def _aid_fields(payload: Mapping[str, Any]) -> list[Field]:
    group = "Médecins comptés"
    fields = [
        Field(
            "basis",
            "Compter les médecins",
            payload["count_basis"],
            group,
            "select",
            (("etp", "en équivalents temps plein"), ("heads", "par tête")),
        ),
        Field(
            "include",
            "Statuts comptés",
            list(payload["include"]),
            group,
            "checkboxes",
            tuple(PROJECT_STATUSES.items()),
        ),
    ]
    for tier, params in payload["tiers"].items():
        group = params.get("label", tier)
        fields += [
            Field(
                f"tier-{tier}-rate_per_physician",
                "Forfait par médecin (€)",
                params["rate_per_physician"],
                group,
            ),
            Field(
                f"tier-{tier}-cap_rate",
                "Plafond en part du coût éligible (%)",
                _pct(params["cap_rate"]),
                group,
            ),
            Field(f"tier-{tier}-cap_absolute", "Plafond absolu (€)", params["cap_absolute"], group),
        ]
    modulation = payload.get("modulation") or {}
    group = "Modulation par la note"
    return fields + [
        Field(
            "modulation-enabled",
            "Moduler l'aide selon la note",
            bool(modulation.get("enabled")),
            group,
            "checkbox",
        ),
        Field(
            "modulation-below_score",
            "Note en dessous de laquelle l'aide est modulée",
            modulation.get("below_score", 60),
            group,
        ),
        Field(
            "modulation-factor",
            "Coefficient appliqué (entre 0 et 1)",
            modulation.get("factor", "1"),
            group,
        ),
    ]


def _rules_fields(payload: Mapping[str, Any]) -> list[Field]:
    group = "Taux maximal par type de financeur (% des dépenses de l'aide)"
    fields = [
        Field(f"max-{kind}", FINANCER_KINDS.get(kind, kind), _pct(value), group)
        for kind, value in payload["max_rate_by_kind"].items()
    ]
    fields.append(
        Field(
            "min_own_funds",
            "Part minimale de fonds propres (% des dépenses)",
            _pct(payload["min_own_funds_share"]),
            "Fonds propres",
        )
    )
    fields.append(
        Field(
            "revision_gap",
            "Écart entre aides demandées et accordées déclenchant une demande de plan révisé "
            "(% des dépenses)",
            _pct(payload.get("revision_gap_threshold", DEFAULT_REVISION_GAP)),
            "Après les décisions des financeurs",
        )
    )
    return fields


# --- reading the posted values back -----------------------------------------------------------


def _pct(value: Any) -> str:
    text = f"{Decimal(str(value)) * PERCENT:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(f: Field, *, integer: bool = False, percent: bool = False) -> Any:
    text = str(f.value).replace(",", ".").replace(" ", "")
    try:
        value = Decimal(text)
        if not value.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        f.errors.append("Indiquez un nombre.")
        return None
    if integer and value != value.to_integral():
        f.errors.append("Indiquez un nombre entier.")
        return None
    if percent:
        return str(value / PERCENT)
    return int(value) if integer else str(value)


def _apply(payload: dict[str, Any], f: Field) -> None:  # noqa: C901 - one branch per field family
    parts = f.name.split("-")
    head = parts[0]
    if f.type in ("checkbox", "checkboxes", "select"):
        value = f.value
    elif head == "band" and f.value == "":
        value = None  # an empty band row is dropped below
    else:
        percent = head in ("max", "min_own_funds", "revision_gap") or parts[-1] in (
            "cap_rate",
            "max_envelope_share",
        )
        integer = head in ("weight", "zoning", "item", "threshold", "bonus") or parts[-1] in (
            "points",
            "min_commitment_years",
            "below_score",
        )
        value = _number(f, integer=integer and not percent, percent=percent)
        if value is None:
            return
    components = {c["code"]: c for c in payload.get("components", [])}
    if head == "weight":
        components[parts[1]]["weight"] = value
    elif head == "zoning":
        components[parts[1]]["points"][parts[2]] = value
    elif head == "basis" and len(parts) == 2:
        components[parts[1]]["count_basis"] = value
    elif head == "include" and len(parts) == 2:
        components[parts[1]]["include"] = value
    elif head == "band":
        _set_band(components[parts[1]], int(parts[2]), parts[3], value)
    elif head == "bonus":
        key = "per_physician" if parts[2] == "per" else "cap"
        components[parts[1]].setdefault("bonus", {})[key] = value
    elif head in ("item", "param"):
        item = next(i for i in components[parts[1]]["items"] if i["code"] == parts[2])
        item["points" if head == "item" else "param"] = value
    elif head == "threshold":
        payload["thresholds"][parts[1]] = value
    elif head == "gate":
        payload["eligibility"][parts[1]][parts[2]] = value
    elif head == "basis":
        payload["count_basis"] = value
    elif head == "include":
        payload["include"] = value
    elif head == "tier":
        payload["tiers"][parts[1]][parts[2]] = value
    elif head == "modulation":
        payload.setdefault("modulation", {})[parts[1]] = value
    elif head == "max":
        payload["max_rate_by_kind"]["-".join(parts[1:])] = value
    elif head == "min_own_funds":
        payload["min_own_funds_share"] = value
    elif head == "revision_gap":
        payload["revision_gap_threshold"] = value


def _set_band(component: dict[str, Any], index: int, key: str, value: Any) -> None:
    bands = component.setdefault("_bands", {})
    bands.setdefault(index, {})[key] = value
    if len(bands) == BAND_ROWS and all(len(b) == 2 for b in bands.values()):
        component["bands"] = [
            {"min": b["min"], "points": b["points"]}
            for _i, b in sorted(bands.items())
            if b["min"] is not None and b["points"] is not None
        ]
        del component["_bands"]
