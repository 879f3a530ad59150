"""Queries over organisations and networks, and the peer finder."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from flask_babel import format_decimal, format_number, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from ..dbtypes import as_int, escape_like
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..laws.models import ORGANISATION_TYPES, Law, Obligation, Theme, law_themes
from ..practices.models import Practice
from ..questions.models import Question
from ..templating import ORG_TYPE_LABELS, size_class_label
from .models import (
    PROVINCES,
    SIZE_CLASS_SLUGS,
    SIZE_CLASSES,
    FrontrunnerTopic,
    Network,
    Organisation,
    network_members,
)

# --- what the directory is filtered on -------------------------------------------------------

SORTS = ("naam", "inwoners", "oppervlakte")
DIRECTIONS = ("op", "af")
MAX_PEERS = 50
# Query argument names: the Dutch name the pages use first, then the API's English name.
ARG_NAMES = {
    "q": ("q",),
    "type": ("type", "soort"),
    "province": ("province", "provincie"),
    "size_class": ("grootte", "size_class"),
    "min_inhabitants": ("min_inhabitants",),
    "max_inhabitants": ("max_inhabitants",),
    "theme": ("thema", "theme"),
    "law": ("wet", "law"),
    "obligation": ("verplichting", "obligation"),
    "frontrunner": ("voorloper", "frontrunner"),
    "open_to_collaboration": ("open", "open_to_collaboration"),
    "sort": ("sorteer", "sort"),
    "direction": ("richting", "direction"),
}
TRUE_VALUES = ("1", "true", "ja", "on")
# What a slug can look like: anything else is unknown without asking the database (PostgreSQL
# refuses text with NUL in a query).
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")
FALSE_VALUES = ("0", "false", "nee", "off", "")


def _choice_arg(args, name: str, allowed, errors: dict, message: str) -> str | None:
    """One of `allowed`, or None: absent, or refused with `message` beside its filter."""
    value = _arg(args, name)
    if value is None or value in allowed:
        return value
    errors[name] = message
    return None


def _arg(args, name: str):
    for key in ARG_NAMES[name]:
        value = args.get(key)
        if value is not None and value != "":
            return value
    return None


def _slug(value) -> str | None:
    return value if isinstance(value, str) and SLUG.fullmatch(value) else None


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


@dataclass(frozen=True)
class Subject:
    """What a visitor asks about: a theme, a law, an obligation (or several: all must hold)."""

    theme: Theme | None = None
    law: Law | None = None
    obligation: Obligation | None = None

    def __bool__(self) -> bool:
        return any((self.theme, self.law, self.obligation))

    def label(self) -> str:
        """The most specific part, in the reader's language."""
        locale = str(get_locale() or "nl")
        if self.obligation is not None:
            return f"{self.obligation.law.short_name(locale)} {self.obligation.article}"
        if self.law is not None:
            return self.law.short_name(locale)
        return self.theme.name(locale) if self.theme is not None else ""


def resolve_subject(args) -> tuple[Subject, dict[str, str]]:
    """Theme (slug), law (slug) and obligation (id) from query arguments, Dutch or English
    names; unknown values are left out and named in the errors."""
    errors: dict[str, str] = {}
    theme = law = obligation = None
    theme_slug = _arg(args, "theme")
    if theme_slug is not None:
        slug = _slug(theme_slug)
        theme = db.session.scalar(select(Theme).where(Theme.slug == slug)) if slug else None
        if theme is None:
            errors["theme"] = _("Onbekend thema. Kies een thema uit de lijst.")
    law_slug = _arg(args, "law")
    if law_slug is not None:
        slug = _slug(law_slug)
        law = db.session.scalar(select(Law).where(Law.slug == slug)
                                .options(selectinload(Law.themes))) if slug else None
        if law is None:
            errors["law"] = _("Onbekende wet. Kies een wet uit de lijst.")
    raw = _arg(args, "obligation")
    if raw is not None:
        number = as_int(raw, minimum=1)
        obligation = db.session.scalar(
            select(Obligation).where(Obligation.id == number)
            .options(selectinload(Obligation.law).selectinload(Law.themes))
        ) if number is not None else None
        if obligation is None:
            errors["obligation"] = _("Onbekende verplichting. Kies een verplichting uit de lijst.")
    return Subject(theme, law, obligation), errors


