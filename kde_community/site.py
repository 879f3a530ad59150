"""Home page, health check and the sections that are announced but not built yet."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
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


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("site/accessibility.html")
