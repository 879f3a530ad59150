"""The notifier: the consumer of domain events that tells followers what happened.

For each event it works out the thread (what the inbox groups under and what permissions are
checked on: a question, practice, clause set, law, obligation or network), the followers to
tell (of the thread, and for new content of the themes, laws and organisation it is tagged
with), and writes one `Notification` per follower, never to the one who did it. Whether a
follower may see the content is checked now, as they are now: a member who moved
organisation, or whose content was made private, is not told.

Idempotent: (user, event) is unique and rows are inserted only when absent, so an event
delivered twice notifies once. Mail for members who want it immediately is queued in the same
transaction (mailer.mail_immediately); digests and sending are the periodic task (mailer.run).

Anonymity: an event on a practice never stores who did it, so no text can name them; new
anonymous practices are not announced to followers of their organisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import events
from ..accounts.models import User
from ..clauses.models import Clause, Release, Suggestion
from ..content.models import Comment
from ..dbtypes import insert_if_absent
from ..directory.models import Network
from ..extensions import db
from ..laws.models import Law, Obligation
from ..permissions import can_view_post
from ..practices.models import Practice
from ..questions.models import Answer, Question
from . import services
from .models import Follow, Notification

CONSUMER = "notifier"

HANDLED = frozenset({
    "answer.posted", "answer.accepted", "comment.posted", "practice.followed_up",
    "suggestion.made", "suggestion.decided", "release.made", "clause_set.status_changed",
    "law.changed", "obligation.changed", "network.changed", "question.asked",
    "practice.published", "input_moment.opened", "input_moment.closing",
})


def consumer(config=None) -> events.Consumer:
    """The notifier, as registered at app start (create_app); its periodic task announces
    input moments, sends the digests that are due and the mail that waits."""
    from . import mailer

    period = float((config or {}).get("KDE_MAIL_PERIOD") or mailer.PERIOD_SECONDS)
    return events.Consumer(name=CONSUMER, events=HANDLED, handle=handle,
                           periodic=mailer.run, period=period)


@dataclass
class Plan:
    """Who to tell about one event, and what the notification points at."""

    kind: str
    thread_type: str
    thread_id: int
    target_type: str
    target_id: int
    url: str
    # (target type, ids) whose followers are told
    audiences: list[tuple[str, list[int]]]
    # Everything the recipient must be allowed to see: (target type or "answer"/"comment", obj)
    checks: list[tuple[str, object]]
    name_actor: bool = False


def handle(batch: list[events.Event]) -> None:
    """Notify for a batch; never commits (the worker commits with the deliveries' delete)."""
    from .mailer import mail_immediately

    for event in batch:
        plan = plan_for(event)
        if plan is None:
            continue
        notify(event, plan)
        if event.name == "comment.posted" and event.actor_id is not None:
            # Whoever takes part in a thread hears of what follows (the shared comments
            # know no thread, so the notifier, which does, makes them follow it).
            insert_if_absent(db.session, Follow, user_id=event.actor_id,
                             target_type=plan.thread_type, target_id=plan.thread_id,
                             created_at=event.created_at)
    mail_immediately([event.id for event in batch])


def notify(event: events.Event, plan: Plan) -> int:
    """Insert the notifications of one event that do not exist yet; returns how many."""
    user_ids: set[int] = set()
    for target_type, ids in plan.audiences:
        for followers in services.followers(target_type, ids).values():
            user_ids |= followers
    user_ids.discard(event.actor_id)
    if not user_ids:
        return 0
    made = 0
    for user in db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)):
        if not all(_may_see(user, kind, obj) for kind, obj in plan.checks):
            continue
        made += insert_if_absent(
            db.session, Notification, user_id=user.id, event_id=event.id, kind=plan.kind,
            target_type=plan.target_type, target_id=plan.target_id,
            thread_type=plan.thread_type, thread_id=plan.thread_id, url=plan.url,
            actor_id=event.actor_id if plan.name_actor else None, created_at=event.created_at)
    return made


def _may_see(user: User, kind: str, obj) -> bool:
    if kind in ("answer", "comment_on_question"):
        return can_view_post(user, obj)
    if kind == "comment":
        return obj.hidden_at is None and obj.deleted_at is None
    return services.can_view_target(user, kind, obj)


def _tags(obj) -> list[tuple[str, list[int]]]:
    return [("theme", [t.id for t in obj.themes]), ("law", [law.id for law in obj.laws])]


