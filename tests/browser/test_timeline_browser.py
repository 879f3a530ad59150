"""The timeline in Chromium with the reference laws on a fixed day: axe on both views in Dutch
and English at desktop width; at phone width no sideways scrolling and "Spring naar vandaag"
as the first link of the content when tabbing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import commit, make_config, run_axe

TODAY = date(2026, 5, 10)  # two consultations open, milestones on both sides


@pytest.fixture
def app_config(tmp_path):
    return make_config(tmp_path, TODAY=TODAY)


@pytest.fixture
def site(app, live_server):
    from kde_community.reference import load_reference

    load_reference()
    commit()
    return live_server


URLS = ["/wetgeving/tijdlijn", "/wetgeving/tijdlijn?weergave=tabel"]


def test_axe_on_both_views_in_dutch_and_english(browser, site):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for lang in ("nl", "en"):
        for path in URLS:
            url = f"{site}{path}{'&' if '?' in path else '?'}lang={lang}"
            assert page.goto(url).status == 200
            assert page.locator("#vandaag").count() == 1
            assert run_axe(page) == [], url
    context.close()


def test_phone_width_and_keyboard(browser, site):
    context = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 800})
    page = context.new_page()
    for path in URLS:
        page.goto(site + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
    # Tabbing from the top: the first link inside the content is the jump to today.
    page.goto(site + URLS[0])
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('main')"):
            break
    assert page.evaluate("document.activeElement.textContent.trim()") == "Spring naar vandaag"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#vandaag"
    assert page.locator("#vandaag").is_visible()
    assert page.evaluate("""() => { const r = document.getElementById('vandaag')
        .getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }""")
    context.close()
