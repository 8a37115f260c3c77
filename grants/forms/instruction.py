"""Instructors' forms: piece review, annotation, opinion, assignment. Input shape only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from grants.forms.fields import optional_int
from grants.models.choices import PIECE_REVIEW_STATUSES, RECOMMENDATIONS

TEXT_MAX = 10_000
REQUIRED = "Ce champ est obligatoire."


class PieceReviewForm(FlaskForm):
    financer_id = SelectField(
        "Au titre de",
        coerce=optional_int,
        validators=[InputRequired(REQUIRED)],
        invalid_choice_message="Choisissez une de vos institutions.",
    )
    status = RadioField(
        "Décision",
        choices=[SelectChoice(k, v) for k, v in PIECE_REVIEW_STATUSES.items()],
        validators=[InputRequired("Indiquez si la pièce est acceptée ou refusée.")],
        invalid_choice_message="Choisissez « Acceptée » ou « Refusée ».",
    )
    reason = TextAreaField(
        "Motif du refus",
        validators=[Optional(), Length(max=TEXT_MAX, message="Texte trop long.")],
        description="Obligatoire pour refuser : le porteur le lira dans la demande de pièces.",
    )
    review_stamp = HiddenField()

    def validate_reason(self, field: TextAreaField) -> None:
        if self.status.data == "rejected" and not (field.data or "").strip():
            raise ValidationError("Indiquez le motif du refus de la pièce.")


class AnnotationForm(FlaskForm):
    financer_id = SelectField(
        "Au nom de",
        coerce=optional_int,
        validators=[InputRequired(REQUIRED)],
        invalid_choice_message="Choisissez une de vos institutions.",
    )
    body = TextAreaField(
        "Annotation",
        validators=[
            DataRequired("Écrivez le texte de l'annotation."),
            Length(max=TEXT_MAX, message="Texte trop long."),
        ],
    )
    shared = BooleanField("Partager avec les autres cofinanceurs de ce dossier")
    lock_version = HiddenField()


class AnnotationEditForm(AnnotationForm):
    financer_id = None  # type: ignore[assignment]  # an annotation keeps its financer


class OpinionForm(FlaskForm):
    financer_id = SelectField(
        "Au nom de",
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Choisissez une de vos institutions.",
    )
    recommendation = SelectField(
        "Recommandation",
        choices=[
            SelectChoice("", "— Choisir —"),
            *(SelectChoice(k, v) for k, v in RECOMMENDATIONS.items()),
        ],
        validators=[DataRequired("Choisissez la recommandation.")],
        invalid_choice_message="Choisissez une recommandation de la liste.",
    )
    text = TextAreaField(
        "Avis motivé",
        validators=[
            DataRequired("Écrivez le texte de l'avis."),
            Length(max=TEXT_MAX, message="Texte trop long."),
        ],
    )
    seen_latest_id = HiddenField()


class AssignForm(FlaskForm):
    assignee_id = SelectField(
        "Instructeur chargé du dossier",
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Choisissez un instructeur de la liste.",
    )
