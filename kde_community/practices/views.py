"""Practice pages under /praktijken."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ..content import services as content
from ..content.forms import CommentForm
from ..content.services import StaleEdit
from ..content.views import history_page
from ..errors import Conflict, NotFound, ValidationError, error_page
from ..extensions import limiter
from ..laws.models import ORGANISATION_TYPES
from ..laws.services import all_themes, list_laws
from ..markup import render_markdown
from ..notifications.follow_state import follow_state
from ..pagination import page_args
from ..permissions import (
    can_contribute,
    can_edit_practice,
    can_moderate,
    can_see_comment_author,
    can_see_practice_author,
    can_view_practice,
    is_practice_writer,
)
from ..ratelimits import member_limit
from ..web import ActionForm, apply_errors, base_revision, conflict, once, rollback
from . import services, uploads
from .forms import AttachmentForm, FollowUpForm, PracticeForm
from .models import (
    FAILURE_CAUSES,
    OUTCOMES,
    PRACTICE_VISIBILITIES,
    SECTION_LABELS,
    SECTIONS,
    SIZE_CLASSES,
)

bp = Blueprint("practices", __name__, url_prefix="/praktijken")


def _post_limit():
    return current_app.config.get("KDE_POST_LIMIT", "30 per minute")


def _choices(form: PracticeForm) -> dict:
    locale = str(get_locale() or "nl")
    laws = list_laws()
    form.themes.choices = [(t.slug, t.name(locale)) for t in all_themes()]
    form.laws.choices = [(law.slug, law.short_name(locale)) for law in laws]
    form.obligations.choices = [(str(o.id), o.title) for law in laws for o in law.obligations]
    form.failure_causes.choices = [(k, str(v)) for k, v in FAILURE_CAUSES.items()]
    return {"laws": laws, "locale": locale, "OUTCOMES": OUTCOMES,
            "VISIBILITIES": PRACTICE_VISIBILITIES, "SECTION_LABELS": SECTION_LABELS,
            "SECTIONS": SECTIONS}


def _upload_limit() -> dict:
    """The limit as the upload fields state it and as the browser checks it."""
    return {"upload_limit": uploads.max_bytes(),
            "upload_limit_text": uploads.size_text(uploads.max_bytes())}


def _data(form: PracticeForm, *, new: bool = False) -> dict:
    """The form as service input; as for questions, only a new write-up takes the visibility
    the form shows checked when none was sent."""
    data = {name: getattr(form, name).data or "" for name in ("title", *SECTIONS, "period",
                                                               "effort", "co_authors")}
    data.update({"outcome": form.outcome.data or None,
                 "failure_causes": form.failure_causes.data or [],
                 "visibility": form.visibility.data or ("public" if new else None),
                 "anonymous": bool(form.anonymous.data),
                 "themes": form.themes.data or [], "laws": form.laws.data or [],
                 "obligations": form.obligations.data or []})
    return data


def _list_context(failures_first: bool = False):
    errors = {}
    try:
        page, per_page = page_args(request.args)
        filters = services.PracticeFilters.from_args(request.args)
    except ValidationError as exc:
        errors = exc.fields
        page, per_page, filters = 1, 20, services.PracticeFilters()
    locale = str(get_locale() or "nl")
    return {
        "result": services.list_practices(current_user, filters, page, per_page,
                                          failures_first=failures_first),
        "filters": filters, "errors": errors, "themes": all_themes(), "laws": list_laws(),
        "locale": locale, "OUTCOMES": OUTCOMES, "SIZE_CLASSES": [k for k, _lo, _hi in SIZE_CLASSES],
        "org_types": [t for t in ORGANISATION_TYPES if t in ("gemeente", "provincie", "waterschap")],
        "FAILURE_CAUSES": FAILURE_CAUSES, "failures_first": failures_first,
    }


@bp.get("")
def index():
    return render_template("practices/index.html", **_list_context(),
                           invitations=services.open_invitations(current_user))


@bp.route("/uitnodigingen/<int:invitation_id>", methods=["GET", "POST"])
@login_required
def invitation(invitation_id: int):
    """The invited member reads who asks what, and says yes or no."""
    invitation = services.get_invitation_or_404(invitation_id, current_user)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit() or form.value.data not in ("ja", "nee"):
            abort(400)
        accepted = form.value.data == "ja"
        services.answer_invitation(current_user, invitation, accepted)
        if accepted:
            flash(_("U bent nu mede-auteur van deze praktijk."), "ok")
            return redirect(url_for("practices.detail", practice_id=invitation.practice_id))
        flash(_("U heeft de uitnodiging afgewezen."), "ok")
        return redirect(url_for("practices.index"))
    return render_template("practices/invitation.html", invitation=invitation,
                           practice=invitation.practice, action_form=form)


@bp.get("/wat-ging-er-mis")
def failures():
    return render_template("practices/index.html", **_list_context(failures_first=True))


@bp.route("/schrijven", methods=["GET", "POST"])
@login_required
@limiter.limit(_post_limit, methods=["POST"])
@uploads.receives_upload
def write():
    if not can_contribute(current_user):
        abort(403)
    form = PracticeForm()
    choices = _choices(form)
    preview, status, pending, attachment = None, 200, None, None
    if form.validate_on_submit():
        try:
            attachment = _chosen_attachment()
            if "preview" in request.form:
                preview = {name: render_markdown(getattr(form, name).data) for name in SECTIONS}
                pending = _keep_pending(attachment)
            else:
                response = once("practice", lambda: _publish(form, attachment))
                _forget_pending(attachment)
                return response
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
            # A refused file is not kept; an accepted one waits for the corrected form.
            pending = None if "attachment" in exc.fields else _keep_pending(attachment)
    return render_template("practices/write.html", form=form, preview=preview, editing=None,
                           pending=pending, **_upload_limit(), **choices), status


def _publish(form: PracticeForm, attachment) -> str:
    practice = services.write_practice(current_user, _data(form, new=True))
    if attachment is not None:
        services.add_attachment(current_user, practice, attachment.name, attachment.data)
    flash(_("Uw praktijk is gepubliceerd. Dank u voor het delen!"), "ok")
    return url_for("practices.detail", practice_id=practice.id)


PENDING_SESSION_KEY = "pending_attachments"
PENDING_PER_SESSION = 5


@dataclass
class ChosenAttachment:
    name: str
    data: bytes
    pending_token: str | None = None  # set when it was kept from an earlier submission


def _chosen_attachment() -> ChosenAttachment | None:
    """The attachment this submission carries: a newly chosen file, else the one kept from
    an earlier submission of the form (unless the member let it go). Checked before anything
    is written, so a refused file leaves no practice behind."""
    token = request.form.get("pending_attachment", "")
    name = session.get(PENDING_SESSION_KEY, {}).get(token)
    kept = ChosenAttachment(name, b"", token) if name is not None else None
    sent = uploads.sent_file()
    if sent is not None:
        _forget_pending(kept)  # a newly chosen file replaces the kept one
        uploads.check_upload(sent.name, sent.data, sent.size)
        return ChosenAttachment(sent.name, sent.data)
    if kept is None:
        return None
    if request.form.get("drop_pending"):
        _forget_pending(kept)
        return None
    data = uploads.pending_data(token)
    if data is None:
        raise ValidationError({"attachment": _(
            "De bewaarde bijlage '%(name)s' is niet meer beschikbaar. Kies het bestand opnieuw.",
            name=name)})
    uploads.check_upload(name, data)
    return ChosenAttachment(name, data, token)


def _keep_pending(attachment: ChosenAttachment | None) -> dict | None:
    """Keep a chosen attachment while the form is shown again, so it need not be chosen anew;
    only this session can send it on (its token is remembered in the signed session)."""
    if attachment is None:
        return None
    if attachment.pending_token is None:
        attachment.pending_token = uploads.keep_pending(attachment.data)
        kept = dict(session.get(PENDING_SESSION_KEY, {}))
        kept[attachment.pending_token] = attachment.name
        for token in list(kept)[:-PENDING_PER_SESSION]:
            uploads.drop_pending(token)
            del kept[token]
        session[PENDING_SESSION_KEY] = kept
    return {"token": attachment.pending_token, "name": attachment.name}


def _forget_pending(attachment: ChosenAttachment | None) -> None:
    if attachment is None or attachment.pending_token is None:
        return
    uploads.drop_pending(attachment.pending_token)
    kept = dict(session.get(PENDING_SESSION_KEY, {}))
    kept.pop(attachment.pending_token, None)
    session[PENDING_SESSION_KEY] = kept


@bp.get("/<int:practice_id>")
def detail(practice_id: int):
    return _detail_page(services.get_visible_practice_or_404(practice_id, current_user))


def _detail_page(practice, status: int = 200):
    comments = content.comments_for("practice", [practice.id],
                                    include_hidden=can_moderate(current_user),
                                    viewer_id=getattr(current_user, "id", None)).get(practice.id, [])
    mine = content.my_reactions(current_user, "practice", [practice.id])
    return render_template(
        "practices/detail.html", p=practice, comments=comments,
        changed_laws=services.changed_laws(practice),
        versions=content.visible_revision_counts(current_user, [practice])[("practice", practice.id)],
        mine={kind for _id, kind in mine}, show_author=can_see_practice_author(current_user, practice),
        writer=is_practice_writer(current_user, practice),
        can_edit=can_edit_practice(current_user, practice),
        follow=follow_state(current_user, "practice", practice),
        attachments=services.visible_attachments(practice), action_form=ActionForm(),
        comment_form=CommentForm(), followup_form=FollowUpForm(), OUTCOMES=OUTCOMES,
        FAILURE_CAUSES=FAILURE_CAUSES, SECTION_LABELS=SECTION_LABELS, SECTIONS=SECTIONS,
        VISIBILITIES=PRACTICE_VISIBILITIES, locale=str(get_locale() or "nl")), status


def _refused(practice, exc, status: int = 422):
    """Show why an action was refused on the page itself, with an error status."""
    message = exc.message if isinstance(exc, Conflict) else "; ".join(exc.fields.values())
    flash(message, "error")
    return _detail_page(practice, 409 if isinstance(exc, Conflict) else status)


@bp.route("/<int:practice_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    if not can_edit_practice(current_user, practice):
        abort(403)
    form = PracticeForm()
    conflicts = []
    if request.method == "GET":
        form.base_revision.data = practice.revision
        for name in ("title", *SECTIONS, "period", "effort", "outcome", "visibility", "anonymous"):
            getattr(form, name).data = getattr(practice, name)
        form.failure_causes.data = list(practice.failure_causes)
        form.co_authors.data = ", ".join(services.co_author_addresses(practice))
        form.themes.data = [t.slug for t in practice.themes]
        form.laws.data = [law.slug for law in practice.laws]
        form.obligations.data = [str(o.id) for o in practice.obligations]
    choices = _choices(form)
    preview, status = None, 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = {name: render_markdown(getattr(form, name).data) for name in SECTIONS}
        else:
            try:
                changed = services.edit_practice(current_user, practice, _data(form),
                                                 base_revision=base_revision(form))
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 422
            except StaleEdit as exc:
                rollback()
                texts = ("title", *SECTIONS)
                conflicts = conflict(exc, {name: getattr(form, name).data for name in texts},
                                     {name: getattr(form, name).label.text for name in texts})
                form.base_revision.data = practice.revision
                status = 409
            else:
                flash(_("Uw wijziging is opgeslagen.") if changed else _("Er was niets gewijzigd."),
                      "ok")
                return redirect(url_for("practices.detail", practice_id=practice.id))
    return _edit_page(practice, form, status, preview, choices, conflicts)


def _edit_page(practice, form, status=200, preview=None, choices=None, conflicts=()):
    choices = choices or _choices(form)
    return render_template("practices/write.html", form=form, preview=preview, editing=practice,
                           **_upload_limit(),
                           attachments=services.visible_attachments(practice),
                           attachment_form=AttachmentForm(), conflicts=conflicts,
                           **choices), status


@bp.post("/<int:practice_id>/bijlagen")
@login_required
@limiter.limit(_post_limit)
@uploads.receives_upload
def upload(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    if not can_edit_practice(current_user, practice):
        abort(403)
    form = AttachmentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sent = uploads.sent_file()
        if sent is not None:
            uploads.too_large(sent.size)
        services.add_attachment(current_user, practice, sent.name if sent else None,
                                sent.data if sent else b"")
    except ValidationError as exc:
        for message in exc.fields.values():
            flash(message, "error")
        return _edit_page(practice, PracticeForm(formdata=None, obj=practice), 422)
    flash(_("De bijlage is toegevoegd."), "ok")
    return redirect(url_for("practices.edit", practice_id=practice.id))


@bp.errorhandler(RequestEntityTooLarge)
def body_too_large(exc):
    """A body beyond even what the upload forms read (FORM_BODY_FACTOR times the limit): its
    fields were never read, so the upload form is shown again with the limit named."""
    message = _("Wat u stuurde is te groot om te lezen; een bijlage mag hoogstens %(limit)s "
                "zijn. Kies een kleiner bestand en vul het formulier opnieuw in.",
                limit=uploads.size_text(uploads.max_bytes()))
    if request.endpoint == "practices.write" and can_contribute(current_user):
        form = PracticeForm(formdata=None)
        form.attachment.errors = [message]
        return render_template("practices/write.html", form=form, preview=None, editing=None,
                               pending=None, **_upload_limit(),
                               **_choices(form)), 413
    if request.endpoint == "practices.upload":
        try:
            practice = services.get_visible_practice_or_404(request.view_args["practice_id"],
                                                            current_user)
        except NotFound:
            return error_page(404)
        if can_edit_practice(current_user, practice):
            flash(message, "error")
            return _edit_page(practice, PracticeForm(formdata=None, obj=practice), 413)
    return error_page(413)


@bp.post("/<int:practice_id>/bijlagen/<int:attachment_id>/verwijderen")
@login_required
def remove_upload(practice_id: int, attachment_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.remove_attachment(current_user, practice, attachment_id)
    flash(_("De bijlage is verwijderd."), "ok")
    return redirect(url_for("practices.edit", practice_id=practice.id))


@bp.get("/<int:practice_id>/bijlagen/<int:attachment_id>")
def download(practice_id: int, attachment_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    attachment, number = services.get_attachment_or_404(practice, attachment_id)
    path = uploads.path_of(attachment.stored_name)
    if not path.exists():
        abort(404)
    body = uploads.served(path, attachment.kind, anonymous=attachment.practice.anonymous)
    return send_file(body, mimetype=attachment.mimetype, as_attachment=True,
                     download_name=attachment.download_name(number), max_age=0)


@bp.post("/<int:practice_id>/reactie")
@login_required
@member_limit("KDE_REACTION_LIMIT")
def react(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    value = _require_value()
    kind, _sep, action = value.partition(":")
    try:
        services.react(current_user, practice, kind, action != "intrekken")
    except (Conflict, ValidationError) as exc:
        return _refused(practice, exc)
    flash(_("Dank u voor uw reactie."), "ok")
    return redirect(url_for("practices.detail", practice_id=practice.id))


def _require_value() -> str:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return form.value.data or ""


@bp.post("/<int:practice_id>/vervolg")
@login_required
def followup(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    form = FollowUpForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.add_followup(current_user, practice, form.followup.data)
    except ValidationError as exc:
        return _refused(practice, exc)
    flash(_("Uw vervolg is toegevoegd."), "ok")
    return redirect(url_for("practices.detail", practice_id=practice.id, _anchor="vervolg"))


@bp.post("/<int:practice_id>/reacties")
@login_required
@limiter.limit(_post_limit)
def comment(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.comment(current_user, practice, form.comment.data)
    except ValidationError as exc:
        return _refused(practice, exc)
    flash(_("Uw reactie is geplaatst."), "ok")
    return redirect(url_for("practices.detail", practice_id=practice.id, _anchor="reacties"))


@bp.post("/<int:practice_id>/verwijderen")
@login_required
def delete(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    _require_value()
    services.delete_practice(current_user, practice)
    flash(_("De praktijk is verwijderd. Een moderator kan haar terugzetten."), "ok")
    return redirect(url_for("practices.index"))


@bp.get("/<int:practice_id>/geschiedenis")
def history(practice_id: int):
    practice = services.get_visible_practice_or_404(practice_id, current_user)
    return history_page(practice, practice.title,
                        url_for("practices.detail", practice_id=practice.id),
                        hide_authors=not can_see_practice_author(current_user, practice),
                        value_labels={"outcome": OUTCOMES, "failure_causes": FAILURE_CAUSES})


def register_content_kinds() -> None:
    """Practice write-ups as a kind of contribution (reports, moderation, history)."""
    from ..content.registry import ContentKind, register
    from .models import Practice

    register("practice", ContentKind(
        Practice, _l("Praktijk"), lambda p: url_for("practices.detail", practice_id=p.id),
        lambda p: p.title, can_view=can_view_practice, path="praktijk",
        excerpt=lambda p: p.summary, shows_author=can_see_practice_author,
        shows_comment_author=can_see_comment_author))