def _flag(args, name: str, errors: dict) -> bool:
    value = _arg(args, name)
    if value is None or isinstance(value, bool):
        return bool(value)
    if str(value).lower() in TRUE_VALUES:
        return True
    if str(value).lower() not in FALSE_VALUES:
        errors[name] = _("Kies ja of nee.")
    return False


def _int_arg(args, name: str, errors: dict) -> int | None:
    raw = _arg(args, name)
    if raw is None:
        return None
    value = as_int(raw, maximum=10**9)
    if value is None:
        errors[name] = _("Geef een heel getal van 0 of hoger.")
    return value


@dataclass
class OrganisationFilters:
    q: str | None = None
    type: str | None = None
    province: str | None = None
    size_class: str | None = None
    min_inhabitants: int | None = None
    max_inhabitants: int | None = None
    subject: Subject = field(default_factory=Subject)
    frontrunner: bool = False
    open_to_collaboration: bool = False
    sort: str = "naam"
    direction: str = "op"

    @property
    def theme(self) -> Theme | None:
        return self.subject.theme

    @property
    def law(self) -> Law | None:
        return self.subject.law

    @property
    def obligation(self) -> Obligation | None:
        return self.subject.obligation


def parse_organisation_filters(args) -> tuple[OrganisationFilters, dict[str, str]]:
    """The directory's filters from query arguments. A bad value is left out (the list is
    not filtered on it) and named in the errors, keyed by the API's argument name."""
    errors: dict[str, str] = {}
    filters = OrganisationFilters()
    text = _text(_arg(args, "q"))
    if text and len(text) > 200:
        errors["q"] = _("Gebruik hoogstens 200 tekens.")
    elif text and not text.isprintable():
        errors["q"] = _("Deze tekst bevat tekens die niet zijn toegestaan.")
    else:
        filters.q = text
    filters.type = _choice_arg(args, "type", ORGANISATION_TYPES, errors,
                               _("Onbekend soort organisatie."))
    filters.province = _choice_arg(args, "province", PROVINCES, errors, _("Onbekende provincie."))
    filters.size_class = _choice_arg(args, "size_class", SIZE_CLASS_SLUGS, errors,
                                     _("Onbekende grootteklasse."))
    filters.min_inhabitants = _int_arg(args, "min_inhabitants", errors)
    filters.max_inhabitants = _int_arg(args, "max_inhabitants", errors)
    if (filters.min_inhabitants is not None and filters.max_inhabitants is not None
            and filters.min_inhabitants > filters.max_inhabitants):
        errors["max_inhabitants"] = _("Het maximum is kleiner dan het minimum.")
        filters.max_inhabitants = None
    filters.subject, subject_errors = resolve_subject(args)
    errors.update(subject_errors)
    filters.frontrunner = _flag(args, "frontrunner", errors)
    filters.open_to_collaboration = _flag(args, "open_to_collaboration", errors)
    filters.sort = _choice_arg(args, "sort", SORTS, errors,
                               _("Onbekende sortering.")) or filters.sort
    filters.direction = _choice_arg(args, "direction", DIRECTIONS, errors,
                                    _("Kies oplopend of aflopend.")) or filters.direction
    return filters, errors


# --- SQL pieces: which topics and contributions are about a subject ----------------------------

def _laws_of_theme(theme: Theme):
    return select(law_themes.c.law_id).where(law_themes.c.theme_id == theme.id)


def _topic_clause(subject: Subject):
    """Live frontrunner topics on the subject (a law includes its obligations; a theme the
    laws of that theme and their obligations)."""
    clauses = [FrontrunnerTopic.deleted_at.is_(None)]
    if subject.theme is not None:
        laws = _laws_of_theme(subject.theme)
        clauses.append(or_(
            FrontrunnerTopic.theme_id == subject.theme.id,
            FrontrunnerTopic.law_id.in_(laws),
            FrontrunnerTopic.obligation_id.in_(select(Obligation.id)
                                               .where(Obligation.law_id.in_(laws)))))
    if subject.law is not None:
        clauses.append(or_(
            FrontrunnerTopic.law_id == subject.law.id,
            FrontrunnerTopic.obligation_id.in_(select(Obligation.id)
                                               .where(Obligation.law_id == subject.law.id))))
    if subject.obligation is not None:
        clauses.append(FrontrunnerTopic.obligation_id == subject.obligation.id)
    return and_(*clauses)


