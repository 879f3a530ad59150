"""Search in Chromium: axe on results with facets and on the empty state; inert snippets."""

from __future__ import annotations

import pytest

from kde_community.search import services
from tests.helpers import commit, run_axe
from tests.xss import corpus


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_axe_on_search_pages(app, live_server, browser, make_user, make_question, make_law, lang):
    law = make_law()
    for i in range(3):
        make_question(title=f"Register voor algoritmes nummer {i}", body="algoritmeregister",
                      laws=[law.slug])
    services.drain()
    commit()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    for query in ("register", "register&type=question", "zzzgeenresultaat", ""):
        response = page.goto(f"{live_server}/zoeken?q={query}&lang={lang}")
        assert response.status == 200
        assert run_axe(page) == [], query
    page.goto(f"{live_server}/zoeken?q=register&lang={lang}")
    assert page.locator(".facet").count() >= 2 and page.locator("mark").count() >= 1
    context.close()


def test_snippets_with_script_payloads_are_inert(app, live_server, browser, make_user,
                                                 make_question):
    author = make_user()
    payloads = corpus()
    for start in range(0, len(payloads), 40):
        make_question(author=author, title=f"Kwetsbaarheid test {start}",
                      body="kwetsbaar " + "\n\n".join(payloads[start:start + 40]))
    services.drain()
    commit()
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for query in ("kwetsbaar", "script", "alert", "onerror", "javascript"):
        page.goto(f"{live_server}/zoeken?q={query}&per_page=100")
        bad = page.evaluate("""() => [...document.querySelectorAll('main *')].flatMap(el =>
            [...el.attributes].filter(a => a.name.startsWith('on') ||
              (['href','src'].includes(a.name) && /^\\s*javascript:/i.test(a.value)))
            .map(a => el.tagName + ' ' + a.name)).concat(
            [...document.querySelectorAll('main script, main iframe, main img')].map(e => e.tagName))""")
        assert bad == [], (query, bad[:5])
    assert dialogs == []
    context.close()
