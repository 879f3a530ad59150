"""GET /api/v1/organisations, /organisations/{slug} and /organisations/{slug}/peers."""

from __future__ import annotations

import pytest

from kde_community.directory.models import FrontrunnerTopic, Network
from kde_community.extensions import db
from kde_community.laws.models import Theme
from tests.helpers import commit


@pytest.fixture
def data(make_org, make_law, make_user):
    ai = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="Artificial intelligence")
    db.session.add(ai)
    law = make_law()
    law.themes = [ai]
    small = make_org(slug="klein", name="Gemeente Klein", inhabitants=4_000, area_km2=40,
                     province="Fryslân")
    alike = make_org(slug="gelijk", name="Gemeente Gelijk", inhabitants=4_500, area_km2=45,
                     province="Fryslân")
    big = make_org(slug="groot", name="Gemeente Groot", inhabitants=300_000, area_km2=100,
                   province="Utrecht", website="https://groot.example")
    make_org(slug="prov", name="Provincie Test", type="provincie", inhabitants=1_000_000,
             province="Utrecht")
    make_org(slug="water", name="Waterschap Test", type="waterschap", inhabitants=None)
    contact = make_user(org=big, email="contact@groot.example-gemeente.nl", contactable=True)
    topic = FrontrunnerTopic(organisation=big, obligation=law.obligations[0], summary="Register",
                             open_to_collaboration=True, contact=contact)
    closed = FrontrunnerTopic(organisation=alike, theme=ai, summary="Beleid",
                              open_to_collaboration=False)
    db.session.add_all([topic, closed, Network(slug="ai-netwerk", name="AI-netwerk",
                                               members=[big], themes=[ai])])
    commit()
    return {"law": law, "topic": topic, "closed": closed, "small": small, "big": big}


def slugs(body) -> list[str]:
    return [item["slug"] for item in body["items"]]


def test_list_with_new_filters(client, data):
    body = client.get("/api/v1/organisations?type=gemeente").json
    assert slugs(body) == ["gelijk", "groot", "klein"] and body["total"] == 3
    item = body["items"][1]
    assert item["size_class"] == "vanaf-250k" and item["website"] == "https://groot.example"
    assert item["url"].endswith("/organisaties/groot") and item["id"] == data["big"].id
    assert client.get("/api/v1/organisations?slug=water").json["total"] == 5  # unknown: ignored
    assert slugs(client.get("/api/v1/organisations?size_class=tot-5k").json) == ["gelijk", "klein"]
    assert client.get("/api/v1/organisations?type=waterschap").json["items"][0]["size_class"] \
        is None
    assert slugs(client.get("/api/v1/organisations?law=ai-act&frontrunner=true").json) == ["groot"]
    assert slugs(client.get("/api/v1/organisations?theme=ai&frontrunner=1").json) == [
        "gelijk", "groot"]
    assert slugs(client.get("/api/v1/organisations?theme=ai&open_to_collaboration=true")
                 .json) == ["groot"]
    obligation = data["law"].obligations[0].id
    assert slugs(client.get(f"/api/v1/organisations?obligation={obligation}&frontrunner=true")
                 .json) == ["groot"]
    assert slugs(client.get("/api/v1/organisations?frontrunner=false&q=groot").json) == ["groot"]
    # A theme alone: frontrunners on it and members of a network on it.
    assert slugs(client.get("/api/v1/organisations?theme=ai").json) == ["gelijk", "groot"]


@pytest.mark.parametrize(("query", "field"), [
    ("type=bakkerij", "type"), ("province=Atlantis", "province"),
    ("min_inhabitants=-1", "min_inhabitants"), ("max_inhabitants=veel", "max_inhabitants"),
    ("size_class=reusachtig", "size_class"), ("theme=bestaat-niet", "theme"),
    ("theme=Geen%20Slug", "theme"), ("law=bestaat-niet", "law"),
    ("obligation=0", "obligation"), ("obligation=999999", "obligation"),
    ("frontrunner=misschien", "frontrunner"), ("open_to_collaboration=2",
                                               "open_to_collaboration"),
    ("min_inhabitants=10&max_inhabitants=5", "max_inhabitants"),
    ("q=" + "x" * 201, "q"),
])
def test_bad_filters_are_422_with_fields(client, data, api_error, query, field):
    error = api_error(client.get(f"/api/v1/organisations?{query}"), 422, "validation_failed")
    assert field in error["fields"]


def test_detail_has_networks_and_topics_without_contacts(client, data, api_error):
    response = client.get("/api/v1/organisations/groot")
    body = response.json
    assert body["networks"] == [{"slug": "ai-netwerk", "name": "AI-netwerk",
                                 "url": body["networks"][0]["url"]}]
    assert body["networks"][0]["url"].endswith("/netwerken/ai-netwerk")
    topic = data["topic"]
    assert body["frontrunner_topics"] == [{
        "id": topic.id, "theme": None, "law": None, "obligation": topic.obligation_id,
        "summary": "Register", "open_to_collaboration": True,
        "url": body["frontrunner_topics"][0]["url"]}]
    assert body["frontrunner_topics"][0]["url"].endswith(f"/organisaties/groot#voorloper-{topic.id}")
    assert "@" not in response.get_data(as_text=True)  # no contact e-mail address
    api_error(client.get("/api/v1/organisations/bestaat-niet"), 404, "not_found")


def test_peers_best_first_with_reasons_and_topics(client, data, api_error):
    body = client.get("/api/v1/organisations/klein/peers").json
    assert [p["organisation"]["slug"] for p in body["items"]] == ["gelijk", "groot"]
    first = body["items"][0]
    assert first["reasons"][0] == "ook een gemeente"
    assert "zelfde grootteklasse: minder dan 5.000 inwoners (Gemeente Gelijk: 4.500)" in \
        first["reasons"]
    assert "ook in Fryslân" in first["reasons"]
    assert first["frontrunner_topics"][0]["theme"] == "ai"
    # On the law the frontrunner on its obligation comes first; in English on request.
    body = client.get("/api/v1/organisations/klein/peers?law=ai-act&lang=en").json
    assert body["items"][0]["organisation"]["slug"] == "groot"
    assert body["items"][0]["reasons"][0] == "also a municipality"
    assert body["items"][1]["frontrunner_topics"] == []  # its topic is on a theme, not the law
    assert len(client.get("/api/v1/organisations/klein/peers?limit=1").json["items"]) == 1
    prov = client.get("/api/v1/organisations/prov/peers").json["items"]
    assert prov == []  # the only province: no peers of another type
    for query, field in (("theme=bestaat-niet", "theme"), ("law=x-y", "law"),
                         ("obligation=abc", "obligation"), ("limit=0", "limit"),
                         ("limit=51", "limit")):
        error = api_error(client.get(f"/api/v1/organisations/klein/peers?{query}"), 422)
        assert field in error["fields"]
    api_error(client.get("/api/v1/organisations/bestaat-niet/peers"), 404)
