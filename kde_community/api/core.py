"""The /api/v1 blueprint: bearer tokens, validated requests, and the registry of operations
from which the OpenAPI document is built.

`route()` declares an operation once: its query and body models (schemas.py), its response
model and its statuses. Before the view runs, the wrapper checks the token, validates the
query arguments and the JSON body against the models (a wrong type, a null, an unknown field
or a number beyond 64 bits is a 422 with field reasons, never a 500), and for a `POST`
replays an earlier result with the same `Idempotency-Key`. Views return a dict (or
`(dict, status)`, `(dict, status, headers)`); the wrapper turns it into JSON.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pydantic
from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from ..accounts.models import User
from ..dbtypes import as_int
from ..errors import DomainError, NotFound, ValidationError
from ..extensions import csrf, limiter
from ..pagination import Page
from .schemas import SLUG_PATTERN, Input, Output, Query

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


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    status = 428
    code = "precondition_required"


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    query: type[Query] | None = None
    body: type[Input] | None = None
    response: type[Output] | None = None
    status: int = 200
    auth: bool = False
    if_match: bool = False
    etag: bool = False
    errors: tuple[int, ...] = ()
    description: str = ""

    @property
    def idempotent_post(self) -> bool:
        return self.method == "POST" and self.auth

    def statuses(self) -> list[int]:
        """Every status this operation may answer, for the document and the conformance check."""
        found = {self.status, 401, 429, *self.errors}  # an invalid token is refused everywhere
        if "<" in self.rule:
            found.add(404)
        if self.query is not None:
            found.add(422)
        if self.body is not None:
            found.update((400, 413, 415, 422))
        if self.auth:
            found.add(403)
        if self.if_match:
            found.update((412, 428))
        if self.idempotent_post:
            found.update((409, 422))
        return sorted(found)


OPERATIONS: list[Operation] = []
IDEMPOTENCY_HEADER = "Idempotency-Key"
SLUG = re.compile(SLUG_PATTERN)


def route(rule: str, method: str = "GET", *, summary: str, tag: str,
          query: type[Query] | None = None, body: type[Input] | None = None,
          response: type[Output] | None = None, auth: bool = False, if_match: bool = False,
          etag: bool = False, errors: tuple[int, ...] = (), description: str = "",
          limit: Callable[[], str] | None = None):
    """Register a view on the blueprint, validating its input, and describe it in the OpenAPI
    document at once. The view receives the validated `query=` and `body=` models.

    Order: the rate `limit` (429), the token (401), query arguments and body (415, 400, 422),
    `If-Match` present (428), then the view (404, 403, 412 …); a POST with an
    `Idempotency-Key` runs the view only once per member and key.
    """

    def decorator(view):
        op = Operation(rule, method, view.__name__, summary, tag, query, body, response,
                       201 if method == "POST" else 200, auth, if_match, etag, errors,
                       description)

        @functools.wraps(view)
        def wrapper(**kwargs):
            actor = require_actor() if op.auth else None
            if any(isinstance(value, str) and (len(value) > 120 or not SLUG.fullmatch(value))
                   for value in kwargs.values()):
                raise NotFound()  # no slug looks like this (and NUL never reaches PostgreSQL)
            if op.query is not None:
                kwargs["query"] = validate(op.query, request.args.to_dict(flat=True))
            if op.body is not None:
                kwargs["body"] = validate(op.body, json_body())
            if op.if_match and request.headers.get("If-Match") is None:
                raise PreconditionRequired(_(
                    'Stuur de versie waarop deze wijziging voortbouwt mee in de header '
                    'If-Match: "<version>".'))
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if op.idempotent_post and key is not None:
                return _idempotent(actor, key, lambda: _as_result(view(**kwargs), op.status))
            return _respond(*_as_result(view(**kwargs), op.status))

        if limit is not None:
            wrapper = limiter.limit(limit)(wrapper)
        bp.add_url_rule(rule, op.endpoint, wrapper, methods=[method])
        OPERATIONS.append(op)
        return wrapper

    return decorator


def operation_for(endpoint: str | None, method: str) -> Operation | None:
    name = (endpoint or "").removeprefix(bp.name + ".")
    return next((op for op in OPERATIONS if op.endpoint == name and op.method == method), None)


# --- results --------------------------------------------------------------------------------

def _as_result(value, status: int) -> tuple[int, dict, dict]:
    """A view's `dict`, `(dict, status)` or `(dict, status, headers)` as (status, body, headers)."""
    if isinstance(value, tuple):
        body, status, *rest = value
        return status, body, (rest[0] if rest else {})
    return status, value, {}


