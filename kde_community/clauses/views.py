"""Clause set pages under /inkoopvoorwaarden: sets, clauses, history, suggestions, releases,
adoptions and exports. Thin: every rule lives in services.py and permissions.py."""

from __future__ import annotations

import io
import re
import unicodedata

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from ..content import services as content
from ..content.forms import CommentForm
from ..content.services import StaleEdit
from ..dbtypes import as_int
from ..directory.services import all_organisations
from ..errors import Conflict, ValidationError
from ..extensions import limiter
from ..laws.services import list_laws
from ..notifications.follow_state import follow_state
from ..pagination import page_args
from ..permissions import (
    can_comment_on_clauses,
    can_create_clause_set,
    can_edit_clauses,
    can_moderate,
    can_suggest,
    can_view_clause_set,
    is_member,
)
from ..web import ActionForm, apply_errors, base_revision, conflict, once, rollback
from . import services
from .forms import (
    ClauseForm,
    DecisionForm,
    MoveForm,
    NewSetForm,
    ParticipantForm,
    ReleaseForm,
    SetForm,
    StatusForm,
    SuggestionForm,
)
from .models import (
    PURCHASE_KIND_LABELS,
    PURCHASE_KINDS,
    ROLE_LABELS,
    SET_VISIBILITY_LABELS,
    STATUS_LABELS,
)

bp = Blueprint("clauses", __name__, url_prefix="/inkoopvoorwaarden")

# Dutch query values (?status=consultatie&soort=ai-systeem) for the codes in the models.
STATUS_ARGS = {"concept": "concept", "consultatie": "consultation", "vastgesteld": "adopted"}
KIND_ARGS = {"saas": "saas", "ai-systeem": "ai_system", "website-app": "website_app",
             "dataplatform": "data_platform", "hosting": "hosting", "software": "software",
             "diensten": "services", "anders": "other"}
SUGGESTION_KIND_ARGS = {"wijziging": "change", "nieuw": "new", "schrappen": "delete"}
SUGGESTION_KIND_LABELS = {
    "change": _l("Nieuwe tekst voor deze bepaling"),
    "new": _l("Een nieuwe bepaling"),
    "delete": _l("Deze bepaling schrappen"),
}
SUGGESTION_STATE_LABELS = {
    "open": _l("Open"),
    "accepted": _l("Overgenomen"),
    "rejected": _l("Afgewezen"),
    "withdrawn": _l("Ingetrokken"),
}
FIELD_LABELS = {
    "heading": _l("Kop"),
    "text": _l("Tekst"),
    "explanation": _l("Toelichting voor inkopers"),
    "source_reference": _l("Bron of voorbeeld"),
    "obligations": _l("Verplichtingen"),
    "title": _l("Titel"),
    "purpose": _l("Doel"),
}
EXPORT_FORMATS = ("odt", "docx", "md")


def _post_limit():
    return current_app.config.get("KDE_POST_LIMIT", "30 per minute")


def _locale() -> str:
    return str(get_locale() or "nl")


# --- loading: 404 for what the reader may not see, before anything else --------------------

def _set(set_id: int):
    return services.get_visible_set_or_404(set_id, current_user)


def _clause(set_id: int, clause_id: int):
    clause = services.get_visible_clause_or_404(clause_id, current_user)
    if clause.set_id != set_id:
        abort(404)
    return clause


def _suggestion(set_id: int, suggestion_id: int):
    suggestion = services.get_suggestion_or_404(suggestion_id, current_user)
    if suggestion.set_id != set_id:
        abort(404)
    return suggestion


def _release(set_id: int, release_id: int):
    release = services.get_release_or_404(release_id, current_user)
    if release.set_id != set_id:
        abort(404)
    return release


def _login_first(back: str) -> None:
    """Visitors are sent to log in (after the set was found: no existence leak)."""
    if not current_user.is_authenticated:
        abort(redirect(url_for("accounts.login", next=back)))


def _csrf_checked(form) -> None:
    if not form.validate_on_submit():
        abort(400)


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.fields.values())


# --- diffs readable without colour or CSS ----------------------------------------------------

def readable_diff(html: Markup) -> Markup:
    """<ins>/<del> with their meaning in words around them ("[ingevoegd: …]"), visually hidden
    but read aloud and shown when CSS is off. The diff escapes every text, so the tags found
    here are the diff's own."""
    inserted = Markup('<span class="diff-mark">[{}: </span><ins>').format(_("ingevoegd"))
    deleted = Markup('<span class="diff-mark">[{}: </span><del>').format(_("verwijderd"))
    close = Markup('<span class="diff-mark">]</span>')
    text = str(html)
    text = text.replace("<ins>", str(inserted)).replace("</ins>", "</ins>" + str(close))
    text = text.replace("<del>", str(deleted)).replace("</del>", "</del>" + str(close))
    return Markup(text)  # noqa: S704 — built from the escaped diff and our own fixed markup


