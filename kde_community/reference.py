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
from .directory.domains import registrable_domain
from .directory.models import (
    NETWORK_ROLES,
    PROVINCES,
    REGIONAL_TYPES,
    Network,
    Organisation,
    OrganisationDomain,
    SharedDomain,
    network_members,
)
from .extensions import db
from .laws.models import ORGANISATION_TYPES, Law, Theme
from .laws.services import (
    LAW_FIELDS,
    OBLIGATION_FIELDS,
    FieldConflict,
    InputValue,
    MilestoneValue,
    save_law,
    save_obligation,
    validate_law_values,
    validate_obligation_values,
)

REFERENCE_DIR = Path(__file__).parent / "data" / "reference"


class ReferenceDataError(ValueError):
    """A reference file breaks a rule; nothing was written."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    # File values not written because an editor changed the field on the platform.
    conflicts: list[FieldConflict] = field(default_factory=list)

    def summary(self) -> str:
        kinds = sorted(set(self.created) | set(self.updated))
        lines = ["; ".join(f"{k}: {self.created[k]} new, {self.updated[k]} updated"
                           for k in kinds) if kinds
                 else "Reference data is up to date: nothing changed."]
        if self.conflicts:
            lines.append(f"{len(self.conflicts)} conflict(s) with editors' changes; the "
                         "editors' values were kept:")
            lines += [f"  - {c}" for c in self.conflicts]
        return "\n".join(lines)


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ReferenceDataError(f"{path.name}: file is missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{path.name}: {exc}") from None


def _read_list(path: Path, key: str) -> list[dict]:
    """An optional file's `[[key]]` tables ([] when the file does not exist)."""
    return _read(path).get(key, []) if path.exists() else []


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
    """The row with this key, or a new one added to the session. All rows of a model are read
    once per load (one query instead of one per file record)."""
    (name, value), = key.items()
    cache = db.session.info.setdefault("reference_rows", {})
    if (model, name) not in cache:
        cache[(model, name)] = {getattr(row, name): row for row in db.session.scalars(select(model))}
    rows = cache[(model, name)]
    obj = rows.get(value)
    if obj is None:
        obj = rows[value] = model(**key)
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
    domain_owner: dict[str, str] = {}
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
        o["_domains"] = _organisation_domains(o, where)
        for domain in o["_domains"]:
            if domain in domain_owner:
                raise ReferenceDataError(
                    f"{where}: domain {domain} also belongs to {domain_owner[domain]}")
            domain_owner[domain] = o["slug"]
    shared = _read_list(directory / "shared_domains.toml", "shared_domain")
    for d in shared:
        where = f"shared_domains.toml {d.get('domain')}"
        _require(d, ("domain", "name", "organisations", "source"), where)
        if d["domain"] in domain_owner:
            raise ReferenceDataError(f"{where}: also a domain of {domain_owner[d['domain']]}")
        for slug in d["organisations"]:
            if slug not in org_slugs:
                raise ReferenceDataError(f"{where}: unknown organisation {slug!r}")
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
        unknown_roles = set(n.get("target_roles", [])) - set(NETWORK_ROLES)
        if unknown_roles:
            raise ReferenceDataError(f"{where}: unknown target roles {sorted(unknown_roles)}, "
                                     f"use {NETWORK_ROLES}")
    laws = _read_laws(directory, theme_slugs)
    return {"themes": themes, "organisations": orgs, "networks": networks, "laws": laws,
            "shared_domains": shared}


def _organisation_domains(o: dict, where: str) -> dict[str, tuple[str, str]]:
    """domain → (source, note): the listed `email_domains` (with `email_domains_source`), or
    else the registrable domain of the website."""
    if "email_domains" in o:
        if o["email_domains"] and not o.get("email_domains_source"):
            raise ReferenceDataError(f"{where}: email_domains needs an email_domains_source")
        domains = {}
        for raw in o["email_domains"]:
            domain = raw.lower()
            if registrable_domain(domain) is None:
                raise ReferenceDataError(f"{where}: {raw!r} is not a registrable domain")
            domains[domain] = ("reference", o.get("email_domains_source", ""))
        return domains
    domain = registrable_domain(o.get("website"))
    if o.get("website") and domain is None:
        raise ReferenceDataError(f"{where}: website {o['website']!r} has no registrable domain")
    return {domain: ("website", o["website"])} if domain else {}


