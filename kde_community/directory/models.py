"""Organisations and the networks they take part in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import TimestampMixin, UTCDateTime, utcnow
from ..extensions import db
from ..laws.models import Law, Obligation, Theme
from ..search.models import Searchable

PROVINCES = (
    "Drenthe",
    "Flevoland",
    "Fryslân",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
)
# Organisation types that always lie in one province.
REGIONAL_TYPES = ("gemeente", "provincie", "waterschap")

# Size classes by inhabitants: (slug, lowest, highest exclusive). The peer finder compares
# classes before anything else; the directory filters on them.
SIZE_CLASSES = (
    ("tot-5k", 0, 5_000),
    ("5k-10k", 5_000, 10_000),
    ("10k-20k", 10_000, 20_000),
    ("20k-50k", 20_000, 50_000),
    ("50k-100k", 50_000, 100_000),
    ("100k-250k", 100_000, 250_000),
    ("vanaf-250k", 250_000, None),
)
SIZE_CLASS_SLUGS = tuple(c[0] for c in SIZE_CLASSES)


def size_class_index(inhabitants: int | None) -> int | None:
    if inhabitants is None:
        return None
    for index, (_slug, low, high) in enumerate(SIZE_CLASSES):
        if inhabitants >= low and (high is None or inhabitants < high):
            return index
    return None


# Who a network is for (codes in data and API; labels in templating).
NETWORK_ROLES = ("cio", "ciso", "jurist", "inkoop", "beleid", "bestuur")
NETWORK_STATES = ("active", "proposed", "refused")
# Where an organisation's mail domain comes from.
DOMAIN_SOURCES = ("website", "reference", "moderator", "administrator")
ADMIN_STATES = ("requested", "granted", "refused", "revoked")


@dataclass(frozen=True)
class PublicAudience:
    """Directory entries are public: every revision of them was written for everyone."""

    visibility: str = "public"
    organisation_id: int | None = None
    anonymous: bool = False

network_themes = Table(
    "network_themes",
    db.metadata,
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)
network_members = Table(
    "network_members",
    db.metadata,
    Column("network_id", ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    ),
    # "reference": listed in networks.toml (the loader manages these); "member": a member
    # said "our organisation takes part" (the loader leaves these alone).
    Column("source", String(20), nullable=False, default="reference", server_default="reference"),
    Column("added_by_id", ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=True, default=utcnow),
)


class Organisation(TimestampMixin, Searchable, db.Model):
    __tablename__ = "organisations"
    search_type = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(String(30), index=True)
    province: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    inhabitants: Mapped[int | None] = mapped_column(Integer, nullable=True)
    area_km2: Mapped[float | None] = mapped_column(Float, nullable=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Revisions of the profile (content_type "organisation"); fields edited on the platform
    # are listed in `edited_fields` and the reference loader no longer overwrites them.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    edited_fields: Mapped[list[str]] = mapped_column(JSON, default=list)

    networks: Mapped[list[Network]] = relationship(
        secondary=network_members, order_by="Network.name",
        primaryjoin="Organisation.id == network_members.c.organisation_id",
        secondaryjoin="and_(Network.id == network_members.c.network_id, "
                      "Network.status == 'active')",
        viewonly=True,
    )
    domains: Mapped[list[OrganisationDomain]] = relationship(
        back_populates="organisation", order_by="OrganisationDomain.domain",
        cascade="all, delete-orphan",
    )
    frontrunner_topics: Mapped[list[FrontrunnerTopic]] = relationship(
        back_populates="organisation", order_by="FrontrunnerTopic.id")

    content_type = "organisation"
    audience = PublicAudience()

    @property
    def email_domains(self) -> list[str]:
        return [d.domain for d in self.domains if d.removed_at is None]

    def owns_email(self, email: str) -> bool:
        """True when the address is at one of the organisation's own domains."""
        return domain_matches(email, self.email_domains)

    @property
    def size_class(self) -> int | None:
        return size_class_index(self.inhabitants)

    @property
    def density(self) -> float | None:
        if self.inhabitants and self.area_km2:
            return self.inhabitants / self.area_km2
        return None

    def search_document(self) -> dict:
        facts = [self.type, self.province or "", self.description or ""]
        facts += [topic.subject_name for topic in self.frontrunner_topics
                  if topic.deleted_at is None]
        return {
            "key": f"organisation:{self.id}", "type": "organisation", "id": self.id,
            "title": self.name, "body": " · ".join(f for f in facts if f),
            "extra": " ".join(n.name for n in self.networks),
            "url": f"/organisaties/{self.slug}", "visibility": "public",
            "org_id": self.id, "org_name": self.name, "org_type": self.type,
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.networks),
                                   selectinload(cls.frontrunner_topics))

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


