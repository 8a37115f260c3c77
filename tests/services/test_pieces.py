"""The piece requirement table evaluated against dossiers (structure, aid, promoter, financers)."""

from __future__ import annotations

from grants.extensions import db
from grants.models import Attachment
from grants.models.base import utcnow
from grants.services.pieces import load_rules, missing_by_financer, required_pieces
from tests.pieces_support import configure, financer


def _codes(dossier, *, mandatory: bool | None = None) -> set[str]:
    return {
        p.code for p in required_pieces(dossier) if mandatory is None or p.mandatory is mandatory
    }


def _attach(dossier, promoter, piece_code, *, financer_id=None, n=0, **values):
    attachment = Attachment(
        dossier=dossier,
        piece_code=piece_code,
        financer_id=financer_id,
        storage_key=f"test/{dossier.id}/{piece_code}/{n}",
        original_name=f"{piece_code}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=promoter,
        **values,
    )
    db.session.add(attachment)
    db.session.flush()
    db.session.expire(dossier, ["attachments"])
    return attachment


def test_msp_real_estate_for_ars_immo_needs_diagnosis_and_internal_rules(dossier):
    configure(
        dossier,
        structure_type="msp",
        aid_types=["investment_real_estate"],
        financers=["ARS_IMMO"],
    )
    codes = _codes(dossier, mandatory=True)
    assert {"diagnostic_territorial", "reglement_interieur", "titre_foncier"} <= codes
    assert {"projet_sante", "statuts", "etude_faisabilite"} <= codes
    assert "comptes_cds" not in codes and "deliberation" not in codes
    assert "permis_construire" in _codes(dossier, mandatory=False)


def test_diagnosis_is_only_asked_by_the_ars_envelope(dossier):
    configure(
        dossier,
        structure_type="msp",
        aid_types=["investment_real_estate"],
        financers=["ARS_IMMO", "REGION_IDF"],
    )
    piece = next(p for p in required_pieces(dossier) if p.code == "diagnostic_territorial")
    assert [f.code for f in piece.mandatory_for] == ["ARS_IMMO"] and piece.scoped
    missing = {f.code: {k.code for k in kinds} for f, kinds in missing_by_financer(dossier).items()}
    assert "diagnostic_territorial" in missing["ARS_IMMO"]
    assert "diagnostic_territorial" not in missing["REGION_IDF"]
    assert "reglement_interieur" in missing["REGION_IDF"]


def test_diagnosis_not_asked_without_the_ars_envelope(dossier):
    configure(
        dossier,
        structure_type="msp",
        aid_types=["investment_real_estate"],
        financers=["REGION_IDF"],
    )
    assert "diagnostic_territorial" not in _codes(dossier)


def test_cds_operating_needs_accounts(dossier):
    configure(dossier, structure_type="cds", aid_types=["operating"], financers=["ARS_FIR"])
    codes = _codes(dossier, mandatory=True)
    assert {"comptes_cds", "budget_fonctionnement"} <= codes
    assert "reglement_interieur" not in codes and "titre_foncier" not in codes


def test_msp_operating_does_not_need_cds_accounts(dossier):
    configure(dossier, structure_type="msp", aid_types=["operating"], financers=["ARS_FIR"])
    assert "comptes_cds" not in _codes(dossier)


def test_local_authority_promoter_needs_deliberation_not_statutes(dossier):
    configure(dossier, structure_type="msp", category="collectivite", financers=["ARS_FIR"])
    codes = _codes(dossier)
    assert "deliberation" in codes and "statuts" not in codes


def test_private_promoter_needs_statutes_not_deliberation(dossier):
    configure(dossier, structure_type="msp", category="association", financers=["ARS_FIR"])
    codes = _codes(dossier)
    assert "statuts" in codes and "deliberation" not in codes


def test_departement_form_only_for_the_departements_that_ask_for_it(dossier):
    configure(dossier, structure_type="msp", financers=["DEP_77", "DEP_75", "ARS_FIR"])
    piece = next(p for p in required_pieces(dossier) if p.code == "formulaire_departement")
    assert [f.code for f in piece.financers] == ["DEP_77"]
    configure(dossier, structure_type="msp", financers=["DEP_75"])
    assert "formulaire_departement" not in _codes(dossier)


def test_missing_per_financer_uses_live_attachments_only(dossier, promoter):
    configure(dossier, structure_type="msp", financers=["DEP_77", "ARS_FIR"])
    dep77, ars = financer("DEP_77"), financer("ARS_FIR")
    _attach(dossier, promoter, "projet_sante")
    _attach(dossier, promoter, "statuts", n=1, removed_at=utcnow())
    _attach(dossier, promoter, "lettres_engagement_ps", n=2, status="rejected")
    _attach(dossier, promoter, "formulaire_departement", n=3, financer_id=dep77.id)
    missing = {f: {k.code for k in kinds} for f, kinds in missing_by_financer(dossier).items()}
    assert "projet_sante" not in missing[dep77] and "projet_sante" not in missing[ars]
    assert "statuts" in missing[ars]
    assert "lettres_engagement_ps" in missing[ars]
    assert "formulaire_departement" not in missing[dep77]
    # Optional pieces never block.
    assert "extrait_cls" not in missing[ars]


def test_attachment_scoped_to_one_financer_does_not_cover_another(dossier, promoter):
    configure(dossier, structure_type="msp", financers=["ARS_FIR", "REGION_IDF"])
    ars = financer("ARS_FIR")
    _attach(dossier, promoter, "projet_sante", financer_id=ars.id)
    missing = {f.code: {k.code for k in kinds} for f, kinds in missing_by_financer(dossier).items()}
    assert "projet_sante" not in missing["ARS_FIR"]
    assert "projet_sante" in missing["REGION_IDF"]


def test_without_financers_general_pieces_are_still_listed(dossier):
    configure(dossier, structure_type="msp", financers=[])
    codes = _codes(dossier, mandatory=True)
    assert {"projet_sante", "reglement_interieur"} <= codes
    assert "formulaire_departement" not in codes
    assert missing_by_financer(dossier) == {}


def test_evaluation_is_one_query_over_a_loaded_dossier(dossier, count_queries):
    configure(dossier, structure_type="msp", aid_types=["operating"], financers=["ARS_FIR"])
    dossier.organisation, dossier.financers, dossier.attachments  # noqa: B018 - load them
    with count_queries() as counter:
        pieces = required_pieces(dossier)
        missing_by_financer(dossier, pieces)
    assert counter.count == 1
    assert load_rules()[0].piece.label
