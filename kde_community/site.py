"""Home page, health check, the pages about the platform (privacy, colofon, contact,
accessibility, API documentation) and the sections that are announced but not built yet."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select, text

from .extensions import db
from .laws import services as laws
from .laws import timeline as law_timeline

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    from flask_login import current_user

    from .questions import services as questions

    today = laws.today()
    open_inputs = laws.open_input_moments(today)
    return render_template(
        "site/home.html",
        today=today,
        milestones=laws.upcoming_milestones(today, limit=6),
        open_inputs=open_inputs,
        # None open: the next ones to come, so a reader can plan (one query, not per law).
        next_inputs=[] if open_inputs else law_timeline.upcoming_input_moments(today, limit=3),
        counts=laws.reference_counts(),
        picks=questions.praktijkvragen(limit=4),
        latest=questions.list_questions(current_user, questions.QuestionFilters(), 1, 5).items,
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(select(text("1")))
        database = "ok"
    except Exception:  # noqa: BLE001 — health must answer, whatever is broken
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify({"status": "ok" if status == 200 else "degraded", "database": database}), status


# Every announced section is built now; a new one would be listed here until it is.
COMING_SOON: dict = {}


def _coming_soon_view(key: str):
    path, title, intro = COMING_SOON[key]

    def view():
        return render_template("site/coming_soon.html", title=title, intro=intro)

    view.__name__ = f"{key}_coming_soon"
    return path, view


# Each announced section answers under its own blueprint name, so templates link to
# `questions.index` now and keep working when the real section replaces this page.
coming_soon_blueprints = []
for _key in COMING_SOON:
    _bp = Blueprint(_key, __name__)
    _path, _view = _coming_soon_view(_key)
    _bp.add_url_rule(_path, "index", _view)
    coming_soon_blueprints.append(_bp)


# --- about the platform: privacy, colofon, contact, accessibility, API documentation ---------

# When the privacy statement, the colofon and the accessibility statement were last reviewed
# against the code; change it with their text.
STATEMENTS_DATE = date(2026, 12, 2)
# What the contact, privacy and accessibility pages promise: a first answer within this many
# working days (a promise of the editors, not something the software enforces).
RESPONSE_WORKING_DAYS = 5


# The footer of every page.
FOOTER_LINKS = (
    ("site.privacy", _l("Privacy")),
    ("site.colofon", _l("Colofon")),
    ("site.contact", _l("Contact")),
    ("site.accessibility", _l("Toegankelijkheid")),
    ("site.api_docs", _l("API-documentatie")),
)


@bp.app_context_processor
def about_the_platform() -> dict:
    """The footer links and the one contact address (KDE_CONTACT_EMAIL), for every page."""
    email = current_app.config["KDE_CONTACT_EMAIL"]
    return {"FOOTER_LINKS": FOOTER_LINKS, "contact_email": email,
            "contact_link": Markup('<a class="utrecht-link" href="mailto:{0}">{0}</a>').format(email),
            "response_working_days": RESPONSE_WORKING_DAYS}


def _retention() -> dict:
    """How long things are kept, read from the code that keeps them, so the privacy
    statement cannot drift from what the software does."""
    from . import idempotency, outbox, ratelimits

    config = current_app.config
    return {
        "mail_days": outbox.KEEP_SENT.days,
        "mail_attempts": outbox.MAX_ATTEMPTS,
        "idempotency_hours": int(idempotency.KEEP.total_seconds() // 3600),
        "known_address_days": ratelimits.KNOWN_ADDRESS_SECONDS // (24 * 3600),
        "session_hours": int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600),
        "mail_link_days": config["KDE_TOKEN_MAX_AGE"] // (24 * 3600),
    }


@bp.get("/privacy")
def privacy():
    return render_template("site/privacy.html", retention=_retention(),
                           statements_date=STATEMENTS_DATE)


@bp.get("/colofon")
def colofon():
    return render_template("site/colofon.html", statements_date=STATEMENTS_DATE)


@bp.get("/contact")
def contact():
    return render_template("site/contact.html")


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("site/accessibility.html", statements_date=STATEMENTS_DATE)


# Dutch path like every page; the JSON contract stays at /api/v1/openapi.json, and nothing
# but JSON lives under /api/v1 (every route there is in the OpenAPI document).
@bp.get("/api")
def api_docs():
    return render_template("site/api_docs.html")
