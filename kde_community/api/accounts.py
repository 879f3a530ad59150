"""The token holder."""

from __future__ import annotations

from flask import url_for

from ..accounts import services
from ..accounts.models import User
from ..ratelimits import setting
from . import schemas
from .core import require_actor, route


def me_json(user: User) -> dict:
    return {"id": user.id, "name": user.name, "organisation": user.organisation.slug,
            "job_title": user.job_title, "expertise": [t.slug for t in user.expertise],
            "role": user.role,
            "url": url_for("accounts.member", user_id=user.id, _external=True)}


@route("/me", summary="The member this token belongs to", tag="accounts", auth=True,
       response=schemas.Me)
def me():
    return me_json(require_actor())


@route("/me", "PATCH", summary="Change your own name, job title or expertise themes",
       tag="accounts", auth=True, body=schemas.MeUpdate, response=schemas.Me,
       limit=setting("KDE_API_WRITE_LIMIT"))
def update_me(body: schemas.MeUpdate):
    user = require_actor()
    merged = {"name": user.name, "job_title": user.job_title,
              "expertise": [t.slug for t in user.expertise], **body.model_dump(exclude_unset=True)}
    return me_json(services.update_profile(user, merged))
