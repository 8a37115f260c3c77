"""Committee forms: the session, a member or guest, attendance, the recording of one agenda item,
the minutes. Input shape only; the rules live in grants/services/committee*.py."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import TextInput

from grants.forms.fields import FrenchDecimalField, optional_int
from grants.models.choices import (
    AID_TYPES,
    ATTENDANCE,
    COMMITTEE_KINDS,
    COMMITTEE_MEMBER_ROLES,
    RECOMMENDATIONS,
)

TEXT_MAX = 10_000
TOO_LONG = "Texte trop long."


def version_of(form: FlaskForm) -> int | None:
    raw = str(form.lock_version.data or "")  # type: ignore[attr-defined]
    return int(raw) if raw.isdigit() else None


class SessionForm(FlaskForm):
    title = StringField(
        "Intitulé de la séance",
        validators=[DataRequired("Indiquez l'intitulé de la séance."), Length(max=200)],
        description="Par exemple : Comité d'instruction partagé — juin 2026.",
    )
    kind = SelectField(
        "Type de séance",
        choices=[SelectChoice(k, v) for k, v in COMMITTEE_KINDS.items()],
        validators=[InputRequired("Choisissez le type de séance.")],
        invalid_choice_message="Choisissez un type de séance de la liste.",
    )
    day = DateField(
        "Date",
        validators=[InputRequired("Indiquez la date de la séance (jj/mm/aaaa).")],
    )
    at = TimeField(
        "Heure (heure de Paris)",
        validators=[InputRequired("Indiquez l'heure de début de la séance (hh:mm).")],
    )
    place = StringField(
        "Lieu",
        # No Optional(): it would stop the chain before validate_place reads both fields.
        validators=[Length(max=300, message="300 caractères au maximum.")],
        description="Adresse et salle. Le lieu ou le lien de visioconférence est obligatoire.",
    )
    video_link = StringField(
        "Lien de visioconférence",
        validators=[Optional(), Length(max=500, message="500 caractères au maximum.")],
        description="Commence par https://.",
    )
    lock_version = HiddenField()

    def validate_place(self, field: StringField) -> None:
        if not (field.data or "").strip() and not (self.video_link.data or "").strip():
            raise ValidationError("Indiquez le lieu de la séance ou un lien de visioconférence.")

    def validate_video_link(self, field: StringField) -> None:
        value = (field.data or "").strip()
        if value and not value.startswith(("https://", "http://")):
            raise ValidationError("Le lien de visioconférence commence par https://.")


class MemberForm(FlaskForm):
    user_id = SelectField(
        "Personne disposant d'un compte",
        coerce=optional_int,
        validators=[Optional()],
        invalid_choice_message="Choisissez une personne de la liste.",
    )
    full_name = StringField(
        "Nom et prénom (personne sans compte)",
        validators=[Length(max=200, message="200 caractères au maximum.")],
    )
    institution = StringField(
        "Institution",
        validators=[Length(max=200, message="200 caractères au maximum.")],
        description="Obligatoire pour une personne sans compte ; sinon, celle de son compte.",
    )
    email = StringField(
        "Adresse électronique (personne sans compte)",
        validators=[
            Optional(),
            Email("Saisissez une adresse électronique valide, par exemple nom@exemple.fr."),
            Length(max=254),
        ],
        description="Pour lui envoyer la convocation.",
    )
    role = SelectField(
        "Qualité",
        choices=[SelectChoice(k, v) for k, v in COMMITTEE_MEMBER_ROLES.items()],
        default="member",
        validators=[InputRequired("Choisissez la qualité de la personne.")],
        invalid_choice_message="Choisissez une qualité de la liste.",
    )
    lock_version = HiddenField()

    def validate_full_name(self, field: StringField) -> None:
        has_user = self.user_id.data is not None
        if has_user and (field.data or "").strip():
            raise ValidationError(
                "Choisissez une personne disposant d'un compte, ou saisissez un nom, pas les deux."
            )
        if not has_user and not (field.data or "").strip():
            raise ValidationError(
                "Choisissez une personne disposant d'un compte ou saisissez son nom."
            )

    def validate_institution(self, field: StringField) -> None:
        if self.user_id.data is None and not (field.data or "").strip():
            raise ValidationError("Indiquez l'institution de la personne.")


def build_attendance_form(members: list[Any], **kwargs: object) -> FlaskForm:
    """One select per member: ``attendance_<member id>``."""
    attrs: dict[str, object] = {"lock_version": HiddenField()}
    choices = [SelectChoice("", "— Non renseignée —")] + [
        SelectChoice(k, v) for k, v in ATTENDANCE.items()
    ]
    for member in members:
        attrs[f"attendance_{member.id}"] = SelectField(
            f"Présence de {member.full_name}",
            choices=choices,
            default=member.attendance or "",
            validators=[Optional()],
            invalid_choice_message="Choisissez présent, excusé ou absent.",
        )
    return type("AttendanceForm", (FlaskForm,), attrs)(**kwargs)  # type: ignore[no-any-return]


class ItemFormBase(FlaskForm):
    opinion = RadioField(
        "Avis du comité",
        choices=[SelectChoice(k, v) for k, v in RECOMMENDATIONS.items()],
        validators=[InputRequired("Choisissez l'avis du comité.")],
        invalid_choice_message="Choisissez un avis de la liste.",
    )
    reservations = TextAreaField(
        "Réserves",
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
        description="Obligatoire pour un avis favorable avec réserves.",
    )
    deferral_reasons = TextAreaField(
        "Motifs de l'ajournement",
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
        description="Obligatoire pour un ajournement : le porteur et les instructeurs les liront.",
    )
    discussion = TextAreaField(
        "Synthèse des échanges",
        validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    lock_version = HiddenField()

    amount_fields: list[tuple[int, str, str]] = []  # (financer id, aid type, field name)
    conflict_fields: list[tuple[int, str, str]] = []  # (member id, checkbox, note field)

    def validate_reservations(self, field: TextAreaField) -> None:
        if self.opinion.data == "favourable_with_reservations" and not (field.data or "").strip():
            raise ValidationError("Indiquez les réserves dont l'avis favorable est assorti.")

    def validate_deferral_reasons(self, field: TextAreaField) -> None:
        if self.opinion.data == "deferred" and not (field.data or "").strip():
            raise ValidationError("Indiquez les motifs de l'ajournement.")


def build_item_form(
    financers: list[Any], aid_types: list[str], members: list[Any], **kwargs: object
) -> ItemFormBase:
    """The recording form of one item: an amount per targeted financer × aid type, and a
    conflict-of-interest checkbox with its note per member."""
    attrs: dict[str, object] = {"amount_fields": [], "conflict_fields": []}
    for financer in financers:
        for aid_type in aid_types:
            name = f"amount_{financer.id}_{aid_type}"
            attrs[name] = FrenchDecimalField(
                f"{financer.name} — {AID_TYPES[aid_type]}",
                # A text box: a number input refuses "350 000,00" and blanks the comma the
                # field displays (a correction would then lose the amounts).
                widget=TextInput(),
                render_kw={"inputmode": "decimal"},
                validators=[
                    Optional(),
                    NumberRange(min=0, message="Le montant ne peut pas être négatif."),
                ],
            )
            attrs["amount_fields"].append((financer.id, aid_type, name))  # type: ignore[attr-defined]
    for member in members:
        box, note = f"conflict_{member.id}", f"conflict_note_{member.id}"
        attrs[box] = BooleanField(f"{member.full_name} a déclaré un conflit d'intérêts")
        attrs[note] = StringField(
            f"Précision sur le conflit d'intérêts de {member.full_name}",
            validators=[Optional(), Length(max=500, message="500 caractères au maximum.")],
        )
        attrs["conflict_fields"].append((member.id, box, note))  # type: ignore[attr-defined]
    return type("ItemForm", (ItemFormBase,), attrs)(**kwargs)  # type: ignore[no-any-return]


class MinutesForm(FlaskForm):
    correction_reason = TextAreaField(
        "Motif de la correction",
        validators=[Optional(), Length(max=TEXT_MAX, message=TOO_LONG)],
        description="Obligatoire pour corriger un procès-verbal approuvé.",
    )
    lock_version = HiddenField()


def build_reorder_form(items: list[Any], **kwargs: object) -> FlaskForm:
    attrs: dict[str, object] = {"lock_version": HiddenField()}
    for item in items:
        attrs[f"rank_{item.id}"] = IntegerField(
            f"Rang de {item.dossier.reference}",
            default=item.position,
            validators=[
                InputRequired("Indiquez un rang."),
                NumberRange(min=1, message="Le rang commence à 1."),
            ],
        )
    return type("ReorderForm", (FlaskForm,), attrs)(**kwargs)  # type: ignore[no-any-return]
