"""Contacting a peer in Chromium, on a desktop and a phone: organisation page, contact form,
confirmation; axe finds nothing on either page and nothing of them reaches past the window.
(The mail itself is checked in tests/web/test_contact.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kde_community.directory.models import ContactMessage, FrontrunnerTopic
from kde_community.extensions import db
from kde_community.laws.models import Theme
from tests.helpers import PASSWORD, commit, run_axe


def no_sideways_scroll(page) -> None:
    """Nothing in the page's main content reaches past the right edge of the window."""
    wide = page.evaluate("""() => [...document.querySelectorAll('main, main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert wide == [], wide


@pytest.mark.parametrize("width", [1280, 375])
def test_a_member_writes_to_a_peer_from_the_organisation_page(app, live_server, browser, width,
                                                              make_org, make_user,
                                                              make_question, make_practice):
    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI")
    db.session.add(theme)
    vaals = make_org(slug="vaals", name="Gemeente Vaals", province="Limburg", inhabitants=9_874,
                     area_km2=23.9, website="https://www.vaals.nl",
                     description="Een **kleine** gemeente in het heuvelland.")
    anna = make_user(org=vaals, name="Anna Bereikbaar", email="anna@vaals.nl", contactable=True,
                     job_title="Adviseur informatiebeveiliging en privacy", expertise=[theme])
    practice = make_practice(author=anna, title="Een algoritmeregister in drie maanden")
    make_question(author=anna, title="Hoe beoordelen jullie de risico's van AI?")
    db.session.add(FrontrunnerTopic(organisation=vaals, theme=theme, open_to_collaboration=True,
                                    summary="Wij publiceren al onze algoritmes.",
                                    practice=practice, contact=anna))
    sender = make_user(org=make_org(slug="epen", name="Gemeente Epen"), name="Frank Schrijver")
    commit()

    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/inloggen")
    page.locator("#email").fill(sender.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()

    page.goto(live_server + "/organisaties/vaals")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gemeente Vaals")
    expect(page.get_by_text("Open voor samenwerking")).to_be_visible()
    assert run_axe(page) == []
    no_sideways_scroll(page)

    contacts = page.locator("section[aria-labelledby=contactpersonen]")
    expect(contacts.get_by_role("link", name="Anna Bereikbaar", exact=True)).to_be_visible()
    contacts.get_by_role("link", name="Stuur een bericht aan Anna Bereikbaar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bericht aan Anna Bereikbaar")
    assert "anna@vaals.nl" not in page.content()
    assert run_axe(page) == []
    no_sideways_scroll(page)

    page.get_by_role("button", name="Bericht versturen").click()  # empty: errors, still usable
    expect(page.locator(".utrecht-form-field-error-message").first).to_be_visible()
    assert run_axe(page) == []
    no_sideways_scroll(page)

    page.get_by_label("Onderwerp").fill("Jullie algoritmeregister")
    page.get_by_label("Uw bericht").fill("Hoe hebben jullie het register ingericht?")
    page.get_by_role("button", name="Bericht versturen").click()
    expect(page.get_by_text("Uw bericht is verstuurd.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gemeente Vaals")
    no_sideways_scroll(page)
    context.close()

    db.session.rollback()  # see what the server committed
    row = db.session.scalar(db.select(ContactMessage))
    assert (row.sender_id, row.recipient_id, row.subject) == (
        sender.id, anna.id, "Jullie algoritmeregister")
