"""The building blocks of an agreement's document and the parts a CPOM and a convention share
(parties, visas, signatures, annexes). The outline is a list of blocks computed from the
version's data alone; the HTML template (→ PDF) and the DOCX builder both lay out the same
blocks, so the two documents always say the same thing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from grants.templating import french_date, money, number


@dataclass(frozen=True)
class Block:
    """``kind``: title, subtitle, heading (an article), subheading, para, list, table, note,
    signatures (``rows`` of (party, signatory)) or pagebreak."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    numeric: tuple[int, ...] = ()  # right-aligned columns
    total: bool = False  # the last row is a total


def title(text: str) -> Block:
    return Block("title", text)


def subtitle(text: str) -> Block:
    return Block("subtitle", text)


def heading(text: str) -> Block:
    return Block("heading", text)


def subheading(text: str) -> Block:
    return Block("subheading", text)


def para(text: str) -> Block:
    return Block("para", text)


def note(text: str) -> Block:
    return Block("note", text)


def bullets(items: list[str]) -> Block:
    return Block("list", items=tuple(items))


def table(
    header: list[str], rows: list[list[str]], numeric: tuple[int, ...] = (), total: bool = False
) -> Block:
    return Block(
        "table",
        header=tuple(header),
        rows=tuple(tuple(r) for r in rows),
        numeric=numeric,
        total=total,
    )


PAGEBREAK = Block("pagebreak")


# --- formatting the data's plain values --------------------------------------------------------


def m(value: str | None) -> str:
    return money(Decimal(value)) if value not in (None, "") else "—"


def d(value: str | None) -> str:
    return french_date(date.fromisoformat(value)) if value else "—"


def n(value: str | int | None, unit: str = "") -> str:
    if value in (None, ""):
        return "—"
    text = number(Decimal(str(value)))
    return f"{text}\xa0{unit}" if unit else text


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def duration_text(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} an{'s' if years > 1 else ''} ({months} mois)"
    return f"{months} mois"


def share(value: str) -> str:
    return f"{number(Decimal(value) * 100, 2)}\xa0%"


# --- shared parts ------------------------------------------------------------------------------


def financer_party(data: dict[str, Any]) -> str:
    financer = data["financer"]
    represented = financer["represented_by"] or (
        "son directeur général" if financer["is_ars"] else "son représentant légal"
    )
    short = "« l'ARS »" if financer["is_ars"] else "« le financeur »"
    return f"{financer['institution']}, représentée par {represented}, ci-après {short},"


def structure_party(data: dict[str, Any]) -> str:
    s = data["structure"]
    signatory = s["signatory"] or f"{s['representative']}, {s['representative_function']}"
    address = f", dont le siège est situé {s['address']}" if s["address"] else ""
    return (
        f"{s['legal_name']}, {lower_first(s['legal_form'])}, SIRET {s['siret']}{address}, "
        f"représentée par {signatory}, ci-après « la structure »."
    )


def parties(data: dict[str, Any]) -> list[Block]:
    blocks = [para("Entre"), para(financer_party(data)), para("et"), para(structure_party(data))]
    owner = data.get("premises_owner")
    if owner:
        siret = f", SIRET {owner['siret']}" if owner["siret"] else ""
        blocks.append(para(f"en présence de {owner['name']}{siret}, propriétaire des locaux."))
    return blocks


def decision_visa(data: dict[str, Any]) -> str:
    decision, financer = data["decision"], data["financer"]
    return (
        f"Vu la décision n° {decision['act_reference']} du {d(decision['act_date'])} de "
        f"{financer['name']} accordant une subvention de {m(decision['total'])} ;"
    )


def committee_visa(data: dict[str, Any]) -> list[str]:
    committee = data.get("committee")
    if not committee:
        return []
    return [
        f"Vu l'avis « {committee['opinion_label'].lower()} » du comité d'instruction partagé "
        f"réuni le {d(committee['date'])} ;"
    ]


def dossier_visa(data: dict[str, Any]) -> str:
    dossier = data["dossier"]
    filed = f" déposé le {d(dossier['submitted_on'])}" if dossier["submitted_on"] else ""
    return f"Vu le dossier unique de demande de subvention n° {dossier['reference']}{filed} ;"


def location(data: dict[str, Any]) -> str:
    dossier = data["dossier"]
    communes = ", ".join(f"{c['name']} ({c['insee_code']})" for c in dossier["communes"])
    parts = [p for p in (dossier["address"], communes) if p]
    return ", ".join(parts) if parts else "sur le territoire indiqué au dossier"


def signatures(data: dict[str, Any], financer_label: str) -> list[Block]:
    financer, structure = data["financer"], data["structure"]
    rows = [
        (financer_label, financer["represented_by"] or ""),
        (f"Pour {structure['legal_name']}", structure["signatory"] or structure["representative"]),
    ]
    owner = data.get("premises_owner")
    if owner:
        rows.append((f"Pour {owner['name']}, propriétaire des locaux", ""))
    return [
        para(f"Fait à {data['place']}, le ____________________, en deux exemplaires originaux."),
        Block("signatures", rows=tuple(rows)),
    ]


def amount_table(data: dict[str, Any]) -> Block:
    financial = data["financial"]
    rows = [[line["label"], m(line["amount"])] for line in financial["lines"]]
    rows.append(["Total", m(financial["total"])])
    return table(["Type d'aide", "Montant"], rows, numeric=(1,), total=True)


