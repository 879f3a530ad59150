"""Every page type on a phone (320 and 375 px) and a desktop (1280 px), in Dutch and English,
logged out and logged in as a moderator with unread notifications: nothing scrolls sideways,
axe finds nothing at 375 px, the header keeps one row at 1280 px, the main navigation folds
behind a "Menu" button on a phone, and an untouched required field shows no error.

Screenshots of the home page, a question thread, search results and a law page land in
test-artifacts/screenshots/ (look at them)."""

from __future__ import annotations

import json
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from kde_community.accounts.services import organisation_by_slug
from kde_community.clauses import services as clauses
from kde_community.directory.models import Network
from kde_community.extensions import db
from kde_community.notifications import services as notifications
from kde_community.questions import services as questions
from kde_community.reference import load_reference
from kde_community.worker import Worker
from tests.helpers import ROOT, browser_login, commit, run_axe

SHOTS = ROOT / "test-artifacts" / "screenshots"
LONG_WORD = "leveranciers-van-leveranciers-die-algoritmes-aanleveren-en-beheren" * 2
LONG_URL = ("https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:32024R1689"
            "&qid=1720000000000&from=EN#d1e3979-1-1-eenheelerglangeankerzonderspaties")
BODY = (f"Wij zoeken een aanpak voor {LONG_WORD}. Zie {LONG_URL}.\n\n"
        "```\nregister = Algoritmeregister(organisatie='gemeente-utrecht', "
        "publicatie='https://algoritmes.overheid.nl/nl/algoritme/een-heel-lang-pad')\n```\n\n"
        "| Kolom een | Kolom twee | Kolom drie | Kolom vier | Kolom vijf |\n"
        "|---|---|---|---|---|\n"
        "| waarde | waarde | waarde | waarde | " + LONG_WORD + " |\n")
MODERATOR_NAME = "Mila van den Berg-Overzicht"


def build(app, make_org, make_user, make_practice):
    """A moderator (long name, unread notifications, an open flag to moderate) and content of
    every kind, with long words, URLs, code and tables that would widen a phone page."""
    load_reference()
    commit()
    utrecht = organisation_by_slug("utrecht")
    moderator = make_user(email="mila@utrecht.nl", name=MODERATOR_NAME, org=utrecht,
                          role="moderator")
    other = make_user(name="Olaf Ander", org=make_org(slug="testdorp", name="Gemeente Testdorp"))
    question = questions.ask_question(moderator, {
        "title": f"Hoe registreren jullie algoritmes van {LONG_WORD[:60]}?", "body": BODY,
        "laws": ["ai-act"]})
    commit()
    notifications.follow(moderator, "question", question.id, quiet=True)
    answer = questions.answer_question(other, question, {"body": BODY})
    questions.comment_on(other, answer, f"Kijk ook eens naar {LONG_URL}")
    questions.edit_question(moderator, question, {"body": BODY + "\n\nAangevuld met een "
                                                  "voorbeeld uit de praktijk."})
    questions.flag_post(moderator, answer, "spam", "Lijkt op reclame.")
    practice = make_practice(author=other, title=f"Register ingericht voor {LONG_WORD[:50]}",
                             summary=f"Samenvatting met {LONG_WORD} en {LONG_URL}")
    clause_set = clauses.create_set(moderator, {
        "title": "Inkoopvoorwaarden voor algoritmische systemen",
        "purpose": f"Bepalingen voor {LONG_WORD}.", "visibility": "public",
        "purchase_kind": "website_app"})
    clause = clauses.add_clause(moderator, clause_set, {
        "heading": "Register", "text": f"De leverancier levert {LONG_WORD} binnen tien dagen.",
        "explanation": f"Zie {LONG_URL}"})
    clauses.edit_clause(moderator, clause, {
        "heading": "Register", "text": f"De leverancier levert {LONG_WORD} binnen vijf dagen.",
        "explanation": f"Zie {LONG_URL}"}, clause.revision)
    commit()
    Worker(app).drain()  # the search index and the moderator's notifications
    commit()
    network = db.session.scalars(db.select(Network).order_by(Network.id)).first()
    return {"question": question.id, "practice": practice.id, "set": clause_set.id,
            "clause": clause.id, "network": network.slug,
            "obligation": question.laws[0].obligations[0].key}


