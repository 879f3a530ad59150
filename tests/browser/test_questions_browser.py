"""Q&A in Chromium: the main journey, the XSS corpus, and axe on every Q&A page type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kde_community.questions import services
from tests.helpers import PASSWORD, commit, run_axe
from tests.xss import corpus


def log_in(page, base, email):
    page.goto(base + "/inloggen")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()


def log_out(page):
    page.get_by_role("button", name="Uitloggen").click()


def test_ask_answer_accept_vote_edit_history(app, live_server, page, make_user, make_org,
                                             make_law):
    law = make_law()
    a = make_user(name="Anna Asker", email="anna@utrecht.nl",
                  org=make_org(slug="utrecht", name="Gemeente Utrecht", domains=["utrecht.nl"]))
    b = make_user(name="Bas Beantwoorder", email="bas@zwolle.nl",
                  org=make_org(slug="zwolle", name="Gemeente Zwolle", domains=["zwolle.nl"]))
    c = make_user(name="Cor Stemmer", email="cor@aaenmaas.nl",
                  org=make_org(slug="aa", name="Waterschap Aa en Maas", type="waterschap",
                               domains=["aaenmaas.nl"]))
    log_in(page, live_server, a.email)
    page.get_by_role("link", name="Vragen", exact=True).click()
    page.get_by_role("link", name="Stel een vraag").click()
    page.get_by_label("Uw vraag in één zin").fill("Hoe richten jullie het menselijk toezicht in?")
    page.get_by_label("Toelichting").fill("Wij zetten een **chatbot** in.\n\nWie doet het toezicht?")
    page.get_by_text("Wetten", exact=True).click()
    page.get_by_label("AI-verordening").check()
    page.get_by_role("button", name="Voorbeeld").click()
    expect(page.locator(".preview strong")).to_have_text("chatbot")
    page.get_by_role("button", name="Plaats vraag").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hoe richten jullie het menselijk toezicht in?")
    expect(page.locator(".tag--law")).to_have_text("AI-verordening")
    question_url = page.url
    log_out(page)

    log_in(page, live_server, b.email)
    page.goto(question_url)
    page.get_by_label("Uw antwoord").fill("Wij hebben een **toezichthouder** per systeem aangewezen.")
    page.get_by_role("button", name="Plaats antwoord").click()
    expect(page.get_by_text("Dank u voor uw antwoord.")).to_be_visible()
    log_out(page)

    log_in(page, live_server, a.email)
    page.goto(question_url)
    page.get_by_role("button", name=re.compile("Accepteer dit antwoord")).click()
    expect(page.get_by_text("Geaccepteerd antwoord")).to_be_visible()
    page.get_by_role("link", name="Bewerken", exact=True).click()
    page.get_by_label("Toelichting").fill("Wij zetten een **chatbot** in voor vergunningen.\n\n"
                                          "Wie doet het toezicht?")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.get_by_role("link", name=re.compile(r"Geschiedenis \(2 versies\)")).first.click()
    expect(page.locator("pre.diff ins")).to_contain_text("voor vergunningen")
    expect(page.locator("pre.diff del")).to_contain_text("Wij zetten een **chatbot** in.")
    log_out(page)

    log_in(page, live_server, c.email)
    page.goto(question_url)
    page.get_by_role("button", name=re.compile("Nuttig antwoord")).click()
    expect(page.locator("#antwoord-1 .score")).to_have_text("1 keer nuttig gevonden")
    expect(page.get_by_text("Bas Beantwoorder", exact=True)).to_be_visible()
    expect(page.locator("#antwoord-1").get_by_role("link", name="Gemeente Zwolle")).to_be_visible()
    assert law.slug in page.content()


def test_similar_questions_while_typing(app, live_server, page, make_user, make_question):
    make_question(title="Wie is verantwoordelijk voor de toegankelijkheidsverklaring?")
    make_question(title="Hoe vaak moet een DPIA worden herhaald?", visibility="members")
    user = make_user()
    from kde_community.search import services as search

    search.drain()  # similar questions come from the index; the worker does this under `make run`
    log_in(page, live_server, user.email)
    page.goto(live_server + "/vragen/stellen")
    page.get_by_label("Uw vraag in één zin").press_sequentially("toegankelijkheidsverklaring maken")
    expect(page.locator("#similar-list")).to_contain_text(
        "verantwoordelijk voor de toegankelijkheidsverklaring")


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "no-csp"])
def test_xss_corpus_is_inert(app, live_server, browser, make_user, make_question, bypass_csp):
    author, commenter = make_user(), make_user()
    payloads = corpus()
    thread_ids = []
    for start in range(0, len(payloads), 30):
        chunk = payloads[start:start + 30]
        title = ("Vraag " + chunk[0])[:200]
        question = make_question(author=author, title=title, body="\n\n".join(chunk))
        answer = services.answer_question(commenter, question, {"body": "\n\n".join(reversed(chunk))})
        for payload in chunk[:10]:
            services.comment_on(commenter, question, payload[:1000])
            services.comment_on(author, answer, payload[:1000])
        thread_ids.append(question.id)
    for payload in payloads[::7]:
        make_question(author=author, title=("T " + payload).ljust(12, ".")[:200], body=payload)
    commit()

    context = browser.new_context(bypass_csp=bypass_csp)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    urls = ["/", "/vragen?per_page=100", "/vragen?per_page=100&page=2"]
    urls += [f"/vragen/{i}" for i in thread_ids]
    for url in urls:
        response = page.goto(live_server + url)
        assert response.status == 200, url
        bad = page.evaluate("""() => {
            const out = [];
            for (const el of document.querySelectorAll('main *')) {
                for (const attr of el.attributes) {
                    if (attr.name.startsWith('on')) out.push(el.tagName + ' ' + attr.name);
                    if (['href', 'src', 'action', 'formaction'].includes(attr.name) &&
                        /^\\s*(javascript|data|vbscript):/i.test(attr.value)) out.push(attr.value);
                }
                if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName)) out.push(el.tagName);
            }
            return out;
        }""")
        assert bad == [], (url, bad[:5])
    assert dialogs == []
    context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_axe_on_question_pages(app, live_server, browser, make_user, make_question, make_law, lang):
    law = make_law()
    moderator = make_user(role="moderator")
    question = make_question(title="Hoe houden jullie de AI-geletterdheid bij?", laws=[law.slug])
    answer = services.answer_question(make_user(), question, {"body": "Met een **leerpad**."})
    services.comment_on(moderator, answer, "Goed voorbeeld")
    services.flag_post(moderator, answer, "other", "Klopt dit nog?")
    commit()
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    base = live_server
    for path in ("/vragen", f"/vragen/{question.id}"):
        page.goto(f"{base}{path}?lang={lang}")
        assert run_axe(page) == [], path
    log_in(page, base, moderator.email) if lang == "nl" else None
    if lang == "en":
        page.goto(f"{base}/inloggen?lang=en")
        page.locator("#email").fill(moderator.email)
        page.locator("#password").fill(PASSWORD)
        page.locator("form.form button[type=submit]").click()
        page.wait_for_url(f"{base}/")
    for path in (f"/vragen/{question.id}", "/moderatie", f"/vragen/{question.id}/bewerken",
                 f"/melden/antwoord/{answer.id}"):
        page.goto(base + path)
        assert run_axe(page) == [], path
    page.goto(base + "/vragen/stellen")
    page.locator("form#question-form button[type=submit]:not([name])").click()
    page.wait_for_selector(".utrecht-alert--error")
    assert run_axe(page) == [], "ask form with errors"
    services.edit_question(question.author, question, {"body": "Met een leerpad en een toets."})
    commit()
    page.goto(f"{base}/vragen/{question.id}/geschiedenis")
    assert run_axe(page) == [], "history"
    context.close()