def schedule_table(data: dict[str, Any], with_evidence: bool) -> Block:
    header = ["Tranche", "Part", "Montant", "Date prévue"]
    rows = []
    for line in data["financial"]["schedule"]:
        row = [line["kind_label"], share(line["share"]), m(line["amount"]), d(line["planned_on"])]
        if with_evidence:
            row.append("; ".join(line["evidence_labels"]) or "—")
        rows.append(row)
    if with_evidence:
        header.append("Justificatifs")
    return table(header, rows, numeric=(1, 2))


PLAIN_UNITS = frozenset({"%"})


def indicator_value(indicator: dict[str, Any], value: str | None) -> str:
    """Percentages and rents carry their unit; counts are plain (the unit is in the label)."""
    unit = indicator["unit"]
    if value in (None, ""):
        return "—"
    if unit == "€/m²/an":
        return f"{m(value)}/m²/an"
    return n(value, unit) if unit in PLAIN_UNITS else n(value)


def indicator_label(indicator: dict[str, Any]) -> str:
    unit = indicator["unit"]
    shown = "" if unit in PLAIN_UNITS or unit == "€/m²/an" else f" ({unit})"
    return f"{indicator['code']} — {indicator['label']}{shown}"


def indicator_list(data: dict[str, Any]) -> Block:
    return bullets(
        [
            f"{indicator_label(i)}, {i['direction_label']} la cible annuelle"
            for i in data["indicators"]
        ]
        or ["Aucun indicateur n'est retenu."]
    )


def indicator_tables(data: dict[str, Any]) -> list[Block]:
    indicators = data["indicators"]
    if not indicators:
        return [para("Aucun indicateur n'est retenu.")]
    years = [str(y) for y in data["duration"]["years"]]
    definitions = table(
        ["Code", "Indicateur", "Définition", "Sens", "Source", "Fréquence"],
        [
            [
                i["code"],
                i["label"],
                i["definition"],
                i["direction_label"],
                i["source"],
                i["frequency"],
            ]
            for i in indicators
        ],
    )
    targets = table(
        ["Indicateur", "Référence", *years],
        [
            [
                indicator_label(i),
                indicator_value(i, i["baseline"]),
                *(indicator_value(i, i["targets"].get(y)) for y in years),
            ]
            for i in indicators
        ],
        numeric=tuple(range(1, len(years) + 2)),
    )
    return [
        definitions,
        para(
            "Valeurs de référence et cibles annuelles (cible à atteindre « au moins » ou "
            "à ne pas dépasser « au plus », selon le sens de l'indicateur) :"
        ),
        targets,
    ]


def financing_plan(data: dict[str, Any]) -> list[Block]:
    blocks = []
    for part in data["annexes"]["financing_plan"]:
        blocks.append(subheading(f"{part['label']} — coût total {m(part['costs'])}"))
        rows = [
            [r["label"], r["kind"], r["status"], m(r["requested"]), m(r["granted"])]
            for r in part["resources"]
        ]
        rows.append(["Total", "", "", m(part["requested"]), m(part["granted"])])
        blocks.append(
            table(
                ["Ressource", "Nature", "Statut", "Demandé", "Accordé"],
                rows,
                numeric=(3, 4),
                total=True,
            )
        )
    return blocks or [para("Le plan de financement ne comporte aucune ligne.")]


def professionals(data: dict[str, Any]) -> Block:
    rows = [
        [p["name"], p["profession"], p["mode"], n(p["etp"]), p["status"]]
        for p in data["annexes"]["professionals"]
    ]
    return table(["Professionnel", "Profession", "Exercice", "ETP", "Situation"], rows, (3,))


def premises(data: dict[str, Any]) -> Block:
    p = data["annexes"]["premises"]
    items = [
        f"Adresse : {p['address'] or location(data)}",
        f"Opération : {p['operation_type'] or '—'} ; foncier : {p['land_status'] or '—'}"
        + (f" ({p['land_owner']})" if p["land_owner"] else ""),
        f"Surface : {n(p['surface_m2'], 'm²')} ; cabinets de consultation : "
        f"{n(p['consulting_rooms'])} ; salles partagées : {n(p['shared_rooms'])}",
        f"Loyer prévu : {m(p['planned_rent_m2_year'])}/m²/an ; loyer de marché : "
        f"{m(p['market_rent_m2_year'])}/m²/an",
        f"Ouverture prévue : {d(p['opening_date'])} ; accessibilité PMR : "
        f"{'oui' if p['pmr_accessible'] else 'non'}",
    ]
    return bullets(items)


def amendment_preamble(data: dict[str, Any], closing: str) -> list[Block]:
    """``closing``: « Les autres stipulations du contrat demeurent inchangées… »."""
    amendment = data.get("amendment")
    if not amendment:
        return []
    rows = [[c["label"], c["before"], c["after"]] for c in amendment["changes"]]
    return [
        heading(f"Objet de l'avenant n° {amendment['number']}"),
        para(f"Motif : {amendment['reason']}"),
        table(["Clause", "Avant l'avenant", "Après l'avenant"], rows)
        if rows
        else para("L'avenant ne modifie aucune clause négociable."),
        para(closing),
    ]
