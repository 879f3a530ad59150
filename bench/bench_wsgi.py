"""The benchmark's WSGI application (never used in production): the product app unchanged,
with rate limits off so they do not distort a load test, and a bare Flask "hello" app at
/_hello/ beside it under the same gunicorn, so every page is compared with the framework's
own floor measured in the same run.

    gunicorn --pythonpath bench bench_wsgi:application
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from kde_community import create_app

hello = Flask("hello")


@hello.get("/")
def hello_world() -> str:
    return "Hello, World!"


# RATELIMIT_ENABLED is not read from the environment (config.py): set for this server only.
app = create_app({"RATELIMIT_ENABLED": False})
application = DispatcherMiddleware(app, {"/_hello": hello})
