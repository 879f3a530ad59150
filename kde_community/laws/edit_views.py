"""Editors maintain laws, obligations, milestones, input moments and sources; everyone reads
a law's history. Thin: the rules, revisions and events live in services.py (`save_law`,
`save_obligation`), the one write path shared with `data load-reference`.

A form that is refused shows every reason next to its field and in a summary above the form
(422) and changes nothing. A form started on an older revision (409) shows what changed since,
and comes back as the current version with the editor's own changes laid over it, so saving
again merges instead of overwriting someone else's work."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup, escape

from ..content.services import StaleEdit, diff_revisions, revisions_for, word_diff
from ..errors import ValidationError
from ..permissions import can_edit_reference_data, is_member
from ..templating import MILESTONE_LABELS, OBLIGATION_ROLE_LABELS, ORG_TYPE_LABELS, STAGE_LABELS
from ..web import base_revision, once, rollback
from . import services
from .forms import (
    INSTRUMENT_LABELS,
    LAW_FIELD_LABELS,
    OBLIGATION_FIELD_LABELS,
    ROLE_EXPLANATIONS,
    LawForm,
    ObligationForm,
)
from .models import Law, Obligation

bp = Blueprint("law_editing", __name__, url_prefix="/wetgeving")

EMPTY_ROWS = 2  # empty milestone / input rows under the existing ones, to add without JavaScript


# --- who may edit ----------------------------------------------------------------------------

def _editors_only() -> None:
    """Visitors log in first; members who are not editors are refused (after the law was
    found: laws are public, so a 404 leaks nothing)."""
    if not current_user.is_authenticated:
        abort(redirect(url_for("accounts.login", next=request.path)))
    if not can_edit_reference_data(current_user):
        abort(403)


def _obligation_or_404(law: Law, key: str) -> Obligation:
    obligation = next((o for o in law.obligations if o.key == key), None)
    if obligation is None:
        abort(404)
    return obligation


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl")


# --- reading a posted form --------------------------------------------------------------------

def _text(value) -> str:
    """A textarea's text as stored: browsers send CRLF, the database holds LF."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(value) -> list[str]:
    return [line.strip() for line in _text(value).split("\n") if line.strip()]


def _date(text, errors: dict, key: str, *, required: bool = False) -> date | None:
    text = (text or "").strip()
    if not text:
        if required:
            errors[key] = _("Vul een datum in.")
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[key] = _("Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2026-08-02.")
        return None


@dataclass
class Row:
    """One milestone or input moment as posted: its texts to show again, its value for the
    service (None for a removed row) and the reasons per sub-field."""

    data: dict
    value: object = None
    errors: dict = field(default_factory=dict)

    @property
    def removed(self) -> bool:
        return bool(self.data.get("delete"))


def _posted_rows(entries, names: tuple[str, ...]) -> list[Row]:
    """The non-empty rows of a FieldList, as they were typed."""
    rows = []
    for entry in entries:
        data = {name: (getattr(entry.form, name).data or "").strip() for name in names}
        if not any(data.values()):
            continue
        data["delete"] = bool(entry.form.delete.data)
        rows.append(Row(data))
    return rows


def _milestone_rows(form: LawForm) -> list[Row]:
    """Kept rows sorted as the service sorts them (date, kind), so its `milestones-<i>` names
    the i-th row shown; removed rows after them."""
    rows = _posted_rows(form.milestones, ("kind", "date", "label", "label_en"))
    for row in rows:
        if not row.removed:
            day = _date(row.data["date"], row.errors, "date", required=True)
            row.value = services.MilestoneValue(row.data["kind"], day, row.data["label"],
                                                row.data["label_en"])
    kept = sorted((r for r in rows if not r.removed),
                  key=lambda r: (r.value.date or date.max, r.value.kind))
    return kept + [r for r in rows if r.removed]


