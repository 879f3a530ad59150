"""Queries over laws, obligations and themes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from .. import events
from ..dbtypes import utcnow
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from .models import InputMoment, Law, LawMilestone, Obligation, Theme


def all_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.name_nl)))


def list_laws(theme: str | None = None, applies_to: str | None = None) -> list[Law]:
    query = select(Law).options(
        selectinload(Law.milestones), selectinload(Law.themes), selectinload(Law.obligations),
        selectinload(Law.input_moments),
    ).order_by(Law.short_name_nl)
    if theme:
        query = query.where(Law.themes.any(Theme.slug == theme))
    laws = list(db.session.scalars(query))
    if applies_to:
        laws = [law for law in laws if any(applies_to in o.applies_to for o in law.obligations)]
    return laws


def get_law_or_404(slug: str) -> Law:
    law = db.session.scalar(
        select(Law).where(Law.slug == slug).options(
            selectinload(Law.milestones), selectinload(Law.themes),
            selectinload(Law.obligations), selectinload(Law.input_moments),
        )
    )
    if law is None:
        raise NotFound()
    return law


def upcoming_milestones(today: date, limit: int = 6) -> list[LawMilestone]:
    return list(db.session.scalars(
        select(LawMilestone)
        .where(LawMilestone.date >= today)
        .options(selectinload(LawMilestone.law))
        .order_by(LawMilestone.date)
        .limit(limit)
    ))


def open_input_moments(today: date) -> list[InputMoment]:
    return list(db.session.scalars(
        select(InputMoment)
        .where(InputMoment.opens <= today,
               or_(InputMoment.closes.is_(None), InputMoment.closes >= today))
        .options(selectinload(InputMoment.law))
        .order_by(InputMoment.closes)
    ))


@dataclass
class ReferenceCounts:
    laws: int  # adopted acts
    proposals: int  # acts in the pipeline
    obligations: int
    organisations: int
    networks: int


def reference_counts() -> ReferenceCounts:
    from ..directory.models import Network, Organisation

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    from .models import PIPELINE_STAGES

    proposals = db.session.scalar(select(func.count()).select_from(Law).where(
        Law.stage.in_(PIPELINE_STAGES))) or 0
    return ReferenceCounts(count(Law) - proposals, proposals, count(Obligation),
                           count(Organisation), count(Network))


# --- writing: one path for editors and the reference files ----------------------------------
#
# A law's or obligation's editable fields as plain values (themes and proposals' targets as
# slugs, milestones and input moments as tuples). Editors and `data load-reference` both write
# through `save_law` / `save_obligation`: every change is a revision (who, why, what), a change
# to the timeline marks content citing the law as possibly outdated, and an event tells the
# search index and alerts. Fields an editor changed are listed in `edited_fields`; the loader
# never overwrites them but reports where the file differs (`Conflict` rows in its report).

LAW_FIELDS = (
    "short_name_nl", "short_name_en", "aliases", "abbreviations", "full_title", "celex",
    "instrument", "stage", "stage_note", "summary", "summary_en", "dutch_implementation",
    "dutch_implementation_en", "themes", "amends", "repeals", "related", "sources", "checked_on",
    "milestones", "input_moments",
)
OBLIGATION_FIELDS = (
    "article", "title", "title_en", "description", "description_en", "role", "addressee",
    "applies_to", "applies_from", "applies_condition", "responsible_roles", "sources",
    "checked_on",
)
# Changes that move a date, a stage or an input moment: content citing the law may be outdated.
TIMELINE_FIELDS = frozenset({"stage", "milestones", "input_moments", "applies_from"})
EARLIEST_DATE = date(1990, 1, 1)  # EU digital law starts well after; 1850 is a typo
LATEST_DATE = date(2100, 12, 31)
REASON_MAX = 500
# Paths under /wetgeving a law's slug (or an obligation's key) must not take.
RESERVED_SLUGS = frozenset({"nieuw", "tijdlijn", "bewerken", "geschiedenis", "verplichtingen",
                            "tijdlijn.ics", "wijzigingen.atom"})


@dataclass(frozen=True)
class MilestoneValue:
    kind: str
    date: date
    label: str = ""
    label_en: str = ""

    def line(self) -> str:
        return f"{self.date.isoformat()} · {self.kind} · {self.label} · {self.label_en}"


@dataclass(frozen=True)
class InputValue:
    title: str
    title_en: str
    opens: date
    closes: date | None = None
    where: str = ""

    def line(self) -> str:
        closes = self.closes.isoformat() if self.closes else "…"
        return f"{self.opens.isoformat()} – {closes} · {self.title} · {self.title_en} · {self.where}"


@dataclass
class FieldConflict:
    """A reference file value the loader did not write because an editor changed the field."""

    what: str  # "law ai-act" / "obligation ai-act-art-4"
    field: str
    kept: object
    file: object

    def __str__(self) -> str:
        return (f"{self.what}: {self.field} was changed by an editor; kept {_show(self.kept)!s}, "
                f"the file says {_show(self.file)!s}")


def _show(value) -> str:
    if isinstance(value, list):
        return "[" + "; ".join(v.line() if hasattr(v, "line") else str(v) for v in value) + "]"
    return repr(value.isoformat() if isinstance(value, date) else value)


def law_values(law: Law) -> dict:
    values = {name: getattr(law, name) for name in LAW_FIELDS
              if name not in ("themes", "milestones", "input_moments")}
    values["themes"] = sorted(t.slug for t in law.themes)
    values["milestones"] = [MilestoneValue(m.kind, m.date, m.label, m.label_en)
                            for m in sorted(law.milestones, key=_milestone_order)]
    values["input_moments"] = [InputValue(i.title, i.title_en, i.opens, i.closes, i.where)
                               for i in sorted(law.input_moments, key=lambda i: i.opens)]
    return values


def obligation_values(obligation: Obligation) -> dict:
    return {name: getattr(obligation, name) for name in OBLIGATION_FIELDS}


def _milestone_order(m) -> tuple:
    return (m.date, m.kind)


def normalise_law_values(values: dict) -> dict:
    """Sorted themes and dated rows, lists without blanks: equal content compares equal."""
    out = dict(values)
    for name in ("aliases", "abbreviations", "sources", "amends", "repeals", "related"):
        if name in out:
            out[name] = [v.strip() for v in out[name] or [] if v and v.strip()]
    if "themes" in out:
        out["themes"] = sorted(set(out["themes"] or []))
    if "milestones" in out:
        out["milestones"] = sorted(out["milestones"], key=_milestone_order)
    if "input_moments" in out:
        out["input_moments"] = sorted(out["input_moments"], key=lambda i: i.opens)
    for name in ("stage_note", "summary", "summary_en", "dutch_implementation",
                 "dutch_implementation_en"):
        if name in out:
            out[name] = (out[name] or "").strip()
    return out


def normalise_obligation_values(values: dict) -> dict:
    out = dict(values)
    for name in ("sources", "responsible_roles", "applies_to"):
        if name in out:
            out[name] = [v.strip() for v in out[name] or [] if v and v.strip()]
    for name in ("description", "description_en", "applies_condition", "addressee"):
        if name in out:
            out[name] = (out[name] or "").strip()
    return out


def _check_date(errors: dict, field: str, value, message: str | None = None) -> None:
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        errors[field] = message or _date_range_message()


def _check_sources(errors: dict, sources: list[str]) -> None:
    from .models import is_official_source

    if not sources:
        errors["sources"] = _("Noem minstens één bron.")
    elif any(not s.startswith("https://") or " " in s for s in sources):
        errors["sources"] = _("Elke bron is een webadres dat begint met https://.")
    elif not any(is_official_source(s) for s in sources):
        errors["sources"] = _("Noem minstens één officiële bron (zoals EUR-Lex, wetten.overheid.nl "
                              "of officielebekendmakingen.nl).")


def validate_law_values(values: dict, *, known_laws: set[str], known_themes: set[str]) -> dict:
    """Field → reason for every rule a law's values break ({} when they are fine)."""
    from .models import INSTRUMENTS, MILESTONE_KINDS, PIPELINE_STAGES, STAGES

    errors: dict[str, str] = {}
    for name, maximum in (("short_name_nl", 160), ("short_name_en", 160), ("full_title", 2000),
                          ("celex", 20)):
        value = (values.get(name) or "").strip()
        if not value:
            errors[name] = _("Vul dit veld in.")
        elif len(value) > maximum:
            errors[name] = _("Gebruik hoogstens %(n)s tekens.", n=maximum)
    celex = (values.get("celex") or "").strip()
    if celex and "celex" not in errors and not (
            len(celex) >= 8 and celex[0] in "35" and celex[1:5].isdigit()):
        errors["celex"] = _("Een CELEX-nummer begint met 3 (een vastgestelde wet) of 5 (een "
                            "voorstel), gevolgd door het jaar, zoals 32024R1689.")
    if values.get("instrument") not in INSTRUMENTS:
        errors["instrument"] = _("Kies een soort wet uit de lijst.")
    stage = values.get("stage")
    if stage not in STAGES:
        errors["stage"] = _("Kies een stand van zaken uit de lijst.")
    elif celex and celex[0] == "5" and stage not in (*PIPELINE_STAGES, "withdrawn"):
        errors["stage"] = _("Een voorstel (CELEX met 5) staat op voorstel, in onderhandeling of "
                            "ingetrokken; een aangenomen wet krijgt het CELEX-nummer van de wet.")
    for pair in (("summary", "summary_en"), ("dutch_implementation", "dutch_implementation_en")):
        nl, en = ((values.get(p) or "").strip() for p in pair)
        if nl and not en:
            errors[pair[1]] = _("Vul ook de Engelse tekst in.")
        elif en and not nl:
            errors[pair[0]] = _("Vul ook de Nederlandse tekst in.")
    unknown = set(values.get("themes") or []) - known_themes
    if unknown:
        errors["themes"] = _("Onbekend thema: %(names)s.", names=", ".join(sorted(unknown)))
    for name in ("amends", "repeals", "related"):
        unknown = set(values.get(name) or []) - known_laws
        if unknown:
            errors[name] = _("Onbekende wet: %(names)s.", names=", ".join(sorted(unknown)))
    _check_sources(errors, values.get("sources") or [])
    if not isinstance(values.get("checked_on"), date):
        errors["checked_on"] = _("Vul de datum in waarop de feiten zijn gecontroleerd.")
    else:
        _check_date(errors, "checked_on", values["checked_on"])
    for i, m in enumerate(values.get("milestones") or []):
        field = f"milestones-{i}"
        if m.kind not in MILESTONE_KINDS:
            errors[field] = _("Kies een soort mijlpaal uit de lijst.")
        elif not isinstance(m.date, date):
            errors[field] = _("Vul een datum in.")
        elif not EARLIEST_DATE <= m.date <= LATEST_DATE:
            errors[field] = _date_range_message()
        elif bool(m.label.strip()) != bool(m.label_en.strip()):
            errors[field] = _("Vul de omschrijving in het Nederlands en het Engels in.")
    for i, moment in enumerate(values.get("input_moments") or []):
        field = f"input_moments-{i}"
        if not moment.title.strip() or not moment.title_en.strip():
            errors[field] = _("Vul de titel in het Nederlands en het Engels in.")
        elif not isinstance(moment.opens, date):
            errors[field] = _("Vul de datum in waarop inbreng kan.")
        elif any(d is not None and not EARLIEST_DATE <= d <= LATEST_DATE
                 for d in (moment.opens, moment.closes)):
            errors[field] = _date_range_message()
        elif moment.closes is not None and moment.closes < moment.opens:
            errors[field] = _("De einddatum ligt vóór de begindatum.")
        elif moment.where and not moment.where.startswith("https://"):
            errors[field] = _("Het adres waar u inbreng geeft begint met https://.")
    return errors


