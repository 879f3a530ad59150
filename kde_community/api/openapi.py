"""The OpenAPI 3 document, generated from the registered routes."""

from __future__ import annotations

import re

from flask import jsonify, url_for

from .core import OPERATIONS, route
from .schemas import COMPONENTS, ref

STATUS_TEXT = {
    200: "OK", 201: "Created", 400: "Malformed JSON", 401: "No or invalid token",
    403: "Not allowed", 404: "Absent or not visible to you", 409: "Conflict",
    412: "Stale If-Match", 413: "Too large", 415: "Not JSON", 422: "Validation failed",
    428: "If-Match missing", 429: "Rate limited",
}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def replace(match):
        converter, name = match.group(1), match.group(2)
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", replace, rule)
    return "/api/v1" + path, params


def build_document() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, path_params = _path(op.rule)
        responses = {
            "200" if op.method != "POST" else "201": {
                "description": "OK",
                "content": {"application/json": {"schema": op.response_schema or {}}},
            }
        }
        for status in sorted({*op.responses, *(() if not op.auth else (401,))}):
            responses[str(status)] = {
                "description": STATUS_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": ref("Error")}},
            }
        operation = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": path_params + op.parameters,
            "responses": responses,
        }
        if op.auth:
            operation["security"] = [{"bearer": []}]
        if op.request_schema:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": op.request_schema}},
            }
        paths.setdefault(path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "KDE Community API",
            "version": "1",
            "description": "Questions, practices, organisations, networks, laws and clauses of "
                           "KDE Community. Without a token, reads see public content only.",
        },
        "servers": [{"url": url_for("site.home", _external=True).rstrip("/")}],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@route("/openapi.json", summary="This document", tag="meta")
def openapi():
    return jsonify(build_document())
