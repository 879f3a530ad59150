"""The conflict page in a real browser: two members edit the same question; the second sees
both texts, keeps their own, merges, and the page passes axe in Dutch and English."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, commit, run_axe


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_stale_edit_shows_the_conflict_and_merges(browser, app, live_server, make_user,
                                                  make_question, lang):
    from kde_community.questions import services

    author = make_user()
    question = make_question(author, body="De oorspronkelijke toelichting.")
    question_id = question.id
    moderator = make_user(role="moderator")
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/inloggen?lang={lang}")
    page.locator("#email").fill(author.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.goto(f"{live_server}/vragen/{question_id}/bewerken")
    page.locator("#body").fill("Mijn versie van de toelichting.")
    # Meanwhile a moderator saves another version.
    services.edit_question(moderator, question, {"body": "De versie van de moderator."})
    commit()
    page.locator("#question-form button.utrecht-button--primary-action").click()
    page.wait_for_selector("#conflict-title")
    assert page.locator("#body").input_value() == "Mijn versie van de toelichting."
    assert "moderator" in page.locator(".conflict .diff").first.inner_text()
    assert run_axe(page) == []
    page.locator("#body").fill("De versie van de moderator, met mijn aanvulling.")
    page.locator("#question-form button.utrecht-button--primary-action").click()
    page.wait_for_url(f"{live_server}/vragen/{question_id}")
    assert "met mijn aanvulling" in page.content()
    context.close()
