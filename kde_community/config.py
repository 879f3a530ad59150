"""Settings, read from the environment (see INTERFACES.md)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """Raised when the environment does not allow a safe start."""


def _secret_key(data_dir: Path, env: str) -> str:
    key = os.environ.get("KDE_SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError("KDE_SECRET_KEY must be set when KDE_ENV=production.")
    # Development: generate once and keep it, so sessions survive restarts. Several workers
    # may start at once: the key is written aside and linked into place, so all read one key.
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process won the race; its key counts
        finally:
            draft.unlink()
    return path.read_text().strip()


def _base_url(env: str) -> str:
    """The public origin for absolute links, from KDE_BASE_URL; never from a request's Host."""
    raw = (os.environ.get("KDE_BASE_URL") or "").strip()
    if not raw:
        if env == "production":
            raise ConfigError("KDE_BASE_URL must be set when KDE_ENV=production "
                              "(the public origin, e.g. https://kdecommunity.nl).")
        raw = f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}"
    return check_base_url(raw)


def check_base_url(raw: str) -> str:
    """`scheme://host[:port]` without a trailing slash; ConfigError for anything else."""
    parts = urlsplit(raw.strip())
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/")
            or parts.query or parts.fragment or parts.username or parts.password):
        raise ConfigError(f"KDE_BASE_URL must be an origin such as https://kdecommunity.nl, "
                          f"not {raw!r}.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def trusted_hosts(base_url: str, extra: str | None) -> list[str]:
    """Host names a request may name: the base URL's host plus KDE_TRUSTED_HOSTS (comma-separated)."""
    hosts = [urlsplit(base_url).hostname or ""]
    hosts += [h.strip().lower() for h in (extra or "").split(",") if h.strip()]
    return list(dict.fromkeys(hosts))


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative.")
    return value


def _search_backend(raw: str) -> str:
    """A backend that exists, or a refusal to start that names the ones that do."""
    from .search.backend import check_backend_name

    try:
        return check_backend_name(raw)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


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
    base_url = check_base_url(overrides["KDE_BASE_URL"]) if "KDE_BASE_URL" in overrides \
        else _base_url(env)
    config = {
        "KDE_ENV": env,
        "KDE_BASE_URL": base_url,
        # Behind a reverse proxy: how many proxies' X-Forwarded-For/-Proto to believe. 0 = none.
        "KDE_PROXY_COUNT": _int_env("KDE_PROXY_COUNT", 0),
        "KDE_DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "KDE_SEARCH_BACKEND": os.environ.get("KDE_SEARCH_BACKEND", "whoosh"),
        # The worker (worker.py): a killed worker's batch is taken over after the lease (where
        # the database has no row locks, i.e. SQLite); the index is reconciled this often.
        "KDE_WORKER_LEASE": _int_env("KDE_WORKER_LEASE", 60) or 60,
        "KDE_RECONCILE_INTERVAL": _int_env("KDE_RECONCILE_INTERVAL", 600) or 600,
        "KDE_SMTP_URL": os.environ.get("KDE_SMTP_URL") or None,
        # How often the worker sends waiting mail and the digests that are due (seconds).
        "KDE_MAIL_PERIOD": _int_env("KDE_MAIL_PERIOD", 15) or 15,
        "KDE_MAIL_FROM": os.environ.get("KDE_MAIL_FROM", "KDE Community <noreply@kdecommunity.nl>"),
        # Where people write to the platform (questions, errors, privacy and accessibility);
        # named by the contact, privacy and accessibility pages and the footer.
        "KDE_CONTACT_EMAIL": os.environ.get("KDE_CONTACT_EMAIL") or "contact@kdecommunity.nl",
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
        # The largest attachment a member may upload: the forms state it, the browser checks it
        # before sending, the server refuses beyond it (practices/uploads.py reads it).
        "KDE_UPLOAD_MAX_BYTES": _int_env("KDE_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        "BABEL_DEFAULT_LOCALE": "nl",
        # Times are stored in UTC and shown as the Netherlands lives them.
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "BABEL_TRANSLATION_DIRECTORIES": str(PROJECT_ROOT / "kde_community" / "translations"),
        "LANGUAGES": ["nl", "en"],
        "RATELIMIT_STORAGE_URI": os.environ.get("KDE_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "KDE_LOGIN_LIMIT": "5 per minute",
        # Per account, from addresses that never logged in to it: failures beyond this start
        # an exponential wait (1 s, 2 s, 4 s … at most KDE_LOGIN_BACKOFF_MAX seconds).
        "KDE_LOGIN_ACCOUNT_LIMIT": "10 per 15 minutes",
        "KDE_LOGIN_BACKOFF_MAX": 15 * 60,
        "KDE_REGISTER_LIMIT": "10 per hour",
        "KDE_RESET_LIMIT": "5 per 15 minutes",
        "KDE_API_WRITE_LIMIT": "60 per minute",
        "KDE_SEARCH_LIMIT": "60 per minute",
        "KDE_POST_LIMIT": "30 per minute",
        # Per member, shared by every route that uses the same key (ratelimits.member_limit).
        "KDE_VOTE_LIMIT": "60 per minute",
        "KDE_REACTION_LIMIT": "60 per minute",
        "KDE_FLAG_LIMIT": "20 per hour",
        "KDE_CONTACT_LIMIT": "10 per hour",  # messages to other members (directory.contact)
        "KDE_TOKEN_MAX_AGE": 3 * 24 * 3600,
        "KDE_PASSWORD_HASH_PARAMS": None,  # argon2 cost; None = production (accounts/passwords.py)
    }
    config.update(overrides)
    config["KDE_BASE_URL"] = base_url
    config["KDE_SEARCH_BACKEND"] = _search_backend(config["KDE_SEARCH_BACKEND"])
    if "TRUSTED_HOSTS" not in overrides:
        extra = os.environ.get("KDE_TRUSTED_HOSTS")
        # Production answers only to its own host names (400 otherwise); development to any.
        config["TRUSTED_HOSTS"] = trusted_hosts(base_url, extra) if production or extra else None
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(data_dir, env)
    return config
