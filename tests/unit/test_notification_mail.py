"""Notification mail through a real SMTP server (aiosmtpd): immediately, daily and weekly
digests (one per member and period, also when `send-digests` runs twice or twice at once),
retries without duplicates, one-click unsubscribe without a session, privacy."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import threading
from datetime import UTC, date, datetime
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from kde_community import events
from kde_community.extensions import db
from kde_community.notifications import mailer, notifier
from kde_community.notifications import services as notifications
from kde_community.notifications.models import Notification, NotificationSetting
from kde_community.outbox import OutgoingMail, send_pending
from kde_community.questions import services as questions
from tests.helpers import commit, make_config
from tests.unit.test_mail import free_port

ROOT = Path(__file__).resolve().parents[2]
# Wednesday 2 December 2026, 08:00 in the Netherlands (07:00 UTC): the daily digest is due.
MORNING = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)


class Smtp:
    """A real SMTP server that can refuse the first `fail_first` messages with 451."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.fail_first = 0
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self.lock:
            if self.refused < self.fail_first:
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    handler = Smtp()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    yield handler
    controller.stop()


@pytest.fixture
def app_config(tmp_path, smtp):
    return make_config(tmp_path, KDE_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
                       KDE_BASE_URL="https://kde.example.nl", TODAY=date(2026, 12, 2))


def work(now: datetime = MORNING) -> dict:
    """What the worker does: the notifier's pending events, then the periodic mail task."""
    consumer = events.consumer(notifier.CONSUMER)
    while events.deliver(consumer):
        pass
    return mailer.run(now)


def body(message) -> str:
    return message.get_content()


def choose(user, group: str, frequency: str) -> None:
    notifications.set_frequency(user, group, frequency)
    commit()


def change_law(law, *fields) -> None:
    for field in fields:
        events.record("law.changed", "law", law.id, fields=[field], timeline=True)
    commit()


# --- digests --------------------------------------------------------------------------------------

def test_a_daily_digest_lists_the_days_three_events_once(app, smtp, make_user, make_law):
    law = make_law()
    reader = make_user(email="lees@utrecht.nl")
    notifications.follow(reader, "law", law.id)
    choose(reader, "laws", "daily")
    change_law(law, "stage", "milestones", "input_moments")

    assert work()["digests"] == 1
    [mail] = smtp.to("lees@utrecht.nl")
    assert mail["Subject"] == "Dagelijks overzicht: 3 meldingen"
    text = body(mail)
    assert text.count("Fase, datums of inspraakmomenten gewijzigd") == 3
    assert f"https://kde.example.nl/wetgeving/{law.slug}" in text
    # Run again the same morning and the next: nothing new, no mail.
    assert work()["digests"] == 0
    assert work(NEXT_MORNING)["digests"] == 0
    assert len(smtp.to("lees@utrecht.nl")) == 1


def test_a_digest_waits_for_its_hour_and_goes_once_per_period(app, smtp, make_user, make_law):
    law = make_law()
    reader = make_user(email="lees@utrecht.nl")
    notifications.follow(reader, "law", law.id)
    choose(reader, "laws", "daily")
    change_law(law, "stage")
    early = datetime(2026, 12, 2, 5, 30, tzinfo=UTC)  # 06:30 in the Netherlands
    assert work(early)["digests"] == 0 and smtp.messages == []
    assert work()["digests"] == 1
    change_law(law, "milestones")  # later that day: waits for tomorrow's digest
    assert work(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))["digests"] == 0
    assert work(NEXT_MORNING)["digests"] == 1
    first, second = smtp.to("lees@utrecht.nl")
    assert "1 melding" in first["Subject"] and "1 melding" in second["Subject"]


def test_a_weekly_digest_goes_from_monday_morning_once_a_week(app, smtp, make_user, make_law):
    law = make_law()
    reader = make_user(email="week@utrecht.nl")
    notifications.follow(reader, "law", law.id)  # laws: weekly by default
    change_law(law, "stage", "milestones")
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    monday_early = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    monday = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    # Sunday still belongs to the week whose digest went out... none had: it goes now.
    assert work(sunday)["digests"] == 1
    change_law(law, "input_moments")
    assert work(monday_early)["digests"] == 0
    assert work(monday)["digests"] == 1
    assert work(datetime(2026, 12, 9, 7, 0, tzinfo=UTC))["digests"] == 0
    subjects = [m["Subject"] for m in smtp.to("week@utrecht.nl")]
    assert subjects == ["Wekelijks overzicht: 2 meldingen", "Wekelijks overzicht: 1 melding"]


