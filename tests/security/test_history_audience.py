"""History is private too: a revision is read only by the audience it was written for.

Content is written private or named, then made public or anonymous; every outsider reads the
history page and the diff of every pair of versions and never finds the earlier text or, for
anonymous write-ups, the writer's organisation.
"""

from __future__ import annotations

import itertools

import pytest

from kde_community.practices import services as practices
from kde_community.questions import services as questions
from tests.helpers import login

SECRET = "Marieke Jansen van team Zaakgericht"


@pytest.fixture
def people(make_user, make_org):
    utrecht = make_org(slug="utrecht", name="Gemeente Utrechttest", domains=["utrechttest.nl"],
                       inhabitants=360_000)
    other = make_org(slug="ede", name="Gemeente Edetest", domains=["edetest.nl"])
    return {
        "writer": make_user(name="Wendy Schrijver", email="wendy@utrechttest.nl", org=utrecht),
        "colleague": make_user(name="Cor Collega", email="cor@utrechttest.nl", org=utrecht),
        "other": make_user(name="Olga Ander", email="olga@edetest.nl", org=other),
        "moderator": make_user(name="Mo Moderator", email="mo@edetest.nl", org=other,
                               role="moderator"),
    }


def history_pages(client, path: str, versions: int) -> str:
    """The history page and the diff of every ordered pair of versions, as one text."""
    bodies = [client.get(path).get_data(as_text=True)]
    for a, b in itertools.product(range(1, versions + 1), repeat=2):
        response = client.get(f"{path}?van={a}&tot={b}")
        assert response.status_code in (200, 404)
        bodies.append(response.get_data(as_text=True))
    return "\n".join(bodies)


def reader(app, people, role):
    client = app.test_client()
    if role != "visitor":
        login(client, people[role].email)
    return client


def test_practice_made_public_and_anonymous_hides_its_named_history(app, people, make_practice):
    writer = people["writer"]
    practice = make_practice(writer, visibility="organisation", anonymous=False,
                             summary=f"Gemeente Utrechttest liep vast; vraag het {SECRET}.")
    practices.edit_practice(writer, practice, {"summary": "Wij liepen vast bij de aanbesteding.",
                                               "visibility": "public", "anonymous": True})
    practices.edit_practice(writer, practice, {"lessons": "- Begin met een exitplan"})
    path = f"/praktijken/{practice.id}/geschiedenis"
    for role in ("visitor", "other", "colleague"):
        text = history_pages(reader(app, people, role), path, 3)
        assert SECRET not in text, role
        assert "Utrechttest" not in text, role
        assert "Wendy Schrijver" not in text, role
        assert "Zichtbaarheid" not in text and "Anoniem</h3>" not in text, role
        assert "exitplan" in text  # the revisions written anonymously stay readable
    detail = reader(app, people, "visitor").get(f"/praktijken/{practice.id}").get_data(as_text=True)
    assert "3 versies" not in detail and "2 versies" in detail
    for role in ("writer", "moderator"):
        text = history_pages(reader(app, people, role), path, 3)
        assert SECRET in text, role


def test_practice_made_public_hides_members_only_history_from_visitors(app, people, make_practice):
    writer = people["writer"]
    practice = make_practice(writer, visibility="members", summary=f"Intern: {SECRET}.")
    practices.edit_practice(writer, practice, {"summary": "Openbare samenvatting.",
                                               "visibility": "public"})
    path = f"/praktijken/{practice.id}/geschiedenis"
    visitor = reader(app, people, "visitor")
    page = visitor.get(path).get_data(as_text=True)
    assert "één versie" in page and "van=1" not in page  # no link to a version it cannot see
    assert SECRET not in history_pages(visitor, path, 2)
    # A member was in the audience of the first version and may compare both.
    member_text = history_pages(reader(app, people, "other"), path, 2)
    assert SECRET in member_text


def test_question_made_public_hides_members_only_text_and_answers(app, people, make_question):
    writer = people["writer"]
    question = make_question(writer, title="Wie heeft ervaring met het algoritmeregister?",
                             body=f"Vraag het {SECRET}.", visibility="members")
    answer = questions.answer_question(people["other"], question,
                                       {"body": f"Bel {SECRET} even."})
    questions.edit_answer(people["other"], answer, {"body": f"Bel {SECRET} maar eens."})
    questions.edit_question(writer, question, {"body": "Wie heeft ervaring?", "visibility": "public"})
    visitor = reader(app, people, "visitor")
    text = history_pages(visitor, f"/vragen/{question.id}/geschiedenis", 2)
    assert SECRET not in text
    # The answer's versions were all written for members: no history for visitors.
    assert visitor.get(f"/vragen/antwoorden/{answer.id}/geschiedenis").status_code == 404
    assert SECRET not in history_pages(visitor, f"/vragen/antwoorden/{answer.id}/geschiedenis", 2)
    page = visitor.get(f"/vragen/{question.id}").get_data(as_text=True)
    assert "Geschiedenis (" not in page
    member = reader(app, people, "colleague")
    assert SECRET in history_pages(member, f"/vragen/{question.id}/geschiedenis", 2)
    assert "Geschiedenis (2 versies)" in member.get(f"/vragen/{question.id}").get_data(as_text=True)


def test_odd_version_numbers_are_not_found(app, people, make_question):
    question = make_question(people["writer"])
    questions.edit_question(people["writer"], question, {"body": "Nieuwe tekst voor de vraag."})
    client = reader(app, people, "visitor")
    for query in ("van=99999999999999999999999&tot=2", "van=-1&tot=2", "van=x", "tot=3"):
        assert client.get(f"/vragen/{question.id}/geschiedenis?{query}").status_code in (200, 404)
