"""Edits name the version they build on: ETag on GET, If-Match on PATCH (412 stale, 428 missing)."""

from __future__ import annotations

import pytest

from kde_community.extensions import db
from kde_community.practices.models import Practice
from kde_community.questions.models import Question

KINDS = [("questions", "make_question", Question, "title", "Een nieuwe titel voor dit"),
         ("practices", "make_practice", Practice, "summary", "Een nieuwe samenvatting.")]


@pytest.mark.parametrize(("kind", "factory", "model", "field", "text"), KINDS)
def test_etag_if_match_stale_and_missing(request, client, auth, api_error, kind, factory, model,
                                         field, text):
    user, headers = auth()
    item = request.getfixturevalue(factory)(author=user)
    url = f"/api/v1/{kind}/{item.id}"

    got = client.get(url, headers=headers)
    assert got.json["version"] == 1 and got.headers["ETag"] == '"1"'

    error = api_error(client.patch(url, headers=headers, json={field: text}), 428,
                      "precondition_required")
    assert "If-Match" in error["message"]

    edited = client.patch(url, headers={**headers, "If-Match": got.headers["ETag"]},
                          json={field: text})
    assert edited.status_code == 200, edited.json
    assert edited.json["version"] == 2 and edited.headers["ETag"] == '"2"'
    assert edited.json[field] == text
    assert client.get(url, headers=headers).headers["ETag"] == '"2"'

    # A second writer still holding version 1 loses, and nothing of theirs is written.
    for stale in ('"1"', '"0"', '"99"', 'W/"2"', "2", '"abc"', '"99999999999999999999999"'):
        api_error(client.patch(url, headers={**headers, "If-Match": stale},
                               json={field: "Overschreven tekst, hoort er niet"}), 412,
                  "precondition_failed")
    db.session.expire_all()
    current = db.session.get(model, item.id)
    assert getattr(current, field) == text and current.revision == 2

    # `*` and a list holding the current version both match.
    assert client.patch(url, headers={**headers, "If-Match": '"1", "2"'},
                        json={field: text + " Twee."}).json["version"] == 3
    assert client.patch(url, headers={**headers, "If-Match": "*"},
                        json={field: text + " Drie."}).json["version"] == 4


def test_unchanged_edit_keeps_the_version(client, auth, make_question):
    user, headers = auth()
    question = make_question(author=user)
    response = client.patch(f"/api/v1/questions/{question.id}",
                            headers={**headers, "If-Match": '"1"'}, json={"title": question.title})
    assert response.status_code == 200 and response.json["version"] == 1


def test_if_match_is_checked_after_permission(client, auth, make_question, api_error):
    """Someone else's question: 403 whatever the version (no hint about its history)."""
    _, headers = auth()
    question = make_question()
    for tag in ('"1"', '"7"'):
        api_error(client.patch(f"/api/v1/questions/{question.id}",
                               headers={**headers, "If-Match": tag},
                               json={"title": "Overgenomen titel!"}), 403)


def test_checks_come_in_order(client, auth, make_question, api_error):
    """Token, body, If-Match, then the view: an invalid body is refused as invalid whatever
    its headers. (The rate limit comes first of all: tests/security/test_rate_limits.py.)"""
    user, headers = auth()
    question = make_question(author=user)
    url = f"/api/v1/questions/{question.id}"
    api_error(client.patch(url, json={"title": 5}), 401)
    api_error(client.patch(url, headers=headers, json={"title": 5}), 422)
    api_error(client.patch(url, headers=headers, json={"title": "Een geldige nieuwe titel"}), 428)
