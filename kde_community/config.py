"""Settings, read from the environment (see INTERFACES.md)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the environment does not allow a safe start."""


def _secret_key(data_dir: Path, env: str) -> str:
    key = os.environ.get("KDE_SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError("KDE_SECRET_KEY must be set when KDE_ENV=production.")
    # Development: generate once and keep it, so sessions survive restarts.
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config from the environment, then apply `overrides` (tests)."""
    overrides = overrides or {}
    env = overrides.get("KDE_ENV", os.environ.get("KDE_ENV", "development"))
    data_dir = Path(
        overrides.get("KDE_DATA_DIR", os.environ.get("KDE_DATA_DIR", PROJECT_ROOT / "instance"))
    ).resolve()
    database_url = overrides.get(
        "SQLALCHEMY_DATABASE_URI",
        os.environ.get("KDE_DATABASE_URL", f"sqlite:///{data_dir / 'kde.sqlite3'}"),
    )
    production = env == "production"
    config = {
        "KDE_ENV": env,
        "KDE_DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "KDE_SEARCH_BACKEND": os.environ.get("KDE_SEARCH_BACKEND", "whoosh"),
        # The index writer thread: on in serving processes unless KDE_SEARCH_INDEXER=0.
        **({"KDE_SEARCH_INDEXER": os.environ["KDE_SEARCH_INDEXER"] not in ("0", "false", "no")}
           if "KDE_SEARCH_INDEXER" in os.environ else {}),
        "KDE_SMTP_URL": os.environ.get("KDE_SMTP_URL") or None,
        "KDE_MAIL_FROM": os.environ.get("KDE_MAIL_FROM", "KDE Community <noreply@kdecommunity.nl>"),
        "DEBUG": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "kde_community" / "translations"),
        "LANGUAGES": ["nl", "en"],
        "RATELIMIT_STORAGE_URI": os.environ.get("KDE_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "KDE_LOGIN_LIMIT": "5 per minute",
        "KDE_REGISTER_LIMIT": "10 per hour",
        "KDE_RESET_LIMIT": "5 per 15 minutes",
        "KDE_API_WRITE_LIMIT": "60 per minute",
        "KDE_TOKEN_MAX_AGE": 3 * 24 * 3600,
    }
    config.update(overrides)
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(data_dir, env)
    return config
