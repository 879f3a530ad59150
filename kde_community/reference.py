"""Load the versioned reference data files (data/reference/) into the database.

Rows are matched on their stable key; a second load changes nothing, an edited file
updates rows. A file with a mistake is refused whole, with the reason, before anything
is written. Every row created or changed records an event in the same transaction
(`theme.changed`, `organisation.changed`, `network.changed`, `law.changed`,
`obligation.changed`, payload `fields`: what changed, or ["created"]), which the search
indexer and later consumers act on.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from . import events
from .dbtypes import utcnow
from .directory.models import PROVINCES, REGIONAL_TYPES, Network, Organisation
from .extensions import db
from .laws.models import (
    INSTRUMENTS,
    MILESTONE_KINDS,
    ORGANISATION_TYPES,
    STAGES,
    InputMoment,
    Law,
    LawMilestone,
    Obligation,
    Theme,
)

REFERENCE_DIR = Path(__file__).parent / "data" / "reference"


class ReferenceDataError(ValueError):
    """A reference file breaks a rule; nothing was written."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        if not kinds:
            return "Reference data is up to date: nothing changed."
        return "; ".join(f"{k}: {self.created[k]} new, {self.updated[k]} updated" for k in kinds)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ReferenceDataError(f"{path.name}: file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{path.name}: {exc}") from None


def _require(record: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if record.get(k) in (None, "", [])]
    if missing:
        raise ReferenceDataError(f"{where}: missing {', '.join(missing)}")


def _assign(obj, values: dict, report: LoadReport, kind: str, is_new: bool) -> set[str]:
    """Set the values that differ; returns their names (["created"] for a new row)."""
    changed = set()
    for key, value in values.items():
        current = getattr(obj, key)
        # Related rows: membership matters, not the order they were listed in.
        if (isinstance(value, list) and value and isinstance(value[0], db.Model)
                and {id(v) for v in current} == {id(v) for v in value}):
            continue
        if current != value:
            setattr(obj, key, value)
            changed.add(key)
    if is_new:
        report.created[kind] += 1
        return {"created"}
    if changed:
        report.updated[kind] += 1
    return changed


@dataclass
class _Change:
    """A row created or changed by this load: recorded as an event once it has an id."""

    name: str
    obj: Any
    fields: set[str]
    # network.changed: the organisations whose document names the network (before and after)
    organisations: list = field(default_factory=list)

    def record(self) -> None:
        extra = {}
        if self.name == "network.changed" and self.fields & {"created", "name", "members"}:
            extra["organisation_ids"] = sorted({o if isinstance(o, int) else o.id
                                                for o in self.organisations})
        events.record(self.name, self.name.split(".")[0], self.obj.id,
                      fields=sorted(self.fields), **extra)


def _get_or_new(model, **key):
    obj = db.session.scalar(select(model).filter_by(**key))
    if obj is None:
        obj = model(**key)
        db.session.add(obj)
        return obj, True
    return obj, False


def validate_reference(directory: Path = REFERENCE_DIR) -> dict[str, Any]:
    """Read and check every file; returns the parsed data or raises ReferenceDataError."""
    themes = _read(directory / "themes.toml").get("theme", [])
    theme_slugs = set()
    for t in themes:
        _require(t, ("slug", "name_nl", "name_en"), f"themes.toml {t.get('slug')}")
        theme_slugs.add(t["slug"])
    orgs = _read(directory / "organisations.toml").get("organisation", [])
    org_slugs: set[str] = set()
    for o in orgs:
        where = f"organisations.toml {o.get('slug')}"
        _require(o, ("slug", "name", "type"), where)
        if o["slug"] in org_slugs:
            raise ReferenceDataError(f"{where}: slug used twice")
        org_slugs.add(o["slug"])
        if o["type"] not in ORGANISATION_TYPES:
            raise ReferenceDataError(f"{where}: unknown type {o['type']!r}")
        if o["type"] in REGIONAL_TYPES and o.get("province") not in PROVINCES:
            raise ReferenceDataError(f"{where}: needs a province from {PROVINCES}")
    networks = _read(directory / "networks.toml").get("network", [])
    for n in networks:
        where = f"networks.toml {n.get('slug')}"
        _require(n, ("slug", "name"), where)
        for slug in n.get("themes", []):
            if slug not in theme_slugs:
                raise ReferenceDataError(f"{where}: unknown theme {slug!r}")
        for slug in n.get("members", []):
            if slug not in org_slugs:
                raise ReferenceDataError(f"{where}: unknown member {slug!r}")
    laws = []
    obligation_keys: set[str] = set()
    for path in sorted((directory / "laws").glob("*.toml")):
        law = _read(path)
        where = f"laws/{path.name}"
        _require(law, ("slug", "short_name_nl", "short_name_en", "full_title", "celex",
                       "instrument", "stage"), where)
        if law["instrument"] not in INSTRUMENTS:
            raise ReferenceDataError(f"{where}: unknown instrument {law['instrument']!r}")
        if law["stage"] not in STAGES:
            raise ReferenceDataError(f"{where}: unknown stage {law['stage']!r}")
        for slug in law.get("themes", []):
            if slug not in theme_slugs:
                raise ReferenceDataError(f"{where}: unknown theme {slug!r}")
        for m in law.get("milestones", []):
            if m.get("kind") not in MILESTONE_KINDS or not isinstance(m.get("date"), date):
                raise ReferenceDataError(f"{where}: milestone needs a known kind and a date: {m}")
        for i in law.get("input_moments", []):
            if not isinstance(i.get("opens"), date):
                raise ReferenceDataError(f"{where}: input moment needs an opening date")
        for ob in law.get("obligations", []):
            _require(ob, ("key", "article", "title", "applies_to"), f"{where} obligation")
            if ob["key"] in obligation_keys:
                raise ReferenceDataError(f"{where}: obligation key {ob['key']!r} used twice")
            obligation_keys.add(ob["key"])
            unknown = set(ob["applies_to"]) - set(ORGANISATION_TYPES)
            if unknown:
                raise ReferenceDataError(f"{where}: {ob['key']} applies to unknown {unknown}")
        laws.append(law)
    return {"themes": themes, "organisations": orgs, "networks": networks, "laws": laws}


