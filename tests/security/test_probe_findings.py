"""Findings of the outside probe that live in the Q&A and practice domains: falsy visibility
values, titles of private questions on public pages, and 500s on odd input."""

from __future__ import annotations

import pytest

from kde_community.accounts.services import create_token
from kde_community.practices.models import Practice
from kde_community.questions import services as questions
from kde_community.questions.models import Question
from tests.helpers import login, submit


def bearer(user) -> dict:
    _, secret = create_token(user)
    return {"Authorization": f"Bearer {secret}"}


FALSY = [None, "", [], 0, False, {}, "PUBLIC", "openbaar"]


@pytest.mark.parametrize("value", FALSY)
def test_falsy_visibility_never_makes_a_question_public(app, client, make_user, make_question,
                                                        value):
    user = make_user()
    question = make_question(user, visibility="members")
    response = client.patch(f"/api/v1/questions/{question.id}", headers=bearer(user),
                            json={"visibility": value})
    assert response.status_code in (400, 422), response.json
    assert "visibility" in response.json["error"].get("fields", {})
    assert app.extensions["sqlalchemy"].session.get(Question, question.id).visibility == "members"


@pytest.mark.parametrize("value", FALSY)
def test_falsy_visibility_never_makes_a_practice_public(app, client, make_user, make_practice, value):
    user = make_user()
    practice = make_practice(user, visibility="organisation")
    response = client.patch(f"/api/v1/practices/{practice.id}", headers=bearer(user),
                            json={"visibility": value})
    assert response.status_code in (400, 422), response.json
    from kde_community.extensions import db

    db.session.expire_all()
    assert db.session.get(Practice, practice.id).visibility == "organisation"


@pytest.mark.parametrize("field,value", [("outcome", ["failure"]), ("outcome", None),
                                         ("failure_causes", [["x"]]), ("failure_causes", [{}]),
                                         ("anonymous", None)])
def test_type_confused_practice_enums_are_refused(client, make_user, make_practice, field, value):
    user = make_user()
    practice = make_practice(user)
    response = client.patch(f"/api/v1/practices/{practice.id}", headers=bearer(user),
                            json={field: value})
    assert response.status_code in (400, 422)


def test_web_edit_without_a_visibility_choice_keeps_it(app, client, make_user, make_question):
    user = make_user()
    question = make_question(user, visibility="members")
    login(client, user.email)
    response = submit(client, f"/vragen/{question.id}/bewerken",
                      {"title": question.title, "body": "Nieuwe tekst zonder keuze."})
    assert response.status_code == 422
    from kde_community.extensions import db

    db.session.expire_all()
    assert db.session.get(Question, question.id).visibility == "members"


def test_public_duplicate_does_not_show_a_private_target_title(app, client, make_user, make_question):
    asker = make_user()
    moderator = make_user(role="moderator")
    secret = make_question(asker, title="Geheime vraag over het inkoopdossier Zuid",
                           visibility="members")
    public = make_question(asker, title="Openbare vraag over inkoopdossiers")
    questions.close_question(moderator, public, "duplicate", duplicate_of=secret.id)
    page = client.get(f"/vragen/{public.id}").get_data(as_text=True)
    assert "eerder gesteld" in page
    assert "inkoopdossier Zuid" not in page
    assert f"/vragen/{secret.id}" not in page
    member = app.test_client()
    login(member, make_user().email)
    assert "inkoopdossier Zuid" in member.get(f"/vragen/{public.id}").get_data(as_text=True)
    # Once the target is hidden, members no longer see its title either.
    from kde_community.content.services import hide_item

    hide_item(moderator, "question", secret.id, "dubbel en verouderd")
    assert "inkoopdossier Zuid" not in member.get(f"/vragen/{public.id}").get_data(as_text=True)


BIG = "99999999999999999999999"


@pytest.mark.parametrize("path", [
    f"/vragen/{BIG}", f"/vragen/{BIG}/geschiedenis", f"/vragen/antwoorden/{BIG}/geschiedenis",
    f"/praktijken/{BIG}", f"/praktijken/{BIG}/geschiedenis", f"/praktijken/1/bijlagen/{BIG}",
    f"/melden/vraag/{BIG}", f"/leden/{BIG}", f"/api/v1/questions/{BIG}", f"/api/v1/practices/{BIG}",
    f"/vragen?page={BIG}", f"/praktijken?page={BIG}", f"/organisaties?page={BIG}",
    f"/organisaties?min_inhabitants={BIG}", f"/organisaties?max_inhabitants=-{BIG}",
    f"/api/v1/organisations?min_inhabitants={BIG}", f"/api/v1/questions?page={BIG}",
    f"/vragen?verplichting={BIG}", f"/praktijken?obligation={BIG}", f"/zoeken?q=x&page={BIG}",
    "/vragen?_anchor=x", "/vragen?_external=1&_scheme=javascript", "/praktijken?_method=x",
    "/vragen/1?question_id=5", "/organisaties?lang=en&_anchor=x",
    f"/vragen/vergelijkbaar?titel=registreren&behalve={BIG}",
])
def test_odd_numbers_and_reserved_arguments_never_give_500(app, client, make_user, make_question,
                                                         path):
    user = make_user()
    make_question(user)
    for reader in ("visitor", "member"):
        if reader == "member":
            login(client, user.email)
        response = client.get(path)
        assert response.status_code < 500, (reader, path, response.status_code)
        assert "javascript:" not in response.get_data(as_text=True).lower().split("<body", 1)[-1]