def _readable(diffs: list) -> list:
    for d in diffs:
        d.html = readable_diff(d.html)
    return diffs


# --- the list ---------------------------------------------------------------------------------

@bp.get("")
def index():
    errors: dict[str, str] = {}
    try:
        page, per_page = page_args(request.args)
    except ValidationError as exc:
        errors.update(exc.fields)
        page, per_page = 1, 20
    laws = list_laws()
    raw_status, raw_kind = request.args.get("status", ""), request.args.get("soort", "")
    raw_law, raw_obligation = request.args.get("wet", ""), request.args.get("verplichting", "")
    status = STATUS_ARGS.get(raw_status)
    if raw_status and status is None:
        errors["status"] = _("Kies een status uit de lijst.")
    kind = KIND_ARGS.get(raw_kind)
    if raw_kind and kind is None:
        errors["soort"] = _("Kies een soort inkoop uit de lijst.")
    law = raw_law if any(item.slug == raw_law for item in laws) else None
    if raw_law and law is None:
        errors["wet"] = _("Kies een wet uit de lijst.")
    obligation = as_int(raw_obligation, minimum=1)
    if raw_obligation and not any(o.id == obligation for item in laws for o in item.obligations):
        errors["verplichting"] = _("Kies een verplichting uit de lijst.")
        obligation = None
    result = services.list_sets(current_user, status=status, purchase_kind=kind,
                                obligation_id=obligation, law_slug=law, page=page,
                                per_page=per_page)
    return render_template(
        "clauses/index.html", result=result, errors=errors, laws=laws, locale=_locale(),
        clause_counts=services.clause_counts([s.id for s in result.items]),
        adopter_counts={s.id: len({a.organisation_id for r in s.releases for a in r.adoptions})
                        for s in result.items},
        selected={"status": raw_status if status else "", "soort": raw_kind if kind else "",
                  "wet": law or "", "verplichting": obligation},
        STATUS_ARGS=STATUS_ARGS, KIND_ARGS=KIND_ARGS, STATUS_LABELS=STATUS_LABELS,
        PURCHASE_KIND_LABELS=PURCHASE_KIND_LABELS)


# --- creating and editing a set ----------------------------------------------------------------

def _set_choices(form: SetForm) -> None:
    form.purchase_kind.choices = [(k, str(PURCHASE_KIND_LABELS[k])) for k in PURCHASE_KINDS]


def _obligation_context() -> dict:
    return {"laws": list_laws(), "locale": _locale()}