def test_notifications_read_in_the_inbox_are_not_mailed_again(app, smtp, make_user, make_law):
    law = make_law()
    reader = make_user(email="lees@utrecht.nl")
    notifications.follow(reader, "law", law.id)
    choose(reader, "laws", "daily")
    change_law(law, "stage")
    work(datetime(2026, 12, 2, 5, 0, tzinfo=UTC))  # notified, digest not yet due
    notifications.mark_all_read(reader)
    commit()
    assert work()["digests"] == 0 and smtp.messages == []


# --- immediately, and the English reader ------------------------------------------------------------

def test_immediately_means_one_mail_per_answer(app, smtp, make_user, make_question):
    asker = make_user(email="vraag@utrecht.nl")
    question = make_question(author=asker, title="Hoe houden jullie een algoritmeregister bij?")
    commit()
    for n in range(2):
        questions.answer_question(make_user(name=f"Collega {n}"), question,
                                  {"body": f"Antwoord {n}: wij gebruiken het landelijke register."})
        commit()
    work()
    mails = smtp.to("vraag@utrecht.nl")
    assert len(mails) == 2
    assert {m["Subject"] for m in mails} == {
        f"Collega {n} gaf een antwoord: Hoe houden jullie een algoritmeregister bij?"
        for n in range(2)}
    assert all(f"https://kde.example.nl/vragen/{question.id}#antwoord-" in body(m) for m in mails)
    work()  # delivered twice, run again: still two
    assert len(smtp.to("vraag@utrecht.nl")) == 2


def test_mail_speaks_the_members_language(app, smtp, make_user, make_question):
    asker = make_user(email="en@utrecht.nl")
    asker.locale = "en"
    question = make_question(author=asker)
    commit()
    questions.answer_question(make_user(name="Jan"), question, {"body": "Zo doen wij het."})
    commit()
    work()
    [mail] = smtp.to("en@utrecht.nl")
    assert mail["Subject"].startswith("Jan answered")
    assert "Dear" in body(mail) and "Beste" not in body(mail)
    # Links open the pages in English too (the anchor stays last).
    assert f"/vragen/{question.id}?lang=en#antwoord-" in body(mail)
    assert "/mijn/instellingen?lang=en" in body(mail)
    assert mail["List-Unsubscribe"].endswith("?lang=en>")


def test_never_means_no_mail_but_the_inbox_keeps_it(app, smtp, make_user, make_question):
    asker = make_user(email="stil@utrecht.nl")
    choose(asker, "answers", "never")
    question = make_question(author=asker)
    commit()
    questions.answer_question(make_user(), question, {"body": "Een antwoord."})
    commit()
    work()
    work(NEXT_MORNING)
    assert smtp.messages == []
    assert notifications.unread_count(asker) == 1


# --- retries --------------------------------------------------------------------------------------

def test_a_refused_mail_is_sent_once_on_retry(app, smtp, make_user, make_question):
    smtp.fail_first = 1
    asker = make_user(email="vraag@utrecht.nl")
    question = make_question(author=asker)
    commit()
    questions.answer_question(make_user(), question, {"body": "Een antwoord."})
    commit()
    report = work()
    assert (report["sent"], report["retrying"]) == (0, 1) and smtp.refused == 1
    assert smtp.messages == []
    # Not before its time, then once; later runs send nothing more.
    assert send_pending(now=MORNING).sent == 0
    later = datetime(2026, 12, 2, 7, 1, tzinfo=UTC)
    assert send_pending(now=later).sent == 1
    assert send_pending(now=datetime(2026, 12, 2, 9, 0, tzinfo=UTC)).sent == 0
    assert len(smtp.to("vraag@utrecht.nl")) == 1
    [row] = db.session.scalars(select(OutgoingMail))
    assert (row.status, row.attempts) == ("sent", 2)


def test_account_mail_the_server_refused_is_retried_by_the_worker(app, client, smtp, make_org):
    from tests.helpers import submit

    smtp.fail_first = 1
    make_org(slug="utrecht", domains=["utrecht.nl"])
    response = submit(client, "/registreren", {
        "name": "Eva", "email": "eva@utrecht.nl", "organisation": "utrecht",
        "password": "een-lange-zin-over-waterschappen"})
    response.close()
    assert smtp.messages == [] and smtp.refused == 1
    db.session.remove()
    assert send_pending(now=datetime.now(UTC).replace(year=2099)).sent == 1
    [mail] = smtp.to("eva@utrecht.nl")
    assert "/registreren/bevestigen/" in body(mail)


# --- two runs at once -----------------------------------------------------------------------------

