"""The token holder."""

from __future__ import annotations

from flask import jsonify, url_for

from .core import require_actor, route
from .schemas import ref


@route("/me", summary="The member this token belongs to", tag="accounts", auth=True,
       response_schema=ref("Me"))
def me():
    user = require_actor()
    return jsonify({"id": user.id, "name": user.name, "organisation": user.organisation.slug,
                    "role": user.role,
                    "url": url_for("accounts.member", user_id=user.id, _external=True)})
