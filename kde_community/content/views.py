"""Reporting contributions, and the moderators' queue with hide / restore."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..accounts.services import pending_members
from ..dbtypes import as_int
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..markup import plain_text
from ..permissions import can_moderate
from ..ratelimits import member_limit
from ..web import ActionForm, apply_errors, rollback, safe_next
from . import services
from .forms import FlagForm, HideForm
from .models import VISIBILITY_LABELS, ModerationAction
from .registry import kind_for_path, kinds, load
from .services import FLAG_REASONS

bp = Blueprint("moderation", __name__)


def _load_visible(kind_path: str, content_id: int):
    content_type = kind_for_path(kind_path)
    if content_type is None:
        abort(404)
    obj = load(content_type, content_id)
    if not kinds()[content_type].can_view(current_user, obj) or (
            content_type == "comment" and obj.is_removed and not can_moderate(current_user)):
        abort(404)
    return content_type, obj


@bp.route("/melden/<kind_path>/<int:content_id>", methods=["GET", "POST"])
@login_required
@member_limit("KDE_FLAG_LIMIT")
def report(kind_path: str, content_id: int):
    content_type, obj = _load_visible(kind_path, content_id)
    kind = kinds()[content_type]
    form = FlagForm()
    form.reason.choices = [(k, str(v)) for k, v in FLAG_REASONS.items()]
    status = 200
    if form.validate_on_submit():
        try:
            services.flag(current_user, obj, form.reason.data or "", form.note.data or "")
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
        except Conflict as exc:
            rollback()
            flash(exc.message, "error")
            return redirect(kind.url(obj))
        else:
            flash(_("Dank u. Een moderator bekijkt uw melding."), "ok")
            return redirect(kind.url(obj))
    return render_template("moderation/report.html", form=form, kind=kind, obj=obj,
                           item=_reported_item(content_type, obj)), status


def _reported_item(content_type: str, obj) -> dict:
    """The reported item as the reporter sees it: its own words and author, and the
    title it belongs to (an answer's question, a comment's subject)."""
    kind = kinds()[content_type]
    within = kind.title(obj)
    if content_type == "comment":
        target = load(obj.target_type, obj.target_id)
        within = kinds()[obj.target_type].title(target)
    author = obj.author if kind.shows_author(current_user, obj) else None
    return {"label": kind.label, "url": kind.url(obj), "own_title": getattr(obj, "title", None),
            "within": within, "excerpt": plain_text(kind.excerpt(obj), 400),
            "author": author.name if author else None,
            "organisation": author.organisation.name if author and author.organisation else None}


@bp.get("/moderatie")
@login_required
def queue():
    if not can_moderate(current_user):
        abort(403)
    flags = services.open_flags()
    grouped: dict[tuple[str, int], list] = {}
    for item in flags:
        grouped.setdefault((item.content_type, item.content_id), []).append(item)
    items = []
    for (content_type, content_id), reports in grouped.items():
        obj = load(content_type, content_id)
        kind = kinds()[content_type]
        items.append({"type": content_type, "path": kind.path, "obj": obj,
                      "kind": kind, "title": kind.title(obj), "url": kind.url(obj),
                      "reports": reports})
    actions = list(db.session.scalars(
        select(ModerationAction).order_by(ModerationAction.created_at.desc()).limit(20)))
    recent = []
    for action in actions:
        kind = kinds().get(action.content_type)
        try:
            obj = load(action.content_type, action.content_id)
        except NotFound:
            continue
        recent.append({"action": action, "obj": obj, "title": kind.title(obj),
                       "url": kind.url(obj), "path": kind.path})
    return render_template("moderation/queue.html", items=items, recent=recent,
                           pending=len(pending_members()), hide_form=HideForm(),
                           action_form=ActionForm(), reasons=FLAG_REASONS)


@bp.post("/moderatie/<kind_path>/<int:content_id>/<action>")
@login_required
def act(kind_path: str, content_id: int, action: str):
    if not can_moderate(current_user):
        abort(403)
    content_type = kind_for_path(kind_path)
    if content_type is None or action not in ("verbergen", "herstellen", "afwijzen"):
        abort(404)
    form = HideForm()
    if not form.validate_on_submit():
        abort(400)
    obj = load(content_type, content_id)
    try:
        if action == "verbergen":
            services.hide_item(current_user, content_type, content_id, form.reason.data)
            flash(_("Verborgen. U kunt dit altijd herstellen."), "ok")
        elif action == "herstellen":
            services.restore_item(current_user, content_type, content_id)
            flash(_("Hersteld: weer zichtbaar."), "ok")
        else:
            services.dismiss_flags(current_user, obj)
            flash(_("De meldingen zijn afgehandeld zonder actie."), "ok")
    except (ValidationError, Conflict) as exc:
        rollback()
        message = "; ".join(exc.fields.values()) if isinstance(exc, ValidationError) else exc.message
        flash(message, "error")
    return redirect(safe_next(request.form.get("next"), url_for("moderation.queue")))


def _revision_arg(name: str) -> int | None:
    return as_int(request.args.get(name, ""), minimum=1)


def history_page(post, title: str, back_url: str, hide_authors: bool = False,
                 value_labels: dict | None = None):
    """The revisions of any contribution the reader may see, with a diff between the two
    chosen (?van=&tot=); revisions written for an audience without the reader do not exist
    for them. `value_labels` shows stored values (`organisation`) as words per field."""
    from flask import render_template

    revisions = services.revisions_for(post, current_user)
    if not revisions:
        abort(404)
    by_number = {r.number: r for r in revisions}
    numbers = [r.number for r in revisions]
    to_n = _revision_arg("tot") or numbers[-1]
    if to_n not in by_number:
        abort(404)
    earlier = [n for n in numbers if n < to_n]
    from_n = _revision_arg("van") or (earlier[-1] if earlier else to_n)
    if from_n not in by_number:
        abort(404)
    previous = dict(zip(numbers[1:], numbers, strict=False))
    value_labels = {"visibility": VISIBILITY_LABELS, "anonymous": {"ja": _("ja"), "nee": _("nee")},
                    **(value_labels or {})}
    return render_template(
        "content/history.html", revisions=revisions, previous=previous,
        diff=services.diff_revisions(by_number[from_n], by_number[to_n], value_labels),
        from_n=from_n, to_n=to_n, title=title, back_url=back_url, post=post,
        hide_authors=hide_authors)
