"""Co-authorship by invitation: named co-authors get no rights and are not shown until they
accept, and the writer cannot learn whether an address belongs to a member."""

from __future__ import annotations

import re

import pytest

from kde_community.extensions import db
from kde_community.practices import services
from kde_community.practices.models import Practice, PracticeInvitation
from tests.helpers import PRACTICE, count, csrf_from, login, outbox, submit


@pytest.fixture
def people(make_user, make_org):
    home = make_org(slug="home", name="Gemeente Thuistest", domains=["thuistest.nl"])
    away = make_org(slug="away", name="Gemeente Elderstest", domains=["elderstest.nl"])
    return {"author": make_user(name="Anna Auteur", email="anna@thuistest.nl", org=home),
            "invitee": make_user(name="Ivo Genodigd", email="ivo@elderstest.nl", org=away),
            "stranger": make_user(name="Sem Vreemd", email="sem@elderstest.nl", org=away)}


def write(client, co_authors: str):
    data = {**{k: v for k, v in PRACTICE.items() if isinstance(v, str)},
            "failure_causes": PRACTICE["failure_causes"], "visibility": "organisation",
            "co_authors": co_authors}
    response = submit(client, "/praktijken/schrijven", data)
    response.close()  # mails go out once the response is complete
    return response


def mails(app) -> list[str]:
    from email import policy
    from email.parser import BytesParser

    return [f"{m['To']}\n{m.get_body(('plain',)).get_content()}" for m in (
        BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in outbox(app))]


def test_invited_member_has_no_rights_until_accepting(app, client, people):
    login(client, people["author"].email)
    response = write(client, people["invitee"].email)
    assert response.status_code == 302
    practice = db.session.scalars(db.select(Practice)).one()
    invitee = app.test_client()
    login(invitee, people["invitee"].email)
    # Not a writer yet: own-organisation write-up of another organisation stays closed.
    assert invitee.get(f"/praktijken/{practice.id}").status_code == 404
    assert invitee.get(f"/praktijken/{practice.id}/bewerken").status_code in (403, 404)
    page = client.get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert "Ivo Genodigd" not in page and "ivo@elderstest.nl" in page  # writer sees "invited"
    # The invitation arrives by mail (after the response) and on the practices page.
    assert any("ivo@elderstest.nl" in m and "/praktijken/uitnodigingen/" in m for m in mails(app))
    listing = invitee.get("/praktijken").get_data(as_text=True)
    link = re.search(r'href="(/praktijken/uitnodigingen/\d+)"', listing).group(1)
    # Nobody else may open or answer it.
    stranger = app.test_client()
    login(stranger, people["stranger"].email)
    assert stranger.get(link).status_code == 404
    token = csrf_from(invitee.get(link).get_data(as_text=True))
    assert stranger.post(link, data={"csrf_token": token, "value": "ja"}).status_code in (400, 404)
    assert invitee.post(link, data={"csrf_token": token, "value": "ja"}).status_code == 302
    db.session.expire_all()
    practice = db.session.get(Practice, practice.id)
    assert [u.name for u in practice.co_authors] == ["Ivo Genodigd"]
    assert invitee.get(f"/praktijken/{practice.id}/bewerken").status_code == 200
    assert "Ivo Genodigd" in client.get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert invitee.get(link).status_code == 404  # answered: gone


def test_declined_invitation_gives_nothing(app, client, people):
    practice = services.write_practice(people["author"], {**PRACTICE,
                                                          "co_authors": [people["invitee"].email]})
    invitation = practice.invitations[0]
    services.answer_invitation(people["invitee"], invitation, False)
    db.session.expire_all()
    assert db.session.get(Practice, practice.id).co_authors == []


def test_adding_a_co_author_does_not_reveal_membership(app, client, people):
    login(client, people["author"].email)
    first = write(client, "ivo@elderstest.nl")
    second = write(client, "niemand-hier@elderstest.nl")
    assert first.status_code == second.status_code == 302
    assert count(PracticeInvitation) == 2
    pages = [client.get(r.headers["Location"]).get_data(as_text=True) for r in (first, second)]
    for page, email in zip(pages, ("ivo@elderstest.nl", "niemand-hier@elderstest.nl"), strict=True):
        assert email in page
        assert "geen lid" not in page.lower()
    # Only the member gets a mail; the unknown address gets none.
    sent = " ".join(mails(app))
    assert "ivo@elderstest.nl" in sent and "niemand-hier" not in sent


def test_removing_a_named_co_author_cancels_the_invitation(app, people):
    practice = services.write_practice(people["author"], {**PRACTICE,
                                                          "co_authors": [people["invitee"].email]})
    assert services.edit_practice(people["author"], practice, {"co_authors": []})
    assert count(PracticeInvitation) == 0


def test_a_removed_co_author_no_longer_finds_an_own_organisation_write_up(app, people):
    from kde_community.search import services as search

    practice = services.write_practice(people["author"], {
        **PRACTICE, "title": "Zaakgericht werken met kwartsplinters", "visibility": "organisation",
        "co_authors": [people["invitee"].email]})
    services.answer_invitation(people["invitee"], practice.invitations[0], True)
    db.session.commit()
    search.drain()
    assert search.search(people["invitee"], "kwartsplinters").total == 1
    assert services.edit_practice(people["author"], practice, {"co_authors": []})
    db.session.commit()
    from kde_community.events import Event

    # The index hears of it (its document carries the writers), whatever else re-checks.
    edited = db.session.scalars(db.select(Event).where(Event.name == "practice.edited")).all()
    assert [e.payload["fields"] for e in edited] == [["co_authors"]]
    search.drain()
    assert search.search(people["invitee"], "kwartsplinters").total == 0