def _date_range_message() -> str:
    return _("Kies een datum tussen %(start)s en %(end)s.", start=EARLIEST_DATE.year,
             end=LATEST_DATE.year)


def validate_obligation_values(values: dict) -> dict:
    from .models import OBLIGATION_ROLES, ORGANISATION_TYPES

    errors: dict[str, str] = {}
    for name, maximum in (("article", 120), ("title", 300), ("title_en", 300),
                          ("addressee", 200)):
        value = (values.get(name) or "").strip()
        if not value:
            errors[name] = _("Vul dit veld in.")
        elif len(value) > maximum:
            errors[name] = _("Gebruik hoogstens %(n)s tekens.", n=maximum)
    if bool((values.get("description") or "").strip()) != bool(
            (values.get("description_en") or "").strip()):
        errors["description_en"] = _("Vul de omschrijving in het Nederlands en het Engels in.")
    if values.get("role") not in OBLIGATION_ROLES:
        errors["role"] = _("Kies wat deze bepaling van de overheid vraagt.")
    applies_to = values.get("applies_to") or []
    if not applies_to:
        errors["applies_to"] = _("Kies voor welke overheden dit geldt.")
    elif set(applies_to) - set(ORGANISATION_TYPES):
        errors["applies_to"] = _("Kies soorten organisaties uit de lijst.")
    _check_date(errors, "applies_from", values.get("applies_from"))
    _check_sources(errors, values.get("sources") or [])
    if not isinstance(values.get("checked_on"), date):
        errors["checked_on"] = _("Vul de datum in waarop de feiten zijn gecontroleerd.")
    else:
        _check_date(errors, "checked_on", values["checked_on"])
    return errors


