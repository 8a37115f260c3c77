"""The administrator's fields for the ``monitoring_rules`` configuration (due days of the reports,
reminders, alert thresholds), as ``grants.forms.config_versions`` lists them, and the posted
values read back into the payload. Shape only: ``config_versions.validate`` judges the rest."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

PREFIX = "monitoring-"
DAYS = {
    "annual_report_due_days": "Rapport annuel : délai de remise après la fin de l'année (jours)",
    "semiannual_report_due_days": "Point semestriel : délai de remise après le semestre (jours)",
}
SHARES = {
    "objectives_warning_share": "Objectifs atteints : seuil de vigilance (%)",
    "objectives_critical_share": "Objectifs atteints : seuil critique (%)",
    "indicator_tolerance": "Indicateurs : tolérance avant alerte critique (% de la cible)",
    "rent_tolerance": "Loyer : tolérance au-dessus du plafond avant alerte critique (%)",
}
REMINDERS = "reminder_days_before"
GROUPS = ("Échéances et rappels des rapports", "Seuils des alertes")


def fields(payload: Mapping[str, Any]) -> list[Any]:
    from grants.forms.config_versions import Field, _pct

    result = [
        Field(f"{PREFIX}{key}", label, payload.get(key, ""), GROUPS[0])
        for key, label in DAYS.items()
    ]
    result.append(
        Field(
            f"{PREFIX}{REMINDERS}",
            "Rappels au porteur avant l'échéance (jours, séparés par des virgules)",
            ", ".join(str(d) for d in payload.get(REMINDERS) or []),
            GROUPS[0],
            hint="Par exemple 15, 1 : un rappel quinze jours avant, puis la veille.",
        )
    )
    result += [
        Field(f"{PREFIX}{key}", label, _pct(payload.get(key, "0")), GROUPS[1])
        for key, label in SHARES.items()
    ]
    return result


def apply(payload: dict[str, Any], f: Any) -> None:
    """Write the posted value of ``f`` into ``payload`` (or add a French error to ``f``)."""
    key = f.name[len(PREFIX) :]
    text = str(f.value).strip()
    if key in DAYS:
        days = _whole(text)
        if days is None or not 1 <= days <= 365:
            f.errors.append("Indiquez un nombre entier de jours entre 1 et 365.")
            return
        payload[key] = days
    elif key == REMINDERS:
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
        values = [_whole(p) for p in parts]
        if not parts or any(v is None or not 1 <= v <= 365 for v in values):
            f.errors.append(
                "Indiquez des nombres entiers de jours séparés par des virgules, par exemple 15, 1."
            )
            return
        payload[key] = sorted({v for v in values if v is not None}, reverse=True)
    elif key in SHARES:
        share = _decimal(text)
        if share is None or not 0 <= share <= 100:
            f.errors.append("Indiquez un pourcentage entre 0 et 100.")
            return
        payload[key] = str((share / 100).normalize()) if share else "0"


def _whole(text: str) -> int | None:
    value = _decimal(text)
    if value is None or value != value.to_integral():
        return None
    return int(value)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ".").replace(" ", "").replace("\u202f", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
