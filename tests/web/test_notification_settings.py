"""The notification settings (/mijn/instellingen): one radio group per kind of notification with
the current choice (defaults filled in), saved all at once; a bad value from a tampered form
gets a clear message and changes nothing; the form needs its CSRF token."""

from __future__ import annotations

import re

import pytest

from kde_community.extensions import db
from kde_community.notifications import services as notifications
from kde_community.notifications.models import GROUPS, NotificationSetting, default_frequency
from tests.helpers import commit, count, csrf_from, login

PAGE = "/mijn/instellingen"


@pytest.fixture
def member(make_user, client):
    user = make_user(name="Sam Instelling")
    login(client, user.email)
    return user


def checked(html: str) -> dict[str, str]:
    """group → the checked frequency, as the form shows it."""
    found = {}
    for tag in re.findall(r"<input[^>]*type=\"radio\"[^>]*>", html):
        if " checked" in tag and 'name="frequency-' in tag:
            name = re.search(r'name="frequency-([a-z_]+)"', tag).group(1)
            found[name] = re.search(r'value="([a-z]+)"', tag).group(1)
    return found


def form_data(html: str, **choices) -> dict[str, str]:
    data = {"csrf_token": csrf_from(html), "locale": "nl"}
    data.update({f"frequency-{group}": frequency for group, frequency in checked(html).items()})
    data.update({f"frequency-{group}": frequency for group, frequency in choices.items()})
    return data


def test_the_form_shows_every_group_with_its_default(app, client, member):
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert checked(html) == {group: default_frequency(group) for group in GROUPS}
    assert checked(html)["answers"] == "immediately" and checked(html)["laws"] == "weekly"
    # One fieldset with a legend and an explanation per group, four labelled choices each.
    assert html.count("<fieldset") == len(GROUPS) + 1  # and the mails' language
    assert re.search(r'id="locale-nl" name="locale" value="nl" checked', html)
    assert "<legend class=\"utrecht-form-fieldset__legend utrecht-form-fieldset__legend--html-" \
           "legend\">Antwoorden</legend>" in html
    assert "Een nieuw antwoord op een vraag die u stelde of volgt" in html
    for label in ("Direct", "Dagelijks overzicht", "Wekelijks overzicht", "Nooit"):
        assert html.count(f">{label}</label>") == len(GROUPS)
    assert "07:00 uur" in html and "maandag" in html


def test_saving_changes_every_group_and_shows_the_new_values(app, client, member):
    html = client.get(PAGE).get_data(as_text=True)
    response = client.post(PAGE, data=form_data(html, answers="daily", comments="never",
                                                 new_content="weekly"))
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    assert notifications.settings_for(member) == {
        **{group: default_frequency(group) for group in GROUPS},
        "answers": "daily", "comments": "never", "new_content": "weekly"}
    page = client.get(PAGE).get_data(as_text=True)
    assert "Uw instellingen voor meldingen zijn opgeslagen." in page
    assert checked(page)["comments"] == "never"
    # The overview shows the summary.
    overview = client.get("/mijn").get_data(as_text=True)
    assert re.search(r"<dt>Reacties</dt><dd>Nooit</dd>", overview)


@pytest.mark.parametrize(("choices", "message"), [
    ({"laws": "hourly"}, "Kies direct, dagelijks, wekelijks of nooit."),
    ({"laws": ""}, "Kies direct, dagelijks, wekelijks of nooit."),
    ({"recipes": "daily"}, "Deze soort meldingen bestaat niet."),
])
def test_a_bad_value_changes_nothing(app, client, member, choices, message):
    notifications.set_frequency(member, "answers", "never")
    commit()
    before = notifications.settings_for(member)
    html = client.get(PAGE).get_data(as_text=True)
    # Valid changes to other groups come first in the form; none of them may be saved.
    data = form_data(html, answers="weekly", comments="never", directory="immediately")
    data.update({f"frequency-{group}": value for group, value in choices.items()})
    response = client.post(PAGE, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Er is niets opgeslagen." in page and message in page
    assert notifications.settings_for(member) == before
    assert count(NotificationSetting) == 1


def test_a_missing_group_changes_nothing(app, client, member):
    html = client.get(PAGE).get_data(as_text=True)
    data = form_data(html, answers="never")
    del data["frequency-laws"]
    response = client.post(PAGE, data=data)
    assert response.status_code == 422
    assert 'href="#frequency-laws-immediately">Wetgeving: Kies direct' in \
        response.get_data(as_text=True)
    assert count(NotificationSetting) == 0


def test_without_the_csrf_token_nothing_changes(app, client, member):
    html = client.get(PAGE).get_data(as_text=True)
    data = form_data(html, answers="never")
    del data["csrf_token"]
    assert client.post(PAGE, data=data).status_code == 400
    data["csrf_token"] = "forged"
    assert client.post(PAGE, data=data).status_code == 400
    assert count(NotificationSetting) == 0


def test_english_page_saves_too(app, client, member):
    response = client.get(PAGE + "?lang=en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    response = client.post(PAGE + "?lang=en", data=form_data(html, laws="never"))
    assert response.status_code == 302
    assert notifications.settings_for(member)["laws"] == "never"


def test_the_mail_language_is_saved(app, client, member):
    html = client.get(PAGE).get_data(as_text=True)
    data = form_data(html)
    data["locale"] = "en"
    assert client.post(PAGE, data=data).status_code == 302
    db.session.expire_all()
    assert member.locale == "en"
    assert re.search(r'id="locale-en" name="locale" value="en" checked',
                     client.get(PAGE).get_data(as_text=True))


@pytest.mark.parametrize("locale", ["de", "", "nl-NL"])
def test_a_mail_language_that_does_not_exist_changes_nothing(app, client, member, locale):
    html = client.get(PAGE).get_data(as_text=True)
    data = form_data(html, answers="never")
    data["locale"] = locale
    response = client.post(PAGE, data=data)
    assert response.status_code == 422
    assert "Taal van de e-mails: Kies Nederlands of Engels." in response.get_data(as_text=True)
    db.session.expire_all()
    assert member.locale == "nl" and count(NotificationSetting) == 0