def _apply_law(law: Law, name: str, value) -> None:
    if name == "themes":
        law.themes = list(db.session.scalars(select(Theme).where(Theme.slug.in_(value))))
    elif name == "milestones":
        _apply_rows(law.milestones, value, LawMilestone,
                    lambda v: {"kind": v.kind, "date": v.date, "label": v.label,
                               "label_en": v.label_en})
    elif name == "input_moments":
        _apply_rows(law.input_moments, value, InputMoment,
                    lambda v: {"title": v.title, "title_en": v.title_en, "opens": v.opens,
                               "closes": v.closes, "where": v.where})
    else:
        setattr(law, name, value)


def _apply_rows(rows: list, wanted: list, model, as_dict) -> None:
    """Update rows in place, in order, so a moved date keeps its row (and calendar UID)."""
    current = sorted(rows, key=lambda r: (getattr(r, "date", None) or r.opens,
                                          getattr(r, "kind", "")))
    for row, value in zip(current, wanted, strict=False):
        for key, item in as_dict(value).items():
            setattr(row, key, item)
    for row in current[len(wanted):]:
        rows.remove(row)
    for value in wanted[len(current):]:
        rows.append(model(**as_dict(value)))


def revision_fields(values: dict) -> dict:
    """JSON text of a snapshot: dates as ISO dates, rows as one line each."""
    out = {}
    for name, value in values.items():
        if isinstance(value, date):
            out[name] = value.isoformat()
        elif isinstance(value, list):
            out[name] = [v.line() if hasattr(v, "line") else v for v in value]
        else:
            out[name] = value
    return out


