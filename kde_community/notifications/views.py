"""My overview (/mijn), the inbox (/mijn/meldingen), the "Volgend" page (/mijn/volgend),
following anything, notification settings (/mijn/instellingen) and the unread count in the
header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..clauses.models import ROLE_LABELS as CLAUSE_ROLE_LABELS
from ..clauses.models import STATUS_LABELS as CLAUSE_STATUS_LABELS
from ..content.models import VISIBILITY_LABELS
from ..errors import ValidationError
from ..pagination import page_args
from ..permissions import is_member
from ..practices.models import OUTCOMES
from ..web import ActionForm, rollback, safe_next
from . import overview as my_overview
from . import services
from .models import FREQUENCIES, GROUPS

bp = Blueprint("notifications", __name__, url_prefix="/mijn")

FOLLOW_TARGET_LABELS = {
    "question": _l("Vraag"), "practice": _l("Praktijk"), "clause_set": _l("Inkoopvoorwaarden"),
    "law": _l("Wet of voorstel"), "obligation": _l("Verplichting"), "theme": _l("Thema"),
    "organisation": _l("Organisatie"), "network": _l("Netwerk"),
}

# How often, per group of notifications (models.KIND_GROUPS), a member gets mail.
GROUP_LABELS = {
    "answers": _l("Antwoorden"),
    "comments": _l("Reacties"),
    "practices": _l("Vervolgen op praktijken"),
    "clauses": _l("Inkoopvoorwaarden"),
    "laws": _l("Wetgeving"),
    "input": _l("Inspraakmomenten"),
    "directory": _l("Netwerken"),
    "new_content": _l("Nieuwe vragen en praktijken"),
}
GROUP_EXPLANATIONS = {
    "answers": _l("Een nieuw antwoord op een vraag die u stelde of volgt, en een antwoord dat "
                  "is geaccepteerd."),
    "comments": _l("Een nieuwe reactie bij iets dat u volgt."),
    "practices": _l("Een vervolg op een praktijk die u volgt: hoe staat het er nu voor?"),
    "clauses": _l("Wijzigingsvoorstellen, besluiten daarover, nieuwe versies en een andere "
                  "status bij inkoopvoorwaarden die u volgt."),
    "laws": _l("Een nieuwe wet of een nieuw voorstel, en gewijzigde fasen, datums, "
               "inspraakmomenten of verplichtingen bij wetten die u volgt."),
    "input": _l("Een inspraakmoment dat opengaat bij een wet of thema dat u volgt, en een "
                "herinnering een week voordat het sluit."),
    "directory": _l("Wijzigingen in een netwerk dat u volgt."),
    "new_content": _l("Een nieuwe vraag of praktijk over een thema, wet, organisatie of ander "
                      "onderwerp dat u volgt."),
}
FREQUENCY_LABELS = {
    "immediately": _l("Direct"),
    "daily": _l("Dagelijks overzicht"),
    "weekly": _l("Wekelijks overzicht"),
    "never": _l("Nooit"),
}
assert set(GROUPS) <= set(GROUP_LABELS) & set(GROUP_EXPLANATIONS)  # noqa: S101 — a new group needs both
assert set(FREQUENCY_LABELS) == set(FREQUENCIES)  # noqa: S101
# The radio groups of the settings form are named `frequency-<group>`.
FIELD_PREFIX = "frequency-"


def _checked_form() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.app_context_processor
def unread_notifications():
    """`unread_notifications()` for the header: one query for a member, when the header asks,
    and none for visitors."""

    def count() -> int:
        if not is_member(current_user):
            return 0
        if "kde_unread" not in g:
            g.kde_unread = services.unread_count(current_user)
        return g.kde_unread

    return {"unread_notifications": count}


@bp.get("")
@login_required
def overview():
    """"Mijn overzicht": the member's own contributions, what they follow, their inbox and
    settings at a glance, and what colleagues wrote lately."""
    found = my_overview.overview(current_user)
    g.kde_unread = found.unread
    return render_template(
        "notifications/overview.html", overview=found, SHOWN=my_overview.SHOWN,
        FOLLOW_TARGET_LABELS=FOLLOW_TARGET_LABELS, GROUP_LABELS=GROUP_LABELS,
        FREQUENCY_LABELS=FREQUENCY_LABELS, CLAUSE_STATUS_LABELS=CLAUSE_STATUS_LABELS,
        CLAUSE_ROLE_LABELS=CLAUSE_ROLE_LABELS, VISIBILITY_LABELS=VISIBILITY_LABELS,
        OUTCOMES=OUTCOMES)


def _render_settings(values: dict[str, str], errors: dict[str, str], status: int = 200,
                     locale: str | None = None):
    return render_template(
        "notifications/settings.html", values=values, errors=errors, GROUPS=GROUPS,
        mail_locale=locale if locale in services.MAIL_LANGUAGES else current_user.locale,
        FREQUENCIES=FREQUENCIES, GROUP_LABELS=GROUP_LABELS,
        GROUP_EXPLANATIONS=GROUP_EXPLANATIONS, FREQUENCY_LABELS=FREQUENCY_LABELS), status


@bp.route("/instellingen", methods=["GET", "POST"])
@login_required
def settings():
    """How often mail comes, per group. Every group is saved through `set_frequency`; when any
    value is refused (an unknown group or frequency from a tampered form), the whole request
    is rolled back, so nothing of it is saved, and the form shows why."""
    if request.method == "GET":
        return _render_settings(services.settings_for(current_user), {})
    _checked_form()
    chosen = {group: request.form.get(FIELD_PREFIX + group, "") for group in GROUPS}
    chosen.update({key.removeprefix(FIELD_PREFIX): request.form.get(key, "")
                   for key in request.form if key.startswith(FIELD_PREFIX)})
    locale = request.form.get("locale", "")
    errors: dict[str, str] = {}
    for group, frequency in chosen.items():
        try:
            services.set_frequency(current_user, group, frequency)
        except ValidationError as exc:
            errors[group] = " ".join(str(reason) for reason in exc.fields.values())
    try:
        services.set_mail_language(current_user, locale)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        rollback()
        values = services.settings_for(current_user)
        values.update({group: frequency for group, frequency in chosen.items()
                       if group in values and frequency in FREQUENCIES})
        return _render_settings(values, errors, 422, locale=locale)
    flash(_("Uw instellingen voor meldingen zijn opgeslagen."), "ok")
    return redirect(url_for(".settings"))


@bp.get("/meldingen")
@login_required
def inbox():
    page, per_page = page_args(request.args, services.INBOX_PER_PAGE)
    found = services.inbox(current_user, page, per_page)
    g.kde_unread = found.unread
    return render_template("notifications/inbox.html", inbox=found, result=found.page)


@bp.post("/meldingen/<int:notification_id>/gelezen")
@login_required
def mark_read(notification_id: int):
    _checked_form()
    services.mark_read(current_user, notification_id)
    flash(_("De melding is gemarkeerd als gelezen."), "ok")
    return redirect(safe_next(request.form.get("next"), url_for(".inbox")))


@bp.post("/meldingen/alles-gelezen")
@login_required
def mark_all_read():
    _checked_form()
    services.mark_all_read(current_user)
    flash(_("Alle meldingen zijn gemarkeerd als gelezen."), "ok")
    return redirect(url_for(".inbox"))


@bp.get("/volgend")
@login_required
def following():
    return render_template("notifications/following.html",
                           items=services.following(current_user),
                           FOLLOW_TARGET_LABELS=FOLLOW_TARGET_LABELS)


@bp.post("/volgen")
@login_required
def follow():
    """Follow anything: `target_type` and `target_id` from a follow button anywhere."""
    _checked_form()
    services.follow(current_user, request.form.get("target_type", ""),
                    request.form.get("target_id", ""))
    flash(_("U volgt dit nu. U krijgt een melding als er iets verandert."), "ok")
    return redirect(safe_next(request.form.get("next"), url_for(".following")))


@bp.post("/ontvolgen")
@login_required
def unfollow():
    _checked_form()
    services.unfollow(current_user, request.form.get("target_type", ""),
                      request.form.get("target_id", ""))
    flash(_("U volgt dit niet meer."), "ok")
    return redirect(safe_next(request.form.get("next"), url_for(".following")))
