"""Alerts in Chromium, at desktop and phone width: a member follows a question with its button,
a colleague elsewhere answers, the worker turns the answer into a notification; the member
sees the unread count in the header, opens "Meldingen", follows the link to the answer, and
stops following the question on "Volgend". axe finds nothing on the inbox and on "Volgend" in
Dutch at both widths and in English once, nor on the pages with a follow button, which fit a
phone. Full-page screenshots go to the test's tmp dir (or to KDE_SHOTS when set, to look
at)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kde_community.clauses import services as clause_services
from kde_community.directory.models import Network
from kde_community.extensions import db
from kde_community.laws.models import Theme
from kde_community.questions import services as questions
from kde_community.worker import Worker
from tests.helpers import browser_login, commit, run_axe

WIDTHS = {"desktop": 1280, "phone": 375}
TITLE = "Wie heeft al een algoritmeregister gepubliceerd?"


@pytest.fixture
def people(app, make_org, make_user, make_question):
    asker = make_user(name="Sanne Steller", org=make_org(slug="deventer",
                                                          name="Gemeente Deventer"))
    question = make_question(author=asker, title=TITLE,
                             body="Wij willen ons register dit jaar online zetten.")
    follower = make_user(name="Anna Volger", org=make_org(slug="utrecht",
                                                          name="Gemeente Utrecht"))
    answerer = make_user(name="Bas Beantwoorder", org=make_org(
        slug="aa-en-maas", name="Waterschap Aa en Maas", type="waterschap"))
    commit()
    return {"question": question, "follower": follower, "answerer": answerer}


def check(page, what: str) -> None:
    """axe (WCAG 2.1 A/AA) finds nothing, and nothing is wider than the window."""
    assert run_axe(page) == [], what
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), what


def shot(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_follow_answer_notify_read_and_unfollow(app, browser, live_server, people, tmp_path,
                                                width):
    base, question = live_server, people["question"]
    shots = Path(os.environ.get("KDE_SHOTS") or tmp_path) / f"alerts-{width}"
    context, page = browser_login(browser, base, people["follower"].email, width)

    # A follows the question with its button.
    page.goto(f"{base}/vragen/{question.id}")
    expect(page.locator(".site-inbox .badge")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"^Volgen\b")).click()
    expect(page.get_by_text("U volgt dit nu.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Niet meer volgen\b"))).to_be_visible()

    # B, of another organisation, answers; the worker turns that into A's notification.
    answer = questions.answer_question(people["answerer"], question, {
        "body": "Wij wel: ons register staat sinds maart online, met een **vast format**."})
    commit()
    Worker(app).drain()

    # A reloads: the header counts one unread notification.
    page.reload()
    inbox_link = page.locator("a.site-inbox")
    expect(inbox_link).to_have_accessible_name("Meldingen 1 ongelezen")
    inbox_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldingen")
    expect(page.locator("#unread-summary")).to_have_text("1 ongelezen melding")
    thread = page.locator(".notification-thread")
    expect(thread.get_by_role("heading")).to_have_text(TITLE)
    check(page, f"inbox at {width}")
    shot(page, shots, "1-inbox")

    # The link lands on the answer on the question's page.
    thread.get_by_role("link", name="Bas Beantwoorder gaf een antwoord").click()
    expect(page).to_have_url(re.compile(
        rf"/vragen/{question.id}#antwoord-{answer.id}$"))
    expect(page.locator(f"#antwoord-{answer.id}")).to_be_in_viewport()
    expect(page.locator(f"#antwoord-{answer.id} .post-body")).to_contain_text("vast format")

    # "Volgend" lists the question, with a button that says which one it stops following.
    page.goto(base + "/mijn/volgend")
    expect(page.get_by_role("heading", level=1)).to_have_text("Volgend")
    expect(page.locator(".following-list")).to_contain_text(TITLE)
    check(page, f"Volgend at {width}")
    shot(page, shots, "2-volgend")

    if width == WIDTHS["desktop"]:  # English once: both pages, then back to Dutch
        for path, heading in (("/mijn/meldingen", "Notifications"), ("/mijn/volgend", "Following")):
            page.goto(f"{base}{path}?lang=en")
            expect(page.locator("html")).to_have_attribute("lang", "en")
            if heading:
                expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            check(page, f"{path} in English")
            shot(page, shots, f"3-en{path.replace('/', '-')}")
        page.goto(base + "/mijn/volgend?lang=nl")

    # The button's hidden text names the question (Chromium reads "volgen : Wie …").
    page.get_by_role("button", name=re.compile(rf"^Niet meer volgen\s*: {re.escape(TITLE)}$")
                     ).click()
    expect(page.get_by_text("U volgt dit niet meer.")).to_be_visible()
    expect(page.locator(".following-list")).to_have_count(0)
    expect(page.get_by_text("U volgt nog niets.", exact=False)).to_be_visible()
    assert TITLE not in page.locator("main").inner_text()
    shot(page, shots, "4-unfollowed")
    context.close()


def test_pages_with_a_follow_button_pass_axe_and_fit_a_phone(app, browser, live_server, people,
                                                             make_law, make_practice, tmp_path):
    theme = Theme(slug="ai", name_nl="Kunstmatige intelligentie", name_en="Artificial intelligence")
    network = Network(slug="algoritmes", name="Netwerk Algoritmes", description_nl="Over AI.",
                      target_roles=["cio"], themes=[theme])
    db.session.add_all([theme, network])
    law = make_law()
    writer = people["answerer"]
    practice = make_practice(author=writer, title="Algoritmeregister in één kwartaal")
    clause_set = clause_services.create_set(writer, {"title": "Inkoopset algoritmes",
                                                     "visibility": "public"})
    commit()
    shots = Path(os.environ.get("KDE_SHOTS") or tmp_path) / "follow-buttons-375"
    context, page = browser_login(browser, live_server, people["follower"].email, 375, 800)
    pages = {"wet": (f"/wetgeving/{law.slug}", "Volgen"),
             "verplichting": (f"/wetgeving/{law.slug}/verplichtingen/{law.obligations[0].key}",
                              "Volgen"),
             "organisatie": ("/organisaties/aa-en-maas", "Volgen"),
             "netwerk": ("/netwerken/algoritmes", "Volgen"),
             "praktijk": (f"/praktijken/{practice.id}", "Volgen"),
             "inkoopvoorwaarden": (f"/inkoopvoorwaarden/{clause_set.id}", "Volgen"),
             "wetgeving-thema": ("/wetgeving?thema=ai", "Volg thema Kunstmatige intelligentie"),
             "vragen-thema": ("/vragen?thema=ai", "Volg thema Kunstmatige intelligentie")}
    for name, (path, label) in pages.items():
        assert page.goto(live_server + path).status == 200, path
        expect(page.locator("form.follow-form button")).to_have_accessible_name(
            re.compile(rf"^{label}\b"))
        check(page, path)
        shot(page, shots, name)
    # Following brings the member back to the filtered list, the button now says so.
    page.get_by_role("button", name="Volg thema Kunstmatige intelligentie").click()
    expect(page).to_have_url(live_server + "/vragen?thema=ai")
    expect(page.get_by_text("U volgt dit nu.")).to_be_visible()
    expect(page.locator("form.follow-form button")).to_have_accessible_name(
        "Thema Kunstmatige intelligentie niet meer volgen")
    check(page, "/vragen?thema=ai, followed")
    context.close()
