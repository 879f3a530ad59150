"""KDE Community: the knowledge-sharing platform of the Knooppunt Digitaal Europa."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from .config import PROJECT_ROOT, load_config

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


def create_app(config: dict | None = None) -> Flask:
    """Application factory; `config` overrides settings read from the environment."""
    settings = load_config(config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=settings["KDE_DATA_DIR"],
        instance_relative_config=False,
    )
    app.config.update(settings)
    Path(app.config["KDE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _register_blueprints(app)
    _register_security_headers(app)

    from .errors import register_error_handlers

    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)
    _start_search(app)
    return app


def _start_search(app: Flask) -> None:
    """Queue index updates with every change; in a serving process, run the writer."""
    from .search.services import Indexer, install_outbox_hook

    install_outbox_hook()
    wanted = app.config.get("KDE_SEARCH_INDEXER")
    if wanted or (wanted is None and not app.testing and not _is_cli()):
        app.extensions["kde_indexer"] = Indexer(app)
        app.extensions["kde_indexer"].start()


def _is_cli() -> bool:
    """`flask run` serves; other `flask …` commands must not start background threads."""
    import sys

    argv = " ".join(sys.argv)
    return "flask" in sys.argv[0] and " run" not in f" {argv}"


def _select_locale() -> str:
    languages = ("nl", "en")
    if not has_request_context():  # CLI and background work speak Dutch
        return "nl"
    requested = request.args.get("lang")
    if requested in languages:
        if session.get("lang") != requested:
            session["lang"] = requested
        return requested
    return session.get("lang") if session.get("lang") in languages else "nl"


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from .accounts.services import user_for_session
    from .extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = None  # sessions are checked on the server instead

    @login_manager.user_loader
    def load_user(user_id: str):
        return user_for_session(user_id, session.get("sid"))

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from sqlalchemy import event

        with app.app_context():
            @event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=5000")
                cursor.close()


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .api import bp as api_bp
    from .content.views import bp as moderation_bp
    from .directory.views import bp as directory_bp
    from .laws.views import bp as laws_bp
    from .practices.views import bp as practices_bp
    from .questions.views import bp as questions_bp
    from .search.views import bp as search_bp
    from .site import bp as site_bp
    from .site import coming_soon_blueprints
    from .templating import register_template_helpers

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(laws_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(practices_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(api_bp)
    for blueprint in coming_soon_blueprints:
        app.register_blueprint(blueprint)
    register_template_helpers(app)


def _register_security_headers(app: Flask) -> None:
    production = app.config["KDE_ENV"] == "production"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CSP
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if production:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith("/api/") or current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
            headers["Vary"] = "Cookie, Authorization"
        return response
