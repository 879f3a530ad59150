"""Fixtures: an app per test (own data dir and database), factories, and form helpers.

Set KDE_DATABASE_URL to a PostgreSQL URL to run the whole suite on PostgreSQL (CI does).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kde_community import create_app
from kde_community.accounts.models import User
from kde_community.accounts.passwords import hash_password
from kde_community.dbtypes import utcnow
from kde_community.directory.models import Organisation
from kde_community.extensions import db

PASSWORD = "correct-horse-battery-42"
DATABASE_URL = os.environ.get("KDE_DATABASE_URL")


def make_config(tmp_path: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "KDE_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_ENABLED": False,
        "KDE_RAISE_ERRORS": True,
        "SERVER_NAME": None,
    }
    if DATABASE_URL:
        config["SQLALCHEMY_DATABASE_URI"] = DATABASE_URL
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    config.update(overrides)
    return config


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Override in a test module to change settings before the app is made."""
    return make_config(tmp_path)


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own database session), as in
    production, even though the test itself holds an app context for its factories.

    Services no longer commit (the request or command does): what the test did through them
    is committed before each request, as if its own unit of work had ended."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app) -> Callable[..., Organisation]:
    counter = {"n": 0}

    def make(slug: str | None = None, type: str = "gemeente", domains=("example-gemeente.nl",),
             province: str | None = "Utrecht", inhabitants: int | None = 50_000, **kwargs):
        counter["n"] += 1
        slug = slug or f"org-{counter['n']}"
        org = Organisation(slug=slug, name=kwargs.pop("name", f"Gemeente {slug.title()}"),
                           type=type, province=province, inhabitants=inhabitants,
                           email_domains=list(domains), **kwargs)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app, make_org) -> Callable[..., User]:
    counter = {"n": 0}

    def make(email: str | None = None, org: Organisation | None = None, role: str = "member",
             password: str = PASSWORD, **kwargs):
        counter["n"] += 1
        org = org or make_org()
        email = email or f"user{counter['n']}@{(org.email_domains or ['example.nl'])[0]}"
        user = User(name=kwargs.pop("name", f"Test Gebruiker {counter['n']}"), email=email,
                    password_hash=hash_password(password), organisation=org, role=role,
                    approval=kwargs.pop("approval", "approved"),
                    email_verified_at=kwargs.pop("email_verified_at", utcnow()), **kwargs)
        db.session.add(user)
        db.session.commit()
        return user

    return make


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def submit(client, page: str, data: dict, action: str | None = None, **kwargs):
    """Open `page`, take its CSRF token, and post `data` to `action` (default: the page)."""
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(action or page, data={"csrf_token": token, **data}, **kwargs)


def login(client, email: str, password: str = PASSWORD):
    response = submit(client, "/inloggen", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def outbox(app) -> list[Path]:
    folder = Path(app.config["KDE_DATA_DIR"]) / "outbox"
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def last_mail_link(app, pattern: str) -> str:
    """The first URL matching `pattern` in the newest mail of the outbox."""
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(outbox(app)[-1].read_bytes())
    body = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S*" + pattern + r"\S*", body)
    assert match, body
    return match.group(0)


def last_mail_path(app, pattern: str) -> str:
    """Path and query of the link in the newest mail, to open on any test server."""
    from urllib.parse import urlsplit

    parts = urlsplit(last_mail_link(app, pattern))
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def make_law(app):
    from datetime import date

    from kde_community.laws.models import Law, LawMilestone, Obligation

    def make(slug: str = "ai-act", name: str = "AI-verordening", celex: str = "32024R1689"):
        law = Law(slug=slug, short_name_nl=name, short_name_en=name, aliases=[name],
                  full_title=f"Verordening {name}", celex=celex, instrument="regulation",
                  stage="partly_applicable")
        law.milestones = [LawMilestone(kind="entry_into_force", date=date(2024, 8, 1))]
        law.obligations = [Obligation(key=f"{slug}-art-{n}", article=f"art. {n}",
                                      title=f"Verplichting {n}", applies_to=["gemeente"])
                           for n in (4, 26, 27)]
        db.session.add(law)
        db.session.commit()
        return law

    return make


@pytest.fixture
def make_question(app, make_user):
    from kde_community.questions import services

    def make(author: User | None = None, title: str = "Hoe registreren jullie algoritmes?",
             body: str = "Wij zoeken een aanpak.", **data):
        author = author or make_user()
        question = services.ask_question(author, {"title": title, "body": body, **data})
        db.session.commit()
        return question

    return make


PRACTICE = {
    "title": "Chatbot-pilot zonder exitstrategie", "summary": "Wij stopten na een jaar.",
    "context": "Middelgroot waterschap.", "goal": "Vragen sneller beantwoorden.",
    "approach": "Een leverancier bouwde een chatbot.", "result": "Te weinig gebruik.",
    "what_went_wrong": "Geen exitstrategie.", "lessons": "- Regel de exit vooraf",
    "recommendations": "- Begin klein", "outcome": "failure",
    "failure_causes": ["no_exit_strategy"], "visibility": "public", "anonymous": False,
}


@pytest.fixture
def make_practice(app, make_user):
    from kde_community.practices import services

    def make(author: User | None = None, **data):
        author = author or make_user()
        practice = services.write_practice(author, {**PRACTICE, **data})
        db.session.commit()
        return practice

    return make


def pdf_bytes(text: str = "test") -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text.encode() +
            b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def accept_invitations(practice) -> None:
    """Every invited co-author who is a member says yes."""
    from kde_community.accounts.services import find_user_by_email
    from kde_community.practices import services

    for invitation in list(practice.invitations):
        invitee = find_user_by_email(invitation.email)
        if invitation.is_open and invitee is not None:
            services.answer_invitation(invitee, invitation, True)
    db.session.commit()
