"""Helpers shared by the test modules: configuration, the per-request client, form and mail
helpers, snapshots. Test modules import from here (never from conftest.py or from each other);
fixtures live in conftest.py.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kde_community.extensions import db

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct-horse-battery-42"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The cheapest argon2id the library accepts (0.1 ms instead of ~0.2 s per hash or check). Only
# tests use it; tests/unit/test_passwords.py proves the default stays the production cost.
CHEAP_PASSWORD_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def database_url() -> str | None:
    """KDE_DATABASE_URL with this xdist worker's database name (kde → kde_gw0), or None for SQLite."""
    url = os.environ.get("KDE_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if url and worker:
        base, _, name = url.rpartition("/")
        url = f"{base}/{name}_{worker}"
    return url


def make_config(tmp_path: Path, **overrides) -> dict:
    """Settings for an app under test: own data dir, own SQLite file (or the suite's PostgreSQL
    database), no rate limits, errors raised, cheap password hashing."""
    config = {
        "TESTING": True,
        "KDE_DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_ENABLED": False,
        "KDE_RAISE_ERRORS": True,
        "SERVER_NAME": None,
        "KDE_PASSWORD_HASH_PARAMS": CHEAP_PASSWORD_HASH,
        "SQLALCHEMY_DATABASE_URI": database_url() or f"sqlite:///{tmp_path / 'test.sqlite3'}",
    }
    config.update(overrides)
    return config


def commit() -> None:
    """End the test's own transaction, as the request, API call or CLI command that would have
    called the services does: what the test made is then visible to other connections (a
    request in its own app context, the live server's threads, a subprocess)."""
    if has_app_context():
        db.session.commit()


@event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context):
    session.info["kde_wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if not state.is_select:  # bulk UPDATE/DELETE/INSERT, or a text() statement
        state.session.info["kde_wrote"] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop("kde_wrote", None)


def commit_writes() -> None:
    """commit() when the test's session wrote something (flushed, or has unflushed changes).
    A session that only read is left alone, so the test's objects are not expired: a thread
    that reads `question.id` has no app context to load it again."""
    if has_app_context():
        session = db.session()
        if session.info.get("kde_wrote") or session.new or session.dirty or session.deleted:
            session.commit()


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context (own `g`, own database session), as in
    production, even though the test itself holds an app context for its factories. What the
    test wrote through services is committed first, as if the request that wrote it had ended."""

    def open(self, *args, **kwargs):
        commit_writes()
        with self.application.app_context():
            return super().open(*args, **kwargs)


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


def snapshot():
    """Every Q&A row that a refused request must leave unchanged."""
    from kde_community.content.models import Comment, Flag, Reaction, Revision
    from kde_community.notifications.models import Follow
    from kde_community.questions.models import Answer, PraktijkvraagPick, Question

    db.session.expire_all()
    rows = {}
    for model in (Question, Answer, Revision, Reaction, Comment, Flag, Follow, PraktijkvraagPick):
        rows[model.__name__] = count(model)
    rows["questions"] = [(q.id, q.title, q.body, q.visibility, q.accepted_answer_id, q.score,
                          q.hidden_at, q.closed_at, q.answer_count, q.deleted_at)
                         for q in db.session.scalars(db.select(Question).order_by(Question.id))]
    rows["answers"] = [(a.id, a.body, a.score, a.hidden_at, a.deleted_at)
                       for a in db.session.scalars(db.select(Answer).order_by(Answer.id))]
    return rows


PRACTICE = {
    "title": "Chatbot-pilot zonder exitstrategie", "summary": "Wij stopten na een jaar.",
    "context": "Middelgroot waterschap.", "goal": "Vragen sneller beantwoorden.",
    "approach": "Een leverancier bouwde een chatbot.", "result": "Te weinig gebruik.",
    "what_went_wrong": "Geen exitstrategie.", "lessons": "- Regel de exit vooraf",
    "recommendations": "- Begin klein", "outcome": "failure",
    "failure_causes": ["no_exit_strategy"], "visibility": "public", "anonymous": False,
}


def pdf_bytes(text: str = "test") -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% " + text.encode() +
            b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def real_pdf_bytes(author: str = "Wim Water") -> bytes:
    """A PDF that opens (one blank page) and names its author in its metadata."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = author
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def accept_invitations(practice) -> None:
    """Every invited co-author who is a member says yes (committed, like a factory)."""
    from kde_community.accounts.services import find_user_by_email
    from kde_community.practices import services

    for invitation in list(practice.invitations):
        invitee = find_user_by_email(invitation.email)
        if invitation.is_open and invitee is not None:
            services.answer_invitation(invitee, invitation, True)
    commit()


def browser_login(browser, base: str, email: str, width: int, height: int = 900):
    """A fresh Chromium context at `width`, logged in as `email`: (context, page)."""
    from playwright.sync_api import expect

    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(base + "/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    return context, page


def run_axe(page) -> list[dict]:
    """axe-core with the WCAG 2.1 A/AA rules; returns the violations."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))"""
    )


def count_statements(fn) -> int:
    """How many SQL statements `fn()` sends: a page's count must not grow with its data."""
    from sqlalchemy import event

    from kde_community.extensions import db

    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)
