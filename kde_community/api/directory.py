"""Organisations, peers and networks."""

from __future__ import annotations

from flask import url_for

from ..directory import networks, services
from ..directory.models import SIZE_CLASS_SLUGS, FrontrunnerTopic, Network, Organisation
from ..pagination import paginate
from . import schemas
from .core import iso, page_json, route


def organisation_json(org: Organisation) -> dict:
    size_class = org.size_class
    return {
        "id": org.id,
        "slug": org.slug,
        "name": org.name,
        "type": org.type,
        "province": org.province,
        "inhabitants": org.inhabitants,
        "area_km2": org.area_km2,
        "website": org.website,
        "size_class": SIZE_CLASS_SLUGS[size_class] if size_class is not None else None,
        "url": url_for("directory.organisation", slug=org.slug, _external=True),
        "created_at": iso(org.created_at),
        "updated_at": iso(org.updated_at),
    }


def frontrunner_json(topic: FrontrunnerTopic, org: Organisation) -> dict:
    """A frontrunner topic without its contact person: no e-mail address leaves the API."""
    return {
        "id": topic.id,
        "theme": topic.theme.slug if topic.theme is not None else None,
        "law": topic.law.slug if topic.law is not None else None,
        "obligation": topic.obligation_id,
        "summary": topic.summary,
        "open_to_collaboration": topic.open_to_collaboration,
        "url": url_for("directory.organisation", slug=org.slug, _anchor=f"voorloper-{topic.id}",
                       _external=True),
    }


def network_json(network: Network, member_count: int, members: bool = False) -> dict:
    data = {
        "id": network.id,
        "url": url_for("directory.network", slug=network.slug, _external=True),
        "slug": network.slug,
        "name": network.name,
        "description": network.description_nl,
        "themes": [t.slug for t in network.themes],
        "target_roles": list(network.target_roles or []),
        "who_may_join": network.who_may_join,
        "how_to_join": network.how_to_join,
        "organiser": network.organiser,
        "meeting_rhythm": network.meeting_rhythm,
        "website": network.website,
        "member_count": member_count,
        "created_at": iso(network.created_at),
        "updated_at": iso(network.updated_at),
    }
    if members:
        data["members"] = [
            {"slug": m.slug, "name": m.name,
             "url": url_for("directory.organisation", slug=m.slug, _external=True)}
            for m in network.members]
    return data


@route("/organisations", summary="List organisations", tag="directory",
       query=schemas.OrganisationQuery, response=schemas.page_of(schemas.Organisation),
       description="A theme, law or obligation alone finds organisations that work on it (a "
                   "frontrunner topic, public contributions, or for a theme a network); with "
                   "`frontrunner` or `open_to_collaboration` only those with a frontrunner "
                   "topic on it. An unknown theme, law or obligation is a 422.")
def list_organisations(query: schemas.OrganisationQuery):
    found = services.organisation_query(query.model_dump(exclude_none=True))
    return page_json(paginate(found, query.page, query.per_page), organisation_json)


@route("/organisations/<slug>", summary="One organisation", tag="directory",
       response=schemas.OrganisationDetail)
def get_organisation(slug: str):
    org = services.get_organisation_detail_or_404(slug)
    return {
        **organisation_json(org),
        "networks": [{"slug": n.slug, "name": n.name,
                      "url": url_for("directory.network", slug=n.slug, _external=True)}
                     for n in org.networks],
        "frontrunner_topics": [frontrunner_json(t, org) for t in org.frontrunner_topics
                               if t.deleted_at is None],
    }


@route("/organisations/<slug>/peers", summary="Governments like this one, best match first",
       tag="directory", query=schemas.PeerQuery, response=schemas.PeerList,
       description="Same type only; ranked by a frontrunner topic on the theme, law or "
                   "obligation asked about, size class, density, province and public "
                   "contributions on the subject. `reasons` say why, in the reader's language.")
def organisation_peers(slug: str, query: schemas.PeerQuery):
    org = services.get_organisation_or_404(slug)
    peers = services.find_peers(org, theme=query.theme, law=query.law,
                                obligation=query.obligation, limit=query.limit)
    return {"items": [
        {"organisation": organisation_json(p.organisation), "reasons": p.reasons,
         "frontrunner_topics": [frontrunner_json(t, p.organisation)
                                for t in p.frontrunner_topics]}
        for p in peers
    ]}


@route("/networks", summary="List active networks", tag="directory", query=schemas.NetworkQuery,
       response=schemas.page_of(schemas.Network))
def list_networks(query: schemas.NetworkQuery):
    filters = networks.NetworkFilters.from_args(query.model_dump(exclude_none=True),
                                                role_arg="role")
    page = paginate(networks.network_query(filters=filters), query.page, query.per_page)
    counts = networks.member_counts(n.id for n in page.items)
    return page_json(page, lambda n: network_json(n, counts.get(n.id, 0)))


@route("/networks/<slug>", summary="One active network with its member organisations",
       tag="directory", response=schemas.NetworkDetail)
def get_network(slug: str):
    network = networks.get_network_or_404(slug)
    return network_json(network, len(network.members), members=True)
