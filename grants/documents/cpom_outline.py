"""The CPOM's outline (DOMAIN §5.4): parties and signatories, visas, thirteen articles (object,
duration, the structure and its health project, the structure's and the ARS's commitments,
financial terms, objectives and indicators, monitoring, evaluation, amendments, termination and
recovery, data, disputes), specific clauses, signatures and six annexes."""

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
    indicator_list,
    indicator_tables,
    location,
    lower_first,
    m,
    n,
    para,
    parties,
    premises,
    professionals,
    schedule_table,
    signatures,
    subheading,
    subtitle,
    table,
    title,
)

TITLE = "Contrat pluriannuel d'objectifs et de moyens (CPOM)"
ENVELOPE_VISA = (
    "Vu le protocole d'accord entre l'ARS Île-de-France et l'URPS médecins libéraux "
    "d'Île-de-France 2023-2027, notamment son annexe 7 relative à l'aide à l'investissement "
    "immobilier, et le règlement d'intervention qui l'accompagne ;"
)
FIR_VISA = (
    "Vu les articles L. 1435-8 et suivants du code de la santé publique relatifs au fonds "
    "d'intervention régional ;"
)


def outline(data: dict[str, Any]) -> list[Block]:
    return [
        *_front(data),
        *_articles(data),
        *signatures(data, "Pour l'Agence régionale de santé Île-de-France"),
        *_annexes(data),
    ]


def _front(data: dict[str, Any]) -> list[Block]:
    amendment = data.get("amendment")
    head = f"Avenant n° {amendment['number']} au {TITLE.lower()}" if amendment else TITLE
    blocks = [
        title(head),
        subtitle(f"n° {data['reference']} — version {data['version']}"),
        *parties(data),
        *_visas(data),
        *amendment_preamble(
            data,
            "Les autres stipulations du contrat demeurent inchangées. Le contrat ainsi modifié "
            "se lit comme suit.",
        ),
        para("Il est convenu ce qui suit :"),
    ]
    return blocks


def _visas(data: dict[str, Any]) -> list[Block]:
    kind = data["financer"]["kind"]
    visas = [
        "Vu le code de la santé publique, notamment ses articles L. 1435-3 (contrats pluriannuels "
        "d'objectifs et de moyens avec les maisons, pôles et centres de santé) et L. 1435-4 "
        "(contrats d'amélioration de la qualité et de la coordination des soins) ;",
        "Vu le projet régional de santé d'Île-de-France 2023-2027 (PRS 3) et ses orientations "
        "pour les soins de proximité ;",
    ]
    if kind == "ars_envelope":
        visas.append(ENVELOPE_VISA)
    if kind == "ars_fir":
        visas.append(FIR_VISA)
    visas += [dossier_visa(data), decision_visa(data), *committee_visa(data)]
    return [subheading("Visas"), bullets(visas)]


def _articles(data: dict[str, Any]) -> list[Block]:
    return [
        *_object(data),
        *_duration(data),
        *_structure(data),
        *_structure_commitments(data),
        *_ars_commitments(data),
        *_financial(data),
        heading("Article 7 — Objectifs et indicateurs"),
        para(
            "Les objectifs du contrat sont suivis au moyen des indicateurs ci-dessous, issus du "
            "catalogue régional ; leur définition, leur valeur de référence et leurs cibles "
            "annuelles figurent à l'annexe 3."
        ),
        indicator_list(data),
        *_monitoring(data),
        *_closing_articles(data),
    ]


def _object(data: dict[str, Any]) -> list[Block]:
    dossier = data["dossier"]
    nature = f" ({dossier['nature_label'].lower()})" if dossier["nature_label"] else ""
    return [
        heading("Article 1 — Objet"),
        para(
            f"Le présent contrat a pour objet le soutien de l'ARS à la "
            f"{lower_first(dossier['structure_type_label'])} « {dossier['title']} »{nature}, "
            f"située {location(data)}. Il fixe les engagements réciproques des parties, les moyens "
            "alloués par l'ARS et les objectifs, assortis d'indicateurs, que la structure "
            "s'engage à atteindre."
        ),
    ]


def _duration(data: dict[str, Any]) -> list[Block]:
    duration = data["duration"]
    blocks = [
        heading("Article 2 — Durée"),
        para(
            f"Le contrat est conclu pour une durée de {duration_text(duration['months'])}, du "
            f"{d(duration['starts_on'])} au {d(duration['ends_on'])}."
        ),
    ]
    survive = data["terms"]["commitments_survive_years"]
    if survive:
        blocks.append(
            para(
                f"Les engagements des articles 4.1 et 4.2 demeurent pendant {survive} ans après "
                f"le terme du contrat, soit jusqu'au {d(duration['survive_until'])}."
            )
        )
    return blocks