def plan_for(event: events.Event) -> Plan | None:
    """What to tell about `event` as things are now; None when there is nothing (the content
    is gone, or the change is not one followers hear about)."""
    payload = event.payload or {}
    name, subject = event.name, event.subject_id
    get = db.session.get
    if name in ("answer.posted", "answer.accepted"):
        answer = get(Answer, subject)
        if answer is None:
            return None
        question = answer.question
        return Plan(name, "question", question.id, "answer", answer.id,
                    services.path_for("questions.detail", question_id=question.id,
                                      _anchor=f"antwoord-{answer.id}"),
                    [("question", [question.id])],
                    [("question", question), ("answer", answer)], name_actor=True)
    if name == "question.asked":
        question = get(Question, subject)
        if question is None:
            return None
        return Plan(name, "question", question.id, "question", question.id,
                    services.path_for("questions.detail", question_id=question.id),
                    [*_tags(question), ("organisation", [question.organisation_id])],
                    [("question", question)])
    if name == "practice.published":
        practice = get(Practice, subject)
        if practice is None:
            return None
        audiences = _tags(practice)
        if not practice.anonymous:
            audiences.append(("organisation", [practice.organisation_id]))
        return Plan(name, "practice", practice.id, "practice", practice.id,
                    services.path_for("practices.detail", practice_id=practice.id),
                    audiences, [("practice", practice)])
    if name == "practice.followed_up":
        practice = get(Practice, subject)
        if practice is None:
            return None
        return Plan(name, "practice", practice.id, "practice", practice.id,
                    services.path_for("practices.detail", practice_id=practice.id,
                                      _anchor="vervolg"),
                    [("practice", [practice.id])], [("practice", practice)])
    if name == "comment.posted":
        return _comment_plan(event)
    if name in ("suggestion.made", "suggestion.decided", "release.made",
                "clause_set.status_changed"):
        return _clause_plan(event)
    if name == "law.changed":
        fields = set(payload.get("fields") or [])
        if "created" not in fields and not payload.get("timeline"):
            return None
        law = get(Law, subject)
        if law is None:
            return None
        return Plan("law.created" if "created" in fields else name, "law", law.id, "law", law.id,
                    services.path_for("laws.detail", slug=law.slug),
                    [("law", [law.id]), ("theme", [t.id for t in law.themes])], [])
    if name in ("input_moment.opened", "input_moment.closing"):
        law = get(Law, subject)
        if law is None:
            return None
        return Plan(name, "law", law.id, "law", law.id,
                    services.path_for("laws.detail", slug=law.slug, _anchor="tijdlijn"),
                    [("law", [law.id]), ("theme", [t.id for t in law.themes])], [])
    if name == "obligation.changed":
        obligation = get(Obligation, subject)
        if obligation is None or "created" in (payload.get("fields") or []):
            return None
        return Plan(name, "obligation", obligation.id, "obligation", obligation.id,
                    services.path_for("laws.obligation", slug=obligation.law.slug,
                                      key=obligation.key),
                    [("obligation", [obligation.id])], [])
    if name == "network.changed":
        network = get(Network, subject)
        if network is None or "created" in (payload.get("fields") or []):
            return None
        return Plan(name, "network", network.id, "network", network.id,
                    services.path_for("directory.network", slug=network.slug),
                    [("network", [network.id])], [("network", network)])
    return None


def _comment_plan(event: events.Event) -> Plan | None:
    comment = db.session.get(Comment, event.subject_id)
    if comment is None:
        return None
    kind, target_id = comment.target_type, comment.target_id
    anchor = f"reactie-{comment.id}"
    if kind in ("question", "answer"):
        post = db.session.get(Question if kind == "question" else Answer, target_id)
        if post is None:
            return None
        question = post if kind == "question" else post.question
        return Plan(event.name, "question", question.id, "comment", comment.id,
                    services.path_for("questions.detail", question_id=question.id,
                                      _anchor=anchor),
                    [("question", [question.id])],
                    [("question", question), ("answer", post), ("comment", comment)],
                    name_actor=True)
    if kind == "practice":
        practice = db.session.get(Practice, target_id)
        if practice is None:
            return None
        return Plan(event.name, "practice", practice.id, "comment", comment.id,
                    services.path_for("practices.detail", practice_id=practice.id,
                                      _anchor=anchor),
                    [("practice", [practice.id])], [("practice", practice), ("comment", comment)])
    if kind in ("clause", "suggestion"):
        item = db.session.get(Clause if kind == "clause" else Suggestion, target_id)
        if item is None:
            return None
        url = services.path_for("clauses.clause", set_id=item.set_id, clause_id=item.id,
                                _anchor=anchor) if kind == "clause" else services.path_for(
            "clauses.suggestion", set_id=item.set_id, suggestion_id=item.id, _anchor=anchor)
        return Plan(event.name, "clause_set", item.set_id, "comment", comment.id, url,
                    [("clause_set", [item.set_id])],
                    [("clause_set", item.clause_set), ("comment", comment)], name_actor=True)
    return None


def _clause_plan(event: events.Event) -> Plan | None:
    set_id = (event.payload or {}).get("set_id") or event.subject_id
    clause_set = services.load_targets("clause_set", [set_id]).get(set_id)
    if clause_set is None:
        return None
    target_type, target_id = event.subject_type, event.subject_id
    if target_type == "suggestion":
        url = services.path_for("clauses.suggestion", set_id=set_id, suggestion_id=target_id)
    elif target_type == "release" and db.session.get(Release, target_id) is not None:
        url = services.path_for("clauses.release", set_id=set_id, release_id=target_id)
    else:
        url = services.path_for("clauses.detail", set_id=set_id)
    return Plan(event.name, "clause_set", set_id, target_type, target_id, url,
                [("clause_set", [set_id])], [("clause_set", clause_set)],
                name_actor=event.name == "suggestion.made")