def _input_rows(form: LawForm) -> list[Row]:
    rows = _posted_rows(form.input_moments, ("title", "title_en", "opens", "closes", "where"))
    for row in rows:
        if not row.removed:
            opens = _date(row.data["opens"], row.errors, "opens", required=True)
            closes = _date(row.data["closes"], row.errors, "closes")
            row.value = services.InputValue(row.data["title"], row.data["title_en"], opens,
                                            closes, row.data["where"])
    kept = sorted((r for r in rows if not r.removed), key=lambda r: r.value.opens or date.max)
    return kept + [r for r in rows if r.removed]


def _read_law(form: LawForm, creating: bool) -> tuple[dict, dict, dict]:
    """(values for save_law, reasons found while reading by field name, rows by list name)."""
    errors: dict[str, str] = {}
    values = {
        name: (getattr(form, name).data or "").strip()
        for name in ("short_name_nl", "short_name_en", "celex", "instrument", "stage")
    }
    values.update({name: _text(getattr(form, name).data) for name in (
        "full_title", "stage_note", "summary", "summary_en", "dutch_implementation",
        "dutch_implementation_en")})
    values.update({name: _lines(getattr(form, name).data)
                   for name in ("aliases", "abbreviations", "sources")})
    values.update({name: list(getattr(form, name).data or [])
                   for name in ("themes", "amends", "repeals", "related")})
    values["checked_on"] = _date(form.checked_on.data, errors, "checked_on")
    rows = {"milestones": _milestone_rows(form), "input_moments": _input_rows(form)}
    for name, listed in rows.items():
        values[name] = [r.value for r in listed if not r.removed]
    if creating:
        values["slug"] = (form.slug.data or "").strip()
    return values, errors, rows


def _read_obligation(form: ObligationForm, creating: bool) -> tuple[dict, dict]:
    errors: dict[str, str] = {}
    values = {name: (getattr(form, name).data or "").strip()
              for name in ("article", "title", "title_en", "role", "addressee")}
    values.update({name: _text(getattr(form, name).data)
                   for name in ("description", "description_en", "applies_condition")})
    values.update({name: _lines(getattr(form, name).data)
                   for name in ("responsible_roles", "sources")})
    values["applies_to"] = list(form.applies_to.data or [])
    values["applies_from"] = _date(form.applies_from.data, errors, "applies_from")
    values["checked_on"] = _date(form.checked_on.data, errors, "checked_on")
    if creating:
        values["key"] = (form.key.data or "").strip()
    return values, errors


# --- filling a form ---------------------------------------------------------------------------

def _as_text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def _set_rows(field_list, rows: list[Row]) -> None:
    """Rebuild a FieldList: the rows in this order (their errors on their sub-fields), then
    empty rows to add."""
    field_list.entries = []
    field_list.last_index = -1
    for row in rows:
        entry = field_list.append_entry(row.data)
        for name, message in row.errors.items():
            getattr(entry.form, name).errors = [message]
    for _i in range(EMPTY_ROWS):
        field_list.append_entry({})


def _milestone_row(m) -> Row:
    return Row({"kind": m.kind, "date": _as_text(m.date), "label": m.label,
                "label_en": m.label_en}, m)


def _input_row(i) -> Row:
    return Row({"title": i.title, "title_en": i.title_en, "opens": _as_text(i.opens),
                "closes": _as_text(i.closes), "where": i.where}, i)


def _fill(form, values: dict) -> None:
    """Put typed values (as `law_values` / `obligation_values` give them) into the form."""
    for name, value in values.items():
        if name == "milestones":
            _set_rows(form.milestones, [_milestone_row(m) for m in value])
        elif name == "input_moments":
            _set_rows(form.input_moments, [_input_row(i) for i in value])
        elif name in ("themes", "amends", "repeals", "related", "applies_to"):
            getattr(form, name).data = list(value or [])
        elif hasattr(form, name):
            getattr(form, name).data = _as_text(value)


