"""Practice write-ups, with attachments as permission-checked download links."""

from __future__ import annotations

from flask import url_for

from ..content.services import StaleEdit
from ..permissions import can_see_practice_author
from ..practices import services
from ..practices.models import SECTIONS, Practice
from ..ratelimits import setting
from . import schemas
from .core import (
    PreconditionFailed,
    api_actor,
    etag,
    if_match_revision,
    iso,
    page_json,
    require_actor,
    route,
    stale_message,
)

WRITE_LIMIT = setting("KDE_API_WRITE_LIMIT")


def practice_json(practice: Practice) -> dict:
    viewer = api_actor()
    named = can_see_practice_author(viewer, practice)
    data = {
        "id": practice.id,
        "title": practice.title,
        **{name: getattr(practice, name) for name in SECTIONS},
        "outcome": practice.outcome,
        "failure_causes": list(practice.failure_causes),
        "period": practice.period,
        "effort": practice.effort,
        "visibility": practice.visibility,
        "anonymous": practice.anonymous,
        "themes": [t.slug for t in practice.themes],
        "laws": [law.slug for law in practice.laws],
        "obligations": [o.id for o in practice.obligations],
        "organisation": ({"slug": practice.organisation.slug, "name": practice.organisation.name,
                          "type": practice.organisation.type} if named else
                         {"name": practice.public_byline(), "type": practice.organisation.type}),
        "author": {"name": practice.author.name} if named else None,
        "useful": practice.useful_count,
        "experienced": practice.experienced_count,
        "attachments": [
            {"id": a.id, "name": a.download_name(n), "type": a.kind, "size": a.size,
             "url": url_for("practices.download", practice_id=practice.id, attachment_id=a.id,
                            _external=True)}
            for n, a in enumerate(services.visible_attachments(practice), start=1)],
        "followups": [{"date": iso(f.created_at), "body": f.body} for f in practice.followups],
        "version": practice.revision,
        "url": url_for("practices.detail", practice_id=practice.id, _external=True),
        "created_at": iso(practice.created_at),
        "updated_at": iso(practice.updated_at),
    }
    return data


@route("/practices", summary="List practice write-ups you may see", tag="practices",
       query=schemas.PracticeQuery, response=schemas.page_of(schemas.Practice))
def list_practices(query: schemas.PracticeQuery):
    filters = services.PracticeFilters.from_args(query.model_dump(exclude_none=True))
    return page_json(services.list_practices(api_actor(), filters, query.page, query.per_page),
                     practice_json)


@route("/practices", "POST", summary="Publish a practice write-up", tag="practices", auth=True,
       body=schemas.PracticeInput, response=schemas.Practice,
       limit=WRITE_LIMIT)
def create_practice(body: schemas.PracticeInput):
    return practice_json(services.write_practice(require_actor(), body.model_dump(exclude_unset=True)))


@route("/practices/<int:practice_id>", summary="One practice write-up", tag="practices",
       response=schemas.Practice, etag=True)
def get_practice(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, api_actor())
    return practice_json(practice), 200, etag(practice.revision)


@route("/practices/<int:practice_id>", "PATCH", summary="Edit a practice you wrote",
       tag="practices", auth=True, body=schemas.PracticePatch, response=schemas.Practice,
       if_match=True, etag=True,
       description="Send the fields to change and `If-Match` with the version you edited.",
       limit=WRITE_LIMIT)
def update_practice(practice_id: int, body: schemas.PracticePatch):
    actor = require_actor()
    practice = services.get_visible_practice_or_404(practice_id, actor)
    base = if_match_revision(practice.revision)
    try:
        services.edit_practice(actor, practice, body.model_dump(exclude_unset=True),
                               base_revision=base)
    except StaleEdit:
        raise PreconditionFailed(stale_message()) from None
    return practice_json(practice), 200, etag(practice.revision)
