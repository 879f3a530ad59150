"""Mail about notifications: at once, or in a daily or weekly digest; one-click unsubscribe.

Each notification is considered for mail once (`Notification.mailed_at`): the notifier queues
the ones a member wants immediately in the same transaction that makes them; the periodic task
(`run`, in the worker, and `flask notifications send-digests`) gathers the rest into digests.
A digest is one mail per member and period, claimed by its outbox key
(`digest:daily:2026-12-02:<user>`), so two runs, or two hosts at once, send it once; mail that
arrives later in the period waits for the next one. What a member may no longer see is left
out, as in the inbox (services.threads_for), and a member who cannot log in gets no mail.

Digests go out from DIGEST_HOUR Dutch time: daily each day, weekly from Monday. Every mail
carries a signed link (no session needed, no expiry) that stops the kinds it is about, also
as a one-click POST (RFC 8058 List-Unsubscribe / List-Unsubscribe-Post).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from .. import events, outbox
from ..accounts.models import User
from ..dbtypes import insert_if_absent, utcnow
from ..extensions import db
from ..laws.models import InputMoment
from ..links import absolute_url, base_url
from ..mail import compose
from . import services
from .models import (
    GROUPS,
    AlertClaim,
    Notification,
    NotificationSetting,
    default_frequency,
    group_of,
)

PERIOD_SECONDS = 15
DIGEST_HOUR = 7
LOCAL = ZoneInfo("Europe/Amsterdam")
DIGESTS = ("daily", "weekly")
REMINDER_DAYS = 7  # an input moment's reminder, this many days before it closes
ANNOUNCE_OPENED_DAYS = 3  # an input moment found open later than this is not "just opened"


# --- settings of many members at once -------------------------------------------------------------

def frequencies(user_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """user → group → frequency, the defaults filled in, in one query."""
    ids = set(user_ids)
    chosen: dict[int, dict[str, str]] = {uid: {} for uid in ids}
    if ids:
        for uid, group, frequency in db.session.execute(
                select(NotificationSetting.user_id, NotificationSetting.kind_group,
                       NotificationSetting.frequency)
                .where(NotificationSetting.user_id.in_(ids))):
            chosen[uid][group] = frequency
    return {uid: {g: c.get(g, default_frequency(g)) for g in GROUPS} for uid, c in chosen.items()}


# --- unsubscribe ----------------------------------------------------------------------------------

def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="kde-unsubscribe")


def unsubscribe_token(user_id: int, groups: Iterable[str]) -> str:
    return _signer().dumps({"u": user_id, "g": sorted(set(groups))})


def read_unsubscribe_token(token: str) -> tuple[User, list[str]] | None:
    """The member and groups a link stops; None when it was tampered with or is unknown."""
    try:
        data = _signer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, groups = data.get("u"), data.get("g")
    if not isinstance(user_id, int) or not isinstance(groups, list) or not groups \
            or any(group not in GROUPS for group in groups):
        return None
    user = db.session.get(User, user_id)
    return (user, groups) if user is not None else None


def unsubscribe(user: User, groups: Iterable[str]) -> None:
    """No more mail about these groups (the inbox keeps them); idempotent."""
    for group in groups:
        if not insert_if_absent(db.session, NotificationSetting, user_id=user.id,
                                kind_group=group, frequency="never", updated_at=utcnow()):
            db.session.execute(update(NotificationSetting).where(
                NotificationSetting.user_id == user.id, NotificationSetting.kind_group == group)
                .values(frequency="never", updated_at=utcnow()))


# --- composing ------------------------------------------------------------------------------------

@contextmanager
def _as_reader(user: User):
    """Links from KDE_BASE_URL, texts in the member's language."""
    with current_app.test_request_context("/", base_url=base_url()), \
            force_locale(user.locale if user.locale in ("nl", "en") else "nl"):
        yield


def _when(moment: datetime, locale: str) -> str:
    return format_datetime(moment, "d MMMM y HH:mm", tzinfo=LOCAL, locale=locale)


def _link(path: str, locale: str) -> str:
    """An absolute link to a page, in the reader's language (Dutch needs no parameter)."""
    if locale == "nl":
        return base_url() + path
    page, _hash, anchor = path.partition("#")
    page += ("&" if "?" in page else "?") + f"lang={locale}"
    return base_url() + page + (f"#{anchor}" if anchor else "")


