"""Creating a dossier."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length


class NewDossierForm(FlaskForm):
    organisation_id = SelectField("Organisation porteuse", coerce=int, validators=[DataRequired()])
    title = StringField(
        "Intitulé du projet",
        validators=[DataRequired(), Length(max=200)],
        description="Par exemple : Maison de santé pluriprofessionnelle de Souppes-sur-Loing.",
    )
