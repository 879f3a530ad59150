"""Clause sets: model procurement terms drafted together, versioned clause by clause.

A set has participating organisations with a role; its clauses have versions (the shared
`revisions` table, content_type "clause"), suggestions from contributors, comments, and
immutable releases that organisations adopt.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..content.models import Audience
from ..dbtypes import TimestampMixin, UTCDateTime, utcnow
from ..directory.models import Organisation
from ..extensions import db
from ..laws.models import Obligation
from ..search.models import Searchable

SET_VISIBILITIES = ("public", "members", "participants")
SET_VISIBILITY_LABELS = {
    "public": _l("Iedereen (openbaar)"),
    "members": _l("Alleen ingelogde leden"),
    "participants": _l("Alleen deelnemende organisaties"),
}
STATUSES = ("concept", "consultation", "adopted")
STATUS_LABELS = {
    "concept": _l("Concept"),
    "consultation": _l("Consultatie"),
    "adopted": _l("Vastgesteld"),
}
PURCHASE_KINDS = ("saas", "ai_system", "website_app", "data_platform", "hosting", "software",
                  "services", "other")
PURCHASE_KIND_LABELS = {
    "saas": _l("Software als dienst (SaaS)"),
    "ai_system": _l("AI-systeem"),
    "website_app": _l("Website of app"),
    "data_platform": _l("Dataplatform"),
    "hosting": _l("Hosting en cloud"),
    "software": _l("Software (licentie)"),
    "services": _l("ICT-diensten"),
    "other": _l("Anders"),
}
ROLES = ("editor", "contributor", "observer")
ROLE_LABELS = {
    "editor": _l("Redacteur"),
    "contributor": _l("Meeschrijver"),
    "observer": _l("Meelezer"),
}
SUGGESTION_KINDS = ("change", "new", "delete")
SUGGESTION_STATES = ("open", "accepted", "rejected", "withdrawn")

clause_obligations = Table(
    "clause_obligations",
    db.metadata,
    Column("clause_id", ForeignKey("clauses.id", ondelete="CASCADE"), primary_key=True),
    Column("obligation_id", ForeignKey("obligations.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class ClauseSet(TimestampMixin, Searchable, db.Model):
    __tablename__ = "clause_sets"
    search_type = "clause_set"
    content_type = "clause_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    purchase_kind: Mapped[str] = mapped_column(String(30), default="other")
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(20), default="members", index=True)
    status: Mapped[str] = mapped_column(String(20), default="concept", index=True)
    consultation_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    lead_organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    participants: Mapped[list[ClauseSetParticipant]] = relationship(
        back_populates="clause_set", cascade="all, delete-orphan",
        order_by="ClauseSetParticipant.id")
    clauses: Mapped[list[Clause]] = relationship(
        order_by="Clause.position",
        primaryjoin="and_(ClauseSet.id == Clause.set_id, Clause.deleted_at.is_(None))",
        viewonly=True)
    releases: Mapped[list[Release]] = relationship(
        back_populates="clause_set", order_by="Release.created_at.desc()")
    open_suggestions: Mapped[list[Suggestion]] = relationship(
        primaryjoin="and_(ClauseSet.id == Suggestion.set_id, Suggestion.status == 'open')",
        order_by="Suggestion.id", viewonly=True)

    @property
    def audience(self) -> Audience:
        return Audience(self.visibility, None, False)

    def role_of(self, organisation_id: int | None) -> str | None:
        if organisation_id is None:
            return None
        if organisation_id == self.lead_organisation_id:
            return "editor"
        return next((p.role for p in self.participants
                     if p.organisation_id == organisation_id), None)

    def search_document(self) -> dict | None:
        if self.deleted_at is not None:
            return None
        clauses = self.clauses
        obligations = {o for c in clauses for o in c.obligations}
        return {
            "key": f"clause_set:{self.id}", "type": "clause_set", "id": self.id,
            "title": self.title, "body": self.purpose,
            "extra": " ".join([*(f"{c.heading} {c.text} {c.explanation}" for c in clauses),
                               *(f"{s.heading} {s.text} {s.rationale}"
                                 for s in self.open_suggestions)]),
            "url": f"/inkoopvoorwaarden/{self.id}", "visibility": self.visibility,
            # participants-only: the lead and participating organisations (search allow-list)
            "orgs": sorted({self.lead_organisation_id,
                            *(p.organisation_id for p in self.participants)}),
            "org_id": self.lead_organisation_id, "org_name": self.lead_organisation.name,
            "org_type": self.lead_organisation.type,
            "laws": sorted({o.law.slug for o in obligations}),
            "themes": [],
            "date": self.updated_at,
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(
            selectinload(cls.lead_organisation), selectinload(cls.participants),
            selectinload(cls.open_suggestions),
            selectinload(cls.clauses).selectinload(Clause.obligations)
            .selectinload(Obligation.law))


class ClauseSetParticipant(db.Model):
    """An organisation taking part in drafting a set, with its role."""

    __tablename__ = "clause_set_participants"
    __table_args__ = (UniqueConstraint("set_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("clause_sets.id", ondelete="CASCADE"),
                                        index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="contributor")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    clause_set: Mapped[ClauseSet] = relationship(back_populates="participants")
    organisation: Mapped[Organisation] = relationship()


class Clause(TimestampMixin, db.Model):
    __tablename__ = "clauses"
    content_type = "clause"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("clause_sets.id", ondelete="CASCADE"),
                                        index=True)
    # Order within the set (1, 2, …); the clause's number is its position.
    position: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    source_reference: Mapped[str] = mapped_column(String(300), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    clause_set: Mapped[ClauseSet] = relationship()
    obligations: Mapped[list[Obligation]] = relationship(
        secondary=clause_obligations, order_by="Obligation.id")

    @property
    def number(self) -> int:
        return self.position

    @property
    def audience(self) -> Audience:
        return self.clause_set.audience


class Suggestion(db.Model):
    """A proposed change to a set: new text for a clause, a new clause, or a deletion."""

    __tablename__ = "clause_suggestions"
    content_type = "suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("clause_sets.id", ondelete="CASCADE"),
                                        index=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("clauses.id", ondelete="CASCADE"),
                                                  nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="change")
    # The clause version the suggestion was written on (a change or deletion).
    base_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    heading: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decision_reason: Mapped[str] = mapped_column(String(2000), default="")

    clause_set: Mapped[ClauseSet] = relationship()
    clause: Mapped[Clause | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Release(db.Model):
    """An immutable snapshot of a whole set ("v1.0") with release notes."""

    __tablename__ = "clause_releases"
    __table_args__ = (UniqueConstraint("set_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("clause_sets.id", ondelete="CASCADE"),
                                        index=True)
    label: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    # {"title", "purpose", "clauses": [{"number", "heading", "text", "explanation",
    #   "source_reference", "obligations": [{"id", "law", "article", "title"}], "version"}]}
    snapshot: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    clause_set: Mapped[ClauseSet] = relationship(back_populates="releases")
    created_by: Mapped[User | None] = relationship()
    adoptions: Mapped[list[Adoption]] = relationship(back_populates="release",
                                                     order_by="Adoption.created_at")


class Adoption(db.Model):
    """"We use v1.0": an organisation records that it uses a release."""

    __tablename__ = "clause_adoptions"
    __table_args__ = (UniqueConstraint("release_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("clause_releases.id", ondelete="CASCADE"),
                                            index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    adopted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    release: Mapped[Release] = relationship(back_populates="adoptions")
    organisation: Mapped[Organisation] = relationship()


class ChangeLogEntry(db.Model):
    """The set's changelog: what changed, by whom, in words readers understand."""

    __tablename__ = "clause_set_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("clause_sets.id", ondelete="CASCADE"),
                                        index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    # Facts for the sentence, e.g. {"clause": 3, "heading": "…", "version": 4}
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()
