"""A message of the dossier thread: the text and optional attachments."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

BODY_MAX = 10000


class MessageForm(FlaskForm):
    body = TextAreaField(
        "Votre message",
        validators=[
            DataRequired(message="Écrivez votre message."),
            Length(max=BODY_MAX, message="10 000 caractères au maximum."),
        ],
    )
    files = MultipleFileField(
        "Pièces jointes (facultatif)",
        description="Jusqu'à 5 fichiers : PDF, PNG, JPEG, ODT, ODS, DOCX ou XLSX.",
    )

    def uploaded_files(self) -> list:  # type: ignore[type-arg]
        """The files actually chosen (browsers send one empty part when none is)."""
        return [f for f in self.files.data or [] if f and getattr(f, "filename", "")]
