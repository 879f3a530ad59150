"""Mail goes to the outbox by default and through a real SMTP server when configured."""

from __future__ import annotations

import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from tests.helpers import make_config, outbox, submit


class Collector:
    def __init__(self):
        self.messages = []
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(envelope)
        self.received.set()
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def app_config(tmp_path, smtp_server):
    controller, _ = smtp_server
    return make_config(tmp_path, KDE_SMTP_URL=f"smtp://127.0.0.1:{controller.port}")


def test_registration_mail_goes_through_smtp(app, client, make_org, smtp_server):
    _, handler = smtp_server
    make_org(slug="utrecht", domains=["utrecht.nl"])
    response = submit(client, "/registreren", {
        "name": "Eva", "email": "eva@utrecht.nl", "organisation": "utrecht",
        "password": "een-lange-zin-over-waterschappen"})
    assert response.status_code == 200
    response.close()  # as the WSGI server does once the page went out: then the mail goes
    assert handler.received.wait(5)
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["eva@utrecht.nl"]
    body = envelope.content.decode()
    assert "/registreren/bevestigen/" in body and "Subject: Bevestig uw e-mailadres" in body
    assert outbox(app) == []


def test_unreachable_smtp_is_logged_not_a_500(tmp_path, make_org):
    from kde_community import create_app
    from kde_community.extensions import db
    from kde_community.mail import send_mail

    app = create_app(make_config(tmp_path, KDE_SMTP_URL=f"smtp://127.0.0.1:{free_port()}"))
    with app.app_context():
        assert send_mail("x@example.org", "Onderwerp", "Tekst") is False
        db.engine.dispose()


def test_mail_goes_out_after_the_response(app, client, make_user, smtp_server):
    """A reset for a known address must not take longer than for an unknown one: the mail is
    handed over once the server has taken the response's last byte, not while the visitor
    waits — also when the server never closes the response (Werkzeug's development server
    skips close() when the client has gone)."""
    _, handler = smtp_server
    user = make_user()
    response = submit(client, "/wachtwoord-vergeten", {"email": user.email}, buffered=False)
    # A mail sent during the request would have been received before the view returned.
    assert response.status_code == 200 and not handler.received.is_set()
    assert "Kijk in uw mailbox" in response.get_data(as_text=True)  # the server takes the body
    assert handler.received.wait(5)  # … and the mail goes, without close()
    assert handler.messages[0].rcpt_tos == [user.email]
    assert "/wachtwoord-herstellen/" in handler.messages[0].content.decode()
    response.close()
    assert len(handler.messages) == 1  # close() after the body sends nothing twice


def test_mail_outside_a_request_goes_at_once(app, smtp_server):
    from kde_community.mail import send_mail_after_response

    _, handler = smtp_server
    send_mail_after_response("x@example.org", "Onderwerp", "Tekst")  # the CLI, the worker
    assert handler.received.is_set()
