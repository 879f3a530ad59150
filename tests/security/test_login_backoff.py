"""The per-account login back-off slows a guesser down without locking the owner out; members'
votes, reactions and flags have limits of their own (finding B)."""

from __future__ import annotations

import re
import time

import pytest

from tests.helpers import PASSWORD, csrf_from, make_config, submit

NEW_PASSWORD = "een-lange-zin-over-waterschappen"


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=True,
                       KDE_LOGIN_ACCOUNT_LIMIT="3 per 15 minutes")


def client_at(app, address: str):
    """A browser at another address (only the WSGI environ says so; nothing is sent anywhere)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email: str, password: str):
    token = csrf_from(client.get("/inloggen").get_data(as_text=True))
    return client.post("/inloggen", data={"csrf_token": token, "email": email, "password": password})


def test_owner_still_logs_in_while_the_account_is_under_attack(app, make_user):
    owner = make_user()
    home, attacker, elsewhere = (client_at(app, a) for a in ("192.0.2.1", "198.51.100.7", "203.0.113.9"))
    assert attempt(home, owner.email, PASSWORD).status_code == 302  # the owner's usual address

    for _ in range(3):  # the account's allowance for addresses that never logged in to it
        assert attempt(attacker, owner.email, "fout" * 4).status_code == 422
    # From any other new address too: wait before the password is even checked.
    response = attempt(elsewhere, owner.email, "fout" * 4)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    page = response.get_data(as_text=True)
    assert "te vaak een verkeerd wachtwoord geprobeerd" in page and "1 seconde" in page
    assert attempt(elsewhere, owner.email, PASSWORD).status_code == 429  # right or wrong: not checked

    # The owner, from an address that logged in before, is not slowed down by someone else.
    other_browser = client_at(app, "192.0.2.1")
    assert attempt(other_browser, owner.email, PASSWORD).status_code == 302
    # Nor by their own typo there (the per-address limit still applies to it).
    assert attempt(client_at(app, "192.0.2.1"), owner.email, "fout" * 4).status_code == 422


def test_the_wait_grows_with_every_further_failure(app, make_user):
    owner = make_user()
    attacker = client_at(app, "198.51.100.7")
    for _ in range(3):
        attempt(attacker, owner.email, "fout" * 4)
    assert "1 seconde" in attempt(attacker, owner.email, "x" * 12).get_data(as_text=True)
    time.sleep(1.1)
    second = client_at(app, "198.51.100.8")
    assert attempt(second, owner.email, "fout" * 4).status_code == 422  # checked again, wrong
    response = attempt(second, owner.email, "fout" * 4)
    assert response.status_code == 429 and "2 seconden" in response.get_data(as_text=True)


def test_spelling_variants_and_unknown_accounts_are_treated_alike(app, make_user):
    make_user(email="eva@utrecht.nl")
    attacker = client_at(app, "198.51.100.7")
    for variant in ("EVA@utrecht.nl", " eva@UTRECHT.nl", "Eva@Utrecht.NL"):
        assert attempt(attacker, variant, "fout" * 4).status_code == 422
    assert attempt(client_at(app, "198.51.100.9"), "eva@utrecht.nl", "fout" * 4).status_code == 429
    # An address without an account behaves exactly the same: no enumeration.
    other = client_at(app, "198.51.100.10")
    for _ in range(3):
        assert attempt(other, "niemand@utrecht.nl", "fout" * 4).status_code == 422
    assert attempt(other, "niemand@utrecht.nl", "fout" * 4).status_code == 429


def test_a_reset_link_lets_the_owner_in_from_a_new_address(app, make_user):
    from kde_community.accounts.services import _serializer

    owner = make_user()
    attacker = client_at(app, "198.51.100.7")
    for _ in range(3):
        attempt(attacker, owner.email, "fout" * 4)
    laptop = client_at(app, "203.0.113.20")
    assert attempt(laptop, owner.email, PASSWORD).status_code == 429
    token = _serializer("reset-password").dumps({"uid": owner.id, "v": owner.credentials_version})
    response = submit(laptop, f"/wachtwoord-herstellen/{token}", {"password": NEW_PASSWORD})
    assert response.status_code == 302
    assert attempt(laptop, owner.email, NEW_PASSWORD).status_code == 302


def test_the_per_address_limit_still_holds_for_the_right_password(app, make_user):
    owner = make_user()
    app.config["KDE_LOGIN_ACCOUNT_LIMIT"] = "100 per 15 minutes"
    attacker = client_at(app, "198.51.100.7")
    statuses = [attempt(attacker, owner.email, "fout" * 4).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]
    assert attempt(attacker, owner.email, PASSWORD).status_code == 429
    assert attempt(client_at(app, "203.0.113.5"), owner.email, PASSWORD).status_code == 302


# --- limits per member -----------------------------------------------------------------------

def test_votes_are_limited_per_member(app, make_user, make_question):
    from tests.helpers import login

    app.config["KDE_VOTE_LIMIT"] = "2 per minute"
    first, second = make_question(), make_question(title="Hoe gaan jullie om met de AI Act?")
    voter = app.test_client()
    login(voter, make_user().email)
    page = f"/vragen/{first.id}"

    def vote(client, question):
        return submit(client, page, {"value": ""}, action=f"/vragen/{question.id}/stem")

    assert [vote(voter, q).status_code for q in (first, second, first)] == [302, 302, 429]
    # Another member behind the same address has a budget of their own.
    other = app.test_client()
    login(other, make_user().email)
    assert vote(other, second).status_code == 302


def test_flags_are_limited_per_member(app, make_user, make_question):
    from tests.helpers import login

    app.config["KDE_FLAG_LIMIT"] = "2 per hour"
    questions = [make_question(title=f"Vraag {n} over de datagedragsregels") for n in range(3)]
    reporter = app.test_client()
    login(reporter, make_user().email)
    statuses = [submit(reporter, f"/melden/vraag/{q.id}", {"reason": "spam", "note": ""}).status_code
                for q in questions]
    assert statuses == [302, 302, 429]
    # Reading the form is not limited.
    assert reporter.get(f"/melden/vraag/{questions[0].id}").status_code == 200


def test_practice_reactions_are_limited_per_member(app, make_user, make_practice):
    from tests.helpers import login

    app.config["KDE_REACTION_LIMIT"] = "2 per minute"
    practice = make_practice()
    reader = app.test_client()
    login(reader, make_user().email)
    page = f"/praktijken/{practice.id}"
    statuses = [submit(reader, page, {"value": value}, action=f"{page}/reactie").status_code
                for value in ("useful", "useful:intrekken", "useful")]
    assert statuses == [302, 302, 429]
    assert re.search(r"te vaak", submit(reader, page, {"value": "useful"},
                                        action=f"{page}/reactie").get_data(as_text=True))
