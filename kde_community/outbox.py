"""Mail that must not be lost or sent twice: kept in the database until the SMTP server took it.

Notification mail (immediately and digests) is queued here with an idempotency key — the same
key queues once, whichever process or host tries again — and `send_pending` hands it to the
transport of `mail.py` (the outbox folder or SMTP), the one path all mail takes. Account mail
that could not be handed over at once lands here too, so the worker retries it.

Sending claims a row first (a short lease), so two workers never send the same mail; a failed
attempt is tried again later (30 s, 2 min, 8 min … at most 6 hours apart); a permanent refusal
(5xx) or MAX_ATTEMPTS failures mark it failed. The Message-ID is fixed when the mail is queued,
so a retry is the same message. Sent and failed mail is deleted after KEEP_SENT (it
holds titles and names).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from .dbtypes import UTCDateTime, insert_if_absent, utcnow
from .extensions import db

LEASE = timedelta(minutes=2)  # a claimed mail is the claimer's for this long
MAX_ATTEMPTS = 10
MAX_BACKOFF = timedelta(hours=6)
KEEP_SENT = timedelta(days=30)


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mails"
    __table_args__ = (Index("ix_outgoing_mails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                nullable=True, index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    message: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def queue(msg: EmailMessage, *, key: str, kind: str, user_id: int | None = None) -> bool:
    """Keep `msg` for sending; False when a mail with this key was queued before (then
    nothing changes). Part of the caller's transaction: it is sent once that commits."""
    now = utcnow()
    return insert_if_absent(
        db.session, OutgoingMail, key=key[:200], kind=kind, user_id=user_id,
        recipient=str(msg["To"])[:254], subject=str(msg["Subject"])[:300], message=bytes(msg),
        status="pending", attempts=0, next_attempt_at=now, created_at=now, last_error="")


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 30 s, 2 min, 8 min, 32 min, … at most 6 hours."""
    return min(timedelta(seconds=30 * 4 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def send_pending(*, limit: int = 100, now: datetime | None = None) -> SendReport:
    """Send the mail that is due, each by one process only. Commits after each claim and
    each result: a mail handed to SMTP is marked sent at once, so a crash in between is the
    only way one could go twice (then with the same Message-ID)."""
    from .mail import POLICY, transport

    now = now or utcnow()
    report = SendReport()
    due = list(db.session.scalars(
        select(OutgoingMail.id).where(
            OutgoingMail.status == "pending",
            or_(OutgoingMail.attempts == 0, OutgoingMail.next_attempt_at <= now),
            or_(OutgoingMail.locked_until.is_(None), OutgoingMail.locked_until < now))
        .order_by(OutgoingMail.id).limit(limit)))
    db.session.rollback()
    for mail_id in due:
        claimed = db.session.execute(
            update(OutgoingMail).where(
                OutgoingMail.id == mail_id, OutgoingMail.status == "pending",
                or_(OutgoingMail.locked_until.is_(None), OutgoingMail.locked_until < now))
            .values(locked_until=now + LEASE, attempts=OutgoingMail.attempts + 1)
            .returning(OutgoingMail.attempts, OutgoingMail.message)).first()
        db.session.commit()
        if claimed is None:
            continue  # another worker has it
        attempts, raw = claimed
        msg = message_from_bytes(raw, policy=POLICY)
        try:
            transport(msg)
        except (OSError, smtplib.SMTPException) as exc:
            permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
            gave_up = permanent or attempts >= MAX_ATTEMPTS
            current_app.logger.warning("Mail %s not sent (attempt %s): %s", mail_id, attempts, exc)
            db.session.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(
                status="failed" if gave_up else "pending", locked_until=None,
                next_attempt_at=now + backoff(attempts), last_error=str(exc)[:500]))
            if gave_up:
                report.failed += 1
            else:
                report.retrying += 1
        else:
            db.session.execute(update(OutgoingMail).where(OutgoingMail.id == mail_id).values(
                status="sent", sent_at=utcnow(), locked_until=None, last_error=""))
            report.sent += 1
        db.session.commit()
    # Mail holds titles and names: kept no longer than needed (sent, or given up on).
    db.session.execute(delete(OutgoingMail).where(
        OutgoingMail.status.in_(("sent", "failed")),
        func.coalesce(OutgoingMail.sent_at, OutgoingMail.next_attempt_at) < now - KEEP_SENT))
    db.session.commit()
    return report