def _compose(user: User, threads: list[services.Thread], groups: set[str], subject: str,
             intro: str):
    """One mail listing `threads` (visible ones only), with the links to change or stop it."""
    locale = user.locale if user.locale in ("nl", "en") else "nl"
    lines = [_("Beste %(name)s,", name=user.name), "", intro, ""]
    for thread in threads:
        lines.append(thread.title)
        for item in thread.items:
            lines.append(f"- {item.text} ({_when(item.notification.created_at, locale)})")
            lines.append(f"  {_link(item.url, locale)}")
        lines.append("")
    lang = {"lang": locale} if locale != "nl" else {}
    unsubscribe_url = absolute_url("notification_mail.unsubscribe",
                                   token=unsubscribe_token(user.id, groups), **lang)
    lines += [
        "-- ",
        _("Al uw meldingen: %(url)s", url=absolute_url("notifications.inbox", **lang)),
        _("Kiezen hoe vaak u e-mail krijgt: %(url)s",
          url=absolute_url("notifications.settings", **lang)),
        _("Geen e-mail meer over deze soort meldingen: %(url)s", url=unsubscribe_url),
    ]
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>",
               "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
               "Auto-Submitted": "auto-generated"}
    return compose(user.email, subject, "\n".join(lines), headers=headers)


def _mailable(user: User | None) -> bool:
    return user is not None and user.can_log_in


# --- immediately ----------------------------------------------------------------------------------

def mail_immediately(event_ids: list[int]) -> int:
    """Queue one mail per new notification of these events for members who want it at once;
    notifications nobody will ever mail ("never") are marked so digests pass them by. Part of
    the notifier's transaction. Returns how many mails were queued."""
    if not event_ids:
        return 0
    rows = list(db.session.scalars(select(Notification).where(
        Notification.event_id.in_(event_ids), Notification.mailed_at.is_(None))
        .order_by(Notification.id)))
    if not rows:
        return 0
    settings = frequencies(n.user_id for n in rows)
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(settings)))}
    queued = 0
    now = utcnow()
    for notification in rows:
        frequency = settings[notification.user_id][notification.group]
        if frequency in DIGESTS:
            continue
        notification.mailed_at = now
        user = users.get(notification.user_id)
        if frequency != "immediately" or not _mailable(user):
            continue
        with _as_reader(user):
            threads = [t for t in services.threads_for(user, [notification]) if t.visible]
            if not threads:
                continue
            thread = threads[0]
            msg = _compose(user, threads, {notification.group},
                           f"{thread.items[0].text}: {thread.title}",
                           _("Er is iets nieuws bij wat u volgt op KDE Community:"))
        queued += outbox.queue(msg, key=f"notification:{notification.id}", kind="immediately",
                               user_id=user.id)
    return queued


# --- digests --------------------------------------------------------------------------------------

def period_of(frequency: str, now: datetime) -> str | None:
    """The digest period `now` falls in, once its digest is due; None before that."""
    local = now.astimezone(LOCAL)
    if local.hour < DIGEST_HOUR and (frequency == "daily" or local.weekday() == 0):
        return None  # before this period's digest hour
    if frequency == "daily":
        return local.date().isoformat()
    year, week, _day = local.isocalendar()
    return f"{year}-W{week:02d}"


def send_digests(now: datetime | None = None) -> int:
    """Queue every digest that is due and not sent in its period yet; returns how many.
    Commits per member (so a failure for one does not undo the others)."""
    now = now or utcnow()
    made = 0
    for frequency in DIGESTS:
        period = period_of(frequency, now)
        if period is None:
            continue
        waiting = db.session.execute(select(Notification.user_id, Notification.kind).where(
            Notification.mailed_at.is_(None)).distinct()).all()
        settings = frequencies(uid for uid, _kind in waiting)
        user_ids = sorted({uid for uid, kind in waiting
                           if settings[uid][group_of(kind)] == frequency})
        db.session.rollback()
        for user_id in user_ids:
            made += _digest_with_retry(user_id, frequency, period, now)
    return made


