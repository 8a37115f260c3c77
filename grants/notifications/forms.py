"""The notification preference form (input shape only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from grants.models.choices import NOTIFICATION_MODES


class PreferencesForm(FlaskForm):
    notification_mode = RadioField(
        "Recevoir les courriels de notification",
        choices=[SelectChoice(code, label) for code, label in NOTIFICATION_MODES.items()],
        validators=[InputRequired(message="Choisissez une fréquence.")],
    )