def topic_matches(topic: FrontrunnerTopic, subject: Subject) -> bool:
    """The same test as `_topic_clause`, on a loaded topic."""
    if topic.deleted_at is not None:
        return False
    topic_law = topic.law or (topic.obligation.law if topic.obligation is not None else None)
    if subject.theme is not None:
        on_theme = topic.theme_id == subject.theme.id or (
            topic_law is not None and any(t.id == subject.theme.id for t in topic_law.themes))
        if not on_theme:
            return False
    if subject.law is not None and (topic_law is None or topic_law.id != subject.law.id):
        return False
    return subject.obligation is None or topic.obligation_id == subject.obligation.id


def _contribution_clause(model, subject: Subject):
    """Questions or practices tagged with the subject (a law through its obligations too)."""
    clauses = []
    if subject.theme is not None:
        laws = _laws_of_theme(subject.theme)
        clauses.append(or_(model.themes.any(Theme.id == subject.theme.id),
                           model.laws.any(Law.id.in_(laws)),
                           model.obligations.any(Obligation.law_id.in_(laws))))
    if subject.law is not None:
        clauses.append(or_(model.laws.any(Law.id == subject.law.id),
                           model.obligations.any(Obligation.law_id == subject.law.id)))
    if subject.obligation is not None:
        clauses.append(model.obligations.any(Obligation.id == subject.obligation.id))
    return and_(*clauses)


def _public_contributions(model):
    """Contributions anyone may see under their organisation's name."""
    clause = and_(model.visibility == "public", model.hidden_at.is_(None),
                  model.deleted_at.is_(None))
    if model is Practice:
        clause = and_(clause, Practice.anonymous.is_(False))
    return clause


def _topic_options():
    """Load live topics with what their names and subject tests need, in a fixed number of
    queries."""
    topics = selectinload(Organisation.frontrunner_topics.and_(
        FrontrunnerTopic.deleted_at.is_(None)))
    return (topics.selectinload(FrontrunnerTopic.theme),
            topics.selectinload(FrontrunnerTopic.law).selectinload(Law.themes),
            topics.selectinload(FrontrunnerTopic.obligation).selectinload(Obligation.law)
            .selectinload(Law.themes))


# --- the directory list ------------------------------------------------------------------------

def filtered_organisations(filters: OrganisationFilters) -> Select:
    """Organisations matching the filters, sorted, with their live frontrunner topics."""
    query = select(Organisation).options(*_topic_options())
    if filters.type:
        query = query.where(Organisation.type == filters.type)
    if filters.province:
        query = query.where(Organisation.province == filters.province)
    if filters.size_class:
        _slug, low, high = SIZE_CLASSES[SIZE_CLASS_SLUGS.index(filters.size_class)]
        query = query.where(Organisation.inhabitants >= low)
        if high is not None:
            query = query.where(Organisation.inhabitants < high)
    if filters.min_inhabitants is not None:
        query = query.where(Organisation.inhabitants >= filters.min_inhabitants)
    if filters.max_inhabitants is not None:
        query = query.where(Organisation.inhabitants <= filters.max_inhabitants)
    if filters.q:
        query = query.where(Organisation.name.ilike(f"%{escape_like(filters.q)}%", escape="\\"))
    subject = filters.subject
    if filters.frontrunner or filters.open_to_collaboration:
        topics = _topic_clause(subject)
        if filters.open_to_collaboration:
            topics = and_(topics, FrontrunnerTopic.open_to_collaboration.is_(True))
        query = query.where(Organisation.id.in_(select(FrontrunnerTopic.organisation_id)
                                                .where(topics)))
    elif subject:
        query = query.where(involved_clause(subject))
    column = {"naam": Organisation.name, "inwoners": Organisation.inhabitants,
              "oppervlakte": Organisation.area_km2}[filters.sort]
    order = column.desc() if filters.direction == "af" else column.asc()
    if filters.sort != "naam":
        order = order.nulls_last()
    return query.order_by(order, Organisation.name, Organisation.id)


def involved_clause(subject: Subject):
    """Organisations that work on the subject: a frontrunner topic on it, a public
    contribution under their name about it, or (a theme) an active network on it."""
    ids = [select(FrontrunnerTopic.organisation_id).where(_topic_clause(subject))]
    for model in (Question, Practice):
        ids.append(select(model.organisation_id).where(
            _public_contributions(model), _contribution_clause(model, subject)))
    clauses = [Organisation.id.in_(query) for query in ids]
    if subject.theme is not None and subject.law is None and subject.obligation is None:
        clauses.append(Organisation.id.in_(
            select(network_members.c.organisation_id)
            .join(Network, Network.id == network_members.c.network_id)
            .where(Network.status == "active",
                   Network.themes.any(Theme.id == subject.theme.id))))
    return or_(*clauses) if clauses else false()


