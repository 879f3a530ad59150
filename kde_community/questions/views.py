"""Q&A pages under /vragen."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..content.forms import CommentForm, FlagForm, HideForm
from ..content.services import FLAG_REASONS, StaleEdit
from ..content.views import history_page
from ..dbtypes import as_int
from ..errors import ValidationError
from ..extensions import limiter
from ..laws.models import ORGANISATION_TYPES
from ..laws.services import all_themes, list_laws
from ..markup import render_markdown
from ..notifications.follow_state import follow_state, only_theme
from ..pagination import page_args
from ..permissions import can_contribute
from ..ratelimits import member_limit, setting
from ..search import services as search
from ..web import ActionForm, apply_errors, base_revision, conflict, once, rollback
from . import services
from .forms import AnswerForm, CloseForm, PickForm, QuestionForm

bp = Blueprint("questions", __name__, url_prefix="/vragen")


def _post_limit():
    from flask import current_app

    return current_app.config.get("KDE_POST_LIMIT", "30 per minute")


def _require_action() -> str:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    return form.value.data or ""


def _fill_choices(form: QuestionForm) -> dict:
    locale = str(get_locale() or "nl")
    laws = list_laws()
    form.themes.choices = [(t.slug, t.name(locale)) for t in all_themes()]
    form.laws.choices = [(law.slug, law.short_name(locale)) for law in laws]
    form.obligations.choices = [(str(o.id), f"{o.article} — {o.title}")
                                for law in laws for o in law.obligations]
    return {"laws": laws, "locale": locale}


def _form_data(form: QuestionForm, *, new: bool = False) -> dict:
    """The form as service input. A new question without a visibility choice gets the one
    the form shows checked; an edit never widens the audience by omission."""
    visibility = form.visibility.data or ("public" if new else None)
    return {"title": form.title.data, "body": form.body.data,
            "visibility": visibility, "themes": form.themes.data or [],
            "laws": form.laws.data or [], "obligations": form.obligations.data or []}


@bp.get("")
def index():
    errors = {}
    try:
        page, per_page = page_args(request.args)
        filters = services.QuestionFilters.from_args(request.args)
    except ValidationError as exc:
        errors = exc.fields
        page, per_page = 1, 20
        filters = services.QuestionFilters()
    locale = str(get_locale() or "nl")
    themes = all_themes()
    followed_theme = only_theme(request.args.getlist("thema") + request.args.getlist("theme"),
                                themes) if filters.theme else None
    return render_template(
        "questions/index.html", result=services.list_questions(current_user, filters, page, per_page),
        filters=filters, errors=errors, themes=themes, laws=list_laws(), locale=locale,
        followed_theme=followed_theme,
        theme_follow=follow_state(current_user, "theme", followed_theme),
        org_types=[t for t in ORGANISATION_TYPES if t in ("gemeente", "provincie", "waterschap")],
        sorts=services.SORTS, action_form=ActionForm(),
    )


@bp.get("/vergelijkbaar")
@limiter.limit(setting("KDE_SEARCH_LIMIT"))
def similar():
    """Similar questions while typing a title (JSON for the enhancement script)."""
    title = request.args.get("titel", "")[:300]
    items = search.similar_questions(current_user, title,
                                     exclude_id=as_int(request.args.get("behalve")))
    return jsonify({"items": [{"id": q.id, "title": q.title, "answers": q.answer_count,
                               "url": url_for("questions.detail", question_id=q.id)}
                              for q in items]})


@bp.route("/stellen", methods=["GET", "POST"])
@login_required
@limiter.limit(_post_limit, methods=["POST"])
def ask():
    if not can_contribute(current_user):
        abort(403)
    form = QuestionForm()
    if request.method == "GET":
        form.themes.data = request.args.getlist("thema")
        form.laws.data = request.args.getlist("wet")
        form.obligations.data = request.args.getlist("verplichting")
    choices = _fill_choices(form)
    preview = None
    status = 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.body.data)
        else:
            def ask():
                question = services.ask_question(current_user, _form_data(form, new=True))
                flash(_("Uw vraag is geplaatst. U volgt hem automatisch."), "ok")
                return url_for("questions.detail", question_id=question.id)

            try:
                return once("ask", ask)
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 422
    similar = search.similar_questions(current_user, form.title.data or "") \
        if form.title.data else []
    return render_template("questions/ask.html", form=form, preview=preview, similar=similar,
                           editing=None, **choices), status


@bp.get("/<int:question_id>")
def detail(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    return _thread_page(question, AnswerForm())


def _thread_page(question, answer_form, preview=None, status=200):
    thread = services.load_thread(question, current_user)
    flag_form = _flag_form()
    return render_template(
        "questions/detail.html", thread=thread, q=question, answer_form=answer_form,
        preview=preview, comment_form=CommentForm(), action_form=ActionForm(),
        flag_form=flag_form, hide_form=HideForm(), close_form=CloseForm(), pick_form=PickForm(),
        similar=search.similar_questions(current_user, question.title, limit=4,
                                         exclude_id=question.id),
    ), status


def _flag_form():
    form = FlagForm()
    form.reason.choices = [(k, str(v)) for k, v in FLAG_REASONS.items()]
    return form


@bp.route("/<int:question_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    from ..permissions import can_edit_post

    if not can_edit_post(current_user, question):
        abort(403)
    form = QuestionForm(obj=None)
    conflicts = []
    if request.method == "GET":
        form.base_revision.data = question.revision
        form.title.data, form.body.data = question.title, question.body
        form.visibility.data = question.visibility
        form.themes.data = [t.slug for t in question.themes]
        form.laws.data = [law.slug for law in question.laws]
        form.obligations.data = [str(o.id) for o in question.obligations]
    choices = _fill_choices(form)
    preview, status = None, 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.body.data)
        else:
            try:
                changed = services.edit_question(current_user, question, _form_data(form),
                                                 base_revision=base_revision(form))
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 422
            except StaleEdit as exc:
                rollback()
                conflicts = conflict(exc, {"title": form.title.data, "body": form.body.data},
                                     {"title": form.title.label.text, "body": form.body.label.text})
                form.base_revision.data = question.revision
                status = 409
            else:
                flash(_("Uw wijziging is opgeslagen.") if changed else
                      _("Er was niets gewijzigd."), "ok")
                return redirect(url_for("questions.detail", question_id=question.id))
    return render_template("questions/ask.html", form=form, preview=preview, similar=[],
                           editing=question, conflicts=conflicts, **choices), status


@bp.post("/<int:question_id>/antwoorden")
@login_required
@limiter.limit(_post_limit)
def answer(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    if "preview" in request.form:
        return _thread_page(question, form, preview=render_markdown(form.body.data))
    def post_answer():
        new = services.answer_question(current_user, question, {"body": form.body.data})
        flash(_("Dank u voor uw antwoord."), "ok")
        return url_for("questions.detail", question_id=question.id, _anchor=f"antwoord-{new.id}")

    try:
        return once("answer", post_answer)
    except ValidationError as exc:
        apply_errors(form, exc)
        return _thread_page(question, form, status=422)


@bp.route("/antwoorden/<int:answer_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_answer(answer_id: int):
    answer = services.get_visible_answer_or_404(answer_id, current_user)
    from ..permissions import can_edit_post

    if not can_edit_post(current_user, answer):
        abort(403)
    form = AnswerForm()
    conflicts = []
    if request.method == "GET":
        form.body.data = answer.body
        form.base_revision.data = answer.revision
    preview, status = None, 200
    if form.validate_on_submit():
        if "preview" in request.form:
            preview = render_markdown(form.body.data)
        else:
            try:
                changed = services.edit_answer(current_user, answer, {"body": form.body.data},
                                               base_revision=base_revision(form))
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 422
            except StaleEdit as exc:
                rollback()
                conflicts = conflict(exc, {"body": form.body.data},
                                     {"body": form.body.label.text})
                form.base_revision.data = answer.revision
                status = 409
            else:
                flash(_("Uw wijziging is opgeslagen.") if changed else
                      _("Er was niets gewijzigd."), "ok")
                return redirect(url_for("questions.detail", question_id=answer.question_id,
                                        _anchor=f"antwoord-{answer.id}"))
    return render_template("questions/edit_answer.html", form=form, answer=answer,
                           preview=preview, conflicts=conflicts), status


@bp.get("/<int:question_id>/geschiedenis")
def history(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    return history_page(question, question.title,
                    url_for("questions.detail", question_id=question.id))


@bp.get("/antwoorden/<int:answer_id>/geschiedenis")
def answer_history(answer_id: int):
    answer = services.get_visible_answer_or_404(answer_id, current_user)
    return history_page(answer, answer.question.title,
                    url_for("questions.detail", question_id=answer.question_id,
                            _anchor=f"antwoord-{answer.id}"))


def _back(question_id: int, anchor: str | None = None):
    return redirect(url_for("questions.detail", question_id=question_id, _anchor=anchor))


@bp.post("/<int:question_id>/accepteren")
@login_required
def accept(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    value = _require_action()
    if value == "intrekken":
        services.unaccept_answer(current_user, question)
        flash(_("Het antwoord is niet langer geaccepteerd."), "ok")
        return _back(question.id)
    answer_id = as_int(value, minimum=1)
    if answer_id is None:
        abort(400)
    answer = services.get_visible_answer_or_404(answer_id, current_user)
    services.accept_answer(current_user, question, answer)
    flash(_("U heeft dit antwoord geaccepteerd."), "ok")
    return _back(question.id, f"antwoord-{answer.id}")


@bp.post("/<int:question_id>/stem")
@login_required
@member_limit("KDE_VOTE_LIMIT")
def vote_question(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    _vote(question, _require_action())
    return _back(question.id)


@bp.post("/antwoorden/<int:answer_id>/stem")
@login_required
@member_limit("KDE_VOTE_LIMIT")
def vote_answer(answer_id: int):
    answer = services.get_visible_answer_or_404(answer_id, current_user)
    _vote(answer, _require_action())
    return _back(answer.question_id, f"antwoord-{answer.id}")


def _vote(post, value: str) -> None:
    if value == "intrekken":
        services.unvote(current_user, post)
        flash(_("Uw stem is ingetrokken."), "ok")
    else:
        services.vote(current_user, post)
        flash(_("Dank u: u vond dit nuttig."), "ok")


@bp.post("/<int:question_id>/reacties")
@login_required
@limiter.limit(_post_limit)
def comment_question(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    return _comment(question, question.id, None)


@bp.post("/antwoorden/<int:answer_id>/reacties")
@login_required
@limiter.limit(_post_limit)
def comment_answer(answer_id: int):
    answer = services.get_visible_answer_or_404(answer_id, current_user)
    return _comment(answer, answer.question_id, f"antwoord-{answer.id}")


def _comment(post, question_id: int, anchor: str | None):
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.comment_on(current_user, post, form.comment.data)
    except ValidationError as exc:
        rollback()
        for message in exc.fields.values():
            flash(message, "error")
        return _back(question_id, anchor)
    flash(_("Uw reactie is geplaatst."), "ok")
    return _back(question_id, anchor)


@bp.post("/<int:question_id>/verwijderen")
@login_required
def delete_question(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    _require_action()
    services.delete_own_post(current_user, question)
    flash(_("De vraag is verwijderd. Een moderator kan haar terugzetten."), "ok")
    return redirect(url_for("questions.index"))


@bp.post("/antwoorden/<int:answer_id>/verwijderen")
@login_required
def delete_answer(answer_id: int):
    answer = services.get_visible_answer_or_404(answer_id, current_user)
    _require_action()
    services.delete_own_post(current_user, answer)
    flash(_("Het antwoord is verwijderd. Een moderator kan het terugzetten."), "ok")
    return _back(answer.question_id)


@bp.post("/<int:question_id>/sluiten")
@login_required
def close(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close_question(current_user, question, form.reason.data or "",
                                form.note.data or "", form.duplicate_of.data)
    except ValidationError as exc:
        rollback()
        for message in exc.fields.values():
            flash(message, "error")
        return _back(question.id, "moderatie")
    flash(_("De vraag is gesloten."), "ok")
    return _back(question.id)


@bp.post("/<int:question_id>/heropenen")
@login_required
def reopen(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    _require_action()
    services.reopen_question(current_user, question)
    flash(_("De vraag is heropend."), "ok")
    return _back(question.id)


@bp.post("/<int:question_id>/praktijkvraag")
@login_required
def pick(question_id: int):
    question = services.get_visible_question_or_404(question_id, current_user)
    form = PickForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.pick_praktijkvraag(current_user, question, form.note.data or "")
    except ValidationError as exc:
        rollback()
        for message in exc.fields.values():
            flash(message, "error")
        return _back(question.id)
    flash(_("Deze vraag is nu de praktijkvraag van de week."), "ok")
    return _back(question.id)


def register_content_kinds() -> None:
    """Questions and answers as kinds of contribution (reports, moderation, history)."""
    from ..content.registry import ContentKind, register
    from ..permissions import can_view_post
    from .models import Answer, Question

    register("question", ContentKind(
        Question, _l("Vraag"), lambda q: url_for("questions.detail", question_id=q.id),
        lambda q: q.title, can_view=can_view_post, path="vraag"))
    register("answer", ContentKind(
        Answer, _l("Antwoord"),
        lambda a: url_for("questions.detail", question_id=a.question_id,
                          _anchor=f"antwoord-{a.id}"),
        lambda a: a.question.title, can_view=can_view_post,
        visibility_changed=services.after_visibility_change, path="antwoord"))
