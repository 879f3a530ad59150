"""Page throughput: the product's pages under gunicorn (2 sync workers) and `wrk`, each as a
ratio to a bare Flask "hello" app on the same server in the same run, for a visitor and for
a logged-in member.

    .venv/bin/python bench/generate.py      # once: bench/data/ (BENCH_N contributions)
    .venv/bin/python bench/pages_bench.py   # BENCH_DURATION=10 seconds per page per audience

Prints a Markdown table; bench/README.md keeps the latest figures.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BENCH_DATA_DIR", ROOT / "bench" / "data")).resolve()
WORKERS = 2
WORKER_CLASS = "sync"
WRK_THREADS, WRK_CONNECTIONS, WRK_TIMEOUT = 2, 16, 30
# The targets.
VISITOR_TARGET, MEMBER_TARGET, P99_TARGET = 0.20, 0.12, 10.0
SEARCH_QUERY = "meldplicht leverancier"


def pages(targets: dict) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("questions", "/vragen"),
        ("question, 20 answers", f"/vragen/{targets['question']}"),
        ("practice", f"/praktijken/{targets['practice']}"),
        ("clause set", f"/inkoopvoorwaarden/{targets['clause_set']}"),
        ("organisation", f"/organisaties/{targets['organisation']}"),
        ("law (NIS2)", "/wetgeving/nis2"),
        ("timeline", "/wetgeving/tijdlijn"),
        ("search", "/zoeken?q=" + requests.utils.quote(SEARCH_QUERY)),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, seconds: int, cookie: str | None = None) -> dict:
    # wrk's default 2 s timeout would drop the slowest requests from the latencies.
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s",
           f"--timeout={WRK_TIMEOUT}s", "--latency", url]
    if cookie:
        cmd[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0}


def log_in(base: str, email: str, password: str) -> str:
    """Log in through the form (with its CSRF token); the session cookie as a header value."""
    with requests.Session() as http:
        form = http.get(f"{base}/inloggen", timeout=30).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        response = http.post(f"{base}/inloggen", timeout=30, allow_redirects=False,
                             data={"csrf_token": token, "email": email, "password": password})
        if response.status_code != 302:
            sys.exit(f"Logging in as {email} failed: {response.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


def check(base: str, path: str, cookie: str | None) -> None:
    """The page answers 200 (and as a member when a cookie is given); warms the workers."""
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(10):
        response = requests.get(base + path, headers=headers, timeout=60, allow_redirects=False)
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}{' (member)' if cookie else ''}")
    if cookie and "/uitloggen" not in response.text:
        sys.exit(f"{path}: the member's cookie did not log in")


def main() -> None:
    seconds = int(os.environ.get("BENCH_DURATION", "10"))
    targets = json.loads((DATA / "targets.json").read_text())
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.setdefault("KDE_DATABASE_URL", f"sqlite:///{DATA / 'bench.sqlite3'}")
    env.update({"KDE_DATA_DIR": str(DATA), "KDE_SECRET_KEY": env.get("KDE_SECRET_KEY", "bench"),
                "KDE_BASE_URL": base})
    server = subprocess.Popen(  # noqa: S603 — our own command
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
         "-w", str(WORKERS), "-k", WORKER_CLASS, "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench_wsgi:application"], env=env, cwd=ROOT)
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/_hello/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        cookie = log_in(base, targets["email"], targets["password"])
        results = []
        started = time.perf_counter()
        for audience, auth in (("visitor", None), ("member", cookie)):
            check(base, "/_hello/", None)
            hello = wrk(f"{base}/_hello/", seconds)
            results.append((audience, "hello", "/_hello/", hello, hello))
            for name, path in pages(targets):
                check(base, path, auth)
                results.append((audience, name, path, wrk(base + path, seconds, auth), hello))
                print(f"  {audience:7} {name:22} {results[-1][3]['rps']:8.1f} req/s",
                      file=sys.stderr)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    totals = targets.get("totals", {})
    print(f"### Pages — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print(f"Machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}. "
          f"Data: BENCH_N={targets['n']:,} ({', '.join(f'{v:,} {k}' for k, v in totals.items())}); "
          f"generated in {targets.get('generate_s')} s, search reindex {targets.get('reindex_s')} s. "
          f"Server: gunicorn {WORKERS} `{WORKER_CLASS}` workers (no keep-alive), SQLite, "
          f"rate limits off. Load: `wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{seconds}s "
          f"--timeout={WRK_TIMEOUT}s --latency`, {elapsed:.0f} s in all. "
          f"Search: `{SEARCH_QUERY}`. Targets: ≥ "
          f"{VISITOR_TARGET:.2f}× hello for visitors, ≥ {MEMBER_TARGET:.2f}× for members, "
          f"p99 ≤ {P99_TARGET:.0f}× hello's p99.\n")
    print("| audience | page | req/s | × hello | target | p50 ms | p99 ms | p99 / hello p99 "
          "| meets |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for audience, name, path, r, hello in results:
        target = VISITOR_TARGET if audience == "visitor" else MEMBER_TARGET
        ratio, tail = r["rps"] / hello["rps"], r["p99"] / hello["p99"]
        meets = "—" if name == "hello" else (
            "yes" if ratio >= target and tail <= P99_TARGET else "no")
        note = f" ({r['non2xx']} non-2xx)" if r["non2xx"] else ""
        note += f" ({r['socket_errors']} socket errors)" if r["socket_errors"] else ""
        print(f"| {audience} | {name} `{path}`{note} | {r['rps']:,.0f} | {ratio:.3f}× | "
              f"{'' if name == 'hello' else f'{target:.2f}×'} | {r['p50']:.1f} | {r['p99']:.1f} | "
              f"{tail:.1f}× | {meets} |")


if __name__ == "__main__":
    main()