def _respond(status: int, body: dict, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _idempotent(actor: User, key: str, run):
    """The first result of this member's request with this key (within 24 hours), or run it."""
    from .. import idempotency

    key = idempotency.valid_key(key)
    if key is None:
        raise ValidationError({"idempotency_key": _(
            "Geef als Idempotency-Key hoogstens %(n)d leesbare tekens.", n=idempotency.KEY_MAX)})
    fingerprint = idempotency.fingerprint({"method": request.method, "path": request.path,
                                           "body": request.get_json(silent=True)})
    ran = {}

    def first_run() -> tuple[int, dict]:
        status, body, ran["headers"] = run()
        return status, body

    status, body = idempotency.replay_or_run("api", actor.id, key, first_run, fingerprint)
    headers = ran.get("headers")
    if headers is None:  # not run now: an earlier request's result
        headers = {"Idempotent-Replayed": "true"}
    return _respond(status, body, headers)


# --- input ----------------------------------------------------------------------------------

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


def validate(model: type[pydantic.BaseModel], data: dict):
    """`data` as `model`, or a ValidationError naming each refused field in the reader's language."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ValidationError(field_errors(exc)) from None
    except RecursionError:  # a structure nested too deep to walk
        raise BadRequest(_("De JSON is te diep genest.")) from None


def field_errors(exc: pydantic.ValidationError) -> dict[str, str]:
    """Pydantic's errors as `{field: reason}`, the first reason per top-level field."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False):
        loc = error.get("loc") or ("body",)
        name = str(loc[0])
        if name in fields:
            continue
        reason = _reason(error)
        item = next((part for part in loc[1:] if isinstance(part, int)), None)
        if item is not None:
            reason = _("Waarde %(n)d: %(reason)s", n=item + 1, reason=reason)
        fields[name] = reason
    return fields


def _reason(error: dict) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing":
        return _("Dit veld is verplicht.")
    if kind == "extra_forbidden":
        return _("Onbekend veld.")
    if kind == "string_type":
        return _("Geef hier tekst op.")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("Dit veld is verplicht.")
        return _("Gebruik minstens %(n)d tekens.", n=ctx.get("min_length", 1))
    if kind == "string_too_long":
        return _("Gebruik hoogstens %(n)d tekens.", n=ctx.get("max_length", 0))
    if kind == "string_pattern_mismatch":
        return _("Gebruik alleen kleine letters, cijfers en streepjes.")
    if kind == "text_characters":
        return _("Deze tekst bevat tekens die niet zijn toegestaan.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Geef een geheel getal.")
    if kind == "greater_than_equal":
        return _("Geef een getal van minstens %(n)s.", n=ctx.get("ge"))
    if kind == "less_than_equal":
        return _("Geef een getal van hoogstens %(n)s.", n=ctx.get("le"))
    if kind in ("bool_type", "bool_parsing"):
        return _("Geef true of false.")
    if kind in ("literal_error", "enum"):
        return _("Kies een van: %(values)s.", values=ctx.get("expected", ""))
    if kind == "list_type":
        return _("Geef een lijst.")
    if kind == "too_long":
        return _("Geef hoogstens %(n)d waarden.", n=ctx.get("max_length", 0))
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return _("Geef een object.")
    return _("Deze waarde is ongeldig.")


def if_match_revision(current: int) -> int:
    """The revision an edit builds on, from `If-Match: "<version>"` (strong entity tags).

    `*` names the current revision; a list matches when it holds the current one. A header
    that names no revision at all can never match: 412, like a stale one.
    """
    header = request.headers.get("If-Match", "").strip()
    if header == "*":
        return current
    tags = [tag.strip() for tag in header.split(",")]
    numbers = [as_int(tag[1:-1], minimum=1) if re.fullmatch(r'"[0-9]{1,20}"', tag) else None
               for tag in tags]
    if current in numbers:
        return current
    if len(numbers) == 1 and numbers[0] is not None:
        return numbers[0]  # stale: the service refuses it in the same transaction as the write
    raise PreconditionFailed(stale_message())


def stale_message() -> str:
    return _("Iemand anders heeft dit intussen gewijzigd. Haal de nieuwe versie op (GET) en "
             "stuur uw wijziging opnieuw met die versie in If-Match.")


def etag(version: int) -> dict:
    return {"ETag": f'"{version}"'}


# --- output ---------------------------------------------------------------------------------

def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def page_json(page: Page, serialize) -> dict:
    return {"items": [serialize(item) for item in page.items], "total": page.total,
            "page": page.page, "per_page": page.per_page}