def _structure(data: dict[str, Any]) -> list[Block]:
    c, project = data["commitments"], data["annexes"]["health_project"]
    count = len(data["annexes"]["professionals"])
    text = (
        f"La structure réunit {count} professionnels de santé, dont {c['physicians_at_filing']} "
        f"médecins ({n(c['physician_etp_at_filing'])} ETP) à la date du dépôt du dossier."
    )
    if project["opening_hours"]:
        text += f" Horaires d'ouverture : {project['opening_hours']}."
    blocks = [heading("Article 3 — La structure et son projet de santé"), para(text)]
    if project["needs_analysis"]:
        blocks.append(para(f"Besoins de santé du territoire : {project['needs_analysis']}"))
    blocks.append(para("Le projet de santé figure en annexe 1."))
    return blocks


def _structure_commitments(data: dict[str, Any]) -> list[Block]:
    c = data["commitments"]
    survive = data["terms"]["commitments_survive_years"]
    after = f" et pendant {survive} ans après son terme" if survive else ""
    if c["min_physicians"] is not None:
        etp = (
            f" représentant au moins {n(c['min_physician_etp'])} ETP"
            if c["min_physician_etp"]
            else ""
        )
        activity = (
            f"Maintenir sur le site au moins {c['min_physicians']} médecins{etp}, pendant toute "
            f"la durée du contrat{after}."
        )
    else:
        activity = (
            f"Maintenir l'activité médicale sur le site pendant toute la durée du contrat{after}."
        )
    if c["rent_ceiling_m2_year"]:
        rent = (
            "Pratiquer pour les professionnels de santé, pendant toute la durée du contrat"
            f"{after}, un loyer hors charges d'au plus {m(c['rent_ceiling_m2_year'])} par m² "
            "et par an, révisable une fois par an au plus selon l'indice des loyers des "
            "activités tertiaires (ILAT)."
        )
    else:
        rent = f"Pratiquer un loyer modéré pour les professionnels de santé{after}."
    objectives = [
        f"{o['objective']} — indicateur : {o['indicator']} ; cible {o['target']} en {o['year']}"
        for o in c["objectives"]
    ]
    return [
        heading("Article 4 — Engagements de la structure"),
        subheading("4.1 Maintien de l'activité médicale"),
        para(activity),
        subheading("4.2 Loyer modéré"),
        para(rent),
        subheading("4.3 Objectifs du projet de santé"),
        para("Mettre en œuvre les objectifs du projet de santé, repris à l'annexe 3 :"),
        bullets(objectives) if objectives else para("Objectifs précisés à l'annexe 1."),
        subheading("4.4 Travail en équipe et accès aux soins"),
        bullets(c["team_access"]) if c["team_access"] else para("Sans engagement particulier."),
        subheading("4.5 Formation"),
        bullets(c["training"]) if c["training"] else para("Sans engagement particulier."),
        subheading("4.6 Compte rendu"),
        para(
            f"Transmettre à l'ARS un rapport annuel dans les {c['annual_due_days']} jours "
            "suivant la fin de chaque année civile, et à la délégation départementale des données "
            f"semestrielles dans les {c['semiannual_due_days']} jours suivant la fin de chaque "
            "semestre ; informer l'ARS dans un délai d'un mois de tout départ d'un médecin, de "
            "tout changement de forme juridique, de propriétaire ou d'usage des locaux."
        ),
        subheading("4.7 Publicité du soutien de l'ARS"),
        para(
            "Mentionner le soutien de l'Agence régionale de santé Île-de-France dans toute "
            "communication relative au projet et sur le site."
        ),
    ]


def _ars_commitments(data: dict[str, Any]) -> list[Block]:
    financial = data["financial"]
    return [
        heading("Article 5 — Engagements de l'ARS"),
        para(
            f"L'ARS s'engage à verser à la structure une aide d'un montant total de "
            f"{m(financial['total'])}, imputée sur : {financial['budget_line']}. Cette aide se "
            "répartit ainsi :"
        ),
        amount_table(data),
        para(
            "L'ARS accompagne la structure, par sa délégation départementale, dans la mise en "
            "œuvre du projet et le suivi du contrat."
        ),
    ]


def _financial(data: dict[str, Any]) -> list[Block]:
    financial = data["financial"]
    return [
        heading("Article 6 — Dispositions financières"),
        para(
            "L'aide est versée selon l'échéancier ci-dessous, détaillé avec ses justificatifs à "
            "l'annexe 4 ; chaque versement suit une demande de la structure accompagnée des "
            "justificatifs requis."
        ),
        schedule_table(data, with_evidence=False),
        para(
            f"Les dépenses éligibles prévues s'élèvent à {m(financial['eligible_cost'])}. Si les "
            "dépenses éligibles réellement engagées sont inférieures, l'aide est réduite à due "
            "proportion : montant dû = montant accordé × dépenses éligibles réelles / dépenses "
            "éligibles prévues. Le total des versements ne peut excéder le montant accordé."
        ),
    ]


