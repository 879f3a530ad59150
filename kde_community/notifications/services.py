"""Following, the inbox and notification settings.

What can be followed (FOLLOW_TARGETS) is described once in `TARGETS`: how to load many at
once, who may see one, its title and its page. Following, the "Volgend" page, the notifier
and the inbox all go through it, so nobody is told about, or shown the title of, something
they may not see now.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..clauses.models import ClauseSet
from ..dbtypes import as_int, insert_if_absent, utcnow
from ..directory.models import Network, Organisation
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Law, Obligation, Theme
from ..pagination import Page
from ..permissions import (
    can_contribute,
    can_review_network,
    can_view_clause_set,
    can_view_post,
    can_view_practice,
    can_view_profile,
)
from ..practices.models import Practice
from ..questions.models import Question
from .models import (
    FOLLOW_TARGETS,
    FREQUENCIES,
    GROUPS,
    Follow,
    Notification,
    NotificationSetting,
    default_frequency,
)

INBOX_PER_PAGE = 20


def _locale() -> str:
    return str(get_locale() or "nl")


def path_for(endpoint: str, **values) -> str:
    """The path of a page (no host): in a request, the CLI and the worker alike."""
    if has_request_context():
        return url_for(endpoint, _external=False, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, _external=False, **values)


def _network_visible(viewer, network) -> bool:
    return network.status == "active" or can_review_network(viewer)


@dataclass(frozen=True)
class Target:
    """One kind of thing that can be followed, and that notifications are grouped under."""

    model: type
    can_view: Callable[[User | None, object], bool]
    title: Callable[[object, str], str]
    url: Callable[[object], str]
    options: tuple = ()


TARGETS: dict[str, Target] = {
    "question": Target(Question, can_view_post, lambda q, _l: q.title,
                       lambda q: path_for("questions.detail", question_id=q.id)),
    "practice": Target(Practice, can_view_practice, lambda p, _l: p.title,
                       lambda p: path_for("practices.detail", practice_id=p.id),
                       (selectinload(Practice.co_authors),)),
    "clause_set": Target(ClauseSet, can_view_clause_set, lambda s, _l: s.title,
                         lambda s: path_for("clauses.detail", set_id=s.id),
                         (selectinload(ClauseSet.participants),)),
    "law": Target(Law, lambda _v, _o: True, lambda law, loc: law.short_name(loc),
                  lambda law: path_for("laws.detail", slug=law.slug)),
    "obligation": Target(Obligation, lambda _v, _o: True,
                         lambda o, loc: f"{o.law.short_name(loc)} {o.article}: {o.title_for(loc)}",
                         lambda o: path_for("laws.obligation", slug=o.law.slug, key=o.key),
                         (selectinload(Obligation.law),)),
    "theme": Target(Theme, lambda _v, _o: True, lambda t, loc: t.name(loc),
                    lambda t: path_for("laws.index", thema=t.slug)),
    "organisation": Target(Organisation, lambda _v, _o: True, lambda o, _l: o.name,
                           lambda o: path_for("directory.organisation", slug=o.slug)),
    "network": Target(Network, _network_visible, lambda n, _l: n.name,
                      lambda n: path_for("directory.network", slug=n.slug)),
}
assert set(TARGETS) == set(FOLLOW_TARGETS)  # noqa: S101 — a new target needs its description


def load_targets(target_type: str, ids: Iterable[int]) -> dict[int, object]:
    """id → object for many targets of one type, in one query (plus its eager loads)."""
    target = TARGETS[target_type]
    ids = sorted(set(ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(target.model).where(target.model.id.in_(ids))
                              .options(*target.options))
    return {row.id: row for row in rows}


def can_view_target(viewer: User | None, target_type: str, obj) -> bool:
    return obj is not None and TARGETS[target_type].can_view(viewer, obj)


def _visible_target_or_error(actor: User, target_type: str, target_id) -> object:
    if target_type not in TARGETS:
        reason = _("Dit kunt u niet volgen. Volgen kan bij een vraag, praktijk, "
                   "inkoopvoorwaardenset, wet, verplichting, thema, organisatie of netwerk.")
        raise ValidationError({"target_type": reason}, reason)
    number = as_int(target_id, minimum=1)
    obj = load_targets(target_type, [number]).get(number) if number is not None else None
    if not can_view_target(actor, target_type, obj):
        raise NotFound(_("Wat u wilt volgen bestaat niet (meer), of u heeft er geen toegang "
                         "toe."))
    return obj


# --- following ----------------------------------------------------------------------------------

def is_following(user: User | None, target_type: str, target_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Follow.id).where(
        Follow.user_id == user.id, Follow.target_type == target_type,
        Follow.target_id == target_id)) is not None


def follow(actor: User, target_type: str, target_id, *, quiet: bool = False) -> None:
    """Start following something the actor may see; `quiet` (authors following what they
    write) makes following twice a no-op instead of a conflict."""
    if not can_contribute(actor):
        raise Forbidden()
    obj = _visible_target_or_error(actor, target_type, target_id)
    added = insert_if_absent(db.session, Follow, user_id=actor.id, target_type=target_type,
                             target_id=obj.id, created_at=utcnow())
    if not added and not quiet:
        raise Conflict(_("U volgt dit al."))


def unfollow(actor: User, target_type: str, target_id) -> None:
    """Stop following; works for things the actor can no longer see too."""
    if not can_contribute(actor):
        raise Forbidden()
    number = as_int(target_id, minimum=1)
    row = db.session.scalar(select(Follow).where(
        Follow.user_id == actor.id, Follow.target_type == target_type,
        Follow.target_id == number)) if number is not None else None
    if row is None:
        raise Conflict(_("U volgt dit niet."))
    db.session.delete(row)


@dataclass
class Followed:
    """A line on the "Volgend" page; `title` and `url` are empty when the member may no
    longer see what they follow (it was made private, or they moved organisation)."""

    follow: Follow
    title: str = ""
    url: str = ""

    @property
    def visible(self) -> bool:
        return bool(self.url)


def following(user: User, limit: int | None = None) -> list[Followed]:
    """What the member follows (all, or the newest `limit`), newest first: one query, plus
    one per kind."""
    follows = list(db.session.scalars(select(Follow).where(Follow.user_id == user.id)
                                      .order_by(Follow.created_at.desc(), Follow.id.desc())
                                      .limit(limit)))
    loaded = _load_grouped((f.target_type, f.target_id) for f in follows)
    locale = _locale()
    out = []
    for item in follows:
        obj = loaded.get((item.target_type, item.target_id))
        if item.target_type in TARGETS and can_view_target(user, item.target_type, obj):
            target = TARGETS[item.target_type]
            out.append(Followed(item, target.title(obj, locale), target.url(obj)))
        else:
            out.append(Followed(item))
    return out


def followers(target_type: str, ids: Iterable[int]) -> dict[int, set[int]]:
    """user ids following each of the given targets, in one query."""
    ids = list(set(ids))
    if not ids:
        return {}
    found: dict[int, set[int]] = {}
    for user_id, target_id in db.session.execute(
            select(Follow.user_id, Follow.target_id).where(
                Follow.target_type == target_type, Follow.target_id.in_(ids))):
        found.setdefault(target_id, set()).add(user_id)
    return found


def _load_grouped(keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], object]:
    wanted: dict[str, set[int]] = {}
    for kind, ident in keys:
        if kind in TARGETS:
            wanted.setdefault(kind, set()).add(ident)
    return {(kind, ident): obj for kind, ids in sorted(wanted.items())
            for ident, obj in load_targets(kind, ids).items()}


# --- the inbox ----------------------------------------------------------------------------------

def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def describe(notification: Notification, actor_name: str | None) -> str:
    """What happened, in the reader's language. Names someone only when the notifier allowed
    it (`actor_id` is never stored for practices, whose writers may be anonymous)."""
    kind = notification.kind
    if kind == "answer.posted":
        return _("%(name)s gaf een antwoord", name=actor_name) if actor_name \
            else _("Nieuw antwoord")
    if kind == "answer.accepted":
        return _("Een antwoord is geaccepteerd")
    if kind == "comment.posted":
        return _("%(name)s reageerde", name=actor_name) if actor_name else _("Nieuwe reactie")
    if kind == "practice.followed_up":
        return _("Nieuw vervolg: hoe staat het er nu voor?")
    if kind == "suggestion.made":
        return _("%(name)s deed een wijzigingsvoorstel", name=actor_name) if actor_name \
            else _("Nieuw wijzigingsvoorstel")
    if kind == "suggestion.decided":
        return _("Over een wijzigingsvoorstel is besloten")
    if kind == "release.made":
        return _("Nieuwe versie uitgebracht")
    if kind == "clause_set.status_changed":
        return _("De status is gewijzigd")
    if kind == "law.created":
        return _("Nieuw: een wet of voorstel")
    if kind == "law.changed":
        return _("Fase, datums of inspraakmomenten gewijzigd")
    if kind == "obligation.changed":
        return _("De verplichting is gewijzigd")
    if kind == "input_moment.opened":
        return _("U kunt nu inspreken: een inspraakmoment is geopend")
    if kind == "input_moment.closing":
        return _("Nog een week: een inspraakmoment sluit binnenkort")
    if kind == "network.changed":
        return _("Het netwerk is gewijzigd")
    if kind == "question.asked":
        return _("Nieuwe vraag over iets dat u volgt")
    if kind == "practice.published":
        return _("Nieuwe praktijk over iets dat u volgt")
    return _("Nieuwe activiteit")


@dataclass
class InboxItem:
    notification: Notification
    text: str
    url: str

    @property
    def unread(self) -> bool:
        return self.notification.read_at is None


@dataclass
class Thread:
    """Notifications of one page about one thing; `title` and `url` are empty when the
    member may no longer see it (then the items carry no link either)."""

    thread_type: str
    thread_id: int
    title: str
    url: str
    items: list[InboxItem] = field(default_factory=list)
    latest: datetime | None = None

    @property
    def visible(self) -> bool:
        return bool(self.url)

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item.unread)


@dataclass
class Inbox:
    page: Page
    threads: list[Thread]
    unread: int


def inbox(user: User, page: int = 1, per_page: int = INBOX_PER_PAGE) -> Inbox:
    """A page of the member's notifications, grouped per thread, newest first. The number of
    queries does not grow with the page: the page and counts, then one query per kind of
    thread and one for the people named."""
    base = select(Notification).where(Notification.user_id == user.id)
    total, unread = db.session.execute(
        select(func.count(Notification.id),
               func.count(Notification.id).filter(Notification.read_at.is_(None)))
        .where(Notification.user_id == user.id)).one()
    rows = list(db.session.scalars(
        base.order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)))
    return Inbox(Page(items=rows, total=total or 0, page=page, per_page=per_page),
                 threads_for(user, rows), unread or 0)


def threads_for(user: User, rows: list[Notification], locale: str | None = None) -> list[Thread]:
    """Notifications grouped per thread in the order given, each checked against what the
    member may see now (the inbox and mail alike): one query per kind of thread and one for
    the people named."""
    loaded = _load_grouped((n.thread_type, n.thread_id) for n in rows)
    actor_ids = {n.actor_id for n in rows if n.actor_id}
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(actor_ids)))} \
        if actor_ids else {}
    locale = locale or _locale()
    threads: dict[tuple[str, int], Thread] = {}
    for notification in rows:
        key = (notification.thread_type, notification.thread_id)
        thread = threads.get(key)
        if thread is None:
            obj = loaded.get(key)
            if notification.thread_type in TARGETS and can_view_target(user, key[0], obj):
                target = TARGETS[key[0]]
                thread = Thread(*key, target.title(obj, locale), target.url(obj),
                                latest=notification.created_at)
            else:
                thread = Thread(*key, "", "", latest=notification.created_at)
            threads[key] = thread
        actor = actors.get(notification.actor_id)
        name = actor.name if actor is not None and can_view_profile(user, actor) else None
        thread.items.append(InboxItem(notification, describe(notification, name),
                                      notification.url if thread.visible else ""))
    return list(threads.values())


def mark_read(user: User, notification_id) -> None:
    """Mark one of the member's own notifications read (someone else's is "not found")."""
    number = as_int(notification_id, minimum=1)
    notification = db.session.get(Notification, number) if number is not None else None
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("Deze melding bestaat niet (meer)."))
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the member read; returns how many."""
    result = db.session.execute(
        update(Notification).where(Notification.user_id == user.id,
                                   Notification.read_at.is_(None))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
    return result.rowcount or 0


# --- settings -----------------------------------------------------------------------------------

def settings_for(user: User) -> dict[str, str]:
    """group → frequency for every group, the defaults filled in (one query)."""
    chosen = dict(db.session.execute(
        select(NotificationSetting.kind_group, NotificationSetting.frequency)
        .where(NotificationSetting.user_id == user.id)).tuples().all())
    return {group: chosen.get(group, default_frequency(group)) for group in GROUPS}


MAIL_LANGUAGES = ("nl", "en")


def set_mail_language(actor: User, locale: str) -> None:
    """The language of the mails the platform sends the member on its own."""
    if not can_contribute(actor):
        raise Forbidden()
    if locale not in MAIL_LANGUAGES:
        reason = _("Kies Nederlands of Engels.")
        raise ValidationError({"locale": reason}, reason)
    actor.locale = locale


def set_frequency(actor: User, group: str, frequency: str) -> None:
    if not can_contribute(actor):
        raise Forbidden()
    errors = {}
    if group not in GROUPS:
        errors["group"] = _("Deze soort meldingen bestaat niet.")
    if frequency not in FREQUENCIES:
        errors["frequency"] = _("Kies direct, dagelijks, wekelijks of nooit.")
    if errors:
        raise ValidationError(errors, " ".join(errors.values()))
    row = db.session.scalar(select(NotificationSetting).where(
        NotificationSetting.user_id == actor.id, NotificationSetting.kind_group == group))
    if row is None:
        db.session.add(NotificationSetting(user_id=actor.id, kind_group=group,
                                           frequency=frequency, updated_at=utcnow()))
    else:
        row.frequency, row.updated_at = frequency, utcnow()
