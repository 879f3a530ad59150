"""Networks: the list and one network, members saying "our organisation takes part",
proposals by members and their review by editors.

Services: they take the actor, check permissions, validate, flush and record events — the
request (or CLI command) commits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, String, cast, delete, func, or_, select
from sqlalchemy.orm import selectinload

from .. import events
from ..accounts.models import User
from ..content.services import clean_text
from ..dbtypes import as_int, escape_like, utcnow
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import ORGANISATION_TYPES, Theme
from ..links import absolute_url
from ..mail import send_mail_after_response
from ..permissions import (
    can_mark_participation,
    can_propose_network,
    can_review_network,
    is_member,
)
from .models import NETWORK_ROLES, Network, Organisation, network_members

NAME_MIN, NAME_MAX = 3, 200
DESCRIPTION_MAX = 2_000
JOIN_TEXT_MAX = 2_000  # who may join, how to join
SHORT_TEXT_MAX = 200  # organiser, meeting rhythm (the columns' length)
WEBSITE_MAX = 300
REVIEW_NOTE_MAX = 1_000
SEARCH_MAX = 200
THEMES_MAX = 30
SLUG_MAX = 120
# Paths under /netwerken/ that are pages, not networks: a network with such a slug would be
# unreachable.
RESERVED_SLUGS = frozenset({"voorstellen", "beoordelen"})
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
DECISIONS = ("approve", "refuse")


# --- reading --------------------------------------------------------------------------------

@dataclass(frozen=True)
class NetworkFilters:
    """The list's filters: a theme slug, a target role code and a name fragment."""

    theme: str | None = None
    role: str | None = None
    q: str = ""

    @classmethod
    def from_args(cls, args, role_arg: str = "rol") -> NetworkFilters:
        """From query arguments (`theme`, `rol` — `role` in the API —, `q`); unknown values
        are refused with a reason per argument, so the page can say what was wrong."""
        errors: dict[str, str] = {}
        theme = (args.get("theme") or "").strip() or None
        if theme is not None and (not is_slug(theme, 60) or db.session.scalar(
                select(Theme.id).where(Theme.slug == theme)) is None):
            errors["theme"] = _("Onbekend thema. Kies een thema uit de lijst.")
        role = (args.get(role_arg) or "").strip() or None
        if role is not None and role not in NETWORK_ROLES:
            errors[role_arg] = _("Onbekende doelgroep. Kies een doelgroep uit de lijst.")
        text = " ".join((args.get("q") or "").replace("\x00", "").split())
        if len(text) > SEARCH_MAX:
            errors["q"] = _("Gebruik hoogstens %(n)d tekens.", n=SEARCH_MAX)
        if errors:
            raise ValidationError(errors)
        return cls(theme=theme, role=role, q=text)


def is_slug(value, maximum: int = SLUG_MAX) -> bool:
    """Whether a value from a URL or form can be a slug at all (never NUL or a 10 kB string
    sent on to the database)."""
    return isinstance(value, str) and len(value) <= maximum and SLUG_RE.fullmatch(value) \
        is not None


def network_query(args=None, filters: NetworkFilters | None = None) -> Select:
    """Active networks by name, with their themes, filtered (see NetworkFilters)."""
    if filters is None:
        filters = NetworkFilters.from_args(args or {})
    query = (select(Network).where(Network.status == "active")
             .options(selectinload(Network.themes)).order_by(Network.name, Network.id))
    if filters.theme:
        query = query.where(Network.themes.any(Theme.slug == filters.theme))
    if filters.q:
        query = query.where(Network.name.ilike(f"%{escape_like(filters.q)}%", escape="\\"))
    if filters.role:
        # target_roles is a JSON list of plain codes (no quotes or brackets inside a code):
        # its text holds `"code"` exactly when the list does, on SQLite and PostgreSQL alike.
        query = query.where(cast(Network.target_roles, String).contains(f'"{filters.role}"'))
    return query


def member_counts(network_ids) -> dict[int, int]:
    """How many organisations take part in each network: one aggregate query."""
    ids = list(network_ids)
    if not ids:
        return {}
    c = network_members.c
    return dict(db.session.execute(
        select(c.network_id, func.count()).where(c.network_id.in_(ids))
        .group_by(c.network_id)).all())


def can_see_network(viewer: User | None, network: Network) -> bool:
    """Active networks are public; a proposal or a refused one only for its proposer and
    for those who review networks."""
    if network.status == "active":
        return True
    return can_review_network(viewer) or (
        is_member(viewer) and network.proposed_by_id is not None
        and network.proposed_by_id == viewer.id)


