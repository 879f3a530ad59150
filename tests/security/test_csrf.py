"""Every state-changing form refuses a missing or wrong CSRF token and changes nothing."""

from __future__ import annotations

import pytest

from kde_community.accounts.models import ApiToken, User, UserSession
from kde_community.extensions import db
from tests.helpers import PASSWORD, login


@pytest.fixture
def app_config(tmp_path):
    from tests.helpers import make_config

    return make_config(tmp_path, WTF_CSRF_ENABLED=True)


def snapshot():
    db.session.expire_all()
    users = [(u.id, u.name, u.job_title, u.password_hash, u.approval)
             for u in db.session.scalars(db.select(User).order_by(User.id))]
    tokens = [(t.id, t.revoked_at) for t in db.session.scalars(db.select(ApiToken))]
    sessions = [(s.id, s.revoked_at) for s in db.session.scalars(db.select(UserSession))]
    return users, tokens, sessions


def test_forms_without_csrf_token_are_refused(app, client, make_user, make_org):
    from kde_community.accounts.services import create_token

    org = make_org(slug="utrecht", domains=["utrecht.nl"])
    moderator = make_user(role="moderator", org=org)
    pending = make_user(email="p@gmail.com", approval="pending")
    token, _ = create_token(moderator, "x")
    login(client, moderator.email)
    posts = {
        "/registreren": {"name": "X", "email": "x@utrecht.nl", "organisation": "utrecht",
                         "password": "een-lange-zin-over-waterschappen"},
        "/profiel/bewerken": {"name": "Gewijzigd", "job_title": "Gewijzigd"},
        "/profiel/wachtwoord": {"pw-current_password": PASSWORD,
                                "pw-password": "een-lange-zin-over-waterschappen"},
        "/profiel/tokens": {"token-label": "nieuw"},
        f"/profiel/tokens/{token.id}/intrekken": {},
        f"/moderatie/leden/{pending.id}": {"decision": "approve"},
        "/wachtwoord-vergeten": {"email": moderator.email},
        "/uitloggen": {},
    }
    before = snapshot()
    for path, data in posts.items():
        for token_value in (None, "not-a-valid-token"):
            payload = dict(data)
            if token_value:
                payload["csrf_token"] = token_value
            response = client.post(path, data=payload)
            assert response.status_code == 400, path
            assert "verlopen of ongeldig" in response.get_data(as_text=True)
    assert snapshot() == before
    # Still logged in: the refused logout did nothing
    assert client.get("/profiel").status_code == 200


def test_login_form_without_csrf_is_refused(client, make_user):
    user = make_user()
    response = client.post("/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400 or "horen niet" not in response.get_data(as_text=True)
    assert client.get("/profiel").status_code == 302


def test_get_changes_nothing(client, make_user):
    user = make_user()
    login(client, user.email)
    before = snapshot()
    for path in ("/uitloggen", "/profiel/tokens", "/profiel/wachtwoord", "/moderatie/leden/1"):
        assert client.get(path).status_code in (404, 405)
    assert snapshot() == before
