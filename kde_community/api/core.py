"""The /api/v1 blueprint: bearer tokens, JSON bodies, and the OpenAPI registry every route joins."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, g, request
from flask_babel import gettext as _

from ..accounts.models import User
from ..errors import DomainError
from ..extensions import csrf
from ..pagination import Page

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token auth only: the API never reads the session cookie, so it needs no CSRF token.
csrf.exempt(bp)


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class BadRequest(DomainError):
    status = 400
    code = "bad_request"


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    parameters: list[dict] = field(default_factory=list)
    request_schema: dict | None = None
    response_schema: dict | None = None
    auth: bool = False
    tag: str = ""
    responses: tuple[int, ...] = ()


OPERATIONS: list[Operation] = []


def route(rule: str, method: str = "GET", *, summary: str, tag: str, params: list[dict] = (),
          request_schema: dict | None = None, response_schema: dict | None = None,
          auth: bool = False, responses: tuple[int, ...] = ()):
    """Register a view on the blueprint and describe it in the OpenAPI document at once."""

    def decorator(view):
        endpoint = view.__name__
        bp.add_url_rule(rule, endpoint, view, methods=[method])
        OPERATIONS.append(Operation(rule, method, endpoint, summary, list(params), request_schema,
                                    response_schema, auth, tag, responses))
        return view

    return decorator


@bp.before_request
def authenticate_bearer():
    """Resolve the bearer token; a present but unknown token is refused, even for reads."""
    from ..accounts.services import user_for_api_token

    g.api_user = None
    header = request.headers.get("Authorization")
    if header is None:
        return
    match = re.fullmatch(r"Bearer\s+(\S{1,200})", header.strip())
    user = user_for_api_token(match.group(1)) if match else None
    if user is None:
        raise Unauthorized(_("De API-sleutel ontbreekt, is ongeldig of is ingetrokken."))
    g.api_user = user


def api_actor() -> User | None:
    return g.get("api_user")


def require_actor() -> User:
    user = api_actor()
    if user is None:
        raise Unauthorized(_("Voor deze actie is een API-sleutel nodig."))
    return user


def json_body() -> dict[str, Any]:
    """The request's JSON object; 415 when it is not JSON, 400 when it does not parse."""
    if not request.is_json:
        raise UnsupportedMediaType(_("Stuur de gegevens als JSON (Content-Type: application/json)."))
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body we accept
        data = None
    if not isinstance(data, dict):
        raise BadRequest(_("De JSON kon niet worden gelezen; verwacht wordt één object."))
    return data


def check_fields(data: dict, allowed: set[str]) -> None:
    """Refuse fields the route does not know, rather than silently ignoring them."""
    from ..errors import ValidationError

    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationError({k: _("Onbekend veld.") for k in unknown})


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def page_json(page: Page, serialize) -> dict:
    return {"items": [serialize(item) for item in page.items], "total": page.total,
            "page": page.page, "per_page": page.per_page}


def not_found():
    abort(404)
