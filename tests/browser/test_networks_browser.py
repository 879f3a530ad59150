"""Networks in Chromium, at desktop and phone width: a member proposes a network, an editor
approves it, it appears in the list and the member's organisation joins; axe on the list, a
network page, the review page and the proposal form (empty and with errors)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kde_community.extensions import db
from kde_community.laws.models import Theme
from tests.helpers import PASSWORD, commit, run_axe

LONG_URL = "https://www.voorbeeldnetwerk-van-overheden.example.org/netwerken/" \
           "algoritmeregisters-en-menselijk-toezicht/aanmelden-voor-de-bijeenkomsten"


def log_in(context, base, email):
    page = context.new_page()
    page.goto(base + "/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    return page


def fits(page) -> None:
    """Nothing of the page's own content sticks out sideways (the site footer is measured by
    the site's own tests)."""
    wide = page.evaluate("""() => [...document.querySelectorAll('#main, #main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(e => e.tagName + '.' + e.className)""")
    assert wide == [], (page.url, wide)


def audit(page) -> None:
    assert run_axe(page) == [], page.url
    fits(page)


@pytest.mark.parametrize("width", [1280, 375])
def test_propose_approve_list_and_join(browser, app, live_server, make_user, make_org, width):
    db.session.add_all([Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI"),
                        Theme(slug="cyber", name_nl="Cyberveiligheid", name_en="Cyber")])
    org = make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"])
    member = make_user(email="anna@utrecht.nl", name="Anna Voorsteller", org=org)
    editor = make_user(email="eddy@zwolle.nl", role="editor",
                       org=make_org(slug="zwolle", name="Gemeente Zwolle", domains=["zwolle.nl"]))
    commit()
    viewport = {"width": width, "height": 900}

    member_context = browser.new_context(bypass_csp=True, viewport=viewport)
    page = log_in(member_context, live_server, member.email)
    page.goto(live_server + "/netwerken")
    audit(page)
    page.get_by_role("link", name="Stel een netwerk voor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stel een netwerk voor")
    audit(page)
    # Sent empty: the errors are listed, linked to their fields, and pass axe.
    page.get_by_role("button", name="Stuur het voorstel").click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    audit(page)
    page.get_by_label("Naam van het netwerk").fill("Netwerk Menselijk Toezicht")
    page.get_by_label("Waar gaat het netwerk over?").fill(
        "Overheden die **algoritmes** inzetten delen hoe zij het menselijk toezicht regelen.")
    page.get_by_label("Kunstmatige intelligentie").check()
    page.get_by_label("CIO / CDO").check()
    page.get_by_label("Jurist").check()
    page.get_by_label("Wie mag meedoen?").fill("Alle gemeenten, provincies en waterschappen")
    page.get_by_label("Hoe sluit een organisatie aan?").fill("Stuur een mail naar het secretariaat.")
    page.get_by_label("Organisator").fill("VNG")
    page.get_by_label("Hoe vaak komt het netwerk bijeen?").fill("Vier keer per jaar")
    page.get_by_label("Website").fill(LONG_URL)
    page.get_by_role("button", name="Stuur het voorstel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Netwerk Menselijk Toezicht")
    expect(page.get_by_text("wacht op beoordeling").first).to_be_visible()
    proposal_url = page.url
    audit(page)
    page.goto(live_server + "/netwerken")
    expect(page.get_by_text("Netwerk Menselijk Toezicht")).to_have_count(0)

    editor_context = browser.new_context(bypass_csp=True, viewport=viewport)
    staff = log_in(editor_context, live_server, editor.email)
    staff.goto(live_server + "/netwerken")
    staff.get_by_role("link", name="Voorgestelde netwerken beoordelen").click()
    expect(staff.get_by_role("link", name="Netwerk Menselijk Toezicht")).to_be_visible()
    audit(staff)
    staff.get_by_role("button", name="Goedkeuren Netwerk Menselijk Toezicht").click()
    expect(staff.get_by_text("is goedgekeurd en staat nu in de lijst")).to_be_visible()
    staff.goto(live_server + "/netwerken")
    expect(staff.get_by_role("link", name="Netwerk Menselijk Toezicht")).to_be_visible()
    editor_context.close()

    page.goto(live_server + "/netwerken?rol=jurist")
    page.get_by_role("link", name="Netwerk Menselijk Toezicht").click()
    assert page.url == proposal_url
    expect(page.get_by_text("wacht op beoordeling")).to_have_count(0)
    expect(page.locator(".post-body strong")).to_have_text("algoritmes")
    page.get_by_role("button", name="Onze organisatie doet mee").click()
    expect(page.get_by_text("Gemeente Utrecht staat nu bij de deelnemers.")).to_be_visible()
    expect(page.get_by_role("heading", name="Deelnemers (1 organisatie)")).to_be_visible()
    expect(page.locator("#deelnemers ~ ul, section ul").get_by_role(
        "link", name="Gemeente Utrecht")).to_be_visible()
    audit(page)
    # Keyboard: the button to undo is reachable and works with Enter.
    button = page.get_by_role("button", name="Onze organisatie doet niet meer mee")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Gemeente Utrecht staat niet meer bij de deelnemers.")).to_be_visible()
    page.goto(live_server + "/netwerken")
    expect(page.get_by_text("0 deelnemende organisaties")).to_be_visible()
    audit(page)
    member_context.close()


def test_english_network_pages_pass_axe(browser, app, live_server, make_user):
    from kde_community.directory.models import Network

    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="AI")
    db.session.add(Network(slug="ai-netwerk", name="AI-netwerk", description_nl="Over AI.",
                           target_roles=["ciso"], themes=[theme]))
    member = make_user()
    commit()
    context = browser.new_context(bypass_csp=True)
    page = log_in(context, live_server, member.email)
    for path in ("/netwerken?lang=en", "/netwerken/ai-netwerk?lang=en",
                 "/netwerken/voorstellen?lang=en", "/netwerken?theme=x&lang=en"):
        page.goto(live_server + path)
        audit(page)
    page.goto(live_server + "/netwerken/ai-netwerk?lang=en")
    expect(page.locator("dd", has_text="CISO / privacy officer")).to_be_visible()
    expect(page.get_by_role("button", name="Our organisation takes part")).to_be_visible()
    context.close()
