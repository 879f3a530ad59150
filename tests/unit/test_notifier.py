"""The notifier: followers hear about events once, never about their own doing, and never
about something they may not see now; anonymous write-ups stay anonymous. Following: bad
input gets a clear message and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kde_community import events
from kde_community.errors import Conflict, NotFound, ValidationError
from kde_community.events import Event, EventDelivery
from kde_community.extensions import db
from kde_community.laws.models import Theme
from kde_community.notifications import notifier
from kde_community.notifications import services as notifications
from kde_community.notifications.models import Follow, Notification
from kde_community.questions import services as questions
from tests.helpers import commit, count


def notify() -> int:
    """Everything the notifier has pending, handled as the worker would."""
    consumer = events.consumer(notifier.CONSUMER)
    total = 0
    while handled := events.deliver(consumer):
        total += handled
    return total


def notifications_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def answer(author, question, body="Wij gebruiken een register."):
    found = questions.answer_question(author, question, {"body": body})
    commit()
    return found


def test_a_follower_hears_of_an_answer_once_and_the_one_who_answered_does_not(
        app, make_user, make_question):
    asker, answerer, watcher = make_user(), make_user(), make_user()
    question = make_question(author=asker)  # the asker follows it without asking
    notifications.follow(watcher, "question", question.id)
    commit()
    posted = answer(answerer, question)
    notify()

    for user in (asker, watcher):
        [note] = notifications_of(user)
        assert (note.kind, note.thread_type, note.thread_id) == \
            ("answer.posted", "question", question.id)
        assert (note.target_type, note.target_id) == ("answer", posted.id)
        assert note.url == f"/vragen/{question.id}#antwoord-{posted.id}"
        assert note.read_at is None
    assert notifications_of(answerer) == []
    # The answerer now follows the question too: the asker's next answer reaches them.
    answer(asker, question, "Dank, en nog een aanvulling.")
    notify()
    assert [n.kind for n in notifications_of(answerer)] == ["answer.posted"]
    assert len(notifications_of(asker)) == 1


def test_an_event_delivered_twice_notifies_once(app, make_user, make_question):
    asker, answerer = make_user(), make_user()
    question = make_question(author=asker)
    answer(answerer, question)
    event = db.session.scalar(select(Event).where(Event.name == "answer.posted"))
    notify()
    assert len(notifications_of(asker)) == 1

    # As after a crash between the work and the delete: the same event comes again.
    db.session.add(EventDelivery(event_id=event.id, consumer=notifier.CONSUMER, attempts=0))
    commit()
    assert notify() == 1
    notifier.handle([db.session.get(Event, event.id)])
    commit()
    assert len(notifications_of(asker)) == 1


def test_answer_accepted_reaches_the_answerer_not_the_asker(app, make_user, make_question):
    asker, answerer = make_user(), make_user()
    question = make_question(author=asker)
    posted = answer(answerer, question)
    notify()
    questions.accept_answer(asker, question, posted)
    commit()
    notify()
    assert [n.kind for n in notifications_of(answerer)] == ["answer.accepted"]
    assert [n.kind for n in notifications_of(asker)] == ["answer.posted"]


def follow_up(writer, practice, body="Een jaar later: het loopt goed."):
    from kde_community.practices import services as practices

    practices.add_followup(writer, practice, body)
    commit()


def test_a_member_who_moved_organisation_hears_nothing_of_own_organisation_content(
        app, make_user, make_org, make_practice):
    home, elsewhere = make_org(), make_org()
    writer, colleague, mover = make_user(org=home), make_user(org=home), make_user(org=home)
    practice = make_practice(author=writer, visibility="organisation")
    for user in (colleague, mover):
        notifications.follow(user, "practice", practice.id)
    commit()
    mover.organisation_id = elsewhere.id
    commit()
    follow_up(writer, practice)
    notify()
    assert [n.kind for n in notifications_of(colleague)] == ["practice.followed_up"]
    assert notifications_of(mover) == []


def test_content_made_private_stops_notifying_those_outside(app, make_user, make_org,
                                                             make_practice):
    from kde_community.practices import services as practices

    home = make_org()
    writer, colleague, outsider = make_user(org=home), make_user(org=home), make_user()
    practice = make_practice(author=writer, visibility="members")
    for user in (colleague, outsider):
        notifications.follow(user, "practice", practice.id)
    commit()
    practices.edit_practice(writer, practice, {"visibility": "organisation"})
    commit()
    follow_up(writer, practice)
    notify()
    assert [n.kind for n in notifications_of(colleague)] == ["practice.followed_up"]
    assert notifications_of(outsider) == []


def test_a_member_who_lost_access_hears_nothing_of_a_members_only_question(
        app, make_user, make_question):
    asker, answerer, follower, leaver = make_user(), make_user(), make_user(), make_user()
    question = make_question(author=asker, visibility="members")
    for user in (follower, leaver):
        notifications.follow(user, "question", question.id)
    commit()
    leaver.active = False  # the account was closed
    commit()
    answer(answerer, question)
    notify()
    assert [n.kind for n in notifications_of(follower)] == ["answer.posted"]
    assert notifications_of(leaver) == []


def test_a_hidden_answer_notifies_nobody(app, make_user, make_question):
    from kde_community.content import services as content

    asker, answerer, moderator = make_user(), make_user(), make_user(role="moderator")
    question = make_question(author=asker)
    posted = answer(answerer, question)
    content.hide(moderator, posted, "Reclame voor een product.")
    commit()
    notify()
    assert notifications_of(asker) == []


@pytest.fixture
def theme(app):
    found = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="Artificial intelligence")
    db.session.add(found)
    db.session.commit()
    return found


def test_an_anonymous_practice_never_names_its_writer(app, make_user, make_org, make_practice,
                                                      theme):
    secret_org = make_org(name="Gemeente Geheimstad")
    writer = make_user(org=secret_org, name="Wim Geheim")
    theme_watcher, org_watcher = make_user(), make_user()
    notifications.follow(theme_watcher, "theme", theme.id)
    notifications.follow(org_watcher, "organisation", secret_org.id)
    commit()
    practice = make_practice(author=writer, anonymous=True, themes=["ai"])
    notify()

    [note] = notifications_of(theme_watcher)
    assert (note.kind, note.thread_type, note.thread_id) == \
        ("practice.published", "practice", practice.id)
    assert note.actor_id is None
    # Telling the organisation's followers would tell them who wrote it.
    assert notifications_of(org_watcher) == []
    # The writer follows their write-up; a follow-up reaches its followers, unnamed.
    assert notifications.is_following(writer, "practice", practice.id)
    notifications.follow(theme_watcher, "practice", practice.id)
    commit()
    follow_up(writer, practice)
    notify()
    notes = notifications_of(theme_watcher)
    assert [n.kind for n in notes] == ["practice.published", "practice.followed_up"]
    assert all(n.actor_id is None for n in notes)
    page = notifications.inbox(theme_watcher)
    texts = " ".join([t.title for t in page.threads] + [i.text for t in page.threads
                                                         for i in t.items])
    assert "Wim Geheim" not in texts and "Geheimstad" not in texts


def test_a_named_practice_is_told_to_its_organisations_followers(
        app, make_user, make_org, make_practice):
    org = make_org()
    writer, org_watcher = make_user(org=org), make_user()
    notifications.follow(org_watcher, "organisation", org.id)
    commit()
    make_practice(author=writer)
    notify()
    assert [n.kind for n in notifications_of(org_watcher)] == ["practice.published"]


def test_law_followers_hear_of_timeline_changes_only(app, make_user, make_law, theme):
    law = make_law()
    law.themes = [theme]
    commit()
    law_watcher, theme_watcher = make_user(), make_user()
    notifications.follow(law_watcher, "law", law.id)
    notifications.follow(theme_watcher, "theme", theme.id)
    commit()
    events.record("law.changed", "law", law.id, fields=["summary"], timeline=False)
    events.record("law.changed", "law", law.id, fields=["stage"], timeline=True)
    commit()
    notify()
    for user in (law_watcher, theme_watcher):
        assert [(n.kind, n.url) for n in notifications_of(user)] == \
            [("law.changed", f"/wetgeving/{law.slug}")]


# --- following: bad input -----------------------------------------------------------------------

def test_following_bad_input_gets_a_clear_message_and_changes_nothing(
        app, make_user, make_org, make_practice):
    home = make_org()
    member, other = make_user(org=home), make_user()
    practice = make_practice(author=make_user(org=home), visibility="organisation")
    notifications.follow(member, "practice", practice.id)
    commit()
    before = count(Follow)

    with pytest.raises(ValidationError) as exc:
        notifications.follow(member, "recipe", practice.id)
    assert "kunt u niet volgen" in exc.value.fields["target_type"]
    for bad_id in (999_999, "abc", "", -1, None):
        with pytest.raises(NotFound) as missing:
            notifications.follow(member, "practice", bad_id)
        assert "bestaat niet" in missing.value.message
    # Someone who may not see it is told the same: its existence is not given away.
    with pytest.raises(NotFound):
        notifications.follow(other, "practice", practice.id)
    with pytest.raises(Conflict) as twice:
        notifications.follow(member, "practice", practice.id)
    assert twice.value.message == "U volgt dit al."
    with pytest.raises(Conflict):
        notifications.unfollow(other, "practice", practice.id)
    db.session.rollback()
    assert count(Follow) == before


@pytest.mark.parametrize("target_type", ["law", "obligation", "theme", "organisation",
                                         "network", "practice", "clause_set", "question"])
def test_every_target_can_be_followed_and_listed(app, make_user, make_law, make_practice,
                                                 make_question, theme, target_type):
    from kde_community.clauses import services as clauses
    from kde_community.directory.models import Network

    member = make_user()
    law = make_law()
    network = Network(slug="netwerk", name="Netwerk AI", description_nl="Over AI.",
                      status="active")
    db.session.add(network)
    commit()
    targets = {
        "law": law, "obligation": law.obligations[0], "theme": theme,
        "organisation": member.organisation, "network": network,
        "practice": make_practice(), "question": make_question(),
        "clause_set": clauses.create_set(make_user(), {"title": "Set AI", "purpose": "Het doel",
                                                       "visibility": "members"}),
    }
    commit()
    obj = targets[target_type]
    notifications.follow(member, target_type, obj.id)
    commit()
    [line] = [f for f in notifications.following(member) if f.follow.target_type == target_type]
    assert line.visible and line.title and line.url.startswith("/")
    notifications.unfollow(member, target_type, obj.id)
    commit()
    assert not notifications.is_following(member, target_type, obj.id)


def test_who_comments_follows_the_thread_and_hears_what_comes_next(app, make_user,
                                                                     make_question):
    from kde_community.content import services as content

    asker, answerer, commenter = make_user(), make_user(), make_user()
    question = make_question(author=asker)
    posted = answer(answerer, question)
    content.add_comment(commenter, posted, "Geldt dit ook voor waterschappen?")
    commit()
    notify()
    assert notifications.is_following(commenter, "question", question.id)
    later = answer(make_user(), question, "Ja, ook voor waterschappen.")
    notify()
    assert [(n.kind, n.target_id) for n in notifications_of(commenter)] == \
        [("answer.posted", later.id)]
