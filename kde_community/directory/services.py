"""Queries over organisations and networks, and the peer finder."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..dbtypes import as_int, escape_like
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..laws.models import ORGANISATION_TYPES, Theme
from ..templating import ORG_TYPE_LABELS
from .models import PROVINCES, Network, Organisation


def _int_arg(args, name: str, errors: dict) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return None
    value = as_int(raw, maximum=10**9)
    if value is None:
        errors[name] = _("Geef een heel getal van 0 of hoger.")
    return value


def organisation_query(args) -> Select:
    """Organisations filtered by `type`, `province`, `min_inhabitants`, `max_inhabitants`,
    `theme` and a name fragment `q`; unknown values are refused."""
    errors: dict[str, str] = {}
    query = select(Organisation).order_by(Organisation.name)
    org_type = args.get("type") or None
    if org_type:
        if org_type not in ORGANISATION_TYPES:
            errors["type"] = _("Onbekend soort organisatie.")
        query = query.where(Organisation.type == org_type)
    province = args.get("province") or None
    if province:
        if province not in PROVINCES:
            errors["province"] = _("Onbekende provincie.")
        query = query.where(Organisation.province == province)
    low = _int_arg(args, "min_inhabitants", errors)
    high = _int_arg(args, "max_inhabitants", errors)
    if low is not None:
        query = query.where(Organisation.inhabitants >= low)
    if high is not None:
        query = query.where(Organisation.inhabitants <= high)
    theme = args.get("theme") or None
    if theme:
        # Until frontrunner topics exist, an organisation is active on a theme
        # through the networks it belongs to.
        query = query.where(Organisation.networks.any(Network.themes.any(Theme.slug == theme)))
    text = (args.get("q") or "").strip()
    if len(text) > 200:
        errors["q"] = _("Gebruik hoogstens 200 tekens.")
    elif text:
        query = query.where(Organisation.name.ilike(f"%{escape_like(text)}%", escape="\\"))
    if errors:
        raise ValidationError(errors)
    return query


def get_organisation_or_404(slug: str) -> Organisation:
    org = db.session.scalar(
        select(Organisation).where(Organisation.slug == slug)
        .options(selectinload(Organisation.networks))
    )
    if org is None:
        raise NotFound()
    return org


def all_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.type,
                                                                 Organisation.name)))


def network_query(args) -> Select:
    query = select(Network).options(selectinload(Network.themes)).order_by(Network.name)
    theme = args.get("theme") or None
    if theme:
        query = query.where(Network.themes.any(Theme.slug == theme))
    return query


def get_network_or_404(slug: str) -> Network:
    network = db.session.scalar(
        select(Network).where(Network.slug == slug)
        .options(selectinload(Network.themes), selectinload(Network.members))
    )
    if network is None:
        raise NotFound()
    return network


@dataclass
class Peer:
    organisation: Organisation
    score: float
    reasons: list[str] = field(default_factory=list)


def find_peers(org: Organisation, limit: int = 10) -> list[Peer]:
    """Governments like this one: same type, similar size, same province, shared networks."""
    candidates = db.session.scalars(
        select(Organisation).where(Organisation.id != org.id, Organisation.type == org.type)
        .options(selectinload(Organisation.networks))
    )
    own_networks = {n.id for n in org.networks}
    peers = []
    for other in candidates:
        score, reasons = 1.0, [_("ook een %(type)s", type=str(ORG_TYPE_LABELS[org.type]).lower())]
        if org.inhabitants and other.inhabitants:
            ratio = abs(math.log(other.inhabitants / org.inhabitants))
            if ratio < math.log(1.5):
                score += 2
                reasons.append(_("vergelijkbaar aantal inwoners"))
            elif ratio < math.log(3):
                score += 1
        if org.province and other.province == org.province:
            score += 1.5
            reasons.append(_("in dezelfde provincie (%(p)s)", p=org.province))
        shared = [n.name for n in other.networks if n.id in own_networks]
        if shared:
            score += len(shared)
            reasons.append(_("samen in %(n)s", n=", ".join(shared)))
        peers.append(Peer(other, score, reasons))
    peers.sort(key=lambda p: (-p.score, p.organisation.name))
    return peers[:limit]
