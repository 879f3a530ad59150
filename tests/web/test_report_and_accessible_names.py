"""The report form names what is reported and chooses no reason for the member; accessible
names on contribution pages are Dutch sentences, never internal ids or type names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kde_community.content.models import Flag
from kde_community.practices import services as practices
from kde_community.questions import services as questions
from tests.helpers import commit, count, login, submit


@pytest.fixture
def thread(make_user, make_question):
    asker = make_user(name="Anna Vrager")
    answerer = make_user(name="Jan Antwoorder")
    commenter = make_user(name="Kees Reageerder")
    question = make_question(author=asker, title="Hoe houden jullie het algoritmeregister bij?",
                             body="Wij twijfelen over de vraag-tekst zelf.")
    answer = questions.answer_question(answerer, question,
                                       {"body": "Wij werken met een **maandelijkse** controle."})
    questions.comment_on(commenter, question, "Goede vraag, wij ook.")
    questions.comment_on(commenter, answer, "Hoe vaak dan precIES?")
    commit()
    return {"question": question, "answer": answer, "asker": asker, "answerer": answerer,
            "commenter": commenter}


def reported_part(html: str) -> str:
    start = html.index('id="reported-heading"')
    return html[start:html.index("<form", start)]


def test_report_form_preselects_no_reason_and_requires_one(client, thread, make_user):
    reporter = make_user()
    login(client, reporter.email)
    path = f"/melden/antwoord/{thread['answer'].id}"
    html = client.get(path).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*type="radio"[^>]*name="reason"[^>]*>', html)
    assert len(radios) == 5 and not any("checked" in r for r in radios)
    assert "<select" not in html

    response = submit(client, path, {"note": "Klopt niet"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and count(Flag) == 0
    assert "Kies waarom u dit meldt." in html
    assert 'href="#reason"' in html and re.search(r'id="reason"[^>]*aria-invalid="true"', html)
    assert not any("checked" in r for r in re.findall(r'<input[^>]*name="reason"[^>]*>', html))

    assert submit(client, path, {"reason": "incorrect"}).status_code == 302
    assert count(Flag) == 1


def test_report_form_shows_the_reported_answer_itself(client, thread, make_user):
    login(client, make_user().email)
    html = client.get(f"/melden/antwoord/{thread['answer'].id}").get_data(as_text=True)
    reported = reported_part(html)
    assert "Antwoord van Jan Antwoorder" in reported
    assert "Wij werken met een maandelijkse controle." in reported
    assert "Hoe houden jullie het algoritmeregister bij?" in reported  # where it stands
    assert "Wij twijfelen over de vraag-tekst zelf." not in reported
    assert f'#antwoord-{thread["answer"].id}"' in reported


def test_report_form_shows_a_reported_comment(client, thread, make_user):
    from kde_community.content.models import Comment

    comment = Comment.query.filter_by(body="Hoe vaak dan precIES?").one()
    login(client, make_user().email)
    html = client.get(f"/melden/reactie/{comment.id}").get_data(as_text=True)
    reported = reported_part(html)
    assert "Reactie van Kees Reageerder" in reported and "Hoe vaak dan precIES?" in reported
    assert "Hoe houden jullie het algoritmeregister bij?" in reported


def test_report_form_keeps_an_anonymous_practice_anonymous(client, make_user, make_practice):
    author = make_user(name="Wietske Waterman")
    practice = make_practice(author=author, anonymous=True, title="Chatbot zonder exitplan",
                             summary="Wij stopten na een jaar.")
    practices.comment(author, practice, "Aanvulling van de schrijver.")
    commit()
    login(client, make_user().email)
    html = client.get(f"/melden/praktijk/{practice.id}").get_data(as_text=True)
    reported = reported_part(html)
    assert "Chatbot zonder exitplan" in reported and "Wij stopten na een jaar." in reported
    assert "Wietske" not in html

    from kde_community.content.models import Comment

    comment = Comment.query.one()
    html = client.get(f"/melden/reactie/{comment.id}").get_data(as_text=True)
    assert "Aanvulling van de schrijver." in html and "Wietske" not in html


class AccessibleTexts(HTMLParser):
    """Texts only assistive technology hears: visually hidden spans and aria-labels."""

    def __init__(self):
        super().__init__()
        self.texts, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("aria-label"):
            self.texts.append(attrs["aria-label"])
        if self.depth:
            self.depth += 1
        elif "visually-hidden" in (attrs.get("class") or "").split():
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


INTERNAL = re.compile(r"\b(question|answer|practice|comment|clause|suggestion)\b|"
                      r"\b(vraag|antwoord|reactie|praktijk)\s+\d+\b", re.IGNORECASE)


def hidden_texts(html: str) -> list[str]:
    parser = AccessibleTexts()
    parser.feed(html)
    return parser.texts


def test_accessible_names_on_a_thread_are_dutch_without_ids(app, client, thread, make_user):
    moderator = make_user(role="moderator")
    for viewer in (make_user(), moderator):
        session = app.test_client()
        login(session, viewer.email)
        html = session.get(f"/vragen/{thread['question'].id}").get_data(as_text=True)
        assert not re.search(r"(question|answer) \d+", html)
        texts = hidden_texts(html)
        assert texts and not [t for t in texts if INTERNAL.search(t)], texts
        assert "op de vraag" in [t.strip() for t in texts]
        assert "op het antwoord van Jan Antwoorder" in [t.strip() for t in texts]
        assert "reactie van Kees Reageerder" in [t.strip() for t in texts]


def test_accessible_names_on_a_practice_are_dutch_without_ids(app, client, make_user,
                                                              make_practice):
    author = make_user(name="Wietske Waterman")
    practice = make_practice(author=author, anonymous=True)
    practices.comment(author, practice, "Aanvulling van de schrijver.")
    commit()
    login(client, make_user().email)
    html = client.get(f"/praktijken/{practice.id}").get_data(as_text=True)
    texts = [t.strip() for t in hidden_texts(html)]
    assert not [t for t in texts if INTERNAL.search(t)], texts
    assert "reactie van de schrijver" in texts and "Wietske" not in html