def _send_digests(app, at: str) -> subprocess.Popen:
    env = {**os.environ, "KDE_DATA_DIR": app.config["KDE_DATA_DIR"],
           "KDE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "KDE_SMTP_URL": app.config["KDE_SMTP_URL"], "KDE_SECRET_KEY": "test-secret-key",
           "KDE_BASE_URL": "https://kde.example.nl", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # noqa: S603 — our own command
        [sys.executable, "-m", "flask", "--app", "kde_community", "notifications",
         "send-digests", "--at", at], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def test_send_digests_twice_at_once_and_again_sends_each_digest_once(app, smtp, make_user,
                                                                     make_law):
    law = make_law()
    readers = [make_user(email=f"lezer{n}@utrecht.nl") for n in range(6)]
    for reader in readers:
        notifications.follow(reader, "law", law.id)
        choose(reader, "laws", "daily")
    change_law(law, "stage", "milestones", "input_moments")  # not yet notified: the CLI does

    runs = [_send_digests(app, "2026-12-02T08:00") for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    again = _send_digests(app, "2026-12-02T09:30")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.startswith("0 digests queued; 0 mails sent")
    for reader in readers:
        [mail] = smtp.to(reader.email)
        assert body(mail).count("Fase, datums of inspraakmomenten gewijzigd") == 3
    queued = re.findall(r"(\d+) digests queued", "".join(out for out, _err in outputs))
    assert sum(map(int, queued)) == 6  # between them, however the two runs interleaved


def test_send_digests_refuses_a_time_that_is_no_time(app, runner):
    result = runner.invoke(args=["notifications", "send-digests", "--at", "gisteren"])
    assert result.exit_code == 2 and "gisteren" in result.output
    assert db.session.scalars(select(OutgoingMail)).all() == []


# --- unsubscribe ----------------------------------------------------------------------------------

def _unsubscribe_url(mail) -> str:
    header = mail["List-Unsubscribe"]
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith("https://kde.example.nl/e-mail/afmelden/")
    assert url in body(mail)
    return url.removeprefix("https://kde.example.nl")


@pytest.fixture
def answered(app, smtp, make_user, make_question):
    asker = make_user(email="vraag@utrecht.nl")
    question = make_question(author=asker)
    commit()

    def answer() -> None:
        questions.answer_question(make_user(), question, {"body": "Een antwoord."})
        commit()
        work()

    answer()
    return asker, answer


@pytest.mark.parametrize("how", ["one-click", "page"])
def test_unsubscribe_works_without_a_session_and_stops_the_mail(app, smtp, answered, how):
    asker, answer = answered
    [mail] = smtp.to(asker.email)
    path = _unsubscribe_url(mail)
    visitor = app.test_client()
    if how == "one-click":  # RFC 8058: the mail program posts, without cookies or CSRF token
        response = visitor.post(path, data={"List-Unsubscribe": "One-Click"})
    else:
        page = visitor.get(path)
        assert page.status_code == 200 and "geen e-mail meer over: <strong>antwoorden</strong>" in page.text
        db.session.expire_all()
        assert notifications.settings_for(asker)["answers"] == "immediately"  # GET changes nothing
        response = visitor.post(path)
    assert response.status_code == 200 and "U bent afgemeld" in response.text
    db.session.expire_all()
    assert notifications.settings_for(asker)["answers"] == "never"
    answer()
    assert len(smtp.to(asker.email)) == 1  # no further mail
    assert notifications.unread_count(asker) == 2  # the inbox still tells


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
    lambda t: "eyJ1IjoxLCJnIjpbImFuc3dlcnMiXX0.bogus",
    lambda t: "x",
])
def test_a_tampered_unsubscribe_link_is_refused_and_changes_nothing(app, smtp, answered, tamper):
    asker, _answer = answered
    [mail] = smtp.to(asker.email)
    token = _unsubscribe_url(mail).rsplit("/", 1)[1]
    visitor = app.test_client()
    for response in (visitor.get(f"/e-mail/afmelden/{tamper(token)}"),
                     visitor.post(f"/e-mail/afmelden/{tamper(token)}")):
        assert response.status_code == 404 and "Deze afmeldlink klopt niet" in response.text
    assert db.session.scalars(select(NotificationSetting)).all() == []


def test_a_token_for_a_group_that_does_not_exist_is_refused(app):
    token = mailer.unsubscribe_token(1, ["spam"])
    assert mailer.read_unsubscribe_token(token) is None


# --- privacy --------------------------------------------------------------------------------------

