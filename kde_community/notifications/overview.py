""""My overview" (/mijn): what a member wrote, follows and is told about, and what colleagues
of their organisation wrote lately.

Every list is cut to a few items and counted in one statement, so the page costs the same
number of SQL statements whether a member wrote two things or two thousand. What is shown
passes the same permission checks as the pages it links to: the queries narrow by audience
first, then `permissions` decides for each row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..clauses.models import ClauseSet, ClauseSetParticipant
from ..directory.models import Organisation
from ..extensions import db
from ..permissions import (
    can_edit_clauses,
    can_view_clause_set,
    can_view_post,
    can_view_practice,
    can_view_profile,
    clause_role,
    visible_audience_clause,
)
from ..practices.models import Practice, practice_coauthors
from ..questions.models import Answer, Question
from .models import Follow, Notification
from .services import following, settings_for

SHOWN = 5


@dataclass
class Listing:
    """The first few items of a section and how many there are in all."""

    items: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> bool:
        return self.total > len(self.items)


@dataclass
class MyAnswer:
    answer: Answer
    question: Question


@dataclass
class MySet:
    """A clause set the member made or their organisation takes part in, with that role."""

    clause_set: ClauseSet
    role: str | None
    can_edit: bool


@dataclass
class Activity:
    """A question or practice a colleague wrote; `author` only when the viewer may see it."""

    kind: str  # "question" | "practice"
    item: Question | Practice
    created_at: datetime
    author: User | None = None


@dataclass
class Overview:
    organisation: Organisation
    questions: Listing
    answers: Listing
    practices: Listing
    clause_sets: Listing
    drafts: Listing
    following: Listing
    unread: int
    settings: dict[str, str]
    activity: list[Activity]


# --- what counts as "mine" -----------------------------------------------------------------------

def _my_questions(user: User):
    return (Question.author_id == user.id, Question.deleted_at.is_(None))


def _my_answers(user: User):
    alive = select(Question.id).where(Question.deleted_at.is_(None))
    return (Answer.author_id == user.id, Answer.deleted_at.is_(None),
            Answer.question_id.in_(alive))


def _co_written(user: User):
    return select(practice_coauthors.c.practice_id).where(practice_coauthors.c.user_id == user.id)


def _my_practices(user: User):
    """Written or co-written, anonymous ones included: they are the member's own."""
    return (or_(Practice.author_id == user.id, Practice.id.in_(_co_written(user))),
            Practice.deleted_at.is_(None))


def _my_sets(user: User):
    """Sets the member made, or that their organisation leads or takes part in."""
    taking_part = select(ClauseSetParticipant.set_id).where(
        ClauseSetParticipant.organisation_id == user.organisation_id)
    return (or_(ClauseSet.created_by_id == user.id,
                ClauseSet.lead_organisation_id == user.organisation_id,
                ClauseSet.id.in_(taking_part)),
            ClauseSet.deleted_at.is_(None))


def _my_drafts(user: User):
    """Sets in concept that the member's organisation writes (lead or editor)."""
    editing = select(ClauseSetParticipant.set_id).where(
        ClauseSetParticipant.organisation_id == user.organisation_id,
        ClauseSetParticipant.role == "editor")
    return (ClauseSet.status == "concept", ClauseSet.deleted_at.is_(None),
            or_(ClauseSet.lead_organisation_id == user.organisation_id,
                ClauseSet.id.in_(editing)))


def _count(model, where) -> object:
    return select(func.count(model.id)).where(*where).scalar_subquery()


def _totals(user: User) -> dict[str, int]:
    """Every section's total in one statement."""
    row = db.session.execute(select(
        _count(Question, _my_questions(user)).label("questions"),
        _count(Answer, _my_answers(user)).label("answers"),
        _count(Practice, _my_practices(user)).label("practices"),
        _count(ClauseSet, _my_sets(user)).label("clause_sets"),
        _count(ClauseSet, _my_drafts(user)).label("drafts"),
        _count(Follow, (Follow.user_id == user.id,)).label("following"),
        _count(Notification, (Notification.user_id == user.id,
                              Notification.read_at.is_(None))).label("unread"),
    )).one()
    return {key: value or 0 for key, value in row._mapping.items()}


