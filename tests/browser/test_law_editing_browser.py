"""Editors' law forms in Chromium at 1280 and 375 px: an editor moves an application date with
a reason and sees it on the law page, the timeline and the calendar feed, and an answer and a
practice citing the law say it changed; a second editor's stale form gets the conflict page with
their own text kept; axe finds nothing on the law form (also refused), the obligation form and
the history, in Dutch and English; nothing is wider than a phone.

Set KDE_SHOTS=/tmp/shots to keep full-page screenshots of the forms to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD, commit, run_axe

WIDTHS = {"desktop": 1280, "phone": 375}
EDIT = "/wetgeving/ai-act/bewerken"
EDIT_OB = "/wetgeving/ai-act/verplichtingen/ai-act-art-26/bewerken"


@pytest.fixture
def site(app, seed, make_user, make_question, make_practice, live_server):
    from kde_community.questions.services import answer_question
    from kde_community.reference import load_reference

    def build() -> None:
        load_reference()

    seed("reference", build)
    editors = [make_user(role="editor", name="Eva Redacteur"),
               make_user(role="editor", name="Otto Ander")]
    # Written before the law changes: both cite the AI Act.
    asker, answerer = make_user(), make_user()
    question = make_question(author=asker, title="Wanneer geldt de FRIA voor ons?",
                             laws=["ai-act"])
    answer_question(answerer, question, {"body": "Vanaf de datum voor bijlage III."})
    practice = make_practice(author=asker, title="Onze FRIA voor de bijstand", laws=["ai-act"],
                             visibility="public")
    commit()
    return live_server, editors, {"question": f"/vragen/{question.id}",
                                  "practice": f"/praktijken/{practice.id}"}


def new_page(browser, base, user, width, lang="nl"):
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/inloggen?lang={lang}")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    return page


def check(page, what: str) -> None:
    """axe finds nothing and nothing is wider than the window."""
    assert run_axe(page) == [], what
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), what


def shot(page, name: str) -> None:
    folder = os.environ.get("KDE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_editor_moves_a_date_and_a_stale_form_gets_the_conflict_page(browser, site, width):
    base, (eva, otto), paths = site
    first, second = new_page(browser, base, eva, width), new_page(browser, base, otto, width)
    first.goto(base + EDIT)
    second.goto(base + EDIT)
    shot(first, f"edit-law-{width}")
    # Eva moves the Annex III high-risk date and says why.
    first.locator('input[type=date][value="2027-12-02"]').fill("2028-03-01")
    first.locator("#reason").fill("Nieuwe datum volgens het Publicatieblad.")
    first.locator("#law-form button[type=submit]").click()
    first.wait_for_url(f"{base}/wetgeving/ai-act")
    expect(first.get_by_text("De wet is bijgewerkt.")).to_be_visible()
    assert "1 maart 2028" in first.locator("main").inner_text()
    # The timeline and the calendar feed show the new date; what cites the law says it changed.
    first.goto(base + "/wetgeving/tijdlijn?wet=ai-act")
    assert "1 maart 2028" in first.locator("main").inner_text()
    calendar = first.request.get(base + "/wetgeving/tijdlijn.ics?wet=ai-act").text()
    assert "DTSTART;VALUE=DATE:20280301" in calendar
    for kind in ("question", "practice"):
        first.goto(base + paths[kind])
        notice = first.locator(".outdated-notice")
        expect(notice).to_be_visible()
        assert "AI-verordening" in notice.inner_text(), kind
    # Otto, on the form he opened before, rewrites the stage note.
    second.locator("#stage_note").fill("Mijn nieuwe toelichting.")
    second.locator("#reason").fill("Toelichting ingekort")
    second.locator("#law-form button[type=submit]").click()
    second.wait_for_selector("#stale-title")
    text = second.locator("main").inner_text()
    assert "Eva Redacteur" in text and "Nieuwe datum volgens het Publicatieblad." in text
    assert "2028-03-01" in second.locator(".conflict").first.inner_text()
    assert second.locator("#stage_note").input_value() == "Mijn nieuwe toelichting."
    assert second.locator("#reason").input_value() == "Toelichting ingekort"
    check(second, "conflict page")
    shot(second, f"conflict-{width}")
    # Saving again keeps both changes.
    second.locator("#law-form button[type=submit]").click()
    second.wait_for_url(f"{base}/wetgeving/ai-act")
    page = second.locator("main").inner_text()
    assert "1 maart 2028" in page and "Mijn nieuwe toelichting." in page
    first.context.close()
    second.context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_forms_and_history_pass_axe(browser, site, lang):
    base, (eva, _otto), _paths = site
    width = 375 if lang == "nl" else 1280
    page = new_page(browser, base, eva, width, lang)
    for path in (EDIT, EDIT_OB, "/wetgeving/ai-act/geschiedenis", "/wetgeving/nieuw"):
        page.goto(base + path)
        check(page, path)
    shot(page, f"new-law-{lang}-{width}")
    # A refused obligation form: the reasons, their summary and the field styling.
    page.goto(base + EDIT_OB)
    shot(page, f"edit-obligation-{lang}-{width}")
    page.locator("#applies_from").fill("1850-01-01")
    page.locator("#sources").fill("")
    page.locator("#obligation-form button[type=submit]").click()
    page.wait_for_selector("#error-summary")
    # Every reason at once, the missing reason for the change too.
    for field in ("applies_from", "sources", "reason"):
        assert page.locator(f"#{field}").get_attribute("aria-invalid") == "true", field
        assert page.locator(f"#error-summary a[href='#{field}']").count() == 1, field
    check(page, "refused obligation form")
    shot(page, f"edit-obligation-refused-{lang}-{width}")
    # After a change the history shows a diff.
    page.goto(base + EDIT)
    page.locator("#stage_note").fill("Korte toelichting.")
    page.locator("#reason").fill("Ingekort")
    page.locator("#law-form button[type=submit]").click()
    page.wait_for_url(f"{base}/wetgeving/ai-act")
    page.goto(base + "/wetgeving/ai-act/geschiedenis")
    assert page.locator(".history-entry .diff").count() >= 1
    check(page, "history with a diff")
    shot(page, f"history-{lang}-{width}")
    page.context.close()
