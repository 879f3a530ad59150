"""The search outbox and the mixin every searchable model uses to describe itself."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime, utcnow
from ..extensions import db


class SearchOutbox(db.Model):
    """A document whose index entry must be refreshed, written with the change itself."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(30))
    doc_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Searchable:
    """Mixin: a model that is (part of) a search document.

    Subclasses set `search_type` when they are a document of their own, implement
    `search_document()` (a dict, or None when it must not be in the index), and
    `search_query()` (all rows, eagerly loaded, for a rebuild). A row that only feeds
    another document (an answer feeds its question) overrides `search_keys()`.
    """

    search_type: ClassVar[str | None] = None
    registry: ClassVar[dict[str, type]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("search_type"):
            Searchable.registry[cls.search_type] = cls

    def search_keys(self) -> list[tuple[str, int]]:
        return [(self.search_type, self.id)]

    def search_document(self) -> dict | None:
        raise TypeError(f"{type(self).__name__} must describe its own search document")

    @classmethod
    def search_query(cls):
        from sqlalchemy import select

        return select(cls)