def organisation_query(args) -> Select:
    """Organisations filtered by query arguments (see `parse_organisation_filters`); any
    bad value is refused with a ValidationError (the API's 422)."""
    filters, errors = parse_organisation_filters(args)
    if errors:
        raise ValidationError(errors)
    return filtered_organisations(filters)


def matching_topics(org: Organisation, subject: Subject) -> list[FrontrunnerTopic]:
    """The organisation's live topics on the subject (all live topics without one), topics
    open to collaboration first."""
    topics = [t for t in org.frontrunner_topics if topic_matches(t, subject)]
    return sorted(topics, key=lambda t: (not t.open_to_collaboration, t.id))


def topic_name(topic: FrontrunnerTopic) -> str:
    """What the topic is about, in the reader's language."""
    locale = str(get_locale() or "nl")
    if topic.obligation is not None:
        return (f"{topic.obligation.law.short_name(locale)} {topic.obligation.article}: "
                f"{topic.obligation.title}")
    if topic.law is not None:
        return topic.law.short_name(locale)
    return topic.theme.name(locale) if topic.theme is not None else ""


def get_organisation_or_404(slug: str) -> Organisation:
    if not _slug(slug):
        raise NotFound()
    org = db.session.scalar(
        select(Organisation).where(Organisation.slug == slug)
        .options(selectinload(Organisation.networks))
    )
    if org is None:
        raise NotFound()
    return org


def get_organisation_detail_or_404(slug: str) -> Organisation:
    """One organisation with its networks and live frontrunner topics (for the API)."""
    if not _slug(slug):
        raise NotFound()
    org = db.session.scalar(
        select(Organisation).where(Organisation.slug == slug)
        .options(selectinload(Organisation.networks), *_topic_options())
    )
    if org is None:
        raise NotFound()
    return org


def find_organisation(slug: str) -> Organisation | None:
    if not _slug(slug):
        return None
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.type,
                                                                 Organisation.name)))


def network_query(args) -> Select:
    """Active networks, filtered; networks.py holds the rules."""
    from . import networks

    return networks.network_query(args)


def get_network_or_404(slug: str) -> Network:
    """An active network; networks.py holds the rules (and who sees proposals)."""
    from . import networks

    return networks.get_network_or_404(slug)


# --- the peer finder ---------------------------------------------------------------------------

@dataclass
class Peer:
    organisation: Organisation
    reasons: list[str] = field(default_factory=list)
    frontrunner_topics: list[FrontrunnerTopic] = field(default_factory=list)
    rank: tuple = ()


SIMILAR_DENSITY = math.log(1.5)
FAIRLY_SIMILAR_DENSITY = math.log(3)
UNKNOWN_SIZE = len(SIZE_CLASSES) + 1


def density_bucket(own: float | None, other: float | None) -> int:
    """0 similar (within a factor 1.5), 1 fairly similar (within 3), 2 otherwise or unknown:
    buckets, so that the province still decides between organisations alike in density."""
    if not own or not other:
        return 2
    ratio = abs(math.log(other / own))
    if ratio < SIMILAR_DENSITY:
        return 0
    return 1 if ratio < FAIRLY_SIMILAR_DENSITY else 2


def _resolve(theme, law, obligation) -> Subject:
    """Model objects as they are; a slug (theme, law) or id (obligation) is looked up, and an
    unknown one refused."""
    if not any(isinstance(v, str | int) and not isinstance(v, bool)
               for v in (theme, law, obligation)):
        return Subject(theme, law, obligation)
    subject, errors = resolve_subject({
        "theme": theme.slug if isinstance(theme, Theme) else theme,
        "law": law.slug if isinstance(law, Law) else law,
        "obligation": obligation.id if isinstance(obligation, Obligation) else obligation})
    if errors:
        raise ValidationError(errors)
    return subject