def test_history_and_accept_with_huge_numbers(app, client, make_user, make_question):
    user = make_user()
    question = make_question(user)
    login(client, user.email)
    response = submit(client, f"/vragen/{question.id}", {"value": BIG},
                      action=f"/vragen/{question.id}/accepteren")
    assert response.status_code in (400, 404)
    response = submit(client, f"/vragen/{question.id}", {"value": "-5"},
                      action=f"/vragen/{question.id}/accepteren")
    assert response.status_code in (400, 404)


def test_deeply_nested_json_is_a_clear_400(client, make_user):
    headers = bearer(make_user())
    body = "[" * 1000 + "]" * 1000
    for method, path in (("post", "/api/v1/questions"), ("patch", "/api/v1/questions/1"),
                         ("post", "/api/v1/practices")):
        response = getattr(client, method)(path, data=body, headers={
            **headers, "Content-Type": "application/json"})
        assert 400 <= response.status_code < 500
        assert response.json["error"]["status"] == response.status_code
    nested = {"title": {"a": [[[[{"b": 1}]]]]}, "body": [None] * 3}
    response = client.post("/api/v1/questions", json=nested, headers=headers)
    assert response.status_code in (400, 422)


def test_twelve_simultaneous_votes_make_one_vote_and_no_error(app, make_user, make_question):
    import threading

    from kde_community.content.models import Reaction
    from kde_community.extensions import db
    from tests.helpers import count

    question = make_question(make_user())
    question_id = question.id  # threads have no app context to reload expired objects
    voter = make_user()
    statuses: list[int] = []
    barrier = threading.Barrier(12)
    clients = []
    for _ in range(12):
        c = app.test_client()
        login(c, voter.email)
        token = __import__("tests.helpers", fromlist=["csrf_from"]).csrf_from(
            c.get(f"/vragen/{question_id}").get_data(as_text=True))
        clients.append((c, token))

    def vote(c, token):
        barrier.wait()
        response = c.post(f"/vragen/{question_id}/stem", data={"csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=vote, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(s < 500 for s in statuses), statuses
    db.session.expire_all()
    assert count(Reaction) == 1
    assert db.session.get(Question, question_id).score == 1


@pytest.mark.parametrize("target", [
    "/%09/evil.example/phish", "/\t/evil.example/phish", "//evil.example", "/\\evil.example",
    "https://evil.example/", "/%0d%0aSet-Cookie:x=1", "/ok\r\nLocation: https://evil.example",
    "javascript:alert(1)", "/%2F/evil.example", "\x00/x", " //evil.example",
])
def test_login_never_redirects_off_site_or_fails(app, client, make_user, target):
    from urllib.parse import quote, urljoin, urlsplit

    user = make_user()
    page = client.get("/inloggen").get_data(as_text=True)
    from tests.helpers import PASSWORD, csrf_from

    response = client.post(f"/inloggen?next={quote(target, safe='')}", data={
        "csrf_token": csrf_from(page), "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location and "\t" not in location
    # Resolve it as a browser does: tabs and newlines dropped, backslashes read as slashes.
    browser_view = location.replace("\\", "/")
    resolved = urlsplit(urljoin("http://localhost/", browser_view))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location


def test_safe_next_keeps_same_origin_paths(app):
    from kde_community.web import safe_next

    with app.test_request_context():
        assert safe_next("/vragen?thema=ai#antwoord-3") == "/vragen?thema=ai#antwoord-3"
        assert safe_next("/%09/evil.example/phish") == "/%09/evil.example/phish"  # a local path
        for bad in ("//evil", "/\t/evil", "/\\evil", "http://evil", "evil", "", None, "/x\ny"):
            assert safe_next(bad) == "/"


def test_moderation_action_never_redirects_off_site(app, client, make_user, make_question):
    moderator = make_user(role="moderator")
    question = make_question()
    login(client, moderator.email)
    for target in ("/\t/evil.example/x", "//evil.example", "https://evil.example"):
        response = submit(client, "/moderatie", {"reason": "spam", "next": target},
                          action=f"/moderatie/vraag/{question.id}/verbergen")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/moderatie"), response.headers["Location"]
        submit(client, "/moderatie", {"next": "/"}, action=f"/moderatie/vraag/{question.id}/herstellen")
