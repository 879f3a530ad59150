"""Absolute links come from KDE_BASE_URL, never from the request's Host header; production
refuses requests for hosts it does not serve (finding A: poisoned reset links)."""

from __future__ import annotations

import pytest

from kde_community import create_app
from kde_community.config import ConfigError
from kde_community.extensions import db
from tests.helpers import IsolatedClient, csrf_from, last_mail_link, make_config, outbox

BASE = "https://kde.example.nl"


def sent(response):
    """Close the response as a WSGI server does: queued mails go out then."""
    response.get_data()
    response.close()
    return response


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, KDE_BASE_URL=BASE)


def test_reset_link_uses_the_base_url_whatever_the_host(app, client, make_user):
    user = make_user()
    evil = "http://evil.example"
    response = sent(_submit_at(client, evil, user.email))
    assert response.status_code == 200
    link = last_mail_link(app, "/wachtwoord-herstellen/")
    assert link.startswith(f"{BASE}/wachtwoord-herstellen/")
    assert "evil.example" not in outbox(app)[-1].read_text()


def _submit_at(client, base_url: str, email: str):
    page = client.get("/wachtwoord-vergeten", base_url=base_url).get_data(as_text=True)
    return client.post("/wachtwoord-vergeten", base_url=base_url,
                       data={"csrf_token": csrf_from(page), "email": email})


def test_confirmation_link_and_api_urls_use_the_base_url(app, client, make_org):
    make_org(slug="utrecht", domains=["utrecht.nl"])
    evil = "http://evil.example:8080"
    page = client.get("/registreren", base_url=evil).get_data(as_text=True)
    sent(client.post("/registreren", base_url=evil, data={
        "csrf_token": csrf_from(page), "name": "Eva", "email": "eva@utrecht.nl",
        "organisation": "utrecht", "password": "een-lange-zin-over-waterschappen"}))
    assert last_mail_link(app, "/registreren/bevestigen/").startswith(f"{BASE}/registreren/")
    # `url_for(..., _external=True)` anywhere (here: the API) is routed through KDE_BASE_URL.
    document = client.get("/api/v1/openapi.json", base_url=evil).json
    assert document["servers"][0]["url"] == BASE
    orgs = client.get("/api/v1/organisations", base_url=evil).json["items"]
    assert orgs and all(item["url"].startswith(f"{BASE}/") for item in orgs)


def test_absolute_url_outside_a_request(app):
    from kde_community.links import absolute_url

    assert absolute_url("accounts.login") == f"{BASE}/inloggen"


def test_development_default_is_the_local_address(tmp_path, monkeypatch):
    monkeypatch.delenv("KDE_BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5123")
    from kde_community.config import load_config

    config = load_config({"KDE_DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert config["KDE_BASE_URL"] == "http://127.0.0.1:5123"
    assert config["TRUSTED_HOSTS"] is None


# --- production -------------------------------------------------------------------------------

@pytest.fixture
def production(tmp_path, monkeypatch):
    monkeypatch.delenv("KDE_TRUSTED_HOSTS", raising=False)
    apps = []

    def make(**overrides):
        app = create_app(make_config(tmp_path, KDE_ENV="production", KDE_BASE_URL=BASE,
                                     WTF_CSRF_ENABLED=False, **overrides))
        app.test_client_class = IsolatedClient
        apps.append(app)
        with app.app_context():
            db.create_all()
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def _member(app):
    from kde_community.accounts.models import User
    from kde_community.accounts.passwords import hash_password
    from kde_community.dbtypes import utcnow
    from kde_community.directory.models import Organisation, OrganisationDomain

    with app.app_context():
        org = Organisation(slug="utrecht", name="Utrecht", type="gemeente",
                           domains=[OrganisationDomain(domain="utrecht.nl")])
        db.session.add(User(name="Eva", email="eva@utrecht.nl", organisation=org,
                            password_hash=hash_password("x" * 16), approval="approved",
                            email_verified_at=utcnow()))
        db.session.commit()


def test_production_refuses_a_reset_request_for_a_foreign_host(production):
    app = production()
    _member(app)
    client = app.test_client()
    # CSRF is off here, so the Host check is the only thing that can refuse this request.
    response = sent(client.post("/wachtwoord-vergeten", data={"email": "eva@utrecht.nl"},
                                base_url="https://evil.example"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<html" in page and "Het verzoek is ongeldig." in page  # the site's own 400 page
    assert outbox(app) == []

    response = sent(client.post("/wachtwoord-vergeten", data={"email": "eva@utrecht.nl"},
                                base_url=BASE))
    assert response.status_code == 200
    with app.app_context():
        assert last_mail_link(app, "/wachtwoord-herstellen/").startswith(f"{BASE}/")


def test_production_answers_any_page_for_a_foreign_host_with_a_clean_400(production):
    app = production()
    client = app.test_client()
    for path in ("/", "/inloggen", "/bestaat-niet", "/api/v1/openapi.json"):
        response = client.get(path, base_url="https://evil.example")
        assert response.status_code == 400, path
    for host in ("bad host name", "", "kde.example.nl.evil.example", "evil.example:443"):
        response = client.get("/", environ_overrides={"HTTP_HOST": host})
        assert response.status_code == 400, host
    assert client.get("/healthz", base_url=BASE).status_code == 200
    assert client.get("/", base_url=BASE.replace("https", "http") + ":8443").status_code == 200


def test_extra_trusted_hosts(production, monkeypatch):
    monkeypatch.setenv("KDE_TRUSTED_HOSTS", "10.0.0.5, www.kde.example.nl")
    app = production()
    client = app.test_client()
    assert client.get("/healthz", base_url="http://10.0.0.5").status_code == 200
    assert client.get("/healthz", base_url="https://www.kde.example.nl").status_code == 200
    assert client.get("/healthz", base_url="https://evil.example").status_code == 400


def test_production_refuses_to_start_without_base_url(tmp_path, monkeypatch):
    monkeypatch.delenv("KDE_BASE_URL", raising=False)
    monkeypatch.setenv("KDE_SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("KDE_ENV", "production")
    with pytest.raises(ConfigError, match="KDE_BASE_URL"):
        create_app({"KDE_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize("value", ["kde.example.nl", "ftp://kde.example.nl", "https://kde.example.nl/pad",
                                   "https://user:pw@kde.example.nl", "https://kde.example.nl?x=1"])
def test_base_url_must_be_an_origin(tmp_path, monkeypatch, value):
    monkeypatch.setenv("KDE_BASE_URL", value)
    from kde_community.config import load_config

    with pytest.raises(ConfigError):
        load_config({"KDE_DATA_DIR": str(tmp_path), "SECRET_KEY": "x"})


def test_production_warns_about_per_process_limits(production, caplog):
    import logging

    with caplog.at_level(logging.WARNING):
        production(RATELIMIT_STORAGE_URI="memory://")
    assert any("memory://" in record.getMessage() for record in caplog.records)
