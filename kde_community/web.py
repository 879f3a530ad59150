"""Shared web plumbing: the unit of work of a request, applying field errors to forms, safe
redirects and the bounded `<int:…>` converter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.routing import IntegerConverter, UnicodeConverter
from wtforms import HiddenField

from .dbtypes import MAX_INT, as_int
from .errors import ValidationError
from .extensions import db


def apply_errors(form, exc: ValidationError) -> None:
    """Put a domain error's field reasons on the form; reasons without a field become notices."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
        else:
            flash(message, "error")


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """A same-origin path to go to after an action, else `fallback` (the home page).

    Browsers ignore tabs and newlines inside URLs and treat `\\` as `/`, so `/\\t/evil`
    becomes `//evil`: anything with a control character, a backslash, a scheme, a host, or
    not starting with exactly one `/` is refused.
    """
    default = fallback or url_for("site.home")
    if not target or not isinstance(target, str) or len(target) > 2000:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return default
    return target


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in routes: a number beyond 64 bits cannot name a row, so it is a 404 instead
    of an overflow in the database driver."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_INT, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        """Beyond 64 bits: 0, which names no row, so the view answers 404. Refusing the match
        instead made Werkzeug answer 405 when a rule for another method had matched the path
        (PATCH /api/v1/questions/99999999999999999999 after GET's rule)."""
        number = int(value)
        return number if number <= self.max else 0


class TextConverter(UnicodeConverter):
    """`<slug>` and other text in routes: a NUL character names nothing (PostgreSQL refuses
    it in a query, a 500), so it becomes U+FFFD, which matches no slug or token: a 404."""

    def to_python(self, value: str) -> str:
        return value.replace("\x00", "\ufffd")


def init_unit_of_work(app: Flask) -> None:
    """Transactions end at the boundary: services flush and raise; here every request commits
    once when it succeeded (status < 400) and rolls back otherwise — and then mails queued for
    after the response are dropped, since what they announce did not happen."""

    @app.after_request
    def end_unit_of_work(response):
        if response.status_code < 400 and not g.pop("kde_rollback", False):
            db.session.commit()
        else:
            db.session.rollback()
            g.pop("kde_mail_queue", None)
        return response


def rollback() -> None:
    """Undo the request's work so far and make sure nothing of it is committed at the end
    (a view that recovers from a refusal and answers 200/302 anyway)."""
    db.session.rollback()
    g.kde_rollback = True


# --- forms that create or edit ---------------------------------------------------------------

class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token and an optional value."""

    value = HiddenField()


class EditForm(FlaskForm):
    """A form that edits: it names the revision the member started from."""

    base_revision = HiddenField()


def once(scope: str, run: Callable[[], str]):
    """Redirect to what `run()` made (it returns that URL) or, when the member sent exactly
    this form to this address before, to what the first one made.

    The key is the submission itself (address and fields, not the CSRF token): a hidden
    key made with the page would not survive back + reload, since member pages are
    `no-store` and the browser fetches a fresh form. Refusals raised by `run` pass through
    (the caller shows them; the rollback frees the key).
    """
    from . import idempotency

    submitted = {k: request.form.getlist(k) for k in sorted(request.form) if k != "csrf_token"}
    fingerprint = idempotency.fingerprint({"path": request.path, "form": submitted})
    ran = []

    def first_time():
        ran.append(True)
        return 302, {"location": run()}

    _status, body = idempotency.replay_or_run(f"form:{scope}", current_user.id, fingerprint,
                                              first_time, fingerprint)
    if not ran:
        flash(_("Dit had u al verstuurd; hier ziet u het resultaat."), "ok")
    return redirect(body["location"])


def base_revision(form: EditForm) -> int | None:
    """The revision an edit started from; None when the form did not say (the current one)."""
    return as_int(form.base_revision.data, minimum=1)


@dataclass
class FieldConflict:
    field: str
    label: str
    mine: str
    now: str
    diff: Markup


def conflict(exc, mine: dict, labels: dict) -> list[FieldConflict]:
    """What the member wrote against the current text, field by field, with a word diff: the
    conflict shown above the edit form, which then carries the member's text on the current
    revision so saving again is a merge, not an overwrite."""
    from .content.services import revision_text, word_diff

    now = revision_text(exc.obj)
    result = []
    for field, label in labels.items():
        a, b = str(now.get(field) or ""), str(mine.get(field) or "")
        if a != b:
            result.append(FieldConflict(field, str(label), b, a, word_diff(a, b)))
    flash(_("Iemand anders heeft dit gewijzigd terwijl u bewerkte. Hieronder staat wat er nu "
            "staat naast uw tekst. Uw tekst staat nog in het formulier: neem over wat u wilt "
            "houden en sla opnieuw op."), "error")
    return result
