"""The index survives a killed process and concurrent writers (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from kde_community.search import services
from tests.helpers import PASSWORD  # noqa: F401  (same factories as the app under test)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_python(app, code: str, indexer: bool, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "KDE_DATA_DIR": app.config["KDE_DATA_DIR"],
           "KDE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "KDE_SECRET_KEY": "test-secret-key", "KDE_SEARCH_INDEXER": "1" if indexer else "0",
           "PYTHONPATH": ROOT}
    prelude = textwrap.dedent("""
        import os, signal, sys, time
        from kde_community import create_app
        from kde_community.extensions import db
        from kde_community.accounts.models import User
        from kde_community.questions import services as questions
        from kde_community.search import services as search
        app = create_app()
        ctx = app.app_context(); ctx.push()

        def wait_until_indexed(limit=30):
            end = time.time() + limit
            while time.time() < end:
                db.session.remove()
                if search.pending() == 0 and search.check().ok:
                    return True
                time.sleep(0.3)
            return False
    """)
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def flask(app, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "KDE_DATA_DIR": app.config["KDE_DATA_DIR"],
           "KDE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "KDE_SECRET_KEY": "test-secret-key", "KDE_SEARCH_INDEXER": "0", "PYTHONPATH": ROOT}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "kde_community", *args],
                          env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_killed_before_indexing_loses_nothing(app, make_user):
    user = make_user()
    services.reindex()
    killed = run_python(app, f"""
        user = db.session.get(User, {user.id})
        questions.ask_question(user, {{"title": "Vraag over de Obsidiaanmarker",
                                       "body": "Gesteld vlak voor de crash"}})
        os.kill(os.getpid(), signal.SIGKILL)
    """, indexer=False)
    assert killed.returncode == -9, killed.stderr
    check = flask(app, "search", "check")
    assert check.returncode == 1 and "missing: question:" in check.stdout

    restarted = run_python(app, "sys.exit(0 if wait_until_indexed() else 3)", indexer=True)
    assert restarted.returncode == 0, restarted.stderr
    check = flask(app, "search", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert services.search(None, "Obsidiaanmarker").total == 1


def test_killed_writer_mid_batch_is_recovered(app, make_user, make_question):
    """Even an index left behind the outbox (or ahead of it) is reconciled at start."""
    for i in range(5):
        make_question(title=f"Vraag nummer {i} over Jaspismarker")
    services.drain()
    from kde_community.extensions import db
    from kde_community.questions.models import Question

    # Change the database behind the outbox's back, as a crashed writer would leave it.
    question = db.session.scalar(db.select(Question))
    db.session.execute(db.update(Question).where(Question.id == question.id)
                       .values(title="Hernoemd buiten het register om"))
    db.session.commit()
    assert flask(app, "search", "check").returncode == 1
    restarted = run_python(app, "sys.exit(0 if wait_until_indexed() else 3)", indexer=True)
    assert restarted.returncode == 0, restarted.stderr
    assert flask(app, "search", "check").returncode == 0


def test_two_writers_at_once(app, make_user):
    users = [make_user().id for _ in range(2)]
    code = """
        user = db.session.get(User, {uid})
        for i in range(25):
            questions.ask_question(user, {{"title": f"Proces {tag} vraag {{i}} Topaasmarker",
                                           "body": "gelijktijdig"}})
        sys.exit(0 if wait_until_indexed(60) else 3)
    """
    env_runs = []
    import threading

    def go(uid, tag):
        env_runs.append(run_python(app, code.format(uid=uid, tag=tag), indexer=True, timeout=120))

    threads = [threading.Thread(target=go, args=(uid, tag)) for uid, tag in zip(users, "AB", strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for result in env_runs:
        assert result.returncode == 0, result.stderr[-2000:]
        assert "LockError" not in result.stderr and "Traceback" not in result.stderr
    assert services.search(None, "Topaasmarker", per_page=100).total == 50
    assert services.check().ok
