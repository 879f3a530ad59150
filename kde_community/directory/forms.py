"""Forms of the directory's own pages: an organisation's profile and mail domains, admin
requests and frontrunner topics. Validation proper is in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from ..web import EditForm


class OrganisationForm(EditForm):
    description = TextAreaField(_l("Over de organisatie"))
    website = StringField(_l("Website"))
    province = SelectField(_l("Provincie"), validate_choice=False)
    inhabitants = StringField(_l("Aantal inwoners"))
    area_km2 = StringField(_l("Oppervlakte in km²"))


class DomainForm(FlaskForm):
    domain = StringField(_l("E-maildomein"))


class AdminRequestForm(FlaskForm):
    motivation = TextAreaField(_l("Toelichting voor de moderator"))


class FrontrunnerForm(EditForm):
    subject = SelectField(_l("Onderwerp"), validate_choice=False)
    summary = TextAreaField(_l("Wat heeft uw organisatie gedaan?"))
    practice = SelectField(_l("Praktijkverhaal"), validate_choice=False)
    contact = SelectField(_l("Contactpersoon"), validate_choice=False)
    open_to_collaboration = BooleanField(_l("Open voor samenwerking"))