def load_reference(directory: Path = REFERENCE_DIR) -> LoadReport:
    data = validate_reference(directory)
    report = LoadReport()
    changes: list[_Change] = []

    def note(name: str, obj, fields: set[str], **extra) -> None:
        if fields:
            changes.append(_Change(name, obj, fields, **extra))

    themes = {}
    for t in data["themes"]:
        theme, new = _get_or_new(Theme, slug=t["slug"])
        note("theme.changed", theme, _assign(theme, {
            "name_nl": t["name_nl"], "name_en": t["name_en"],
            "description_nl": t.get("description_nl", ""),
            "description_en": t.get("description_en", "")}, report, "themes", new))
        themes[theme.slug] = theme
    orgs = {}
    for o in data["organisations"]:
        org, new = _get_or_new(Organisation, slug=o["slug"])
        note("organisation.changed", org, _assign(org, {
            "name": o["name"], "type": o["type"], "province": o.get("province"),
            "inhabitants": o.get("inhabitants"),
            "area_km2": float(o["area_km2"]) if o.get("area_km2") is not None else None,
            "email_domains": [d.lower() for d in o.get("email_domains", [])],
            "website": o.get("website", ""), "description": o.get("description", ""),
        }, report, "organisations", new))
        orgs[org.slug] = org
    for n in data["networks"]:
        network, new = _get_or_new(Network, slug=n["slug"])
        before = [] if new else [org.id for org in network.members]
        members = [orgs[s] for s in n.get("members", [])]
        note("network.changed", network, _assign(network, {
            "name": n["name"], "description_nl": n.get("description_nl", ""),
            "target_roles": n.get("target_roles", []), "how_to_join": n.get("how_to_join", ""),
            "website": n.get("website", ""),
            "themes": [themes[s] for s in n.get("themes", [])],
            "members": members,
        }, report, "networks", new), organisations=[*before, *members])
    for raw in data["laws"]:
        _load_law(raw, themes, report, note)
    if changes:
        db.session.flush()  # ids for the events of new rows
        for change in changes:
            change.record()
    db.session.commit()
    return report


def _load_law(raw: dict, themes: dict[str, Theme], report: LoadReport, note) -> None:
    law, new = _get_or_new(Law, slug=raw["slug"])
    old_signature = None if new else _timeline_signature(law.stage, law.milestones)
    fields = _assign(law, {
        "short_name_nl": raw["short_name_nl"], "short_name_en": raw["short_name_en"],
        "aliases": raw.get("aliases", []), "abbreviations": raw.get("abbreviations", []),
        "full_title": raw["full_title"], "celex": raw["celex"], "instrument": raw["instrument"],
        "stage": raw["stage"], "stage_note": raw.get("stage_note", ""),
        "summary": raw.get("summary", ""),
        "dutch_implementation": raw.get("dutch_implementation", ""),
        "sources": raw.get("sources", []),
        "themes": [themes[s] for s in raw.get("themes", [])],
    }, report, "laws", new)
    wanted_milestones = [(m["kind"], m["date"], m.get("label", "")) for m in raw.get("milestones", [])]
    if [(m.kind, m.date, m.label) for m in law.milestones] != wanted_milestones:
        law.milestones = [LawMilestone(kind=k, date=d, label=label) for k, d, label in wanted_milestones]
        if not new:
            report.updated["milestones"] += 1
            fields.add("milestones")
    wanted_inputs = [(i.get("title", ""), i["opens"], i.get("closes"), i.get("where", ""))
                     for i in raw.get("input_moments", [])]
    if [(i.title, i.opens, i.closes, i.where) for i in law.input_moments] != wanted_inputs:
        law.input_moments = [InputMoment(title=t, opens=o, closes=c, where=w)
                             for t, o, c, w in wanted_inputs]
        if not new:
            report.updated["input moments"] += 1
            fields.add("input_moments")
    if old_signature is not None and old_signature != _timeline_signature(
            raw["stage"], [(m[0], m[1]) for m in wanted_milestones]):
        law.changed_at = utcnow()
    note("law.changed", law, fields)
    existing = {o.key: o for o in law.obligations}
    for ob in raw.get("obligations", []):
        obligation = existing.get(ob["key"])
        is_new = obligation is None
        if is_new:
            obligation = Obligation(key=ob["key"])
            law.obligations.append(obligation)
        note("obligation.changed", obligation, _assign(obligation, {
            "article": ob["article"], "title": ob["title"],
            "description": ob.get("description", ""), "applies_to": ob["applies_to"],
            "applies_from": ob.get("applies_from"),
            "responsible_roles": ob.get("responsible_roles", []),
        }, report, "obligations", is_new))


def _timeline_signature(stage: str, milestones) -> tuple:
    pairs = [(m.kind, m.date) if isinstance(m, LawMilestone) else tuple(m) for m in milestones]
    return stage, tuple(sorted(pairs))
