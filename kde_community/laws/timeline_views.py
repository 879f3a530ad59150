"""The timeline of laws, proposals and input moments, and the law feeds (iCalendar, Atom)."""

from __future__ import annotations

from urllib.parse import urljoin

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import feeds
from ..errors import NotFound
from ..templating import MILESTONE_LABELS
from . import services, timeline
from .calendar import build_calendar

bp = Blueprint("timeline", __name__, url_prefix="/wetgeving")

CALENDAR_TYPE = "text/calendar; charset=utf-8"
FEED_AUTHOR = "KDE Community redactie"
FEED_SIZE = 50

# What changed, in words, for the titles of the changes feed (field names of
# services.LAW_FIELDS and OBLIGATION_FIELDS).
FIELD_LABELS = {
    "short_name_nl": _l("naam"),
    "short_name_en": _l("Engelse naam"),
    "aliases": _l("andere namen"),
    "abbreviations": _l("afkortingen"),
    "full_title": _l("officiële titel"),
    "celex": _l("CELEX-nummer"),
    "instrument": _l("soort wet"),
    "stage": _l("stand van zaken"),
    "stage_note": _l("toelichting op de stand van zaken"),
    "summary": _l("samenvatting"),
    "summary_en": _l("Engelse samenvatting"),
    "dutch_implementation": _l("uitvoering in Nederland"),
    "dutch_implementation_en": _l("Engelse tekst over de uitvoering in Nederland"),
    "themes": _l("thema's"),
    "amends": _l("wetten die het voorstel wijzigt"),
    "repeals": _l("wetten die het voorstel intrekt"),
    "related": _l("verwante wetten"),
    "sources": _l("bronnen"),
    "checked_on": _l("controledatum"),
    "milestones": _l("mijlpalen"),
    "input_moments": _l("momenten voor inbreng"),
    "article": _l("artikel"),
    "title": _l("titel"),
    "title_en": _l("Engelse titel"),
    "description": _l("omschrijving"),
    "description_en": _l("Engelse omschrijving"),
    "role": _l("wat de bepaling van de overheid vraagt"),
    "addressee": _l("voor wie de bepaling geldt"),
    "applies_to": _l("soorten overheden"),
    "applies_from": _l("startdatum"),
    "applies_condition": _l("voorwaarde voor de start"),
    "responsible_roles": _l("wie het uitvoert"),
}


def _locale() -> str:
    return str(get_locale() or "nl")


def kind_label(kind: str) -> str:
    """A timeline entry's kind in words (milestone kinds and the ends of input moments)."""
    label = MILESTONE_LABELS.get(kind) or timeline.INPUT_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def _feed_args(filters: timeline.TimelineFilters) -> dict:
    args = filters.args()
    if _locale() == "en":
        args["lang"] = "en"
    return args


@bp.get("/tijdlijn")
def index():
    today = services.today()
    laws = timeline.load_laws()
    themes = services.all_themes()
    filters, errors = timeline.parse_filters(
        request.args, themes=[t.slug for t in themes], laws=[law.slug for law in laws])
    view = request.args.get("weergave") or "tijdlijn"
    if view not in timeline.VIEWS:
        errors["weergave"] = _("Kies als weergave ‘tijdlijn’ of ‘tabel’; u ziet nu de tijdlijn.")
        view = "tijdlijn"
    shown = timeline.filter_laws(laws, filters, today)
    items = timeline.entries(shown)
    feed_args = _feed_args(filters)
    return render_template(
        "laws/timeline.html",
        today=today,
        view=view,
        filters=filters,
        errors=errors,
        themes=themes,
        law=next((law for law in laws if law.slug == filters.law), None),
        laws=shown,
        items=items,
        groups=timeline.by_year(items, today),
        pipeline=timeline.pipeline(shown),
        soon=timeline.soon(shown, today),
        open_inputs=[(law, i) for law in shown for i in law.input_moments if i.is_open(today)],
        org_types=timeline.ORG_TYPES,
        stages=timeline.STAGES,
        pipeline_value=timeline.PIPELINE,
        kind_label=kind_label,
        channel=timeline.input_channel,
        calendar_url=url_for("timeline.calendar", **feed_args),
        changes_url=url_for("timeline.changes_feed", **({"lang": "en"}
                                                        if _locale() == "en" else {})),
    )


@bp.get("/tijdlijn.ics")
def calendar():
    """Milestones and input moments as a calendar, for the same filters as the page (and `wet`
    for one law). A filter value we do not know is a calendar that does not exist: 404."""
    today = services.today()
    laws = timeline.load_laws()
    themes = services.all_themes()
    filters, errors = timeline.parse_filters(
        request.args, themes=[t.slug for t in themes], laws=[law.slug for law in laws])
    if errors:
        raise NotFound(" ".join(errors.values()))
    shown = timeline.filter_laws(laws, filters, today)
    locale = _locale()
    name = _("Tijdlijn Europese digitale wetgeving")
    if filters.law:
        name = f"{name}: {shown[0].short_name(locale)}" if shown else name
    body = build_calendar(
        shown, locale=locale, name=f"KDE Community — {name}",
        law_url=lambda law: url_for("laws.detail", slug=law.slug, _external=True))
    response = Response(body, content_type=CALENDAR_TYPE)
    response.headers["Content-Disposition"] = 'inline; filename="tijdlijn.ics"'
    return response


def _change_title(change: timeline.LawChange, locale: str) -> str:
    law_name = change.law.short_name(locale)
    if change.obligation is not None:
        what = f"{law_name}, {change.obligation.article}"
        if change.created:
            return _("%(law)s: nieuwe verplichting %(article)s — %(title)s", law=law_name,
                     article=change.obligation.article,
                     title=change.obligation.title_for(locale) or change.obligation.title)
    else:
        what = law_name
        if change.created:
            return _("%(law)s: toegevoegd aan het overzicht", law=law_name)
    fields = ", ".join(str(FIELD_LABELS.get(f, f)) for f in change.fields)
    return _("%(what)s: %(fields)s gewijzigd", what=what, fields=fields)


def _change_summary(change: timeline.LawChange) -> str:
    reason = change.revision.reason.strip() or _("Bijgewerkt uit de referentiegegevens.")
    return _("%(reason)s (gewijzigde velden: %(fields)s)", reason=reason,
             fields=", ".join(change.fields))


@bp.get("/wijzigingen.atom")
def changes_feed():
    """The latest changes to laws and obligations: what changed and why."""
    locale = _locale()
    changes = timeline.law_changes(FEED_SIZE)
    entries = []
    for change in changes:
        if change.obligation is not None:
            link = urljoin(url_for("site.home", _external=True), change.obligation.url)
        else:
            link = url_for("laws.detail", slug=change.law.slug, _external=True)
        entries.append(feeds.AtomEntry(
            id=f"urn:kde-community:revision:{change.revision.id}",
            title=_change_title(change, locale), updated=change.revision.created_at,
            link=link, summary=_change_summary(change), author=FEED_AUTHOR))
    body = feeds.atom_feed(
        id="urn:kde-community:feed:law-changes",
        title=_("KDE Community: wijzigingen in Europese wetgeving"),
        subtitle=_("Nieuwe data, fasen, inbrengmomenten en verplichtingen, met de reden van "
                   "elke wijziging."),
        link=url_for("timeline.index", _external=True),
        self_link=url_for("timeline.changes_feed", _external=True,
                          **({"lang": "en"} if locale == "en" else {})),
        author=FEED_AUTHOR, entries=entries, language=locale)
    return Response(body, content_type=feeds.CONTENT_TYPE)

