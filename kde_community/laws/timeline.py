"""The timeline of laws and proposals: their milestones and input moments on one time axis.

Filtering and grouping are pure functions over loaded laws and a `today`, so a test fixes the
day and the page, the iCalendar feed and the API agree on what "input possible now" and
"applies within 12 months" mean. The few queries here load everything at once (a constant
number of statements, whatever the number of laws).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import MILESTONE_KINDS, STAGES, InputMoment, Law, Obligation

# Organisation types the "voor" filter offers (the ones laws oblige).
ORG_TYPES = ("gemeente", "provincie", "waterschap")
# The stage group "in the pipeline" in the `fase` filter.
PIPELINE = "pijplijn"
STAGE_CHOICES = (PIPELINE, *STAGES)
# "Applies within 12 months": a milestone of these kinds, or an obligation's start.
SOON_KINDS = ("application", "national")
SOON_DAYS = 365
# Entry kinds besides the milestone kinds: the two ends of an input moment.
INPUT_OPENS = "input_opens"
INPUT_CLOSES = "input_closes"
INPUT_KINDS = (INPUT_OPENS, INPUT_CLOSES)
ENTRY_KINDS = (*MILESTONE_KINDS, *INPUT_KINDS)
INPUT_KIND_LABELS = {
    INPUT_OPENS: _l("Inbreng mogelijk"),
    INPUT_CLOSES: _l("Laatste dag voor inbreng"),
}
VIEWS = ("tijdlijn", "tabel")
_BOOLEAN = {"1": True, "ja": True, "true": True, "on": True, "0": False, "": False,
            "nee": False, "false": False}


# --- filters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineFilters:
    """What the reader chose; each field None/False when not filtering on it."""

    law: str | None = None
    theme: str | None = None
    org_type: str | None = None
    stage: str | None = None  # a value of STAGES, or PIPELINE
    input_open: bool = False
    applies_soon: bool = False

    def args(self) -> dict[str, str]:
        """The Dutch query arguments that select these filters (for links and feeds)."""
        out = {"wet": self.law, "thema": self.theme, "voor": self.org_type, "fase": self.stage,
               "inbreng": "1" if self.input_open else None,
               "binnenkort": "1" if self.applies_soon else None}
        return {k: v for k, v in out.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.args())


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def parse_filters(args: Mapping[str, str], *, themes: Iterable[str],
                  laws: Iterable[str] = ()) -> tuple[TimelineFilters, dict[str, str]]:
    """Filters from query arguments (`wet`, `thema`, `voor`, `fase`, `inbreng`, `binnenkort`)
    and a reason per argument whose value is unknown; that argument is then not applied."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    checks = (
        ("wet", "law", set(laws), _("Onbekende wet ‘%(value)s’: de tijdlijn toont alle wetten.")),
        ("thema", "theme", set(themes),
         _("Onbekend thema ‘%(value)s’: de tijdlijn toont alle thema's.")),
        ("voor", "org_type", set(ORG_TYPES),
         _("Kies bij ‘Voor’ gemeente, provincie of waterschap; ‘%(value)s’ kennen we niet. "
           "De tijdlijn toont wetten voor alle overheden.")),
        ("fase", "stage", set(STAGE_CHOICES),
         _("Onbekende fase ‘%(value)s’: de tijdlijn toont alle fasen.")),
    )
    for arg, name, known, message in checks:
        value = (args.get(arg) or "").strip()
        if not value:
            continue
        if value in known:
            values[name] = value
        else:
            errors[arg] = message % {"value": _shown(value)}
    for arg, name in (("inbreng", "input_open"), ("binnenkort", "applies_soon")):
        value = (args.get(arg) or "").strip().lower()
        if value in _BOOLEAN:
            values[name] = _BOOLEAN[value]
        else:
            errors[arg] = _("Gebruik 1 of 0 bij ‘%(name)s’; ‘%(value)s’ kennen we niet. Dit "
                            "filter is niet gebruikt.", name=arg, value=_shown(value))
    return TimelineFilters(**values), errors


def has_open_input(law: Law, today: date) -> bool:
    return any(i.is_open(today) for i in law.input_moments)


def applies_soon(law: Law, today: date) -> date | None:
    """The first day in (today, today + 365 days] on which (part of) the law starts to apply:
    an application or Dutch implementation milestone, or an obligation's start."""
    end = today + timedelta(days=SOON_DAYS)
    days = [m.date for m in law.milestones if m.kind in SOON_KINDS]
    days += [o.applies_from for o in law.obligations if o.applies_from is not None]
    return min((d for d in days if today < d <= end), default=None)


