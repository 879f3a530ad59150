"""One pagination helper for pages and the API."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from .dbtypes import as_int
from .errors import ValidationError
from .extensions import db

MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000  # page * per_page stays far inside a 64-bit OFFSET


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(args, default_per_page: int = 20) -> tuple[int, int]:
    """`page` and `per_page` from query arguments; bad values raise ValidationError."""
    errors = {}
    page = as_int(args.get("page", "1"), minimum=1, maximum=MAX_PAGE)
    if page is None:
        errors["page"] = _("Geef een paginanummer van 1 of hoger.")
        page = 1
    per_page = as_int(args.get("per_page", str(default_per_page)), minimum=1, maximum=MAX_PER_PAGE)
    if per_page is None:
        errors["per_page"] = _("Geef een aantal per pagina van 1 tot en met %(n)d.", n=MAX_PER_PAGE)
        per_page = default_per_page
    if errors:
        raise ValidationError(errors)
    return page, per_page


def paginate(query: Select, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, total=total or 0, page=page, per_page=per_page)
