"""Security headers and CSP on every kind of response."""

from __future__ import annotations

import pytest

from kde_community import CSP
from tests.helpers import login

EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def assert_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", [
    "/", "/inloggen", "/registreren", "/wetgeving", "/organisaties", "/netwerken", "/vragen",
    "/bestaat-niet", "/static/css/site.css", "/static/js/site.js", "/static/nope.css",
    "/api/v1/openapi.json", "/api/v1/bestaat-niet", "/healthz", "/?lang=en",
])
def test_headers_on_every_response(client, path):
    response = client.get(path)
    assert_headers(response)
    response.close()


def test_headers_on_405_and_500(app, client):
    app.config["KDE_RAISE_ERRORS"] = False

    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("boom")

    assert_headers(client.delete("/"))
    response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert_headers(response)
    assert "Er ging iets mis" in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)


def test_no_store_on_authenticated_pages_and_api(client, make_user):
    assert client.get("/api/v1/laws").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    user = make_user()
    login(client, user.email)
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert client.get("/profiel").headers["Cache-Control"] == "no-store"


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = login(client, user.email)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_headers_and_cookies(tmp_path, monkeypatch):
    from kde_community import create_app
    from tests.helpers import make_config

    monkeypatch.setenv("KDE_SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setenv("KDE_BASE_URL", "https://kde.example.nl")
    config = make_config(tmp_path, KDE_ENV="production")
    del config["SECRET_KEY"]
    app = create_app(config)
    assert app.config["SECRET_KEY"] == "a-real-secret-from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DEBUG"] is False


def test_production_refuses_to_start_without_secret(tmp_path, monkeypatch):
    from kde_community import create_app
    from kde_community.config import ConfigError

    monkeypatch.delenv("KDE_SECRET_KEY", raising=False)
    monkeypatch.setenv("KDE_ENV", "production")
    with pytest.raises(ConfigError):
        create_app({"KDE_DATA_DIR": str(tmp_path)})


def test_hsts_in_production(tmp_path, monkeypatch):
    from kde_community import create_app
    from kde_community.extensions import db
    from tests.helpers import make_config

    monkeypatch.setenv("KDE_SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setenv("KDE_BASE_URL", "https://kde.example.nl")
    config = make_config(tmp_path, KDE_ENV="production")
    del config["SECRET_KEY"]
    app = create_app(config)
    with app.app_context():
        db.create_all()
        response = app.test_client().get("/healthz", base_url="https://kde.example.nl")
        assert "max-age=" in response.headers["Strict-Transport-Security"]
        db.drop_all()
