"""The response check that runs under every test: a drift between a view and its declared
schema fails the test that caused it."""

from __future__ import annotations

import json

import pytest
from flask import Response

from kde_community.api.conformance import ResponseMismatch, check_response
from kde_community.api.core import OPERATIONS, operation_for


def respond(status: int, body) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


ME = {"id": 1, "name": "A", "organisation": "utrecht", "job_title": "", "expertise": [],
      "role": "member", "url": "http://localhost/leden/1"}


def test_a_response_must_match_its_declared_schema(app):
    op = operation_for("api.me", "GET")
    check_response(op, respond(200, ME))
    for body in ({**ME, "email": "lek@example.nl"},  # an undeclared field
                 {k: v for k, v in ME.items() if k != "role"},  # a missing one
                 {**ME, "id": "1"}):  # a wrong type
        with pytest.raises(ResponseMismatch):
            check_response(op, respond(200, body))
    with pytest.raises(ResponseMismatch, match="does not declare"):
        check_response(op, respond(409, {"error": {"status": 409, "code": "conflict",
                                                   "message": "x"}}))
    with pytest.raises(ResponseMismatch, match="Error"):
        check_response(op, respond(401, {"message": "no"}))
    with pytest.raises(ResponseMismatch, match="not JSON"):
        check_response(op, Response("<html>", status=200, mimetype="text/html"))


def test_every_operation_declares_its_models(app):
    for op in OPERATIONS:
        assert op.response is not None or op.endpoint == "openapi", op.endpoint
        if op.method in ("POST", "PATCH", "PUT"):
            assert op.body is not None and op.auth, op.endpoint
        if op.response is not None and op.response.__name__.endswith("Page"):
            assert op.query is not None, op.endpoint  # page and per_page at least


def test_the_checker_is_on_in_tests(app, client, auth, monkeypatch):
    """A view that answers more than it declares fails the request under test."""
    from kde_community.api import accounts

    _, headers = auth()
    original = accounts.me_json
    monkeypatch.setattr(accounts, "me_json", lambda user: {**original(user), "password_hash": "x"})
    with pytest.raises(ResponseMismatch, match="password_hash"):
        client.get("/api/v1/me", headers=headers)
