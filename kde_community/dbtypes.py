"""Column types and mixins shared by all domains."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

# Identifiers and counts are `Integer` columns: 32-bit `integer` on PostgreSQL (64-bit on
# SQLite). A larger number from a URL, a form or a query can never name a row and must not
# reach the driver (PostgreSQL answers "integer out of range", a 500).
MAX_INT = 2**31 - 1


def as_int(value, *, minimum: int = 0, maximum: int = MAX_INT) -> int | None:
    """A whole number within bounds from user input (str or int), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value or len(value) > 20 or not value.lstrip("-").isdigit():
            return None
        value = int(value)
    if not isinstance(value, int) or not minimum <= value <= maximum:
        return None
    return value


def insert_if_absent(session, model, **values) -> bool:
    """Insert one row unless a unique constraint already holds its twin; True when inserted.

    Race-free on SQLite and PostgreSQL (`ON CONFLICT DO NOTHING`): twelve simultaneous votes
    make one reaction and eleven polite conflicts, never an IntegrityError.
    """
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # RETURNING tells what happened; the row count does not (psycopg reports -1 here).
    primary_key = list(model.__table__.primary_key.columns)
    result = session.execute(insert(model).values(**values).on_conflict_do_nothing()
                             .returning(*primary_key))
    return result.first() is not None


def escape_like(text: str) -> str:
    """Text to match literally inside a LIKE pattern (with escape="\\")."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite stores them naive)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
