"""One submission, one result: the same form posted twice (back + resubmit, a double click,
three parallel requests) or an API `POST` repeated with the same `Idempotency-Key` creates
one item; the repeats get the first result.

The key is claimed with `INSERT … ON CONFLICT DO NOTHING` in the request's own transaction,
before the work runs: a parallel twin waits on the claim (SQLite's write lock, PostgreSQL's
unique index) and, once the first commits, finds the stored result. When the first fails
(a 4xx, an exception) its transaction rolls back and the key is free again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import JSON, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from .dbtypes import UTCDateTime, insert_if_absent, utcnow
from .errors import Conflict, ValidationError
from .extensions import db

KEEP = timedelta(hours=24)
KEY_MAX = 200


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "actor_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(KEY_MAX))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def fingerprint(data) -> str:
    """A stable hash of what was submitted, to tell a repeat from a different request."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def valid_key(key: str | None) -> str | None:
    """A usable key (printable, ≤ 200 characters) or None."""
    if not key or len(key) > KEY_MAX or not key.isprintable():
        return None
    return key


def replay_or_run(scope: str, actor_id: int, key: str, run: Callable[[], tuple[int, dict]],
                  request_fingerprint: str = "") -> tuple[int, dict]:
    """The stored result of an earlier submission with this key, or run it and store its result.

    `run` returns (status, JSON-able body). The same key with another request fingerprint is
    refused (422): a key names one submission.
    """
    now = utcnow()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEEP))
    claimed = insert_if_absent(db.session, IdempotencyKey, scope=scope, actor_id=actor_id,
                               key=key, fingerprint=request_fingerprint, created_at=now)
    row = db.session.scalar(select(IdempotencyKey).where(
        IdempotencyKey.scope == scope, IdempotencyKey.actor_id == actor_id,
        IdempotencyKey.key == key))
    if not claimed:
        if row.fingerprint != request_fingerprint:
            raise ValidationError({"idempotency_key": _(
                "Deze sleutel hoort al bij een ander verzoek; gebruik voor elk nieuw verzoek "
                "een nieuwe sleutel.")})
        if row.status is None:  # the first is still running in another transaction
            raise Conflict(_("Dit verzoek wordt al verwerkt."))
        return row.status, row.body or {}
    status, body = run()
    row.status, row.body = status, body
    db.session.flush()
    return status, body
