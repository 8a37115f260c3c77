"""Administration forms for zoning: import a new version from CSV, complete a unit's communes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from grants.forms.worklist import FrenchDateField
from grants.models.choices import PROFESSION_ZONINGS


class ZoningImportForm(FlaskForm):
    code = StringField(
        "Code du zonage",
        validators=[
            DataRequired(message="Donnez un code, par exemple idf_2022."),
            Regexp(
                r"^[a-z0-9_-]{2,40}$",
                message="Lettres minuscules, chiffres, « _ » ou « - » (2 à 40 caractères).",
            ),
        ],
        description="Identifiant stable, par exemple idf_2022 (idf_zip_zac remplit le zonage "
        "livré vide).",
    )
    name = StringField(
        "Nom",
        validators=[DataRequired(message="Donnez un nom."), Length(max=200)],
    )
    profession = SelectField(
        "Profession", choices=[SelectChoice(k, v) for k, v in PROFESSION_ZONINGS.items()]
    )
    legal_reference = TextAreaField(
        "Référence juridique",
        validators=[DataRequired(message="Indiquez l'arrêté qui fixe ce zonage.")],
        description="Par exemple : arrêté DG ARS n° … du …",
    )
    valid_from = FrenchDateField(
        "Début de validité",
        validators=[DataRequired(message="Indiquez la date d'entrée en vigueur.")],
    )
    valid_to = FrenchDateField(
        "Fin de validité", description="Laissez vide si toujours en vigueur."
    )
    file = FileField(
        "Fichier CSV",
        validators=[FileRequired(message="Choisissez le fichier CSV du zonage.")],
        description="Colonnes code_insee et categorie (deficitaire, fragile, zip, zac, none), "
        "séparées par « ; » ou « , » ; colonne unite facultative pour regrouper des communes.",
    )

    def validate_valid_to(self, field: FrenchDateField) -> None:
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValueError("La fin de validité précède le début.")


class UnitCommuneForm(FlaskForm):
    commune = StringField(
        "Commune à ajouter",
        validators=[DataRequired(message="Saisissez un code INSEE ou un nom de commune.")],
        description="Code INSEE (91286) ou nom (Grigny, Grigny (91286)).",
    )


class UnitPartialForm(FlaskForm):
    partial = BooleanField("Composition incomplète (à compléter)")


class RemoveCommuneForm(FlaskForm):
    """A CSRF-protected button; the commune comes from the URL."""
