"""Practice forms: CSRF and rendering; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from ..accounts.forms import MultiCheckboxField
from ..web import EditForm


class PracticeForm(EditForm):
    title = StringField(_l("Titel"))
    summary = TextAreaField(_l("Samenvatting"))
    context = TextAreaField(_l("Situatie van de organisatie"))
    goal = TextAreaField(_l("Doel"))
    approach = TextAreaField(_l("Aanpak"))
    result = TextAreaField(_l("Resultaat"))
    what_went_wrong = TextAreaField(_l("Wat ging er mis"))
    lessons = TextAreaField(_l("Geleerde lessen"))
    recommendations = TextAreaField(_l("Aanbevelingen voor anderen"))
    outcome = RadioField(_l("Uitkomst"), validate_choice=False)
    failure_causes = MultiCheckboxField(_l("Oorzaken van wat misging"), validate_choice=False)
    period = StringField(_l("Periode"))
    effort = StringField(_l("Inzet en kosten (indicatie)"))
    visibility = RadioField(_l("Wie mag de praktijk zien?"), validate_choice=False)
    anonymous = BooleanField(_l("Anoniem publiceren"))
    co_authors = StringField(_l("Mede-auteurs uitnodigen (e-mailadressen, gescheiden door komma's)"))
    themes = MultiCheckboxField(_l("Thema's"), validate_choice=False)
    laws = MultiCheckboxField(_l("Wetten"), validate_choice=False)
    obligations = MultiCheckboxField(_l("Verplichtingen"), validate_choice=False)
    attachment = FileField(_l("Bijlage"))


class AttachmentForm(FlaskForm):
    attachment = FileField(_l("Bijlage toevoegen"))


class FollowUpForm(FlaskForm):
    followup = TextAreaField(_l("Hoe staat het er nu voor?"))
