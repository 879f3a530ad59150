"""Follows (what a member wants to hear about), notifications (what they were told) and
notification settings (how often they want mail about it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db

FOLLOW_TARGETS = ("question", "law", "theme", "organisation", "clause_set", "practice",
                  "obligation", "network")

# Event kinds grouped the way members choose how often they hear about them.
KIND_GROUPS = {
    "answer.posted": "answers",
    "answer.accepted": "answers",
    "comment.posted": "comments",
    "practice.followed_up": "practices",
    "suggestion.made": "clauses",
    "suggestion.decided": "clauses",
    "release.made": "clauses",
    "clause_set.status_changed": "clauses",
    "law.created": "laws",  # law.changed of a new law or proposal
    "law.changed": "laws",
    "obligation.changed": "laws",
    "network.changed": "directory",
    "input_moment.opened": "input",
    "input_moment.closing": "input",
    "question.asked": "new_content",
    "practice.published": "new_content",
}
GROUPS = ("answers", "comments", "practices", "clauses", "laws", "input", "directory",
          "new_content")
FREQUENCIES = ("immediately", "daily", "weekly", "never")
# Answers to what one asked or follows come at once, and so do input moments (opening, and a
# week before they close: a weekly digest could come too late); law changes weekly, the rest
# daily.
DEFAULT_FREQUENCY = {"answers": "immediately", "input": "immediately", "laws": "weekly"}


def group_of(kind: str) -> str:
    return KIND_GROUPS.get(kind, "new_content")


def default_frequency(group: str) -> str:
    return DEFAULT_FREQUENCY.get(group, "daily")


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "target_type", "target_id"),
        Index("ix_follows_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(db.Model):
    """One member told about one event. (user, event) is unique, so an event delivered twice
    notifies once. `target` is what the link points at (an answer), `thread` what it belongs
    to (its question): the inbox groups by thread and checks, when shown, that the member may
    still see it. `url` is the path of the link (ids and slugs only, never a title)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "event_id"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_unmailed", "mailed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    thread_type: Mapped[str] = mapped_column(String(30))
    thread_id: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(400), default="")
    # Who did it, when the text may name them (never for practices: anonymity).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When mail about it was queued, or decided against (never, read before the digest, no
    # longer visible): each notification is considered for mail once.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def group(self) -> str:
        return group_of(self.kind)


class NotificationSetting(db.Model):
    """How often a member wants mail about one group of kinds; absent means the default."""

    __tablename__ = "notification_settings"
    __table_args__ = (UniqueConstraint("user_id", "kind_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind_group: Mapped[str] = mapped_column(String(30))
    frequency: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AlertClaim(db.Model):
    """Something announced once, whichever worker or host sees it first: an input moment that
    opened, or that closes within a week (key `input.opened:<id>:<opens>`)."""

    __tablename__ = "alert_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