# --- refusals mapped onto the form ------------------------------------------------------------

def _milestone_part(value) -> str:
    """The sub-field a refused milestone row is about (the service names the row)."""
    from .models import MILESTONE_KINDS

    if value.kind not in MILESTONE_KINDS:
        return "kind"
    if not isinstance(value.date, date) or not (
            services.EARLIEST_DATE <= value.date <= services.LATEST_DATE):
        return "date"
    return "label" if value.label_en.strip() and not value.label.strip() else "label_en"


def _input_part(value) -> str:
    if not value.title.strip():
        return "title"
    if not value.title_en.strip():
        return "title_en"
    if not isinstance(value.opens, date) or not (
            services.EARLIEST_DATE <= value.opens <= services.LATEST_DATE):
        return "opens"
    if value.closes is not None:
        return "closes" if not (
            services.EARLIEST_DATE <= value.closes <= services.LATEST_DATE) or \
            value.closes < value.opens else "where"
    return "where"


PARTS = {"milestones": _milestone_part, "input_moments": _input_part}


def _apply(form, reasons: dict, read_errors: dict, rows: dict | None = None) -> None:
    """Reasons by field name onto the form; `milestones-<i>` / `input_moments-<i>` onto the
    sub-field of the i-th kept row. What was found while reading (a malformed date) wins."""
    reasons = {**reasons, **read_errors}
    for key, message in reasons.items():
        name, _sep, index = key.rpartition("-")
        if rows is not None and name in PARTS and index.isdigit():
            kept = [r for r in rows[name] if not r.removed]
            if int(index) < len(kept):
                row = kept[int(index)]
                row.errors.setdefault(PARTS[name](row.value), message)
            continue
        target = getattr(form, key, None)
        if target is not None:
            target.errors = [message]
        else:  # a reason for no field on this form: shown at the top
            form.form_errors.append(message)
    if rows is not None:
        _set_rows(form.milestones, rows["milestones"])
        _set_rows(form.input_moments, rows["input_moments"])


def _reason_missing(reason: str) -> dict:
    """The service asks for a reason too; here it is found with the other reasons at once."""
    return {} if (reason or "").strip() else {"reason": _("Schrijf kort waarom u dit wijzigt.")}


def _summary(form) -> list[tuple[str, str, str]]:
    """(anchor, label, message) for every reason, in the order of the form."""
    items = [("", "", message) for message in form.form_errors]
    for f in form:
        if f.type == "FieldList":
            legend = _("Mijlpaal %(n)s") if f.name == "milestones" else \
                _("Moment voor inbreng %(n)s")
            for n, entry in enumerate(f.entries, start=1):
                for sub in entry.form:
                    items.extend((sub.id, f"{legend % {'n': n}}: {sub.label.text}", e)
                                 for e in sub.errors)
        elif f.type == "MultiCheckboxField":
            items.extend((f"{f.id}-1", f.label.text, e) for e in f.errors)
        elif f.name == "role":
            items.extend(("role-direct", f.label.text, e) for e in f.errors)
        elif f.type not in ("CSRFTokenField", "HiddenField"):
            items.extend((f.id, f.label.text, e) for e in f.errors)
    return items


# --- conflicts --------------------------------------------------------------------------------

@dataclass
class Clash:
    """A field both the editor and someone else changed: now against the editor's text."""

    field: str
    label: str
    mine: str
    now: str
    diff: Markup


@dataclass
class ConflictView:
    revisions: list  # the revisions saved since the editor's base, oldest first
    changed: list  # (label, diff) of what changed since the base
    clashes: list = field(default_factory=list)


