"""Editors' forms for laws and obligations: CSRF and rendering; the rules live in services.py.

Milestones and input moments are repeated rows (`milestones-0-date` …): the existing rows plus
empty ones to add, a "remove" box on each; no JavaScript needed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, Form, FormField, StringField, TextAreaField

from ..accounts.forms import MultiCheckboxField
from ..web import EditForm

MAX_ROWS = 100  # rows a posted form may carry; more is not a form a person filled in

INSTRUMENT_LABELS = {
    "regulation": _l("Verordening"),
    "directive": _l("Richtlijn"),
    "implementing_regulation": _l("Uitvoeringsverordening"),
    "delegated_regulation": _l("Gedelegeerde verordening"),
    "decision": _l("Besluit"),
}

# One line per role: what it means for the government reading the obligation.
ROLE_EXPLANATIONS = {
    "direct": _l("De bepaling richt zich tot de overheid zelf: zij moet iets doen of laten."),
    "procurement": _l("De plicht ligt bij een leverancier; de overheid neemt de eis op als zij "
                      "inkoopt."),
    "customer_right": _l("De overheid kan dit als klant van een leverancier vragen of "
                         "afdwingen."),
    "context": _l("Een plicht van de lidstaat of van een leverancier: goed om te weten, maar "
                  "de overheid voert haar niet zelf uit."),
}


class MilestoneRow(Form):
    kind = StringField(_l("Soort mijlpaal"))
    date = StringField(_l("Datum"))
    label = StringField(_l("Omschrijving in het Nederlands"))
    label_en = StringField(_l("Omschrijving in het Engels"))
    delete = BooleanField(_l("Verwijder deze mijlpaal"))


class InputRow(Form):
    title = StringField(_l("Titel in het Nederlands"))
    title_en = StringField(_l("Titel in het Engels"))
    opens = StringField(_l("Inbreng mogelijk vanaf"))
    closes = StringField(_l("Inbreng mogelijk tot en met"))
    where = StringField(_l("Webadres waar u inbreng geeft"))
    delete = BooleanField(_l("Verwijder dit moment"))


class LawForm(EditForm):
    slug = StringField(_l("Korte naam in het webadres"))
    short_name_nl = StringField(_l("Naam in het Nederlands"))
    short_name_en = StringField(_l("Naam in het Engels"))
    aliases = TextAreaField(_l("Andere namen"))
    abbreviations = TextAreaField(_l("Afkortingen"))
    full_title = TextAreaField(_l("Volledige titel"))
    celex = StringField(_l("CELEX-nummer"))
    instrument = StringField(_l("Soort wet"))
    stage = StringField(_l("Stand van zaken"))
    stage_note = TextAreaField(_l("Toelichting bij de stand van zaken"))
    summary = TextAreaField(_l("Samenvatting in het Nederlands"))
    summary_en = TextAreaField(_l("Samenvatting in het Engels"))
    dutch_implementation = TextAreaField(_l("Uitvoering in Nederland, in het Nederlands"))
    dutch_implementation_en = TextAreaField(_l("Uitvoering in Nederland, in het Engels"))
    themes = MultiCheckboxField(_l("Thema's"), validate_choice=False)
    amends = MultiCheckboxField(_l("Wijzigt deze wetten"), validate_choice=False)
    repeals = MultiCheckboxField(_l("Vervangt of trekt deze wetten in"), validate_choice=False)
    related = MultiCheckboxField(_l("Hangt samen met"), validate_choice=False)
    sources = TextAreaField(_l("Bronnen"))
    checked_on = StringField(_l("Gecontroleerd op"))
    milestones = FieldList(FormField(MilestoneRow), max_entries=MAX_ROWS)
    input_moments = FieldList(FormField(InputRow), max_entries=MAX_ROWS)
    reason = TextAreaField(_l("Waarom wijzigt u dit?"))


class ObligationForm(EditForm):
    key = StringField(_l("Sleutel in het webadres"))
    article = StringField(_l("Artikel"))
    title = StringField(_l("Titel in het Nederlands"))
    title_en = StringField(_l("Titel in het Engels"))
    description = TextAreaField(_l("Omschrijving in het Nederlands"))
    description_en = TextAreaField(_l("Omschrijving in het Engels"))
    role = StringField(_l("Wat vraagt deze bepaling van de overheid?"))
    addressee = StringField(_l("Tot wie richt de bepaling zich (in het Engels, zoals in de wet)"))
    applies_to = MultiCheckboxField(_l("Geldt voor"), validate_choice=False)
    applies_from = StringField(_l("Geldt vanaf"))
    applies_condition = TextAreaField(_l("Voorwaarde voor de start of de reikwijdte"))
    responsible_roles = TextAreaField(_l("Wie voert het uit"))
    sources = TextAreaField(_l("Bronnen"))
    checked_on = StringField(_l("Gecontroleerd op"))
    reason = TextAreaField(_l("Waarom wijzigt u dit?"))


# Field names as readers see them (history and conflict pages).
LAW_FIELD_LABELS = {
    "slug": _l("Korte naam in het webadres"),
    "short_name_nl": _l("Naam in het Nederlands"),
    "short_name_en": _l("Naam in het Engels"),
    "aliases": _l("Andere namen"),
    "abbreviations": _l("Afkortingen"),
    "full_title": _l("Volledige titel"),
    "celex": _l("CELEX-nummer"),
    "instrument": _l("Soort wet"),
    "stage": _l("Stand van zaken"),
    "stage_note": _l("Toelichting bij de stand van zaken"),
    "summary": _l("Samenvatting in het Nederlands"),
    "summary_en": _l("Samenvatting in het Engels"),
    "dutch_implementation": _l("Uitvoering in Nederland, in het Nederlands"),
    "dutch_implementation_en": _l("Uitvoering in Nederland, in het Engels"),
    "themes": _l("Thema's"),
    "amends": _l("Wijzigt deze wetten"),
    "repeals": _l("Vervangt of trekt deze wetten in"),
    "related": _l("Hangt samen met"),
    "sources": _l("Bronnen"),
    "checked_on": _l("Gecontroleerd op"),
    "milestones": _l("Mijlpalen"),
    "input_moments": _l("Momenten voor inbreng"),
}
OBLIGATION_FIELD_LABELS = {
    "key": _l("Sleutel in het webadres"),
    "article": _l("Artikel"),
    "title": _l("Titel in het Nederlands"),
    "title_en": _l("Titel in het Engels"),
    "description": _l("Omschrijving in het Nederlands"),
    "description_en": _l("Omschrijving in het Engels"),
    "role": _l("Wat vraagt deze bepaling van de overheid?"),
    "addressee": _l("Tot wie richt de bepaling zich"),
    "applies_to": _l("Geldt voor"),
    "applies_from": _l("Geldt vanaf"),
    "applies_condition": _l("Voorwaarde voor de start of de reikwijdte"),
    "responsible_roles": _l("Wie voert het uit"),
    "sources": _l("Bronnen"),
    "checked_on": _l("Gecontroleerd op"),
}
