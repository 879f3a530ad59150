"""Login, registration and password reset are rate limited (tested with valid CSRF tokens)."""

from __future__ import annotations

import pytest

from tests.helpers import csrf_from, make_config


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=True)


def post_with_token(client, path, data):
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_sixth_failed_login_in_a_minute_gets_429(client, make_user):
    user = make_user()
    for _ in range(5):
        response = post_with_token(client, "/inloggen", {"email": user.email, "password": "fout" * 4})
        assert response.status_code == 422
    response = post_with_token(client, "/inloggen", {"email": user.email, "password": "fout" * 4})
    assert response.status_code == 429
    assert "te vaak geprobeerd" in response.get_data(as_text=True)
    # Even the right password waits until the minute is over
    from tests.helpers import PASSWORD

    response = post_with_token(client, "/inloggen", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_successful_logins_do_not_count(client, make_user):
    from tests.helpers import PASSWORD

    user = make_user()
    for _ in range(7):
        response = post_with_token(client, "/inloggen", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        client.post("/uitloggen", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})


def test_password_reset_is_limited(client, make_user):
    user = make_user()
    statuses = [post_with_token(client, "/wachtwoord-vergeten", {"email": user.email}).status_code
                for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429


def test_registration_is_limited(client, make_org):
    make_org(slug="utrecht", domains=["utrecht.nl"])
    statuses = []
    for i in range(11):
        statuses.append(post_with_token(client, "/registreren", {
            "name": "Eva", "email": f"eva{i}@utrecht.nl", "organisation": "utrecht",
            "password": "een-lange-zin-over-waterschappen"}).status_code)
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_api_writes_are_rate_limited(app, client, make_user):
    from kde_community.accounts.services import create_token

    app.config["KDE_API_WRITE_LIMIT"] = "3 per minute"
    _, secret = create_token(make_user())
    headers = {"Authorization": f"Bearer {secret}"}
    statuses = [client.post("/api/v1/questions", headers=headers, json={
        "title": f"Vraag nummer {i} over de AVG", "body": "x"}).status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]
    response = client.post("/api/v1/questions", headers=headers, json={})
    assert response.status_code == 429 and response.json["error"]["code"] == "rate_limited"


def test_posting_answers_is_rate_limited(app, client, make_user, make_question):
    from tests.helpers import login, submit

    app.config["KDE_POST_LIMIT"] = "2 per minute"
    question = make_question()
    login(client, make_user().email)
    statuses = [submit(client, f"/vragen/{question.id}", {"body": f"Antwoord {i}"},
                       action=f"/vragen/{question.id}/antwoorden").status_code for i in range(3)]
    assert statuses == [302, 302, 429]
