"""WSGI entry point: `gunicorn wsgi:app`."""

from kde_community import create_app

app = create_app()
