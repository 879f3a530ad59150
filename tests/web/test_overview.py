""""Mijn overzicht" (/mijn): the member's own questions, answers, practices (anonymous ones
included), clause sets and drafts, what they follow, their unread count and mail settings, and
what colleagues of their organisation wrote lately — never anything they may not see, never a
colleague's anonymous write-up, and in a number of SQL statements that does not grow."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kde_community.clauses import services as clauses
from kde_community.content import services as content
from kde_community.dbtypes import utcnow
from kde_community.extensions import db
from kde_community.notifications import services as notifications
from kde_community.questions import services as questions
from tests.helpers import commit, count_statements, login


def section(html: str, name: str) -> str:
    """The HTML of one section of the page, by the id of its heading."""
    match = re.search(rf'<section[^>]*aria-labelledby="{name}".*?</section>', html, re.S)
    assert match, f"no section {name}"
    return match.group(0)


@pytest.fixture
def me(make_org, make_user, client):
    org = make_org(slug="utrecht", name="Gemeente Utrecht")
    user = make_user(name="Mila Mijn", org=org)
    login(client, user.email)
    return user


def test_my_own_contributions_follows_inbox_and_settings(app, client, me, make_user,
                                                         make_question, make_practice, make_law):
    other = make_user(name="Olaf Ander")
    mine = make_question(author=me, title="Wie heeft al een algoritmeregister?")
    answer = questions.answer_question(other, mine, {"body": "Wij, sinds vorig jaar."})
    questions.accept_answer(me, mine, answer)
    theirs = make_question(author=other, title="Hoe regelen jullie menselijk toezicht?")
    my_answer = questions.answer_question(me, theirs, {"body": "Met een vast team."})
    make_practice(author=me, title="Open data portaal in twee maanden")
    make_practice(author=me, title="Chatbot die niemand gebruikte", anonymous=True)
    draft = clauses.create_set(me, {"title": "Inkoopvoorwaarden voor AI-systemen"})
    notifications.follow(me, "law", make_law().id)
    notifications.set_frequency(me, "comments", "weekly")
    commit()

    response = client.get("/mijn")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1 class=\"utrecht-heading-1\">Mijn overzicht</h1>" in html
    assert 'href="/profiel">Profiel en account</a>' in html

    asked = section(html, "my-questions")
    assert f'href="/vragen/{mine.id}">Wie heeft al een algoritmeregister?' in asked
    assert "1 antwoord" in asked and "Geaccepteerd antwoord" in asked
    assert "menselijk toezicht" not in asked

    answered = section(html, "my-answers")
    assert f'href="/vragen/{theirs.id}#antwoord-{my_answer.id}">Hoe regelen jullie menselijk ' \
        "toezicht?" in answered

    written = section(html, "my-practices")
    assert "Open data portaal in twee maanden" in written
    anonymous = re.search(r"<li>(?:(?!</li>).)*Chatbot die niemand gebruikte.*?</li>", written,
                          re.S)
    assert anonymous and "anoniem gepubliceerd" in anonymous.group(0)
    assert written.count("anoniem gepubliceerd") == 1

    sets = section(html, "my-sets")
    assert f'href="/inkoopvoorwaarden/{draft.id}">Inkoopvoorwaarden voor AI-systemen' in sets
    assert "Uw organisatie: Redacteur" in sets
    assert "Inkoopvoorwaarden voor AI-systemen" in section(html, "my-drafts")

    following = section(html, "my-following")
    # Asking, answering, writing and making a set follow them; plus the law.
    assert "U volgt 6 onderwerpen." in following
    assert 'href="/mijn/volgend"' in following and "AI-verordening" in following

    assert "0 ongelezen meldingen" in section(html, "my-inbox")
    assert 'href="/mijn/meldingen"' in section(html, "my-inbox")
    settings = section(html, "my-settings")
    assert re.search(r"<dt>Antwoorden</dt><dd>Direct</dd>", settings)
    assert re.search(r"<dt>Reacties</dt><dd>Wekelijks overzicht</dd>", settings)
    assert re.search(r"<dt>Wetgeving</dt><dd>Wekelijks overzicht</dd>", settings)
    assert 'href="/mijn/instellingen"' in settings


def test_the_header_name_leads_to_my_overview_and_the_profile_stays_reachable(app, client, me):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<a class="utrecht-link site-me" href="/mijn">Mila Mijn<span '
                     r'class="visually-hidden"> — Mijn overzicht</span></a>', html)
    assert client.get("/profiel").status_code == 200
    for page in ("/mijn/meldingen", "/mijn/volgend"):
        assert 'href="/mijn/instellingen"' in client.get(page).get_data(as_text=True)


def test_an_empty_overview_says_so(app, client, me):
    html = client.get("/mijn").get_data(as_text=True)
    assert "U heeft nog geen vragen gesteld." in html
    assert "U heeft nog geen praktijk gedeeld." in html
    assert "Uw collega's deelden nog geen vragen of praktijken." in html
    assert "U volgt nog niets." in html


def test_organisation_activity_shows_only_what_the_member_may_see(
        app, client, me, make_org, make_user, make_question, make_practice):
    colleague = make_user(name="Cora Collega", org=me.organisation)
    elsewhere = make_org(slug="zwolle", name="Gemeente Zwolle")
    outsider = make_user(name="Otto Buiten", org=elsewhere)
    moderator = make_user(role="moderator", org=elsewhere)

    make_question(author=colleague, title="LEDEN-VRAAG van een collega", visibility="members")
    make_practice(author=colleague, title="OPENBARE-PRAKTIJK van een collega")
    make_practice(author=colleague, title="EIGEN-ORG-PRAKTIJK van een collega",
                  visibility="organisation")
    make_practice(author=colleague, title="ANONIEME-PRAKTIJK van een collega", anonymous=True)
    hidden = make_question(author=colleague, title="VERBORGEN-VRAAG van een collega")
    content.hide(moderator, hidden, "Spam")
    # Written for Zwolle only, by someone who then moved to Utrecht: still Zwolle's.
    mover = make_user(name="Max Verhuisd", org=elsewhere)
    make_practice(author=mover, title="ZWOLLE-INTERN van iemand die verhuisde",
                  visibility="organisation")
    mover.organisation_id = me.organisation_id
    make_practice(author=outsider, title="ZWOLLE-PRAKTIJK van een ander", visibility="organisation")
    make_question(author=outsider, title="ZWOLLE-VRAAG van een ander")
    commit()

    html = client.get("/mijn").get_data(as_text=True)
    activity = section(html, "my-organisation")
    assert "Nieuw bij Gemeente Utrecht" in activity
    assert "LEDEN-VRAAG" in activity and "Cora Collega" in activity
    assert "OPENBARE-PRAKTIJK" in activity
    assert "EIGEN-ORG-PRAKTIJK" in activity  # Utrecht's own: the member may read it
    assert 'href="/organisaties/utrecht"' in activity
    for secret in ("ANONIEME-PRAKTIJK", "VERBORGEN-VRAAG", "ZWOLLE-INTERN", "ZWOLLE-PRAKTIJK",
                   "ZWOLLE-VRAAG"):
        assert secret not in html, secret


def test_a_follow_that_became_private_shows_no_title(app, client, me, make_user, make_org,
                                                     make_practice):
    outsider = make_user(org=make_org(slug="zwolle"))
    practice = make_practice(author=outsider, title="GEHEIM-GEWORDEN praktijk")
    notifications.follow(me, "practice", practice.id)
    commit()
    assert "GEHEIM-GEWORDEN" in section(client.get("/mijn").get_data(as_text=True),
                                         "my-following")
    practice.visibility = "organisation"
    commit()
    html = client.get("/mijn").get_data(as_text=True)
    assert "GEHEIM-GEWORDEN" not in html
    assert "Niet meer beschikbaar voor u" in section(html, "my-following")


def test_sets_of_my_organisation_and_what_stays_out(app, client, me, make_user, make_org):
    partner_org = make_org(slug="amersfoort", name="Gemeente Amersfoort")
    partner = make_user(org=partner_org)
    joined = clauses.create_set(partner, {"title": "SET-MEEDOEN cloudhosting",
                                          "visibility": "participants"})
    clauses.set_participant(partner, joined, "utrecht", "contributor")
    clauses.create_set(partner, {"title": "SET-ANDER alleen Amersfoort",
                                 "visibility": "participants"})
    clauses.create_set(partner, {"title": "SET-OPENBAAR zonder ons", "visibility": "public"})
    commit()
    html = client.get("/mijn").get_data(as_text=True)
    sets = section(html, "my-sets")
    assert "SET-MEEDOEN" in sets and "Uw organisatie: Meeschrijver" in sets
    assert "SET-MEEDOEN" not in section(html, "my-drafts")  # a contributor does not write it
    assert "SET-ANDER" not in html and "SET-OPENBAAR" not in html


def test_login_required_and_members_only(app, client, make_user):
    for page in ("/mijn", "/mijn/instellingen"):
        response = client.get(page)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    user = make_user()
    login(client, user.email)
    assert client.get("/mijn").status_code == 200
    user.approval = "pending"  # a moderator withdrew the approval
    commit()
    response = client.get("/mijn")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_english_page(app, client, me, make_practice):
    make_practice(author=me, title="Open data portaal in twee maanden")
    response = client.get("/mijn?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Open data portaal in twee maanden" in html


def test_statement_count_does_not_grow_with_content(app, client, make_org, make_user, make_law,
                                                    make_question, make_practice):
    """Two members, one with 2 items in every section and one with 12: the same number of
    statements for either page."""
    laws = [make_law(slug=f"wet-{n}", name=f"Wet nummer {n}", celex=f"3202{n}R0001")
            for n in range(3)]
    asker = make_user(org=make_org(slug="elders"))
    foreign = [make_question(author=asker, title=f"Een vraag van elders nummer {n}")
               for n in range(12)]

    def member_with(n: int, slug: str):
        org = make_org(slug=slug)
        member = make_user(org=org)
        colleague = make_user(org=org)
        for i in range(n):
            question = make_question(author=member, title=f"Mijn eigen vraag nummer {i}")
            questions.answer_question(asker, question, {"body": "Een antwoord van elders."})
            questions.answer_question(member, foreign[i], {"body": "Mijn antwoord hierop."})
            make_practice(author=member, title=f"Mijn praktijk nummer {i}", anonymous=i % 2 == 0)
            clauses.create_set(member, {"title": f"Mijn set nummer {i}"})
            make_question(author=colleague, title=f"Vraag van een collega nummer {i}")
            make_practice(author=colleague, title=f"Praktijk van een collega nummer {i}")
        for law in laws:
            notifications.follow(member, "law", law.id)
        notifications.set_frequency(member, "answers", "daily")
        commit()
        return member

    few, many = member_with(2, "weinig"), member_with(12, "veel")
    from kde_community.notifications.models import Follow

    # The laws were followed last: the newest follows are of the same kinds for both.
    db.session.query(Follow).filter(Follow.target_type == "law").update(
        {"created_at": utcnow() + timedelta(minutes=1)})
    commit()

    def statements(member) -> int:
        login(client, member.email)
        html = client.get("/mijn").get_data(as_text=True)
        assert "Mijn eigen vraag nummer 1" in html and "Praktijk van een collega" in html
        return count_statements(lambda: client.get("/mijn"))

    small, large = statements(few), statements(many)
    assert large == small, (small, large)
    assert small <= 30
