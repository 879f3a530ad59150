"""Fixtures of the API tests: members with tokens, and the check of the JSON error format."""

from __future__ import annotations

import pytest

from kde_community.accounts.services import create_token
from kde_community.extensions import db


@pytest.fixture
def auth(make_user):
    """`auth(user=None)` → (user, headers with a fresh bearer token)."""

    def make(user=None, **kwargs):
        user = user or make_user(**kwargs)
        _, secret = create_token(user, "test")
        db.session.commit()
        return user, {"Authorization": f"Bearer {secret}"}

    return make


def _assert_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["status"] == status and error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.fixture
def api_error():
    """`api_error(response, status, code=None)` → the error object, after checking its form."""
    return _assert_error
