"""Login, registration and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

MIN_PASSWORD = 12


class LoginForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(), Email()])
    password = PasswordField("Mot de passe", validators=[DataRequired()])


class NewPasswordMixin:
    password = PasswordField(
        "Mot de passe",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message="Au moins 12 caractères."),
        ],
        description="12 caractères au minimum.",
    )
    password_confirm = PasswordField(
        "Confirmation du mot de passe",
        validators=[
            DataRequired(),
            EqualTo("password", message="Les deux mots de passe ne sont pas identiques."),
        ],
    )


class RegisterForm(NewPasswordMixin, FlaskForm):
    full_name = StringField("Nom et prénom", validators=[DataRequired(), Length(max=160)])
    email = EmailField(
        "Adresse électronique", validators=[DataRequired(), Email(), Length(max=254)]
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Adresse électronique", validators=[DataRequired(), Email()])


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass
