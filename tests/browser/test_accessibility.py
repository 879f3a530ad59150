"""axe (WCAG 2.1 A and AA): zero violations on every page type, in Dutch and English."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, commit, run_axe


@pytest.fixture
def site(app, seed, live_server, make_org, make_user):
    from kde_community.reference import load_reference

    seed("reference", load_reference)
    from kde_community.accounts.services import organisation_by_slug

    utrecht = organisation_by_slug("utrecht")
    moderator = make_user(role="moderator", org=utrecht, email="mod@utrecht.nl")
    make_user(email="wacht@gmail.com", org=utrecht, approval="pending", name="Wacht Even")
    commit()
    return live_server, moderator


PUBLIC = ["/", "/inloggen", "/registreren", "/wachtwoord-vergeten", "/bestaat-niet",
          "/wetgeving", "/wetgeving/ai-act", "/organisaties", "/organisaties/utrecht",
          "/netwerken", "/vragen", "/toegankelijkheid"]
MEMBER = ["/profiel", "/profiel/bewerken", "/moderatie/leden"]


def check(page, url):
    response = page.goto(url)
    assert response.status == (404 if "bestaat-niet" in url else 200), url
    violations = run_axe(page)
    assert violations == [], (url, violations)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_public_pages(browser, site, lang):
    base, _ = site
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for path in PUBLIC:
        check(page, f"{base}{path}?lang={lang}")
    # A form with errors shown
    page.goto(f"{base}/registreren?lang={lang}")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_selector(".utrecht-form-field-error-message")
    assert run_axe(page) == []
    context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_member_pages(browser, site, lang):
    base, moderator = site
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/inloggen?lang={lang}")
    page.locator("#email").fill(moderator.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    for path in MEMBER:
        check(page, f"{base}{path}")
    # The profile right after making a token (the one-time secret is shown)
    page.goto(f"{base}/profiel")
    page.locator("form[action$='/profiel/tokens'] button").click()
    page.wait_for_selector("#new-token")
    assert run_axe(page) == []
    context.close()
