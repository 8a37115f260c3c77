"""Render the transition table as Mermaid ``stateDiagram-v2`` diagrams in ``docs/workflow.md``.

The document is generated: ``grants workflow-diagram`` rewrites it, and a test fails when the
committed file differs from a fresh render, so the diagram never drifts from the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from grants.workflow.agreement_table import AGREEMENT_TRANSITIONS, AMENDMENT_TRANSITIONS
from grants.workflow.states import (
    HOLDABLE_STATES,
    STAFF_AGREEMENT_LABELS,
    STAFF_AMENDMENT_LABELS,
    STAFF_DOSSIER_LABELS,
    STAFF_TRACK_LABELS,
)
from grants.workflow.table import DOSSIER_TRANSITIONS, TRACK_TRANSITIONS, Transition

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "workflow.md"
REGENERATE = "grants workflow-diagram"

# Mermaid draws the states in this order when they are declared first: the reading order of
# DOMAIN §3.3 (the label dictionaries follow it).
INITIAL = {"dossier": "draft", "track": "checking", "agreement": "drafted", "amendment": "drafted"}
FINAL = {
    "dossier": ("withdrawn",),
    "track": ("not_concerned",),
    "agreement": ("ended", "terminated"),
    "amendment": ("active", "cancelled"),
}

HEADER = f"""# Le circuit d'un dossier (workflow)

<!-- Generated from grants/workflow/table.py by `{REGENERATE}`: do not edit by hand. -->

Ce document est produit à partir de la table des transitions (`grants/workflow/table.py` et
`grants/workflow/agreement_table.py`), la seule source de vérité : le moteur
(`grants/workflow/engine.py`) est le seul code qui change l'état d'un dossier, d'un volet
cofinanceur, d'une convention ou d'un avenant. Un test échoue lorsque ce fichier n'est plus à
jour ; régénérez-le avec `{REGENERATE}`.

Lecture des diagrammes :

- chaque état porte son libellé tel que le lisent les instructeurs ; le code entre parenthèses
  est celui stocké en base ;
- chaque flèche porte l'événement puis les rôles qui peuvent le déclencher (rôles du DOMAIN §1.2,
  résolus par dossier : un instructeur n'agit que sur les dossiers de son périmètre, et sur le
  volet de son propre financeur) ;
- « ⚙ auto » marque une transition automatique : le moteur la déclenche lui-même dès que ses
  conditions sont réunies (par exemple, le dossier devient complet quand le dernier volet
  cofinanceur a validé sa complétude ; les volets « non concerné » comptent comme terminés) ;
- un refus répond 403 (rôle ou périmètre), 422 (état ou conditions non remplies, avec les motifs)
  ou 409 (le dossier a changé entre-temps).
"""


def _alias(state: str, labels: dict[str, str]) -> str:
    return f'    state "{labels[state]} ({state})" as {state}'


def _roles(t: Transition) -> str:
    if t.automatic:
        return "⚙ auto"
    return ", ".join(sorted(t.roles))


def _edges(t: Transition) -> Iterable[tuple[str, str, str]]:
    # ``resume`` has no fixed target: it goes back to the state the dossier was held from.
    targets = sorted(HOLDABLE_STATES) if t.target is None else [t.target]
    label = f"{t.event} · {_roles(t)}"
    for source in sorted(t.sources):
        for target in targets:
            yield source, target, label


def diagram(machine: str, transitions: tuple[Transition, ...], labels: dict[str, str]) -> str:
    """One ``stateDiagram-v2`` block for the given machine."""
    edges = [edge for t in transitions for edge in _edges(t)]
    used = {INITIAL[machine]} | {s for edge in edges for s in edge[:2]}
    lines = ["```mermaid", "stateDiagram-v2"]
    lines += [_alias(state, labels) for state in labels if state in used]
    lines.append(f"    [*] --> {INITIAL[machine]}")
    lines += [f"    {source} --> {target} : {label}" for source, target, label in edges]
    lines += [f"    {state} --> [*]" for state in FINAL[machine]]
    lines.append("```")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(transitions: tuple[Transition, ...]) -> str:
    """The transitions as a Markdown table: what each does, for whom, under which conditions."""
    rows = [
        "| Événement | Depuis | Vers | Rôles | Libellé instructeur | Libellé porteur "
        "| Conditions |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in transitions:
        sources = ", ".join(f"`{s}`" for s in sorted(t.sources))
        target = f"`{t.target}`" if t.target else "l'état quitté"
        guards = ", ".join(f"`{g.__name__}`" for g in t.guards) or "—"
        rows.append(
            f"| `{t.event}` | {sources} | {target} | {_cell(_roles(t))} "
            f"| {_cell(t.staff_label)} | {_cell(t.promoter_label)} | {guards} |"
        )
    return "\n".join(rows)


def render() -> str:
    """The whole of ``docs/workflow.md``."""
    parts = [
        HEADER,
        "## Le dossier\n",
        "Un seul dossier par projet, déposé une fois, quel que soit le nombre de cofinanceurs.\n",
        diagram("dossier", DOSSIER_TRANSITIONS, STAFF_DOSSIER_LABELS),
        "",
        table(DOSSIER_TRANSITIONS),
        "",
        "## Le volet de chaque cofinanceur\n",
        "Au dépôt, le moteur ouvre un volet par financeur sollicité ; chacun vérifie la "
        "complétude puis instruit pour son propre compte. Un volet ne bouge que lorsque le "
        "dossier est en cours d'instruction (ni en attente, ni retiré).\n",
        diagram("track", TRACK_TRANSITIONS, STAFF_TRACK_LABELS),
        "",
        table(TRACK_TRANSITIONS),
        "",
        "## La convention de chaque financeur (CPOM pour l'ARS)\n",
        "Quand le dossier est décidé, le moteur prépare une convention par financeur qui a "
        "accordé une aide : un CPOM pour l'ARS, une convention de financement pour les autres. "
        "Les instructeurs du financeur en négocient les clauses, le responsable de l'organisation "
        "porteuse signe, puis le décideur du financeur contre-signe : la convention entre en "
        "vigueur (tranches de versement et calendrier de suivi créés). La première convention en "
        "vigueur fait passer le dossier en réalisation ; un dossier dont toutes les conventions "
        "sont résiliées est résilié.\n",
        diagram("agreement", AGREEMENT_TRANSITIONS, STAFF_AGREEMENT_LABELS),
        "",
        table(AGREEMENT_TRANSITIONS),
        "",
        "## Les avenants\n",
        "Un avenant modifie les clauses négociables d'une convention en vigueur ; il suit le "
        "même circuit de signature et ne s'applique qu'une fois contre-signé. L'historique des "
        "versions est conservé.\n",
        diagram("amendment", AMENDMENT_TRANSITIONS, STAFF_AMENDMENT_LABELS),
        "",
        table(AMENDMENT_TRANSITIONS),
        "",
    ]
    return "\n".join(parts)


def write(path: Path | None = None) -> Path:
    path = path or DOC_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path
