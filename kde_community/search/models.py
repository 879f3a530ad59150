"""The mixin every searchable model uses to describe itself."""

from __future__ import annotations

from typing import ClassVar


class Searchable:
    """Mixin: a model that is a search document of its own.

    Subclasses set `search_type`, implement `search_document()` (a dict, or None when it must
    not be in the index: hidden, deleted) and `search_query()` (rows eagerly loaded for
    building documents). Which events refresh which documents is the indexer's business
    (search/indexer.py), not the model's.
    """

    search_type: ClassVar[str | None] = None
    registry: ClassVar[dict[str, type]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("search_type"):
            Searchable.registry[cls.search_type] = cls

    def search_document(self) -> dict | None:
        raise TypeError(f"{type(self).__name__} must describe its own search document")

    @classmethod
    def search_query(cls):
        from sqlalchemy import select

        return select(cls)