@bp.route("/nieuw", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def create():
    _login_first(request.full_path)
    if not can_create_clause_set(current_user):
        abort(403)
    form = NewSetForm()
    _set_choices(form)
    status = 200
    if request.method == "GET":
        form.visibility.data = "members"
        obligation_id = as_int(request.args.get("verplichting", ""), minimum=1)
        obligation = next((o for law in list_laws() for o in law.obligations
                           if o.id == obligation_id), None)
        if obligation is not None:
            form.first_obligations.data = [str(obligation.id)]
            form.first_heading.data = obligation.title[:200]
            form.title.data = _("Inkoopvoorwaarden: %(law)s %(article)s",
                                 law=obligation.law.short_name(_locale()),
                                 article=obligation.article)[:200]
    elif form.validate_on_submit():
        data = {"title": form.title.data, "purpose": form.purpose.data,
                "purchase_kind": form.purchase_kind.data or "other",
                "visibility": form.visibility.data or "members"}
        first = {"heading": (form.first_heading.data or "").strip(),
                 "text": (form.first_text.data or "").strip(),
                 "obligations": form.first_obligations.data or []}

        def make():
            clause_set = services.create_set(current_user, data)
            if first["heading"] or first["text"]:
                try:
                    services.add_clause(current_user, clause_set, first)
                except ValidationError as exc:
                    raise ValidationError({f"first_{k}": v for k, v in exc.fields.items()}) \
                        from None
            flash(_("De set is aangemaakt. Nodig andere organisaties uit en voeg bepalingen "
                    "toe."), "ok")
            return url_for("clauses.detail", set_id=clause_set.id)

        try:
            return once("clause_set", make)
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
    else:
        abort(400)
    return render_template("clauses/set_form.html", form=form, editing=None,
                           VISIBILITIES=SET_VISIBILITY_LABELS, **_obligation_context()), status


@bp.route("/<int:set_id>/bewerken", methods=["GET", "POST"])
def edit(set_id: int):
    clause_set = _set(set_id)
    _login_first(request.full_path)
    if not can_edit_clauses(current_user, clause_set):
        abort(403)
    form = SetForm()
    _set_choices(form)
    conflicts, status = [], 200
    if request.method == "GET":
        form.base_revision.data = clause_set.revision
        for name in ("title", "purpose", "purchase_kind", "visibility"):
            getattr(form, name).data = getattr(clause_set, name)
    elif form.validate_on_submit():
        data = {name: getattr(form, name).data for name in
                ("title", "purpose", "purchase_kind", "visibility")}
        try:
            changed = services.edit_set(current_user, clause_set, data,
                                        base_revision=base_revision(form))
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
        except StaleEdit as exc:
            rollback()
            conflicts = _readable_conflicts(conflict(
                exc, {"title": form.title.data, "purpose": form.purpose.data},
                {"title": FIELD_LABELS["title"], "purpose": FIELD_LABELS["purpose"]}))
            form.base_revision.data = clause_set.revision
            status = 409
        else:
            flash(_("De set is bijgewerkt.") if changed else _("Er was niets gewijzigd."), "ok")
            return redirect(url_for("clauses.detail", set_id=clause_set.id))
    else:
        abort(400)
    return render_template("clauses/set_form.html", form=form, editing=clause_set,
                           conflicts=conflicts, VISIBILITIES=SET_VISIBILITY_LABELS), status


def _readable_conflicts(conflicts: list) -> list:
    for c in conflicts:
        c.diff = readable_diff(c.diff)
    return conflicts


# --- the set page ------------------------------------------------------------------------------

@bp.get("/<int:set_id>")
def detail(set_id: int):
    return _detail_page(_set(set_id))


def _organisation_groups() -> dict[str, list[tuple[str, str]]]:
    from ..templating import ORG_TYPE_LABELS

    groups: dict[str, list[tuple[str, str]]] = {}
    for org in all_organisations():
        groups.setdefault(str(ORG_TYPE_LABELS.get(org.type, org.type)), []).append(
            (org.slug, org.name))
    return groups


def _detail_page(clause_set, status: int = 200, errors: dict | None = None, values=None):
    """The set with everything on one page; `errors` per editor tool ({"release": {...}})
    when one of them was refused, with the values the member typed (`values`)."""
    editor = can_edit_clauses(current_user, clause_set)
    open_suggestions = services.suggestions_for(clause_set)
    per_clause: dict[int | None, int] = {}
    for suggestion in open_suggestions:
        per_clause[suggestion.clause_id] = per_clause.get(suggestion.clause_id, 0) + 1
    own = current_user.organisation_id if is_member(current_user) else None
    return render_template(
        "clauses/detail.html", s=clause_set, editor=editor, suggestions=open_suggestions,
        per_clause=per_clause, own_org=own, changes=_changelog(clause_set),
        outdated=services.changed_laws(clause_set.clauses),
        organisations=_organisation_groups() if editor else {},
        errors=errors or {}, values=values or {}, locale=_locale(),
        follow=follow_state(current_user, "clause_set", clause_set),
        STATUS_LABELS=STATUS_LABELS, PURCHASE_KIND_LABELS=PURCHASE_KIND_LABELS,
        ROLE_LABELS=ROLE_LABELS, VISIBILITIES=SET_VISIBILITY_LABELS,
        SUGGESTION_KIND_LABELS=SUGGESTION_KIND_LABELS,
        transitions=services.TRANSITIONS[clause_set.status] if editor else ()), status


def _refused_on_set(set_id: int, key: str, exc: ValidationError, values: dict | None = None):
    """An editor tool refused: nothing is kept, the set page says why (422)."""
    rollback()
    for message in exc.fields.values():
        flash(message, "error")
    return _detail_page(_set(set_id), 422, {key: exc.fields}, {key: values or {}})


def _posted_to_set(set_id: int, form):
    """A form posted to a set's page: the set (404 when hidden), a login, a valid token."""
    clause_set = _set(set_id)
    _login_first(url_for("clauses.detail", set_id=set_id))
    _csrf_checked(form)
    return clause_set


@bp.post("/<int:set_id>/status")
def change_status(set_id: int):
    form = StatusForm()
    clause_set = _posted_to_set(set_id, form)
    try:
        services.change_status(current_user, clause_set, form.status.data, form.until.data)
    except ValidationError as exc:
        return _refused_on_set(set_id, "status", exc, {"until": form.until.data or ""})
    flash(_("De status is nu: %(status)s.", status=STATUS_LABELS[clause_set.status]), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id))


