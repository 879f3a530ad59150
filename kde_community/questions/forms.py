"""Q&A forms: CSRF and rendering; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField

from ..accounts.forms import MultiCheckboxField
from ..web import EditForm


class QuestionForm(EditForm):
    title = StringField(_l("Uw vraag in één zin"))
    body = TextAreaField(_l("Toelichting"))
    visibility = RadioField(_l("Wie mag de vraag zien?"), validate_choice=False)
    VISIBILITY_OPTIONS = (
        ("public", _l("Iedereen (openbaar)")),
        ("members", _l("Alleen ingelogde leden")),
    )
    themes = MultiCheckboxField(_l("Thema's"), validate_choice=False)
    laws = MultiCheckboxField(_l("Wetten"), validate_choice=False)
    obligations = MultiCheckboxField(_l("Verplichtingen"), validate_choice=False)


class AnswerForm(EditForm):
    body = TextAreaField(_l("Uw antwoord"))


class CloseForm(FlaskForm):
    reason = RadioField(_l("Reden"), validate_choice=False)
    REASON_OPTIONS = (
        ("duplicate", _l("Dubbele vraag")),
        ("off_topic", _l("Past niet op dit platform")),
    )
    duplicate_of = StringField(_l("Nummer van de oorspronkelijke vraag"))
    note = StringField(_l("Toelichting"))


class PickForm(FlaskForm):
    note = TextAreaField(_l("Waarom deze vraag? (niet verplicht)"))
