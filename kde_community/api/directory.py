"""Organisations, peers and networks."""

from __future__ import annotations

from flask import jsonify, request, url_for

from ..directory import services
from ..directory.models import Network, Organisation
from ..pagination import page_args, paginate
from .core import iso, page_json, route
from .schemas import ORG_TYPES, PAGE_PARAMS, page_of, ref


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


def _query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "schema": schema, "description": description}


@route("/organisations", summary="List organisations", tag="directory",
       params=PAGE_PARAMS + [
           _query("type", {"type": "string", "enum": ORG_TYPES}),
           _query("province", {"type": "string"}),
           _query("min_inhabitants", {"type": "integer", "minimum": 0}),
           _query("max_inhabitants", {"type": "integer", "minimum": 0}),
           _query("theme", {"type": "string"}),
           _query("q", {"type": "string"}, "part of the name"),
       ], response_schema=page_of("Organisation"), responses=(422,))
def list_organisations():
    page, per_page = page_args(request.args)
    query = services.organisation_query(request.args)
    return jsonify(page_json(paginate(query, page, per_page), organisation_json))


@route("/organisations/<slug>", summary="One organisation", tag="directory",
       response_schema=ref("Organisation"), responses=(404,))
def get_organisation(slug: str):
    org = services.get_organisation_or_404(slug)
    return jsonify({**organisation_json(org), "networks": [n.slug for n in org.networks]})


@route("/organisations/<slug>/peers", summary="Governments like this one, best match first",
       tag="directory", response_schema={"type": "object", "properties": {
           "items": {"type": "array", "items": ref("Peer")}}}, responses=(404,))
def organisation_peers(slug: str):
    org = services.get_organisation_or_404(slug)
    return jsonify({"items": [
        {"organisation": organisation_json(p.organisation), "score": p.score,
         "reasons": p.reasons}
        for p in services.find_peers(org)
    ]})


@route("/networks", summary="List networks", tag="directory",
       params=PAGE_PARAMS + [_query("theme", {"type": "string"})],
       response_schema=page_of("Network"), responses=(422,))
def list_networks():
    page, per_page = page_args(request.args)
    return jsonify(page_json(paginate(services.network_query(request.args), page, per_page),
                             network_json))


@route("/networks/<slug>", summary="One network with its members", tag="directory",
       response_schema=ref("Network"), responses=(404,))
def get_network(slug: str):
    return jsonify(network_json(services.get_network_or_404(slug), members=True))
