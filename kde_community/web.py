"""Shared web plumbing: applying field errors to forms and safe redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, url_for
from werkzeug.routing import IntegerConverter

from .dbtypes import MAX_INT
from .errors import ValidationError


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
