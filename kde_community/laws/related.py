"""What on the platform is about a law or one of its obligations, as the viewer may see it.

Law and obligation pages are the spine of the platform: from a law a reader finds the
questions, practices, clause sets, networks and frontrunners about it. Each list uses the
visibility rules of its own domain (the same queries as the full lists it links to), so a
count here always equals the count on the list behind the link, and nothing a viewer may not
see is counted. The number of SQL statements does not grow with the content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..clauses.models import Clause, ClauseSet, clause_obligations
from ..clauses.services import visible_sets_clause
from ..directory.models import FrontrunnerTopic, Network, Organisation
from ..extensions import db
from ..practices.models import Practice
from ..practices.services import visible_practices
from ..questions.models import Question
from ..questions.services import visible_questions
from .models import PIPELINE_STAGES, Law, Obligation, Theme

NEWEST = 3  # how many of each kind the page shows before "all N"


@dataclass
class Found:
    """One kind of content about the subject: how many the viewer may see, the newest few."""

    total: int = 0
    items: list = field(default_factory=list)


@dataclass
class Frontrunner:
    """An organisation that is a frontrunner on the subject, with its topics on it."""

    organisation: Organisation
    topics: list[FrontrunnerTopic]

    @property
    def open_to_collaboration(self) -> bool:
        return any(t.open_to_collaboration for t in self.topics)


@dataclass
class Related:
    questions: Found
    practices: Found
    clause_sets: Found
    frontrunners: Found
    networks: Found | None = None  # a law only: networks sharing one of its themes

    @property
    def total(self) -> int:
        return sum(f.total for f in (self.questions, self.practices, self.clause_sets,
                                     self.frontrunners, self.networks) if f is not None)


def about_law(law: Law, viewer: User | None, newest: int = NEWEST) -> Related:
    """Everything about `law` (directly or through one of its obligations, as the full lists
    filter by law) that the viewer may see."""
    of_law = select(Obligation.id).where(Obligation.law_id == law.id)
    sets = select(Clause.set_id).join(
        clause_obligations, clause_obligations.c.clause_id == Clause.id).where(
        Clause.deleted_at.is_(None), clause_obligations.c.obligation_id.in_(of_law))
    topics = or_(FrontrunnerTopic.law_id == law.id, FrontrunnerTopic.obligation_id.in_(of_law))
    theme_ids = [t.id for t in law.themes]
    networks = Network.themes.any(Theme.id.in_(theme_ids)) if theme_ids else None
    return _related(viewer, newest, question=Question.laws.any(Law.id == law.id),
                    practice=Practice.laws.any(Law.id == law.id), sets=sets, topics=topics,
                    networks=networks, with_networks=True)


def about_obligation(obligation: Obligation, viewer: User | None,
                     newest: int = NEWEST) -> Related:
    """Everything tagged with `obligation` that the viewer may see."""
    sets = select(Clause.set_id).join(
        clause_obligations, clause_obligations.c.clause_id == Clause.id).where(
        Clause.deleted_at.is_(None), clause_obligations.c.obligation_id == obligation.id)
    return _related(viewer, newest,
                    question=Question.obligations.any(Obligation.id == obligation.id),
                    practice=Practice.obligations.any(Obligation.id == obligation.id),
                    sets=sets, topics=FrontrunnerTopic.obligation_id == obligation.id)


def _related(viewer, newest: int, *, question, practice, sets, topics, networks=None,
             with_networks: bool = False) -> Related:
    questions = visible_questions(viewer).where(question)
    practices = visible_practices(viewer).where(practice)
    clause_sets = select(ClauseSet).where(visible_sets_clause(viewer), ClauseSet.id.in_(sets))
    live_topics = (FrontrunnerTopic.deleted_at.is_(None), topics)
    network_query = select(Network).where(Network.status == "active", networks) \
        if networks is not None else None

    # All counts in one statement.
    counts = [_count(questions), _count(practices), _count(clause_sets),
              select(func.count(func.distinct(FrontrunnerTopic.organisation_id)))
              .where(*live_topics).scalar_subquery()]
    if network_query is not None:
        counts.append(_count(network_query))
    totals = list(db.session.execute(select(*counts)).one())

    found_questions = list(db.session.scalars(
        questions.options(selectinload(Question.organisation))
        .order_by(Question.created_at.desc(), Question.id.desc()).limit(newest)))
    # The byline needs the writers (can.see_author) and the organisation: loaded up front.
    found_practices = list(db.session.scalars(
        practices.options(selectinload(Practice.organisation), selectinload(Practice.co_authors))
        .order_by(Practice.created_at.desc(), Practice.id.desc()).limit(newest)))
    found_sets = list(db.session.scalars(
        clause_sets.options(selectinload(ClauseSet.lead_organisation))
        .order_by(ClauseSet.updated_at.desc(), ClauseSet.id.desc()).limit(newest)))
    related = Related(Found(totals[0], found_questions), Found(totals[1], found_practices),
                      Found(totals[2], found_sets),
                      Found(totals[3], _frontrunners(live_topics, newest)))
    if with_networks:
        related.networks = Found(totals[4], list(db.session.scalars(
            network_query.order_by(Network.name, Network.id).limit(newest)))) \
            if network_query is not None else Found()
    return related


def _count(query):
    return select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()


def _frontrunners(live_topics, newest: int) -> list[Frontrunner]:
    """The organisations whose newest topic on the subject is newest, with those topics."""
    latest = func.max(FrontrunnerTopic.created_at)
    organisation_ids = [row[0] for row in db.session.execute(
        select(FrontrunnerTopic.organisation_id, latest).where(*live_topics)
        .group_by(FrontrunnerTopic.organisation_id)
        .order_by(latest.desc(), FrontrunnerTopic.organisation_id).limit(newest))]
    if not organisation_ids:
        return []
    topics = list(db.session.scalars(
        select(FrontrunnerTopic)
        .where(*live_topics, FrontrunnerTopic.organisation_id.in_(organisation_ids))
        .options(selectinload(FrontrunnerTopic.organisation),
                 selectinload(FrontrunnerTopic.law),
                 selectinload(FrontrunnerTopic.obligation).selectinload(Obligation.law))
        .order_by(FrontrunnerTopic.created_at.desc(), FrontrunnerTopic.id.desc())))
    by_organisation: dict[int, list[FrontrunnerTopic]] = {}
    for topic in topics:
        by_organisation.setdefault(topic.organisation_id, []).append(topic)
    return [Frontrunner(by_organisation[i][0].organisation, by_organisation[i])
            for i in organisation_ids if i in by_organisation]


# --- laws about laws: proposals and what they would change --------------------------------------

@dataclass
class LawLinks:
    """For a proposal: the laws it would amend, repeal or relates to. For an adopted law: the
    proposals that would amend or repeal it, or name it as related."""

    amends: list[Law] = field(default_factory=list)
    repeals: list[Law] = field(default_factory=list)
    related: list[Law] = field(default_factory=list)
    amended_by: list[Law] = field(default_factory=list)
    repealed_by: list[Law] = field(default_factory=list)
    related_by: list[Law] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.amends, self.repeals, self.related, self.amended_by, self.repealed_by,
                    self.related_by))


def law_links(law: Law) -> LawLinks:
    """Two queries whatever the number of laws: the laws this one names, and the proposals
    (few) that might name it."""
    named = {*law.amends, *law.repeals, *law.related}
    by_slug = {other.slug: other for other in db.session.scalars(
        select(Law).where(Law.slug.in_(named)))} if named else {}
    links = LawLinks(
        amends=[by_slug[s] for s in law.amends if s in by_slug],
        repeals=[by_slug[s] for s in law.repeals if s in by_slug],
        related=[by_slug[s] for s in law.related if s in by_slug])
    proposals = db.session.scalars(
        select(Law).where(Law.stage.in_(PIPELINE_STAGES), Law.id != law.id)
        .order_by(Law.short_name_nl))
    for proposal in proposals:
        if law.slug in proposal.amends:
            links.amended_by.append(proposal)
        if law.slug in proposal.repeals:
            links.repealed_by.append(proposal)
        if law.slug in proposal.related and proposal not in (*links.amends, *links.repeals,
                                                            *links.related):
            links.related_by.append(proposal)
    return links
