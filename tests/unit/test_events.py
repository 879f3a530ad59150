"""Domain events and their delivery to consumers (in-process; real worker processes are in
test_worker.py and test_search_durability.py).

Runs on SQLite (leases) and, with KDE_DATABASE_URL, on PostgreSQL (row locks, SKIP LOCKED).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from kde_community import events
from kde_community.events import Event, EventDelivery
from kde_community.extensions import db
from kde_community.search import indexer
from kde_community.search import services as search
from kde_community.worker import Worker
from tests.helpers import database_url


class CountingBackend:
    """The app's search backend, counting what is written to it."""

    def __init__(self, inner):
        self.inner = inner
        self.refreshed: list[list[str]] = []
        self.changed = 0

    def refresh(self, keys, load, **kwargs):
        self.refreshed.append(sorted(keys))
        changed = self.inner.refresh(keys, load, **kwargs)
        self.changed += changed
        return changed

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture
def counting(app):
    search.drain()  # whatever the fixtures made is indexed before counting starts
    wrapper = CountingBackend(app.extensions["kde_search"])
    app.extensions["kde_search"] = wrapper
    yield wrapper
    app.extensions["kde_search"] = wrapper.inner


def event_names(after_id: int = 0) -> list[str]:
    return list(db.session.scalars(select(Event.name).where(Event.id > after_id)
                                   .order_by(Event.id)))


def last_event_id() -> int:
    return db.session.scalar(select(func.max(Event.id))) or 0


def deliveries(consumer: str = indexer.CONSUMER) -> int:
    return events.pending(consumer)


def test_posting_an_answer_is_one_event_and_one_index_update_a_vote_none(
        app, make_user, make_question, counting):
    from kde_community.questions import services as questions

    asker, answerer, voter = make_user(), make_user(), make_user()
    question = make_question(author=asker, title="Vraag over de Kopermarker", body="tekst")
    Worker(app).drain()
    counting.refreshed.clear()
    counting.changed = 0

    before = last_event_id()
    answer = questions.answer_question(answerer, question, {"body": "Gebruik de Tinmarker."})
    db.session.commit()
    assert event_names(before) == ["answer.posted"]
    assert deliveries() == 1
    assert Worker(app).drain() == 2  # the indexer's delivery and the notifier's
    assert counting.refreshed == [[f"question:{question.id}"]] and counting.changed == 1
    assert [h.id for h in search.search(None, "tinmarker").items] == [question.id]

    before = last_event_id()
    questions.vote(voter, answer)
    db.session.commit()
    assert event_names(before) == ["vote.cast"]  # recorded, for other consumers
    assert deliveries() == 0  # but nothing for the indexer: a vote is in no document
    assert Worker(app).drain() == 0
    assert counting.refreshed == [[f"question:{question.id}"]]


def test_only_indexed_fields_refresh(app, make_user, make_question, counting):
    from kde_community.questions import services as questions

    author = make_user()
    question = make_question(author=author, title="Vraag over de Zinkmarker", body="tekst")
    Worker(app).drain()
    counting.refreshed.clear()
    before = last_event_id()
    questions.comment_on(make_user(), question, "Een opmerking over de vraag")
    db.session.commit()
    assert len(event_names(before)) == 1 and deliveries() == 0
    # An edit event naming only fields that are in no document is skipped by the indexer
    events.record("question.edited", "question", question.id, fields=["obligations"])
    events.record("question.edited", "question", question.id, fields=["title"])
    db.session.commit()
    Worker(app).drain()
    assert counting.refreshed == [[f"question:{question.id}"]]
    assert indexer.keys_for([Event(name="question.edited", subject_type="question",
                                   subject_id=1, payload={"fields": ["obligations"]})]) == set()


def test_events_without_a_consumer_get_no_delivery_and_each_consumer_its_own(app):
    seen: dict[str, list[int]] = {"a": [], "b": []}
    for name in seen:
        events.register(app, events.Consumer(
            name=name, events=frozenset({"thing.done"}),
            handle=lambda batch, name=name: seen[name].extend(e.subject_id for e in batch)))
    for i in range(5):
        events.record("thing.done", "thing", i)
    events.record("thing.ignored", "thing", 99)
    db.session.commit()
    assert deliveries("a") == deliveries("b") == 5
    assert db.session.scalar(select(func.count()).select_from(EventDelivery)) == 10
    Worker(app).drain()
    assert sorted(seen["a"]) == sorted(seen["b"]) == [0, 1, 2, 3, 4]
    assert db.session.scalar(select(func.count()).select_from(EventDelivery)) == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == 6  # events stay