def page_urls(ids: dict, member: bool) -> list[str]:
    """One URL of every page type."""
    clause = f"/inkoopvoorwaarden/{ids['set']}/bepalingen/{ids['clause']}"
    urls = ["/", "/vragen", f"/vragen/{ids['question']}", f"/vragen/{ids['question']}/geschiedenis",
            "/praktijken", f"/praktijken/{ids['practice']}", "/praktijken/wat-ging-er-mis",
            "/organisaties", "/organisaties/utrecht", "/netwerken", f"/netwerken/{ids['network']}",
            "/wetgeving", "/wetgeving/ai-act", f"/wetgeving/ai-act/verplichtingen/{ids['obligation']}",
            "/wetgeving/tijdlijn", "/inkoopvoorwaarden", f"/inkoopvoorwaarden/{ids['set']}",
            clause, f"{clause}/geschiedenis", "/zoeken?q=algoritmes", "/zoeken?q=register&type=question",
            "/bestaat-niet", "/toegankelijkheid", "/privacy", "/colofon", "/contact", "/api"]
    if member:
        urls += ["/mijn", "/mijn/meldingen", "/mijn/instellingen", "/mijn/volgend", "/profiel",
                 "/vragen/stellen", "/praktijken/schrijven", "/inkoopvoorwaarden/nieuw",
                 "/moderatie", "/moderatie/leden", f"{clause}/bewerken", "/profiel/bewerken",
                 "/organisaties/utrecht/bewerken"]
    else:
        urls += ["/inloggen", "/registreren", "/wachtwoord-vergeten"]
    return urls


@pytest.fixture
def site(app, seed, make_org, make_user, make_practice):
    return seed("responsive", lambda: build(app, make_org, make_user, make_practice))


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def too_wide(page) -> list[str]:
    """The elements that stick out to the right of the window (empty when the page fits)."""
    return page.evaluate("""() => {
        if (document.scrollingElement.scrollWidth <= innerWidth) return [];
        return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > innerWidth + 0.5)
            .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                 + ' ' + Math.round(el.getBoundingClientRect().right))
            .slice(0, 8);
    }""")


def header_rows(page) -> dict:
    """Whether the header's logo, search and tools sit side by side in one row, and the account
    and language links each on one line."""
    return page.evaluate("""() => {
        const top = document.querySelector('.site-header__top');
        const items = [...top.children].filter(el => el.offsetParent !== null)
            .map(el => el.getBoundingClientRect());
        const sideBySide = items.every((b, i) => i === 0 || b.left >= items[i - 1].right);
        const overlap = Math.max(...items.map(b => b.top)) < Math.min(...items.map(b => b.bottom));
        const style = getComputedStyle(top);
        const height = top.getBoundingClientRect().height - parseFloat(style.paddingTop)
            - parseFloat(style.paddingBottom);
        const tallest = Math.max(...items.map(b => b.height));
        const oneLine = sel => {
            const boxes = [...document.querySelectorAll(sel)].map(li => li.getBoundingClientRect());
            return Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom));
        };
        return {oneRow: sideBySide && overlap && height <= tallest + 2,
                account: oneLine('.site-account li'), language: oneLine('.site-lang li')};
    }""")


def new_page(browser, base: str, member: bool, width: int):
    if member:
        return browser_login(browser, base, "mila@utrecht.nl", width)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    return context, context.new_page()


SHOT_PAGES = {"home": "/", "question": "/vragen/{question}", "search": "/zoeken?q=algoritmes",
              "law": "/wetgeving/ai-act"}


WIDTHS = (375, 320, 1280)


