"""Organisations and the networks they take part in."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import TimestampMixin
from ..extensions import db
from ..laws.models import Theme
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
    email_domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    networks: Mapped[list[Network]] = relationship(
        secondary=network_members, back_populates="members", order_by="Network.name"
    )

    def owns_email(self, email: str) -> bool:
        """True when the address is at one of the organisation's own domains."""
        domain = email.rsplit("@", 1)[-1].lower()
        return any(domain == d or domain.endswith("." + d) for d in self.email_domains or [])

    def search_document(self) -> dict:
        facts = [self.type, self.province or "", self.description or ""]
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

        return select(cls).options(selectinload(cls.networks))

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class Network(TimestampMixin, Searchable, db.Model):
    __tablename__ = "networks"
    search_type = "network"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    target_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    how_to_join: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")

    themes: Mapped[list[Theme]] = relationship(secondary=network_themes, order_by="Theme.slug")
    members: Mapped[list[Organisation]] = relationship(
        secondary=network_members, back_populates="networks", order_by="Organisation.name"
    )

    def search_document(self) -> dict:
        return {
            "key": f"network:{self.id}", "type": "network", "id": self.id, "title": self.name,
            "body": self.description_nl, "extra": " ".join(self.target_roles + [self.how_to_join]),
            "url": f"/netwerken/{self.slug}", "visibility": "public",
            "themes": [t.slug for t in self.themes],
        }

    @classmethod
    def search_query(cls):
        from sqlalchemy import select
        from sqlalchemy.orm import selectinload

        return select(cls).options(selectinload(cls.themes))
