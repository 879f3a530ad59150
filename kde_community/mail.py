"""Outgoing mail: to $KDE_DATA_DIR/outbox as .eml files, or through SMTP when KDE_SMTP_URL is set."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app

from .dbtypes import utcnow


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one plain-text mail; False when it could not be handed over (logged, never a 500)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["KDE_MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain="kdecommunity.nl")
    msg.set_content(body)
    url = current_app.config.get("KDE_SMTP_URL")
    try:
        if url:
            _send_smtp(url, msg)
        else:
            _write_outbox(msg)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send mail %r", subject)
        return False
    return True


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
