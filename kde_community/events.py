"""Domain events: what happened, recorded in the same transaction as the change itself, and
delivered to each consumer at least once.

Services call `record("answer.posted", "answer", answer.id, actor=actor, question_id=…)` after
their flush; nothing is a session-wide hook. Names are `<subject>.<verb in the past>` in
English (question.asked, answer.posted, content.hidden, law.changed …; the README lists them
with their consumers). Consumers (the search indexer now; notifications and digests next)
act on them in the worker (`flask --app kde_community worker`, worker.py).

Delivery: one `event_deliveries` row per consumer that handles the event's name, inserted by
`record()` with the event, in the same transaction. A consumer's backlog is exactly its rows:

- Nothing committed late is skipped. A cursor over event ids ("handled up to id N") is not
  enough on PostgreSQL: ids are handed out when a row is inserted, not when its transaction
  commits, so id 7 can become visible after the cursor passed 8. A delivery row is visible
  exactly when its event is, and is deleted one by one once handled, whatever its id.
- Several workers (threads, processes, hosts) share the work without doing a batch twice at
  once. PostgreSQL: a batch is claimed with `SELECT … FOR UPDATE SKIP LOCKED` and stays locked
  while it is handled; the rows are deleted in that same transaction, after the handler did its
  work (for the index: after the index commit). A worker killed with `kill -9` loses its
  connection, the locks go with it and another worker takes the batch. Other databases
  (SQLite: one writer at a time anyway): a batch is claimed with a lease, `claimed_by` and
  `claimed_until` set in one short UPDATE; it is deleted when done, and a killed worker's
  lease simply runs out (`KDE_WORKER_LEASE`, 60 s) and the batch is done again.
- So a consumer may see an event twice (a crash between its work and the delete; an expired
  lease): handlers are idempotent ("refresh document X from the database", "send the mail
  for event N unless sent"). They must not commit: the worker commits their database work
  together with the delete.
- A handler that fails has its batch retried one delivery at a time, each with an exponential
  back-off (`attempts`), so one bad event cannot hold up the others. A handler that finds its
  resource busy raises `Busy`: the batch is put back untouched and tried again shortly.

Consumers are registered per app at start (`register`); an event only gets deliveries for the
consumers registered when it is recorded. A new consumer therefore starts from now (the
indexer's history is the database itself: `search reindex`). Events stay in `events` (the
audit trail, feeds and digests read them); deliveries are deleted when handled.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import JSON, ForeignKey, Index, Integer, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .dbtypes import UTCDateTime, utcnow
from .extensions import db

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
MAX_BACKOFF = 600  # seconds between retries of a failing delivery, at most


class Event(db.Model):
    """One thing that happened; append-only."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    deliveries: Mapped[list[EventDelivery]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.name} {self.subject_type}:{self.subject_id}>"


