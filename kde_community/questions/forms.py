"""Q&A forms: CSRF and rendering; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from ..accounts.forms import MultiCheckboxField


class QuestionForm(FlaskForm):
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


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Uw antwoord"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Reactie"))


class FlagForm(FlaskForm):
    reason = SelectField(_l("Waarom meldt u dit?"), validate_choice=False)
    note = StringField(_l("Toelichting voor de moderator"))


class HideForm(FlaskForm):
    reason = StringField(_l("Reden (zichtbaar voor de schrijver)"))


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


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token and an optional value."""

    value = HiddenField()
