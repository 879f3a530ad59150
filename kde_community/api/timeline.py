"""The timeline of laws and proposals, and input moments: the same filters as the page
(/wetgeving/tijdlijn), with English argument names and values."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import url_for
from pydantic import Field

from ..laws import services, timeline
from ..laws.models import STAGES, InputMoment
from ..pagination import Page
from .core import iso, page_json, route
from .schemas import OrgType, Output, PageQuery, QueryBool, Slug, page_of

PIPELINE = "pipeline"
Stage = Literal[(PIPELINE, *STAGES)]  # type: ignore[valid-type]
TimelineKind = Literal[timeline.ENTRY_KINDS]  # type: ignore[valid-type]


# --- schemas --------------------------------------------------------------------------------

class TimelineQuery(PageQuery):
    theme: Slug | None = Field(default=None, description="Laws tagged with this theme")
    law: Slug | None = Field(default=None, description="One law (its slug)")
    org_type: OrgType | None = Field(default=None, description="Laws with an obligation for "
                                     "this organisation type, and all proposals")
    stage: Stage | None = Field(default=None, description="Laws in this stage; `pipeline` is "
                                "proposal or negotiation")
    input_open: QueryBool = Field(default=False, description="Only laws with an input moment "
                                  "open today")
    applies_within_12_months: QueryBool = Field(
        default=False, description="Only laws that (partly) start to apply within 12 months: "
        "an application or Dutch implementation milestone, or an obligation's start")


class InputMomentQuery(PageQuery):
    open: QueryBool | None = Field(default=None, description="true: open today; false: not "
                                   "open today (not yet, or closed)")


class TimelineInputMoment(Output):
    id: int
    opens: date
    closes: date | None
    where: str = Field(description="Where to give input (an address), or empty")
    is_open: bool


class TimelineItem(Output):
    date: date
    kind: TimelineKind = Field(description="A milestone kind, or `input_opens` / "
                               "`input_closes` for the two ends of an input moment")
    law: str = Field(description="Law slug")
    law_name: str
    law_name_en: str
    stage: str = Field(description="The law's current stage")
    label: str = Field(description="What happens, in Dutch (an input moment's title)")
    label_en: str
    url: str = Field(description="The law's page")
    input_moment: TimelineInputMoment | None


class InputMomentItem(Output):
    id: int
    law: str = Field(description="Law slug")
    title: str
    title_en: str
    opens: date
    closes: date | None
    where: str
    is_open: bool
    url: str = Field(description="The law's page")


# --- views ----------------------------------------------------------------------------------

def _moment_json(moment: InputMoment, today: date) -> dict:
    return {"id": moment.id, "opens": iso(moment.opens), "closes": iso(moment.closes),
            "where": moment.where, "is_open": moment.is_open(today)}


def _item_json(entry: timeline.Entry, today: date) -> dict:
    law = entry.law
    return {
        "date": iso(entry.date),
        "kind": entry.kind,
        "law": law.slug,
        "law_name": law.short_name_nl,
        "law_name_en": law.short_name_en,
        "stage": law.stage,
        "label": entry.label("nl"),
        "label_en": entry.label("en"),
        "url": url_for("laws.detail", slug=law.slug, _external=True),
        "input_moment": _moment_json(entry.input_moment, today) if entry.is_input else None,
    }


def _page(items: list, query: PageQuery) -> Page:
    start = (query.page - 1) * query.per_page
    return Page(items[start:start + query.per_page], len(items), query.page, query.per_page)


@route("/timeline", summary="Milestones and input moments of laws and proposals, by date",
       tag="laws", query=TimelineQuery, response=page_of(TimelineItem))
def get_timeline(query: TimelineQuery):
    today = services.today()
    filters = timeline.TimelineFilters(
        law=query.law, theme=query.theme, org_type=query.org_type,
        stage=timeline.PIPELINE if query.stage == PIPELINE else query.stage,
        input_open=query.input_open, applies_soon=query.applies_within_12_months)
    laws = timeline.filter_laws(timeline.load_laws(), filters, today)
    return page_json(_page(timeline.entries(laws), query),
                     lambda entry: _item_json(entry, today))


@route("/input-moments", summary="Moments to give input on laws and proposals",
       tag="laws", query=InputMomentQuery, response=page_of(InputMomentItem))
def list_input_moments(query: InputMomentQuery):
    today = services.today()

    def as_json(moment: InputMoment) -> dict:
        return {"id": moment.id, "law": moment.law.slug, "title": moment.title,
                "title_en": moment.title_en, "opens": iso(moment.opens),
                "closes": iso(moment.closes), "where": moment.where,
                "is_open": moment.is_open(today),
                "url": url_for("laws.detail", slug=moment.law.slug, _external=True)}

    return page_json(_page(timeline.input_moments(today, query.open), query), as_json)
