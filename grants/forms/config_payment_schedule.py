"""The administrator's form over the ``payment_schedule`` configuration: for the default
schedule and each financer-kind × aid-type schedule, a few tranche rows (kind, share in %,
evidence required, planned months after the start); an override can be removed and a new one
added. Shape only: ``config_versions.validate`` checks shares add up to 100 %."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grants.forms.config_versions import Field, _number, _pct
from grants.models.choices import AID_TYPES, FINANCER_KINDS, TRANCHE_KINDS

TRANCHE_ROWS = 4
NO_KIND = ("", "— pas de tranche —")


def _slots(payload: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(field prefix, override key) for the default schedule, each override, and a new one."""
    overrides = list((payload.get("by_financer_kind_and_aid_type") or {}).keys())
    return [("default", None), *((f"o{i}", key) for i, key in enumerate(overrides)), ("new", "")]


def _key_label(key: str) -> str:
    kind, _, aid_type = key.partition(":")
    return f"{FINANCER_KINDS.get(kind, kind)} × {AID_TYPES.get(aid_type, aid_type)}"


def _new_key_options(payload: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    taken = set((payload.get("by_financer_kind_and_aid_type") or {}).keys())
    keys = [f"{k}:{a}" for k in FINANCER_KINDS for a in AID_TYPES if f"{k}:{a}" not in taken]
    return (("", "— aucun —"), *((key, _key_label(key)) for key in keys))


def schedule_fields(payload: Mapping[str, Any]) -> list[Field]:
    labels = payload.get("evidence_labels") or {}
    evidence_options = tuple(labels.items())
    kind_options = (NO_KIND, *TRANCHE_KINDS.items())
    overrides = payload.get("by_financer_kind_and_aid_type") or {}
    fields: list[Field] = []
    for prefix, key in _slots(payload):
        if key is None:
            group, tranches = "Échéancier par défaut", payload.get("default") or []
        elif key:
            group, tranches = f"Échéancier particulier : {_key_label(key)}", overrides[key]
        else:
            group, tranches = "Nouvel échéancier particulier (facultatif)", []
            fields.append(
                Field(
                    "ps-new-key",
                    "Type de financeur × type d'aide",
                    "",
                    group,
                    "select",
                    _new_key_options(payload),
                )
            )
        if key:
            fields.append(
                Field(f"ps-{prefix}-remove", "Supprimer cet échéancier", False, group, "checkbox")
            )
        rows = list(tranches) + [{}] * (TRANCHE_ROWS - len(tranches))
        for index, tranche in enumerate(rows[: max(TRANCHE_ROWS, len(tranches))]):
            name, n = f"ps-{prefix}-{index}", index + 1
            share = _pct(tranche["share"]) if tranche.get("share") not in (None, "") else ""
            months = tranche.get("months", "")
            fields += [
                Field(
                    f"{name}-kind",
                    f"Tranche {n}",
                    tranche.get("kind", ""),
                    group,
                    "select",
                    kind_options,
                ),
                Field(f"{name}-share", f"Tranche {n} : part du montant accordé (%)", share, group),
                Field(
                    f"{name}-evidence",
                    f"Tranche {n} : pièces exigées",
                    list(tranche.get("evidence") or []),
                    group,
                    "checkboxes",
                    evidence_options,
                ),
                Field(
                    f"{name}-months",
                    f"Tranche {n} : versement prévu (mois après le début, facultatif)",
                    "" if months is None else months,
                    group,
                ),
            ]
    return fields


def read_schedule(payload: Mapping[str, Any], fields: list[Field]) -> dict[str, Any]:
    """The new payload from the posted ``fields`` (their values already read from the form);
    shape errors go on the fields."""
    by_name = {f.name: f for f in fields}
    new: dict[str, Any] = {"evidence_labels": dict(payload.get("evidence_labels") or {})}
    overrides: dict[str, Any] = {}
    for prefix, key in _slots(payload):
        if key and by_name[f"ps-{prefix}-remove"].value:
            continue
        if key == "":
            key = by_name["ps-new-key"].value or ""
            if not key:
                continue
        tranches = _tranches(by_name, prefix)
        if key is None:
            new["default"] = tranches
        else:
            overrides[key] = tranches
    new["by_financer_kind_and_aid_type"] = overrides
    return new


def _tranches(by_name: Mapping[str, Field], prefix: str) -> list[dict[str, Any]]:
    tranches = []
    index = 0
    while f"ps-{prefix}-{index}-kind" in by_name:
        name = f"ps-{prefix}-{index}"
        index += 1
        kind, share = by_name[f"{name}-kind"], by_name[f"{name}-share"]
        if not kind.value and str(share.value).strip() == "":
            continue
        if not kind.value:
            kind.errors.append("Choisissez le type de tranche, ou videz la part.")
            continue
        if str(share.value).strip() == "":
            share.errors.append("Indiquez la part de cette tranche.")
            continue
        value = _number(share, percent=True)
        if value is None:
            continue
        tranche: dict[str, Any] = {
            "kind": kind.value,
            "share": value,
            "evidence": list(by_name[f"{name}-evidence"].value or []),
        }
        months = by_name[f"{name}-months"]
        if str(months.value).strip() != "":
            number = _number(months, integer=True)
            if number is not None and number < 0:
                months.errors.append("Indiquez un nombre de mois positif.")
            elif number is not None:
                tranche["months"] = number
        tranches.append(tranche)
    return tranches
