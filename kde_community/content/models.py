"""What every kind of contribution shares: tags, revisions, reactions, comments and flags.

Rows that belong to any contribution name it by (`content_type`, `content_id`), e.g.
("question", 12): one table serves questions, answers, practices and what comes next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..accounts.models import User
from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db
from ..laws.models import Law, Obligation, Theme

VISIBILITIES = ("public", "members", "organisation")
VISIBILITY_LABELS = {
    "public": _l("Iedereen (openbaar)"),
    "members": _l("Alleen ingelogde leden"),
    "organisation": _l("Alleen collega's van mijn organisatie"),
}


class Tagged:
    """Themes, laws and obligations on a contribution, each in its own link table."""

    @classmethod
    def _link_table(cls, target: str) -> Table:
        name = f"{cls.__tablename__}_{target}s"
        if name in db.metadata.tables:
            return db.metadata.tables[name]
        owner = f"{cls.__tablename__[:-1]}_id"
        return Table(
            name, db.metadata,
            Column(owner, ForeignKey(f"{cls.__tablename__}.id", ondelete="CASCADE"),
                   primary_key=True),
            Column(f"{target}_id", ForeignKey(f"{target}s.id", ondelete="CASCADE"),
                   primary_key=True, index=True),
        )

    @declared_attr
    def themes(cls) -> Mapped[list[Theme]]:
        return relationship(Theme, secondary=cls._link_table("theme"), order_by=Theme.slug)

    @declared_attr
    def laws(cls) -> Mapped[list[Law]]:
        return relationship(Law, secondary=cls._link_table("law"), order_by=Law.short_name_nl)

    @declared_attr
    def obligations(cls) -> Mapped[list[Obligation]]:
        return relationship(Obligation, secondary=cls._link_table("obligation"),
                            order_by=Obligation.id)


class Moderated:
    """Hidden by a moderator (reversible) or deleted softly: nothing is destroyed by a click."""

    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    hidden_reason: Mapped[str] = mapped_column(String(300), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def is_removed(self) -> bool:
        return self.hidden_at is not None or self.deleted_at is not None


@dataclass(frozen=True)
class Audience:
    """Who a contribution is written for at one moment: its visibility, the organisation an
    `organisation` visibility means, and whether its writers are hidden."""

    visibility: str
    organisation_id: int | None
    anonymous: bool = False


class Revision(db.Model):
    """An append-only snapshot of a contribution's text after each change.

    It remembers the audience it was written for: a reader sees a revision only when that
    audience included them (making content public or anonymous never publishes older text).
    """

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("content_type", "content_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(30))
    content_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    visibility: Mapped[str] = mapped_column(String(20), default="members")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"),
                                                        nullable=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why the change was made, where the editor is asked (laws and obligations).
    reason: Mapped[str] = mapped_column(String(500), default="")

    author: Mapped[User | None] = relationship()

    @property
    def audience(self) -> Audience:
        return Audience(self.visibility, self.organisation_id, self.anonymous)


class Reaction(db.Model):
    """One member's vote or mark on a contribution ("helpful", "useful", "experienced")."""

    __tablename__ = "reactions"
    __table_args__ = (
        UniqueConstraint("content_type", "content_id", "user_id", "kind"),
        Index("ix_reactions_target", "content_type", "content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(30))
    content_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(Moderated, db.Model):
    """A short remark on a contribution."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()

    content_type = "comment"


class Flag(db.Model):
    """A member's report that a contribution needs a moderator's eye."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_target", "content_type", "content_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(30))
    content_id: Mapped[int] = mapped_column(Integer)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    resolution: Mapped[str] = mapped_column(String(30), default="")

    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])


class ModerationAction(db.Model):
    """The log of what moderators did, so every action can be traced and undone."""

    __tablename__ = "moderation_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(30))
    content_id: Mapped[int] = mapped_column(Integer)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    moderator: Mapped[User] = relationship()
