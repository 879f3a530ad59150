"""Full-text search."""

from __future__ import annotations

from ..links import base_url
from ..ratelimits import setting
from ..search import services
from . import schemas
from .core import api_actor, iso, route

FILTERS = {"type": "type", "theme": "themes", "law": "laws", "org_type": "org_type",
           "outcome": "outcome"}


@route("/search", summary="Search everything you may see (bounded; see notices)", tag="search",
       query=schemas.SearchQuery, response=schemas.SearchResults,
       description="Queries are bounded (README, Search); what a bound cut is listed in "
                   "`notices` as {code, message} with status 200, e.g. `too_broad` with the "
                   "hits found within the time budget.",
       limit=setting("KDE_SEARCH_LIMIT"))
def search(query: schemas.SearchQuery):
    filters = {field: getattr(query, arg) for arg, field in FILTERS.items() if getattr(query, arg)}
    results = services.search(api_actor(), query.q, filters=filters, sort=query.sort,
                              page=query.page, per_page=query.per_page)
    base = base_url()
    return {
        "items": [{"type": h.type, "id": h.id, "title": h.title, "url": base + h.url,
                   "snippet": str(h.snippet), "organisation": h.org_name or None,
                   "date": iso(h.date)} for h in results.items],
        "total": results.total, "page": results.page, "per_page": results.per_page,
        "facets": {name: [{"value": v, "count": n} for v, n in counts]
                   for name, counts in results.facets.items()},
        "suggestion": results.suggestion,
        "notices": services.notices(results),
    }
