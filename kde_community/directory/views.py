"""Directory pages: organisations, their peers, and networks."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..errors import ValidationError
from ..laws.models import ORGANISATION_TYPES
from ..laws.services import all_themes
from ..pagination import page_args, paginate
from . import services
from .models import PROVINCES

bp = Blueprint("directory", __name__)


@bp.get("/organisaties")
def organisations():
    errors = {}
    try:
        page, per_page = page_args(request.args, default_per_page=50)
        query = services.organisation_query(request.args)
    except ValidationError as exc:
        errors = exc.fields
        page, per_page = 1, 50
        query = services.organisation_query({})
    return render_template(
        "directory/organisations.html",
        result=paginate(query, page, per_page),
        errors=errors,
        types=ORGANISATION_TYPES,
        provinces=PROVINCES,
        args=request.args,
    )


@bp.get("/organisaties/<slug>")
def organisation(slug: str):
    org = services.get_organisation_or_404(slug)
    return render_template("directory/organisation.html", org=org,
                           peers=services.find_peers(org, limit=6))


@bp.get("/netwerken")
def networks():
    theme = request.args.get("theme") or None
    return render_template(
        "directory/networks.html",
        networks=paginate(services.network_query(request.args), 1, 100).items,
        themes=all_themes(),
        selected_theme=theme,
    )


@bp.get("/netwerken/<slug>")
def network(slug: str):
    return render_template("directory/network.html", network=services.get_network_or_404(slug))
