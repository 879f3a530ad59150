"""Members write to a contactable peer: the mail goes out with the sender as Reply-To; every
refusal stores nothing and sends nothing; contact is rate limited and can be turned off."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import pytest

from kde_community.accounts.models import User
from kde_community.accounts.services import update_profile
from kde_community.directory.contact import send_contact_message
from kde_community.directory.models import ContactMessage
from kde_community.errors import Forbidden, ValidationError
from kde_community.extensions import db
from tests.helpers import count, csrf_from, login, make_config, outbox, submit


def sent(response):
    """Close the response, as the server does: mails queued for after it go out then."""
    response.get_data()
    response.close()
    return response


def member_client(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def mails(app):
    return [BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in outbox(app)]


@pytest.fixture
def people(app, make_org, make_user):
    vaals = make_org(slug="vaals", name="Gemeente Vaals")
    epen = make_org(slug="epen", name="Gemeente Epen")
    return {
        "recipient": make_user(org=vaals, name="Anna Bereikbaar", email="anna@vaals.nl",
                               contactable=True),
        "closed": make_user(org=vaals, name="Bert Gesloten"),
        "pending": make_user(org=vaals, name="Carla Wachtend", contactable=True,
                             approval="pending"),
        "blocked": make_user(org=vaals, name="Dirk Geblokkeerd", contactable=True, active=False),
        "unverified": make_user(org=vaals, name="Eva Onbevestigd", contactable=True,
                                email_verified_at=None),
        "sender": make_user(org=epen, name="Frank Schrijver", email="frank@epen.nl"),
        "elsewhere": make_user(org=epen, name="Gijs Elders", contactable=True),
    }


MESSAGE = {"subject": "Jullie algoritmeregister",
           "body": "Hoe hebben jullie het register ingericht?\n\nGroet, Frank"}


def url(people, who="recipient", slug="vaals"):
    return f"/organisaties/{slug}/contact/{people[who].id}"


def test_a_member_writes_to_a_contactable_peer(app, people):
    client = member_client(app, people["sender"])
    form = client.get(url(people))
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Bericht aan Anna Bereikbaar" in html
    assert "anna@vaals.nl" not in html  # the address stays with its owner

    response = sent(submit(client, url(people), MESSAGE))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organisaties/vaals")
    assert "Uw bericht is verstuurd" in client.get("/organisaties/vaals").get_data(as_text=True)

    row = db.session.scalar(db.select(ContactMessage))
    assert (row.sender_id, row.recipient_id) == (people["sender"].id, people["recipient"].id)
    assert (row.subject, row.body) == (MESSAGE["subject"], MESSAGE["body"])
    [mail] = mails(app)
    assert mail["To"] == "anna@vaals.nl"
    assert str(mail["Reply-To"]) == "Frank Schrijver <frank@epen.nl>"
    assert mail["Reply-To"].addresses[0].addr_spec == "frank@epen.nl"
    assert "Jullie algoritmeregister" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert "Frank Schrijver (Gemeente Epen)" in body
    assert "Hoe hebben jullie het register ingericht?" in body
    assert app.config["KDE_BASE_URL"] + "/profiel/bewerken" in body


def test_the_page_links_to_the_form(app, people):
    client = member_client(app, people["sender"])
    page = client.get("/organisaties/vaals").get_data(as_text=True)
    assert f'href="{url(people)}"' in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"subject": "", "body": "Een bericht"}, "subject", "Dit veld is verplicht."),
    ({"subject": "Onderwerp", "body": "   \n  "}, "body", "Dit veld is verplicht."),
    ({"subject": "x" * 151, "body": "Een bericht"}, "subject", "Gebruik hoogstens 150 tekens"),
    ({"subject": "Onderwerp", "body": "x" * 10_000}, "body", "Gebruik hoogstens 5000 tekens"),
    ({}, "subject", "Dit veld is verplicht."),
])
def test_bad_input_gets_a_message_and_changes_nothing(app, people, data, field, message):
    client = member_client(app, people["sender"])
    response = sent(submit(client, url(people), data))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="{field}-error"' in html
    assert count(ContactMessage) == 0 and outbox(app) == []


@pytest.mark.parametrize("who", ["closed", "pending", "blocked", "unverified"])
def test_members_who_cannot_be_contacted_are_not_found(app, people, who):
    client = member_client(app, people["sender"])
    assert client.get(url(people, who)).status_code == 404
    token = csrf_from(client.get("/organisaties/vaals").get_data(as_text=True))
    response = sent(client.post(url(people, who), data={"csrf_token": token, **MESSAGE}))
    assert response.status_code == 404
    page = client.get("/organisaties/vaals").get_data(as_text=True)
    assert people[who].name not in page
    assert count(ContactMessage) == 0 and outbox(app) == []


def test_the_recipient_must_belong_to_the_organisation_in_the_address(app, people):
    client = member_client(app, people["sender"])
    assert client.get(url(people, "elsewhere", slug="vaals")).status_code == 404
    assert client.get(url(people, "recipient", slug="epen")).status_code == 404
    assert client.get(url(people, "recipient", slug="bestaat-niet")).status_code == 404
    assert client.get("/organisaties/vaals/contact/999999").status_code == 404
    assert client.get("/organisaties/vaals/contact/99999999999999999999999").status_code == 404
    assert client.get(url(people, "elsewhere", slug="epen")).status_code == 200


def test_nobody_writes_to_themselves(app, people):
    client = member_client(app, people["recipient"])
    response = submit(client, "/organisaties/vaals", MESSAGE, action=url(people))
    assert response.status_code == 302
    assert "U kunt uzelf geen bericht sturen." in client.get(
        response.headers["Location"]).get_data(as_text=True)
    assert client.get(url(people)).status_code == 302
    assert count(ContactMessage) == 0 and outbox(app) == []
    with pytest.raises(ValidationError):
        send_contact_message(people["recipient"], people["recipient"], MESSAGE)
    assert count(ContactMessage) == 0


def test_visitors_are_sent_to_the_login_page(app, client, people):
    response = client.get(url(people))
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    token = csrf_from(client.get("/inloggen").get_data(as_text=True))
    response = sent(client.post(url(people), data={"csrf_token": token, **MESSAGE}))
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert count(ContactMessage) == 0 and outbox(app) == []


def test_the_service_refuses_who_may_not_contact(app, people):
    from flask_login import AnonymousUserMixin

    for actor, recipient in ((AnonymousUserMixin(), people["recipient"]),
                             (people["pending"], people["recipient"]),
                             (people["sender"], people["closed"])):
        with pytest.raises(Forbidden):
            send_contact_message(actor, recipient, MESSAGE)
    assert count(ContactMessage) == 0 and outbox(app) == []


# --- contactable: a choice in the profile ----------------------------------------------------

def test_contact_is_off_by_default_and_turned_on_and_off_in_the_profile(app, make_user):
    member = make_user(name="Hanna Nieuw")
    assert member.contactable is False
    client = member_client(app, member)
    label = "Andere leden mogen mij via KDE Community een bericht sturen"
    html = client.get("/profiel/bewerken").get_data(as_text=True)
    assert label in html and 'name="contactable" value="y" ' in html
    assert 'id="contactable"' in html and "checked" not in html.split('id="contactable"')[1][:120]

    fields = {"name": "Hanna Nieuw", "job_title": "CISO", "contactable": "y"}
    assert submit(client, "/profiel/bewerken", fields).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).contactable is True
    html = client.get("/profiel/bewerken").get_data(as_text=True)
    assert " checked" in html.split('id="contactable"')[1][:120]
    other = make_user()
    assert member_client(app, other).get(
        f"/organisaties/{member.organisation.slug}/contact/{member.id}").status_code == 200

    assert submit(client, "/profiel/bewerken", {"name": "Hanna Nieuw"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).contactable is False
    assert member_client(app, other).get(
        f"/organisaties/{member.organisation.slug}/contact/{member.id}").status_code == 404


def test_the_profile_service_keeps_contact_unless_told_and_refuses_non_booleans(app, make_user):
    member = make_user(name="Ina Open", contactable=True)
    update_profile(member, {"name": "Ina Open", "job_title": "Jurist"})  # e.g. PATCH /api/v1/me
    assert member.contactable is True
    for bad in ("ja", 1, None, ["y"]):
        with pytest.raises(ValidationError) as caught:
            update_profile(member, {"name": "Ina Open", "contactable": bad})
        assert "contactable" in caught.value.fields
    assert member.contactable is True


# --- rate limit ------------------------------------------------------------------------------

class TestRateLimit:
    @pytest.fixture
    def app_config(self, tmp_path):
        return make_config(tmp_path, RATELIMIT_ENABLED=True, KDE_CONTACT_LIMIT="2 per hour")

    def test_messages_are_limited_per_member(self, app, people):
        client = member_client(app, people["sender"])
        statuses = [sent(submit(client, url(people), MESSAGE)).status_code for _ in range(3)]
        assert statuses == [302, 302, 429]
        assert count(ContactMessage) == 2 and len(outbox(app)) == 2
        assert client.get(url(people)).status_code == 200  # reading the form is not limited
        # Another member behind the same address has a budget of their own.
        other = member_client(app, people["elsewhere"])
        assert sent(submit(other, url(people), MESSAGE)).status_code == 302
        assert count(ContactMessage) == 3


def test_the_default_limit_is_ten_per_hour(app):
    assert app.config["KDE_CONTACT_LIMIT"] == "10 per hour"
