"""Confirming the submission of a dossier: only the version the promoter saw can be filed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput


class SubmitForm(FlaskForm):
    lock_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
