"""Account forms. They carry CSRF and render fields; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"))
    password = PasswordField(_l("Wachtwoord"))


class RegisterForm(FlaskForm):
    name = StringField(_l("Naam"))
    email = EmailField(_l("E-mailadres van uw werk"))
    organisation = SelectField(_l("Organisatie"), validate_choice=False)
    password = PasswordField(_l("Wachtwoord"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mailadres"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("Nieuw wachtwoord"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Huidig wachtwoord"))
    password = PasswordField(_l("Nieuw wachtwoord"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    name = StringField(_l("Naam"))
    job_title = StringField(_l("Functie"))
    expertise = MultiCheckboxField(_l("Expertise"), validate_choice=False)


class TokenForm(FlaskForm):
    label = StringField(_l("Omschrijving"))