# --- the sections ------------------------------------------------------------------------------

def _questions(user: User) -> list[Question]:
    rows = db.session.scalars(select(Question).where(*_my_questions(user))
                              .order_by(Question.created_at.desc(), Question.id.desc())
                              .limit(SHOWN))
    return [q for q in rows if can_view_post(user, q)]


def _answers(user: User) -> list[MyAnswer]:
    rows = db.session.scalars(select(Answer).where(*_my_answers(user))
                              .options(selectinload(Answer.question))
                              .order_by(Answer.created_at.desc(), Answer.id.desc())
                              .limit(SHOWN))
    return [MyAnswer(a, a.question) for a in rows if can_view_post(user, a)]


def _practices(user: User) -> list[Practice]:
    rows = db.session.scalars(select(Practice).where(*_my_practices(user))
                              .options(selectinload(Practice.co_authors))
                              .order_by(Practice.created_at.desc(), Practice.id.desc())
                              .limit(SHOWN))
    return [p for p in rows if can_view_practice(user, p)]


def _sets(user: User, where) -> list[MySet]:
    rows = db.session.scalars(select(ClauseSet).where(*where)
                              .options(selectinload(ClauseSet.participants))
                              .order_by(ClauseSet.updated_at.desc(), ClauseSet.id.desc())
                              .limit(SHOWN))
    return [MySet(s, clause_role(user, s), can_edit_clauses(user, s))
            for s in rows if can_view_clause_set(user, s)]


def _activity(user: User) -> list[Activity]:
    """What colleagues wrote lately, as far as the viewer may see it. Anonymous write-ups are
    left out even where the viewer may read them: listing them under the organisation would
    name it. Moderators see no hidden items here either."""
    questions = db.session.scalars(
        select(Question).where(Question.organisation_id == user.organisation_id,
                               Question.author_id != user.id,
                               visible_audience_clause(user, Question),
                               Question.hidden_at.is_(None), Question.deleted_at.is_(None))
        .options(selectinload(Question.author))
        .order_by(Question.created_at.desc(), Question.id.desc()).limit(SHOWN))
    practices = db.session.scalars(
        select(Practice).where(Practice.organisation_id == user.organisation_id,
                               Practice.anonymous.is_(False),
                               Practice.author_id != user.id,
                               Practice.id.not_in(_co_written(user)),
                               visible_audience_clause(user, Practice),
                               Practice.hidden_at.is_(None), Practice.deleted_at.is_(None))
        .options(selectinload(Practice.author), selectinload(Practice.co_authors))
        .order_by(Practice.created_at.desc(), Practice.id.desc()).limit(SHOWN))
    found = [Activity("question", q, q.created_at, q.author)
             for q in questions if can_view_post(user, q)]
    found += [Activity("practice", p, p.created_at, p.author)
              for p in practices if not p.anonymous and can_view_practice(user, p)]
    for item in found:
        if item.author is not None and not can_view_profile(user, item.author):
            item.author = None
    found.sort(key=lambda a: (a.created_at, a.kind == "question", a.item.id), reverse=True)
    return found[:SHOWN]


def overview(user: User) -> Overview:
    """Everything on "My overview", in a fixed number of statements."""
    totals = _totals(user)
    organisation = db.session.get(Organisation, user.organisation_id)
    return Overview(
        organisation=organisation,
        questions=Listing(_questions(user), totals["questions"]),
        answers=Listing(_answers(user), totals["answers"]),
        practices=Listing(_practices(user), totals["practices"]),
        clause_sets=Listing(_sets(user, _my_sets(user)), totals["clause_sets"]),
        drafts=Listing(_sets(user, _my_drafts(user)), totals["drafts"]),
        following=Listing(following(user, limit=SHOWN), totals["following"]),
        unread=totals["unread"],
        settings=settings_for(user),
        activity=_activity(user),
    )