def domain_matches(email: str, domains) -> bool:
    """An address at the domain itself or at a subdomain of it (`x@mail.vaals.nl`)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return any(domain == d or domain.endswith("." + d) for d in domains or [])


class OrganisationDomain(db.Model):
    """An e-mail domain the organisation's staff use. Removed domains are kept (soft delete):
    the reference loader must not add back what a moderator took away."""

    __tablename__ = "organisation_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="website")
    note: Mapped[str] = mapped_column(String(500), default="")
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    organisation: Mapped[Organisation] = relationship(back_populates="domains")


shared_domain_organisations = Table(
    "shared_domain_organisations",
    db.metadata,
    Column("shared_domain_id", ForeignKey("shared_domains.id", ondelete="CASCADE"),
           primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True),
)


class SharedDomain(db.Model):
    """A domain used by the staff of several organisations (a shared service organisation,
    a regional ICT cooperation): a registrant picks the organisation, a moderator confirms."""

    __tablename__ = "shared_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500), default="")

    organisations: Mapped[list[Organisation]] = relationship(
        secondary=shared_domain_organisations, order_by="Organisation.name")


class OrganisationAdmin(db.Model):
    """A member's role as administrator of their organisation: requested by the member,
    granted (or refused, later revoked) by a moderator."""

    __tablename__ = "organisation_admins"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="requested", index=True)
    motivation: Mapped[str] = mapped_column(String(1000), default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    organisation: Mapped[Organisation] = relationship()
    user = relationship("User", foreign_keys=[user_id])


class FrontrunnerTopic(TimestampMixin, Searchable, db.Model):
    """What an organisation is good at: a theme, law or obligation, what they did, and
    whether they are open to collaboration (and with whom to talk)."""

    __tablename__ = "frontrunner_topics"
    search_type = "frontrunner"
    content_type = "frontrunner"
    audience = PublicAudience()

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"), nullable=True,
                                                 index=True)
    law_id: Mapped[int | None] = mapped_column(ForeignKey("laws.id"), nullable=True, index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"),
                                                      nullable=True, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), nullable=True)
    open_to_collaboration: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    organisation: Mapped[Organisation] = relationship(back_populates="frontrunner_topics")
    theme: Mapped[Theme | None] = relationship()
    law: Mapped[Law | None] = relationship()
    obligation: Mapped[Obligation | None] = relationship()
    contact = relationship("User", foreign_keys=[contact_id])
    practice = relationship("Practice", foreign_keys=[practice_id])

    @property
    def subject_name(self) -> str:
        if self.obligation is not None:
            return f"{self.obligation.law.short_name_nl} {self.obligation.article}: " \
                   f"{self.obligation.title}"
        if self.law is not None:
            return self.law.short_name_nl
        return self.theme.name_nl if self.theme is not None else ""

    def search_document(self) -> dict | None:
        if self.deleted_at is not None:
            return None
        org = self.organisation
        law = self.law or (self.obligation.law if self.obligation else None)
        return {
            "key": f"frontrunner:{self.id}", "type": "frontrunner", "id": self.id,
            "title": f"{org.name}: {self.subject_name}", "body": self.summary,
            "extra": " ".join(filter(None, [org.type, org.province or ""])),
            "url": f"/organisaties/{org.slug}#voorloper-{self.id}", "visibility": "public",
            "org_id": org.id, "org_name": org.name, "org_type": org.type,
            "themes": [self.theme.slug] if self.theme else [],
            "laws": [law.slug] if law else [],
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(
            selectinload(cls.organisation), selectinload(cls.theme), selectinload(cls.law),
            selectinload(cls.obligation).selectinload(Obligation.law))



class Network(TimestampMixin, Searchable, db.Model):
    __tablename__ = "networks"
    search_type = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    target_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    how_to_join: Mapped[str] = mapped_column(Text, default="")
    who_may_join: Mapped[str] = mapped_column(Text, default="")
    organiser: Mapped[str] = mapped_column(String(200), default="")
    meeting_rhythm: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    # Proposed by a member, reviewed by an editor; only active networks are listed.
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active",
                                        index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    review_note: Mapped[str] = mapped_column(String(1000), default="")

    themes: Mapped[list[Theme]] = relationship(secondary=network_themes, order_by="Theme.slug")
    members: Mapped[list[Organisation]] = relationship(
        secondary=network_members, order_by="Organisation.name",
    )
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])

    def search_document(self) -> dict | None:
        if self.status != "active":
            return None
        return {
            "key": f"network:{self.id}", "type": "network", "id": self.id, "title": self.name,
            "body": self.description_nl,
            "extra": " ".join([*self.target_roles, self.how_to_join, self.who_may_join,
                               self.organiser]),
            "url": f"/netwerken/{self.slug}", "visibility": "public",
            "themes": [t.slug for t in self.themes],
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.themes))


class ContactMessage(db.Model):
    """A message from one member to a contactable member, delivered by mail with the
    sender as reply-to. Kept for the rate limit and for handling abuse reports."""

    __tablename__ = "contact_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                              index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
