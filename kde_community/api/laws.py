"""Laws with their milestones, input moments and obligations; obligations on their own."""

from __future__ import annotations

from datetime import date

from flask import url_for

from ..errors import NotFound
from ..extensions import db
from ..laws import services
from ..laws.models import InputMoment, Law, LawMilestone, Obligation
from ..links import base_url
from ..pagination import Page
from . import schemas
from .core import iso, page_json, route


def obligation_json(ob: Obligation) -> dict:
    return {
        "id": ob.id,
        "key": ob.key,
        "law": ob.law.slug,
        "article": ob.article,
        "title": ob.title,
        "title_en": ob.title_en,
        "description": ob.description,
        "description_en": ob.description_en,
        "role": ob.role,
        "addressee": ob.addressee,
        "applies_to": ob.applies_to,
        "applies_from": iso(ob.applies_from),
        "applies_condition": ob.applies_condition,
        "responsible_roles": ob.responsible_roles,
        "sources": ob.sources,
        "checked_on": iso(ob.checked_on),
        "version": ob.revision,
        # The obligation's page: the same path as its HTML link, on the configured origin.
        "url": base_url() + ob.url,
        "created_at": iso(ob.created_at),
        "updated_at": iso(ob.updated_at),
    }


def milestone_json(m: LawMilestone) -> dict:
    return {"kind": m.kind, "date": iso(m.date), "label": m.label, "label_en": m.label_en}


def input_moment_json(moment: InputMoment, today: date) -> dict:
    return {"id": moment.id, "title": moment.title, "title_en": moment.title_en,
            "opens": iso(moment.opens), "closes": iso(moment.closes), "where": moment.where,
            "is_open": moment.is_open(today)}


def law_json(law: Law, today: date) -> dict:
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
        "stage_note": law.stage_note,
        "in_pipeline": law.in_pipeline,
        "summary": law.summary,
        "summary_en": law.summary_en,
        "dutch_implementation": law.dutch_implementation,
        "dutch_implementation_en": law.dutch_implementation_en,
        "themes": [t.slug for t in law.themes],
        "amends": list(law.amends or []),
        "repeals": list(law.repeals or []),
        "related": list(law.related or []),
        "sources": list(law.sources or []),
        "checked_on": iso(law.checked_on),
        "milestones": [milestone_json(m) for m in law.milestones],
        "input_moments": [input_moment_json(i, today) for i in law.input_moments],
        "obligations": [obligation_json(o) for o in law.obligations],
        "version": law.revision,
        "changed_at": iso(law.changed_at),
        "url": url_for("laws.detail", slug=law.slug, _external=True),
        "created_at": iso(law.created_at),
        "updated_at": iso(law.updated_at),
    }


def _matches(ob: Obligation, role: str | None, applies_to: str | None) -> bool:
    return (role is None or ob.role == role) and (applies_to is None or applies_to in ob.applies_to)


def _at_stage(law: Law, stage: str | None) -> bool:
    if stage is None:
        return True
    return law.in_pipeline if stage == schemas.PIPELINE else law.stage == stage


def _page(items: list, query: schemas.PageQuery, serialize) -> dict:
    start = (query.page - 1) * query.per_page
    return page_json(Page(items[start:start + query.per_page], len(items), query.page,
                          query.per_page), serialize)


@route("/laws", summary="List laws and proposals with their obligations", tag="laws",
       query=schemas.LawQuery, response=schemas.page_of(schemas.Law),
       description="By Dutch short name. Filters narrow the list of laws; each law keeps all "
                   "its obligations (`GET /obligations` lists matching obligations only).")
def list_laws(query: schemas.LawQuery):
    laws = [law for law in services.list_laws(theme=query.theme)
            if _at_stage(law, query.stage)
            and (query.role is None and query.applies_to is None
                 or any(_matches(o, query.role, query.applies_to) for o in law.obligations))]
    today = services.today()
    return _page(laws, query, lambda law: law_json(law, today))


@route("/laws/<slug>", summary="One law or proposal", tag="laws", response=schemas.Law)
def get_law(slug: str):
    return law_json(services.get_law_or_404(slug), services.today())


@route("/obligations", summary="List obligations: what each law asks of whom", tag="laws",
       query=schemas.ObligationQuery, response=schemas.page_of(schemas.Obligation),
       description="By law (Dutch short name), then as the law lists them.")
def list_obligations(query: schemas.ObligationQuery):
    # Keep the laws referenced: the session holds them weakly, and `obligation.law` would
    # otherwise load each one again.
    laws = [law for law in services.list_laws(theme=query.theme)
            if query.law is None or law.slug == query.law]
    obligations = [o for law in laws for o in law.obligations
                   if _matches(o, query.role, query.applies_to)]
    return _page(obligations, query, obligation_json)


@route("/obligations/<int:obligation_id>", summary="One obligation", tag="laws",
       response=schemas.Obligation)
def get_obligation(obligation_id: int):
    obligation = db.session.get(Obligation, obligation_id)
    if obligation is None:
        raise NotFound()
    return obligation_json(obligation)
