"""Promoter organisation and invitation forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from grants.forms.fields import validate_siret
from grants.models.choices import LEGAL_FORMS, PROMOTER_CATEGORIES


def _choices(vocabulary: dict[str, str]) -> list[SelectChoice]:
    # SelectChoice, not tuples: WTForms 3.3 deprecates tuple choices.
    return [SelectChoice("", "— Choisir —"), *(SelectChoice(k, v) for k, v in vocabulary.items())]


class OrganisationForm(FlaskForm):
    legal_name = StringField("Raison sociale", validators=[DataRequired(), Length(max=200)])
    category = SelectField(
        "Catégorie de porteur", choices=_choices(PROMOTER_CATEGORIES), validators=[DataRequired()]
    )
    legal_form = SelectField(
        "Forme juridique", choices=_choices(LEGAL_FORMS), validators=[DataRequired()]
    )
    siret = StringField(
        "SIRET",
        validators=[DataRequired(), validate_siret],
        description="14 chiffres, espaces acceptés.",
    )
    representative_name = StringField(
        "Représentant légal", validators=[DataRequired(), Length(max=160)]
    )
    representative_function = StringField(
        "Fonction du représentant légal", validators=[DataRequired(), Length(max=160)]
    )
    contact_name = StringField("Personne à contacter", validators=[DataRequired(), Length(max=160)])
    contact_email = EmailField(
        "Courriel de contact", validators=[DataRequired(), Email(), Length(max=254)]
    )
    contact_phone = TelField("Téléphone de contact", validators=[DataRequired(), Length(max=30)])
    address = TextAreaField("Adresse du siège", validators=[Optional(), Length(max=500)])


class InvitationForm(FlaskForm):
    email = EmailField(
        "Adresse électronique du collègue", validators=[DataRequired(), Email(), Length(max=254)]
    )