def test_a_failing_event_is_retried_alone_and_holds_up_nothing(app, caplog):
    handled: list[int] = []
    calls: list[list[int]] = []

    def handle(batch):
        calls.append([e.subject_id for e in batch])
        if any(e.subject_id == 3 for e in batch):
            raise RuntimeError("cannot handle 3")
        handled.extend(e.subject_id for e in batch)

    flaky = events.Consumer(name="flaky", events=frozenset({"thing.done"}), handle=handle)
    events.register(app, flaky)
    for i in range(1, 6):
        events.record("thing.done", "thing", i)
    db.session.commit()
    with app.app_context():
        assert events.deliver(flaky) == 0  # the batch failed: nothing lost, back-off begins
    assert deliveries("flaky") == 5 and "cannot handle 3" in caplog.text
    # Due again (back-off over): retried one at a time, so the others get through
    db.session.execute(update(EventDelivery).values(claimed_until=None))
    db.session.commit()
    for _ in range(5):
        with app.app_context():
            events.deliver(flaky)
    assert sorted(handled) == [1, 2, 4, 5]
    assert all(len(call) == 1 for call in calls[1:])
    assert deliveries("flaky") == 1
    attempts = db.session.scalar(select(EventDelivery.attempts))
    assert attempts >= 2


def test_a_busy_consumer_puts_its_batch_back(app):
    state = {"busy": True, "seen": 0}

    def handle(batch):
        if state["busy"]:
            raise events.Busy("resource busy")
        state["seen"] += len(batch)

    busy = events.Consumer(name="busy", events=frozenset({"thing.done"}), handle=handle)
    events.register(app, busy)
    events.record("thing.done", "thing", 1)
    db.session.commit()
    with app.app_context():
        assert events.deliver(busy) == 0
    claimed = db.session.execute(select(EventDelivery.claimed_by, EventDelivery.attempts)).one()
    assert tuple(claimed) == (None, 0)  # as it was: no attempt counted, no lease left behind
    state["busy"] = False
    with app.app_context():
        assert events.deliver(busy) == 1
    assert state["seen"] == 1 and deliveries("busy") == 0


