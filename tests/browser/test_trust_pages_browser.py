"""The pages about the platform in Chromium: axe finds nothing at phone and laptop width in
Dutch and English, nothing scrolls sideways, and the API documentation renders the OpenAPI
document under the site's own Content-Security-Policy, usable with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import commit, run_axe

PAGES = ["/privacy", "/colofon", "/contact", "/toegankelijkheid", "/api"]


def _wait_until_drawn(page, path: str) -> None:
    if path == "/api":
        expect(page.locator(".opblock").first).to_be_visible(timeout=15000)


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_pages_pass_axe_and_fit(browser, live_server, width, lang):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    for path in PAGES:
        response = page.goto(f"{live_server}{path}?lang={lang}")
        assert response.status == 200, path
        _wait_until_drawn(page, path)
        assert run_axe(page) == [], (path, lang, width)
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), (path, width)
        footer = page.locator("footer")
        for href in PAGES:
            expect(footer.locator(f'a[href="{href}"]')).to_have_count(1)
    context.close()


def test_api_docs_render_the_openapi_document_without_csp_errors(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # CSP enforced
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server}/api")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/questions").first) \
        .to_be_visible(timeout=15000)
    expect(page.locator("#swagger-ui .title", has_text="KDE Community API")).to_be_visible()
    # Inside the site's layout, with the raw document one link away.
    expect(page.locator("header.site-header")).to_be_visible()
    expect(page.locator("main a[href='/api/v1/openapi.json']").first).to_be_visible()
    assert problems == []
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_api_docs_work_with_the_keyboard(browser, live_server, width):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/api")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    for _ in range(80):  # past the header, the intro and the renderer's own controls
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.opblock-summary-control')"):
            break
    else:
        pytest.fail("no operation reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert run_axe(page) == []
    # Trying out a write, and the authorisation dialog, pass too.
    page.locator(".opblock-post .opblock-summary-control").first.click()
    page.locator(".opblock-post .try-out__btn").first.click()
    expect(page.locator(".opblock-post .btn.execute").first).to_be_visible()
    page.locator(".btn.authorize").first.click()
    expect(page.locator(".modal-ux")).to_be_visible()
    assert run_axe(page) == []
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_visitor_404_passes_axe(browser, live_server, make_question, width):
    hidden = make_question(title="Geheime ledenvraag", visibility="members")
    commit()
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    for lang in ("nl", "en"):
        response = page.goto(f"{live_server}/vragen/{hidden.id}?lang={lang}")
        assert response.status == 404
        expect(page.locator("main a[href^='/inloggen?next=']")).to_have_count(1)
        assert run_axe(page) == [], lang
    context.close()
