"""Absolute links (mails, feeds, calendars, API `url` fields) come from KDE_BASE_URL only.

The request's `Host` header is chosen by whoever sends the request: a reset link built from it
can point a member at an attacker's site. So every absolute URL is the configured origin plus
the path Flask builds, and `url_for(..., _external=True)` is routed here too (see
`KdeFlask.url_for`), so older or future code cannot build one from the request by accident.
"""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter

UNTRUSTED_HOST = "kde.untrusted_host"  # environ key: the Host check failed for this request


def base_url() -> str:
    return current_app.config["KDE_BASE_URL"]


def absolute_url(endpoint: str, **values) -> str:
    """`KDE_BASE_URL` + the path of `endpoint`; works in requests, the CLI and the worker."""
    values.pop("_external", None)
    values.pop("_scheme", None)
    if has_request_context():
        return base_url() + url_for(endpoint, _external=False, **values)
    # Outside a request (CLI, worker) there is no URL adapter: build one for the base URL.
    with current_app.test_request_context("/", base_url=base_url()):
        return base_url() + url_for(endpoint, _external=False, **values)


class KdeFlask(Flask):
    """Flask with two changes at the cause: absolute URLs come from configuration, and a
    request naming an untrusted host gets a clean 400 page (not a 500 from a page that
    cannot build its links)."""

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        external = _external if _external is not None else (
            _scheme is not None or not has_request_context())
        if external:
            return absolute_url(endpoint, _anchor=_anchor, _method=_method, **values)
        return super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False,
                               **values)

    def create_url_adapter(self, request) -> MapAdapter | None:
        try:
            return super().create_url_adapter(request)
        except SecurityError as exc:
            if request is None:
                raise
            # Remember the refusal (raised by `refuse_untrusted_host` before anything else
            # runs) and route as if the configured host had been named, so the 400 page can
            # build its links.
            request.environ[UNTRUSTED_HOST] = exc
            environ = dict(request.environ, HTTP_HOST=self.config["KDE_BASE_URL"].split("://", 1)[1])
            return self.url_map.bind_to_environ(environ, subdomain=self.url_map.default_subdomain or "")


def refuse_untrusted_host() -> None:
    """before_request, registered first: a request for a host we do not serve goes no further."""
    from flask import request

    exc = request.environ.get(UNTRUSTED_HOST)
    if exc is not None:
        raise exc
