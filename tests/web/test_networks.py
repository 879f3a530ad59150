"""Networks through the web pages: the list and its filters, one network, "our organisation
takes part", proposals and their review, and what others must not see of a proposal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kde_community import events
from kde_community.directory import networks as network_service
from kde_community.directory.models import Network, network_members
from kde_community.extensions import db
from kde_community.laws.models import Theme
from kde_community.search import services as search
from tests.helpers import (
    commit,
    count,
    count_statements,
    csrf_from,
    last_mail_link,
    login,
    outbox,
    submit,
)


@pytest.fixture
def themes(app):
    rows = [Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI"),
            Theme(slug="cyber", name_nl="Cyberveiligheid", name_en="Cyber security")]
    db.session.add_all(rows)
    db.session.commit()
    return {t.slug: t for t in rows}


@pytest.fixture
def make_network(app, themes):
    """`make_network(slug, members=[org…], …)`: a network as the reference loader makes it."""

    def make(slug="ai-netwerk", name=None, members=(), theme_slugs=("ai",), **values):
        network = Network(slug=slug, name=name or f"Netwerk {slug}",
                          description_nl=values.pop("description_nl", "Over algoritmes."),
                          target_roles=values.pop("target_roles", ["cio"]), **values)
        network.themes = [themes[s] for s in theme_slugs]
        db.session.add(network)
        db.session.flush()
        for org in members:
            db.session.execute(network_members.insert().values(
                network_id=network.id, organisation_id=org.id, source="reference"))
        db.session.commit()
        return network

    return make


def rows_of(network) -> dict[int, str]:
    c = network_members.c
    return dict(db.session.execute(select(c.organisation_id, c.source)
                                   .where(c.network_id == network.id)).all())


def network_events() -> list[events.Event]:
    return list(db.session.scalars(select(events.Event)
                                   .where(events.Event.name == "network.changed")
                                   .order_by(events.Event.id)))


PROPOSAL = {"name": "Netwerk Algoritmeregisters", "description": "Wij delen ervaringen met "
            "het algoritmeregister.", "themes": ["ai"], "target_roles": ["cio", "jurist"],
            "who_may_join": "Alle gemeenten", "how_to_join": "Mail de organisator",
            "organiser": "VNG", "meeting_rhythm": "Vier keer per jaar",
            "website": "https://example.org/algoritmes"}


def sent(response):
    """The response read and closed: mails queued for after the response go out then."""
    response.get_data()
    response.close()
    return response


def propose(client, **changes):
    return submit(client, "/netwerken/voorstellen", {**PROPOSAL, **changes})


# --- the list -------------------------------------------------------------------------------

def test_list_shows_active_networks_with_roles_and_member_counts(client, make_network, make_org,
                                                                 make_user):
    a, b = make_org(slug="utrecht"), make_org(slug="zwolle")
    make_network("ai-netwerk", name="AI-netwerk overheden", members=[a, b],
                 target_roles=["cio", "ciso"], description_nl="Samen over algoritmes.")
    make_network("cyber-kring", name="Cyberkring", theme_slugs=("cyber",),
                 target_roles=["jurist"], members=[a])
    make_network("voorgesteld", name="Voorgesteld Geheimnetwerk", status="proposed")
    make_network("afgewezen", name="Afgewezen Geheimnetwerk", status="refused")

    page = client.get("/netwerken").get_data(as_text=True)
    assert "AI-netwerk overheden" in page and "Cyberkring" in page
    assert "Samen over algoritmes." in page
    assert "Kunstmatige intelligentie" in page and "Cyberveiligheid" in page
    assert "CIO / CDO, CISO / privacyfunctionaris" in page and "Jurist" in page
    assert "2 deelnemende organisaties" in page and "1 deelnemende organisatie" in page
    assert "Geheimnetwerk" not in page
    assert "Stel een netwerk voor" not in page  # visitors cannot propose

    page = client.get("/netwerken?theme=cyber").get_data(as_text=True)
    assert "Cyberkring" in page and "AI-netwerk overheden" not in page
    page = client.get("/netwerken?rol=ciso").get_data(as_text=True)
    assert "AI-netwerk overheden" in page and "Cyberkring" not in page
    page = client.get("/netwerken?rol=cio&theme=ai").get_data(as_text=True)
    assert "AI-netwerk overheden" in page and "Cyberkring" not in page
    page = client.get("/netwerken?q=kring").get_data(as_text=True)
    assert "Cyberkring" in page and "AI-netwerk overheden" not in page
    page = client.get("/netwerken?q=geheim").get_data(as_text=True)
    assert "Geheimnetwerk" not in page and "Geen netwerken gevonden" in page

    login(client, make_user().email)
    assert "Stel een netwerk voor" in client.get("/netwerken").get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("theme=bestaat-niet", "Onbekend thema"),
    ("theme=" + "x" * 500, "Onbekend thema"),
    ("theme=a%00b", "Onbekend thema"),
    ("theme=AI", "Onbekend thema"),
    ("rol=koning", "Onbekende doelgroep"),
    ("q=" + "x" * 300, "hoogstens 200 tekens"),
    ("page=0", "paginanummer"),
    ("page=99999999999999999999", "paginanummer"),
    ("per_page=tien", "aantal per pagina"),
])
def test_bad_filters_get_a_message_not_an_error(client, make_network, query, message):
    make_network("ai-netwerk", name="AI-netwerk overheden")
    response = client.get(f"/netwerken?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "AI-netwerk overheden" in page


# --- one network ----------------------------------------------------------------------------

def test_network_page_shows_everything_and_members_grouped_by_type(client, make_network,
                                                                    make_org):
    orgs = [make_org(slug="utrecht", name="Gemeente Utrecht"),
            make_org(slug="amersfoort", name="Gemeente Amersfoort"),
            make_org(slug="hdsr", name="Waterschap HDSR", type="waterschap"),
            make_org(slug="prov-utrecht", name="Provincie Utrecht", type="provincie")]
    make_network("ai-netwerk", name="AI-netwerk overheden", members=orgs,
                 target_roles=["cio", "bestuur"], description_nl="Samen **leren** over AI.",
                 who_may_join="Alle overheden", how_to_join="Meld u aan bij het secretariaat",
                 organiser="VNG Realisatie", meeting_rhythm="Elk kwartaal",
                 website="https://example.org/ai")
    page = client.get("/netwerken/ai-netwerk").get_data(as_text=True)
    assert "<strong>leren</strong>" in page
    for text in ("Kunstmatige intelligentie", "CIO / CDO, Bestuurder", "Alle overheden",
                 "Meld u aan bij het secretariaat", "VNG Realisatie", "Elk kwartaal",
                 'href="https://example.org/ai"', "Deelnemers (4 organisaties)",
                 "Gemeente (2)", "Provincie (1)", "Waterschap (1)"):
        assert text in page, text
    # Grouped by type in the usual order, by name within a group.
    positions = [page.index(name) for name in ("Gemeente Amersfoort", "Gemeente Utrecht",
                                               "Provincie Utrecht", "Waterschap HDSR")]
    assert positions == sorted(positions)
    assert 'href="/organisaties/hdsr"' in page
    assert "Onze organisatie doet mee" not in page  # visitors get no button
    for path in ("/netwerken/bestaat-niet", "/netwerken/a%00b", "/netwerken/" + "x" * 121,
                 "/netwerken/AI-NETWERK"):
        assert client.get(path).status_code == 404, path
    assert "AI-netwerk overheden" in client.get("/netwerken?q=netwerk%00").get_data(as_text=True)



def test_statement_count_of_the_network_pages_does_not_grow(app, make_network, make_org,
                                                             make_user):
    viewer = make_user()
    client = app.test_client()
    login(client, viewer.email)
    counts = []
    for n in (3, 30):
        orgs = [make_org(slug=f"org-{n}-{i}", type=("gemeente", "waterschap")[i % 2])
                for i in range(n)]
        network = make_network(f"netwerk-{n}", members=orgs)
        page_counts = count_statements(lambda s=network.slug: client.get(f"/netwerken/{s}"))
        list_counts = count_statements(lambda: client.get("/netwerken"))
        page = client.get(f"/netwerken/{network.slug}").get_data(as_text=True)
        assert f"Deelnemers ({n} organisaties)" in page
        counts.append((page_counts, list_counts))
    assert counts[0] == counts[1], counts


# --- taking part ----------------------------------------------------------------------------

def test_a_member_marks_and_unmarks_participation(app, client, make_network, make_org,
                                                   make_user):
    org = make_org(slug="utrecht", name="Gemeente Utrecht")
    member = make_user(org=org)
    network = make_network("ai-netwerk")
    login(client, member.email)
    page = client.get("/netwerken/ai-netwerk").get_data(as_text=True)
    assert "Onze organisatie doet mee" in page
    response = submit(client, "/netwerken/ai-netwerk", {"value": "mee"},
                      action="/netwerken/ai-netwerk/deelname")
    assert response.status_code == 302
    db.session.expire_all()
    assert rows_of(network) == {org.id: "member"}
    row = db.session.execute(select(network_members).where(
        network_members.c.network_id == network.id)).one()
    assert row.added_by_id == member.id and row.created_at is not None
    [changed] = network_events()
    assert changed.subject_id == network.id and changed.actor_id == member.id
    assert changed.payload == {"fields": ["members"], "organisation_ids": [org.id]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gemeente Utrecht staat nu bij de deelnemers." in page
    assert "Onze organisatie doet niet meer mee" in page and "Deelnemers (1 organisatie)" in page
    assert "Gemeente Utrecht" in client.get("/organisaties/utrecht").get_data(as_text=True)

    response = submit(client, "/netwerken/ai-netwerk", {"value": "niet-mee"},
                      action="/netwerken/ai-netwerk/deelname")
    assert response.status_code == 302
    db.session.expire_all()
    assert rows_of(network) == {}
    assert len(network_events()) == 2
    page = client.get("/netwerken/ai-netwerk").get_data(as_text=True)
    assert "Onze organisatie doet mee" in page and "Deelnemers (0 organisaties)" in page


def test_a_reference_row_cannot_be_removed_here(client, make_network, make_org, make_user):
    org = make_org(slug="utrecht", name="Gemeente Utrecht")
    member = make_user(org=org)
    network = make_network("ai-netwerk", members=[org])
    login(client, member.email)
    page = client.get("/netwerken/ai-netwerk").get_data(as_text=True)
    assert "staat in de referentiegegevens als deelnemer" in page
    assert "Onze organisatie doet niet meer mee" not in page
    response = submit(client, "/netwerken/ai-netwerk", {"value": "niet-mee"},
                      action="/netwerken/ai-netwerk/deelname")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "niet ongedaan maken" in page
    db.session.expire_all()
    assert rows_of(network) == {org.id: "reference"} and network_events() == []
    # Marking again changes nothing either.
    submit(client, "/netwerken/ai-netwerk", {"value": "mee"}, action="/netwerken/ai-netwerk/deelname")
    db.session.expire_all()
    assert rows_of(network) == {org.id: "reference"} and network_events() == []


def test_nobody_marks_for_an_organisation_not_theirs(app, client, make_network, make_org,
                                                     make_user):
    utrecht, zwolle = make_org(slug="utrecht"), make_org(slug="zwolle")
    outsider = make_user(org=zwolle)
    network = make_network("ai-netwerk")
    # A visitor: to the login page, nothing changes.
    member_client = app.test_client()
    login(member_client, make_user(org=zwolle).email)
    token = csrf_from(member_client.get("/netwerken/ai-netwerk").get_data(as_text=True))
    response = client.post("/netwerken/ai-netwerk/deelname",
                           data={"csrf_token": token, "value": "mee", "organisatie": "utrecht"})
    assert response.status_code in (302, 400) and "/inloggen" in response.headers.get(
        "Location", "/inloggen")
    # A member of another organisation, naming Utrecht: refused.
    login(client, outsider.email)
    response = submit(client, "/netwerken/ai-netwerk",
                      {"value": "mee", "organisatie": "utrecht"},
                      action="/netwerken/ai-netwerk/deelname")
    assert response.status_code == 403
    for bad in ("a\x00b", "x" * 200, "Utrecht", "bestaat-niet"):
        response = submit(client, "/netwerken/ai-netwerk", {"value": "mee", "organisatie": bad},
                          action="/netwerken/ai-netwerk/deelname")
        assert response.status_code == 404, bad
    response = submit(client, "/netwerken/ai-netwerk", {"value": "doe-maar"},
                      action="/netwerken/ai-netwerk/deelname")
    assert response.status_code == 400
    # Without the CSRF token: refused.
    assert client.post("/netwerken/ai-netwerk/deelname", data={"value": "mee"}).status_code == 400
    # A proposed network cannot be joined.
    make_network("voorstel", status="proposed")
    response = submit(client, "/netwerken/ai-netwerk", {"value": "mee"},
                      action="/netwerken/voorstel/deelname")
    assert response.status_code == 404
    db.session.expire_all()
    assert rows_of(network) == {} and network_events() == []
    # An editor manages every organisation, so may mark for Utrecht.
    editor = make_user(org=zwolle, role="editor")
    editor_client = app.test_client()
    login(editor_client, editor.email)
    response = submit(editor_client, "/netwerken/ai-netwerk",
                      {"value": "mee", "organisatie": "utrecht"},
                      action="/netwerken/ai-netwerk/deelname")
    assert response.status_code == 302
    db.session.expire_all()
    assert rows_of(network) == {utrecht.id: "member"}


# --- proposals ------------------------------------------------------------------------------

def test_a_member_proposes_a_network_that_waits_for_review(client, make_user, themes):
    member = make_user(name="Piet Voorsteller")
    login(client, member.email)
    page = client.get("/netwerken/voorstellen").get_data(as_text=True)
    assert "Stel een netwerk voor" in page and "CISO / privacyfunctionaris" in page
    response = propose(client)
    assert response.status_code == 302
    network = db.session.scalar(select(Network))
    assert network.status == "proposed" and network.proposed_by_id == member.id
    assert network.slug == "netwerk-algoritmeregisters"
    assert [t.slug for t in network.themes] == ["ai"]
    assert network.target_roles == ["cio", "jurist"]
    assert (network.organiser, network.meeting_rhythm, network.website) == (
        "VNG", "Vier keer per jaar", "https://example.org/algoritmes")
    assert response.headers["Location"].endswith("/netwerken/netwerk-algoritmeregisters")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "wacht op beoordeling" in page and "Netwerk Algoritmeregisters" in page
    assert "Onze organisatie doet mee" not in page
    assert "Netwerk Algoritmeregisters" not in client.get("/netwerken").get_data(as_text=True)
    assert network_events() == []  # nothing for the index until it is approved


def test_slugs_are_unique_and_never_a_page(client, make_user, make_network, themes):
    make_network("netwerk-algoritmeregisters", name="Ander netwerk met dezelfde slug")
    login(client, make_user().email)
    assert propose(client).status_code == 302
    assert propose(client, name="Netwerk  algoritmeregisters!").status_code == 302
    assert propose(client, name="Voorstellen").status_code == 302
    slugs = set(db.session.scalars(select(Network.slug)))
    assert {"netwerk-algoritmeregisters-2", "netwerk-algoritmeregisters-3",
            "voorstellen-2"} <= slugs


@pytest.mark.parametrize("changes, field, message", [
    ({"name": "NETWERK algoritmeREGISTERS"}, "name", "Er bestaat al een netwerk met deze naam"),
    ({"name": "  netwerk   algoritmeregisters "}, "name",
     "Er bestaat al een netwerk met deze naam"),
    ({"name": "AI"}, "name", "minstens 3 tekens"),
    ({"name": "x" * 201}, "name", "hoogstens 200 tekens"),
    ({"description": "x" * 10_000}, "description", "hoogstens 2000 tekens"),
    ({"description": ""}, "description", "verplicht"),
    ({"themes": ["ai", "bestaat-niet"]}, "themes", "Onbekend thema: bestaat-niet"),
    ({"target_roles": ["koning"]}, "target_roles", "Onbekende doelgroep: koning"),
    ({"website": "javascript:alert(1)"}, "website", "http:// of https://"),
    ({"website": "ftp://example.org"}, "website", "http:// of https://"),
    ({"website": "https://"}, "website", "http:// of https://"),
    ({"website": "https://exa mple.org"}, "website", "http:// of https://"),
    ({"website": "https://[::1"}, "website", "http:// of https://"),
    ({"organiser": "x" * 201}, "organiser", "hoogstens 200 tekens"),
    ({"who_may_join": "x" * 2001}, "who_may_join", "hoogstens 2000 tekens"),
])
def test_bad_proposals_change_nothing(client, make_user, make_network, changes, field, message):
    make_network("bestaand", name="Netwerk Algoritmeregisters", status="proposed")
    login(client, make_user().email)
    before = count(Network)
    response = propose(client, **{"name": "Een nieuw netwerk", **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and f'href="#{field}"' in page
    db.session.expire_all()
    assert count(Network) == before


def test_only_members_propose(app, client, make_user, themes):
    response = client.get("/netwerken/voorstellen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert client.post("/netwerken/voorstellen", data=PROPOSAL).status_code in (302, 400)
    login(client, make_user().email)
    assert client.post("/netwerken/voorstellen", data=PROPOSAL).status_code == 400  # no token
    assert count(Network) == 0


# --- review ---------------------------------------------------------------------------------

def test_review_permissions(app, client, make_user, make_network):
    proposal = make_network("voorstel", name="Voorgesteld netwerk", status="proposed")
    response = client.get("/netwerken/beoordelen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    member_client = app.test_client()
    login(member_client, make_user().email)
    assert member_client.get("/netwerken/beoordelen").status_code == 403
    token = csrf_from(member_client.get("/netwerken").get_data(as_text=True))
    response = member_client.post(f"/netwerken/beoordelen/{proposal.id}",
                                  data={"csrf_token": token, "decision": "approve"})
    assert response.status_code == 403
    assert "Voorgestelde netwerken beoordelen" not in member_client.get(
        "/netwerken").get_data(as_text=True)
    for role in ("editor", "moderator", "admin"):
        staff = app.test_client()
        login(staff, make_user(role=role).email)
        page = staff.get("/netwerken/beoordelen").get_data(as_text=True)
        assert "Voorgesteld netwerk" in page, role
    db.session.expire_all()
    assert db.session.get(Network, proposal.id).status == "proposed"


def test_an_editor_approves_and_the_proposer_is_told(app, client, make_user, themes):
    proposer = make_user(name="Piet Voorsteller", email="piet@utrecht.example.nl")
    login(client, proposer.email)
    propose(client, name="Netwerk Zeldzaamwoord", description="Over het Zeldzaamwoord.")
    network = db.session.scalar(select(Network))
    search.drain()
    assert search.search(None, "Zeldzaamwoord").total == 0

    editor = make_user(role="editor")
    staff = app.test_client()
    login(staff, editor.email)
    page = staff.get("/netwerken/beoordelen").get_data(as_text=True)
    assert "Netwerk Zeldzaamwoord" in page and "Piet Voorsteller" in page
    mails = len(outbox(app))
    response = sent(submit(staff, "/netwerken/beoordelen", {"decision": "approve", "note": ""},
                           action=f"/netwerken/beoordelen/{network.id}"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Network, network.id).status == "active"
    [changed] = network_events()
    assert changed.payload["fields"] == ["created"]
    assert len(outbox(app)) == mails + 1
    mail = outbox(app)[-1].read_text()
    assert "piet@utrecht.example.nl" in mail and "goedgekeurd" in mail
    assert last_mail_link(app, "/netwerken/") == \
        app.config["KDE_BASE_URL"] + "/netwerken/netwerk-zeldzaamwoord"
    assert "Netwerk Zeldzaamwoord" in client.get("/netwerken").get_data(as_text=True)
    assert "Er wachten geen voorgestelde netwerken" in staff.get(
        "/netwerken/beoordelen").get_data(as_text=True)
    search.drain()
    assert search.search(None, "Zeldzaamwoord").total == 1
    # Reviewed once: a second decision finds nothing to review.
    response = submit(staff, "/netwerken/beoordelen", {"decision": "refuse", "note": "Toch niet"},
                      action=f"/netwerken/beoordelen/{network.id}")
    assert response.status_code == 404


def test_refusing_needs_a_note_and_tells_the_proposer(app, client, make_user, themes):
    proposer = make_user(email="piet@utrecht.example.nl")
    login(client, proposer.email)
    propose(client)
    network = db.session.scalar(select(Network))
    staff = app.test_client()
    login(staff, make_user(role="editor").email)
    mails = len(outbox(app))
    response = sent(submit(staff, "/netwerken/beoordelen", {"decision": "refuse", "note": ""},
                           action=f"/netwerken/beoordelen/{network.id}"))
    assert response.status_code == 422 and "verplicht" in response.get_data(as_text=True)
    response = submit(staff, "/netwerken/beoordelen", {"decision": "weet-niet", "note": "x"},
                      action=f"/netwerken/beoordelen/{network.id}")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Network, network.id).status == "proposed"
    assert len(outbox(app)) == mails
    response = sent(submit(staff, "/netwerken/beoordelen",
                           {"decision": "refuse",
                            "note": "Dit netwerk bestaat al onder een andere naam."},
                           action=f"/netwerken/beoordelen/{network.id}"))
    assert response.status_code == 302
    db.session.expire_all()
    refused = db.session.get(Network, network.id)
    assert refused.status == "refused"
    assert refused.review_note == "Dit netwerk bestaat al onder een andere naam."
    assert len(outbox(app)) == mails + 1
    assert "bestaat al onder een andere naam" in outbox(app)[-1].read_text()
    assert network_events() == []
    page = client.get(f"/netwerken/{refused.slug}").get_data(as_text=True)
    assert "afgewezen" in page and "bestaat al onder een andere naam" in page
    assert client.get("/netwerken").get_data(as_text=True).count(refused.name) == 0
    assert staff.get("/netwerken/beoordelen/999999999999999").status_code in (404, 405)
    response = submit(staff, "/netwerken/beoordelen", {"decision": "approve"},
                      action="/netwerken/beoordelen/99999999999999999999")
    assert response.status_code == 404


def test_a_proposal_is_invisible_to_everyone_else(app, client, make_user, make_org, themes):
    proposer = make_user()
    login(client, proposer.email)
    propose(client, name="Netwerk Geheimwoordnetwerk", description="Het Geheimwoordnetwerk.")
    network = db.session.scalar(select(Network))
    url = f"/netwerken/{network.slug}"
    assert client.get(url).status_code == 200
    visitor = app.test_client()
    colleague = app.test_client()
    login(colleague, make_user(org=proposer.organisation).email)
    other = app.test_client()
    login(other, make_user(org=make_org()).email)
    for c in (visitor, colleague, other):
        assert c.get(url).status_code == 404
        assert "Geheimwoordnetwerk" not in c.get("/netwerken").get_data(as_text=True)
        assert "Geheimwoordnetwerk" not in c.get("/netwerken?q=geheim").get_data(as_text=True)
    editor = app.test_client()
    login(editor, make_user(role="editor").email)
    assert editor.get(url).status_code == 200
    assert visitor.get(f"/api/v1/networks/{network.slug}").status_code == 404
    assert visitor.get("/api/v1/networks").json["total"] == 0
    search.drain()
    assert search.search(None, "Geheimwoordnetwerk").total == 0
    assert search.search(proposer, "Geheimwoordnetwerk").total == 0
    for c in (visitor, colleague, other):
        assert f'href="{url}"' not in c.get("/zoeken?q=Geheimwoordnetwerk").get_data(as_text=True)


def test_services_refuse_without_permission(app, make_user, make_network, make_org):
    from kde_community.errors import Forbidden, NotFound

    member = make_user()
    proposal = make_network("voorstel", status="proposed")
    active = make_network("actief")
    with pytest.raises(Forbidden):
        network_service.review_network(member, proposal.id, "approve")
    with pytest.raises(Forbidden):
        network_service.propose_network(None, PROPOSAL)
    with pytest.raises(Forbidden):
        network_service.mark_participation(member, active, make_org())
    with pytest.raises(NotFound):
        network_service.mark_participation(member, proposal, member.organisation)
    editor = make_user(role="editor")
    with pytest.raises(NotFound):
        network_service.review_network(editor, active.id, "approve")
    with pytest.raises(NotFound):
        network_service.review_network(editor, "abc", "approve")
    commit()
    assert re.fullmatch(r"[a-z0-9-]+", network_service.slugify("Ëén  netwerk — van/voor ons!"))
    assert network_service.slugify("Ëén  netwerk — van/voor ons!") == "een-netwerk-van-voor-ons"
    assert network_service.slugify("!!!") == "netwerk"