def _merge(obj, current: dict, mine: dict, base_number: int | None, labels: dict, kind: str
           ) -> tuple[dict, ConflictView]:
    """The current values with the editor's own changes (fields that differ from the base
    revision) laid over them, and what the conflict page shows."""
    revisions = {r.number: r for r in revisions_for(obj, None)}  # laws are public
    base, now = revisions.get(base_number or 0), revisions.get(obj.revision)
    mine_snap, now_snap = services.revision_fields(mine), services.revision_fields(current)
    merged, clashes = {}, []
    for name, value in current.items():
        if name not in mine:
            merged[name] = value
            continue
        touched = base is None or mine_snap[name] != base.fields.get(name)
        merged[name] = mine[name] if touched else value
        others = base is None or now_snap[name] != base.fields.get(name)
        if touched and others and mine_snap[name] != now_snap[name]:
            a, b = now_snap[name], mine_snap[name]
            diff = list_diff(a, b) if isinstance(a, list) and isinstance(b, list) else \
                word_diff(_as_text(a), _as_text(b))
            clashes.append(Clash(name, str(labels.get(name, name)), _as_text(b), _as_text(a),
                                 readable_diff(diff)))
    changed = changes(base, now, labels, kind) if base is not None and now is not None else []
    since = [r for r in revisions.values() if r.number > (base_number or 0)]
    return merged, ConflictView(since, changed, clashes)


# --- diffs readable without colour or CSS ----------------------------------------------------

def readable_diff(html: Markup) -> Markup:
    """<ins>/<del> with their meaning in words around them ("[ingevoegd: …]"), visually hidden
    but read aloud and shown when CSS is off. The diff escaped every text, so the tags found
    here are the diff's own."""
    inserted = Markup('<span class="visually-hidden">[{}: </span><ins>').format(_("ingevoegd"))
    deleted = Markup('<span class="visually-hidden">[{}: </span><del>').format(_("verwijderd"))
    close = Markup('<span class="visually-hidden">]</span>')
    text = str(html)
    text = text.replace("<ins>", str(inserted)).replace("</ins>", "</ins>" + str(close))
    text = text.replace("<del>", str(deleted)).replace("</del>", "</del>" + str(close))
    return Markup(text)  # noqa: S704 — built from the escaped diff and our own fixed markup


def _readable(revision, kind: str):
    """A revision's fields with codes as words (stage, role, milestone kind, organisation
    types, themes), for a diff a reader understands."""
    fields = dict(revision.fields)
    if kind == "law":
        if "kde_theme_names" not in g:  # once per request, not per revision
            g.kde_theme_names = {t.slug: t.name(_locale()) for t in services.all_themes()}
        themes = g.kde_theme_names
        for name, labels in (("stage", STAGE_LABELS), ("instrument", INSTRUMENT_LABELS)):
            if fields.get(name) in labels:
                fields[name] = str(labels[fields[name]])
        if isinstance(fields.get("themes"), list):
            fields["themes"] = [themes.get(t, t) for t in fields["themes"]]
        if isinstance(fields.get("milestones"), list):
            fields["milestones"] = [_milestone_line(line) for line in fields["milestones"]]
    else:
        if fields.get("role") in OBLIGATION_ROLE_LABELS:
            fields["role"] = str(OBLIGATION_ROLE_LABELS[fields["role"]])
        if isinstance(fields.get("applies_to"), list):
            fields["applies_to"] = [str(ORG_TYPE_LABELS.get(t, t)) for t in fields["applies_to"]]
    for name, value in fields.items():
        if value is None:
            fields[name] = ""
    return SimpleNamespace(fields=fields)


def changes(old, new, labels: dict, kind: str) -> list[tuple[str, Markup]]:
    """(label, diff) per changed field between two revisions: a word diff of texts
    (`diff_revisions`), and of lists only the items that changed."""
    old, new = _readable(old, kind), _readable(new, kind)
    result = []
    for d in diff_revisions(old, new, words=True):
        if not d.changed:
            continue
        before, after = old.fields.get(d.field), new.fields.get(d.field)
        html = list_diff(before or [], after or []) if isinstance(before or [], list) and \
            isinstance(after or [], list) else d.html
        result.append((str(labels.get(d.field, d.field)), readable_diff(html)))
    return result