def _write(obj, actor, current: dict, wanted: dict, *, apply, reason: str,
           base_revision: int | None, skip: set[str] = frozenset()) -> tuple[set[str], list]:
    """Apply the differing fields (except `skip`: reported instead); one revision, one event."""
    from ..content.services import bump_revision, check_base, record_revision

    check_base(obj, base_revision)
    changed, held = set(), []
    for name, value in wanted.items():
        if current.get(name) == value:
            continue
        if name in skip:
            held.append((name, current.get(name), value))
            continue
        apply(obj, name, value)
        changed.add(name)
    if not changed:
        return changed, held
    db.session.flush()
    bump_revision(obj, base_revision)
    revision = record_revision(obj, actor, revision_fields({**current, **wanted}))
    revision.reason = reason[:REASON_MAX]
    return changed, held


def _editor_checks(actor, reason, values: dict, errors: dict) -> str:
    """An editor's reason for a change (the reference loader gives none), and a checked-on date
    that is not in the future; problems are added to `errors`, so the editor sees all at once."""
    checked = values.get("checked_on")
    if actor is not None and isinstance(checked, date) and "checked_on" not in errors \
            and checked > today():
        errors["checked_on"] = _("Deze datum ligt in de toekomst.")
    reason = (reason or "").strip()
    if actor is not None and not reason:
        errors["reason"] = _("Schrijf kort waarom u dit wijzigt.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("Gebruik hoogstens %(n)s tekens.", n=REASON_MAX)
    return reason


def _new_slug_errors(value: str, field: str, exists: bool) -> dict:
    if not value or value != value.lower() or not all(c.isalnum() or c == "-" for c in value):
        return {field: _("Gebruik kleine letters, cijfers en streepjes.")}
    if exists or value in RESERVED_SLUGS:
        return {field: _("Deze korte naam is al in gebruik.") if field == "slug"
                else _("Deze sleutel is al in gebruik.")}
    return {}


def _known():
    return (set(db.session.scalars(select(Law.slug))),
            set(db.session.scalars(select(Theme.slug))))


def save_law(actor, law: Law | None, values: dict, *, reason: str = "",
             base_revision: int | None = None, from_reference: bool = False,
             pending_laws: frozenset[str] = frozenset()
             ) -> tuple[Law, set[str], list[FieldConflict]]:
    """Create or change a law. An editor (`actor`) names a reason and the revision the edit
    started from; the reference loader (`from_reference`) skips fields editors changed and
    returns them as conflicts, and names the laws its files are about to create
    (`pending_laws`, which proposals may point at). Returns (law, changed fields, conflicts)."""
    from ..permissions import can_edit_reference_data

    if not from_reference and not can_edit_reference_data(actor):
        raise Forbidden()
    values = normalise_law_values(values)
    laws, themes = _known()
    errors = validate_law_values(values, known_laws=laws | pending_laws | {values.get("slug") or ""},
                                 known_themes=themes)
    reason = _editor_checks(None if from_reference else actor, reason, values, errors)
    clash = db.session.scalar(select(Law.slug).where(
        Law.celex == (values.get("celex") or "").strip(), Law.id != (law.id if law else -1)))
    if clash:
        errors["celex"] = _("Dit CELEX-nummer hoort al bij %(slug)s.", slug=clash)
    if law is None:
        slug = (values.get("slug") or "").strip()
        errors.update(_new_slug_errors(slug, "slug", slug in laws))
    if errors:
        raise ValidationError(errors)
    wanted = {name: values[name] for name in LAW_FIELDS if name in values}
    if law is None:
        return _create_law(actor, values, wanted, reason, from_reference)
    skip = set(law.edited_fields or []) if from_reference else set()
    changed, held = _write(law, None if from_reference else actor, law_values(law), wanted,
                           apply=_apply_law, reason=reason, base_revision=base_revision,
                           skip=skip)
    conflicts = [FieldConflict(f"law {law.slug}", n, kept, file) for n, kept, file in held]
    if from_reference:
        # A field whose file value now equals the editor's is settled: the file leads again.
        settled = {n for n in skip if n in wanted and law_values(law)[n] == wanted[n]}
        if settled:
            law.edited_fields = sorted(skip - settled)
    elif changed:
        law.edited_fields = sorted(set(law.edited_fields or []) | changed)
    if changed:
        _announce_law_change(actor, law, changed, from_reference)
    return law, changed, conflicts


def _create_law(actor, values: dict, wanted: dict, reason: str, from_reference: bool):
    from ..content.services import record_revision

    law = Law(slug=values["slug"].strip(), revision=1, edited_fields=[] if from_reference else sorted(wanted))
    db.session.add(law)
    for name, value in wanted.items():
        _apply_law(law, name, value)
    db.session.flush()
    record_revision(law, None if from_reference else actor,
                    revision_fields(wanted)).reason = reason[:REASON_MAX]
    events.record("law.changed", "law", law.id, actor=None if from_reference else actor,
                  fields=["created"], timeline=True)
    return law, {"created"}, []


def _announce_law_change(actor, law: Law, changed: set[str], from_reference: bool,
                         timeline: bool | None = None) -> None:
    """law.changed with the fields; `timeline` when a stage, date or input moment moved."""
    timeline = bool(changed & TIMELINE_FIELDS) if timeline is None else timeline
    if timeline:
        law.changed_at = utcnow()
    events.record("law.changed", "law", law.id, actor=None if from_reference else actor,
                  fields=sorted(changed), timeline=timeline)


def save_obligation(actor, law: Law, obligation: Obligation | None, values: dict, *,
                    reason: str = "", base_revision: int | None = None,
                    from_reference: bool = False
                    ) -> tuple[Obligation, set[str], list[FieldConflict]]:
    """Create or change an obligation of `law`, like `save_law`. A new start date marks the
    law's timeline as changed."""
    from ..content.services import record_revision
    from ..permissions import can_edit_reference_data

    if not from_reference and not can_edit_reference_data(actor):
        raise Forbidden()
    values = normalise_obligation_values(values)
    errors = validate_obligation_values(values)
    reason = _editor_checks(None if from_reference else actor, reason, values, errors)
    if obligation is None:
        key = (values.get("key") or "").strip()
        errors.update(_new_slug_errors(key, "key", bool(db.session.scalar(
            select(Obligation.id).where(Obligation.key == key)))))
    if errors:
        raise ValidationError(errors)
    wanted = {name: values[name] for name in OBLIGATION_FIELDS if name in values}
    author = None if from_reference else actor
    if obligation is None:
        obligation = Obligation(key=values["key"].strip(), revision=1,
                                edited_fields=[] if from_reference else sorted(wanted), **wanted)
        law.obligations.append(obligation)
        db.session.flush()
        record_revision(obligation, author, revision_fields(wanted)).reason = reason
        events.record("obligation.changed", "obligation", obligation.id, actor=author,
                      fields=["created"], law_id=law.id)
        return obligation, {"created"}, []
    skip = set(obligation.edited_fields or []) if from_reference else set()
    changed, held = _write(obligation, author, obligation_values(obligation), wanted,
                           apply=setattr, reason=reason, base_revision=base_revision, skip=skip)
    conflicts = [FieldConflict(f"obligation {obligation.key}", n, kept, file)
                 for n, kept, file in held]
    if from_reference:
        settled = {n for n in skip if n in wanted and getattr(obligation, n) == wanted[n]}
        if settled:
            obligation.edited_fields = sorted(skip - settled)
    elif changed:
        obligation.edited_fields = sorted(set(obligation.edited_fields or []) | changed)
    if changed:
        events.record("obligation.changed", "obligation", obligation.id, actor=author,
                      fields=sorted(changed), law_id=law.id)
        if changed & TIMELINE_FIELDS:
            _announce_law_change(author, law, {"obligations"}, from_reference, timeline=True)
    return obligation, changed, conflicts


def today() -> date:
    """The current day; a test app fixes it with the setting TODAY (a date)."""
    from flask import current_app, has_app_context

    return (has_app_context() and current_app.config.get("TODAY")) or date.today()
