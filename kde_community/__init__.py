"""KDE Community: the knowledge-sharing platform of the Knooppunt Digitaal Europa."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from .config import PROJECT_ROOT, load_config
from .links import KdeFlask, refuse_untrusted_host

LANGUAGES = ("nl", "en")
LANG_COOKIE = "kde_lang"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


def create_app(config: dict | None = None) -> Flask:
    """Application factory; `config` overrides settings read from the environment."""
    settings = load_config(config)
    app = KdeFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=settings["KDE_DATA_DIR"],
        instance_relative_config=False,
    )
    app.config.update(settings)
    Path(app.config["KDE_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    # First of all before_request hooks: an unknown Host is refused before CSRF, limits or views.
    app.before_request(refuse_untrusted_host)
    _trust_proxies(app)
    _warn_about_unsafe_production_settings(app)

    _init_extensions(app)
    _register_language_cookie(app)
    from .web import BoundedIntConverter, TextConverter, init_unit_of_work

    init_unit_of_work(app)  # after init_mail: its hooks run first, so a rollback drops mails
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    _register_blueprints(app)
    _register_security_headers(app)

    from .errors import register_error_handlers

    register_error_handlers(app)

    from .cli import register_cli

    register_cli(app)
    _init_search(app)
    _init_notifications(app)
    return app


def _init_search(app: Flask) -> None:
    """The search engine KDE_SEARCH_BACKEND chose, and its indexer as a consumer of events.
    Web processes only record events; the worker (`flask worker`) indexes."""
    from . import events
    from .search import indexer
    from .search.backend import create_backend

    app.extensions["kde_search"] = create_backend(app.config["KDE_SEARCH_BACKEND"],
                                                  app.config["KDE_DATA_DIR"])
    events.register(app, indexer.consumer(app.config))


def _init_notifications(app: Flask) -> None:
    """The notifier tells followers about events, in the worker like the indexer."""
    from . import events
    from .notifications import notifier

    events.register(app, notifier.consumer(app.config))


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto only from as many proxies as configured (default none):
    otherwise any client could pick its own address and escape the per-address limits."""
    count = int(app.config.get("KDE_PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)


def _warn_about_unsafe_production_settings(app: Flask) -> None:
    if app.config["KDE_ENV"] != "production":
        return
    logger = app.logger
    if str(app.config.get("RATELIMIT_STORAGE_URI", "memory://")).startswith("memory://"):
        logger.warning(
            "KDE_RATELIMIT_STORAGE_URI is memory://: every worker process counts on its own, so "
            "with N workers the login and other limits allow N times as much. Set it to a shared "
            "store such as redis://127.0.0.1:6379/0.")
    if app.config["KDE_BASE_URL"].startswith("http://"):
        logger.warning("KDE_BASE_URL %s is not https: links in mails will not be encrypted.",
                       app.config["KDE_BASE_URL"])


def _select_locale() -> str:
    """`?lang=` for this page, else the language cookie, else Dutch. Never the session: the
    session cookie is only written by logging in and out (a language switch must not re-sign it)."""
    if not has_request_context():  # CLI and background work speak Dutch
        return "nl"
    requested = request.args.get("lang")
    if requested in LANGUAGES:
        return requested
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else "nl"


def _register_language_cookie(app: Flask) -> None:
    """`?lang=xx` is remembered in its own small cookie, for visitors and members alike."""
    secure = app.config["KDE_ENV"] == "production"

    @app.after_request
    def remember_language(response):
        requested = request.args.get("lang")
        if requested in LANGUAGES and request.cookies.get(LANG_COOKIE) != requested:
            response.set_cookie(LANG_COOKIE, requested, max_age=timedelta(days=365), path="/",
                                secure=secure, httponly=True, samesite="Lax")
        return response


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from .accounts.services import user_for_session
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .mail import init_mail

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    init_mail(app)
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
    from .clauses.views import bp as clauses_bp
    from .clauses.views import register_content_kinds as register_clauses
    from .content.registry import register_comments
    from .content.views import bp as moderation_bp
    from .directory.views import bp as directory_bp
    from .laws.edit_views import bp as law_editing_bp
    from .laws.timeline_views import bp as timeline_bp
    from .laws.views import bp as laws_bp
    from .notifications.feed_views import bp as feeds_bp
    from .notifications.mail_views import bp as notification_mail_bp
    from .notifications.views import bp as notifications_bp
    from .practices.views import bp as practices_bp
    from .practices.views import register_content_kinds as register_practices
    from .questions.views import bp as questions_bp
    from .questions.views import register_content_kinds as register_questions
    from .search.views import bp as search_bp
    from .site import bp as site_bp
    from .site import coming_soon_blueprints
    from .templating import register_template_helpers

    # Domains tell the shared contribution tables which kinds exist.
    register_questions()
    register_practices()
    register_clauses()
    register_comments()

    app.register_blueprint(site_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(laws_bp)
    app.register_blueprint(timeline_bp)
    app.register_blueprint(law_editing_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(practices_bp)
    app.register_blueprint(clauses_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(notification_mail_bp)
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