def list_diff(old: list, new: list) -> Markup:
    """One line per item: changed items word-diffed, removed and added ones marked, a run of
    unchanged items counted instead of shown (a law has a dozen milestones)."""
    a, b = [str(v) for v in old], [str(v) for v in new]
    lines = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            lines.append(escape(ngettext("… %(num)s regel ongewijzigd",
                                         "… %(num)s regels ongewijzigd", i2 - i1)))
        elif op == "replace" and i2 - i1 == j2 - j1:
            lines.extend(word_diff(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        else:
            lines.extend(Markup("<del>{}</del>").format(x) for x in a[i1:i2])
            lines.extend(Markup("<ins>{}</ins>").format(y) for y in b[j1:j2])
    return Markup("\n").join(lines)


def _milestone_line(line: str) -> str:
    parts = str(line).split(" · ", 2)
    if len(parts) == 3 and parts[1] in MILESTONE_LABELS:
        parts[1] = str(MILESTONE_LABELS[parts[1]])
    return " · ".join(parts)


# --- laws -------------------------------------------------------------------------------------

def _law_choices(form: LawForm, law: Law | None) -> None:
    locale = _locale()
    form.themes.choices = [(t.slug, t.name(locale)) for t in services.all_themes()]
    others = [(item.slug, item.short_name(locale)) for item in services.list_laws()
              if law is None or item.id != law.id]
    for name in ("amends", "repeals", "related"):
        getattr(form, name).choices = others


def _law_render(form: LawForm, law: Law | None, status: int = 200,
                conflict: ConflictView | None = None):
    pipeline = form.stage.data in ("proposal", "negotiation") or any(
        getattr(form, n).data for n in ("amends", "repeals", "related")) or any(
        getattr(form, n).errors for n in ("amends", "repeals", "related"))
    return render_template(
        "laws/edit_law.html", form=form, law=law, summary=_summary(form), conflict=conflict,
        INSTRUMENT_LABELS=INSTRUMENT_LABELS, show_pipeline=pipeline, empty_rows=EMPTY_ROWS), status


def _unchanged(current: dict, values: dict, normalise) -> bool:
    wanted = normalise(values)
    return all(current.get(name) == wanted[name] for name in wanted if name in current)


@bp.route("/nieuw", methods=["GET", "POST"])
def create_law():
    _editors_only()
    form = LawForm()
    _law_choices(form, None)
    if request.method == "GET":
        _fill(form, {"checked_on": services.today(), "milestones": [], "input_moments": []})
        return _law_render(form, None)
    if not form.validate_on_submit():
        abort(400)
    values, read_errors, rows = _read_law(form, creating=True)
    reasons: dict[str, str] = {}
    if values["slug"] in services.RESERVED_SLUGS:
        reasons["slug"] = _("Deze korte naam is al in gebruik.")
    if read_errors or reasons or any(r.errors for listed in rows.values() for r in listed):
        return _law_refused(form, values, read_errors, rows, reasons)

    def make() -> str:
        law, _changed, _conflicts = services.save_law(current_user, None, values,
                                                      reason=form.reason.data or "")
        flash(_("De wet is toegevoegd."), "ok")
        return url_for("laws.detail", slug=law.slug)

    try:
        return once("law", make)
    except ValidationError as exc:
        rollback()
        return _law_refused(form, values, read_errors, rows, exc.fields)


def _law_refused(form: LawForm, values: dict, read_errors: dict, rows: dict, reasons: dict,
                 law: Law | None = None):
    """422: every reason at once, next to its field and in the summary; nothing changed.
    The service stops at a missing reason, and is not asked when a date could not be read, so
    the rules are also checked here (`validate_law_values`) and all reasons are shown."""
    known_laws = {item.slug for item in services.list_laws()} | {values.get("slug", "")}
    known_themes = {t.slug for t in services.all_themes()}
    reasons = {**services.validate_law_values(
        _normalise_texts(values, services.normalise_law_values),
        known_laws=known_laws, known_themes=known_themes),
        **_reason_missing(form.reason.data), **reasons}
    _apply(form, reasons, read_errors, rows)
    return _law_render(form, law, 422)


def _normalise_texts(values: dict, normalise) -> dict:
    """The service's normalising of everything but the dated rows (a row without a valid date
    cannot be sorted; the view already sorted the rows)."""
    rows = {name: values[name] for name in ("milestones", "input_moments") if name in values}
    return {**normalise({k: v for k, v in values.items() if k not in rows}), **rows}


@bp.route("/<slug>/bewerken", methods=["GET", "POST"])
def edit_law(slug: str):
    law = services.get_law_or_404(slug)
    _editors_only()
    form = LawForm()
    _law_choices(form, law)
    if request.method == "GET":
        _fill(form, services.law_values(law))
        form.base_revision.data = law.revision
        return _law_render(form, law)
    if not form.validate_on_submit():
        abort(400)
    values, read_errors, rows = _read_law(form, creating=False)
    if read_errors or any(r.errors for listed in rows.values() for r in listed):
        return _law_refused(form, values, read_errors, rows, {}, law)
    if not (form.reason.data or "").strip() and _unchanged(
            services.law_values(law), values, services.normalise_law_values):
        flash(_("Niets gewijzigd."), "ok")
        return redirect(url_for("laws.detail", slug=law.slug))
    base = base_revision(form)
    try:
        _law, changed, _conflicts = services.save_law(
            current_user, law, values, reason=form.reason.data or "", base_revision=base)
    except ValidationError as exc:
        rollback()
        return _law_refused(form, values, read_errors, rows, exc.fields, law)
    except StaleEdit:
        rollback()
        law = services.get_law_or_404(slug)
        merged, conflict = _merge(law, services.law_values(law),
                                  services.normalise_law_values(values), base, LAW_FIELD_LABELS,
                                  "law")
        _fill(form, merged)
        form.base_revision.data = law.revision
        return _law_render(form, law, 409, conflict)
    flash(_("De wet is bijgewerkt.") if changed else _("Niets gewijzigd."), "ok")
    return redirect(url_for("laws.detail", slug=law.slug))


# --- obligations ------------------------------------------------------------------------------

def _obligation_choices(form: ObligationForm) -> None:
    form.applies_to.choices = [(k, str(v)) for k, v in ORG_TYPE_LABELS.items()]


def _obligation_render(form: ObligationForm, law: Law, obligation: Obligation | None,
                       status: int = 200, conflict: ConflictView | None = None):
    return render_template(
        "laws/edit_obligation.html", form=form, law=law, obligation=obligation,
        summary=_summary(form), conflict=conflict, ROLE_EXPLANATIONS=ROLE_EXPLANATIONS), status


def _obligation_refused(form: ObligationForm, law: Law, obligation: Obligation | None,
                        values: dict, read_errors: dict, reasons: dict):
    """422, like `_law_refused`."""
    reasons = {**services.validate_obligation_values(
        services.normalise_obligation_values(values)),
        **_reason_missing(form.reason.data), **reasons}
    _apply(form, reasons, read_errors)
    return _obligation_render(form, law, obligation, 422)


@bp.route("/<slug>/verplichtingen/nieuw", methods=["GET", "POST"])
def create_obligation(slug: str):
    law = services.get_law_or_404(slug)
    _editors_only()
    form = ObligationForm()
    _obligation_choices(form)
    if request.method == "GET":
        _fill(form, {"key": f"{law.slug}-", "checked_on": services.today()})
        return _obligation_render(form, law, None)
    if not form.validate_on_submit():
        abort(400)
    values, read_errors = _read_obligation(form, creating=True)
    reasons = {"key": _("Deze sleutel is al in gebruik.")} if values["key"] in services.RESERVED_SLUGS else {}
    if read_errors or reasons:
        return _obligation_refused(form, law, None, values, read_errors, reasons)

    def make() -> str:
        obligation, _changed, _conflicts = services.save_obligation(
            current_user, law, None, values, reason=form.reason.data or "")
        flash(_("De verplichting is toegevoegd."), "ok")
        return obligation.url

    try:
        return once("obligation", make)
    except ValidationError as exc:
        rollback()
        law = services.get_law_or_404(slug)
        return _obligation_refused(form, law, None, values, read_errors, exc.fields)


@bp.route("/<slug>/verplichtingen/<key>/bewerken", methods=["GET", "POST"])
def edit_obligation(slug: str, key: str):
    law = services.get_law_or_404(slug)
    obligation = _obligation_or_404(law, key)
    _editors_only()
    form = ObligationForm()
    _obligation_choices(form)
    if request.method == "GET":
        _fill(form, services.obligation_values(obligation))
        form.base_revision.data = obligation.revision
        return _obligation_render(form, law, obligation)
    if not form.validate_on_submit():
        abort(400)
    values, read_errors = _read_obligation(form, creating=False)
    if read_errors:
        return _obligation_refused(form, law, obligation, values, read_errors, {})
    if not (form.reason.data or "").strip() and _unchanged(
            services.obligation_values(obligation), values,
            services.normalise_obligation_values):
        flash(_("Niets gewijzigd."), "ok")
        return redirect(obligation.url)
    base = base_revision(form)
    try:
        _ob, changed, _conflicts = services.save_obligation(
            current_user, law, obligation, values, reason=form.reason.data or "",
            base_revision=base)
    except ValidationError as exc:
        rollback()
        return _obligation_refused(form, law, obligation, values, read_errors, exc.fields)
    except StaleEdit:
        rollback()
        law = services.get_law_or_404(slug)
        obligation = _obligation_or_404(law, key)
        merged, conflict = _merge(obligation, services.obligation_values(obligation),
                                  services.normalise_obligation_values(values), base,
                                  OBLIGATION_FIELD_LABELS, "obligation")
        _fill(form, merged)
        form.base_revision.data = obligation.revision
        return _obligation_render(form, law, obligation, 409, conflict)
    flash(_("De verplichting is bijgewerkt.") if changed else _("Niets gewijzigd."), "ok")
    return redirect(obligation.url)


# --- history ----------------------------------------------------------------------------------

@dataclass
class HistoryEntry:
    what: str  # "the law" or the obligation's article and title
    kind: str
    revision: object
    author: str
    changes: list | None  # (label, diff) of what changed; None for a first version


@bp.get("/<slug>/geschiedenis")
def history(slug: str):
    """Every revision of the law and its obligations, newest first, each with what changed
    since the one before. Authors by name to members; to others "redacteur"."""
    law = services.get_law_or_404(slug)
    locale = _locale()
    entries = []
    objects = [(law, "law", law.short_name(locale), LAW_FIELD_LABELS)] + [
        (o, "obligation", f"{o.article} — {o.title_for(locale)}", OBLIGATION_FIELD_LABELS)
        for o in law.obligations]
    members = is_member(current_user)
    for obj, kind, what, labels in objects:
        previous = None
        for revision in revisions_for(obj, None):  # laws and obligations are public
            changed = None if previous is None else changes(previous, revision, labels, kind)
            if revision.author_id is None:
                author = _("Referentiebestand")
            else:
                author = revision.author.name if members else _("redacteur")
            entries.append(HistoryEntry(what, kind, revision, author, changed))
            previous = revision
    entries.sort(key=lambda e: (e.revision.created_at, e.revision.id), reverse=True)
    return render_template("laws/history.html", law=law, entries=entries,
                           editor=can_edit_reference_data(current_user))
