"""The token holder."""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask_babel import gettext as _

from ..accounts import services
from ..accounts.models import User
from ..errors import ValidationError
from ..extensions import limiter
from .core import check_fields, json_body, require_actor, route
from .schemas import ref


def me_json(user: User) -> dict:
    return {"id": user.id, "name": user.name, "organisation": user.organisation.slug,
            "job_title": user.job_title, "expertise": [t.slug for t in user.expertise],
            "role": user.role,
            "url": url_for("accounts.member", user_id=user.id, _external=True)}


@route("/me", summary="The member this token belongs to", tag="accounts", auth=True,
       response_schema=ref("Me"))
def me():
    return jsonify(me_json(require_actor()))


@route("/me", "PATCH", summary="Change your own name, job title or expertise themes",
       tag="accounts", auth=True, response_schema=ref("Me"), request_schema=ref("MeUpdate"),
       responses=(400, 415, 422, 429))
@limiter.limit(lambda: current_app.config["KDE_API_WRITE_LIMIT"])
def update_me():
    user = require_actor()
    data = json_body()
    check_fields(data, {"name", "job_title", "expertise"})
    if not isinstance(data.get("expertise", []), list) or not all(
            isinstance(v, str) for v in data.get("expertise", [])):
        raise ValidationError({"expertise": _("Geef een lijst met thema's (slugs).")})
    for key in ("name", "job_title"):
        if key in data and not isinstance(data[key], str):
            raise ValidationError({key: _("Geef hier tekst op.")})
    merged = {"name": user.name, "job_title": user.job_title,
              "expertise": [t.slug for t in user.expertise], **data}
    return jsonify(me_json(services.update_profile(user, merged)))
