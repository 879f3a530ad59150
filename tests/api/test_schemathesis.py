"""Schemathesis against the live OpenAPI document, every operation, all checks: no server
error, responses as documented (status, content type, headers, schema), invalid input refused,
valid input accepted, missing auth refused, 405 with `Allow` for undeclared methods.

This is `schemathesis run` (all phases: examples, coverage, fuzzing, stateful) through its
Python engine, against the test app served on a loopback port. Not `openapi.from_wsgi`: in
schemathesis 4.32.5 the engine's WSGI transport hands `max_redirects` to Werkzeug in the
`ignored_auth` probe (TypeError), and its pytest loader (`from_fixture`) uses a pytest node
attribute that pytest 9.2 no longer has.

Bounded so the suite stays fast (about 35 s, ~2,200 requests): MAX_EXAMPLES per operation and
phase, no deadline, no example database on disk.

Positive examples that the schema allows but the domain cannot know about are answered 412
(a random `If-Match` version is stale) or 422 (a slug that names no theme, a title of blanks,
an e-mail address that only looks like one): both are accepted for valid-looking input.
"""

from __future__ import annotations

import threading

import pytest
import schemathesis
import schemathesis.engine
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from werkzeug.serving import make_server

from kde_community.extensions import db
from kde_community.laws.models import Theme

MAX_EXAMPLES = 25
pytestmark = pytest.mark.dbfree


@pytest.fixture
def token(auth, make_law, make_question, make_practice):
    """A member with a token, and something to read, answer and edit."""
    db.session.add(Theme(slug="ai", name_nl="AI", name_en="AI"))
    make_law()
    user, headers = auth()
    make_question(author=user)
    make_practice(author=user)
    db.session.commit()
    return headers["Authorization"].removeprefix("Bearer ")


def run_schemathesis(app, token: str) -> tuple[list[str], set[str], dict]:
    """All phases of `schemathesis run` against the app (WSGI): failures, operations, statistics."""
    config = SchemathesisConfig.from_dict({
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "suppress-health-check": ["all"],
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "429"]},
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "409", "412", "413",
                                      "415", "422", "428", "429"]},
            "missing_required_header": {
                "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]},
        },
        "auth": {"openapi": {"bearer": {"bearer": token}}},
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        schema = schemathesis.openapi.from_url(
            f"http://127.0.0.1:{server.server_port}/api/v1/openapi.json", config=config)
        return _run(schema)
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def _run(schema) -> tuple[list[str], set[str], dict]:
    failures, operations, stats = [], set(), {"scenarios": 0, "cases": 0}
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            stats["scenarios"] += 1
            stats["cases"] += len(event.recorder.cases)
            if event.label:
                operations.add(event.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(f"{event.label} [{check.name}] {failure.title}: "
                                        f"{failure.message}\n{check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: {event.info}")
        elif isinstance(event, events.FatalError):
            failures.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            failures.extend(str(f) for f in event.failures)
    return failures, operations, stats


def test_api_conforms_to_its_openapi_document(app, client, token):
    failures, operations, stats = run_schemathesis(app, token)
    assert not failures, "\n\n".join(dict.fromkeys(failures))
    document = client.get("/api/v1/openapi.json").json
    declared = {f"{method.upper()} {path}" for path, ops in document["paths"].items()
                for method in ops if path != "/api/v1/openapi.json"}
    assert declared <= operations, declared - operations
    assert stats["cases"] > 10 * len(declared), stats
