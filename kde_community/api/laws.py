"""Laws with their milestones, input moments and obligations."""

from __future__ import annotations

from flask import url_for

from ..laws import services
from ..laws.models import Law, Obligation
from ..pagination import Page
from . import schemas
from .core import iso, page_json, route


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


@route("/laws", summary="List laws with their obligations", tag="laws", query=schemas.LawQuery,
       response=schemas.page_of(schemas.Law))
def list_laws(query: schemas.LawQuery):
    laws = services.list_laws(theme=query.theme, applies_to=query.applies_to)
    start = (query.page - 1) * query.per_page
    return page_json(Page(laws[start:start + query.per_page], len(laws), query.page,
                          query.per_page), law_json)


@route("/laws/<slug>", summary="One law", tag="laws", response=schemas.Law)
def get_law(slug: str):
    return law_json(services.get_law_or_404(slug))
