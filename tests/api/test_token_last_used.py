"""A token's `last_used_at` is written at most once a minute, not on every API request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from kde_community.accounts.models import ApiToken
from kde_community.dbtypes import utcnow
from kde_community.extensions import db


def token_writes(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("UPDATE") and "api_tokens" in s)


def test_last_used_at_is_written_at_most_once_a_minute(client, auth):
    user, headers = auth()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for _ in range(5):
            assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert token_writes(statements) == 1
        token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
        db.session.refresh(token)
        first = token.last_used_at
        assert first is not None and utcnow() - first < timedelta(seconds=30)

        # A minute later the next request writes again, once.
        token.last_used_at = first - timedelta(seconds=61)
        db.session.commit()
        statements.clear()
        for _ in range(3):
            assert client.get("/api/v1/laws", headers=headers).status_code == 200
        assert token_writes(statements) == 1
        db.session.refresh(token)
        assert token.last_used_at > first
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
