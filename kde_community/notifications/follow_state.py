"""What a page's follow button needs to know, asked the same way by every page that has one
(laws, obligations, organisations, networks, practices, clause sets, and theme-filtered lists).
"""

from __future__ import annotations

from ..accounts.models import User
from ..permissions import can_contribute
from . import services


def follow_state(viewer: User | None, target_type: str, obj) -> bool | None:
    """None when the page shows no follow button (a visitor, nothing to follow, or something
    the viewer may not follow, such as a network still waiting for review); otherwise whether
    the viewer follows it already. At most one query, so a page's statement count stays the
    same whatever it shows."""
    if obj is None or not can_contribute(viewer) \
            or not services.can_view_target(viewer, target_type, obj):
        return None
    return services.is_following(viewer, target_type, obj.id)


def only_theme(asked: list[str], themes):
    """The theme a list is filtered on, when exactly one known theme is asked for (the
    values of its `thema` query argument); else None."""
    if len(asked) != 1:
        return None
    return next((theme for theme in themes if theme.slug == asked[0].strip()), None)
