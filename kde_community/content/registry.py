"""The kinds of contribution, by the name stored in (content_type, content_id) rows.

Each domain registers its kinds when the app starts (`register_content_kinds()` in its
views module, called by the app factory), so this package knows no domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..extensions import db


@dataclass(frozen=True)
class ContentKind:
    model: type
    label: object
    url: Callable
    title: Callable
    # Who may see it (moderation pages and reports check this).
    can_view: Callable
    # Called after the item was hidden, restored or deleted (to keep counters right).
    visibility_changed: Callable = lambda obj: None
    # The Dutch word in moderation paths (/melden/<path>/<id>).
    path: str = ""
    # What the item itself says (Markdown), shown on the report form beside its author.
    excerpt: Callable = lambda obj: getattr(obj, "body", "") or ""
    # Whether the viewer may see who wrote it (anonymous write-ups hide their writers) …
    shows_author: Callable = lambda viewer, obj: True
    # … and who wrote a comment on it (a writer's comment on an anonymous write-up).
    shows_comment_author: Callable = lambda viewer, obj, comment: True


_KINDS: dict[str, ContentKind] = {}


def register(name: str, kind: ContentKind) -> None:
    _KINDS[name] = kind


def kinds() -> dict[str, ContentKind]:
    return _KINDS


def kind_for_path(path: str) -> str | None:
    return next((name for name, kind in _KINDS.items() if kind.path == path), None)


def load(content_type: str, content_id: int):
    kind = _KINDS.get(content_type)
    obj = db.session.get(kind.model, content_id) if kind else None
    if obj is None:
        raise NotFound()
    return obj


def register_comments() -> None:
    """Comments belong to this package: they are seen by whoever may see what they are on."""
    from .models import Comment

    def comment_url(comment):
        target = load(comment.target_type, comment.target_id)
        return f"{_KINDS[comment.target_type].url(target)}#reactie-{comment.id}"

    register("comment", ContentKind(
        Comment, _l("Reactie"), comment_url, lambda c: c.body[:80],
        can_view=lambda viewer, c: _KINDS[c.target_type].can_view(
            viewer, load(c.target_type, c.target_id)),
        shows_author=lambda viewer, c: _KINDS[c.target_type].shows_comment_author(
            viewer, load(c.target_type, c.target_id), c),
        path="reactie"))
