"""The search page /zoeken."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import ValidationError
from ..extensions import limiter
from ..laws.services import all_themes, list_laws
from ..pagination import page_args
from . import services

bp = Blueprint("search", __name__)

TYPE_LABELS = {
    "question": _l("Vraag"),
    "practice": _l("Praktijk"),
    "organisation": _l("Organisatie"),
    "network": _l("Netwerk"),
    "frontrunner": _l("Voorloper"),
    "law": _l("Wet"),
    "obligation": _l("Verplichting"),
    "clause_set": _l("Inkoopvoorwaarden"),
    "fund": _l("Fonds"),
    "event": _l("Evenement"),
}
OUTCOME_LABELS = {"success": _l("Geslaagd"), "mixed": _l("Deels geslaagd"), "failure": _l("Mislukt")}
FILTER_ARGS = {"type": "type", "theme": "themes", "law": "laws", "org_type": "org_type",
               "outcome": "outcome"}


def search_args(args) -> tuple[str, dict, str, int, int]:
    """Query, filters, sort and paging from request arguments (HTML and API share it)."""
    page, per_page = page_args(args)
    sort = args.get("sort", "relevance")
    if sort not in ("relevance", "date"):
        raise ValidationError({"sort": "relevance | date"})
    filters = {field: (args.get(arg) or "")[:80] for arg, field in FILTER_ARGS.items()}
    return args.get("q", ""), {k: v for k, v in filters.items() if v}, sort, page, per_page


def search_limit() -> str:
    """Requests per client for everything that searches (HTML, API, similar questions)."""
    return current_app.config["KDE_SEARCH_LIMIT"]


@bp.get("/zoeken")
@limiter.limit(search_limit)
def index():
    errors = {}
    try:
        text, filters, sort, page, per_page = search_args(request.args)
    except ValidationError as exc:
        errors = exc.fields
        text, filters, sort, page, per_page = request.args.get("q", ""), {}, "relevance", 1, 20
    searched = bool(text.strip() or filters)
    results = services.search(current_user, text, filters=filters, sort=sort, page=page,
                              per_page=per_page, autocorrect=True) if searched else None
    locale = str(get_locale() or "nl")
    labels = {
        "type": {k: str(v) for k, v in TYPE_LABELS.items()},
        "themes": {t.slug: t.name(locale) for t in all_themes()},
        "laws": {law.slug: law.short_name(locale) for law in list_laws()},
        "outcome": {k: str(v) for k, v in OUTCOME_LABELS.items()},
    }
    from ..templating import ORG_TYPE_LABELS

    labels["org_type"] = {k: str(v) for k, v in ORG_TYPE_LABELS.items()}
    active = {arg: request.args.get(arg) for arg in FILTER_ARGS if request.args.get(arg)}
    return render_template("search/index.html", q=text, results=results, result=results,
                           labels=labels, active=active, sort=sort, errors=errors,
                           notices=services.notices(results) if results else [],
                           facet_args={v: k for k, v in FILTER_ARGS.items()})
