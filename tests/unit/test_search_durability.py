"""The index survives killed processes (real processes, `kill -9`): every change committed is
indexed in the end, by a worker started later or by one that takes over.

Runs once per search backend, on SQLite and (KDE_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kde_community.events import EventDelivery
from kde_community.extensions import db
from kde_community.search import services
from kde_community.search.backend import BACKENDS
from tests.helpers import make_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=sorted(BACKENDS))
def app_config(request, tmp_path) -> dict:
    return make_config(tmp_path, KDE_SEARCH_BACKEND=request.param)


def env_for(app, **extra) -> dict:
    # A short lease: on SQLite a killed worker's batch is taken over when its lease runs out.
    return {**os.environ, "KDE_DATA_DIR": app.config["KDE_DATA_DIR"],
            "KDE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "KDE_SEARCH_BACKEND": app.config["KDE_SEARCH_BACKEND"],
            "KDE_SECRET_KEY": "test-secret-key", "KDE_WORKER_LEASE": "2",
            "PYTHONPATH": str(ROOT), **extra}


def flask(app, *args, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "kde_community", *args],  # noqa: S603
                          env=env_for(app), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


def start_worker(app, log: Path, *, ready: bool = False) -> subprocess.Popen:
    """A worker process; with `ready`, once it has said so (and begun its first pass). Small
    batches: a worker killed within a second must have had the chance to finish some."""
    started = log.read_text().count("worker started") if log.exists() else 0
    with log.open("a") as stderr:
        process = subprocess.Popen(  # noqa: S603 — our own command
            [sys.executable, "-m", "flask", "--app", "kde_community", "worker", "--poll", "0.2",
             "--batch", "40"],
            cwd=ROOT, env=env_for(app), stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 30
    while ready and log.read_text().count("worker started") == started:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.02)
    return process


def settle(app, log: Path, seconds: float = 60) -> None:
    """Run one worker until nothing is pending and the index agrees, then stop it."""
    worker = start_worker(app, log)
    try:
        deadline = time.monotonic() + seconds
        while True:
            db.session.remove()
            if services.pending() == 0 and services.check().ok:
                break
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, (services.pending(), services.check(),
                                                 log.read_text()[-3000:])
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0, log.read_text()[-3000:]


def test_a_writer_killed_after_its_commit_loses_nothing(app, tmp_path, make_user):
    user = make_user()
    db.session.commit()
    services.reindex()
    code = textwrap.dedent(f"""
        import os, signal
        from kde_community import create_app
        from kde_community.accounts.models import User
        from kde_community.extensions import db
        from kde_community.questions import services as questions
        app = create_app()
        with app.app_context():
            user = db.session.get(User, {user.id})
            questions.ask_question(user, {{"title": "Vraag over de Obsidiaanmarker",
                                           "body": "Gesteld vlak voor de crash"}})
            db.session.commit()
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    killed = subprocess.run([sys.executable, "-c", code], env=env_for(app), cwd=ROOT,  # noqa: S603
                            capture_output=True, text=True, timeout=60)
    assert killed.returncode == -9, killed.stderr
    check = flask(app, "search", "check")
    assert check.returncode == 1 and "missing: question:" in check.stdout
    assert "queued: 1 events" in check.stdout
    settle(app, tmp_path / "worker.log")
    check = flask(app, "search", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert services.search(None, "Obsidiaanmarker").total == 1


def test_a_starting_worker_reconciles_changes_made_without_events(app, tmp_path, make_user,
                                                                  make_question):
    """A repair in SQL, a script, a restored backup: the worker's reconciliation finds the
    rows whose updated_at moved."""
    from kde_community.questions.models import Question

    for i in range(5):
        make_question(title=f"Vraag nummer {i} over Jaspismarker")
    services.drain()
    question_id = db.session.scalar(select(Question.id))
    db.session.execute(db.update(Question).where(Question.id == question_id)
                       .values(title="Hernoemd buiten de events om"))
    db.session.commit()
    assert flask(app, "search", "check").returncode == 1
    settle(app, tmp_path / "worker.log")
    assert flask(app, "search", "check").returncode == 0
    assert services.search(None, "hernoemd").total == 1


KILLS = 6  # each restart costs an app start (~4 s); six random moments cover start-up,
# mid-batch and idle (a ten-kill run found nothing more; it cost 30 s more per database)


def test_workers_killed_six_times_during_a_stream_of_writes_lose_nothing(app, tmp_path,
                                                                         make_user):
    """A member posts questions and answers all the time while the worker is killed with
    kill -9 six times (at random moments) and started again; in the end every event was
    handled (no delivery left, every question found once) and `search check` passes."""
    from kde_community.accounts.models import User
    from kde_community.questions import services as questions

    users = [make_user().id for _ in range(2)]
    db.session.commit()
    services.drain()  # a running site: the index is reconciled, workers start quickly
    stop = threading.Event()
    written: list[str] = []
    errors: list[BaseException] = []

    def writer():
        with app.app_context():
            try:
                n = 0
                last = None
                while not stop.is_set():
                    author = db.session.get(User, users[n % 2])
                    question = questions.ask_question(author, {
                        "title": f"Stroomvraag {n} over de Kwartsstroom", "body": f"tekst {n}"})
                    if last is not None:
                        questions.answer_question(db.session.get(User, users[(n + 1) % 2]),
                                                  db.session.merge(last),
                                                  {"body": f"Antwoord {n} met Onyxstroom"})
                    db.session.commit()
                    written.append(f"question:{question.id}")
                    last = question
                    n += 1
                    time.sleep(0.02)
            except BaseException as exc:  # noqa: BLE001 — reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    stream = threading.Thread(target=writer)
    stream.start()
    rnd = random.Random(9)
    log = tmp_path / "worker.log"
    kills = 0
    try:
        for _ in range(KILLS):
            worker = start_worker(app, log, ready=True)
            time.sleep(rnd.uniform(0.05, 2.0))  # at start-up, mid-batch or idle
            assert worker.poll() is None, log.read_text()[-3000:]
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(10) == -signal.SIGKILL
            kills += 1
    finally:
        stop.set()
        stream.join(30)
    assert kills == KILLS and not errors, errors
    assert len(written) > 30
    db.session.remove()
    # The killed workers did work between the kills (2 events per write, 1 for the first)
    assert services.pending() < 2 * len(written) - 1
    settle(app, log)
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(EventDelivery)) == 0
    found = services.search(None, "kwartsstroom", per_page=100)
    assert found.total == len(written)
    assert services.search(None, "onyxstroom", per_page=100).total == len(written) - 1
    check = flask(app, "search", "check")
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
