"""Public Atom feeds: new questions and practices, and per law, theme, content type and
organisation. Announced with `<link rel="alternate">` on the page each feed belongs to."""

from __future__ import annotations

from flask import Blueprint, Response
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import feeds as atom
from ..links import absolute_url
from . import feeds

bp = Blueprint("feeds", __name__)

FEED_AUTHOR = "KDE Community"


def _locale() -> str:
    return str(get_locale() or "nl")


def _feed(endpoint: str, values: dict, *, title: str, subtitle: str, page: str,
          page_values: dict, filters: feeds.Filters) -> Response:
    """The feed's id is its own address (without a language), so a reader that switches
    language keeps one feed."""
    locale = _locale()
    lang = {"lang": "en"} if locale == "en" else {}
    body = atom.atom_feed(
        id=absolute_url(endpoint, **values), title=title, subtitle=subtitle,
        link=absolute_url(page, **page_values, **lang),
        self_link=absolute_url(endpoint, **values, **lang),
        author=FEED_AUTHOR, entries=feeds.newest_entries(filters), language=locale)
    return Response(body, content_type=atom.CONTENT_TYPE)


@bp.get("/feeds/nieuw.atom")
def new():
    return _feed("feeds.new", {}, title=_("KDE Community: nieuwe vragen en praktijken"),
                 subtitle=_("De nieuwste openbare vragen en praktijken van gemeenten, "
                            "provincies en waterschappen."),
                 page="site.home", page_values={}, filters=feeds.NEW)


@bp.get("/vragen/feed.atom")
def questions():
    return _feed("feeds.questions", {}, title=_("KDE Community: nieuwe vragen"),
                 subtitle=_("De nieuwste openbare vragen aan collega's."),
                 page="questions.index", page_values={}, filters=feeds.only("question"))


@bp.get("/praktijken/feed.atom")
def practices():
    return _feed("feeds.practices", {}, title=_("KDE Community: nieuwe praktijken"),
                 subtitle=_("De nieuwste openbare praktijken, ook wat misging."),
                 page="practices.index", page_values={}, filters=feeds.only("practice"))


@bp.get("/inkoopvoorwaarden/feed.atom")
def clause_sets():
    return _feed("feeds.clause_sets", {}, title=_("KDE Community: nieuwe inkoopvoorwaarden"),
                 subtitle=_("De nieuwste openbare sets inkoopvoorwaarden die overheden samen "
                            "schrijven."),
                 page="clauses.index", page_values={}, filters=feeds.only("clause_set"))


@bp.get("/wetgeving/<slug>/feed.atom")
def law(slug: str):
    found = feeds.law_or_404(slug)
    name = found.short_name(_locale())
    return _feed("feeds.law", {"slug": found.slug},
                 title=_("KDE Community: nieuw over %(law)s", law=name),
                 subtitle=_("Openbare vragen, praktijken en inkoopvoorwaarden over %(law)s en "
                            "de verplichtingen daarin.", law=name),
                 page="laws.detail", page_values={"slug": found.slug},
                 filters=feeds.about_law(found))


@bp.get("/feeds/thema/<slug>.atom")
def theme(slug: str):
    found = feeds.theme_or_404(slug)
    name = found.name(_locale())
    return _feed("feeds.theme", {"slug": found.slug},
                 title=_("KDE Community: nieuw over het thema %(theme)s", theme=name),
                 subtitle=_("Openbare vragen en praktijken over %(theme)s.", theme=name),
                 page="questions.index", page_values={"thema": found.slug},
                 filters=feeds.about_theme(found))


@bp.get("/organisaties/<slug>/feed.atom")
def organisation(slug: str):
    found = feeds.organisation_or_404(slug)
    return _feed("feeds.organisation", {"slug": found.slug},
                 title=_("KDE Community: nieuw van %(organisation)s", organisation=found.name),
                 subtitle=_("Wat collega's van %(organisation)s openbaar hebben gedeeld.",
                            organisation=found.name),
                 page="directory.organisation", page_values={"slug": found.slug},
                 filters=feeds.of_organisation(found))
