"""Law and obligation pages in Chromium: axe (WCAG 2.1 AA) on a law page, a proposal, an
obligation page and the filtered list, in Dutch and English at 1280 px; at 375 px nothing is
wider than the screen, and a member goes from a law to an obligation to a pre-filled question."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kde_community.dbtypes import utcnow
from kde_community.directory.models import FrontrunnerTopic
from kde_community.extensions import db
from kde_community.laws.models import Law, Obligation
from tests.helpers import PASSWORD, commit, run_axe


@pytest.fixture
def site(app, seed, make_org, make_user, make_question, make_practice, live_server):
    from kde_community.reference import load_reference

    seed("reference", load_reference)
    art4 = db.session.scalar(select(Obligation).where(Obligation.key == "ai-act-art-4"))
    org = make_org(slug="proefdorp", name="Gemeente Proefdorp")
    member = make_user(org=org, name="Pim Proef")
    make_question(member, "Hoe trainen jullie medewerkers in AI-geletterdheid?",
                  obligations=[art4.id])
    practice = make_practice(member, title="AI-training voor alle teams in één jaar",
                             obligations=[art4.id], anonymous=True)
    db.session.add(FrontrunnerTopic(organisation_id=org.id, obligation_id=art4.id,
                                    summary="Elke medewerker volgde een training.",
                                    open_to_collaboration=True))
    db.session.scalar(select(Law).where(Law.slug == "ai-act")).changed_at = \
        utcnow() + timedelta(days=1)
    commit()
    return {"base": live_server, "member": member, "art4": art4, "practice": practice}


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_law_pages_have_no_axe_violations(browser, site, lang):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    paths = ["/wetgeving/ai-act", "/wetgeving/digital-omnibus", site["art4"].url,
             "/wetgeving/european-accessibility-act/verplichtingen/"
             "european-accessibility-act-art-24-inkoop",
             "/wetgeving?voor=waterschap&rol=inkoop", "/wetgeving?rol=onzin"]
    if lang == "nl":
        paths.append(f"/praktijken/{site['practice'].id}")  # with "this law has changed"
    for path in paths:
        response = page.goto(f"{site['base']}{path}{'&' if '?' in path else '?'}lang={lang}")
        assert response.status == 200, path
        assert run_axe(page) == [], path
        assert fits(page), path
        if path.startswith("/praktijken/"):
            expect(page.locator(".outdated-notice")).to_be_visible()
    context.close()


def test_phone_journey_from_law_to_a_prefilled_question(browser, site):
    base, art4 = site["base"], site["art4"]
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(base + "/inloggen")
    page.locator("#email").fill(site["member"].email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()

    page.goto(base + "/wetgeving?voor=waterschap")
    assert fits(page)
    page.get_by_role("link", name="AI-verordening", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("AI-verordening")
    assert fits(page)
    platform = page.locator("#op-het-platform")
    expect(platform.get_by_role("link", name="Hoe trainen jullie medewerkers")).to_be_visible()
    page.get_by_role("link", name=f"{art4.article} — {art4.title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(art4.title)
    assert fits(page)
    page.get_by_role("link", name="Stel een vraag over deze verplichting").click()
    expect(page.locator(f"#obligations-{art4.id}")).to_be_checked()
    expect(page.locator("#laws-ai-act")).to_be_checked()
    context.close()
