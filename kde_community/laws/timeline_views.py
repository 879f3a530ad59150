"""The timeline of laws, proposals and input moments, and the law feeds (iCalendar, Atom)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("timeline", __name__, url_prefix="/wetgeving")
