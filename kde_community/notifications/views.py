"""The inbox (/mijn/meldingen), the "Volgend" page (/mijn/volgend), following anything, and
the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..pagination import page_args
from ..permissions import is_member
from ..web import ActionForm, safe_next
from . import services

bp = Blueprint("notifications", __name__, url_prefix="/mijn")

FOLLOW_TARGET_LABELS = {
    "question": _l("Vraag"), "practice": _l("Praktijk"), "clause_set": _l("Inkoopvoorwaarden"),
    "law": _l("Wet of voorstel"), "obligation": _l("Verplichting"), "theme": _l("Thema"),
    "organisation": _l("Organisatie"), "network": _l("Netwerk"),
}


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
