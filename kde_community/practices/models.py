"""Practice write-ups: structured lessons learned, failures included."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..content.models import VISIBILITY_LABELS, Audience, Moderated, Tagged
from ..dbtypes import TimestampMixin, UTCDateTime, utcnow
from ..directory.models import Organisation
from ..extensions import db
from ..markup import plain_text
from ..search.models import Searchable

OUTCOMES = {"success": _l("Geslaagd"), "mixed": _l("Deels geslaagd"), "failure": _l("Mislukt")}
PRACTICE_VISIBILITIES = VISIBILITY_LABELS
# Our own list of why things go wrong, from the KED research and members' write-ups.
FAILURE_CAUSES = {
    "missing_stakeholder": _l("Een belangrijke partij was niet betrokken"),
    "split_budgets": _l("Kosten en baten vielen in verschillende budgetten"),
    "vendor_lock_in": _l("Afhankelijk van één leverancier (lock-in)"),
    "underestimated_effort": _l("Inzet of doorlooptijd onderschat"),
    "legal_uncertainty": _l("Juridische onduidelijkheid"),
    "no_exit_strategy": _l("Geen exitstrategie"),
    "data_quality": _l("Onvoldoende datakwaliteit"),
    "skills_gap": _l("Ontbrekende kennis of capaciteit"),
    "scope_creep": _l("Doel of omvang verschoof onderweg"),
    "no_governance": _l("Eigenaarschap en besluitvorming onduidelijk"),
}
SECTIONS = ("summary", "context", "goal", "approach", "result", "what_went_wrong", "lessons",
            "recommendations")
SECTION_LABELS = {
    "summary": _l("Samenvatting"),
    "context": _l("Situatie van de organisatie"),
    "goal": _l("Doel"),
    "approach": _l("Aanpak"),
    "result": _l("Resultaat"),
    "what_went_wrong": _l("Wat ging er mis"),
    "lessons": _l("Geleerde lessen"),
    "recommendations": _l("Aanbevelingen voor anderen"),
}
# Municipal size classes, for anonymous publication and the size filter.
SIZE_CLASSES = (
    ("tot-10000", 0, 10_000),
    ("10000-20000", 10_000, 20_000),
    ("20000-50000", 20_000, 50_000),
    ("50000-100000", 50_000, 100_000),
    ("100000-250000", 100_000, 250_000),
    ("vanaf-250000", 250_000, None),
)

practice_coauthors = Table(
    "practice_coauthors",
    db.metadata,
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


def size_class(inhabitants: int | None) -> str | None:
    if not inhabitants:
        return None
    for key, low, high in SIZE_CLASSES:
        if inhabitants >= low and (high is None or inhabitants < high):
            return key
    return None


def anonymous_label(org: Organisation) -> str:
    """How an anonymous write-up names its organisation: type and size class only."""
    from flask_babel import format_decimal
    from flask_babel import gettext as _

    if org.type == "gemeente":
        for key, low, high in SIZE_CLASSES:
            if key == size_class(org.inhabitants):
                if high is None:
                    return _("een gemeente met meer dan %(low)s inwoners", low=format_decimal(low))
                if low == 0:
                    return _("een gemeente met minder dan %(high)s inwoners",
                             high=format_decimal(high))
                return _("een gemeente van %(low)s–%(high)s inwoners", low=format_decimal(low),
                         high=format_decimal(high))
        return _("een gemeente")
    return {
        "provincie": _("een provincie"),
        "waterschap": _("een waterschap"),
        "koepel": _("een koepelorganisatie"),
        "rijk": _("een rijksorganisatie"),
        "kennisinstelling": _("een kennisinstelling"),
    }.get(org.type, _("een organisatie"))


class Practice(TimestampMixin, Tagged, Moderated, Searchable, db.Model):
    __tablename__ = "practices"
    search_type = "practice"
    content_type = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text, default="")
    approach: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    what_went_wrong: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    failure_causes: Mapped[list[str]] = mapped_column(JSON, default=list)
    period: Mapped[str] = mapped_column(String(100), default="")
    effort: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    visibility: Mapped[str] = mapped_column(String(20), default="public", index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    useful_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    experienced_count: Mapped[int] = mapped_column(Integer, default=0)

    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    co_authors: Mapped[list[User]] = relationship(secondary=practice_coauthors,
                                                   order_by=User.name)
    attachments: Mapped[list[PracticeAttachment]] = relationship(
        back_populates="practice", order_by="PracticeAttachment.id")
    invitations: Mapped[list[PracticeInvitation]] = relationship(
        back_populates="practice", order_by="PracticeInvitation.id", cascade="all, delete-orphan")
    followups: Mapped[list[PracticeFollowUp]] = relationship(
        back_populates="practice", order_by="PracticeFollowUp.created_at")

    @property
    def audience(self) -> Audience:
        return Audience(self.visibility, self.organisation_id, self.anonymous)

    def writer_ids(self) -> set[int]:
        return {self.author_id, *(u.id for u in self.co_authors)}

    def public_byline(self) -> str:
        """The organisation as outsiders may see it."""
        return anonymous_label(self.organisation) if self.anonymous else self.organisation.name

    def search_document(self) -> dict | None:
        if self.is_removed:
            return None
        sections = [plain_text(getattr(self, name)) for name in SECTIONS]
        return {
            "key": f"practice:{self.id}", "type": "practice", "id": self.id,
            "title": self.title, "body": "\n\n".join(s for s in sections if s),
            "extra": " ".join([self.period, self.effort]),
            "url": f"/praktijken/{self.id}", "date": self.created_at,
            "visibility": self.visibility, "org_id": self.organisation_id,
            "org_name": self.public_byline(), "org_type": self.organisation.type,
            "themes": [t.slug for t in self.themes], "laws": [law.slug for law in self.laws],
            "outcome": self.outcome,
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.organisation), selectinload(cls.themes),
                                   selectinload(cls.laws))


class PracticeAttachment(db.Model):
    __tablename__ = "practice_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    mimetype: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    practice: Mapped[Practice] = relationship(back_populates="attachments")

    def download_name(self, number: int) -> str:
        """Anonymous write-ups never reveal a file's own name (it often names the author)."""
        if self.practice.anonymous:
            return f"bijlage-{number}.{self.kind}"
        return self.original_name


class PracticeInvitation(db.Model):
    """An invitation to write a practice together. Named co-authors get no rights and are not
    shown until they accept; the writer sees the same thing whether or not an address
    belongs to a member (no account enumeration)."""

    __tablename__ = "practice_invitations"
    __table_args__ = (UniqueConstraint("practice_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"),
                                             index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    accepted: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    practice: Mapped[Practice] = relationship(back_populates="invitations")
    invited_by: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.answered_at is None


class PracticeFollowUp(db.Model):
    __tablename__ = "practice_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="followups")
    author: Mapped[User] = relationship()
