"""What the public Atom feeds hold: the newest public questions, practices and clause sets.

A feed is read by anyone, logged in or not, and copied into feed readers and aggregators we
never see again. So every query here is the domain's own list query for a visitor without an
account (`viewer=None`): public, not hidden, not deleted. An anonymous practice never names its
writer or its organisation, and it never appears in its organisation's feed (that would name
the organisation). The statement count of a feed does not depend on its number of entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ..clauses.models import Clause, ClauseSet, clause_obligations
from ..clauses.services import visible_sets_clause
from ..directory.models import Organisation
from ..errors import NotFound
from ..extensions import db
from ..feeds import AtomEntry
from ..laws.models import Law, Obligation, Theme
from ..links import absolute_url
from ..markup import plain_text
from ..practices.models import Practice
from ..practices.services import visible_practices
from ..questions.models import Question
from ..questions.services import visible_questions

FEED_SIZE = 50
SUMMARY_LENGTH = 300
KINDS = ("question", "practice", "clause_set")


@dataclass(frozen=True)
class Filters:
    """One SQL condition per kind (None: that kind is not in the feed)."""

    question: object | None = None
    practice: object | None = None
    clause_set: object | None = None


NEW = Filters(question=True, practice=True)  # the home page's feed


def _newest(query, model, condition, limit: int) -> list:
    if condition is not True:
        query = query.where(condition)
    return list(db.session.scalars(
        query.order_by(model.created_at.desc(), model.id.desc()).limit(limit)).unique())


def newest_entries(filters: Filters, limit: int | None = None) -> list[AtomEntry]:
    """The `limit` (FEED_SIZE) newest items a visitor may see, newest first, as feed entries:
    at most three SELECTs whatever the number of entries (authors and organisations are
    joined)."""
    limit = limit or FEED_SIZE
    entries: list[tuple] = []
    if filters.question is not None:
        query = visible_questions(None).options(joinedload(Question.author),
                                                joinedload(Question.organisation))
        entries += [(q.created_at, "question", q.id, _question_entry(q))
                    for q in _newest(query, Question, filters.question, limit)]
    if filters.practice is not None:
        query = visible_practices(None).options(joinedload(Practice.author),
                                                joinedload(Practice.organisation))
        entries += [(p.created_at, "practice", p.id, _practice_entry(p))
                    for p in _newest(query, Practice, filters.practice, limit)]
    if filters.clause_set is not None:
        query = select(ClauseSet).where(visible_sets_clause(None)).options(
            joinedload(ClauseSet.lead_organisation))
        entries += [(s.created_at, "clause_set", s.id, _set_entry(s))
                    for s in _newest(query, ClauseSet, filters.clause_set, limit)]
    entries.sort(key=lambda e: (e[0], KINDS.index(e[1]), e[2]), reverse=True)
    return [e[3] for e in entries[:limit]]


# --- entries ----------------------------------------------------------------------------------

def _summary(text: str | None) -> str:
    return plain_text(text, SUMMARY_LENGTH)


def _question_entry(q: Question) -> AtomEntry:
    return AtomEntry(
        id=absolute_url("questions.detail", question_id=q.id),
        title=_("Vraag: %(title)s", title=q.title), updated=q.created_at,
        link=absolute_url("questions.detail", question_id=q.id), summary=_summary(q.body),
        author=f"{q.author.name}, {q.organisation.name}")


def _practice_entry(p: Practice) -> AtomEntry:
    # Anonymous: neither the writers nor the organisation, not even its type and size.
    author = _("Anoniem") if p.anonymous else f"{p.author.name}, {p.organisation.name}"
    return AtomEntry(
        id=absolute_url("practices.detail", practice_id=p.id),
        title=_("Praktijk: %(title)s", title=p.title), updated=p.created_at,
        link=absolute_url("practices.detail", practice_id=p.id), summary=_summary(p.summary),
        author=author)


def _set_entry(s: ClauseSet) -> AtomEntry:
    return AtomEntry(
        id=absolute_url("clauses.detail", set_id=s.id),
        title=_("Inkoopvoorwaarden: %(title)s", title=s.title), updated=s.created_at,
        link=absolute_url("clauses.detail", set_id=s.id), summary=_summary(s.purpose),
        author=s.lead_organisation.name)


# --- the subjects of the feeds ----------------------------------------------------------------

def _one_or_404(model, column, value: str):
    found = db.session.scalar(select(model).where(column == value)) if value else None
    if found is None:
        raise NotFound()
    return found


def law_or_404(slug: str) -> Law:
    return _one_or_404(Law, Law.slug, slug)


def theme_or_404(slug: str) -> Theme:
    return _one_or_404(Theme, Theme.slug, slug)


def organisation_or_404(slug: str) -> Organisation:
    return _one_or_404(Organisation, Organisation.slug, slug)


def about_law(law: Law) -> Filters:
    """Tagged with the law or with one of its obligations; clause sets through a live clause
    on one of its obligations (as the clause-set list filters by law)."""
    of_law = select(Obligation.id).where(Obligation.law_id == law.id)
    sets = select(Clause.set_id).join(
        clause_obligations, clause_obligations.c.clause_id == Clause.id).where(
        Clause.deleted_at.is_(None), clause_obligations.c.obligation_id.in_(of_law))

    def tagged(model):
        return or_(model.laws.any(Law.id == law.id),
                   model.obligations.any(Obligation.law_id == law.id))

    return Filters(question=tagged(Question), practice=tagged(Practice),
                   clause_set=ClauseSet.id.in_(sets))


def about_theme(theme: Theme) -> Filters:
    """Questions and practices tagged with the theme (clause sets carry no themes)."""
    return Filters(question=Question.themes.any(Theme.id == theme.id),
                   practice=Practice.themes.any(Theme.id == theme.id))


def of_organisation(org: Organisation) -> Filters:
    """What the organisation's members wrote in public under its name; anonymous practices
    stay out (listing one here would name its organisation)."""
    return Filters(question=Question.organisation_id == org.id,
                   practice=(Practice.organisation_id == org.id) & Practice.anonymous.is_(False),
                   clause_set=ClauseSet.lead_organisation_id == org.id)


def only(kind: str) -> Filters:
    return Filters(**{kind: True})
