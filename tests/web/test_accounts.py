"""Registration, confirmation, approval, login, profile, tokens and password flows."""

from __future__ import annotations

import re

from kde_community.accounts.models import ApiToken, User, UserSession
from kde_community.extensions import db
from tests.helpers import PASSWORD, count, last_mail_path, login, outbox, submit

NEW_PASSWORD = "een-lange-zin-over-waterschappen"


def sent(response):
    """Close the response as a WSGI server does: mails queued during the request go out then."""
    response.get_data()
    response.close()
    return response


def register(client, org, email, password=NEW_PASSWORD, name="Eva de Vries"):
    return sent(submit(client, "/registreren", {"name": name, "email": email,
                                               "organisation": org.slug, "password": password}))


def test_registration_with_organisation_domain_is_active_after_confirmation(app, client, make_org):
    org = make_org(slug="utrecht", domains=["utrecht.nl"])
    response = register(client, org, "Eva@Utrecht.nl")
    assert response.status_code == 200
    assert "bevestigingslink" in response.get_data(as_text=True)
    user = db.session.scalar(db.select(User))
    assert user.email == "eva@utrecht.nl" and user.approval == "approved"
    assert not user.email_verified
    # Not before confirming
    response = submit(client, "/inloggen", {"email": "eva@utrecht.nl", "password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "Bevestig eerst" in response.get_data(as_text=True)

    link = last_mail_path(app, "/registreren/bevestigen/")
    response = client.get(link)
    assert response.status_code == 302
    login(client, "eva@utrecht.nl", NEW_PASSWORD)
    page = client.get("/profiel").get_data(as_text=True)
    assert "Eva de Vries" in page


def test_foreign_domain_waits_for_moderator(app, client, make_org, make_user):
    org = make_org(slug="utrecht", domains=["utrecht.nl"])
    register(client, org, "eva@gmail.com")
    user = db.session.scalar(db.select(User).where(User.email == "eva@gmail.com"))
    assert user.approval == "pending"
    client.get(last_mail_path(app, "/registreren/bevestigen/"))
    response = submit(client, "/inloggen", {"email": "eva@gmail.com", "password": NEW_PASSWORD})
    assert "wacht nog op een moderator" in response.get_data(as_text=True)

    moderator = make_user(role="moderator")
    other = app.test_client()
    login(other, moderator.email)
    queue = other.get("/moderatie/leden").get_data(as_text=True)
    assert "eva@gmail.com" in queue
    response = sent(submit(other, "/moderatie/leden", {"decision": "approve"},
                           action=f"/moderatie/leden/{user.id}"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).approval == "approved"
    assert "goedgekeurd" in outbox(app)[-1].read_text()
    login(client, "eva@gmail.com", NEW_PASSWORD)


def test_members_cannot_open_the_moderation_queue(client, make_user):
    member = make_user()
    login(client, member.email)
    assert client.get("/moderatie/leden").status_code == 403
    assert client.post("/moderatie/leden/1", data={"decision": "approve"}).status_code in (400, 403)


def test_refused_member_cannot_log_in(app, client, make_org, make_user):
    org = make_org(domains=["utrecht.nl"])
    pending = make_user(email="x@gmail.com", org=org, approval="pending")
    moderator = make_user(role="moderator")
    mod = app.test_client()
    login(mod, moderator.email)
    submit(mod, "/moderatie/leden", {"decision": "refuse"}, action=f"/moderatie/leden/{pending.id}")
    db.session.expire_all()
    assert db.session.get(User, pending.id).approval == "refused"
    response = submit(client, "/inloggen", {"email": "x@gmail.com", "password": PASSWORD})
    assert response.status_code == 422


def test_bad_registrations_change_nothing(app, client, make_org, make_user):
    org = make_org(slug="utrecht", domains=["utrecht.nl"])
    make_user(email="bestaat@utrecht.nl", org=org)
    before = count(User)
    cases = [
        ({"password": "kort"}, "minstens 12"),
        ({"password": "wachtwoord12345"}, "te bekend"),
        ({"password": "Welkom2024!!!!"}, "te bekend"),
        ({"organisation": "bestaat-niet"}, "Kies uw organisatie"),
        ({"organisation": ""}, "Kies uw organisatie"),
        ({"name": "x" * 500}, "hoogstens"),
        ({"name": "   "}, "Vul uw naam"),
        ({"email": "geen-adres"}, "geldig e-mailadres"),
        ({"email": "a" * 300 + "@utrecht.nl"}, "geldig e-mailadres"),
    ]
    for change, message in cases:
        data = {"name": "Eva", "email": "nieuw@utrecht.nl", "organisation": "utrecht",
                "password": NEW_PASSWORD, **change}
        response = sent(submit(client, "/registreren", data))
        assert response.status_code == 422, change
        assert message in response.get_data(as_text=True), change
    assert count(User) == before
    assert outbox(app) == []


def test_login_failure_message_does_not_tell_which_part_was_wrong(client, make_user):
    user = make_user()
    wrong_password = submit(client, "/inloggen", {"email": user.email, "password": "fout" * 4})
    unknown = submit(client, "/inloggen", {"email": "niemand@nergens.nl", "password": "fout" * 4})
    assert wrong_password.status_code == unknown.status_code == 422
    msg = "horen niet bij elkaar"
    assert msg in wrong_password.get_data(as_text=True) and msg in unknown.get_data(as_text=True)


def test_login_redirect_only_goes_to_our_own_pages(client, make_user):
    user = make_user()
    page = client.get("/inloggen").get_data(as_text=True)
    from tests.helpers import csrf_from

    response = client.post("/inloggen?next=//evil.example/x", data={
        "csrf_token": csrf_from(page), "email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_profile_edit_and_tokens(app, client, make_user):
    from kde_community.laws.models import Theme

    db.session.add(Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI"))
    db.session.commit()
    user = make_user()
    login(client, user.email)
    response = submit(client, "/profiel/bewerken", {"name": "Nieuwe Naam", "job_title": "CIO",
                                                    "expertise": ["ai"]})
    assert response.status_code == 302
    page = client.get("/profiel").get_data(as_text=True)
    assert "Nieuwe Naam" in page and "CIO" in page and "Kunstmatige intelligentie" in page

    response = submit(client, "/profiel/bewerken", {"name": "", "job_title": "x" * 200})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Nieuwe Naam"

    response = submit(client, "/profiel", {"token-label": "intranet"}, action="/profiel/tokens")
    html = response.get_data(as_text=True)
    import re

    secret = re.search(r'id="new-token">([^<]+)<', html).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json["id"] == user.id
    token = db.session.scalar(db.select(ApiToken))
    assert token.token_hash != secret and secret not in token.token_hash
    submit(client, "/profiel", {}, action=f"/profiel/tokens/{token.id}/intrekken")
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_cannot_revoke_someone_elses_token(app, client, make_user):
    from kde_community.accounts.services import create_token

    owner, other = make_user(), make_user()
    token, secret = create_token(owner, "van owner")
    login(client, other.email)
    response = submit(client, "/profiel", {}, action=f"/profiel/tokens/{token.id}/intrekken")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_password_reset(app, client, make_user):
    user = make_user()
    response = sent(submit(client, "/wachtwoord-vergeten", {"email": user.email}))
    assert response.status_code == 200
    # Unknown addresses get the same answer and no mail
    unknown = sent(submit(client, "/wachtwoord-vergeten", {"email": "niemand@nergens.nl"}))
    assert unknown.get_data(as_text=True).count("Kijk in uw mailbox") >= 1
    assert len(outbox(app)) == 1
    link = last_mail_path(app, "/wachtwoord-herstellen/")
    assert submit(client, link, {"password": "kort"}).status_code == 422
    assert sent(submit(client, link, {"password": NEW_PASSWORD})).status_code == 302
    login(client, user.email, NEW_PASSWORD)
    # The link works once
    assert client.get(link).status_code == 400


def test_old_session_refused_after_logout(app, client, make_user):
    user = make_user()
    login(client, user.email)
    cookie = client.get_cookie("session").value
    assert client.get("/profiel").status_code == 200
    submit(client, "/profiel", {}, action="/uitloggen")
    assert client.get("/profiel").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/profiel")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_old_sessions_refused_after_password_change(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    old_cookie = laptop.get_cookie("session").value
    response = submit(laptop, "/profiel", {"pw-current_password": PASSWORD,
                                           "pw-password": NEW_PASSWORD},
                      action="/profiel/wachtwoord")
    assert response.status_code == 302
    assert laptop.get("/profiel").status_code == 200  # this browser continues
    assert phone.get("/profiel").status_code == 302  # the other login has ended
    replay = app.test_client()
    replay.set_cookie("session", old_cookie)
    assert replay.get("/profiel").status_code == 302
    assert count(UserSession) == 3


def test_wrong_current_password_changes_nothing(app, client, make_user):
    user = make_user()
    login(client, user.email)
    old_hash = user.password_hash
    response = submit(client, "/profiel", {"pw-current_password": "fout-fout-fout",
                                           "pw-password": NEW_PASSWORD},
                      action="/profiel/wachtwoord")
    assert response.status_code == 422
    assert "klopt niet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


def test_new_session_at_login(app, client, make_user):
    user = make_user()
    client.get("/inloggen")
    before = client.get_cookie("session").value
    login(client, user.email)
    assert client.get_cookie("session").value != before


def test_member_profiles_are_for_members_only(app, client, make_user):
    user = make_user(name="Zichtbaar Lid")
    response = client.get(f"/leden/{user.id}")
    assert response.status_code == 302  # visitors are asked to log in
    other = make_user()
    login(client, other.email)
    page = client.get(f"/leden/{user.id}").get_data(as_text=True)
    assert "Zichtbaar Lid" in page and user.email not in page
    assert client.get("/leden/99999").status_code == 404


# --- no account enumeration (finding C) -------------------------------------------------------

CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+')


def _without_csrf(html: str) -> str:
    return CSRF_VALUE.sub(r"\1…", html)


def test_registering_a_known_address_answers_exactly_like_a_new_one(app, make_org):
    org = make_org(slug="utrecht", domains=["utrecht.nl"])
    first = register(app.test_client(), org, "eva@utrecht.nl")  # new: creates the account
    user = db.session.scalar(db.select(User).where(User.email == "eva@utrecht.nl"))
    hash_before = user.password_hash
    mails_before = len(outbox(app))

    again = register(app.test_client(), org, "Eva@Utrecht.nl", password="een-heel-ander-wachtwoord",
                     name="Iemand Anders")
    assert again.status_code == first.status_code == 200
    assert _without_csrf(again.get_data(as_text=True)) == _without_csrf(first.get_data(as_text=True))
    # The existing account is untouched; its owner hears what happened.
    assert count(User) == 1
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == hash_before
    assert db.session.get(User, user.id).name == "Eva de Vries"
    assert len(outbox(app)) == mails_before + 1
    mail = outbox(app)[-1].read_text()
    assert "Aanmelding met uw e-mailadres" in mail and "eva@utrecht.nl" in mail
    assert "/inloggen" in mail and "/wachtwoord-vergeten" in mail
    assert "bevestigen" not in mail


def test_registration_and_reset_mails_wait_for_the_response(app, client, make_org, make_user):
    org = make_org(slug="utrecht", domains=["utrecht.nl"])
    existing = make_user(email="bestaat@utrecht.nl", org=org)
    for path, data in (
            ("/registreren", {"name": "Eva", "email": "nieuw@utrecht.nl", "organisation": "utrecht",
                              "password": NEW_PASSWORD}),
            ("/registreren", {"name": "Eva", "email": existing.email, "organisation": "utrecht",
                              "password": NEW_PASSWORD}),
            ("/wachtwoord-vergeten", {"email": existing.email})):
        before = len(outbox(app))
        response = submit(client, path, data)
        assert response.status_code == 200
        assert len(outbox(app)) == before, path  # not while the visitor waits for the page
        response.close()
        assert len(outbox(app)) == before + 1, path


# --- API tokens and sessions (finding D) ------------------------------------------------------

def _token_works(client, secret: str) -> bool:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_password_change_revokes_api_tokens(app, client, make_user):
    from kde_community.accounts.services import create_token

    user = make_user()
    _, secret = create_token(user, "intranet")
    _, other_secret = create_token(user, "dashboard")
    login(client, user.email)
    assert "API-sleutels worden ingetrokken" in client.get("/profiel").get_data(as_text=True)
    response = sent(submit(client, "/profiel", {"pw-current_password": PASSWORD,
                                                "pw-password": NEW_PASSWORD},
                           action="/profiel/wachtwoord"))
    assert response.status_code == 302
    assert not _token_works(client, secret) and not _token_works(client, other_secret)
    page = client.get("/profiel").get_data(as_text=True)
    assert "Uw 2 API-sleutels zijn ingetrokken" in page
    mail = outbox(app)[-1].read_text()
    assert "Uw wachtwoord voor KDE Community is gewijzigd" in mail and "2 API-sleutels" in mail


def test_password_reset_revokes_api_tokens(app, client, make_user):
    from kde_community.accounts.services import create_token

    user = make_user()
    _, secret = create_token(user, "intranet")
    sent(submit(client, "/wachtwoord-vergeten", {"email": user.email}))
    link = last_mail_path(app, "/wachtwoord-herstellen/")
    assert "API-sleutels ingetrokken" in client.get(link).get_data(as_text=True)
    assert sent(submit(client, link, {"password": NEW_PASSWORD})).status_code == 302
    assert not _token_works(client, secret)
    page = client.get("/inloggen").get_data(as_text=True)
    assert "Uw API-sleutel is ingetrokken" in page
    assert "API-sleutel is ingetrokken" in outbox(app)[-1].read_text()


def test_a_login_ends_after_its_maximum_age_however_active(app, client, make_user):
    from datetime import timedelta

    from kde_community.dbtypes import utcnow

    user = make_user()
    login(client, user.email)
    assert client.get("/profiel").status_code == 200
    row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
    row.created_at = utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1)
    db.session.commit()
    assert client.get("/profiel").status_code == 200  # a minute left
    row.created_at = utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/profiel")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).revoked_at is not None


def test_language_switch_does_not_touch_the_session_cookie(app, client, make_user):
    login(client, make_user().email)
    client.get("/")  # shows (and so removes) the "logged in" notice: the session changes once
    cookie = client.get_cookie("session").value
    response = client.get("/?lang=en")
    assert '<html lang="en"' in response.get_data(as_text=True)
    set_cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("session=") for c in set_cookies), set_cookies
    assert any(c.startswith("kde_lang=en") and "HttpOnly" in c for c in set_cookies)
    assert client.get_cookie("session").value == cookie
    # The choice sticks, for members…
    assert '<html lang="en"' in client.get("/vragen").get_data(as_text=True)
    client.get("/?lang=nl")
    assert '<html lang="nl"' in client.get("/vragen").get_data(as_text=True)
    assert client.get_cookie("session").value == cookie


def test_language_switch_for_visitors(client):
    response = client.get("/?lang=en")
    assert not any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
    client.get("/?lang=xx")  # not a language we have: ignored
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)
