"""Full-text search."""

from __future__ import annotations

from flask import jsonify, request

from ..extensions import limiter
from ..links import base_url
from ..search import services
from ..search.views import notices, search_args, search_limit
from .core import api_actor, iso, route
from .schemas import PAGE_PARAMS, ref


# Queries are bounded (README "Search"); what a bound cut is listed in `notices` as
# {code, message} with status 200, e.g. `too_broad` with the hits found within the time budget.
@route("/search", summary="Search everything you may see (bounded; see notices)", tag="search",
       params=PAGE_PARAMS + [
           {"name": name, "in": "query", "schema": {"type": "string"}}
           for name in ("q", "type", "theme", "law", "org_type", "outcome")
       ] + [{"name": "sort", "in": "query", "schema": {"type": "string",
                                                       "enum": ["relevance", "date"]}}],
       response_schema=ref("SearchResults"), responses=(401, 422, 429))
@limiter.limit(search_limit)
def search():
    text, filters, sort, page, per_page = search_args(request.args)
    results = services.search(api_actor(), text, filters=filters, sort=sort, page=page,
                              per_page=per_page)
    base = base_url()
    return jsonify({
        "items": [{"type": h.type, "id": h.id, "title": h.title, "url": base + h.url,
                   "snippet": str(h.snippet), "organisation": h.org_name or None,
                   "date": iso(h.date)} for h in results.items],
        "total": results.total, "page": results.page, "per_page": results.per_page,
        "facets": {name: [{"value": v, "count": n} for v, n in counts]
                   for name, counts in results.facets.items()},
        "suggestion": results.suggestion,
        "notices": notices(results),
    })
