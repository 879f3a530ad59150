"""The kinds of contribution, by the name stored in (content_type, content_id) rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..errors import NotFound
from ..extensions import db


@dataclass(frozen=True)
class ContentKind:
    model: type
    label: object
    url: Callable
    title: Callable
    # Called after the item was hidden, restored or deleted (to keep counters right).
    visibility_changed: Callable = lambda obj: None
    # Who may see it (moderation pages and reports check this).
    can_view: Callable | None = None


@cache
def kinds() -> dict[str, ContentKind]:
    """Every kind, listed here explicitly (new domains add a line)."""
    from ..permissions import can_view_post, can_view_practice
    from ..practices.models import Practice
    from ..questions.models import Answer, Question
    from ..questions.services import after_visibility_change
    from .models import Comment

    def comment_url(comment):
        target = load(comment.target_type, comment.target_id)
        return f"{kinds()[comment.target_type].url(target)}#reactie-{comment.id}"

    return {
        "question": ContentKind(
            Question, _l("Vraag"),
            lambda q: url_for("questions.detail", question_id=q.id), lambda q: q.title,
            can_view=can_view_post),
        "answer": ContentKind(
            Answer, _l("Antwoord"),
            lambda a: url_for("questions.detail", question_id=a.question_id,
                              _anchor=f"antwoord-{a.id}"),
            lambda a: a.question.title, after_visibility_change, can_view=can_view_post),
        "practice": ContentKind(
            Practice, _l("Praktijk"),
            lambda p: url_for("practices.detail", practice_id=p.id), lambda p: p.title,
            can_view=can_view_practice),
        "comment": ContentKind(Comment, _l("Reactie"), comment_url, lambda c: c.body[:80],
                               can_view=lambda viewer, c: kinds()[c.target_type].can_view(
                                   viewer, load(c.target_type, c.target_id))),
    }


def load(content_type: str, content_id: int):
    kind = kinds().get(content_type)
    obj = db.session.get(kind.model, content_id) if kind else None
    if obj is None:
        raise NotFound()
    return obj
