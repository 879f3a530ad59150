"""The unsubscribe link of every notification mail: `/e-mail/afmelden/<token>`.

It works without a session — the signed token says who and what. Opening the link shows what
it stops and a button (a GET never changes anything: mail scanners follow links); the button
and a mail program's one-click POST (RFC 8058, body `List-Unsubscribe=One-Click`, no CSRF
token) stop the mail. A tampered or unknown token is refused and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from ..extensions import csrf, db
from . import mailer
from .views import GROUP_LABELS

bp = Blueprint("notification_mail", __name__, url_prefix="/e-mail")


def _page(token: str, *, done: bool):
    found = mailer.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", valid=False), 404
    user, groups = found
    if done:
        mailer.unsubscribe(user, groups)
        db.session.commit()
    return render_template("notifications/unsubscribe.html", valid=True, done=done,
                           token=token, groups=[GROUP_LABELS[g] for g in groups])


@bp.get("/afmelden/<token>")
def unsubscribe(token: str):
    return _page(token, done=False)


@bp.post("/afmelden/<token>")
@csrf.exempt
def unsubscribe_now(token: str):
    return _page(token, done=True)