def obliges(law: Law, org_type: str) -> bool:
    return any(org_type in (o.applies_to or []) for o in law.obligations)


def matches(law: Law, filters: TimelineFilters, today: date) -> bool:
    if filters.law and law.slug != filters.law:
        return False
    if filters.theme and filters.theme not in {t.slug for t in law.themes}:
        return False
    # Proposals have no obligations yet: they stay in view for every organisation type.
    if filters.org_type and not (law.in_pipeline or obliges(law, filters.org_type)):
        return False
    if filters.stage == PIPELINE and not law.in_pipeline:
        return False
    if filters.stage and filters.stage != PIPELINE and law.stage != filters.stage:
        return False
    if filters.input_open and not has_open_input(law, today):
        return False
    return not (filters.applies_soon and applies_soon(law, today) is None)


def filter_laws(laws: Iterable[Law], filters: TimelineFilters, today: date) -> list[Law]:
    return [law for law in laws if matches(law, filters, today)]


# --- entries --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One dated point of the timeline: a milestone, or an input moment opening or closing."""

    date: date
    kind: str  # a milestone kind, INPUT_OPENS or INPUT_CLOSES
    law: Law
    milestone: object = None  # LawMilestone
    input_moment: InputMoment | None = None
    is_today = False

    @property
    def is_input(self) -> bool:
        return self.input_moment is not None

    @property
    def key(self) -> str:
        """Stable per milestone row and input moment end (anchors, calendar UIDs)."""
        if self.milestone is not None:
            return f"milestone-{self.milestone.id}"
        return f"input-{self.input_moment.id}-{'opens' if self.kind == INPUT_OPENS else 'closes'}"

    def label(self, locale: str) -> str:
        """What happens, in the reader's language (the Dutch text when no English is given)."""
        if self.milestone is not None:
            return self.milestone.label_for(locale) or self.milestone.label
        return self.input_moment.title_for(locale) or self.input_moment.title


@dataclass(frozen=True)
class TodayMarker:
    date: date
    is_today = True


@dataclass
class YearGroup:
    year: int
    items: list = field(default_factory=list)  # Entry and at most one TodayMarker


_KIND_ORDER = {kind: n for n, kind in enumerate((
    "proposal", INPUT_OPENS, "position", "adoption", "publication", "entry_into_force",
    "application", "transposition_deadline", "national", "court", "review", "amendment",
    INPUT_CLOSES))}


def entries(laws: Iterable[Law]) -> list[Entry]:
    """Every milestone and both ends of every input moment of `laws`, in date order."""
    found: list[Entry] = []
    for law in laws:
        found += [Entry(m.date, m.kind, law, milestone=m) for m in law.milestones]
        for moment in law.input_moments:
            found.append(Entry(moment.opens, INPUT_OPENS, law, input_moment=moment))
            if moment.closes is not None:
                found.append(Entry(moment.closes, INPUT_CLOSES, law, input_moment=moment))
    return sorted(found, key=lambda e: (e.date, e.law.short_name_nl, _KIND_ORDER.get(e.kind, 99),
                                        e.key))


def by_year(items: list[Entry], today: date) -> list[YearGroup]:
    """Entries grouped per year, with "today" placed before the first entry from today on
    (today's year gets a group of its own when nothing happens in it)."""
    marked: list = list(items)
    at = next((n for n, e in enumerate(items) if e.date >= today), len(items))
    marked.insert(at, TodayMarker(today))
    groups: list[YearGroup] = []
    for item in marked:
        if not groups or groups[-1].year != item.date.year:
            groups.append(YearGroup(item.date.year))
        groups[-1].items.append(item)
    return groups


def soon(laws: Iterable[Law], today: date) -> list[tuple[Law, date]]:
    """Laws that start to apply within 12 months, soonest first."""
    found = [(law, applies_soon(law, today)) for law in laws]
    return sorted(((law, day) for law, day in found if day is not None),
                  key=lambda pair: (pair[1], pair[0].short_name_nl))


def pipeline(laws: Iterable[Law]) -> list[Law]:
    return [law for law in laws if law.in_pipeline]


# --- where input is given -------------------------------------------------------------------

