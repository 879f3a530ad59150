"""Members, their server-side sessions and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import TimestampMixin, UTCDateTime, utcnow
from ..directory.models import Organisation
from ..extensions import db
from ..laws.models import Theme

ROLES = ("member", "editor", "moderator", "admin")
# Each role can do everything the roles before it can.
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
APPROVAL_STATES = ("approved", "pending", "refused")

user_themes = Table(
    "user_themes",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class User(TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Always stored lower-cased: unique case-insensitively on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20), default="member")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    approval: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Shown on the organisation page to members and reachable by the contact form only
    # when the member chose so; they can turn it off at any time.
    contactable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Bumped on password change: outstanding reset links stop working.
    credentials_version: Mapped[int] = mapped_column(Integer, default=1)
    # The language of the mails the platform sends on its own (notifications, digests): the
    # interface language at registration, changed on the notification settings page.
    locale: Mapped[str] = mapped_column(String(5), default="nl", server_default="nl")

    organisation: Mapped[Organisation] = relationship()
    expertise: Mapped[list[Theme]] = relationship(secondary=user_themes, order_by="Theme.slug")

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.can_log_in

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def can_log_in(self) -> bool:
        return self.active and self.email_verified and self.approval == "approved"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserSession(db.Model):
    """A login. The browser's cookie names it; revoking it ends that login on the server."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user: Mapped[User] = relationship()
