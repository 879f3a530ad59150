"""The login limit holds across two gunicorn workers when the limiter storage is shared (Redis),
and the right password still works for the owner from another address (finding B).

A real Debian `redis-server` on a free port in a temporary folder and `gunicorn -w 2`, both on
127.0.0.1 only, both stopped by the fixtures' finalizers. Two client addresses are simulated
with X-Forwarded-For behind `KDE_PROXY_COUNT=1` (as a reverse proxy would send it).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery-42"
EMAIL = "eva@provincie-utrecht.nl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} did not come up within {seconds} s")


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("Debian's redis-server is not installed and this is not root: "
                    "apt-get install redis-server (make test does this as root)")
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True,
                       capture_output=True, timeout=300,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"redis-server is missing and could not be installed with apt-get: {exc}")
    found = shutil.which("redis-server")
    if not found:
        pytest.skip("redis-server is missing and apt-get did not install it")
    return found


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture
def redis_url(tmp_path):
    import redis

    binary = redis_server_binary()
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        wait_for(client.ping, 15, "redis-server")
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


@pytest.fixture
def two_workers(tmp_path, redis_url):
    """gunicorn with two workers sharing the Redis limiter storage; yields (base URL, log)."""
    data = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KDE_") and k not in ("PORT", "FLASK_APP")}
    env.update({
        "KDE_DATA_DIR": str(data),  # SQLite in the temp dir, also when the suite runs on PostgreSQL
        "KDE_SECRET_KEY": "multiprocess-test-secret",
        "KDE_BASE_URL": f"http://127.0.0.1:{port}",
        "KDE_RATELIMIT_STORAGE_URI": redis_url,
        "KDE_PROXY_COUNT": "1",
        "KDE_SEARCH_INDEXER": "0",
    })
    flask = [str(BIN / "flask"), "--app", "kde_community"]
    for args in (["db", "upgrade"], ["data", "load-reference"]):
        subprocess.run(flask + args, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    subprocess.run(flask + ["users", "create", EMAIL, "--name", "Eva de Vries",
                            "--organisation", "provincie-utrecht", "--password-stdin"],
                   cwd=ROOT, env=env, check=True, capture_output=True, input=PASSWORD.encode(),
                   timeout=120)
    access_log = tmp_path / "access.log"
    with (tmp_path / "gunicorn.err").open("wb") as errors:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
             "--access-logfile", str(access_log),
             "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: Browser(base, "127.0.0.1").request("/healthz")[0] == 200, 60, "gunicorn")
        yield base, access_log
    finally:
        stop(process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept, redirects not followed, one new connection per request, at one address."""

    def __init__(self, base: str, address: str):
        self.base, self.address = base, address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body,  # noqa: S310 — http://127.0.0.1 only
                                     headers={"X-Forwarded-For": self.address})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, password: str) -> tuple[int, str]:
        status, page = self.request("/inloggen")
        assert status == 200
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        return self.request("/inloggen", {"csrf_token": token, "email": EMAIL, "password": password})


def served_by(access_log: Path) -> list[tuple[str, int]]:
    """(worker pid, status) of every POST /inloggen, in order."""
    time.sleep(0.2)  # the access log line is written just after the response
    rows = []
    for line in access_log.read_text().splitlines():
        pid, method, path, status = line.split()
        if method == "POST" and path == "/inloggen":
            rows.append((pid, int(status)))
    return rows


def test_five_failed_logins_per_minute_across_two_workers(two_workers):
    base, access_log = two_workers
    attacker = Browser(base, "203.0.113.7")
    assert [attacker.login("fout-fout-fout")[0] for _ in range(5)] == [422] * 5
    status, page = attacker.login("fout-fout-fout")
    assert status == 429 and "te vaak geprobeerd" in page

    # Prove the limit is shared: keep trying until a refused attempt was answered by a worker
    # that had itself seen fewer than five of the failures (with per-process memory storage
    # that worker would have let it through).
    failures_per_worker: dict[str, int] = {}
    for pid, status in served_by(access_log)[:5]:
        assert status == 422
        failures_per_worker[pid] = failures_per_worker.get(pid, 0) + 1
    for _ in range(40):
        refused_by = served_by(access_log)[-1]
        assert refused_by[1] == 429
        if failures_per_worker.get(refused_by[0], 0) < 5:
            break
        assert attacker.login("fout-fout-fout")[0] == 429
    else:
        pytest.fail(f"no refused attempt reached the other worker: {served_by(access_log)}")
    assert len({pid for pid, _ in served_by(access_log)}) == 2

    # The right password from the limited address waits too …
    assert attacker.login(PASSWORD)[0] == 429
    # … but the owner, at another address, logs in.
    owner = Browser(base, "203.0.113.8")
    status, _ = owner.login(PASSWORD)
    assert status == 302
    status, page = owner.request("/profiel")
    assert status == 200 and "Eva de Vries" in page