_CHANNELS = (
    ("internetconsultatie.nl", _l("internetconsultatie.nl")),
    ("vng.nl", _l("VNG")),
    ("ipo.nl", _l("IPO")),
    ("uvw.nl", _l("Unie van Waterschappen")),
    ("europarl.europa.eu", _l("Europees Parlement")),
)


def input_channel(where: str) -> str:
    """Where an input moment takes place, by the host of its address."""
    parts = urlsplit(where or "")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return ""
    if host == "ec.europa.eu" and "have-your-say" in parts.path:
        return _("Europese Commissie (Have your say)")
    for domain, label in _CHANNELS:
        if host == domain or host.endswith("." + domain):
            return str(label)
    return host


# --- queries --------------------------------------------------------------------------------

def load_laws() -> list[Law]:
    """Every law with what the timeline shows and filters on, in five statements."""
    return list(db.session.scalars(select(Law).options(
        selectinload(Law.milestones), selectinload(Law.input_moments),
        selectinload(Law.themes), selectinload(Law.obligations),
    ).order_by(Law.short_name_nl)))


def upcoming_input_moments(today: date, limit: int = 3) -> list[InputMoment]:
    """Input moments that open after today, soonest first."""
    return list(db.session.scalars(
        select(InputMoment).where(InputMoment.opens > today)
        .options(selectinload(InputMoment.law))
        .order_by(InputMoment.opens, InputMoment.id).limit(limit)))


def input_moments(today: date, is_open: bool | None = None) -> list[InputMoment]:
    """All input moments (or only those open, or not open, today), by opening date."""
    query = select(InputMoment).options(selectinload(InputMoment.law)).order_by(
        InputMoment.opens, InputMoment.id)
    open_now = and_(InputMoment.opens <= today,
                    or_(InputMoment.closes.is_(None), InputMoment.closes >= today))
    if is_open is True:
        query = query.where(open_now)
    elif is_open is False:
        query = query.where(~open_now)
    return list(db.session.scalars(query))


# --- changes (the Atom feed) ----------------------------------------------------------------

@dataclass
class LawChange:
    """One revision of a law or obligation, with what changed compared to the one before."""

    revision: object  # content.models.Revision
    law: Law
    obligation: Obligation | None
    fields: list[str]  # changed field names; ["created"] for a first revision

    @property
    def created(self) -> bool:
        return self.fields == ["created"]


def law_changes(limit: int = 50) -> list[LawChange]:
    """The latest revisions of laws and obligations, newest first (four statements)."""
    from ..content.models import Revision

    revisions = list(db.session.scalars(
        select(Revision)
        .where(Revision.content_type.in_(("law", "obligation")),
               Revision.visibility == "public")
        .order_by(Revision.created_at.desc(), Revision.id.desc()).limit(limit)))
    if not revisions:
        return []
    earlier = {(r.content_type, r.content_id, r.number): r for r in db.session.scalars(
        select(Revision).where(or_(*(
            and_(Revision.content_type == r.content_type, Revision.content_id == r.content_id,
                 Revision.number == r.number - 1) for r in revisions if r.number > 1)))
    )} if any(r.number > 1 for r in revisions) else {}
    law_ids = {r.content_id for r in revisions if r.content_type == "law"}
    obligation_ids = {r.content_id for r in revisions if r.content_type == "obligation"}
    obligations = {o.id: o for o in db.session.scalars(
        select(Obligation).where(Obligation.id.in_(obligation_ids)))} if obligation_ids else {}
    law_ids |= {o.law_id for o in obligations.values()}
    laws = {law.id: law for law in db.session.scalars(select(Law).where(Law.id.in_(law_ids)))}
    changes = []
    for r in revisions:
        obligation = obligations.get(r.content_id) if r.content_type == "obligation" else None
        law = laws.get(obligation.law_id if obligation else r.content_id)
        if law is None:  # the law or obligation was deleted since
            continue
        before = earlier.get((r.content_type, r.content_id, r.number - 1))
        changes.append(LawChange(r, law, obligation, _changed_fields(before, r)))
    return changes


def _changed_fields(before, after) -> list[str]:
    if before is None:
        return ["created"] if after.number == 1 else sorted(after.fields or {})
    old, new = before.fields or {}, after.fields or {}
    return [name for name in dict.fromkeys([*old, *new]) if old.get(name) != new.get(name)]


def latest_change(changes: list[LawChange]) -> datetime | None:
    return max((c.revision.created_at for c in changes), default=None)
