"""The account form shown to an invited colleague who has no account yet (email is fixed)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from grants.forms.auth import NewPasswordMixin


class AcceptInvitationForm(NewPasswordMixin, FlaskForm):
    full_name = StringField("Nom et prénom", validators=[DataRequired(), Length(max=160)])
