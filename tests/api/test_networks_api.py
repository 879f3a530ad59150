"""GET /api/v1/networks and /api/v1/networks/{slug}: active networks only, filters, members."""

from __future__ import annotations

import pytest

from kde_community.directory.models import Network, network_members
from kde_community.extensions import db
from kde_community.laws.models import Theme


@pytest.fixture
def world(app, make_org):
    ai = Theme(slug="ai", name_nl="AI", name_en="AI")
    cyber = Theme(slug="cyber", name_nl="Cyber", name_en="Cyber")
    db.session.add_all([ai, cyber])
    utrecht = make_org(slug="utrecht", name="Gemeente Utrecht")
    hdsr = make_org(slug="hdsr", name="Waterschap HDSR", type="waterschap")
    networks = {
        "ai-netwerk": Network(slug="ai-netwerk", name="AI-netwerk", description_nl="Over AI.",
                              target_roles=["cio", "jurist"], who_may_join="Alle overheden",
                              how_to_join="Mail ons", organiser="VNG",
                              meeting_rhythm="Elk kwartaal", website="https://example.org/ai",
                              themes=[ai]),
        "cyberkring": Network(slug="cyberkring", name="Cyberkring", target_roles=["ciso"],
                              themes=[cyber]),
        "voorstel": Network(slug="voorstel", name="Voorgesteld netwerk", status="proposed",
                            themes=[ai], target_roles=["cio"]),
        "afgewezen": Network(slug="afgewezen", name="Afgewezen netwerk", status="refused",
                             themes=[ai], target_roles=["cio"]),
    }
    db.session.add_all(networks.values())
    db.session.flush()
    for network, org, source in ((networks["ai-netwerk"], utrecht, "reference"),
                                 (networks["ai-netwerk"], hdsr, "member"),
                                 (networks["cyberkring"], hdsr, "reference"),
                                 (networks["voorstel"], utrecht, "member")):
        db.session.execute(network_members.insert().values(
            network_id=network.id, organisation_id=org.id, source=source))
    db.session.commit()
    return networks


def test_list_only_active_networks_with_their_fields(client, world):
    response = client.get("/api/v1/networks")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 2 and [n["slug"] for n in body["items"]] == ["ai-netwerk",
                                                                        "cyberkring"]
    ai = body["items"][0]
    assert ai["id"] == world["ai-netwerk"].id
    assert ai["url"].endswith("/netwerken/ai-netwerk")
    assert (ai["name"], ai["description"], ai["themes"], ai["target_roles"]) == (
        "AI-netwerk", "Over AI.", ["ai"], ["cio", "jurist"])
    assert (ai["who_may_join"], ai["how_to_join"], ai["organiser"], ai["meeting_rhythm"],
            ai["website"]) == ("Alle overheden", "Mail ons", "VNG", "Elk kwartaal",
                               "https://example.org/ai")
    assert ai["member_count"] == 2 and body["items"][1]["member_count"] == 1
    assert ai["created_at"] and ai["updated_at"] and "members" not in ai


@pytest.mark.parametrize("query, slugs", [
    ({"theme": "ai"}, ["ai-netwerk"]),
    ({"theme": "cyber"}, ["cyberkring"]),
    ({"role": "ciso"}, ["cyberkring"]),
    ({"role": "jurist", "theme": "ai"}, ["ai-netwerk"]),
    ({"role": "bestuur"}, []),
    ({"per_page": "1", "page": "2"}, ["cyberkring"]),
])
def test_list_filters(client, world, query, slugs):
    response = client.get("/api/v1/networks", query_string=query)
    assert response.status_code == 200
    assert [n["slug"] for n in response.json["items"]] == slugs


@pytest.mark.parametrize("query, field", [
    ({"theme": "bestaat-niet"}, "theme"),
    ({"theme": "A B"}, "theme"),
    ({"role": "koning"}, "role"),
    ({"role": ""}, "role"),
    ({"page": "0"}, "page"),
])
def test_bad_filters_are_422(client, world, api_error, query, field):
    error = api_error(client.get("/api/v1/networks", query_string=query), 422)
    assert field in error["fields"]


def test_one_network_with_its_members(client, world):
    response = client.get("/api/v1/networks/ai-netwerk")
    assert response.status_code == 200
    body = response.json
    assert body["slug"] == "ai-netwerk" and body["member_count"] == 2
    assert [(m["slug"], m["name"]) for m in body["members"]] == [
        ("utrecht", "Gemeente Utrecht"), ("hdsr", "Waterschap HDSR")]
    assert body["members"][0]["url"].endswith("/organisaties/utrecht")


def test_proposed_and_refused_networks_are_not_found(client, world, api_error, auth,
                                                     make_user):
    _, headers = auth(make_user(role="editor"))
    for slug in ("voorstel", "afgewezen", "bestaat-niet"):
        api_error(client.get(f"/api/v1/networks/{slug}"), 404, "not_found")
        api_error(client.get(f"/api/v1/networks/{slug}", headers=headers), 404, "not_found")
    listed = client.get("/api/v1/networks", headers=headers).get_data(as_text=True)
    assert "Voorgesteld" not in listed and "Afgewezen" not in listed


def test_networks_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    list_op = document["paths"]["/api/v1/networks"]["get"]
    assert {p["name"] for p in list_op["parameters"]} >= {"theme", "role", "page", "per_page"}
    role = next(p for p in list_op["parameters"] if p["name"] == "role")
    assert "ciso" in str(role["schema"])
    detail = document["paths"]["/api/v1/networks/{slug}"]["get"]
    assert "404" in detail["responses"]
    network = document["components"]["schemas"]["Network"]["properties"]
    assert {"member_count", "who_may_join", "organiser", "meeting_rhythm", "url"} <= set(network)
    members = document["components"]["schemas"]["NetworkDetail"]["properties"]["members"]
    assert "NetworkMember" in str(members)