@pytest.mark.parametrize("who", ["guest", "moderator"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_page_fits(browser, site, live_server, lang, who):
    """Each page loads once and is then looked at in every width: the layout is CSS alone
    (site.js reads no width), so a resized window shows what a fresh load at that width does."""
    member = who == "moderator"
    context, page = new_page(browser, live_server, member, WIDTHS[0])
    shots = {path.format(**site): name for name, path in SHOT_PAGES.items()}
    problems = {}  # every page's problems at once, not only the first page's
    for url in page_urls(site, member):
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = page.goto(live_server + with_lang(url, lang))
        assert response.status == (404 if url == "/bestaat-niet" else 200), url
        found = {"plain checkboxes": page.evaluate(
            "[...document.querySelectorAll('input[type=checkbox]:not(.utrecht-checkbox--custom)')]"
            ".map(el => el.id)"), "axe at 375 px": run_axe(page)}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            found[f"too wide at {width} px"] = too_wide(page)
            if width == 1280:
                rows = header_rows(page)
                found["header at 1280 px"] = [] if rows == {
                    "oneRow": True, "account": True, "language": True} else rows
            if url in shots:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{shots[url]}-{width}-{lang}-{who}.png"),
                                full_page=True)
        if any(found.values()):
            problems[url] = {k: v for k, v in found.items() if v}
    assert not problems, json.dumps(problems, indent=1)
    if member:
        expect(page.locator(".site-inbox .badge")).to_be_visible()
        expect(page.locator(".site-account")).to_contain_text("Moderati")
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_main_menu_folds_on_a_phone(browser, site, live_server, width):
    context, page = new_page(browser, live_server, False, width)
    page.goto(live_server + "/")
    menu = page.locator(".site-nav .utrecht-nav-list")
    button = page.locator(".site-nav__toggle")
    if width >= 1280:
        expect(button).to_be_hidden()
        expect(menu).to_be_visible()
        expect(menu.get_by_role("link", name="Vragen")).to_be_visible()
        context.close()
        return
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", menu.get_attribute("id"))
    expect(menu).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu).to_be_visible()
    links = menu.get_by_role("link")
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert all(b["y"] > a["y"] for a, b in pairwise(boxes)), "a vertical list"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"menu-open-{width}.png"))
    assert run_axe(page) == []
    page.keyboard.press("Tab")
    expect(links.first).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    expect(menu).to_be_hidden()
    context.close()


def test_menu_without_javascript(browser, site, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 900})
    page = context.new_page()
    page.goto(live_server + "/vragen")
    expect(page.locator(".site-nav__toggle")).to_be_hidden()
    links = page.locator(".site-nav .utrecht-nav-list").get_by_role("link")
    expect(links.first).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    context.close()


def test_search_results_come_before_facets(browser, site, live_server):
    for width in (375, 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(live_server + "/zoeken?q=algoritmes")
        results = page.locator(".search-results").bounding_box()
        facets = page.locator(".facets").bounding_box()
        assert page.evaluate("""() => document.querySelector('.search-results')
            .compareDocumentPosition(document.querySelector('.facets'))
            & Node.DOCUMENT_POSITION_FOLLOWING""")
        if width == 375:
            assert results["y"] + results["height"] <= facets["y"]
        else:
            assert facets["x"] >= results["x"] + results["width"] and facets["y"] < results["y"] + 50
        context.close()


def test_required_fields_show_errors_only_after_submit(browser, site, live_server):
    context, page = new_page(browser, live_server, True, 375)
    page.goto(live_server + "/vragen/stellen")
    body = page.locator("#body")
    title = page.locator("#title")
    error_red = "rgb(153, 0, 0)"  # --utrecht-color-invalid
    for field in (title, body):
        assert field.evaluate("el => getComputedStyle(el).borderColor") != error_red
    page.get_by_role("button", name="Plaats vraag").click()
    expect(page.locator(".utrecht-form-field-error-message").first).to_be_visible()
    for field in (title, body):
        expect(field).to_have_attribute("aria-invalid", "true")
        assert field.evaluate("el => getComputedStyle(el).borderColor") == error_red
    context.close()
