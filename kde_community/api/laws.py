"""Laws with their milestones, input moments and obligations."""

from __future__ import annotations

from flask import jsonify, request, url_for

from ..laws import services
from ..laws.models import Law, Obligation
from ..pagination import Page, page_args
from .core import iso, page_json, route
from .schemas import ORG_TYPES, PAGE_PARAMS, page_of, ref


def obligation_json(ob: Obligation) -> dict:
    return {
        "id": ob.id,
        "key": ob.key,
        "article": ob.article,
        "title": ob.title,
        "description": ob.description,
        "applies_to": ob.applies_to,
        "applies_from": iso(ob.applies_from),
        "responsible_roles": ob.responsible_roles,
    }


def law_json(law: Law) -> dict:
    return {
        "id": law.id,
        "slug": law.slug,
        "short_name": law.short_name_nl,
        "short_name_en": law.short_name_en,
        "aliases": law.aliases + [a for a in law.abbreviations if a not in law.aliases],
        "full_title": law.full_title,
        "celex": law.celex,
        "instrument": law.instrument,
        "stage": law.stage,
        "themes": [t.slug for t in law.themes],
        "milestones": [{"kind": m.kind, "date": iso(m.date), "label": m.label}
                       for m in law.milestones],
        "input_moments": [{"title": i.title, "opens": iso(i.opens), "closes": iso(i.closes),
                           "where": i.where} for i in law.input_moments],
        "obligations": [obligation_json(o) for o in law.obligations],
        "url": url_for("laws.detail", slug=law.slug, _external=True),
        "created_at": iso(law.created_at),
        "updated_at": iso(law.updated_at),
    }


@route("/laws", summary="List laws with their obligations", tag="laws",
       params=PAGE_PARAMS + [
           {"name": "theme", "in": "query", "schema": {"type": "string"}},
           {"name": "applies_to", "in": "query", "schema": {"type": "string", "enum": ORG_TYPES}},
       ], response_schema=page_of("Law"), responses=(422,))
def list_laws():
    page, per_page = page_args(request.args)
    applies_to = request.args.get("applies_to")
    laws = services.list_laws(theme=request.args.get("theme") or None,
                              applies_to=applies_to if applies_to in ORG_TYPES else None)
    start = (page - 1) * per_page
    return jsonify(page_json(Page(laws[start:start + per_page], len(laws), page, per_page),
                             law_json))


@route("/laws/<slug>", summary="One law", tag="laws", response_schema=ref("Law"),
       responses=(404,))
def get_law(slug: str):
    return jsonify(law_json(services.get_law_or_404(slug)))
