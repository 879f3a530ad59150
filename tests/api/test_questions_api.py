"""The questions API: happy paths and every error status."""

from __future__ import annotations

import pytest

from kde_community.accounts.services import create_token
from kde_community.extensions import db
from kde_community.questions.models import Answer, Question
from tests.helpers import count


@pytest.fixture
def auth(make_user):
    def make(user=None):
        user = user or make_user()
        _, secret = create_token(user)
        return user, {"Authorization": f"Bearer {secret}"}

    return make


def test_create_get_patch_answer(client, auth, make_law, api_error):
    assert_error = api_error
    law = make_law()
    user, headers = auth()
    response = client.post("/api/v1/questions", headers=headers, json={
        "title": "Hoe vullen jullie art. 26 in?", "body": "Concreet: **logging**.",
        "laws": [law.slug], "obligations": [law.obligations[1].id], "visibility": "members"})
    assert response.status_code == 201
    q = response.json
    assert q["laws"] == ["ai-act"] and q["obligations"] == [law.obligations[1].id]
    assert q["url"].endswith(f"/vragen/{q['id']}") and q["visibility"] == "members"
    assert q["organisation"]["slug"] == user.organisation.slug
    # Members-only: invisible without a token
    assert_error(client.get(f"/api/v1/questions/{q['id']}"), 404)
    assert client.get(f"/api/v1/questions/{q['id']}", headers=headers).json["id"] == q["id"]

    response = client.patch(f"/api/v1/questions/{q['id']}", headers={**headers, "If-Match": '"1"'},
                            json={"title": "Hoe vullen jullie artikel 26 in?"})
    assert response.status_code == 200 and response.json["title"].startswith("Hoe vullen jullie artikel")
    assert response.json["body"] == "Concreet: **logging**."
    assert response.json["version"] == 2 and response.headers["ETag"] == '"2"'

    _, other = auth()
    response = client.post(f"/api/v1/questions/{q['id']}/answers", headers=other,
                           json={"body": "Wij loggen zes maanden."})
    assert response.status_code == 201 and response.json["question_id"] == q["id"]
    full = client.get(f"/api/v1/questions/{q['id']}", headers=headers).json
    assert [a["body"] for a in full["answers"]] == ["Wij loggen zes maanden."]
    listing = client.get("/api/v1/questions", headers=headers).json
    assert listing["total"] == 1 and listing["items"][0]["answer_count"] == 1


def test_errors_change_nothing(client, auth, make_question, make_user, api_error):
    assert_error = api_error
    user, headers = auth()
    mine = make_question(author=user)
    theirs = make_question()
    edit = {**headers, "If-Match": '"1"'}
    before = (count(Question), count(Answer), [(q.title, q.body) for q in
                                               db.session.scalars(db.select(Question))])
    cases = [
        (client.post, "/api/v1/questions", {"json": {"title": "Zonder token nee", "body": "x"}}, 401),
        (client.post, "/api/v1/questions", {"headers": headers, "data": "{kapot",
                                           "content_type": "application/json"}, 400),
        (client.post, "/api/v1/questions", {"headers": headers, "data": "title=x"}, 415),
        (client.post, "/api/v1/questions", {"headers": headers, "json": {"title": "", "body": ""}}, 422),
        (client.post, "/api/v1/questions", {"headers": headers, "json": {"title": "x" * 300,
                                                                        "body": "x"}}, 422),
        (client.post, "/api/v1/questions", {"headers": headers, "json": {
            "title": "Een geldige titel hier", "body": "x" * 100_001}}, 422),
        (client.post, "/api/v1/questions", {"headers": headers, "json": {
            "title": "Een geldige titel hier", "body": "x", "laws": ["nep"]}}, 422),
        (client.post, "/api/v1/questions", {"headers": headers, "json": {
            "title": "Een geldige titel hier", "body": "x", "onbekend": 1}}, 422),
        (client.patch, f"/api/v1/questions/{theirs.id}", {"headers": edit,
                                                          "json": {"title": "Overgenomen titel!"}}, 403),
        (client.patch, f"/api/v1/questions/{mine.id}", {"headers": edit, "json": {"title": 5}}, 422),
        (client.patch, "/api/v1/questions/99999", {"headers": edit,
                                                   "json": {"title": "Een geldige titel"}}, 404),
        (client.post, "/api/v1/questions/99999/answers", {"headers": headers, "json": {"body": "x"}}, 404),
        (client.post, f"/api/v1/questions/{mine.id}/answers",
         {"headers": headers, "json": {"body": ""}}, 422),
        (client.post, f"/api/v1/questions/{mine.id}/answers", {"json": {"body": "x"}}, 401),
        (client.get, "/api/v1/questions?sort=raar", {}, 422),
        (client.get, "/api/v1/questions?per_page=500", {}, 422),
    ]
    for method, path, kwargs, status in cases:
        assert_error(method(path, **kwargs), status)
    db.session.expire_all()
    assert before == (count(Question), count(Answer), [(q.title, q.body) for q in
                                                       db.session.scalars(db.select(Question))])