def test_no_mail_about_what_the_member_may_no_longer_see(app, smtp, make_user, make_org,
                                                         make_practice):
    """A colleague follows an organisation-only practice, is told of a follow-up, and moves
    to another organisation before the digest: the digest does not come, and no mail ever
    carries the title; a member whose account was closed gets nothing either."""
    from kde_community.practices import services as practices

    home = make_org(slug="delft")
    writer = make_user(org=home)
    practice = make_practice(author=writer, visibility="organisation",
                             title="Geheime les over de DPIA van ons zaaksysteem")
    mover = make_user(email="mover@delft.nl", org=home)
    closed = make_user(email="weg@delft.nl", org=home)
    for member in (mover, closed):
        notifications.follow(member, "practice", practice.id)
        choose(member, "practices", "daily")
    practices.add_followup(writer, practice, "Een half jaar later: het werkt.")
    commit()
    work(datetime(2026, 12, 2, 5, 0, tzinfo=UTC))  # notified; the digest is not due yet
    assert db.session.scalars(select(Notification)).all()
    mover.organisation_id = make_org(slug="leiden").id
    closed.active = False
    commit()
    work()
    work(NEXT_MORNING)
    assert smtp.messages == []
    assert all(n.mailed_at is not None for n in db.session.scalars(select(Notification)))
    for row in db.session.scalars(select(OutgoingMail)):
        assert b"Geheime les" not in row.message


def test_an_anonymous_practice_is_never_named_in_mail(app, smtp, make_user, make_law,
                                                      make_practice):
    law = make_law()
    reader = make_user(email="lezer@utrecht.nl")
    notifications.follow(reader, "law", law.id)
    choose(reader, "new_content", "immediately")
    writer = make_user(name="Anna Anoniem", email="anna@delft.nl")
    make_practice(author=writer, anonymous=True, laws=[law.slug], visibility="public",
                  title="Wat misging bij onze aanbesteding")
    work()
    [mail] = smtp.to("lezer@utrecht.nl")
    assert "Wat misging bij onze aanbesteding" in mail["Subject"]
    assert "Anna" not in mail.as_string() and writer.organisation.name not in mail.as_string()


# --- input moments --------------------------------------------------------------------------------

def test_an_input_moment_is_announced_when_it_opens_and_a_week_before_it_closes(
        app, smtp, make_user, make_law):
    from kde_community.laws.models import InputMoment

    law = make_law()
    law.input_moments = [
        InputMoment(title="Consultatie uitvoeringswet", opens=date(2026, 12, 1),
                    closes=date(2026, 12, 30), where="https://www.internetconsultatie.nl/x"),
        InputMoment(title="Oude consultatie", opens=date(2026, 10, 1), closes=date(2026, 12, 8)),
        InputMoment(title="Nog niet open", opens=date(2026, 12, 20), closes=date(2027, 1, 20)),
    ]
    reader = make_user(email="inspraak@utrecht.nl")
    notifications.follow(reader, "law", law.id)
    commit()
    first = work()
    assert first["announced"] == 2  # the first opened (this week); the second closes within 7 days
    assert work()["announced"] == 0  # once, however often it runs
    subjects = sorted(m["Subject"] for m in smtp.to("inspraak@utrecht.nl"))
    assert subjects == [
        "Nog een week: een inspraakmoment sluit binnenkort: AI-verordening",
        "U kunt nu inspreken: een inspraakmoment is geopend: AI-verordening"]
    assert all(f"/wetgeving/{law.slug}#tijdlijn" in body(m) for m in smtp.messages)


def test_sent_and_failed_mail_is_deleted_after_thirty_days_pending_mail_is_kept(app, smtp):
    from datetime import timedelta

    from kde_community.mail import compose
    from kde_community.outbox import queue

    for n in range(3):
        queue(compose(f"lid{n}@utrecht.nl", f"Bericht {n}", "Tekst"), key=f"test:{n}", kind="test")
    commit()
    assert send_pending().sent == 3
    rows = {row.key: row for row in db.session.scalars(select(OutgoingMail))}
    later = datetime.now(UTC) + timedelta(days=31)
    rows["test:1"].status = "failed"
    # Waiting for a retry that is not due yet: kept, whatever its age.
    rows["test:2"].status, rows["test:2"].attempts = "pending", 1
    rows["test:2"].next_attempt_at = later + timedelta(hours=1)
    commit()
    send_pending(now=later - timedelta(days=2))  # not yet 30 days: all kept
    assert len(db.session.scalars(select(OutgoingMail)).all()) == 3
    send_pending(now=later)
    assert [row.key for row in db.session.scalars(select(OutgoingMail))] == ["test:2"]
