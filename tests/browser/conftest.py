"""A live server for the app under test and Debian's Chromium, driven by Playwright.

The server answers from its own threads, each request in its own app context and session, so
it sees only what is committed: factories commit, and a test that calls services itself calls
helpers.commit() before it navigates (as the request that did the work would have committed).
Every test here carries the `browser` marker (tests/conftest.py).
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.helpers import commit

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture
def live_server(app):
    commit()  # what fixtures made before the server starts
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Join request threads on close, so none holds a database connection past the test.
    server.daemon_threads = False
    server.block_on_close = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)