@bp.post("/<int:set_id>/deelnemers")
def add_participant(set_id: int):
    form = ParticipantForm()
    clause_set = _posted_to_set(set_id, form)
    try:
        row = services.set_participant(current_user, clause_set, form.organisation.data,
                                       form.role.data)
    except ValidationError as exc:
        return _refused_on_set(set_id, "participant", exc)
    flash(_("%(org)s doet mee als %(role)s.", org=row.organisation.name,
            role=str(ROLE_LABELS[row.role]).lower()), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id, _anchor="deelnemers"))


@bp.post("/<int:set_id>/deelnemers/<int:participant_id>/verwijderen")
def remove_participant(set_id: int, participant_id: int):
    clause_set = _posted_to_set(set_id, ActionForm())
    services.remove_participant(current_user, clause_set, participant_id)
    flash(_("De organisatie doet niet meer mee."), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id, _anchor="deelnemers"))


@bp.post("/<int:set_id>/releases")
def make_release(set_id: int):
    form = ReleaseForm()
    clause_set = _posted_to_set(set_id, form)
    try:
        release = services.make_release(current_user, clause_set, form.label.data,
                                        form.notes.data or "")
    except ValidationError as exc:
        return _refused_on_set(set_id, "release", exc,
                               {"label": form.label.data or "", "notes": form.notes.data or ""})
    flash(_("Release %(label)s is gemaakt. Organisaties kunnen nu vastleggen dat zij deze "
            "versie gebruiken.", label=release.label), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id, _anchor=f"release-{release.id}"))


@bp.get("/<int:set_id>/releases/<int:release_id>")
def release(set_id: int, release_id: int):
    found = _release(set_id, release_id)
    clause_set = _set(set_id)
    own = current_user.organisation_id if is_member(current_user) else None
    return render_template("clauses/release.html", s=clause_set, release=found,
                           snap=found.snapshot, own_org=own,
                           PURCHASE_KIND_LABELS=PURCHASE_KIND_LABELS)


@bp.post("/<int:set_id>/releases/<int:release_id>/gebruiken")
def adopt(set_id: int, release_id: int):
    found = _release(set_id, release_id)
    _login_first(url_for("clauses.detail", set_id=set_id))
    _csrf_checked(ActionForm())
    result = services.adopt(current_user, found)
    if result.new:
        flash(_("Vastgelegd: uw organisatie gebruikt versie %(label)s.", label=found.label), "ok")
    else:
        flash(_("Dit was al vastgelegd: uw organisatie gebruikt versie %(label)s.",
                label=found.label), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id, _anchor=f"release-{found.id}"))


@bp.post("/<int:set_id>/releases/<int:release_id>/niet-meer-gebruiken")
def withdraw_adoption(set_id: int, release_id: int):
    found = _release(set_id, release_id)
    _login_first(url_for("clauses.detail", set_id=set_id))
    _csrf_checked(ActionForm())
    services.withdraw_adoption(current_user, found)
    flash(_("Vastgelegd: uw organisatie gebruikt versie %(label)s niet meer.",
            label=found.label), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id, _anchor=f"release-{found.id}"))


# --- exports -----------------------------------------------------------------------------------

