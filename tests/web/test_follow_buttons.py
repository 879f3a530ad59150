"""Follow buttons on every page of something that can be followed: laws, obligations,
organisations, networks, practices, clause sets, and a theme on the lists filtered on it.
Members follow and unfollow from the page itself and come back to it; visitors see no button;
what a member may not see can be neither followed nor shown."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from kde_community.clauses import services as clause_services
from kde_community.directory.models import Network
from kde_community.extensions import db
from kde_community.laws.models import Theme
from kde_community.notifications import services as notifications
from kde_community.notifications.models import Follow
from tests.helpers import commit, count_statements, csrf_from, login, submit

FOLLOW_FORM = re.compile(r'<form method="post" action="(/mijn/(?:volgen|ontvolgen))" '
                         r'class="inline-form follow-form">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def client_for(app, user=None):
    client = app.test_client()
    if user is not None:
        login(client, user.email)
    return client


def page_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def follow_forms(page: str) -> list[tuple[str, dict[str, str], str]]:
    """(action, hidden fields, button text without tags) of each follow form on the page."""
    found = []
    for action, body in FOLLOW_FORM.findall(page):
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(body)}
        button = re.search(r"<button[^>]*>(.*?)</button>", body, re.S).group(1)
        found.append((action, fields, html.unescape(re.sub(r"<[^>]+>", "", button))))
    return found


def press(client, page: str):
    """Press the page's only follow button, as a browser would post its form."""
    [(action, fields, _text)] = follow_forms(page)
    return client.post(action, data=fields)


@pytest.fixture
def world(app, make_org, make_user, make_law, make_practice):
    """One of everything that can be followed, written by someone of another organisation,
    and a member (Mila) who follows nothing yet."""
    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI")
    db.session.add(theme)
    law = make_law()
    writers = make_org(slug="schrijvers", name="Gemeente Schrijfstad")
    writer = make_user(org=writers, name="Wim Schrijver")
    network = Network(slug="ai-netwerk", name="Netwerk Algoritmes", description_nl="Over AI.",
                      target_roles=["cio"])
    network.themes = [theme]
    db.session.add(network)
    practice = make_practice(author=writer, title="Algoritmeregister ingevoerd")
    clause_set = clause_services.create_set(writer, {"title": "Inkoopset AI",
                                                     "visibility": "public"})
    commit()
    member = make_user(org=make_org(slug="lezers"), name="Mila Meldingen")
    obligation = law.obligations[0]
    return SimpleNamespace(
        theme=theme, law=law, writers=writers, writer=writer, network=network,
        practice=practice, clause_set=clause_set, member=member,
        pages={
            "law": ("/wetgeving/ai-act", law.id, "AI-verordening"),
            "obligation": (f"/wetgeving/ai-act/verplichtingen/{obligation.key}", obligation.id,
                           "AI-verordening art. 4: Verplichting 4"),
            "organisation": ("/organisaties/schrijvers", writers.id, "Gemeente Schrijfstad"),
            "network": ("/netwerken/ai-netwerk", network.id, "Netwerk Algoritmes"),
            "practice": (f"/praktijken/{practice.id}", practice.id, "Algoritmeregister ingevoerd"),
            "clause_set": (f"/inkoopvoorwaarden/{clause_set.id}", clause_set.id, "Inkoopset AI"),
        })


KINDS = ("law", "obligation", "organisation", "network", "practice", "clause_set")


@pytest.mark.parametrize("kind", KINDS)
def test_a_member_follows_from_the_page_and_comes_back_to_it(app, world, kind):
    path, target_id, name = world.pages[kind]
    client = client_for(app, world.member)
    [(action, fields, text)] = follow_forms(page_of(client, path))
    assert action == "/mijn/volgen"
    assert fields["target_type"] == kind and fields["target_id"] == str(target_id)
    assert text == f"Volgen: {name}"  # "Volgen" visible, what is followed for screen readers

    response = press(client, page_of(client, path))
    assert response.status_code == 302 and response.headers["Location"] == path
    assert notifications.is_following(world.member, kind, target_id)
    page = client.get(path).get_data(as_text=True)
    assert "U volgt dit nu." in page  # the flash, on the page one came from
    [(action, _fields, text)] = follow_forms(page)
    assert action == "/mijn/ontvolgen" and text == f"Niet meer volgen: {name}"

    response = press(client, page)
    assert response.status_code == 302 and response.headers["Location"] == path
    assert not notifications.is_following(world.member, kind, target_id)
    page = client.get(path).get_data(as_text=True)
    assert "U volgt dit niet meer." in page
    assert [f[2] for f in follow_forms(page)] == [f"Volgen: {name}"]


@pytest.mark.parametrize("path", ["/wetgeving?thema=ai", "/vragen?thema=ai",
                                  "/vragen?sorteer=actief&thema=ai"])
def test_a_theme_is_followed_from_the_list_filtered_on_it(app, world, path):
    client = client_for(app, world.member)
    [(action, fields, text)] = follow_forms(page_of(client, path))
    assert action == "/mijn/volgen" and text == "Volg thema Kunstmatige intelligentie"
    assert fields["target_type"] == "theme" and fields["target_id"] == str(world.theme.id)
    assert fields["next"] == path  # back to the list with its filters

    response = press(client, page_of(client, path))
    assert response.status_code == 302 and response.headers["Location"] == path
    assert notifications.is_following(world.member, "theme", world.theme.id)
    [(action, _fields, text)] = follow_forms(page_of(client, path))
    assert action == "/mijn/ontvolgen"
    assert text == "Thema Kunstmatige intelligentie niet meer volgen"
    assert "Kunstmatige intelligentie" in page_of(client, "/mijn/volgend")


