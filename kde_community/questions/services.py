"""Asking, answering, accepting, voting, following and moderating questions.

Every function takes the acting user; views, API, CLI and demo data share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from .. import events
from ..accounts.models import User
from ..content import services as content
from ..dbtypes import as_int, utcnow
from ..directory.models import Organisation
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Law, Obligation, Theme
from ..notifications import services as follows
from ..pagination import Page, paginate
from ..permissions import (
    can_accept_answer,
    can_contribute,
    can_edit_post,
    can_moderate,
    can_pick_praktijkvraag,
    can_view_post,
    visible_audience_clause,
)
from .models import (
    ANSWER_MAX,
    BODY_MAX,
    CLOSE_REASONS,
    QUESTION_VISIBILITIES,
    TITLE_MAX,
    TITLE_MIN,
    Answer,
    PraktijkvraagPick,
    Question,
)

SORTS = ("nieuw", "actief", "nuttig", "onbeantwoord")


# --- loading with permission checks ---------------------------------------------------------

def get_visible_question_or_404(question_id: int, viewer: User | None) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not can_view_post(viewer, question):
        raise NotFound()
    return question


def get_visible_answer_or_404(answer_id: int, viewer: User | None) -> Answer:
    answer = db.session.get(Answer, answer_id)
    if answer is None or not can_view_post(viewer, answer):
        raise NotFound()
    return answer


def visible_questions(viewer: User | None) -> Select:
    return select(Question).where(visible_audience_clause(viewer, Question))


# --- asking and editing ---------------------------------------------------------------------

def _question_fields(data: dict, *, partial_of: Question | None = None) -> dict:
    """Validated question fields; with `partial_of`, missing keys keep their current value."""
    errors: dict[str, str] = {}
    current = partial_of
    out: dict = {}

    def take(key, default):
        return data.get(key, default)

    try:
        out["title"] = content.clean_text(
            take("title", current.title if current else ""), "title",
            maximum=TITLE_MAX, minimum=TITLE_MIN, single_line=True)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        out["body"] = content.clean_text(take("body", current.body if current else ""), "body",
                                         maximum=BODY_MAX)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        out["visibility"] = content.choice(
            take("visibility", current.visibility if current else "public"), QUESTION_VISIBILITIES,
            "visibility", _("Kies openbaar of alleen voor leden."))
    except ValidationError as exc:
        errors.update(exc.fields)
    tag_data = {
        "themes": take("themes", [t.slug for t in current.themes] if current else []),
        "laws": take("laws", [law.slug for law in current.laws] if current else []),
        "obligations": take("obligations", [o.id for o in current.obligations] if current else []),
    }
    try:
        out["themes"], out["laws"], out["obligations"] = content.resolve_tags(tag_data)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    return out


def _snapshot(question: Question) -> dict:
    return content.snapshot_values({name: getattr(question, name) for name in (
        "title", "body", "visibility", "themes", "laws", "obligations")})



def ask_question(actor: User, data: dict) -> Question:
    if not can_contribute(actor):
        raise Forbidden()
    fields = _question_fields(data)
    now = utcnow()
    question = Question(author_id=actor.id, organisation_id=actor.organisation_id,
                        created_at=now, updated_at=now, last_activity_at=now, revision=1,
                        **fields)
    db.session.add(question)
    db.session.flush()
    content.record_revision(question, actor, _snapshot(question))
    follows.follow(actor, "question", question.id, quiet=True)
    events.record("question.asked", "question", question.id, actor=actor)
    return question


def edit_question(actor: User, question: Question, data: dict, *,
                  base_revision: int | None = None) -> bool:
    """Apply an edit made on `base_revision` (default: the current one); False when nothing
    changed. A stale base raises StaleEdit: never a silent overwrite."""
    if not can_edit_post(actor, question):
        raise Forbidden()
    content.check_base(question, base_revision)
    fields = _question_fields(data, partial_of=question)
    before = _snapshot(question)
    changes = {k: v for k, v in fields.items() if getattr(question, k) != v}
    after = {**before, **content.snapshot_values(changes)}
    if after == before:
        return False
    content.bump_revision(question, base_revision)
    for key, value in changes.items():
        setattr(question, key, value)
    question.last_activity_at = utcnow()
    content.record_revision(question, actor, _snapshot(question))
    events.record("question.edited", "question", question.id, actor=actor,
                  fields=sorted(k for k in after if after[k] != before[k]))
    return True


# --- answering ------------------------------------------------------------------------------

def answer_question(actor: User, question: Question, data: dict) -> Answer:
    if not can_contribute(actor) or not can_view_post(actor, question):
        raise Forbidden()
    if question.is_closed:
        raise ValidationError({"body": _("Deze vraag is gesloten; er kunnen geen antwoorden "
                                         "meer bij.")})
    body = content.clean_text(data.get("body"), "body", maximum=ANSWER_MAX)
    # Resolved before the answer exists: its query would flush a half-made answer.
    laws = content.resolve_tags({"laws": data["laws"]})[1] if "laws" in data else []
    now = utcnow()
    answer = Answer(question=question, body=body, author_id=actor.id,
                    organisation_id=actor.organisation_id, created_at=now, updated_at=now,
                    written_at=now, revision=1, laws=laws)
    db.session.add(answer)
    db.session.flush()
    question.answer_count = _live_answer_count(question)
    question.last_activity_at = now
    content.record_revision(answer, actor, {"body": body})
    follows.follow(actor, "question", question.id, quiet=True)  # to hear of replies
    events.record("answer.posted", "answer", answer.id, actor=actor, question_id=question.id)
    return answer


def _live_answer_count(question: Question) -> int:
    return db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.question_id == question.id, Answer.hidden_at.is_(None),
        Answer.deleted_at.is_(None))) or 0


def edit_answer(actor: User, answer: Answer, data: dict, *,
                base_revision: int | None = None) -> bool:
    if not can_edit_post(actor, answer):
        raise Forbidden()
    content.check_base(answer, base_revision)
    body = content.clean_text(data.get("body", answer.body), "body", maximum=ANSWER_MAX)
    if body == answer.body:
        return False
    content.bump_revision(answer, base_revision)
    answer.body = body
    answer.written_at = utcnow()
    answer.question.last_activity_at = answer.written_at
    content.record_revision(answer, actor, {"body": body})
    events.record("answer.edited", "answer", answer.id, actor=actor,
                  question_id=answer.question_id)
    return True


def accept_answer(actor: User, question: Question, answer: Answer) -> None:
    if not can_accept_answer(actor, question):
        raise Forbidden()
    if answer.question_id != question.id or answer.is_removed:
        raise ValidationError({"answer": _("Dit antwoord hoort niet bij deze vraag.")})
    if question.accepted_answer_id == answer.id:
        raise Conflict(_("Dit antwoord is al geaccepteerd."))
    question.accepted_answer_id = answer.id
    question.last_activity_at = utcnow()
    events.record("answer.accepted", "answer", answer.id, actor=actor, question_id=question.id)


def unaccept_answer(actor: User, question: Question) -> None:
    if not can_accept_answer(actor, question):
        raise Forbidden()
    if question.accepted_answer_id is None:
        raise Conflict(_("Er is geen geaccepteerd antwoord."))
    events.record("answer.unaccepted", "answer", question.accepted_answer_id, actor=actor,
                  question_id=question.id)
    question.accepted_answer_id = None


# --- votes, follows, comments, flags ---------------------------------------------------------

def vote(actor: User, post: Question | Answer) -> None:
    if not can_view_post(actor, post):
        raise NotFound()
    content.add_reaction(actor, post, "helpful")
    db.session.flush()
    post.score = content.reaction_count(post.content_type, post.id, "helpful")
    events.record("vote.cast", post.content_type, post.id, actor=actor)


def unvote(actor: User, post: Question | Answer) -> None:
    content.remove_reaction(actor, post, "helpful")
    db.session.flush()
    post.score = content.reaction_count(post.content_type, post.id, "helpful")
    events.record("vote.withdrawn", post.content_type, post.id, actor=actor)


def comment_on(actor: User, post: Question | Answer, body) -> None:
    if not can_view_post(actor, post):
        raise NotFound()
    if post.content_type == "question" and post.is_closed or (
            post.content_type == "answer" and post.question.is_closed):
        raise ValidationError({"comment": _("Deze vraag is gesloten.")})
    content.add_comment(actor, post, body)
    (post if post.content_type == "question" else post.question).last_activity_at = utcnow()


def flag_post(actor: User, post, reason: str, note: str = "") -> None:
    content.flag(actor, post, reason, note)


# --- moderation -----------------------------------------------------------------------------

def close_question(actor: User, question: Question, reason: str, note: str = "",
                   duplicate_of: int | str | None = None) -> None:
    if not can_moderate(actor):
        raise Forbidden()
    if question.is_closed:
        raise Conflict(_("Deze vraag is al gesloten."))
    if reason not in CLOSE_REASONS:
        raise ValidationError({"reason": _("Kies een reden om te sluiten.")})
    note = content.clean_text(note, "note", required=False, maximum=300)
    target = None
    if reason == "duplicate":
        target_id = as_int(duplicate_of, minimum=1)
        target = db.session.get(Question, target_id) if target_id else None
        if target is None or target.id == question.id or target.is_removed:
            raise ValidationError({"duplicate_of": _("Geef het nummer van de vraag waarvan "
                                                     "dit een dubbele is.")})
    question.closed_at = utcnow()
    question.close_reason = reason
    question.close_note = note
    question.duplicate_of_id = target.id if target else None
    content.log_action(actor, question, "close", f"{reason}: {note}".strip(": "))
    events.record("question.closed", "question", question.id, actor=actor, reason=reason)


def reopen_question(actor: User, question: Question) -> None:
    if not can_moderate(actor):
        raise Forbidden()
    if not question.is_closed:
        raise Conflict(_("Deze vraag is niet gesloten."))
    question.closed_at = None
    question.close_reason = ""
    question.close_note = ""
    question.duplicate_of_id = None
    content.log_action(actor, question, "reopen")
    events.record("question.reopened", "question", question.id, actor=actor)


def delete_own_post(actor: User, post) -> None:
    """Authors remove their own post softly; a moderator can bring it back."""
    if not can_edit_post(actor, post):
        raise Forbidden()
    if post.deleted_at is not None:
        raise Conflict(_("Dit is al verwijderd."))
    post.deleted_at = utcnow()
    content.log_action(actor, post, "delete")
    after_visibility_change(post)
    content.record_removal(actor, post, "content.deleted")


def after_visibility_change(post) -> None:
    if isinstance(post, Answer):
        db.session.flush()
        post.question.answer_count = _live_answer_count(post.question)
        if post.is_removed and post.question.accepted_answer_id == post.id:
            post.question.accepted_answer_id = None


def pick_praktijkvraag(actor: User, question: Question, note: str = "") -> PraktijkvraagPick:
    if not can_pick_praktijkvraag(actor):
        raise Forbidden()
    if question.visibility != "public" or question.is_removed:
        raise ValidationError({"question": _("Alleen een openbare vraag kan praktijkvraag van "
                                             "de week worden.")})
    note = content.clean_text(note, "note", required=False, maximum=1000)
    today = date.today()
    pick = PraktijkvraagPick(question_id=question.id, week_start=today - timedelta(today.weekday()),
                             note=note, picked_by_id=actor.id)
    db.session.add(pick)
    db.session.flush()
    events.record("praktijkvraag.picked", "question", question.id, actor=actor)
    return pick


def praktijkvragen(limit: int = 4) -> list[PraktijkvraagPick]:
    """The latest picks whose question is still public and shown, newest first."""
    return list(db.session.scalars(
        select(PraktijkvraagPick).join(Question)
        .where(Question.visibility == "public", Question.hidden_at.is_(None),
               Question.deleted_at.is_(None))
        .options(selectinload(PraktijkvraagPick.question).selectinload(Question.organisation))
        .order_by(PraktijkvraagPick.created_at.desc()).limit(limit)
    ))


# --- lists ----------------------------------------------------------------------------------

@dataclass
class QuestionFilters:
    sort: str = "nieuw"
    theme: str | None = None
    law: str | None = None
    obligation: int | None = None
    org_type: str | None = None

    @classmethod
    def from_args(cls, args) -> QuestionFilters:
        values, errors = content.common_filters(args, SORTS)
        if errors:
            raise ValidationError(errors)
        return cls(**values)


def list_questions(viewer: User | None, filters: QuestionFilters, page: int, per_page: int) -> Page:
    query = visible_questions(viewer).options(
        selectinload(Question.organisation), selectinload(Question.author),
        selectinload(Question.themes), selectinload(Question.laws),
        selectinload(Question.obligations).selectinload(Obligation.law))
    if filters.theme:
        query = query.where(Question.themes.any(Theme.slug == filters.theme))
    if filters.law:
        query = query.where(Question.laws.any(Law.slug == filters.law))
    if filters.obligation:
        query = query.where(Question.obligations.any(Obligation.id == filters.obligation))
    if filters.org_type:
        query = query.where(Question.organisation.has(Organisation.type == filters.org_type))
    if filters.sort == "actief":
        query = query.order_by(Question.last_activity_at.desc(), Question.id.desc())
    elif filters.sort == "nuttig":
        query = query.order_by(Question.score.desc(), Question.id.desc())
    elif filters.sort == "onbeantwoord":
        query = query.where(Question.answer_count == 0, Question.closed_at.is_(None)).order_by(
            Question.created_at.desc(), Question.id.desc())
    else:
        query = query.order_by(Question.created_at.desc(), Question.id.desc())
    return paginate(query, page, per_page)



# --- a thread -------------------------------------------------------------------------------

@dataclass
class Thread:
    question: Question
    answers: list[Answer]
    comments: dict[tuple[str, int], list]
    my_votes: set[tuple[str, int]]
    following: bool
    outdated: dict[int, list[Law]]
    revision_counts: dict[tuple[str, int], int]
    # The question this one duplicates, only when the viewer may see it.
    duplicate_of: Question | None = None


def load_thread(question: Question, viewer: User | None) -> Thread:
    """Everything a thread page shows, in a fixed number of queries whatever its size."""
    answers = list(db.session.scalars(
        select(Answer).where(Answer.question_id == question.id, Answer.deleted_at.is_(None))
        .options(selectinload(Answer.author), selectinload(Answer.organisation),
                 selectinload(Answer.laws))
        .order_by(Answer.id)
    ))
    moderator = can_moderate(viewer)
    viewer_id = viewer.id if viewer is not None and viewer.is_authenticated else None
    answers = [a for a in answers if a.hidden_at is None or moderator or a.author_id == viewer_id]
    answers.sort(key=lambda a: (a.id != question.accepted_answer_id, -a.score, a.id))
    answer_ids = [a.id for a in answers]
    comments: dict[tuple[str, int], list] = {}
    for key, items in content.comments_for("question", [question.id], include_hidden=moderator,
                                           viewer_id=viewer_id).items():
        comments[("question", key)] = items
    for key, items in content.comments_for("answer", answer_ids, include_hidden=moderator,
                                           viewer_id=viewer_id).items():
        comments[("answer", key)] = items
    my_votes = {("question", i) for i, _k in content.my_reactions(viewer, "question", [question.id])}
    my_votes |= {("answer", i) for i, _k in content.my_reactions(viewer, "answer", answer_ids)}
    question_laws = list(question.laws)
    outdated = {}
    for answer in answers:
        cited = {law.id: law for law in [*question_laws, *answer.laws]}
        changed = [law for law in cited.values() if law.changed_at and law.changed_at > answer.written_at]
        if changed:
            outdated[answer.id] = changed
    revision_counts = content.visible_revision_counts(viewer, [question, *answers])
    duplicate_of = question.duplicate_of if question.duplicate_of_id else None
    if duplicate_of is not None and not can_view_post(viewer, duplicate_of):
        duplicate_of = None
    return Thread(question, answers, comments, my_votes,
                  follows.is_following(viewer, "question", question.id), outdated, revision_counts,
                  duplicate_of)


def unanswered_count(viewer: User | None) -> int:
    return db.session.scalar(select(func.count()).select_from(
        visible_questions(viewer).where(and_(Question.answer_count == 0)).subquery())) or 0