def _monitoring(data: dict[str, Any]) -> list[Block]:
    mid = data["duration"]["mid_term_on"]
    return [
        heading("Article 8 — Suivi"),
        para(
            "Le contrat fait l'objet d'une revue annuelle avec la délégation départementale de "
            "l'ARS, à partir du rapport annuel, et de points semestriels d'étape. L'ARS peut "
            "procéder à des visites sur site."
        ),
        heading("Article 9 — Évaluation"),
        para(
            f"Une revue à mi-parcours est conduite vers le {d(mid)} ; une évaluation finale est "
            "conduite au terme du contrat. Elles comparent notamment les réalisations aux "
            "prévisions de l'étude de faisabilité (effectifs, activité, budget)."
        ),
    ]


def _closing_articles(data: dict[str, Any]) -> list[Block]:
    blocks = [
        heading("Article 10 — Avenants"),
        para(
            "Toute modification du contrat fait l'objet d'un avenant signé des parties, qui "
            "précise son motif et les clauses modifiées."
        ),
        heading("Article 11 — Non-respect, suspension, résiliation et reversement"),
        para(
            "En cas de non-respect de ses engagements, la structure est invitée à un dialogue de "
            "gestion. L'ARS peut suspendre les versements, proposer un avenant ou résilier le "
            "contrat par lettre recommandée, après une mise en demeure restée sans effet pendant "
            "un mois."
        ),
        para(
            "En cas de résiliation, la structure reverse les sommes perçues au prorata du temps "
            "restant à courir : montant à reverser = montants versés × durée restant à courir "
            "à la date de résiliation / durée totale du contrat. Les sommes engagées et non "
            "versées sont libérées."
        ),
        heading("Article 12 — Données"),
        para(
            "Les données transmises pour le suivi des indicateurs sont agrégées ; elles ne "
            "comportent aucune donnée de santé de patients. Les données personnelles des "
            "professionnels sont traitées pour le seul suivi du contrat, conformément au "
            "règlement général sur la protection des données."
        ),
        heading("Article 13 — Litiges"),
        para(
            "Les parties recherchent un règlement amiable de tout différend ; à défaut, le litige "
            "est porté devant le tribunal administratif compétent."
        ),
    ]
    return blocks + specific_clauses(data, "Article 14 — Clauses particulières")


def specific_clauses(data: dict[str, Any], heading_text: str) -> list[Block]:
    clauses = [c for c in data["terms"]["specific_clauses"].splitlines() if c.strip()]
    conditions = (data["decision"]["conditions"] or "").strip()
    reservations = ((data.get("committee") or {}).get("reservations") or "").strip()
    if not (clauses or conditions or reservations):
        return []
    blocks = [heading(heading_text)]
    if conditions:
        blocks.append(para(f"Conditions de la décision d'attribution : {conditions}"))
    if reservations:
        blocks.append(para(f"Réserves du comité d'instruction partagé : {reservations}"))
    blocks += [para(clause) for clause in clauses]
    return blocks


def _annexes(data: dict[str, Any]) -> list[Block]:
    project = data["annexes"]["health_project"]
    items = [
        f"{label} : {value}"
        for label, value in (
            ("Besoins du territoire", project["needs_analysis"]),
            ("Horaires d'ouverture", project["opening_hours"]),
            ("Protocoles pluriprofessionnels", project["shared_protocols"]),
            ("Prévention et éducation thérapeutique", project["prevention_programmes"]),
            ("Protocoles de coopération", project["cooperation_protocols"]),
            ("Système d'information partagé", project["information_system"]),
            ("Inscription dans le territoire", project["local_relevance"]),
        )
        if value
    ]
    objectives = table(
        ["Objectif", "Indicateur", "Référence", "Cible", "Année"],
        [
            [o["objective"], o["indicator"], o["baseline"] or "—", o["target"], str(o["year"])]
            for o in data["commitments"]["objectives"]
        ],
    )
    return [
        PAGEBREAK,
        heading("Annexe 1 — Projet de santé"),
        bullets(items) if items else para("Voir le dossier de demande."),
        objectives,
        heading("Annexe 2 — Plan de financement (tous cofinanceurs)"),
        *financing_plan(data),
        heading("Annexe 3 — Objectifs et indicateurs"),
        *indicator_tables(data),
        heading("Annexe 4 — Échéancier des versements et justificatifs"),
        schedule_table(data, with_evidence=True),
        heading("Annexe 5 — Professionnels à la signature"),
        professionals(data),
        heading("Annexe 6 — Locaux"),
        premises(data),
    ]