def load_reference(directory: Path = REFERENCE_DIR) -> LoadReport:
    data = validate_reference(directory)
    db.session.info.pop("reference_rows", None)
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
    domain_rows = {row.domain: row for row in db.session.scalars(select(OrganisationDomain))}
    for o in data["organisations"]:
        org, new = _get_or_new(Organisation, slug=o["slug"])
        values = {
            "name": o["name"], "type": o["type"], "province": o.get("province"),
            "inhabitants": o.get("inhabitants"),
            "area_km2": float(o["area_km2"]) if o.get("area_km2") is not None else None,
            "website": o.get("website", ""), "description": o.get("description", ""),
        }
        # What members changed on the platform is newer than the file.
        for name in org.edited_fields or []:
            values.pop(name, None)
        changed = _assign(org, values, report, "organisations", new)
        if _sync_domains(org, o["_domains"], domain_rows) and not new:
            if not changed:
                report.updated["organisations"] += 1
            changed.add("email_domains")
        note("organisation.changed", org, changed)
        orgs[org.slug] = org
    _load_shared_domains(data["shared_domains"], orgs, report)
    db.session.flush()
    for n in data["networks"]:
        network, new = _get_or_new(Network, slug=n["slug"])
        changed = _assign(network, {
            "name": n["name"], "description_nl": n.get("description_nl", ""),
            "target_roles": n.get("target_roles", []), "how_to_join": n.get("how_to_join", ""),
            "who_may_join": n.get("who_may_join", ""), "organiser": n.get("organiser", ""),
            "meeting_rhythm": n.get("meeting_rhythm", ""), "website": n.get("website", ""),
            "themes": [themes[s] for s in n.get("themes", [])],
        }, report, "networks", new)
        db.session.flush()
        touched = _sync_members(network, [orgs[s].id for s in n.get("members", [])])
        if touched and not new:
            if not changed:
                report.updated["networks"] += 1
            changed.add("members")
        if changed & {"created", "name"}:  # every member's document names the network
            touched = sorted(set(touched) | {o.id for o in network.members})
        note("network.changed", network, changed, organisations=touched)
    if changes:
        db.session.flush()  # ids for the events of new rows
        for change in changes:
            change.record()
    slugs = frozenset(raw["slug"] for raw in data["laws"])
    for raw in data["laws"]:
        _load_law(raw, report, slugs)
    db.session.info.pop("reference_rows", None)
    db.session.commit()
    return report


def _sync_domains(org: Organisation, wanted: dict[str, tuple[str, str]],
                  rows: dict[str, OrganisationDomain]) -> bool:
    """Add the file's domains that are new; retire file-made domains the file no longer lists.
    A domain a moderator removed stays removed, one a moderator added stays, and a domain that
    belongs to another organisation on the platform is left with it."""
    changed = False
    for domain, (source, note) in wanted.items():
        row = rows.get(domain)
        if row is None:
            row = OrganisationDomain(domain=domain, source=source, note=note[:500], created_at=utcnow())
            org.domains.append(row)
            rows[domain] = row
            changed = True
    for row in list(org.domains):
        if row.removed_at is None and row.source in ("website", "reference") \
                and row.domain not in wanted:
            row.removed_at = utcnow()
            changed = True
    return changed


def _load_shared_domains(records: list[dict], orgs: dict, report: LoadReport) -> None:
    for d in records:
        shared, new = _get_or_new(SharedDomain, domain=d["domain"].lower())
        _assign(shared, {"name": d["name"], "source": d["source"],
                         "organisations": [orgs[s] for s in d["organisations"]]},
                report, "shared domains", new)


def _sync_members(network: Network, wanted: list[int]) -> list[int]:
    """Make the file's members the network's "reference" members; members who joined on the
    platform stay. Returns the organisations whose membership changed."""
    table = network_members
    rows = dict(db.session.execute(select(table.c.organisation_id, table.c.source)
                                   .where(table.c.network_id == network.id)).all())
    touched = []
    for org_id in dict.fromkeys(wanted):
        if org_id not in rows:
            db.session.execute(table.insert().values(network_id=network.id,
                                                     organisation_id=org_id,
                                                     source="reference", created_at=utcnow()))
            touched.append(org_id)
        elif rows[org_id] != "reference":
            db.session.execute(table.update().where(table.c.network_id == network.id,
                                                    table.c.organisation_id == org_id)
                               .values(source="reference"))
    stale = [org_id for org_id, source in rows.items()
             if source == "reference" and org_id not in wanted]
    if stale:
        db.session.execute(table.delete().where(table.c.network_id == network.id,
                                                table.c.organisation_id.in_(stale)))
        touched += stale
    if touched:
        db.session.expire(network, ["members"])
    return touched


