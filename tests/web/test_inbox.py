"""The inbox (/mijn/meldingen), the "Volgend" page (/mijn/volgend), following from a form,
and the unread count in the header."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kde_community import events
from kde_community.extensions import db
from kde_community.notifications import notifier
from kde_community.notifications import services as notifications
from kde_community.notifications.models import Follow, Notification
from kde_community.questions import services as questions
from tests.helpers import commit, count, count_statements, csrf_from, login, submit


def notify() -> None:
    consumer = events.consumer(notifier.CONSUMER)
    while events.deliver(consumer):
        pass


def answered(make_user, question, times: int = 1) -> None:
    for n in range(times):
        questions.answer_question(make_user(), question, {"body": f"Antwoord nummer {n}."})
    commit()
    notify()


@pytest.fixture
def member(make_user, client):
    user = make_user(name="Mila Meldingen")
    login(client, user.email)
    return user


def unread_in_header(html: str) -> str | None:
    match = re.search(r'class="utrecht-link site-inbox"[^>]*>(.*?)</a>', html, re.S)
    assert match, "no inbox link in the header"
    badge = re.search(r'<span class="badge">(\d+)', match.group(1))
    return badge.group(1) if badge else None


def test_a_follower_sees_the_count_opens_the_inbox_and_follows_the_link(
        app, client, member, make_user, make_question):
    question = make_question(author=member, title="Wie heeft een algoritmeregister?")
    answered(make_user, question, times=2)

    home = client.get("/").get_data(as_text=True)
    assert unread_in_header(home) == "2"
    page = client.get("/mijn/meldingen")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # One thread for the question, two items in it, each linking to its answer.
    assert html.count('class="card notification-thread"') == 1
    assert f'<a class="utrecht-link" href="/vragen/{question.id}">Wie heeft een algoritmeregister?' \
        in html
    answer_ids = db.session.scalars(select(Notification.target_id)).all()
    for answer_id in answer_ids:
        assert f'href="/vragen/{question.id}#antwoord-{answer_id}"' in html
    assert "2 ongelezen meldingen" in html


def test_visitors_see_no_count(app, client, make_question):
    make_question()
    html = client.get("/").get_data(as_text=True)
    assert "site-inbox" not in html
    assert client.get("/mijn/meldingen").status_code == 302  # to the login page


def test_mark_one_read_then_all(app, client, member, make_user, make_question):
    question = make_question(author=member)
    answered(make_user, question, times=3)
    first = db.session.scalars(select(Notification).order_by(Notification.id)).first()

    response = submit(client, "/mijn/meldingen", {"next": "/mijn/meldingen"},
                      action=f"/mijn/meldingen/{first.id}/gelezen")
    assert response.status_code == 302
    assert notifications.unread_count(member) == 2
    assert unread_in_header(client.get("/").get_data(as_text=True)) == "2"

    response = submit(client, "/mijn/meldingen", {}, action="/mijn/meldingen/alles-gelezen")
    assert response.status_code == 302
    assert notifications.unread_count(member) == 0
    html = client.get("/mijn/meldingen").get_data(as_text=True)
    assert unread_in_header(html) is None
    assert "Markeer als gelezen" not in html


def test_someone_elses_notification_cannot_be_marked(app, client, member, make_user,
                                                     make_question):
    other = make_user()
    question = make_question(author=other)
    answered(make_user, question)
    theirs = db.session.scalar(select(Notification))
    response = submit(client, "/mijn/meldingen", {},
                      action=f"/mijn/meldingen/{theirs.id}/gelezen")
    assert response.status_code == 404
    assert "bestaat niet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None
    # Without the form's token: refused, nothing changed.
    assert client.post("/mijn/meldingen/alles-gelezen").status_code == 400


def test_inbox_statement_count_does_not_grow_with_notifications(
        app, client, member, make_user, make_question):
    def statements() -> int:
        return count_statements(lambda: client.get("/mijn/meldingen?per_page=40"))

    question = make_question(author=member)
    answered(make_user, question, times=5)
    few = statements()
    other = make_question(author=member, title="Een tweede vraag over registers")
    answered(make_user, question, times=12)
    answered(make_user, other, times=13)
    assert notifications.unread_count(member) == 30
    assert statements() == few


def test_follow_and_unfollow_from_the_following_page(app, client, member, make_law):
    law = make_law()
    page = client.get("/mijn/volgend").get_data(as_text=True)
    assert "U volgt nog niets" in page
    token = csrf_from(page)
    response = client.post("/mijn/volgen", data={"csrf_token": token, "target_type": "law",
                                                 "target_id": str(law.id)})
    assert response.status_code == 302
    html = client.get("/mijn/volgend").get_data(as_text=True)
    assert f'href="/wetgeving/{law.slug}"' in html and "AI-verordening" in html

    response = client.post("/mijn/ontvolgen", data={"csrf_token": csrf_from(html),
                                                    "target_type": "law",
                                                    "target_id": str(law.id)})
    assert response.status_code == 302
    assert not notifications.is_following(member, "law", law.id)


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"target_type": "recept", "target_id": "1"}, 422, "kunt u niet volgen"),
    ({"target_type": "law", "target_id": "99999"}, 404, "bestaat niet"),
    ({"target_type": "law", "target_id": "abc"}, 404, "bestaat niet"),
    ({"target_type": "law"}, 404, "bestaat niet"),
])
def test_following_bad_input_gets_a_clear_message(app, client, member, make_law, data, status,
                                                  message):
    make_law()
    response = submit(client, "/mijn/volgend", data, action="/mijn/volgen")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert count(Follow) == 0


def test_following_twice_is_refused_clearly(app, client, member, make_law):
    law = make_law()
    data = {"target_type": "law", "target_id": str(law.id)}
    assert submit(client, "/mijn/volgend", data, action="/mijn/volgen").status_code == 302
    response = submit(client, "/mijn/volgend", data, action="/mijn/volgen")
    assert response.status_code == 409
    assert "U volgt dit al." in response.get_data(as_text=True)
    assert count(Follow) == 1


def test_an_unfollow_link_is_offered_for_what_one_can_no_longer_see(
        app, client, member, make_user, make_org, make_practice):
    home = make_org()
    practice = make_practice(author=make_user(org=home), visibility="organisation",
                             title="Geheime aanpak van de gemeente")
    db.session.add(Follow(user_id=member.id, target_type="practice", target_id=practice.id))
    commit()
    html = client.get("/mijn/volgend").get_data(as_text=True)
    assert "Geheime aanpak" not in html
    assert "Niet meer beschikbaar voor u" in html
    response = client.post("/mijn/ontvolgen", data={"csrf_token": csrf_from(html),
                                                    "target_type": "practice",
                                                    "target_id": str(practice.id)})
    assert response.status_code == 302
    assert not notifications.is_following(member, "practice", practice.id)


def test_the_follow_button_macro_follows_and_unfollows_and_comes_back(app):
    from flask import render_template_string

    template = ('{% from "_macros/follow.html" import follow_button %}'
                '{{ follow_button("law", 3, following, "AI-verordening") }}')
    with app.test_request_context("/wetgeving/ai-act"):
        follow = render_template_string(template, following=False)
        unfollow = render_template_string(template, following=True)
    assert 'action="/mijn/volgen"' in follow and ">Volgen<" in follow
    assert 'action="/mijn/ontvolgen"' in unfollow and "Niet meer volgen" in unfollow
    for html in (follow, unfollow):
        assert 'name="next" value="/wetgeving/ai-act"' in html
        assert 'name="target_type" value="law"' in html and 'name="target_id" value="3"' in html