def _filename(title: str, label: str, extension: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", f"{title} {label}").encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.decode().lower()).strip("-")[:80]
    return f"{slug or 'inkoopvoorwaarden'}.{extension}"


def _export(snapshot: dict, fmt: str, label: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    from .export import render_export

    body, mimetype, extension = render_export(snapshot, fmt, label=label)
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=_filename(snapshot.get("title", ""), label, extension),
                     max_age=0)


@bp.get("/<int:set_id>/export.<fmt>")
def export_draft(set_id: int, fmt: str):
    clause_set = _set(set_id)
    return _export(services.snapshot(clause_set), fmt, _("concept"))


@bp.get("/<int:set_id>/releases/<int:release_id>/export.<fmt>")
def export_release(set_id: int, release_id: int, fmt: str):
    found = _release(set_id, release_id)
    return _export(found.snapshot, fmt, found.label)


# --- clauses -----------------------------------------------------------------------------------

def _clause_choices(form: ClauseForm | NewSetForm, field: str = "obligations") -> dict:
    context = _obligation_context()
    getattr(form, field).choices = [(str(o.id), f"{o.article} — {o.title}")
                                    for law in context["laws"] for o in law.obligations]
    return context


def _clause_data(form: ClauseForm) -> dict:
    return {"heading": form.heading.data or "", "text": form.text.data or "",
            "explanation": form.explanation.data or "",
            "source_reference": form.source_reference.data or "",
            "obligations": form.obligations.data or []}


@bp.route("/<int:set_id>/bepalingen/nieuw", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def add_clause(set_id: int):
    clause_set = _set(set_id)
    _login_first(request.full_path)
    if not can_edit_clauses(current_user, clause_set):
        abort(403)
    form = ClauseForm()
    context = _clause_choices(form)
    status = 200
    if request.method == "POST":
        _csrf_checked(form)

        def make():
            clause = services.add_clause(current_user, clause_set, _clause_data(form))
            flash(_("Bepaling %(n)d is toegevoegd.", n=clause.position), "ok")
            return url_for("clauses.detail", set_id=set_id, _anchor=f"bepaling-{clause.position}")

        try:
            return once("clause", make)
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
    return render_template("clauses/clause_form.html", form=form, s=clause_set, clause=None,
                           **context), status


@bp.get("/<int:set_id>/bepalingen/<int:clause_id>")
def clause(set_id: int, clause_id: int):
    return _clause_page(_clause(set_id, clause_id))


def _clause_page(found, status: int = 200):
    clause_set = found.clause_set
    suggestions = [s for s in services.suggestions_for(clause_set) if s.clause_id == found.id]
    diffs = {}
    for suggestion in suggestions:
        field_diffs, stale = services.suggestion_diff(suggestion)
        diffs[suggestion.id] = (_readable(field_diffs), stale)
    comments = content.comments_for("clause", [found.id],
                                    include_hidden=can_moderate(current_user),
                                    viewer_id=getattr(current_user, "id", None)).get(found.id, [])
    versions = len(services.clause_versions(found, current_user))
    return render_template(
        "clauses/clause.html", s=clause_set, clause=found, suggestions=suggestions, diffs=diffs,
        changed_laws=services.changed_laws([found]).get(found.id),
        comments=comments, versions=versions, locale=_locale(), FIELD_LABELS=FIELD_LABELS,
        SUGGESTION_KIND_LABELS=SUGGESTION_KIND_LABELS, STATUS_LABELS=STATUS_LABELS), status


@bp.route("/<int:set_id>/bepalingen/<int:clause_id>/bewerken", methods=["GET", "POST"])
def edit_clause(set_id: int, clause_id: int):
    found = _clause(set_id, clause_id)
    _login_first(request.full_path)
    clause_set = found.clause_set
    if not can_edit_clauses(current_user, clause_set):
        abort(403)
    form = ClauseForm()
    context = _clause_choices(form)
    conflicts, status = [], 200
    if request.method == "GET":
        form.base_revision.data = found.revision
        for name in ("heading", "text", "explanation", "source_reference"):
            getattr(form, name).data = getattr(found, name)
        form.obligations.data = [str(o.id) for o in found.obligations]
    else:
        _csrf_checked(form)
        try:
            changed = services.edit_clause(current_user, found, _clause_data(form),
                                           base_revision=base_revision(form))
        except ValidationError as exc:
            apply_errors(form, exc)
            status = 422
        except StaleEdit as exc:
            rollback()
            texts = ("heading", "text", "explanation", "source_reference")
            conflicts = _readable_conflicts(conflict(
                exc, {name: getattr(form, name).data for name in texts},
                {name: FIELD_LABELS[name] for name in texts}))
            form.base_revision.data = found.revision
            status = 409
        else:
            flash(_("Bepaling %(n)d is opgeslagen als versie %(v)d.", n=found.position,
                    v=found.revision) if changed else _("Er was niets gewijzigd."), "ok")
            return redirect(url_for("clauses.clause", set_id=set_id, clause_id=found.id))
    return render_template("clauses/clause_form.html", form=form, s=clause_set, clause=found,
                           conflicts=conflicts, **context), status


@bp.post("/<int:set_id>/bepalingen/<int:clause_id>/verwijderen")
def remove_clause(set_id: int, clause_id: int):
    found = _clause(set_id, clause_id)
    _login_first(url_for("clauses.detail", set_id=set_id))
    _csrf_checked(ActionForm())
    number, heading = found.position, found.heading
    services.remove_clause(current_user, found)
    flash(_("Bepaling %(n)d (%(heading)s) is verwijderd; haar versies blijven in de "
            "geschiedenis.", n=number, heading=heading), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id))


@bp.post("/<int:set_id>/bepalingen/<int:clause_id>/verplaatsen")
def move_clause(set_id: int, clause_id: int):
    found = _clause(set_id, clause_id)
    _login_first(url_for("clauses.detail", set_id=set_id))
    form = MoveForm()
    _csrf_checked(form)
    if not can_edit_clauses(current_user, found.clause_set):
        abort(403)
    try:
        services.move_clause(current_user, found, form.number.data)
    except ValidationError as exc:
        return _refused_on_set(set_id, f"move-{clause_id}", exc,
                               {"number": (form.number.data or "")[:20]})
    flash(_("De bepaling heeft nu nummer %(n)d.", n=found.position), "ok")
    return redirect(url_for("clauses.detail", set_id=set_id, _anchor=f"bepaling-{found.position}"))


@bp.get("/<int:set_id>/bepalingen/<int:clause_id>/geschiedenis")
def history(set_id: int, clause_id: int):
    found = _clause(set_id, clause_id)
    versions = services.clause_versions(found, current_user)
    if not versions:
        abort(404)
    numbers = [v.number for v in versions]
    to_n = as_int(request.args.get("tot", ""), minimum=1) or numbers[-1]
    earlier = [n for n in numbers if n < to_n]
    from_n = as_int(request.args.get("van", ""), minimum=1) or (earlier[-1] if earlier else to_n)
    old, new, diffs = services.clause_diff(found, current_user, from_n, to_n)
    previous = dict(zip(numbers[1:], numbers, strict=False))
    return render_template("clauses/history.html", s=found.clause_set, clause=found,
                           versions=versions, previous=previous, old=old, new=new,
                           diffs=_readable(diffs), FIELD_LABELS=FIELD_LABELS)


@bp.post("/<int:set_id>/bepalingen/<int:clause_id>/reacties")
@limiter.limit(_post_limit)
def comment_clause(set_id: int, clause_id: int):
    found = _clause(set_id, clause_id)
    back = url_for("clauses.clause", set_id=set_id, clause_id=clause_id)
    return _comment(found, back)


def _comment(target, back: str):
    _login_first(back)
    form = CommentForm()
    _csrf_checked(form)
    if not can_comment_on_clauses(current_user, target.clause_set):
        abort(403)
    try:
        comment = content.add_comment(current_user, target, form.comment.data)
    except ValidationError as exc:
        rollback()
        flash(_messages(exc), "error")
        return redirect(f"{back}#reacties")
    flash(_("Uw reactie is geplaatst."), "ok")
    return redirect(f"{back}#reactie-{comment.id}")


# --- suggestions -------------------------------------------------------------------------------

@bp.route("/<int:set_id>/voorstellen/nieuw", methods=["GET", "POST"])
@limiter.limit(_post_limit, methods=["POST"])
def suggest(set_id: int):
    clause_set = _set(set_id)
    _login_first(request.full_path)
    raw_clause = request.values.get("bepaling") or request.form.get("clause_id") or ""
    target = None
    if raw_clause:
        target = next((c for c in clause_set.clauses if c.id == as_int(raw_clause)), None)
        if target is None:
            abort(404)
    if not can_suggest(current_user, clause_set):
        if clause_set.status != "adopted" or not is_member(current_user):
            abort(403)
        if request.method == "GET":  # a POST hears it from the service, on the form
            flash(_("Deze set is vastgesteld: er kunnen geen voorstellen meer bij. De redactie "
                    "kan de set weer openzetten als concept."), "error")
            return redirect(url_for("clauses.detail", set_id=set_id))
    form = SuggestionForm()
    status = 200
    if request.method == "GET":
        kind = SUGGESTION_KIND_ARGS.get(request.args.get("soort", ""))
        form.kind.data = kind or ("change" if target else "new")
        if target is not None:
            form.clause_id.data = str(target.id)
            form.heading.data, form.text.data = target.heading, target.text
            form.explanation.data = target.explanation
    else:
        _csrf_checked(form)
        data = {"kind": form.kind.data or ("change" if target else "new"),
                "clause_id": form.clause_id.data, "heading": form.heading.data or "",
                "text": form.text.data or "", "explanation": form.explanation.data or "",
                "rationale": form.rationale.data or ""}

        def make():
            suggestion = services.suggest(current_user, clause_set, data)
            flash(_("Dank u. De redactie bekijkt uw voorstel."), "ok")
            return url_for("clauses.suggestion", set_id=set_id, suggestion_id=suggestion.id)

        try:
            return once("suggestion", make)
        except ValidationError as exc:
            apply_errors(form, exc)
            if "clause_id" in exc.fields:
                flash(exc.fields["clause_id"], "error")
            status = 422
    return render_template("clauses/suggest.html", form=form, s=clause_set, target=target,
                           SUGGESTION_KIND_LABELS=SUGGESTION_KIND_LABELS), status


@bp.get("/<int:set_id>/voorstellen/<int:suggestion_id>")
def suggestion(set_id: int, suggestion_id: int):
    return _suggestion_page(_suggestion(set_id, suggestion_id))


def _credited_version(found) -> int | None:
    """The clause version an accepted change became: the proposer's latest version up to the
    decision (the revision's author is the proposer)."""
    if found.status != "accepted" or found.clause is None or found.kind != "change":
        return None
    mine = [v for v in services.clause_versions(found.clause, current_user)
            if v.author_id == found.author_id and found.decided_at is not None
            and v.created_at <= found.decided_at]
    return mine[-1].number if mine else None


def _suggestion_page(found, status: int = 200, decision_form=None):
    diffs, stale = services.suggestion_diff(found) if found.status == "open" else ([], False)
    comments = content.comments_for("suggestion", [found.id],
                                    include_hidden=can_moderate(current_user),
                                    viewer_id=getattr(current_user, "id", None)).get(found.id, [])
    return render_template(
        "clauses/suggestion.html", s=found.clause_set, suggestion=found, diffs=_readable(diffs),
        stale=stale, comments=comments, credited_version=_credited_version(found),
        decision_form=decision_form or DecisionForm(formdata=None), FIELD_LABELS=FIELD_LABELS,
        SUGGESTION_KIND_LABELS=SUGGESTION_KIND_LABELS,
        SUGGESTION_STATE_LABELS=SUGGESTION_STATE_LABELS), status


def _decide(set_id: int, suggestion_id: int, decide):
    found = _suggestion(set_id, suggestion_id)
    back = url_for("clauses.suggestion", set_id=set_id, suggestion_id=suggestion_id)
    _login_first(back)
    form = DecisionForm()
    _csrf_checked(form)
    try:
        message = decide(found, form.reason.data or "")
    except ValidationError as exc:
        rollback()
        flash(_messages(exc), "error")
        found = _suggestion(set_id, suggestion_id)
        return _suggestion_page(found, 422, form)
    except Conflict as exc:
        rollback()
        flash(exc.message, "error")
        return _suggestion_page(_suggestion(set_id, suggestion_id), 409, form)
    flash(message, "ok")
    return redirect(back)


@bp.post("/<int:set_id>/voorstellen/<int:suggestion_id>/overnemen")
def accept(set_id: int, suggestion_id: int):
    def run(found, reason):
        services.accept_suggestion(current_user, found, reason)
        return _("Het voorstel is overgenomen; de nieuwe versie staat op naam van %(name)s.",
                 name=found.author.name)
    return _decide(set_id, suggestion_id, run)


@bp.post("/<int:set_id>/voorstellen/<int:suggestion_id>/afwijzen")
def reject(set_id: int, suggestion_id: int):
    def run(found, reason):
        services.reject_suggestion(current_user, found, reason)
        return _("Het voorstel is afgewezen. De indiener ziet uw toelichting.")
    return _decide(set_id, suggestion_id, run)


@bp.post("/<int:set_id>/voorstellen/<int:suggestion_id>/intrekken")
def withdraw(set_id: int, suggestion_id: int):
    def run(found, _reason):
        services.withdraw_suggestion(current_user, found)
        return _("U heeft uw voorstel ingetrokken.")
    return _decide(set_id, suggestion_id, run)


@bp.post("/<int:set_id>/voorstellen/<int:suggestion_id>/reacties")
@limiter.limit(_post_limit)
def comment_suggestion(set_id: int, suggestion_id: int):
    found = _suggestion(set_id, suggestion_id)
    back = url_for("clauses.suggestion", set_id=set_id, suggestion_id=suggestion_id)
    return _comment(found, back)


# --- the changelog in sentences ----------------------------------------------------------------

def _changelog(clause_set) -> list[tuple]:
    return [(entry, change_sentence(entry)) for entry in services.changelog(clause_set)]


def change_sentence(entry) -> str:
    """One changelog entry as a sentence a reader understands."""
    d = entry.details or {}
    who = entry.actor.name if entry.actor else _("iemand")
    credited = d.get("credited")
    kind = entry.kind
    if kind == "created":
        return _("%(who)s begon de set.", who=who)
    if kind == "edited":
        return _("%(who)s wijzigde de titel, het doel of de zichtbaarheid.", who=who)
    if kind == "status":
        new = STATUS_LABELS.get(d.get("new"), d.get("new"))
        if d.get("until"):
            return _("%(who)s zette de set op %(status)s, open voor voorstellen tot en met "
                     "%(until)s.", who=who, status=str(new).lower(), until=d["until"])
        return _("%(who)s zette de set op %(status)s.", who=who, status=str(new).lower())
    if kind == "participant":
        role = ROLE_LABELS.get(d.get("role"), d.get("role"))
        return _("%(who)s liet %(org)s meedoen als %(role)s.", who=who, org=d.get("organisation"),
                 role=str(role).lower())
    if kind == "participant_removed":
        return _("%(who)s haalde %(org)s uit de set.", who=who, org=d.get("organisation"))
    if kind in ("clause_added", "clause_edited", "clause_removed"):
        templates = {
            "clause_added": _("%(who)s voegde bepaling %(n)s toe: %(heading)s."),
            "clause_edited": _("%(who)s wijzigde bepaling %(n)s (%(heading)s), nu versie "
                               "%(version)s."),
            "clause_removed": _("%(who)s verwijderde bepaling %(n)s: %(heading)s."),
        }
        sentence = templates[kind] % {"who": who, "n": d.get("clause"),
                                      "heading": d.get("heading"),
                                      "version": d.get("version")}
        if credited:
            sentence += " " + _("Voorgesteld door %(name)s.", name=credited)
        return sentence
    if kind == "reordered":
        return _("%(who)s veranderde de volgorde van de bepalingen.", who=who)
    if kind == "suggested":
        label = SUGGESTION_KIND_LABELS.get(d.get("proposal"), "")
        if d.get("clause"):
            return _("%(who)s deed een voorstel bij bepaling %(n)s: %(what)s.", who=who,
                     n=d["clause"], what=str(label).lower())
        return _("%(who)s deed een voorstel: %(what)s.", who=who, what=str(label).lower())
    if kind == "suggestion_accepted":
        return _("%(who)s nam het voorstel van %(name)s over.", who=who, name=d.get("proposer"))
    if kind == "suggestion_rejected":
        return _("%(who)s wees het voorstel van %(name)s af.", who=who, name=d.get("proposer"))
    if kind == "suggestion_withdrawn":
        return _("%(who)s trok een voorstel in.", who=who)
    if kind == "released":
        return _("%(who)s maakte release %(label)s.", who=who, label=d.get("label"))
    if kind == "adopted":
        return _("%(org)s gebruikt release %(label)s.", org=d.get("organisation"),
                 label=d.get("label"))
    if kind == "adoption_withdrawn":
        return _("%(org)s gebruikt release %(label)s niet meer.", org=d.get("organisation"),
                 label=d.get("label"))
    return _("%(who)s wijzigde de set.", who=who)


# --- other pages ask about clauses: traceability and adoptions --------------------------------

@bp.app_context_processor
def clause_helpers():
    """Law, obligation and organisation pages list the clauses and adoptions the reader may
    see, each with one query for the whole page."""

    def implementing(obligation_ids) -> dict[int, list]:
        return services.clauses_for_obligations(current_user, list(obligation_ids))

    def adoptions(organisation) -> list:
        return services.adoptions_of(current_user, organisation.id)

    return {"clauses_for_obligations": implementing, "clause_adoptions_of": adoptions}


def register_content_kinds() -> None:
    """Clauses and suggestions as kinds of contribution, so their comments can be reported
    and found (`path` stays empty: the clauses themselves are edited, not reported)."""
    from ..content.registry import ContentKind, register
    from .models import Clause, Suggestion

    register("clause", ContentKind(
        Clause, _l("Bepaling"),
        lambda c: url_for("clauses.clause", set_id=c.set_id, clause_id=c.id),
        lambda c: c.heading,
        can_view=lambda viewer, c: c.deleted_at is None and can_view_clause_set(
            viewer, c.clause_set)))
    register("suggestion", ContentKind(
        Suggestion, _l("Voorstel"),
        lambda s: url_for("clauses.suggestion", set_id=s.set_id, suggestion_id=s.id),
        lambda s: s.rationale[:80],
        can_view=lambda viewer, s: can_view_clause_set(viewer, s.clause_set)))
