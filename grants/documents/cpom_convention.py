"""The convention of a financer other than the ARS: the same data and blocks as the CPOM, on a
shorter outline (object, duration, amount, payments, the beneficiary's commitments, monitoring
and indicators, control, amendments, termination and recovery, disputes; financing plan and
payment schedule as annexes)."""

from __future__ import annotations

from typing import Any

from grants.documents.cpom_blocks import (
    PAGEBREAK,
    Block,
    amendment_preamble,
    amount_table,
    bullets,
    committee_visa,
    d,
    decision_visa,
    dossier_visa,
    duration_text,
    financing_plan,
    heading,
    indicator_tables,
    location,
    lower_first,
    m,
    n,
    para,
    parties,
    schedule_table,
    signatures,
    subheading,
    subtitle,
    title,
)
from grants.documents.cpom_outline import specific_clauses

TITLE = "Convention de financement"
LOCAL_VISA = "Vu le code général des collectivités territoriales ;"


def outline(data: dict[str, Any]) -> list[Block]:
    financer = data["financer"]
    return [
        *_front(data),
        *_articles(data),
        *signatures(data, f"Pour {financer['institution']}"),
        PAGEBREAK,
        heading("Annexe 1 — Plan de financement (tous cofinanceurs)"),
        *financing_plan(data),
        heading("Annexe 2 — Échéancier des versements et justificatifs"),
        schedule_table(data, with_evidence=True),
    ]


def _front(data: dict[str, Any]) -> list[Block]:
    amendment = data.get("amendment")
    head = (
        f"Avenant n° {amendment['number']} à la convention de financement" if amendment else TITLE
    )
    visas = [dossier_visa(data), decision_visa(data), *committee_visa(data)]
    if data["financer"]["kind"] in ("region", "departement", "local_authority"):
        visas.insert(0, LOCAL_VISA)
    return [
        title(head),
        subtitle(f"n° {data['reference']} — version {data['version']}"),
        *parties(data),
        subheading("Visas"),
        bullets(visas),
        *amendment_preamble(
            data,
            "Les autres stipulations de la convention demeurent inchangées. La convention ainsi "
            "modifiée se lit comme suit.",
        ),
        para("Il est convenu ce qui suit :"),
    ]


def _articles(data: dict[str, Any]) -> list[Block]:
    dossier, duration, financial = data["dossier"], data["duration"], data["financial"]
    c = data["commitments"]
    financer = data["financer"]["name"]
    commitments = [
        "Affecter l'aide au seul projet décrit à l'article 1.",
        f"Transmettre un compte rendu annuel d'exécution dans les {c['annual_due_days']} jours "
        "suivant la fin de chaque année civile.",
        "Informer le financeur dans un délai d'un mois de tout changement affectant le projet "
        "(départ d'un médecin, forme juridique, propriétaire ou usage des locaux).",
        f"Mentionner le soutien de {financer} dans toute communication relative au projet.",
    ]
    if c["min_physicians"] is not None:
        commitments.insert(
            1,
            f"Maintenir sur le site au moins {c['min_physicians']} médecins pendant la durée "
            "de la convention.",
        )
    if c["rent_ceiling_m2_year"]:
        commitments.insert(
            2,
            f"Pratiquer un loyer hors charges d'au plus {m(c['rent_ceiling_m2_year'])} par m² "
            "et par an pour les professionnels de santé.",
        )
    return [
        heading("Article 1 — Objet"),
        para(
            f"La présente convention fixe les conditions dans lesquelles {financer} soutient le "
            f"projet « {dossier['title']} » ({lower_first(dossier['structure_type_label'])}), "
            f"situé {location(data)}."
        ),
        heading("Article 2 — Durée"),
        para(
            f"La convention est conclue pour une durée de {duration_text(duration['months'])}, "
            f"du {d(duration['starts_on'])} au {d(duration['ends_on'])}."
        ),
        heading("Article 3 — Montant de la subvention"),
        para(f"{financer} attribue une subvention d'un montant total de {m(financial['total'])} :"),
        amount_table(data),
        heading("Article 4 — Modalités de versement"),
        para(
            "La subvention est versée selon l'échéancier de l'annexe 2, sur demande accompagnée "
            f"des justificatifs requis. Les dépenses éligibles prévues s'élèvent à "
            f"{m(financial['eligible_cost'])} ; si les dépenses réelles sont inférieures, la "
            "subvention est réduite à due proportion."
        ),
        schedule_table(data, with_evidence=False),
        heading("Article 5 — Engagements du bénéficiaire"),
        bullets(commitments),
        heading("Article 6 — Suivi et indicateurs"),
        para(
            f"Le bénéficiaire rend compte des indicateurs suivants (référence au dépôt : "
            f"{c['physicians_at_filing']} médecins, {n(c['physician_etp_at_filing'])} ETP) :"
        ),
        *indicator_tables(data),
        heading("Article 7 — Contrôle"),
        para(
            f"{financer} peut contrôler sur pièces et sur place l'emploi de la subvention ; le "
            "bénéficiaire tient à sa disposition tout document utile."
        ),
        heading("Article 8 — Avenants"),
        para("Toute modification de la convention fait l'objet d'un avenant signé des parties."),
        heading("Article 9 — Résiliation et reversement"),
        para(
            "En cas de non-respect de ses engagements par le bénéficiaire, la convention peut être "
            "résiliée après mise en demeure restée sans effet pendant un mois. Les sommes versées "
            "sont reversées au prorata du temps restant à courir : montant à reverser = montants "
            "versés × durée restant à courir / durée totale de la convention ; les sommes "
            "engagées et non versées sont libérées."
        ),
        heading("Article 10 — Litiges"),
        para(
            "Les parties recherchent un règlement amiable ; à défaut, le litige est porté devant "
            "le tribunal administratif compétent."
        ),
        *specific_clauses(data, "Article 11 — Clauses particulières"),
    ]
