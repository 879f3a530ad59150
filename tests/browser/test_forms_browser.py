"""Forms in Chromium that keep the member's work: a too-large attachment is refused before
anything is sent, and the ask form tabs from the title straight to the body."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kde_community.practices.models import Practice, PracticeAttachment
from tests.helpers import browser_login, commit, count, pdf_bytes, run_axe

MB = 1024 * 1024


def test_too_large_attachment_is_refused_before_sending(app, live_server, browser, make_user,
                                                         tmp_path):
    big = tmp_path / "jaarverslag.pdf"
    with big.open("wb") as handle:  # sparse: 30 MB on paper, nothing on disk
        handle.truncate(30 * MB)
    small = tmp_path / "verslag.pdf"
    small.write_bytes(pdf_bytes())
    writer = make_user(name="Ria Schrijver")
    context, page = browser_login(browser, live_server, writer.email, 1280)
    page.goto(live_server + "/praktijken/schrijven")
    page.get_by_label("Titel", exact=True).fill("Zaaksysteem vervangen zonder exitplan")
    page.get_by_label("Deels geslaagd").check()
    page.get_by_label("Samenvatting").fill("Wij wisselden van leverancier.")
    page.get_by_label("Aanpak").fill("Een aanbesteding in drie fasen.")
    page.get_by_label("Geleerde lessen").fill("Regel de exit vooraf.")
    field = page.locator("#attachment")
    expect(field).to_have_attribute("data-max-bytes", str(20 * MB))
    expect(page.locator("#attachment-limit")).to_have_text(re.compile("hoogstens 20 MB"))

    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST"
            else None)
    field.set_input_files(str(big))
    message = page.locator("#attachment-check")
    expect(message).to_have_text("Het bestand is 30 MB; het mag hoogstens 20 MB zijn.")
    expect(message).to_have_attribute("role", "alert")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\battachment-check-message\b"))
    page.screenshot(path=str(tmp_path / "too-large.png"), full_page=True)
    assert run_axe(page) == []

    page.get_by_role("button", name="Publiceer").click()
    page.get_by_role("button", name="Voorbeeld").click()
    page.wait_for_timeout(300)
    assert posts == [] and page.url.endswith("/praktijken/schrijven")
    expect(field).to_be_focused()
    expect(page.get_by_label("Titel", exact=True)).to_have_value(
        "Zaaksysteem vervangen zonder exitplan")
    expect(page.get_by_label("Samenvatting")).to_have_value("Wij wisselden van leverancier.")

    field.set_input_files(str(small))
    expect(message).to_be_empty()
    expect(field).not_to_have_attribute("aria-invalid", "true")
    page.get_by_role("button", name="Publiceer").click()
    expect(page.get_by_text("Uw praktijk is gepubliceerd")).to_be_visible()
    assert len(posts) == 1
    assert count(Practice) == 1 and count(PracticeAttachment) == 1
    context.close()


def test_too_large_attachment_on_the_edit_page(app, live_server, browser, make_user,
                                               make_practice, tmp_path):
    big = tmp_path / "film.pdf"
    with big.open("wb") as handle:
        handle.truncate(21 * MB)
    writer = make_user()
    practice = make_practice(author=writer)
    commit()
    context, page = browser_login(browser, live_server, writer.email, 375)
    page.goto(f"{live_server}/praktijken/{practice.id}/bewerken")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST"
            else None)
    page.locator("#new-attachment").set_input_files(str(big))
    expect(page.locator("#new-attachment-check")).to_have_text(
        "Het bestand is 21 MB; het mag hoogstens 20 MB zijn.")
    page.get_by_role("button", name="Bijlage uploaden").click()
    page.wait_for_timeout(300)
    assert posts == []
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    context.close()


def test_ask_form_tabs_from_title_to_body_and_announces_similar_questions(
        app, live_server, browser, make_user, make_question, tmp_path):
    make_question(title="Hoe houden jullie het algoritmeregister actueel?")
    from kde_community.search import services as search

    search.drain()
    commit()
    context, page = browser_login(browser, live_server, make_user().email, 1280)
    page.goto(live_server + "/vragen/stellen")
    title = page.locator("#title")
    title.fill("algoritmeregister actueel houden")
    title.press("End")
    page.keyboard.type(" ")  # an input event, as typing gives
    box = page.locator("#similar-questions")
    expect(box).to_be_visible()
    expect(page.locator("#similar-live")).to_have_attribute("aria-live", "polite")
    assert page.locator("#similar-live #similar-questions").count() == 1

    title.focus()
    page.keyboard.press("Tab")
    expect(page.locator("#body")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoe houden jullie het algoritmeregister actueel?")
           ).to_be_focused()
    page.screenshot(path=str(tmp_path / "ask.png"), full_page=True)
    assert run_axe(page) == []
    context.close()