@pytest.mark.skipif(bool(database_url()), reason="leases are the SQLite way; PostgreSQL locks")
def test_an_expired_lease_is_taken_over(app):
    """A worker killed after claiming leaves a lease; once it runs out the batch is redone."""
    seen: list[int] = []
    consumer = events.Consumer(name="lease", events=frozenset({"thing.done"}),
                               handle=lambda batch: seen.extend(e.id for e in batch))
    events.register(app, consumer)
    events.record("thing.done", "thing", 1)
    db.session.commit()
    from datetime import timedelta

    from kde_community.dbtypes import utcnow

    db.session.execute(update(EventDelivery).values(
        claimed_by="killed-worker", claimed_until=utcnow() + timedelta(seconds=60)))
    db.session.commit()
    with app.app_context():
        assert events.deliver(consumer) == 0  # still leased by the dead worker
    db.session.execute(update(EventDelivery).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    with app.app_context():
        assert events.deliver(consumer) == 1
    assert len(seen) == 1


@pytest.mark.skipif(not (database_url() or "").startswith("postgresql"),
                    reason="needs PostgreSQL (KDE_DATABASE_URL); CI runs the suite there too")
def test_events_committed_out_of_id_order_are_all_indexed(app, make_user):
    """Transaction A takes the lower ids but commits after B and after a worker run: a cursor
    over ids would have passed A's event; its delivery row is still found."""
    from kde_community.accounts.models import User
    from kde_community.questions import services as questions

    first, second = make_user().id, make_user().id
    db.session.commit()
    worker = Worker(app)
    with app.app_context():  # transaction A: its own session and connection
        a = questions.ask_question(db.session.get(User, first),
                                   {"title": "Vraag A over de Loodmarker", "body": "eerst"})
        db.session.flush()
        a_event = db.session.scalar(select(func.max(Event.id)))
        with app.app_context():  # transaction B, while A is still open
            b = questions.ask_question(db.session.get(User, second),
                                       {"title": "Vraag B over de Loodmarker", "body": "daarna"})
            db.session.flush()
            b_event = db.session.scalar(select(func.max(Event.id)))
            assert b_event > a_event and b.id > a.id
            db.session.commit()
        # B's event, once for the indexer and once for the notifier; A's is not visible yet.
        assert worker.run_once() == 2
        with app.app_context():
            assert [h.title for h in search.search(None, "loodmarker").items] == [
                "Vraag B over de Loodmarker"]
        db.session.commit()  # A commits late
    assert worker.run_once() == 2
    found = {h.title for h in search.search(None, "loodmarker").items}
    assert found == {"Vraag A over de Loodmarker", "Vraag B over de Loodmarker"}
    assert deliveries() == 0


# --- reference data and reconciliation ---------------------------------------------------------

def test_reference_changes_record_events_and_reach_the_documents_built_on_them(app, tmp_path,
                                                                              counting):
    import shutil

    from kde_community.reference import REFERENCE_DIR, load_reference

    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    before = last_event_id()
    load_reference(folder)
    names = set(event_names(before))
    assert names == {"theme.changed", "organisation.changed", "network.changed", "law.changed",
                     "obligation.changed"}
    Worker(app).drain()
    assert search.check().ok
    before = last_event_id()
    assert not load_reference(folder).updated and event_names(before) == []  # nothing changed

    from kde_community.directory.models import Organisation
    from kde_community.questions import services as questions

    utrecht = db.session.scalar(select(Organisation).where(Organisation.slug == "utrecht"))
    from kde_community.accounts.models import User

    member = User(name="Lid", email="lid@utrecht.nl", password_hash="!", organisation=utrecht,
                  approval="approved", email_verified_at=utrecht.created_at)
    db.session.add(member)
    db.session.flush()
    question = questions.ask_question(member, {"title": "Vraag over het Nikkelregister",
                                               "body": "tekst"})
    db.session.commit()
    Worker(app).drain()
    counting.refreshed.clear()
    path = folder / "organisations.toml"
    text = path.read_text()
    old = f'name = "{utrecht.name}"'
    assert old in text
    path.write_text(text.replace(old, 'name = "Gemeente Utrecht (nieuw)"', 1))
    before = last_event_id()
    load_reference(folder)
    assert event_names(before) == ["organisation.changed"]
    Worker(app).drain()
    refreshed = set().union(*map(set, counting.refreshed))
    assert {f"organisation:{utrecht.id}", f"question:{question.id}"} <= refreshed
    hit = search.search(None, "nikkelregister").items[0]
    assert hit.org_name == "Gemeente Utrecht (nieuw)"
    assert search.check().ok


def test_reconcile_is_incremental(app, make_user, make_question, counting):
    from datetime import timedelta

    from kde_community.dbtypes import utcnow
    from kde_community.questions.models import Question
    from kde_community.search.models import Searchable

    author = make_user()
    ids = [make_question(author=author, title=f"Vraag {i} over de Chroommarker").id
           for i in range(12)]
    search.drain()
    # Everything was last changed yesterday and reconciled since
    yesterday = utcnow() - timedelta(days=1)
    for cls in Searchable.registry.values():
        db.session.execute(update(cls).values(updated_at=yesterday))
    db.session.commit()
    search.backend().set_watermark(utcnow())
    counting.refreshed.clear()
    # Changed behind the events' back (a script, a repair in SQL): found by its updated_at;
    # a row deleted outright: found because its key is in the index and not in the database.
    db.session.execute(update(Question).where(Question.id == ids[0])
                       .values(title="Hernoemd buiten de events om", updated_at=utcnow()))
    db.session.execute(Question.__table__.delete().where(Question.id == ids[1]))
    db.session.commit()
    assert not search.check().ok
    assert indexer.reconcile() == 2
    assert counting.refreshed == [sorted([f"question:{ids[0]}", f"question:{ids[1]}"])]
    assert search.check().ok
    assert search.search(None, "hernoemd").total == 1
    assert search.search(None, "chroommarker").total == 10
