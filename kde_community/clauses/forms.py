"""Clause set forms: CSRF and rendering; the rules live in services.py."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from ..accounts.forms import MultiCheckboxField
from ..web import EditForm


class SetForm(EditForm):
    title = StringField(_l("Titel van de set"))
    purpose = TextAreaField(_l("Doel: waarvoor gebruikt een inkoper deze bepalingen?"))
    purchase_kind = SelectField(_l("Soort inkoop"), validate_choice=False)
    visibility = RadioField(_l("Wie mag de set zien?"), validate_choice=False)


class NewSetForm(SetForm):
    """A new set, optionally with its first clause (prefilled from an obligation page)."""

    first_heading = StringField(_l("Kop van de eerste bepaling"))
    first_text = TextAreaField(_l("Tekst van de eerste bepaling"))
    first_obligations = MultiCheckboxField(_l("Verplichtingen die de eerste bepaling uitvoert"),
                                           validate_choice=False)


class StatusForm(FlaskForm):
    status = SelectField(_l("Nieuwe status"), validate_choice=False)
    until = StringField(_l("Open voor voorstellen tot en met"))


class ParticipantForm(FlaskForm):
    organisation = SelectField(_l("Organisatie"), validate_choice=False)
    role = SelectField(_l("Rol"), validate_choice=False)


class ClauseForm(EditForm):
    heading = StringField(_l("Kop"))
    text = TextAreaField(_l("Tekst van de bepaling"))
    explanation = TextAreaField(_l("Toelichting voor inkopers"))
    source_reference = StringField(_l("Bron of voorbeeld"))
    obligations = MultiCheckboxField(_l("Verplichtingen die deze bepaling uitvoert"),
                                     validate_choice=False)


class MoveForm(FlaskForm):
    number = StringField(_l("Verplaats naar nummer"))


class ReleaseForm(FlaskForm):
    label = StringField(_l("Naam van de release"))
    notes = TextAreaField(_l("Wat is er veranderd? (release-notities)"))


class SuggestionForm(FlaskForm):
    kind = RadioField(_l("Wat stelt u voor?"), validate_choice=False)
    clause_id = HiddenField()
    heading = StringField(_l("Kop"))
    text = TextAreaField(_l("Voorgestelde tekst"))
    explanation = TextAreaField(_l("Toelichting voor inkopers"))
    rationale = TextAreaField(_l("Waarom stelt u dit voor?"))


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Toelichting bij het besluit"))
