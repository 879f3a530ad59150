""""Mijn overzicht" and the notification settings in Chromium, in Dutch and English, at 1280
and 375 px: axe finds nothing, nothing scrolls sideways on a phone, the header keeps one row on
a desktop; a member reaches the overview from their name in the header, changes a setting,
and a tampered value is refused with a message that passes axe too."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kde_community.clauses import services as clauses
from kde_community.notifications import services as notifications
from kde_community.questions import services as questions
from tests.helpers import browser_login, commit, run_axe

LONG_TITLE = ("Hoe richten jullie het algoritmeregister in voor systemen die door "
              "leveranciers-van-leveranciers-worden-aangeleverd-en-beheerd")


@pytest.fixture
def member(app, make_org, make_user, make_question, make_practice, make_law):
    org = make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"])
    me = make_user(email="mila@utrecht.nl", name="Mila van den Berg-Overzicht", org=org)
    colleague = make_user(name="Cora Collega", org=org)
    other = make_user(name="Olaf Ander", org=make_org(slug="zwolle", name="Gemeente Zwolle"))
    mine = make_question(author=me, title=LONG_TITLE)
    answer = questions.answer_question(other, mine, {"body": "Wij doen het zo."})
    questions.accept_answer(me, mine, answer)
    theirs = make_question(author=other, title="Wie heeft ervaring met menselijk toezicht?")
    questions.answer_question(me, theirs, {"body": "Wij, met een vast team."})
    make_practice(author=me, title="Open data portaal in twee maanden")
    make_practice(author=me, title="Chatbot die niemand gebruikte", anonymous=True)
    clauses.create_set(me, {"title": "Inkoopvoorwaarden voor AI-systemen"})
    notifications.follow(me, "law", make_law().id)
    make_question(author=colleague, title="Welke DPIA-sjabloon gebruiken jullie?",
                  visibility="members")
    make_practice(author=colleague, title="Cloudstrategie met exitplan")
    commit()
    return me


def check_layout(page, width) -> None:
    assert run_axe(page) == [], page.url
    if width <= 375:
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth"), page.url
    else:
        # The header keeps one row: logo, search and tools side by side, the account links on
        # one line.
        rows = page.evaluate("""() => {
            const box = s => document.querySelector(s).getBoundingClientRect();
            const [logo, search, tools] = ['.site-logo', '.site-search', '.site-tools'].map(box);
            const items = [...document.querySelectorAll('.site-account li')]
                .map(li => li.getBoundingClientRect());
            return {oneRow: search.top < logo.bottom && tools.top < logo.bottom
                            && search.left > logo.right && tools.left > search.right,
                    accountOneLine: Math.max(...items.map(b => b.top))
                                    < Math.min(...items.map(b => b.bottom))};
        }""")
        assert rows == {"oneRow": True, "accountOneLine": True}, (page.url, rows)


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_my_overview_and_settings(browser, live_server, member, lang, width):
    context, page = browser_login(browser, live_server, member.email, width)
    page.goto(f"{live_server}/?lang={lang}")
    page.locator(".site-account a.site-me").click()
    page.wait_for_url(f"{live_server}/mijn")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("section[aria-labelledby=my-practices]")
           .get_by_text("Chatbot die niemand gebruikte")).to_be_visible()
    expect(page.locator("section[aria-labelledby=my-organisation]")
           .get_by_text("Welke DPIA-sjabloon gebruiken jullie?")).to_be_visible()
    check_layout(page, width)

    page.locator("#my-settings").locator("..").get_by_role("link").last.click()
    page.wait_for_url(f"{live_server}/mijn/instellingen")
    check_layout(page, width)
    page.locator("#frequency-comments-never").check()
    page.locator("form.notification-settings button[type=submit]").click()
    expect(page.locator(".utrecht-alert--ok")).to_be_visible()
    expect(page.locator("#frequency-comments-never")).to_be_checked()
    check_layout(page, width)

    # A tampered value: refused, explained, nothing saved.
    page.evaluate("document.querySelector('#frequency-laws-never').value = 'hourly'")
    page.locator("#frequency-laws-never").check()
    page.locator("#frequency-answers-never").check()
    page.locator("form.notification-settings button[type=submit]").click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    check_layout(page, width)
    page.goto(f"{live_server}/mijn/instellingen")
    expect(page.locator("#frequency-answers-immediately")).to_be_checked()
    expect(page.locator("#frequency-laws-weekly")).to_be_checked()
    context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_unsubscribe_page_works_without_logging_in_and_passes_axe(browser, live_server,
                                                                      member, width):
    from kde_community.extensions import db
    from kde_community.notifications import mailer

    token = mailer.unsubscribe_token(member.id, ["answers", "new_content"])
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    for lang in ("en", "nl"):  # a visitor's page, without the member's header
        page.goto(f"{live_server}/e-mail/afmelden/{token}?lang={lang}")
        assert run_axe(page) == [], lang
        assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_text("U bent afgemeld.")).to_be_visible()
    assert run_axe(page) == []
    db.session.expire_all()
    assert notifications.settings_for(member)["answers"] == "never"
    context.close()
