"""Outgoing mail: to $KDE_DATA_DIR/outbox as .eml files, or through SMTP when KDE_SMTP_URL is set.

The one place that sends (`transport`). `send_mail` hands a message over at once (CLI, worker,
moderators' actions); `send_mail_after_response` waits until the response has gone out, so that
how long a page takes says nothing about whether a mail was sent (registration, password reset);
if the server cannot take it then, it is kept in the database outbox (outbox.py) and the worker
tries again. Notification mail is queued there from the start.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import Flask, current_app, g, has_request_context, request

from .dbtypes import utcnow

# Headers folded at 998 characters (RFC 5322's limit), not 78: a long subject folded before
# its first word reads back with a leading space in some programs.
POLICY = policy.default.clone(max_line_length=998)


def compose(to: str, subject: str, body: str, reply_to: tuple[str, str] | None = None,
            headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text mail from the platform; `headers` adds more (List-Unsubscribe …)."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = current_app.config["KDE_MAIL_FROM"]
    msg["To"] = to
    if reply_to is not None:
        # (name, address): the answer goes to a member, not to the platform's no-reply box.
        name, address = reply_to
        msg["Reply-To"] = Address(display_name=name, addr_spec=address)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain="kdecommunity.nl")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text mail; False when it could not be handed over (logged, never a 500)."""
    return _deliver(compose(to, subject, body))


def send_mail_after_response(to: str, subject: str, body: str,
                             reply_to: tuple[str, str] | None = None) -> None:
    """Send once the response is complete (inside a request); at once elsewhere.

    The message is composed now, in the reader's language; the WSGI server hands it over
    once the server has taken the last byte of the response (`_AfterSend`).
    """
    msg = compose(to, subject, body, reply_to)
    if not has_request_context():
        _deliver(msg)
        return
    g.setdefault("kde_mail_queue", []).append(msg)


AFTER_SEND = "kde.after_send"  # the WSGI environ's list of what runs once the body went out


def init_mail(app: Flask) -> None:
    @app.after_request
    def send_queued_mail_on_close(response):
        queued = g.pop("kde_mail_queue", None)
        if queued:
            real_app = current_app._get_current_object()  # type: ignore[attr-defined]

            def deliver_all() -> None:
                with real_app.app_context():
                    for msg in queued:
                        if not _deliver(msg):
                            _keep_for_retry(msg)

            request.environ.setdefault(AFTER_SEND, []).append(deliver_all)
        return response

    app.wsgi_app = _AfterSend(app.wsgi_app)


class _AfterSend:
    """WSGI middleware: runs the request's AFTER_SEND callbacks once the server has taken the
    response's last byte — not on the iterable's close(), which Werkzeug's development server
    skips when the client has already closed the connection (then a mail would be lost)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return _Body(self.app(environ, start_response), environ)


class _Body:
    def __init__(self, iterable, environ):
        self._iterable = iterable
        self._environ = environ

    def __iter__(self):
        yield from self._iterable
        self._run()

    def close(self) -> None:
        try:
            if hasattr(self._iterable, "close"):
                self._iterable.close()
        finally:
            self._run()

    def _run(self) -> None:
        callbacks = self._environ.pop(AFTER_SEND, [])
        for callback in callbacks:
            callback()


def transport(msg: EmailMessage) -> None:
    """Hand one message to SMTP (KDE_SMTP_URL) or the outbox folder; raises OSError or
    SMTPException when that failed."""
    url = current_app.config.get("KDE_SMTP_URL")
    if url:
        _send_smtp(url, msg)
    else:
        _write_outbox(msg)


def _deliver(msg: EmailMessage) -> bool:
    try:
        transport(msg)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send mail %r", msg["Subject"])
        return False
    return True


def _keep_for_retry(msg: EmailMessage) -> None:
    """Account mail the server did not take: into the database outbox, for the worker."""
    from .extensions import db
    from .outbox import queue

    try:
        queue(msg, key=f"retry:{msg['Message-ID']}", kind="account")
        db.session.commit()
    except Exception:  # noqa: BLE001 — the database is away too: logged above, nothing else to do
        current_app.logger.exception("Could not keep mail %r for a retry", msg["Subject"])
        db.session.rollback()
    finally:
        db.session.remove()


def _write_outbox(msg: EmailMessage) -> Path:
    outbox = Path(current_app.config["KDE_DATA_DIR"]) / "outbox"
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    path = outbox / name
    path.write_bytes(bytes(msg))
    return path


def _send_smtp(url: str, msg: EmailMessage) -> None:
    parts = urlparse(url)
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        smtp = smtplib.SMTP_SSL(host, parts.port or 465, timeout=30,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, parts.port or 25, timeout=30)
    with smtp:
        if options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            smtp.starttls(context=ssl.create_default_context())
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(msg)
