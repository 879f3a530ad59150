"""Who may see or change what. One function per question; views, API, search and feeds use these."""

from __future__ import annotations

from .accounts.models import User


def is_member(actor: User | None) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.can_log_in


def can_moderate_members(actor: User | None) -> bool:
    return is_member(actor) and actor.has_role("moderator")


def can_edit_reference_data(actor: User | None) -> bool:
    return is_member(actor) and actor.has_role("editor")


def can_manage_tokens(actor: User | None, owner: User) -> bool:
    return is_member(actor) and actor.id == owner.id


def can_view_profile(actor: User | None, profile: User) -> bool:
    """Profiles are for members: outsiders never see who works where."""
    return is_member(actor) and profile.can_log_in or can_moderate_members(actor)
