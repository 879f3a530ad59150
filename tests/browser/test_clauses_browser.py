"""Clause sets in Chromium at 1280 and 375 px: two editors of different organisations edit the
same clause and the second merges on the conflict screen; a contributor's suggestion is
accepted and credited; a release is made and adopted; the ODT and DOCX exports open with their
headings, clause text and cited obligations; axe on every clause page type; the XSS corpus in
every member-written field, also inside diffs, runs nothing."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document as DocxDocument
from odfdo import Document as OdfDocument
from playwright.sync_api import expect

from kde_community.clauses import services
from kde_community.content import services as content
from tests.helpers import PASSWORD, commit, run_axe
from tests.xss import corpus

WIDTHS = {"desktop": 1280, "phone": 375}


def new_page(browser, base, user, width, *, bypass_csp=True):
    context = browser.new_context(bypass_csp=bypass_csp, accept_downloads=True,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    if user is not None:
        page.goto(base + "/inloggen")
        page.locator("#email").fill(user.email)
        page.locator("#password").fill(PASSWORD)
        page.locator("form.form button[type=submit]").click()
        expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    return page


def fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def check(page, what: str) -> None:
    """axe finds nothing and nothing is wider than the window."""
    assert run_axe(page) == [], what
    assert fits(page), what


@pytest.fixture
def people(make_org, make_user, make_law):
    law = make_law()
    orgs = {
        "lead": make_org(slug="leiden", name="Gemeente Leidtest"),
        "editor": make_org(slug="ede", name="Gemeente Edetest"),
        "contributor": make_org(slug="culemborg", name="Gemeente Culemtest"),
        "adopter": make_org(slug="olst", name="Gemeente Olsttest"),
    }
    return {
        "law": law, "orgs": orgs,
        "lead": make_user(org=orgs["lead"], name="Lotte Lead"),
        "editor": make_user(org=orgs["editor"], name="Eddy Editor"),
        "contributor": make_user(org=orgs["contributor"], name="Carla Contributor"),
        "adopter": make_user(org=orgs["adopter"], name="Ad Adopter"),
    }


def make_set(people, **kwargs):
    lead = people["lead"]
    law = people["law"]
    clause_set = services.create_set(lead, {
        "title": kwargs.get("title", "Toegankelijke websites inkopen"),
        "purpose": kwargs.get("purpose", "Bepalingen voor **toegankelijke** websites en apps."),
        "visibility": "public", "purchase_kind": "website_app"})
    services.set_participant(lead, clause_set, people["orgs"]["editor"].slug, "editor")
    services.set_participant(lead, clause_set, people["orgs"]["contributor"].slug, "contributor")
    for n, obligation in enumerate(law.obligations[:2], start=1):
        services.add_clause(lead, clause_set, {
            "heading": f"Toegankelijkheidseis {n}",
            "text": f"De leverancier levert binnen tien werkdagen toegankelijkheidsrapport {n}.",
            "explanation": "Vraag om een rapport volgens EN 301 549.",
            "source_reference": "GIBIT art. 12", "obligations": [obligation.id]})
    commit()
    return clause_set


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_drafting_journey(app, live_server, browser, people, width):
    clause_set = make_set(people)
    clause = clause_set.clauses[0]
    set_url = f"{live_server}/inkoopvoorwaarden/{clause_set.id}"
    clause_url = f"{set_url}/bepalingen/{clause.id}"

    # Two editors of different organisations open the same clause.
    first = new_page(browser, live_server, people["lead"], width)
    second = new_page(browser, live_server, people["editor"], width)
    for page in (first, second):
        page.goto(clause_url + "/bewerken")
        expect(page.get_by_text("u bewerkt versie 1")).to_be_visible()
    first.locator("#text").fill("De leverancier levert binnen vijf werkdagen "
                                "toegankelijkheidsrapport 1.")
    first.get_by_role("button", name="Wijziging opslaan").click()
    expect(first.get_by_text("opgeslagen als versie 2")).to_be_visible()
    second.locator("#text").fill("De leverancier levert binnen tien werkdagen een volledig "
                                 "toegankelijkheidsrapport 1.")
    second.get_by_role("button", name="Wijziging opslaan").click()
    # The second sees the conflict: what is there now beside their own text, with a diff.
    expect(second.locator("#conflict-title")).to_be_visible()
    diff = second.locator(".conflict .diff").first
    expect(diff.locator("del")).to_have_text(["vijf"])
    expect(diff).to_contain_text("[verwijderd: vijf]")
    assert second.locator("#text").input_value().endswith("een volledig toegankelijkheidsrapport 1.")
    check(second, "conflict screen")
    second.locator("#text").fill("De leverancier levert binnen vijf werkdagen een volledig "
                                 "toegankelijkheidsrapport 1.")
    second.get_by_role("button", name="Wijziging opslaan").click()
    expect(second.get_by_text("opgeslagen als versie 3")).to_be_visible()
    expect(second.locator("h1")).to_contain_text("Artikel 1. Toegankelijkheidseis 1")
    expect(second.locator(".clause-text").first).to_contain_text("vijf werkdagen een volledig")
    check(second, "clause with history")
    second.get_by_role("link", name="Geschiedenis (3 versies)").click()
    expect(second.locator(".diff").first).to_contain_text("[ingevoegd: een volledig")
    expect(second.get_by_text("Versie 3 — Eddy Editor")).to_be_visible()
    check(second, "diff view")

    # A contributor suggests new text; the editor accepts it; the proposer is credited.
    contributor = new_page(browser, live_server, people["contributor"], width)
    contributor.goto(clause_url)
    contributor.get_by_role("link", name="Voorstel doen").click()
    expect(contributor.locator("#text")).to_have_value(
        "De leverancier levert binnen vijf werkdagen een volledig toegankelijkheidsrapport 1.")
    check(contributor, "suggestion form")
    contributor.locator("#text").fill("De leverancier levert binnen vijf werkdagen een volledig "
                                      "toegankelijkheidsrapport 1 volgens EN 301 549.")
    contributor.locator("#rationale").fill("Noem de norm, dan weet iedereen waar het om gaat.")
    contributor.get_by_role("button", name="Voorstel indienen").click()
    expect(contributor.get_by_text("De redactie bekijkt uw voorstel")).to_be_visible()
    expect(contributor.locator(".diff ins").last).to_contain_text("volgens EN 301 549.")
    suggestion_url = contributor.url
    check(contributor, "suggestion page")
    first.goto(suggestion_url)
    first.get_by_role("button", name="Overnemen").click()
    expect(first.get_by_text("Het voorstel is overgenomen")).to_be_visible()
    expect(first.get_by_text("Overgenomen in versie 4, door Carla Contributor.")).to_be_visible()
    first.goto(clause_url + "/geschiedenis")
    expect(first.get_by_text("Versie 4 — Carla Contributor")).to_be_visible()

    # A release is made; another organisation adopts it.
    first.goto(set_url)
    check(first, "set page of an editor")
    first.locator("#release-label").fill("v1.0")
    first.locator("#release-notes").fill("De eerste versie, met de **norm** erbij.")
    first.get_by_role("button", name="Release maken").click()
    expect(first.get_by_text("Release v1.0 is gemaakt.")).to_be_visible()
    expect(first.locator(".release strong").first).to_have_text("norm")
    adopter = new_page(browser, live_server, people["adopter"], width)
    adopter.goto(set_url)
    adopter.get_by_role("button", name="Wij gebruiken deze versie").click()
    expect(adopter.get_by_text("Vastgelegd: uw organisatie gebruikt versie v1.0.")).to_be_visible()
    expect(adopter.get_by_text("1 organisatie gebruikt deze versie")).to_be_visible()
    check(adopter, "set page of a member")
    adopter.goto(f"{live_server}/organisaties/olst")
    expect(adopter.get_by_role("link", name="Toegankelijke websites inkopen, release v1.0")) \
        .to_be_visible()

    # The release downloads as ODT and DOCX with headings, clause text and obligations.
    adopter.goto(set_url)
    release = adopter.locator(".release").first
    downloads = {}
    for fmt in ("ODT", "DOCX"):
        with adopter.expect_download() as info:
            release.get_by_role("link", name=f"{fmt} (release v1.0)").click()
        downloads[fmt] = info.value
    assert downloads["DOCX"].suggested_filename.endswith(".docx")
    assert downloads["ODT"].suggested_filename.endswith(".odt")
    docx = DocxDocument(io.BytesIO(Path(downloads["DOCX"].path()).read_bytes()))
    headings = [p.text for p in docx.paragraphs if p.style.name.startswith("Heading")]
    texts = "\n".join(p.text for p in docx.paragraphs)
    assert "Toegankelijke websites inkopen" in headings[0]
    assert "1. Toegankelijkheidseis 1" in headings and "2. Toegankelijkheidseis 2" in headings
    assert "toegankelijkheidsrapport 1 volgens EN 301 549." in texts
    assert "AI-verordening art. 4" in texts and "AI-verordening art. 26" in texts
    odt = OdfDocument(io.BytesIO(Path(downloads["ODT"].path()).read_bytes()))
    odt_headings = [h.text_recursive for h in odt.body.headers]
    assert "1. Toegankelijkheidseis 1" in odt_headings
    odt_text = odt.get_formatted_text()
    assert "toegankelijkheidsrapport 1 volgens EN 301 549." in odt_text
    assert "AI-verordening art. 4" in odt_text
    for page in (first, second, contributor, adopter):
        page.context.close()


def test_axe_on_the_clause_pages_logged_out(app, live_server, browser, people):
    clause_set = make_set(people)
    clause = clause_set.clauses[0]
    services.edit_clause(people["lead"], clause, {"text": "Nieuwe tekst van de bepaling."},
                         base_revision=1)
    suggestion = services.suggest(people["contributor"], clause_set, {
        "kind": "change", "clause_id": clause.id, "text": "Een andere tekst.",
        "rationale": "Korter is beter."})
    release = services.make_release(people["lead"], clause_set, "v1.0", "Eerste versie.")
    services.adopt(people["adopter"], release)
    services.change_status(people["lead"], clause_set, "consultation",
                           date.today() + timedelta(days=10))
    commit()
    base = f"/inkoopvoorwaarden/{clause_set.id}"
    for width in WIDTHS.values():
        page = new_page(browser, live_server, None, width)
        for path in ("/inkoopvoorwaarden", base, f"{base}/bepalingen/{clause.id}",
                     f"{base}/bepalingen/{clause.id}/geschiedenis",
                     f"{base}/voorstellen/{suggestion.id}", f"{base}/releases/{release.id}",
                     f"/wetgeving/{people['law'].slug}", "/organisaties/olst"):
            assert page.goto(live_server + path).status == 200, path
            check(page, (width, path))
        page.context.close()
    # A member's forms, with errors shown.
    page = new_page(browser, live_server, people["adopter"], 375)
    page.goto(f"{live_server}{base}/voorstellen/nieuw?bepaling={clause.id}")
    page.locator("#rationale").fill("")
    page.get_by_role("button", name="Voorstel indienen").click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    check(page, "suggestion form with errors")
    page.goto(f"{live_server}/inkoopvoorwaarden/nieuw?verplichting={people['law'].obligations[0].id}")
    check(page, "new set form")
    page.context.close()


def test_keyboard_reaches_the_editor_tools(app, live_server, browser, people):
    clause_set = make_set(people)
    page = new_page(browser, live_server, people["lead"], 1280)
    page.goto(f"{live_server}/inkoopvoorwaarden/{clause_set.id}")
    page.locator(f"#move-{clause_set.clauses[1].id}").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("De bepaling heeft nu nummer 1.")).to_be_visible()
    expect(page.locator("#bepaling-1 h3")).to_contain_text("Toegankelijkheidseis 2")
    page.context.close()


XSS_FLAG = ['<img src=x onerror="window.__xss=1">', '"><svg onload="window.__xss=1">',
            '[klik](javascript:window.__xss=1)', '<script>window.__xss=1</script>']


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_xss_corpus_runs_nothing(app, live_server, browser, people, bypass_csp):
    lead, contributor = people["lead"], people["contributor"]
    payloads = XSS_FLAG + corpus()
    chunks = [payloads[i:i + 45] for i in range(0, len(payloads), 45)]
    clause_set = make_set(people, title=("Set " + payloads[0])[:200],
                          purpose="\n\n".join(payloads[:40]))
    urls = [f"/inkoopvoorwaarden/{clause_set.id}"]
    for chunk in chunks:
        body = "\n\n".join(chunk)
        clause = services.add_clause(lead, clause_set, {
            "heading": " ".join(chunk[:3])[:200], "text": body, "explanation": body})
        # A second version makes a diff of payloads; a suggestion on it, another.
        services.edit_clause(lead, clause, {"text": "\n\n".join(reversed(chunk)),
                                            "heading": chunk[-1][:200]},
                             base_revision=1)
        suggestion = services.suggest(contributor, clause_set, {
            "kind": "change", "clause_id": clause.id, "text": body,
            "explanation": "\n\n".join(chunk[::2]), "rationale": body[:5000]})
        for part in range(0, len(chunk), 8):
            comment = "\n\n".join(chunk[part:part + 8])[:1000]
            content.add_comment(contributor, clause, comment)
            content.add_comment(lead, suggestion, comment)
        base = f"/inkoopvoorwaarden/{clause_set.id}"
        urls += [f"{base}/bepalingen/{clause.id}", f"{base}/bepalingen/{clause.id}/geschiedenis",
                 f"{base}/voorstellen/{suggestion.id}"]
    release = services.make_release(lead, clause_set, "v1.0", "\n\n".join(payloads[:60])[:5000])
    services.adopt(people["adopter"], release)
    commit()
    urls += [f"/inkoopvoorwaarden/{clause_set.id}/releases/{release.id}", "/inkoopvoorwaarden",
             f"/wetgeving/{people['law'].slug}", "/organisaties/olst"]
    context = browser.new_context(bypass_csp=bypass_csp)
    page = context.new_page()
    page.goto(live_server + "/inloggen")
    page.locator("#email").fill(lead.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in urls + [f"/inkoopvoorwaarden/{clause_set.id}/bepalingen/{clause.id}/bewerken"]:
        assert page.goto(live_server + url).status == 200, url
        page.wait_for_timeout(50)
        bad = page.evaluate("""() => [...document.querySelectorAll('main *')].flatMap(el =>
            [...el.attributes].filter(a => a.name.startsWith('on') ||
              (['href','src'].includes(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value)))
            .map(a => el.tagName + ' ' + a.name)).concat(
            [...document.querySelectorAll('main script, main iframe, main object, main svg')]
            .map(e => e.tagName))""")
        assert bad == [], (url, bad[:5])
        assert page.evaluate("window.__xss") is None, url
    assert dialogs == []
    context.close()
