"""Organisations, peers and networks."""

from __future__ import annotations

from flask import url_for

from ..directory import services
from ..directory.models import Network, Organisation
from ..pagination import paginate
from . import schemas
from .core import iso, page_json, route


def organisation_json(org: Organisation) -> dict:
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "type": org.type,
        "province": org.province,
        "inhabitants": org.inhabitants,
        "area_km2": org.area_km2,
        "website": org.website,
        "url": url_for("directory.organisation", slug=org.slug, _external=True),
        "created_at": iso(org.created_at),
        "updated_at": iso(org.updated_at),
    }


def network_json(network: Network, members: bool = False) -> dict:
    data = {
        "id": network.id,
        "slug": network.slug,
        "name": network.name,
        "description": network.description_nl,
        "themes": [t.slug for t in network.themes],
        "target_roles": network.target_roles,
        "how_to_join": network.how_to_join,
        "website": network.website,
        "url": url_for("directory.network", slug=network.slug, _external=True),
        "created_at": iso(network.created_at),
        "updated_at": iso(network.updated_at),
    }
    if members:
        data["members"] = [m.slug for m in network.members]
    return data


@route("/organisations", summary="List organisations", tag="directory",
       query=schemas.OrganisationQuery, response=schemas.page_of(schemas.Organisation))
def list_organisations(query: schemas.OrganisationQuery):
    found = services.organisation_query(query.model_dump(exclude_none=True))
    return page_json(paginate(found, query.page, query.per_page), organisation_json)


@route("/organisations/<slug>", summary="One organisation", tag="directory",
       response=schemas.OrganisationDetail)
def get_organisation(slug: str):
    org = services.get_organisation_or_404(slug)
    return {**organisation_json(org), "networks": [n.slug for n in org.networks]}


@route("/organisations/<slug>/peers", summary="Governments like this one, best match first",
       tag="directory", response=schemas.PeerList)
def organisation_peers(slug: str):
    org = services.get_organisation_or_404(slug)
    return {"items": [
        {"organisation": organisation_json(p.organisation), "score": p.score,
         "reasons": p.reasons}
        for p in services.find_peers(org)
    ]}


@route("/networks", summary="List networks", tag="directory", query=schemas.NetworkQuery,
       response=schemas.page_of(schemas.Network))
def list_networks(query: schemas.NetworkQuery):
    found = services.network_query(query.model_dump(exclude_none=True))
    return page_json(paginate(found, query.page, query.per_page), network_json)


@route("/networks/<slug>", summary="One network with its members", tag="directory",
       response=schemas.NetworkDetail)
def get_network(slug: str):
    return network_json(services.get_network_or_404(slug), members=True)