class EventDelivery(db.Model):
    """An event one consumer has yet to handle; deleted once handled."""

    __tablename__ = "event_deliveries"
    __table_args__ = (Index("ix_event_deliveries_consumer", "consumer", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    consumer: Mapped[str] = mapped_column(String(40))
    # Not before: a lease (lease-claiming databases) or a retry's back-off.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="deliveries")


class Busy(Exception):  # noqa: N818 — a state, not a failure
    """Raised by a handler whose resource is busy (e.g. the index lock): try again shortly."""


@dataclass(frozen=True)
class Consumer:
    """Something that acts on events: a name (the delivery rows carry it), the event names it
    handles, and an idempotent handler of a batch. `periodic`, when set, is run by the worker
    at start and every `period` seconds (the indexer's reconciliation)."""

    name: str
    events: frozenset[str]
    handle: Callable[[list[Event]], object]
    periodic: Callable[[], object] | None = None
    period: float = 600.0


def register(app: Flask, consumer: Consumer) -> None:
    """Make `consumer` receive its events from now on (at app start)."""
    app.extensions.setdefault("kde_consumers", {})[consumer.name] = consumer


def consumers(app: Flask | None = None) -> list[Consumer]:
    app = app or current_app
    return list(app.extensions.get("kde_consumers", {}).values())


def consumer(name: str) -> Consumer:
    return current_app.extensions["kde_consumers"][name]


def record(name: str, subject_type: str, subject_id: int, *, actor=None, **payload) -> Event:
    """Add an event to the current transaction, with a delivery for every consumer that
    handles `name`: both exist exactly when the change commits."""
    event = Event(name=name, subject_type=subject_type, subject_id=subject_id,
                  actor_id=getattr(actor, "id", None), payload=payload, created_at=utcnow())
    event.deliveries = [EventDelivery(consumer=c.name, attempts=0)
                        for c in consumers() if name in c.events]
    db.session.add(event)
    return event


def pending(consumer_name: str) -> int:
    """Deliveries the consumer has not handled yet (claimed or not)."""
    return db.session.scalar(select(func.count()).select_from(EventDelivery).where(
        EventDelivery.consumer == consumer_name)) or 0


# --- delivering -------------------------------------------------------------------------------

def deliver(consumer: Consumer, limit: int = 200) -> int:
    """Claim up to `limit` of the consumer's deliveries, hand their events to it, and delete
    them with the handler's work; then one delivery that failed before, if one is due.
    Returns how many were handled (0: nothing to do, or busy)."""
    handled = _deliver(consumer, limit, retrying=False)
    handled += _deliver(consumer, 1, retrying=True)
    return handled


def _deliver(consumer: Consumer, limit: int, *, retrying: bool) -> int:
    session = db.session
    locking = session.get_bind().dialect.name == "postgresql"
    token = uuid.uuid4().hex
    try:
        claimed = _claim_locked(consumer, limit, retrying) if locking \
            else _claim_leased(consumer, limit, retrying, token)
    except Exception:
        session.rollback()
        raise
    if not claimed:
        session.rollback()
        return 0
    ids = [delivery_id for delivery_id, _event_id in claimed]
    events = list(session.scalars(select(Event).where(
        Event.id.in_({event_id for _id, event_id in claimed})).order_by(Event.id)))
    try:
        consumer.handle(events)
    except Busy as exc:
        session.rollback()
        log.info("%s: %s; trying again shortly", consumer.name, exc)
        _release(ids, token, locking)
        return 0
    except Exception:
        session.rollback()
        log.exception("%s failed on events %s", consumer.name, [e.id for e in events])
        _back_off(ids, token, locking)
        return 0
    done = delete(EventDelivery).where(EventDelivery.id.in_(ids))
    if not locking:
        done = done.where(EventDelivery.claimed_by == token)  # unless our lease ran out
    session.execute(done)
    session.commit()
    return len(ids)


def _due(consumer: Consumer, retrying: bool, now: datetime):
    return (EventDelivery.consumer == consumer.name,
            EventDelivery.attempts > 0 if retrying else EventDelivery.attempts == 0,
            or_(EventDelivery.claimed_until.is_(None), EventDelivery.claimed_until < now))


def _claim_locked(consumer: Consumer, limit: int, retrying: bool) -> list[tuple[int, int]]:
    """PostgreSQL: lock a batch nobody else holds; the locks last until the commit."""
    rows = db.session.execute(
        select(EventDelivery.id, EventDelivery.event_id)
        .where(*_due(consumer, retrying, utcnow()))
        .order_by(EventDelivery.id).limit(limit)
        .with_for_update(skip_locked=True))
    return [tuple(row) for row in rows]


def _claim_leased(consumer: Consumer, limit: int, retrying: bool,
                  token: str) -> list[tuple[int, int]]:
    """Other databases: take a lease on a batch in one UPDATE (one writer at a time), commit."""
    now = utcnow()
    due = _due(consumer, retrying, now)
    # An idle poll only reads: no write lock taken four times a second for nothing.
    if db.session.scalar(select(EventDelivery.id).where(*due).limit(1)) is None:
        return []
    lease = float(current_app.config.get("KDE_WORKER_LEASE") or LEASE_SECONDS)
    batch = (select(EventDelivery.id).where(*due)
             .order_by(EventDelivery.id).limit(limit).scalar_subquery())
    db.session.execute(
        update(EventDelivery).where(EventDelivery.id.in_(batch))
        .values(claimed_by=token, claimed_until=now + timedelta(seconds=lease))
        .execution_options(synchronize_session=False))
    rows = [tuple(row) for row in db.session.execute(
        select(EventDelivery.id, EventDelivery.event_id)
        .where(EventDelivery.claimed_by == token).order_by(EventDelivery.id))]
    db.session.commit()
    return rows


def _release(ids: list[int], token: str, locking: bool) -> None:
    """Put a batch back as it was (the rollback already did, where locks were used)."""
    if locking:
        return
    db.session.execute(
        update(EventDelivery).where(EventDelivery.id.in_(ids), EventDelivery.claimed_by == token)
        .values(claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _back_off(ids: list[int], token: str, locking: bool) -> None:
    """Count a failed attempt; retried one by one, later each time (1 s, 2 s, 4 s …)."""
    query = update(EventDelivery).where(EventDelivery.id.in_(ids))
    if not locking:
        query = query.where(EventDelivery.claimed_by == token)
    rows = db.session.execute(select(EventDelivery.id, EventDelivery.attempts).where(
        EventDelivery.id.in_(ids))).all()
    now = utcnow()
    for delivery_id, attempts in rows:
        delay = min(MAX_BACKOFF, 2 ** min(attempts, 20))
        db.session.execute(
            query.where(EventDelivery.id == delivery_id)
            .values(attempts=attempts + 1, claimed_by=None,
                    claimed_until=now + timedelta(seconds=delay))
            .execution_options(synchronize_session=False))
    db.session.commit()
