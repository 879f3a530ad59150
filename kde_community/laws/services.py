"""Queries over laws, obligations and themes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..errors import NotFound
from ..extensions import db
from .models import InputMoment, Law, LawMilestone, Obligation, Theme


def all_themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.name_nl)))


def list_laws(theme: str | None = None, applies_to: str | None = None) -> list[Law]:
    query = select(Law).options(
        selectinload(Law.milestones), selectinload(Law.themes), selectinload(Law.obligations),
        selectinload(Law.input_moments),
    ).order_by(Law.short_name_nl)
    if theme:
        query = query.where(Law.themes.any(Theme.slug == theme))
    laws = list(db.session.scalars(query))
    if applies_to:
        laws = [law for law in laws if any(applies_to in o.applies_to for o in law.obligations)]
    return laws


def get_law_or_404(slug: str) -> Law:
    law = db.session.scalar(
        select(Law).where(Law.slug == slug).options(
            selectinload(Law.milestones), selectinload(Law.themes),
            selectinload(Law.obligations), selectinload(Law.input_moments),
        )
    )
    if law is None:
        raise NotFound()
    return law


def upcoming_milestones(today: date, limit: int = 6) -> list[LawMilestone]:
    return list(db.session.scalars(
        select(LawMilestone)
        .where(LawMilestone.date >= today)
        .options(selectinload(LawMilestone.law))
        .order_by(LawMilestone.date)
        .limit(limit)
    ))


def open_input_moments(today: date) -> list[InputMoment]:
    return list(db.session.scalars(
        select(InputMoment)
        .where(InputMoment.opens <= today,
               or_(InputMoment.closes.is_(None), InputMoment.closes >= today))
        .options(selectinload(InputMoment.law))
        .order_by(InputMoment.closes)
    ))


@dataclass
class ReferenceCounts:
    laws: int
    obligations: int
    organisations: int
    networks: int


def reference_counts() -> ReferenceCounts:
    from ..directory.models import Network, Organisation

    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model)) or 0

    return ReferenceCounts(count(Law), count(Obligation), count(Organisation), count(Network))
