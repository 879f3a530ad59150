"""The organisation page: facts, networks, frontrunner topics, contacts, contributions and
peers; who sees what; and a statement count that does not grow with the organisation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert

from kde_community.dbtypes import utcnow
from kde_community.directory.models import (
    FrontrunnerTopic,
    Network,
    OrganisationAdmin,
    network_members,
)
from kde_community.extensions import db
from kde_community.laws.models import Theme
from tests.helpers import commit, count, count_statements, login, submit


def page_of(client, org) -> str:
    response = client.get(f"/organisaties/{org.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def member_client(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def add_network(org, name: str, slug: str) -> Network:
    network = Network(slug=slug, name=name, description_nl="Een netwerk.")
    db.session.add(network)
    db.session.flush()
    db.session.execute(insert(network_members).values(network_id=network.id,
                                                      organisation_id=org.id))
    db.session.commit()
    return network


def add_topic(org, **values) -> FrontrunnerTopic:
    topic = FrontrunnerTopic(organisation=org, summary=values.pop("summary", "Wij deden **veel**."),
                             **values)
    db.session.add(topic)
    db.session.commit()
    return topic


@pytest.fixture
def theme(app):
    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="Artificial intelligence")
    db.session.add(theme)
    db.session.commit()
    return theme


# --- facts and sections -----------------------------------------------------------------------

def test_the_page_shows_the_profile_networks_and_frontrunner_topics(app, client, make_org,
                                                                    make_law, theme):
    org = make_org(slug="vaals", name="Gemeente Vaals", province="Limburg", inhabitants=9_874,
                   area_km2=1234.5, website="https://www.vaals.nl",
                   description="Wij zijn **klein** en <script>alert(1)</script>.")
    add_network(org, "Kleine gemeenten", "kleine-gemeenten")
    law = make_law()
    by_theme = add_topic(org, theme=theme, open_to_collaboration=True,
                         summary="Wij registreren *alle* algoritmes.")
    by_law = add_topic(org, law=law, summary="Wij hebben een AI-beleid.")
    by_obligation = add_topic(org, obligation=law.obligations[1], summary="Toezicht geregeld.")
    gone = add_topic(org, theme=theme, summary="Een oud voorloperthema.", deleted_at=utcnow())

    page = page_of(client, org)
    assert "<h1 class=\"utrecht-heading-1\">Gemeente Vaals</h1>" in page
    assert "Gemeente" in page and "Limburg" in page
    assert "9.874" in page and "1.234,5 km²" in page
    assert 'href="https://www.vaals.nl"' in page
    assert "<strong>klein</strong>" in page and "<script>alert" not in page
    assert 'href="/netwerken/kleine-gemeenten">Kleine gemeenten</a>' in page

    for topic in (by_theme, by_law, by_obligation):
        assert f'id="voorloper-{topic.id}"' in page
    assert f'id="voorloper-{gone.id}"' not in page and "Een oud voorloperthema" not in page
    assert "<em>alle</em>" in page
    assert 'href="/vragen?thema=ai">Kunstmatige intelligentie</a>' in page
    assert 'href="/wetgeving/ai-act">AI-verordening</a>' in page
    obligation = law.obligations[1]
    assert f'href="/wetgeving/ai-act/verplichtingen/{obligation.key}">AI-verordening art. 26: ' \
           f'Verplichting 26</a>' in page
    theme_card = re.search(rf'id="voorloper-{by_theme.id}".*?</li>', page, re.S).group(0)
    law_card = re.search(rf'id="voorloper-{by_law.id}".*?</li>', page, re.S).group(0)
    assert "Open voor samenwerking" in theme_card and "Open voor samenwerking" not in law_card


def test_an_unknown_organisation_is_not_found(client):
    assert client.get("/organisaties/bestaat-niet").status_code == 404


def test_peers_are_listed_with_a_link_to_more(client, make_org):
    org = make_org(slug="vaals", inhabitants=10_000)
    make_org(slug="gulpen", name="Gemeente Gulpen-Wittem", inhabitants=14_000)
    make_org(slug="limburg", name="Provincie Limburg", type="provincie")
    page = page_of(client, org)
    peers = page[page.index('id="vergelijkbaar"'):]
    assert "Gemeente Gulpen-Wittem" in peers and "Provincie Limburg" not in peers
    assert "Meer organisaties zoals deze</a>" in peers


# --- contacts: members only, contactable only -------------------------------------------------

@pytest.fixture
def people(app, make_org, make_user, theme):
    org = make_org(slug="vaals", name="Gemeente Vaals")
    other_org = make_org(slug="epen", name="Gemeente Epen")
    shown = make_user(org=org, name="Anna Bereikbaar", contactable=True,
                      job_title="CISO", expertise=[theme])
    return {
        "org": org,
        "shown": shown,
        "hidden": make_user(org=org, name="Bert Verborgen"),
        "pending": make_user(org=org, name="Carla Wachtend", contactable=True, approval="pending"),
        "blocked": make_user(org=org, name="Dirk Geblokkeerd", contactable=True, active=False),
        "colleague": make_user(org=org, name="Els Collega"),
        "outsider": make_user(org=other_org, name="Frank Buiten"),
        "moderator": make_user(org=other_org, name="Gerda Moderator", role="moderator"),
    }


NEVER_SHOWN = ("Bert Verborgen", "Carla Wachtend", "Dirk Geblokkeerd")


def test_visitors_see_no_contacts_only_how_to_see_them(client, people):
    page = page_of(client, people["org"])
    assert "Anna Bereikbaar" not in page and "Stuur een bericht" not in page
    assert "alleen zichtbaar voor leden" in page
    for name in NEVER_SHOWN:
        assert name not in page


@pytest.mark.parametrize("viewer", ["outsider", "colleague", "moderator"])
def test_members_see_contactable_members_with_a_contact_link(app, people, viewer):
    page = page_of(member_client(app, people[viewer]), people["org"])
    shown = people["shown"]
    contacts = page[page.index('id="contactpersonen"'):page.index('id="bijdragen"')]
    assert f'href="/leden/{shown.id}">Anna Bereikbaar</a>' in contacts
    assert "CISO" in contacts and "Kunstmatige intelligentie" in contacts
    assert f'href="/organisaties/vaals/contact/{shown.id}"' in contacts
    assert "Stuur een bericht" in contacts
    assert "alleen zichtbaar voor leden" not in page
    for name in NEVER_SHOWN:
        assert name not in page
    assert shown.email not in page


def test_a_contactable_member_sees_themselves_without_a_link_to_write_to_themselves(app, people):
    shown = people["shown"]
    page = page_of(member_client(app, shown), people["org"])
    assert "Anna Bereikbaar" in page
    assert f"/contact/{shown.id}" not in page


def test_a_topic_names_its_contact_to_members_only_and_only_when_contactable(app, client, people,
                                                                            theme):
    org = people["org"]
    reachable = add_topic(org, theme=theme, contact=people["shown"])
    unreachable = add_topic(org, theme=theme, contact=people["hidden"])
    page = page_of(client, org)
    assert "Anna Bereikbaar" not in page and "Contactpersoon:" not in page

    page = page_of(member_client(app, people["outsider"]), org)
    card = re.search(rf'id="voorloper-{reachable.id}".*?</li>', page, re.S).group(0)
    assert "Contactpersoon: Anna Bereikbaar" in card
    assert f'href="/organisaties/vaals/contact/{people["shown"].id}"' in card
    card = re.search(rf'id="voorloper-{unreachable.id}".*?</li>', page, re.S).group(0)
    assert "Contactpersoon" not in card and "Bert Verborgen" not in card


# --- contributions: what the viewer may see, never anonymous write-ups ------------------------

@pytest.fixture
def contributions(app, people, make_question, make_practice, theme):
    org_member, outsider = people["colleague"], people["outsider"]
    writer = people["shown"]
    make_question(author=org_member, title="Openbare vraag over het AI-register")
    make_question(author=org_member, title="Ledenvraag over de AI-verordening",
                  visibility="members")
    hidden = make_question(author=org_member, title="Verborgen vraag over iets anders")
    hidden.hidden_at = utcnow()
    make_question(author=outsider, title="Vraag van een andere gemeente hier")
    make_practice(author=writer, title="Openbaar praktijkverhaal over algoritmes")
    make_practice(author=writer, title="Ledenverhaal over het datalandschap", visibility="members")
    make_practice(author=writer, title="Intern verhaal over onze eigen aanpak",
                  visibility="organisation")
    anonymous = make_practice(author=writer, title="Geheim verhaal dat anoniem blijft",
                              anonymous=True)
    make_practice(author=writer, title="Anoniem ledenverhaal, ook geheim", anonymous=True,
                  visibility="members")
    # A frontrunner topic pointing at the anonymous write-up must not link it either.
    add_topic(people["org"], theme=theme, practice=anonymous)
    commit()
    return anonymous


def shown_titles(page: str) -> set[str]:
    titles = ("Openbare vraag over het AI-register", "Ledenvraag over de AI-verordening",
              "Verborgen vraag over iets anders", "Vraag van een andere gemeente hier",
              "Openbaar praktijkverhaal over algoritmes", "Ledenverhaal over het datalandschap",
              "Intern verhaal over onze eigen aanpak", "Geheim verhaal dat anoniem blijft",
              "Anoniem ledenverhaal, ook geheim")
    return {t for t in titles if t in page}


@pytest.mark.parametrize(("viewer", "questions", "practices", "expected"), [
    (None, 1, 1, {"Openbare vraag over het AI-register",
                  "Openbaar praktijkverhaal over algoritmes"}),
    ("outsider", 2, 2, {"Openbare vraag over het AI-register", "Ledenvraag over de AI-verordening",
                        "Openbaar praktijkverhaal over algoritmes",
                        "Ledenverhaal over het datalandschap"}),
    ("moderator", 2, 2, {"Openbare vraag over het AI-register",
                         "Ledenvraag over de AI-verordening",
                         "Openbaar praktijkverhaal over algoritmes",
                         "Ledenverhaal over het datalandschap"}),
    ("colleague", 2, 3, {"Openbare vraag over het AI-register",
                         "Ledenvraag over de AI-verordening",
                         "Openbaar praktijkverhaal over algoritmes",
                         "Ledenverhaal over het datalandschap",
                         "Intern verhaal over onze eigen aanpak"}),
    # The writer of the anonymous write-ups: still neither listed nor counted here.
    ("shown", 2, 3, {"Openbare vraag over het AI-register", "Ledenvraag over de AI-verordening",
                     "Openbaar praktijkverhaal over algoritmes",
                     "Ledenverhaal over het datalandschap",
                     "Intern verhaal over onze eigen aanpak"}),
])
def test_contributions_are_filtered_for_the_viewer_and_never_anonymous(
        app, client, people, contributions, viewer, questions, practices, expected):
    browser = member_client(app, people[viewer]) if viewer else client
    page = page_of(browser, people["org"])
    assert shown_titles(page) == expected
    assert f"{questions} vragen" in page or (questions == 1 and "1 vraag" in page)
    assert f"{practices} praktijkverhalen" in page or \
        (practices == 1 and "1 praktijkverhaal<" in page)
    assert f"/praktijken/{contributions.id}\"" not in page


def test_contribution_lists_show_the_ten_newest_and_count_all(app, client, make_user,
                                                              make_question, make_practice):
    author = make_user()
    for n in range(12):
        make_question(author=author, title=f"Vraag nummer {n:02d} over de wetgeving")
        make_practice(author=author, title=f"Praktijk nummer {n:02d} over de wetgeving")
    page = page_of(client, author.organisation)
    assert "12 vragen" in page and "12 praktijkverhalen" in page
    assert page.count("De 10 nieuwste:") == 2
    assert "Vraag nummer 11" in page and "Vraag nummer 01" not in page
    assert "Praktijk nummer 11" in page and "Praktijk nummer 01" not in page


def test_a_practice_linked_from_a_topic_shows_only_to_who_may_read_it(app, client, people,
                                                                     make_practice, theme):
    internal = make_practice(author=people["shown"], title="Intern verhaal van de voorloper",
                             visibility="organisation")
    topic = add_topic(people["org"], theme=theme, practice=internal)
    card = re.search(rf'id="voorloper-{topic.id}".*?</li>', page_of(client, people["org"]),
                     re.S).group(0)
    assert f"/praktijken/{internal.id}" not in card
    page = page_of(member_client(app, people["colleague"]), people["org"])
    card = re.search(rf'id="voorloper-{topic.id}".*?</li>', page, re.S).group(0)
    assert f'href="/praktijken/{internal.id}">Intern verhaal van de voorloper</a>' in card


# --- managing the organisation ----------------------------------------------------------------

def test_management_links_for_those_who_manage_and_an_admin_request_for_its_members(
        app, client, people):
    org = people["org"]
    edit, add = "/organisaties/vaals/bewerken", "/organisaties/vaals/voorlopers/nieuw"
    request_button = "Beheerder van deze organisatie worden"

    page = page_of(client, org)
    assert edit not in page and add not in page and request_button not in page
    page = page_of(member_client(app, people["outsider"]), org)
    assert edit not in page and request_button not in page

    colleague = member_client(app, people["colleague"])
    page = page_of(colleague, org)
    assert edit not in page and request_button in page
    assert 'action="/organisaties/vaals/beheerder-worden"' in page
    response = submit(colleague, "/organisaties/vaals", {},
                      action="/organisaties/vaals/beheerder-worden")
    assert response.status_code == 302
    assert count(OrganisationAdmin) == 1

    admin = OrganisationAdmin(organisation_id=org.id, user_id=people["shown"].id,
                              status="granted")
    db.session.add(admin)
    db.session.commit()
    page = page_of(member_client(app, people["shown"]), org)
    assert edit in page and add in page and request_button not in page
    editor = people["outsider"]
    editor.role = "editor"
    db.session.commit()
    page = page_of(member_client(app, editor), org)
    assert edit in page and add in page and request_button not in page


# --- the statement count does not grow with the organisation ----------------------------------


def test_statement_count_does_not_grow_with_members_contributions_topics_or_networks(
        app, make_org, make_user, make_question, make_practice, make_law, theme):
    law = make_law()
    viewer = make_user(org=make_org(slug="kijker"), role="editor")
    client = member_client(app, viewer)
    sizes = (3, 12)  # from 3 on, every kind of subject (theme, law, obligation) is there
    organisations = []
    for n in sizes:
        org = make_org(slug=f"org-met-{n}")
        members = [make_user(org=org, name=f"Lid {i} van {n}", contactable=True,
                             job_title="Adviseur", expertise=[theme]) for i in range(n)]
        for i in range(n):
            make_question(author=members[i], title=f"Vraag {i} over de AI-verordening")
            practice = make_practice(author=members[i], title=f"Praktijk {i} over algoritmes")
            subject = [{"theme": theme}, {"law": law}, {"obligation": law.obligations[0]}][i % 3]
            add_topic(org, contact=members[i], practice=practice,
                      open_to_collaboration=bool(i % 2), **subject)
            add_network(org, f"Netwerk {i} van {n}", f"netwerk-{i}-{n}")
        organisations.append(org)
    counts = []
    for n, org in zip(sizes, organisations, strict=True):
        client.get(f"/organisaties/{org.slug}")  # warm up: the same caches for both
        counts.append(count_statements(lambda o=org: client.get(f"/organisaties/{o.slug}")))
        page = page_of(client, org)
        assert len(re.findall(r'id="voorloper-\d+"', page)) == n
        assert page.count("/contact/") >= 2 * n  # every topic contact and every member
        assert page.count('href="/netwerken/netwerk-') == n
        assert f"{n} vragen" in page and f"{n} praktijkverhalen" in page
    assert counts[0] == counts[1], counts
