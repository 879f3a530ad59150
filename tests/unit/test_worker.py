"""The worker as a real process (`flask --app kde_community worker`), as `make run` and a
deployment start it: time until searchable, two workers at once, stopping, configuration.
Killed workers: test_search_durability.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kde_community.config import ConfigError
from kde_community.extensions import db
from kde_community.search import services as search
from kde_community.search.backend import BACKENDS
from tests.helpers import make_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=sorted(BACKENDS))
def app_config(request, tmp_path) -> dict:
    return make_config(tmp_path, KDE_SEARCH_BACKEND=request.param)


def worker_env(app, **extra) -> dict:
    return {**os.environ, "KDE_DATA_DIR": app.config["KDE_DATA_DIR"],
            "KDE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "KDE_SEARCH_BACKEND": app.config["KDE_SEARCH_BACKEND"],
            "KDE_SECRET_KEY": "test-secret-key", "PYTHONPATH": str(ROOT), **extra}


def start_worker(app, log: Path, **extra) -> subprocess.Popen:
    """A worker process on the test's database and data directory, ready when this returns
    (its first reconciliation done)."""
    with log.open("a") as stderr:
        process = subprocess.Popen(  # noqa: S603 — our own command
            [sys.executable, "-m", "flask", "--app", "kde_community", "worker", "--poll", "0.2"],
            cwd=ROOT, env=worker_env(app, **extra), stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 30
    while "worker started" not in log.read_text():
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.05)
    return process


def stop_worker(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
        raise


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.remove()
        if condition():
            return True
        time.sleep(0.1)
    db.session.remove()
    return condition()


def test_searchable_within_two_seconds_of_a_write(app, tmp_path, make_user, capsys):
    from kde_community.accounts.models import User
    from kde_community.questions import services as questions

    user_id = make_user().id
    db.session.commit()
    log = tmp_path / "worker.log"
    worker = start_worker(app, log)
    timings = []
    try:
        for i in range(5):
            user = db.session.get(User, user_id)
            marker = f"Amethistmarker{'abcde'[i]}"
            started = time.monotonic()
            questions.ask_question(user, {"title": f"Vraag over de {marker}", "body": "nieuw"})
            db.session.commit()
            assert wait_until(lambda m=marker: search.search(None, m).total == 1, 5.0), marker
            timings.append(time.monotonic() - started)
            time.sleep(0.3)  # the worker is idle again: the worst case, a full poll interval
    finally:
        assert stop_worker(worker) == 0, log.read_text()[-3000:]
    with capsys.disabled():
        print(f"\n  searchable after {', '.join(f'{t:.2f}' for t in timings)} s")
    assert max(timings) <= 2.0, timings
    assert "Traceback" not in log.read_text()


def test_two_workers_share_the_work_without_errors(app, tmp_path, make_user):
    """Both claim batches and write the one index (Whoosh: one writer at a time, the other
    waits for the lock); every event is handled and the index agrees with the database."""
    from kde_community.accounts.models import User
    from kde_community.questions import services as questions

    users = [make_user().id for _ in range(3)]
    db.session.commit()
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [start_worker(app, log) for log in logs]
    try:
        asked = []
        for i in range(60):
            author = db.session.get(User, users[i % 3])
            question = questions.ask_question(
                author, {"title": f"Vraag {i} over de Opaalmarker", "body": f"tekst {i}"})
            if i % 3 == 0 and asked:
                questions.answer_question(db.session.get(User, users[(i + 1) % 3]),
                                          asked[-1], {"body": f"Antwoord {i} met Opaalmarker"})
            db.session.commit()
            asked.append(question)
        assert wait_until(lambda: search.pending() == 0, 30)
        assert wait_until(lambda: search.search(None, "opaalmarker", per_page=100).total == 60,
                          10)
    finally:
        codes = [stop_worker(worker) for worker in workers]
    text = "".join(log.read_text() for log in logs)
    assert codes == [0, 0], text[-3000:]
    for bad in ("Traceback", "LockError", "ERROR"):
        assert bad not in text, text[-3000:]
    search.drain()  # the fixtures' own rows (no events) too
    assert search.check().ok


def test_worker_once_handles_what_is_pending_and_exits(app, make_user, make_question):
    make_question(title="Vraag over de Granaatmarker")
    db.session.commit()
    assert search.pending() == 1
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "kde_community", "worker", "--once"],
        cwd=ROOT, env=worker_env(app), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    db.session.remove()
    assert search.pending() == 0 and search.search(None, "granaatmarker").total == 1
    assert search.check().ok  # the first run of a worker also reconciles


@pytest.mark.parametrize("name, message", [
    ("elasticsearch", "is not a search backend; use one of: whoosh"),
    ("postgres", "is not available yet"),
    ("", "is not a search backend"),
])
def test_an_unknown_search_backend_refuses_to_start(tmp_path, name, message):
    from kde_community import create_app

    with pytest.raises(ConfigError, match=message):
        create_app(make_config(tmp_path, KDE_SEARCH_BACKEND=name))
    for command in (["worker", "--once"], ["search", "check"]):
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "kde_community", *command], cwd=ROOT,
            env={**os.environ, "KDE_DATA_DIR": str(tmp_path / "data"),
                 "KDE_SEARCH_BACKEND": name, "PYTHONPATH": str(ROOT)},
            capture_output=True, text=True, timeout=60)
        assert done.returncode != 0
        assert f"ConfigError: KDE_SEARCH_BACKEND={name!r} {message}" in done.stderr, \
            done.stderr[-2000:]
