"""Laws and their obligations (the timeline and prioritisation grow here)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from ..laws.models import ORGANISATION_TYPES
from . import services

bp = Blueprint("laws", __name__, url_prefix="/wetgeving")


@bp.get("")
def index():
    theme = request.args.get("thema") or None
    applies_to = request.args.get("voor") if request.args.get("voor") in ORGANISATION_TYPES else None
    return render_template(
        "laws/index.html",
        laws=services.list_laws(theme=theme, applies_to=applies_to),
        themes=services.all_themes(),
        selected_theme=theme,
        selected_type=applies_to,
        today=date.today(),
    )


@bp.get("/<slug>")
def detail(slug: str):
    return render_template("laws/detail.html", law=services.get_law_or_404(slug), today=date.today())
