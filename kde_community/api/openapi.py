"""The OpenAPI 3.1 document, generated from the registered operations and their models."""

from __future__ import annotations

import re

from flask import url_for

from ..dbtypes import MAX_INT
from .core import IDEMPOTENCY_HEADER, OPERATIONS, Operation, route
from .schemas import SLUG_PATTERN, Error, components, query_parameters, ref

STATUS_TEXT = {
    200: "OK", 201: "Created", 400: "Malformed JSON", 401: "No or invalid token",
    403: "Not allowed", 404: "Absent or not visible to you", 409: "Conflict",
    412: "Stale or unknown If-Match version", 413: "Too large", 415: "Not JSON",
    422: "Validation failed (`fields` names each refused field)",
    428: "If-Match missing", 429: "Rate limited",
}
# A key: printable ASCII, no space at either end (HTTP would strip it).
KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"


def path_of(rule: str) -> tuple[str, list[dict]]:
    """The OpenAPI path of a Flask rule and its path parameters."""
    params = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
        else:
            schema = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 120}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule)
    return "/api/v1" + path, params


def _operation(op: Operation) -> dict:
    path_params = path_of(op.rule)[1]
    headers = []
    if op.if_match:
        headers.append({"name": "If-Match", "in": "header", "required": True,
                        "description": 'The version the edit builds on: `"<version>"` from the '
                                       "`ETag` of a GET (or `*`). Stale: 412; missing: 428.",
                        "schema": {"type": "string", "pattern": r'^("[0-9]{1,19}"|\*)$'}})
    if op.idempotent_post:
        headers.append({"name": IDEMPOTENCY_HEADER, "in": "header", "required": False,
                        "description": "The same key from the same member within 24 hours "
                                       "returns the first result instead of creating a second "
                                       "item; with another body it is refused (422).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                                   "pattern": KEY_PATTERN}})
    success = {"description": STATUS_TEXT[op.status],
               "content": {"application/json": {"schema": ref(op.response) if op.response
                                                else {"type": "object"}}}}
    if op.etag:
        success["headers"] = {"ETag": {"required": True, "description": '`"<version>"`',
                                       "schema": {"type": "string"}}}
    if op.idempotent_post:
        success["headers"] = {"Idempotent-Replayed": {
            "description": "`true` when this is the stored result of an earlier request",
            "schema": {"type": "string", "enum": ["true"]}}}
    responses = {str(op.status): success}
    for status in op.statuses():
        if status != op.status:
            responses[str(status)] = {
                "description": STATUS_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": ref(Error)}},
            }
    operation = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": path_params + (query_parameters(op.query) if op.query else []) + headers,
        "responses": responses,
        # Reads work without a token (public content only); writes need one.
        "security": [{"bearer": []}] if op.auth else [{}, {"bearer": []}],
    }
    if op.description:
        operation["description"] = op.description
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(op.body)}},
        }
    return operation


def schema_components() -> dict:
    """Every request and response model of the registered operations, as JSON Schema."""
    inputs = list(dict.fromkeys(op.body for op in OPERATIONS if op.body))
    outputs = list(dict.fromkeys([Error, *(op.response for op in OPERATIONS if op.response)]))
    return components(inputs, outputs)


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(path_of(op.rule)[0], {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "KDE Community API",
            "version": "1",
            "description": "Questions, practices, organisations, networks, laws and clauses of "
                           "KDE Community. Without a token, reads see public content only. "
                           "Error messages are in Dutch; add `?lang=en` for English.",
        },
        "servers": [{"url": url_for("site.home", _external=True).rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": schema_components(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@route("/openapi.json", summary="This document", tag="meta")
def openapi():
    return build_document()
