"""The piece upload form: which piece, for which financer (optional), the file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired

from grants.forms.fields import optional_int


class PieceUploadForm(FlaskForm):
    piece_code = SelectField(
        "Pièce justificative",
        validators=[DataRequired(message="Choisissez la pièce que vous déposez.")],
    )
    financer_id = SelectField(
        "Cofinanceur concerné",
        coerce=optional_int,
        description="Seulement pour une pièce propre à un cofinanceur.",
    )
    file = FileField(
        "Fichier",
        validators=[FileRequired(message="Choisissez un fichier à déposer.")],
        description="PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX.",
    )

    def set_choices(
        self, pieces: list[tuple[str, str]], financers: list[tuple[int | str, str]]
    ) -> PieceUploadForm:
        self.piece_code.choices = [("", "— Choisir —"), *pieces]
        self.financer_id.choices = [("", "Tous les cofinanceurs"), *financers]
        return self