def _digest_with_retry(user_id: int, frequency: str, period: str, now: datetime) -> int:
    for attempt in range(2):
        try:
            made = _digest(user_id, frequency, period, now)
            db.session.commit()
            return made
        except OperationalError:
            # SQLite: another process wrote since this transaction read (its snapshot is
            # stale); once more with a fresh one, which sees the other's digest key.
            db.session.rollback()
            if attempt:
                raise
    return 0


def _digest(user_id: int, frequency: str, period: str, now: datetime) -> int:
    user = db.session.get(User, user_id)
    settings = frequencies([user_id])[user_id]
    rows = [n for n in db.session.scalars(
        select(Notification).where(Notification.user_id == user_id,
                                   Notification.mailed_at.is_(None))
        .order_by(Notification.created_at, Notification.id))
        if settings[n.group] == frequency]
    if not rows:
        return 0
    msg = _digest_mail(user, rows, frequency) if _mailable(user) else None
    if msg is not None and not outbox.queue(msg, key=f"digest:{frequency}:{period}:{user_id}",
                                            kind=f"digest-{frequency}", user_id=user_id):
        db.session.rollback()  # this period's digest went already: these wait for the next
        return 0
    # Mailed now, or never to be (read in the inbox already, no longer visible, no access).
    db.session.execute(update(Notification).where(
        Notification.id.in_([n.id for n in rows]), Notification.mailed_at.is_(None))
        .values(mailed_at=now).execution_options(synchronize_session=False))
    return 1 if msg is not None else 0


def _digest_mail(user: User, rows: list[Notification], frequency: str):
    """The digest of `rows` for `user`; None when nothing in it is unread and visible."""
    unread = [n for n in rows if n.read_at is None]
    with _as_reader(user):
        threads = [t for t in services.threads_for(user, unread) if t.visible]
        if not threads:
            return None
        count = sum(len(t.items) for t in threads)
        subject = (ngettext("Dagelijks overzicht: %(num)d melding",
                            "Dagelijks overzicht: %(num)d meldingen", count)
                   if frequency == "daily" else
                   ngettext("Wekelijks overzicht: %(num)d melding",
                            "Wekelijks overzicht: %(num)d meldingen", count))
        return _compose(user, threads, {n.group for n in rows}, subject,
                        _("Dit is er sinds het vorige overzicht gebeurd bij wat u volgt:"))


# --- input moments --------------------------------------------------------------------------------

def announce_input_moments(today: date) -> int:
    """Record `input_moment.opened` for input moments that opened in the last few days and
    `input_moment.closing` a week before one closes, each once (AlertClaim), whichever worker
    sees it first. Returns how many events were recorded; commits."""
    recorded = 0
    moments = db.session.scalars(select(InputMoment).where(
        InputMoment.opens <= today,
        (InputMoment.closes.is_(None)) | (InputMoment.closes >= today))).all()
    for moment in moments:
        wanted = []
        if moment.opens >= today - timedelta(days=ANNOUNCE_OPENED_DAYS):
            wanted.append(("input_moment.opened", f"input.opened:{moment.law_id}:{moment.opens}"))
        if moment.closes is not None and \
                (moment.closes - today).days <= REMINDER_DAYS:
            wanted.append(("input_moment.closing",
                           f"input.closing:{moment.law_id}:{moment.closes}"))
        for name, key in wanted:
            if insert_if_absent(db.session, AlertClaim, key=key, created_at=utcnow()):
                events.record(name, "law", moment.law_id, opens=moment.opens.isoformat(),
                              closes=moment.closes.isoformat() if moment.closes else None)
                recorded += 1
    db.session.commit()
    return recorded


# --- the periodic task ----------------------------------------------------------------------------

def run(now: datetime | None = None) -> dict[str, int]:
    """What the worker does every KDE_MAIL_PERIOD seconds, and `send-digests` once."""
    now = now or utcnow()
    announced = announce_input_moments(
        current_app.config.get("TODAY") or now.astimezone(LOCAL).date())
    digests = send_digests(now)
    report = outbox.send_pending(now=now)
    return {"announced": announced, "digests": digests, "sent": report.sent,
            "retrying": report.retrying, "failed": report.failed}
