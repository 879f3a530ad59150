"""Laws and their obligations: the list with its filters, a law's page, an obligation's page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..markup import render_markdown
from ..notifications.follow_state import follow_state, only_theme
from . import related, services
from .models import OBLIGATION_ROLES, ORGANISATION_TYPES, PIPELINE_STAGES, STAGES, Law

bp = Blueprint("laws", __name__, url_prefix="/wetgeving")

# Query values are Dutch (the English codes are accepted too); links use the Dutch ones.
ROLE_ARGS = {"direct": "direct", "inkoop": "procurement", "klant": "customer_right",
             "context": "context"}
STAGE_ARGS = {"pijplijn": "pipeline", "voorstel": "proposal", "onderhandeling": "negotiation",
              "aangenomen": "adopted", "in-werking": "in_force",
              "deels-van-toepassing": "partly_applicable", "van-toepassing": "applicable",
              "ingetrokken": "repealed", "voorstel-ingetrokken": "withdrawn"}
# Organisation types the filter offers; other known types work from a link.
MAIN_TYPES = ("gemeente", "provincie", "waterschap")
# The order in which a law page groups its obligations.
ROLE_ORDER = OBLIGATION_ROLES


def _from_args(name: str, table: dict[str, str], codes) -> tuple[str | None, str | None]:
    """(code, Dutch value) of a query argument, from its Dutch value or its English code;
    (None, raw) when it is unknown, (None, None) when absent."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None, None
    if raw in table:
        return table[raw], raw
    if raw in codes:
        return raw, next(k for k, v in table.items() if v == raw)
    return None, raw


@dataclass
class LawRow:
    """A law in the list, with the obligations the filters ask for (all without filters)."""

    law: Law
    obligations: list = field(default_factory=list)


@bp.get("")
def index():
    """The laws, adopted ones and those in the pipeline apart. With an organisation type or a
    role, each law shows only the obligations of that type or role, and how many."""
    errors: dict[str, str] = {}
    themes = services.all_themes()
    theme = (request.args.get("thema") or "").strip() or None
    if theme is not None and theme not in {t.slug for t in themes}:
        errors["thema"] = _("Onbekend thema. Kies een thema uit de lijst.")
        theme = None
    org_type = (request.args.get("voor") or "").strip() or None
    if org_type is not None and org_type not in ORGANISATION_TYPES:
        errors["voor"] = _("Onbekend soort overheid. Kies gemeente, provincie of waterschap.")
        org_type = None
    role, role_arg = _from_args("rol", ROLE_ARGS, OBLIGATION_ROLES)
    if role is None and role_arg is not None:
        errors["rol"] = _("Onbekende rol. Kies wat de verplichting van de overheid vraagt uit "
                          "de lijst.")
        role_arg = None
    stage, stage_arg = _from_args("fase", STAGE_ARGS, (*STAGES, "pipeline"))
    if stage is None and stage_arg is not None:
        errors["fase"] = _("Onbekende fase. Kies een fase uit de lijst.")
        stage_arg = None

    filtered = bool(org_type or role)
    rows, pipeline = [], []
    laws = services.list_laws()
    for law in laws:
        if theme is not None and not any(t.slug == theme for t in law.themes):
            continue
        if stage == "pipeline" and not law.in_pipeline or stage not in (None, "pipeline") \
                and law.stage != stage:
            continue
        if law.in_pipeline:
            pipeline.append(LawRow(law, list(law.obligations)))
            continue
        obligations = [o for o in law.obligations
                       if (org_type is None or org_type in o.applies_to)
                       and (role is None or o.role == role)]
        if filtered and not obligations:
            continue
        rows.append(LawRow(law, obligations))
    followed_theme = only_theme(request.args.getlist("thema"), themes) if theme else None
    return render_template(
        "laws/index.html", rows=rows, pipeline=pipeline, themes=themes, errors=errors,
        followed_theme=followed_theme,
        theme_follow=follow_state(current_user, "theme", followed_theme),
        selected={"thema": theme or "", "voor": org_type or "", "rol": role_arg or "",
                  "fase": stage_arg or ""},
        selected_theme=theme, selected_type=org_type, selected_role=role, filtered=filtered,
        type_options=[*MAIN_TYPES, *([org_type] if org_type and org_type not in MAIN_TYPES
                                     else [])],
        role_args={code: arg for arg, code in ROLE_ARGS.items()},
        stage_args={code: arg for arg, code in STAGE_ARGS.items()},
        obligation_total=sum(len(r.obligations) for r in rows),
        law_names={law.slug: law for law in laws},
        timeline_url=_timeline_url(), today=services.today())


def _timeline_url() -> str:
    from flask import url_for

    return url_for("laws.index") + "/tijdlijn"


@bp.get("/<slug>")
def detail(slug: str):
    law = services.get_law_or_404(slug)
    groups = [(role, [o for o in law.obligations if o.role == role]) for role in ROLE_ORDER]
    return render_template(
        "laws/detail.html", law=law, groups=[g for g in groups if g[1]],
        about=related.about_law(law, current_user), links=related.law_links(law),
        follow=follow_state(current_user, "law", law),
        pipeline_stages=PIPELINE_STAGES, timeline_url=_timeline_url(), today=services.today())


@bp.get("/<slug>/verplichtingen/<key>")
def obligation(slug: str, key: str):
    law = services.get_law_or_404(slug)
    found = next((o for o in law.obligations if o.key == key), None)
    if found is None:
        abort(404)
    return render_template(
        "laws/obligation.html", law=law, o=found,
        about=related.about_obligation(found, current_user), today=services.today(),
        follow=follow_state(current_user, "obligation", found))


# A web address in a status line ("… gecontroleerd: https://…"), without trailing punctuation.
WEB_ADDRESS = re.compile(r"(?<![<(\[])https://[^\s<>]*[^\s<>.,;:)\]]")


@bp.app_template_filter("status_lines")
def status_lines(text: str | None):
    """A stage note: one paragraph per line, its checked sources as links."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return render_markdown("\n\n".join(WEB_ADDRESS.sub(lambda m: f"<{m.group(0)}>", line)
                                       for line in lines))
