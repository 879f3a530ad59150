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
    "withdrawn",
)
# Stages of an act that is not adopted yet: shown as "in the pipeline".
PIPELINE_STAGES = ("proposal", "negotiation")
MILESTONE_KINDS = (
    "proposal",
    "adoption",
    "publication",
    "entry_into_force",
    "application",
    "transposition_deadline",
    "review",
    "amendment",
    "position",  # the Council's mandate or the Parliament's position on a proposal
    "court",  # a case before, or a ruling of, the Court of Justice
    "national",  # a Dutch implementing act published or in force
)
# What an obligation asks of a municipality, province or water board.
OBLIGATION_ROLES = ("direct", "procurement", "customer_right", "context")

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
    summary_en: Mapped[str] = mapped_column(Text, default="")
    dutch_implementation: Mapped[str] = mapped_column(Text, default="")
    dutch_implementation_en: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # A proposal names the laws it would amend or repeal, and related ones (law slugs).
    amends: Mapped[list[str]] = mapped_column(JSON, default=list)
    repeals: Mapped[list[str]] = mapped_column(JSON, default=list)
    related: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Editors change laws on the platform: each change is a revision; the fields they changed
    # are listed so the reference loader reports, and never overwrites, a differing file value.
    revision: Mapped[int] = mapped_column(default=1)
    edited_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
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

    content_type = "law"

    def short_name(self, locale: str) -> str:
        return self.short_name_en if locale == "en" else self.short_name_nl

    def text(self, name: str, locale: str) -> str:
        """A field in the reader's language (`summary`, `dutch_implementation`)."""
        return getattr(self, f"{name}_en") if locale == "en" else getattr(self, name)

    @property
    def in_pipeline(self) -> bool:
        return self.stage in PIPELINE_STAGES

    @property
    def audience(self):
        from ..content.models import Audience

        return Audience("public", None)

    def search_document(self) -> dict:
        return {
            "key": f"law:{self.id}", "type": "law", "id": self.id,
            "title": self.short_name_nl if self.short_name_en == self.short_name_nl
            else f"{self.short_name_nl} ({self.short_name_en})",
            "body": "\n\n".join([self.summary, self.full_title, self.dutch_implementation,
                                  self.summary_en, self.dutch_implementation_en]),
            "extra": " ".join([*self.aliases, *self.abbreviations, self.celex]),
            "url": f"/wetgeving/{self.slug}", "visibility": "public",
            "date": self._first_date(),
            "themes": [t.slug for t in self.themes], "laws": [self.slug], "about": self.slug,
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
    label_en: Mapped[str] = mapped_column(String(300), default="")

    law: Mapped[Law] = relationship(back_populates="milestones")

    def label_for(self, locale: str) -> str:
        return self.label_en if locale == "en" else self.label


class InputMoment(db.Model):
    __tablename__ = "input_moments"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300), default="")
    opens: Mapped[date] = mapped_column(Date)
    closes: Mapped[date | None] = mapped_column(Date, nullable=True)
    where: Mapped[str] = mapped_column(String(500), default="")

    law: Mapped[Law] = relationship(back_populates="input_moments")

    def title_for(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title

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
    # A start or scope that depends on an event (e.g. designation as a critical entity),
    # shown as a condition instead of a false date.
    applies_condition: Mapped[str] = mapped_column(Text, default="")
    responsible_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    title_en: Mapped[str] = mapped_column(String(300), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(20), default="direct", index=True)
    addressee: Mapped[str] = mapped_column(String(200), default="")
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    checked_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    revision: Mapped[int] = mapped_column(default=1)
    edited_fields: Mapped[list[str]] = mapped_column(JSON, default=list)

    law: Mapped[Law] = relationship(back_populates="obligations")

    content_type = "obligation"

    @property
    def url(self) -> str:
        return f"/wetgeving/{self.law.slug}/verplichtingen/{self.key}"

    def title_for(self, locale: str) -> str:
        return self.title_en if locale == "en" else self.title

    def description_for(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description

    @property
    def audience(self):
        from ..content.models import Audience

        return Audience("public", None)

    def search_document(self) -> dict:
        return {
            "key": f"obligation:{self.id}", "type": "obligation", "id": self.id,
            "title": f"{self.law.short_name_nl} {self.article}: {self.title}",
            "body": "\n\n".join([self.description, self.title_en, self.description_en]),
            "extra": " ".join([*self.responsible_roles, self.addressee]),
            "url": self.url, "visibility": "public",
            "laws": [self.law.slug], "themes": [t.slug for t in self.law.themes],
            "about": self.law.slug,
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.law).selectinload(Law.themes))

    def __repr__(self) -> str:
        return f"<Obligation {self.key}>"


# Sources readers can trust: EU institutions and Dutch government. Every law and obligation cites
# at least one source on these domains (a domain or any of its subdomains).
OFFICIAL_SOURCE_DOMAINS = (
    "europa.eu",  # EUR-Lex, the Commission, the Council, the Parliament, the Court, EDPB, ENISA
    "overheid.nl",  # wetten.overheid.nl, zoek.officielebekendmakingen.nl is below
    "officielebekendmakingen.nl",
    "rijksoverheid.nl",
    "internetconsultatie.nl",
    "tweedekamer.nl",
    "eerstekamer.nl",
    "ncsc.nl",
    "nctv.nl",
    "autoriteitpersoonsgegevens.nl",
    "digitoegankelijk.nl",
    "digitaleoverheid.nl",
    "rvo.nl",
    "rdi.nl",
    "acm.nl",
    "raadvanstate.nl",
)


def is_official_source(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == d or host.endswith("." + d) for d in OFFICIAL_SOURCE_DOMAINS)
