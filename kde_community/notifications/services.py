"""Following questions, laws, themes, organisations and more."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..dbtypes import insert_if_absent, utcnow
from ..errors import Conflict, Forbidden
from ..extensions import db
from ..permissions import can_contribute
from .models import Follow


def is_following(user: User | None, target_type: str, target_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(select(Follow.id).where(
        Follow.user_id == user.id, Follow.target_type == target_type,
        Follow.target_id == target_id)) is not None


def follow(actor: User, target_type: str, target_id: int, *, quiet: bool = False) -> None:
    """Start following; `quiet` makes following twice a no-op instead of a conflict."""
    if not can_contribute(actor):
        raise Forbidden()
    added = insert_if_absent(db.session, Follow, user_id=actor.id, target_type=target_type,
                             target_id=target_id, created_at=utcnow())
    if not added and not quiet:
        raise Conflict(_("U volgt dit al."))


def unfollow(actor: User, target_type: str, target_id: int) -> None:
    row = db.session.scalar(select(Follow).where(
        Follow.user_id == actor.id, Follow.target_type == target_type,
        Follow.target_id == target_id))
    if row is None:
        raise Conflict(_("U volgt dit niet."))
    db.session.delete(row)
