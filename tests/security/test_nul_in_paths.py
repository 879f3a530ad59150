"""Text in a path never reaches the database with a NUL in it (PostgreSQL refuses it with an
error, which was a 500): every GET route with a text part answers a NUL as "not found"."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from tests.helpers import login


def _paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or not rule.arguments:
            continue
        values, texts = {}, 0
        for name in rule.arguments:
            if isinstance(rule._converters[name], IntegerConverter):
                values[name] = 1
            else:
                values[name] = "a\x00b"
                texts += 1
        if texts:
            paths.append(rule.build(values, append_unknown=False)[1])  # NUL as %00
    return sorted(paths)


@pytest.mark.parametrize("as_member", [False, True], ids=["visitor", "member"])
def test_a_nul_in_a_path_is_not_found_never_an_error(app, client, make_user, as_member):
    if as_member:
        login(client, make_user().email)
    paths = _paths(app)
    assert len(paths) > 20 and any("%00" in p for p in paths)
    for path in paths:
        assert client.get(path).status_code in (301, 302, 308, 400, 404), path