@pytest.mark.parametrize("path", ["/wetgeving", "/vragen", "/wetgeving?thema=onbekend",
                                  "/vragen?thema=onbekend", "/vragen?thema=ai&thema=cyber",
                                  "/wetgeving?thema=ai&thema=ai"])
def test_no_theme_button_without_exactly_one_known_theme(app, world, path):
    db.session.add(Theme(slug="cyber", name_nl="Cyberveiligheid", name_en="Cyber security"))
    commit()
    response = client_for(app, world.member).get(path)
    assert response.status_code == 200
    assert follow_forms(response.get_data(as_text=True)) == []


def test_visitors_see_no_follow_button(app, world):
    client = client_for(app)
    for path in [*(p for p, _id, _name in world.pages.values()), "/wetgeving?thema=ai",
                 "/vragen?thema=ai"]:
        page = page_of(client, path)
        assert "follow-form" not in page and "Volgen" not in page, path


def test_a_page_costs_the_same_statements_whether_one_follows_or_not(app, world):
    client = client_for(app, world.member)
    paths = [*(p for p, _id, _name in world.pages.values()), "/wetgeving?thema=ai",
             "/vragen?thema=ai"]
    for path in paths:
        client.get(path)  # warm up
    before = {path: count_statements(lambda p=path: client.get(p)) for path in paths}
    for kind, (_path, target_id, _name) in world.pages.items():
        notifications.follow(world.member, kind, target_id)
    notifications.follow(world.member, "theme", world.theme.id)
    commit()
    after = {path: count_statements(lambda p=path: client.get(p)) for path in paths}
    assert after == before
    for path in paths:
        assert "/mijn/ontvolgen" in page_of(client, path), path


# --- what a member may not see ----------------------------------------------------------------


def assert_refused(client, member, target_type: str, target_id: int, secret: str) -> None:
    response = submit(client, "/mijn/volgend", {"target_type": target_type,
                                                "target_id": str(target_id),
                                                "next": "/"}, action="/mijn/volgen")
    assert response.status_code == 404
    assert "bestaat niet" in response.get_data(as_text=True)
    assert secret not in response.get_data(as_text=True)
    assert db.session.scalars(select(Follow).where(Follow.user_id == member.id)).all() == []
    assert secret not in page_of(client, "/mijn/volgend")


def test_an_organisation_only_practice_of_another_organisation_cannot_be_followed(
        app, world, make_practice):
    secret = make_practice(author=world.writer, title="Geheime aanpak van Schrijfstad",
                           visibility="organisation")
    client = client_for(app, world.member)
    assert client.get(f"/praktijken/{secret.id}").status_code == 404
    assert_refused(client, world.member, "practice", secret.id, "Geheime aanpak")
    # A colleague of the writer sees the page and its button.
    colleague = client_for(app, world.writer)
    assert len(follow_forms(page_of(colleague, f"/praktijken/{secret.id}"))) == 1


def test_a_members_only_practice_is_followed_by_members_and_not_shown_to_visitors(
        app, world, make_practice):
    shared = make_practice(author=world.writer, title="Alleen voor leden", visibility="members")
    member = client_for(app, world.member)
    response = press(member, page_of(member, f"/praktijken/{shared.id}"))
    assert response.status_code == 302
    assert notifications.is_following(world.member, "practice", shared.id)
    visitor = client_for(app)
    assert visitor.get(f"/praktijken/{shared.id}").status_code == 404
    response = submit(visitor, "/inloggen", {"target_type": "practice",
                                             "target_id": str(shared.id)}, action="/mijn/volgen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert notifications.followers("practice", [shared.id]) == {
        shared.id: {world.writer.id, world.member.id}}


def test_a_participants_only_clause_set_cannot_be_followed_by_others(app, world):
    closed = clause_services.create_set(world.writer, {"title": "Besloten inkoopset",
                                                       "visibility": "participants"})
    commit()
    client = client_for(app, world.member)
    assert client.get(f"/inkoopvoorwaarden/{closed.id}").status_code == 404
    assert_refused(client, world.member, "clause_set", closed.id, "Besloten inkoopset")


def test_a_network_waiting_for_review_shows_its_proposer_no_button(app, world):
    proposed = Network(slug="voorstel", name="Voorgesteld netwerk", description_nl="Nog niet.",
                       target_roles=["cio"], status="proposed",
                       proposed_by_id=world.member.id)
    db.session.add(proposed)
    commit()
    client = client_for(app, world.member)
    page = page_of(client, "/netwerken/voorstel")
    assert "wacht op beoordeling" in page and follow_forms(page) == []
    response = client.post("/mijn/volgen", data={"csrf_token": csrf_from(page),
                                                 "target_type": "network",
                                                 "target_id": str(proposed.id)})
    assert response.status_code == 404
    assert not notifications.is_following(world.member, "network", proposed.id)