def _read_laws(directory: Path, theme_slugs: set[str]) -> list[dict]:
    """laws/*.toml (adopted acts) then laws/proposals/*.toml, each checked by the same rules
    the editors' forms apply, so a file can hold nothing an editor could not enter."""
    paths = [*sorted((directory / "laws").glob("*.toml")),
             *sorted((directory / "laws" / "proposals").glob("*.toml"))]
    raws = [(f"laws/{p.relative_to(directory / 'laws')}", _read(p)) for p in paths]
    law_slugs = {raw.get("slug") for _, raw in raws}
    obligation_keys: set[str] = set()
    laws = []
    for where, raw in raws:
        _require(raw, ("slug", "short_name_nl", "short_name_en", "full_title", "celex",
                       "instrument", "stage", "checked_on"), where)
        proposal = where.startswith("laws/proposals/")
        if proposal != raw["celex"].startswith("5"):
            raise ReferenceDataError(f"{where}: proposals (laws/proposals/) have a CELEX starting "
                                     "with 5, adopted acts (laws/) one starting with 3")
        for m in raw.get("milestones", []):
            if not isinstance(m.get("date"), date):
                raise ReferenceDataError(f"{where}: milestone needs a date: {m}")
        for i in raw.get("input_moments", []):
            if not isinstance(i.get("opens"), date):
                raise ReferenceDataError(f"{where}: input moment needs an opening date")
        raw["_values"] = _law_values(raw)
        errors = validate_law_values(raw["_values"], known_laws=law_slugs,
                                     known_themes=theme_slugs)
        if errors:
            raise ReferenceDataError(f"{where}: " + "; ".join(f"{k}: {v}" for k, v in
                                                              sorted(errors.items())))
        if not proposal and len(raw.get("obligations", [])) < 1:
            raise ReferenceDataError(f"{where}: an adopted act needs at least one obligation")
        for ob in raw.get("obligations", []):
            _require(ob, ("key", "article", "title", "applies_to", "role", "checked_on"),
                     f"{where} obligation")
            if ob["key"] in obligation_keys:
                raise ReferenceDataError(f"{where}: obligation key {ob['key']!r} used twice")
            obligation_keys.add(ob["key"])
            ob["_values"] = _obligation_values(ob)
            errors = validate_obligation_values(ob["_values"])
            if errors:
                raise ReferenceDataError(f"{where} {ob['key']}: " + "; ".join(
                    f"{k}: {v}" for k, v in sorted(errors.items())))
        laws.append(raw)
    return laws


def _law_values(raw: dict) -> dict:
    values = {name: raw.get(name) for name in LAW_FIELDS
              if name not in ("milestones", "input_moments")}
    for name in ("aliases", "abbreviations", "themes", "amends", "repeals", "related", "sources"):
        values[name] = raw.get(name) or []
    for name in ("stage_note", "summary", "summary_en", "dutch_implementation",
                 "dutch_implementation_en"):
        values[name] = raw.get(name) or ""
    values["slug"] = raw["slug"]
    values["milestones"] = [MilestoneValue(m.get("kind", ""), m["date"], m.get("label", ""),
                                           m.get("label_en", "")) for m in raw.get("milestones", [])]
    values["input_moments"] = [
        InputValue(i.get("title", ""), i.get("title_en", ""), i["opens"], i.get("closes"),
                   i.get("where", "")) for i in raw.get("input_moments", [])]
    return values


def _obligation_values(raw: dict) -> dict:
    values = {name: raw.get(name) for name in OBLIGATION_FIELDS}
    for name in ("applies_to", "responsible_roles", "sources"):
        values[name] = raw.get(name) or []
    for name in ("description", "description_en", "applies_condition", "addressee", "title_en"):
        values[name] = raw.get(name) or ""
    values["key"] = raw["key"]
    return values


def _load_law(raw: dict, report: LoadReport, slugs: frozenset[str]) -> None:
    law = db.session.scalar(select(Law).where(Law.slug == raw["slug"]))
    law, changed, conflicts = save_law(None, law, raw["_values"], reason="",
                                       from_reference=True, pending_laws=slugs)
    _count(report, "laws", changed)
    report.conflicts += conflicts
    existing = {o.key: o for o in law.obligations}
    for ob in raw.get("obligations", []):
        obligation, changed, conflicts = save_obligation(
            None, law, existing.get(ob["key"]), ob["_values"], reason="",
            from_reference=True)
        _count(report, "obligations", changed)
        report.conflicts += conflicts


def _count(report: LoadReport, kind: str, changed: set[str]) -> None:
    if changed == {"created"}:
        report.created[kind] += 1
    elif changed:
        report.updated[kind] += 1