def get_network_or_404(slug: str, viewer: User | None = None) -> Network:
    """One network with its themes and members; a network the viewer may not see (see
    `can_see_network`; without a viewer: anything not active) is not found."""
    if not is_slug(slug):
        raise NotFound()
    network = db.session.scalar(
        select(Network).where(Network.slug == slug)
        .options(selectinload(Network.themes), selectinload(Network.members))
    )
    if network is None or not can_see_network(viewer, network):
        raise NotFound()
    return network


def members_by_type(network: Network) -> list[tuple[str, list[Organisation]]]:
    """The member organisations grouped by type, in the usual order of types, by name."""
    groups: dict[str, list[Organisation]] = {}
    for org in network.members:
        groups.setdefault(org.type, []).append(org)
    order = {t: i for i, t in enumerate(ORGANISATION_TYPES)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def participation(network: Network, organisation: Organisation | None) -> str | None:
    """How the organisation is listed in the network: "reference" (the reference file),
    "member" (a member said so here) or None."""
    if organisation is None:
        return None
    c = network_members.c
    return db.session.scalar(select(c.source).where(c.network_id == network.id,
                                                    c.organisation_id == organisation.id))


# --- taking part ----------------------------------------------------------------------------

def _require_participant(actor: User | None, network: Network, organisation) -> None:
    if organisation is None or not can_mark_participation(actor, organisation):
        raise Forbidden()
    if network.status != "active":
        raise NotFound()


def _members_changed(actor: User, network: Network, organisation: Organisation) -> None:
    network.updated_at = utcnow()
    db.session.expire(network, ["members"])
    db.session.flush()
    events.record("network.changed", "network", network.id, actor=actor, fields=["members"],
                  organisation_ids=[organisation.id])


def mark_participation(actor: User, network: Network, organisation: Organisation) -> bool:
    """"Our organisation takes part": a "member" row; False when it was listed already."""
    _require_participant(actor, network, organisation)
    if participation(network, organisation) is not None:
        return False
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted = db.session.execute(
        insert(network_members).values(network_id=network.id, organisation_id=organisation.id,
                                       source="member", added_by_id=actor.id,
                                       created_at=utcnow())
        .on_conflict_do_nothing().returning(network_members.c.network_id)).first()
    if inserted is None:  # a simultaneous request was first
        return False
    _members_changed(actor, network, organisation)
    return True


def unmark_participation(actor: User, network: Network, organisation: Organisation) -> bool:
    """Undo "our organisation takes part". Only a row a member made here goes: what the
    reference file lists is kept (the editors maintain that file)."""
    _require_participant(actor, network, organisation)
    source = participation(network, organisation)
    if source is None:
        return False
    if source != "member":
        raise ValidationError({"participation": _(
            "%(org)s staat in de referentiegegevens als deelnemer van dit netwerk. Dat kunt u "
            "hier niet ongedaan maken; laat het de redactie weten als het niet (meer) klopt.",
            org=organisation.name)})
    c = network_members.c
    db.session.execute(delete(network_members).where(
        c.network_id == network.id, c.organisation_id == organisation.id, c.source == "member"))
    _members_changed(actor, network, organisation)
    return True


# --- proposals ------------------------------------------------------------------------------

def slugify(name: str) -> str:
    """A URL slug from a name: ASCII letters and digits joined by hyphens ("netwerk" when
    nothing of the name is left)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:SLUG_MAX - 10].strip("-") or "netwerk"


def unique_slug(name: str) -> str:
    """The name's slug, with -2, -3 … when another network (or a page) has it already."""
    base = slugify(name)
    taken = set(db.session.scalars(select(Network.slug).where(
        or_(Network.slug == base, Network.slug.like(f"{escape_like(base)}-%", escape="\\")))))
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _name_taken(name: str) -> bool:
    """Case-insensitively, among all networks (active, proposed and refused): Python's
    casefold, since SQLite's lower() leaves non-ASCII letters alone."""
    wanted = name.casefold()
    return any(existing.casefold() == wanted
               for existing in db.session.scalars(select(Network.name)))


def _clean_website(raw, errors: dict) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        errors["website"] = _("Geef hier tekst op.")
        return ""
    text = raw.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if len(text) > WEBSITE_MAX or parts is None or parts.scheme not in ("http", "https") \
            or not host or any(ch.isspace() or ord(ch) < 0x20 for ch in text):
        errors["website"] = _("Geef een webadres dat begint met http:// of https://, of laat "
                              "dit veld leeg.")
        return ""
    return text


def _clean_choices(raw, field: str, allowed, errors: dict, unknown: str) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
        errors[field] = _("Kies een of meer opties uit de lijst.")
        return []
    values = list(dict.fromkeys(v.strip() for v in raw if v.strip()))
    if len(values) > THEMES_MAX:
        errors[field] = _("Kies hoogstens %(n)d opties.", n=THEMES_MAX)
        return []
    wrong = [v for v in values if v not in allowed]
    if wrong:
        errors[field] = unknown % {"value": wrong[0][:60]}
        return []
    return values


def clean_proposal(data: dict) -> dict:
    """The proposal's fields, checked all at once: every reason comes back together."""
    errors: dict[str, str] = {}
    values: dict = {}

    def text(field: str, **bounds) -> None:
        try:
            values[field] = clean_text(data.get(field), field, **bounds)
        except ValidationError as exc:
            errors.update(exc.fields)

    text("name", minimum=NAME_MIN, maximum=NAME_MAX, single_line=True)
    text("description", maximum=DESCRIPTION_MAX)
    text("who_may_join", required=False, maximum=JOIN_TEXT_MAX)
    text("how_to_join", required=False, maximum=JOIN_TEXT_MAX)
    text("organiser", required=False, maximum=SHORT_TEXT_MAX, single_line=True)
    text("meeting_rhythm", required=False, maximum=SHORT_TEXT_MAX, single_line=True)
    values["website"] = _clean_website(data.get("website"), errors)
    theme_rows = {t.slug: t for t in db.session.scalars(select(Theme))}
    slugs = _clean_choices(data.get("themes"), "themes", theme_rows, errors,
                           _("Onbekend thema: %(value)s."))
    values["themes"] = [theme_rows[s] for s in slugs]
    values["target_roles"] = _clean_choices(data.get("target_roles"), "target_roles",
                                            NETWORK_ROLES, errors,
                                            _("Onbekende doelgroep: %(value)s."))
    if "name" in values and _name_taken(values["name"]):
        errors["name"] = _("Er bestaat al een netwerk met deze naam.")
    if errors:
        raise ValidationError(errors)
    return values


def propose_network(actor: User, data: dict) -> Network:
    """A member proposes a network; it is listed once an editor approves it."""
    if not can_propose_network(actor):
        raise Forbidden()
    values = clean_proposal(data)
    themes = values.pop("themes")
    description = values.pop("description")
    network = Network(slug=unique_slug(values["name"]), description_nl=description,
                      status="proposed", proposed_by_id=actor.id, review_note="", **values)
    network.themes = themes
    db.session.add(network)
    db.session.flush()
    return network


# --- review ---------------------------------------------------------------------------------

def proposed_networks() -> list[Network]:
    """Proposals waiting for review, oldest first, with their proposer."""
    return list(db.session.scalars(
        select(Network).where(Network.status == "proposed")
        .options(selectinload(Network.themes),
                 selectinload(Network.proposed_by).selectinload(User.organisation))
        .order_by(Network.created_at, Network.id)))


def review_network(actor: User, network_id, decision: str, note="") -> Network:
    """Approve (the network is listed and indexed) or refuse (with a note for the proposer)
    a proposal; the proposer is told by mail."""
    if not can_review_network(actor):
        raise Forbidden()
    network = db.session.get(Network, as_int(network_id, minimum=1) or 0)
    if network is None or network.status != "proposed":
        raise NotFound()
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Kies goedkeuren of afwijzen.")})
    note = clean_text(note, "note", required=decision == "refuse", maximum=REVIEW_NOTE_MAX)
    network.review_note = note
    if decision == "approve":
        network.status = "active"
        db.session.flush()
        events.record("network.changed", "network", network.id, actor=actor,
                      fields=["created"], organisation_ids=[o.id for o in network.members])
    else:
        network.status = "refused"
        db.session.flush()
    _tell_proposer(network, decision)
    return network


def _tell_proposer(network: Network, decision: str) -> None:
    proposer = network.proposed_by
    if proposer is None or not proposer.email:
        return
    if decision == "approve":
        subject = _("Uw netwerk %(name)s staat nu op KDE Community", name=network.name)
        body = _("Beste %(person)s,\n\nDe redactie heeft uw voorstel goedgekeurd: het netwerk "
                 "%(name)s staat nu in de lijst van netwerken.\n\n%(link)s",
                 person=proposer.name, name=network.name,
                 link=absolute_url("directory.network", slug=network.slug))
        if network.review_note:
            body += "\n\n" + _("Opmerking van de redactie: %(note)s", note=network.review_note)
    else:
        subject = _("Uw voorstel voor het netwerk %(name)s", name=network.name)
        body = _("Beste %(person)s,\n\nDe redactie heeft uw voorstel voor het netwerk %(name)s "
                 "niet overgenomen.\n\nToelichting: %(note)s\n\nVragen? Neem contact op met de "
                 "redactie van KDE Community.",
                 person=proposer.name, name=network.name, note=network.review_note)
    send_mail_after_response(proposer.email, subject, body)
