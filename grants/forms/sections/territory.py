"""Section form C (territory): communes typed by name or INSEE code, then the local context."""

from __future__ import annotations

from wtforms import FieldList, StringField
from wtforms.validators import Length, Optional

from grants.forms.sections.common import SectionForm, day, flag, long_text, text, whole

MAX_COMMUNES = 20


class TerritoryForm(SectionForm):
    EXTRA_FIELDS = ("commune_inputs",)

    commune_inputs = FieldList(
        StringField(
            "Commune",
            validators=[Optional(), Length(max=160, message="160 caractères au maximum.")],
        ),
        label="Communes d'implantation",
        min_entries=1,
        max_entries=MAX_COMMUNES,
    )
    address = long_text("Adresse du projet")
    district = text("Quartier", 160)
    flag_qpv = flag("Quartier prioritaire de la politique de la ville (QPV)")
    flag_zus = flag("Zone urbaine sensible (ZUS)")
    flag_zrr = flag("Zone de revitalisation rurale (ZRR)")
    flag_zru = flag("Zone de redynamisation urbaine (ZRU)")
    cls_signed = flag("Un contrat local de santé (CLS) est signé sur le territoire")
    cls_reference = text("Référence du contrat local de santé", 160)
    bassin_population = whole("Population du bassin de vie (habitants)")
    diagnosis_reference = text("Référence du diagnostic territorial", 160)
    diagnosis_date = day("Date du diagnostic territorial")
    diagnosis_author = text(
        "Auteur du diagnostic", 160, description="Par exemple : URPS, délégation départementale."
    )
    neighbouring_projects = long_text(
        "Projets voisins et cohérence territoriale",
        description="Structures ou projets proches, et comment le projet s'articule avec eux.",
    )