def activity_counts(subject: Subject, org_type: str) -> dict[int, int]:
    """Per organisation of the type: public questions and named public practices about the
    subject. Two aggregate queries, whatever the number of organisations."""
    counts: dict[int, int] = {}
    if not subject:
        return counts
    for model in (Question, Practice):
        rows = db.session.execute(
            select(model.organisation_id, func.count(model.id))
            .join(Organisation, Organisation.id == model.organisation_id)
            .where(Organisation.type == org_type, _public_contributions(model),
                   _contribution_clause(model, subject))
            .group_by(model.organisation_id))
        for org_id, number in rows:
            counts[org_id] = counts.get(org_id, 0) + number
    return counts


def find_peers(org: Organisation, *, theme=None, law=None, obligation=None,
               limit: int = 10) -> list[Peer]:
    """Organisations like this one, best first, each with the facts that make it alike.

    Only the same type. Ranked, in this order: a frontrunner topic on the chosen theme, law
    or obligation; distance in size class (unknown sizes last; skipped when the organisation's
    own size is unknown, as for water boards); similarity of density in three buckets; the
    same province; the number of public contributions on the subject; the name.
    """
    subject = _resolve(theme, law, obligation)
    limit = max(1, min(int(limit), MAX_PEERS))
    candidates = db.session.scalars(
        select(Organisation).where(Organisation.type == org.type, Organisation.id != org.id)
        .options(*_topic_options()))
    activity = activity_counts(subject, org.type)
    peers = [_peer(org, other, subject, activity.get(other.id, 0)) for other in candidates]
    peers.sort(key=lambda p: p.rank)
    return peers[:limit]


def _peer(org: Organisation, other: Organisation, subject: Subject, activity: int) -> Peer:
    topics = matching_topics(other, subject)
    reasons = [_("ook een %(type)s", type=str(ORG_TYPE_LABELS[org.type]).lower())]
    for topic in topics if subject else ():
        if topic.open_to_collaboration:
            reasons.append(_("voorloper op %(subject)s, open voor samenwerking",
                             subject=topic_name(topic)))
        else:
            reasons.append(_("voorloper op %(subject)s", subject=topic_name(topic)))
    frontrunner = 0 if (topics or not subject) else 1

    size = 0
    if org.size_class is not None:
        size = UNKNOWN_SIZE if other.size_class is None else abs(other.size_class -
                                                                 org.size_class)
        if other.size_class is not None:
            reasons.append(_size_reason(org, other))
    density = density_bucket(org.density, other.density)
    if density < 2:
        reasons.append(_density_reason(org, other, density))
    province = 0 if org.province and other.province == org.province else 1
    if province == 0:
        reasons.append(_("ook in %(province)s", province=org.province))
    if activity:
        reasons.append(ngettext("%(num)d bijdrage over %(subject)s",
                                "%(num)d bijdragen over %(subject)s", activity,
                                subject=subject.label()))
    rank = (frontrunner, size, density, province, -activity, other.name.casefold(), other.id)
    return Peer(other, reasons, topics, rank)


def _size_reason(org: Organisation, other: Organisation) -> str:
    steps = other.size_class - org.size_class
    facts = {"label": size_class_label(other.size_class), "name": other.name,
             "n": format_number(other.inhabitants)}
    if steps == 0:
        return _("zelfde grootteklasse: %(label)s (%(name)s: %(n)s)", **facts)
    if steps == 1:
        return _("één grootteklasse groter: %(label)s (%(name)s: %(n)s)", **facts)
    if steps == -1:
        return _("één grootteklasse kleiner: %(label)s (%(name)s: %(n)s)", **facts)
    if steps > 0:
        return _("%(steps)d grootteklassen groter: %(label)s (%(name)s: %(n)s)",
                 steps=steps, **facts)
    return _("%(steps)d grootteklassen kleiner: %(label)s (%(name)s: %(n)s)",
             steps=-steps, **facts)


def _density_reason(org: Organisation, other: Organisation, bucket: int) -> str:
    facts = {"other": _density(other.density), "own": _density(org.density), "name": org.name}
    if bucket == 0:
        return _("vergelijkbare bevolkingsdichtheid: %(other)s inwoners per km² "
                 "(%(name)s: %(own)s)", **facts)
    return _("bevolkingsdichtheid in dezelfde orde: %(other)s inwoners per km² "
             "(%(name)s: %(own)s)", **facts)


def _density(value: float) -> str:
    """Inhabitants per km²: whole numbers, one decimal below ten (the Wadden islands)."""
    return format_decimal(value, format="#,##0.#" if value < 10 else "#,##0")
