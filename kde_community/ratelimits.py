"""Rate limits that are not plain per-address limits, in one place.

- `member_limit("KDE_VOTE_LIMIT")`: a route decorator limiting each member (not each address)
  by the limit string in that setting; every route using the same setting shares one budget.
- The login back-off per account (see README, "Inloggen: limieten"): failed logins for one
  account from addresses that never logged in to it are counted across all addresses; beyond
  `KDE_LOGIN_ACCOUNT_LIMIT` every further attempt for that account from such an address must
  wait 1 s, 2 s, 4 s … (at most `KDE_LOGIN_BACKOFF_MAX`) after the last failure before its
  password is even checked. Addresses that logged in to the account before keep their own
  per-address budget and are never slowed down by someone else's failures.

Everything is kept in the limiter's storage (`KDE_RATELIMIT_STORAGE_URI`), so it holds across
worker processes and hosts when that storage is shared (Redis).
"""

from __future__ import annotations

import hashlib
import math
import time

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse

from .extensions import limiter

KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600  # an address that logged in stays trusted this long


def setting(config_key: str):
    """A limit read from the configuration when the request comes (tests change it)."""
    return lambda: current_app.config[config_key]


def member_key() -> str:
    """Per member when logged in; per address otherwise."""
    if current_user.is_authenticated:
        return f"member:{current_user.get_id()}"
    return f"address:{get_remote_address()}"


def member_limit(config_key: str):
    """Decorator: at most `config[config_key]` (e.g. "60 per minute") POSTs per member, shared
    by all routes decorated with the same key. Put it below `@login_required`."""
    return limiter.shared_limit(lambda: current_app.config[config_key], scope=config_key,
                                key_func=member_key, methods=["POST"])


# --- login back-off per account --------------------------------------------------------------

def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and limiter.enabled


def _key(*parts: str) -> str:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return "/".join([prefix, "kde-login", *parts]) if prefix else "/".join(["kde-login", *parts])


def _account(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _address() -> str:
    return get_remote_address() or "unknown"


def _is_known_address(account: str) -> bool:
    return limiter.storage.get(_key("known", account, _address())) > 0


def login_wait(email: str) -> int:
    """Seconds to wait before a password for `email` may be checked from this address; 0: now.

    `email` is the canonical address (lower-case, normalised), known account or not: the
    answer is the same for addresses without an account, so it tells nothing about them.
    """
    if not _enabled():
        return 0
    account = _account(email)
    wait_key = _key("wait", account)
    storage = limiter.storage
    if storage.get(wait_key) <= 0 or _is_known_address(account):
        return 0
    return max(1, math.ceil(storage.get_expiry(wait_key) - time.time()))


def login_failed(email: str) -> None:
    """Count a wrong password for `email`; beyond the allowance, start the next wait."""
    if not _enabled():
        return
    account = _account(email)
    if _is_known_address(account):
        return  # the owner's own typo; the per-address limit still applies
    allowance = parse(current_app.config["KDE_LOGIN_ACCOUNT_LIMIT"])
    storage = limiter.storage
    failures = storage.incr(_key("failures", account), allowance.get_expiry())
    beyond = failures - allowance.amount
    if beyond >= 0:
        delay = min(2 ** min(beyond, 30), int(current_app.config["KDE_LOGIN_BACKOFF_MAX"]))
        storage.clear(_key("wait", account))
        storage.incr(_key("wait", account), delay)


def login_succeeded(email: str) -> None:
    """The password was right (or a reset link was followed): this address is trusted for this
    account for the next 30 days."""
    if not _enabled():
        return
    known = _key("known", _account(email), _address())
    limiter.storage.clear(known)
    limiter.storage.incr(known, KNOWN_ADDRESS_SECONDS)
