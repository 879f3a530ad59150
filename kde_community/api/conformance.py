"""In tests, every API response is checked against the operation's declared schema.

Active when the app is TESTING (unless `KDE_API_CHECK_RESPONSES` is False): a status the
operation does not declare, a body that is not JSON, or a body its schema does not describe
raises `ResponseMismatch`, so any test that touches the API (not only the API tests) notices
when a view and its documentation drift apart.
"""

from __future__ import annotations

import json
from functools import cache

from flask import current_app, request

from .core import Operation, bp, operation_for
from .schemas import Error, ref


class ResponseMismatch(AssertionError):
    """A response the OpenAPI document does not describe."""


@cache
def _document_schemas() -> dict:
    from .openapi import schema_components

    return schema_components()


@cache
def _validator(schema_name: str):
    from jsonschema import Draft202012Validator, FormatChecker  # a test dependency

    schema = {"$ref": f"#/components/schemas/{schema_name}",
              "components": {"schemas": _document_schemas()}}
    return Draft202012Validator(schema, format_checker=FormatChecker())


def check_response(op: Operation, response) -> None:
    if response.status_code not in op.statuses():
        raise ResponseMismatch(f"{op.method} {op.rule} answered {response.status_code}, which "
                               f"its OpenAPI operation does not declare ({op.statuses()})")
    if response.mimetype != "application/json":
        raise ResponseMismatch(f"{op.method} {op.rule} answered {response.mimetype}, not JSON")
    model = op.response if response.status_code == op.status else Error
    if model is None:
        return
    body = json.loads(response.get_data())
    name = ref(model)["$ref"].rsplit("/", 1)[1]
    errors = sorted(_validator(name).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}"
                           for e in errors[:5])
        raise ResponseMismatch(f"{op.method} {op.rule} {response.status_code} does not match "
                               f"{name}: {detail}")


@bp.after_request
def check_declared_response(response):
    config = current_app.config
    if config.get("TESTING") and config.get("KDE_API_CHECK_RESPONSES", True):
        op = operation_for(request.endpoint, request.method)
        if op is not None and op.endpoint != "openapi":
            check_response(op, response)
    return response
