"""Laws, their obligations and milestones, and the themes that tag all content."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import TimestampMixin, UTCDateTime
from ..extensions import db
from ..search.models import Searchable

ORGANISATION_TYPES = (
    "gemeente",
    "provincie",
    "waterschap",
    "koepel",
    "rijk",
    "kennisinstelling",
    "overig",
)
INSTRUMENTS = (
    "regulation",
    "directive",
    "implementing_regulation",
    "delegated_regulation",
    "decision",
)
STAGES = (
    "proposal",
    "negotiation",
    "adopted",
    "in_force",
    "partly_applicable",
    "applicable",
    "repealed",
)
MILESTONE_KINDS = (
    "proposal",
    "adoption",
    "publication",
    "entry_into_force",
    "application",
    "transposition_deadline",
    "review",
    "amendment",
)

law_themes = Table(
    "law_themes",
    db.metadata,
    Column("law_id", ForeignKey("laws.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(TimestampMixin, db.Model):
    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_nl

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class Law(TimestampMixin, Searchable, db.Model):
    __tablename__ = "laws"
    search_type = "law"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    short_name_nl: Mapped[str] = mapped_column(String(160))
    short_name_en: Mapped[str] = mapped_column(String(160))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    abbreviations: Mapped[list[str]] = mapped_column(JSON, default=list)
    full_title: Mapped[str] = mapped_column(Text)
    celex: Mapped[str] = mapped_column(String(20), unique=True)
    instrument: Mapped[str] = mapped_column(String(30))
    stage: Mapped[str] = mapped_column(String(30))
    stage_note: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    dutch_implementation: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    # When the stage or a dated milestone last changed: content citing the law
    # before this moment may be outdated.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    themes: Mapped[list[Theme]] = relationship(secondary=law_themes, order_by="Theme.slug")
    milestones: Mapped[list[LawMilestone]] = relationship(
        back_populates="law", cascade="all, delete-orphan", order_by="LawMilestone.date"
    )
    input_moments: Mapped[list[InputMoment]] = relationship(
        back_populates="law", cascade="all, delete-orphan", order_by="InputMoment.opens"
    )
    obligations: Mapped[list[Obligation]] = relationship(
        back_populates="law", cascade="all, delete-orphan", order_by="Obligation.id"
    )

    def short_name(self, locale: str) -> str:
        return self.short_name_en if locale == "en" else self.short_name_nl

    def search_document(self) -> dict:
        return {
            "key": f"law:{self.id}", "type": "law", "id": self.id,
            "title": f"{self.short_name_nl} ({self.short_name_en})",
            "body": "\n\n".join([self.summary, self.full_title, self.dutch_implementation]),
            "extra": " ".join([*self.aliases, *self.abbreviations, self.celex]),
            "url": f"/wetgeving/{self.slug}", "visibility": "public",
            "date": self._first_date(),
            "themes": [t.slug for t in self.themes], "laws": [self.slug],
        }

    def _first_date(self) -> datetime | None:
        first = min((m.date for m in self.milestones), default=None)
        return datetime.combine(first, datetime.min.time()) if first else None

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.themes), selectinload(cls.milestones))

    def __repr__(self) -> str:
        return f"<Law {self.slug}>"


class LawMilestone(db.Model):
    __tablename__ = "law_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    date: Mapped[date] = mapped_column(Date, index=True)
    label: Mapped[str] = mapped_column(String(300), default="")

    law: Mapped[Law] = relationship(back_populates="milestones")


class InputMoment(db.Model):
    __tablename__ = "input_moments"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    opens: Mapped[date] = mapped_column(Date)
    closes: Mapped[date | None] = mapped_column(Date, nullable=True)
    where: Mapped[str] = mapped_column(String(500), default="")

    law: Mapped[Law] = relationship(back_populates="input_moments")

    def is_open(self, today: date) -> bool:
        return self.opens <= today and (self.closes is None or today <= self.closes)


class Obligation(TimestampMixin, Searchable, db.Model):
    __tablename__ = "obligations"
    search_type = "obligation"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    article: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    applies_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    applies_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    responsible_roles: Mapped[list[str]] = mapped_column(JSON, default=list)

    law: Mapped[Law] = relationship(back_populates="obligations")

    def search_document(self) -> dict:
        return {
            "key": f"obligation:{self.id}", "type": "obligation", "id": self.id,
            "title": f"{self.law.short_name_nl} {self.article}: {self.title}",
            "body": self.description, "extra": " ".join(self.responsible_roles),
            "url": f"/wetgeving/{self.law.slug}#obligation-{self.id}", "visibility": "public",
            "laws": [self.law.slug], "themes": [t.slug for t in self.law.themes],
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.law).selectinload(Law.themes))

    def __repr__(self) -> str:
        return f"<Obligation {self.key}>"
