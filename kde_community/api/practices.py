"""Practice write-ups, with attachments as permission-checked download links."""

from __future__ import annotations

from flask import current_app, jsonify, request, url_for

from ..extensions import limiter
from ..pagination import page_args
from ..permissions import can_see_practice_author
from ..practices import services
from ..practices.models import SECTIONS, Practice
from .core import api_actor, check_fields, iso, json_body, page_json, require_actor, route
from .schemas import PAGE_PARAMS, page_of, ref

WRITABLE = {"title", *SECTIONS, "outcome", "failure_causes", "period", "effort", "visibility",
            "anonymous", "themes", "laws", "obligations", "co_authors"}


def _write_limit():
    return current_app.config["KDE_API_WRITE_LIMIT"]


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
        "url": url_for("practices.detail", practice_id=practice.id, _external=True),
        "created_at": iso(practice.created_at),
        "updated_at": iso(practice.updated_at),
    }
    return data


@route("/practices", summary="List practice write-ups you may see", tag="practices",
       params=PAGE_PARAMS + [
           {"name": name, "in": "query", "schema": {"type": "string"}}
           for name in ("outcome", "theme", "law", "obligation", "type", "size", "sort")
       ], response_schema=page_of("Practice"), responses=(401, 422))
def list_practices():
    page, per_page = page_args(request.args)
    filters = services.PracticeFilters.from_args(request.args)
    return jsonify(page_json(services.list_practices(api_actor(), filters, page, per_page),
                             practice_json))


@route("/practices", "POST", summary="Publish a practice write-up", tag="practices", auth=True,
       request_schema=ref("PracticeInput"), response_schema=ref("Practice"),
       responses=(400, 415, 422, 429))
@limiter.limit(_write_limit)
def create_practice():
    actor = require_actor()
    data = json_body()
    check_fields(data, WRITABLE)
    return jsonify(practice_json(services.write_practice(actor, data))), 201


@route("/practices/<int:practice_id>", summary="One practice write-up", tag="practices",
       response_schema=ref("Practice"), responses=(401, 404))
def get_practice(practice_id: int):
    return jsonify(practice_json(services.get_visible_practice_or_404(practice_id, api_actor())))


@route("/practices/<int:practice_id>", "PATCH", summary="Edit a practice you wrote",
       tag="practices", auth=True, request_schema=ref("PracticePatch"),
       response_schema=ref("Practice"), responses=(400, 403, 404, 415, 422, 429))
@limiter.limit(_write_limit)
def update_practice(practice_id: int):
    actor = require_actor()
    practice = services.get_visible_practice_or_404(practice_id, actor)
    data = json_body()
    check_fields(data, WRITABLE)
    services.edit_practice(actor, practice, data)
    return jsonify(practice_json(practice))
