"""Login, registration and password reset are rate limited (tested with valid CSRF tokens)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_from, make_config


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
    from tests.conftest import PASSWORD

    response = post_with_token(client, "/inloggen", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_successful_logins_do_not_count(client, make_user):
    from tests.conftest import PASSWORD

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
