"""The directory list and the peer finder in Chromium: axe, phone width, keyboard."""

from __future__ import annotations

import pytest

from tests.helpers import commit, run_axe

PAGES = [
    "/organisaties",
    "/organisaties?type=gemeente&voorloper=1&open=1&wet=ai-act",
    "/organisaties?sorteer=inwoners&richting=af&grootte=tot-5k",
    "/organisaties?province=Atlantis&thema=bestaat-niet&min_inhabitants=-3",
    "/organisaties/zoals-de-mijne",
    "/organisaties/schiermonnikoog/vergelijkbaar",
    "/organisaties/schiermonnikoog/vergelijkbaar?thema=ai",
    "/organisaties/schiermonnikoog/vergelijkbaar?wet=bestaat-niet",
]


def sideways(page) -> list[str]:
    """What in the page's main content reaches past the right edge of the screen (a wide
    table may scroll inside its own focusable region)."""
    return page.evaluate("""() => [...document.querySelectorAll('main, main *')]
        .filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8).map(e => e.tagName + '.' + e.className + ' '
                         + Math.round(e.getBoundingClientRect().right))""")


@pytest.fixture
def site(app, seed, live_server):
    from sqlalchemy import select

    from kde_community.directory.models import FrontrunnerTopic, Organisation
    from kde_community.extensions import db
    from kde_community.laws.models import Law
    from kde_community.reference import load_reference

    seed("reference", load_reference)
    utrecht = db.session.scalar(select(Organisation).where(Organisation.slug == "utrecht"))
    law = db.session.scalar(select(Law).where(Law.slug == "ai-act"))
    db.session.add(FrontrunnerTopic(organisation=utrecht, law=law, open_to_collaboration=True,
                                    summary="Algoritmeregister en AI-geletterdheid"))
    commit()
    return live_server


@pytest.mark.parametrize("width", [1280, 375])
def test_pages_pass_axe_and_fit_the_screen(browser, site, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in PAGES:
        for lang in ("nl", "en"):
            url = f"{site}{path}{'&' if '?' in path else '?'}lang={lang}"
            response = page.goto(url)
            assert response.status == 200, url
            if width > 375:  # axe once per page and language; the phone checks the layout
                assert run_axe(page) == [], url
            assert sideways(page) == [], url
            assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), url
    context.close()


def test_keyboard_sorts_filters_and_finds_peers(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/organisaties?type=gemeente")
    # Sort by inhabitants from the keyboard: the header link, then Enter.
    link = page.locator("th a", has_text="Inwoners")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**sorteer=inwoners**")
    assert page.locator('th[aria-sort="ascending"]').inner_text().startswith("Inwoners")
    assert page.locator("tbody tr").first.locator("td").first.inner_text() == \
        "Gemeente Schiermonnikoog"
    # The frontrunner filter: tick with the space bar, submit with Enter.
    page.locator("#filter-voorloper").focus()
    page.keyboard.press("Space")
    page.locator("#filter-q").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**voorloper=1**")
    assert page.locator("tbody tr").count() == 1
    assert "open voor samenwerking" in page.locator("tbody").inner_text()
    # The peer finder: pick an organisation and a theme, submit.
    page.goto(f"{site}/organisaties/zoals-de-mijne")
    page.locator("#peer-organisatie").select_option("schiermonnikoog")
    page.locator("#peer-wet").select_option("ai-act")
    page.locator("#peer-wet").focus()
    page.keyboard.press("Tab")  # the obligation
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    page.wait_for_url("**/organisaties/schiermonnikoog/vergelijkbaar?wet=ai-act**")
    first = page.locator(".peer").first
    assert first.locator("h3").inner_text() == "Gemeente Utrecht"
    assert "voorloper op AI-verordening, open voor samenwerking" in first.inner_text()
    context.close()
