"""The work list's filters: GET parameters, validated, turned into grants.services.worklist.Filters.

A plain WTForms form (no CSRF: it only reads), French messages; a bad value is an error shown
on the page, never a 500.
"""

from __future__ import annotations

from datetime import date, datetime

from wtforms import DateField, Form, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from grants.forms.fields import MultiCheckboxField
from grants.models import User
from grants.models.choices import AID_TYPES, DOSSIER_STATES, STRUCTURE_TYPES, TRACK_STATES
from grants.services.worklist import Filters

IDF_DEPARTEMENTS = ("75", "77", "78", "91", "92", "93", "94", "95")
SORT_CHOICES = {
    "": "Pertinence (recherche) ou date de dépôt",
    "submitted_at": "Date de dépôt",
    "updated_at": "Dernière mise à jour",
    "reference": "Référence",
    "title": "Intitulé",
}
TAB_LABELS = {"a_traiter": "À traiter", "suivis": "Suivis", "tous": "Tous"}


class FrenchDateField(DateField):
    """An <input type="date"> (YYYY-MM-DD) that also accepts 31/12/2025, with a French error."""

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("validators", [Optional()])
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(*args, format=["%Y-%m-%d", "%d/%m/%Y"], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw_data = [raw]
        self.data = None
        if not raw:
            return
        for fmt in self.format:
            try:
                self.data = datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if self.data.year < 2000 or self.data.year > 2100:
                self.data = None
                raise ValueError("Saisissez une date entre 2000 et 2100.")
            return
        raise ValueError("Saisissez une date valide, par exemple 31/12/2025.")


def _coerce_int(value: object) -> int | None:
    if value in (None, ""):
        return None
    return int(str(value))


class WorklistForm(Form):
    class Meta:
        locales = ("fr_FR", "fr")

    tab = SelectField("Onglet", choices=TAB_LABELS, default="tous")
    q = StringField(
        "Rechercher",
        validators=[Optional(), Length(max=200)],
        description="Mots du dossier (commune, porteur, projet…) ou référence exacte.",
    )
    state = MultiCheckboxField(
        "État du dossier", choices={k: v for k, v in DOSSIER_STATES.items() if k != "draft"}
    )
    track_state = MultiCheckboxField(
        "État de l'instruction de mon institution", choices=TRACK_STATES
    )
    financer = SelectField("Financeur", coerce=_coerce_int, validate_choice=True)
    departement = SelectField(
        "Département", choices={"": "Tous", **{c: c for c in IDF_DEPARTEMENTS}}, default=""
    )
    commune = StringField(
        "Commune",
        validators=[Optional(), Length(max=160)],
        description="Nom ou code INSEE, par exemple Égreville ou 77168.",
    )
    structure_type = SelectField(
        "Type de structure", choices={"": "Tous", **STRUCTURE_TYPES}, default=""
    )
    aid_type = SelectField("Type d'aide", choices={"": "Tous", **AID_TYPES}, default="")
    submitted_from = FrenchDateField("Déposé à partir du")
    submitted_to = FrenchDateField("Déposé jusqu'au")
    updated_from = FrenchDateField("Mis à jour à partir du")
    updated_to = FrenchDateField("Mis à jour jusqu'au")
    sort = SelectField("Trier par", choices=SORT_CHOICES, default="")
    direction = SelectField(
        "Ordre", choices={"desc": "Décroissant", "asc": "Croissant"}, default="desc"
    )

    def __init__(self, formdata, user: User) -> None:  # type: ignore[no-untyped-def]
        super().__init__(formdata)
        self.financer.choices = {
            "": "Tous mes financeurs",
            **{str(f.id): f.name for f in sorted(user.financers, key=lambda f: f.position)},
        }
        self.insee_code: str | None = None

    def validate_commune(self, field: StringField) -> None:
        from grants.services.communes import resolve_communes

        if not (field.data or "").strip():
            return
        resolution = resolve_communes([field.data])
        if resolution.errors:
            raise ValidationError(resolution.errors[0])
        self.insee_code = resolution.communes[0].insee_code

    def validate_submitted_to(self, field: FrenchDateField) -> None:
        _check_range(self.submitted_from.data, field.data)

    def validate_updated_to(self, field: FrenchDateField) -> None:
        _check_range(self.updated_from.data, field.data)

    def filters(self) -> Filters:
        """The validated criteria (call after ``validate()`` returned True)."""
        return Filters(
            tab=self.tab.data or "tous",
            q=(self.q.data or "").strip(),
            states=tuple(sorted(set(self.state.data or ()))),
            track_states=tuple(sorted(set(self.track_state.data or ()))),
            financer_id=self.financer.data,
            departement=self.departement.data or None,
            insee_code=self.insee_code,
            structure_type=self.structure_type.data or None,
            aid_type=self.aid_type.data or None,
            submitted_from=self.submitted_from.data,
            submitted_to=self.submitted_to.data,
            updated_from=self.updated_from.data,
            updated_to=self.updated_to.data,
            sort=self.sort.data or "",
            direction=self.direction.data or "desc",
        )


def _check_range(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise ValidationError("La date de fin précède la date de début.")
