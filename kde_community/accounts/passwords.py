"""Password hashing (argon2id) and the strength rules."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 256
# RFC 9106's second recommendation (argon2id, 3 passes over 64 MiB, 4 lanes): the cost every
# stored hash gets unless KDE_PASSWORD_HASH_PARAMS says otherwise. Only the test suite lowers
# it (a hash there costs 0.1 ms instead of 0.2 s); verifying always uses the cost that is
# written in the hash itself.
PRODUCTION_PARAMETERS = profiles.RFC_9106_LOW_MEMORY


@cache
def _hasher(cost: tuple[tuple[str, int], ...]) -> PasswordHasher:
    return PasswordHasher.from_parameters(replace(PRODUCTION_PARAMETERS, **dict(cost)))


def _configured_hasher() -> PasswordHasher:
    """The hasher for KDE_PASSWORD_HASH_PARAMS (e.g. {"time_cost": 1, "memory_cost": 8,
    "parallelism": 1}); the production cost when unset or outside an app."""
    cost = current_app.config.get("KDE_PASSWORD_HASH_PARAMS") if has_app_context() else None
    return _hasher(tuple(sorted((cost or {}).items())))


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password made at the configured cost: verifying against it costs as
    much as a real check, so a login for an unknown address takes as long as for a known one."""
    return hasher.hash("kde-community-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _configured_hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _configured_hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(hasher), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("kde_community.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str, *, name: str = "", email: str = "") -> str | None:
    """Why this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Kies een wachtwoord van minstens %(n)d tekens.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Kies een wachtwoord van hoogstens %(n)d tekens.", n=MAX_LENGTH)
    lowered = password.lower()
    # "Wachtwoord2024!" is as weak as "wachtwoord": strip digits and symbols at the ends.
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", lowered)
    common = _common_passwords()
    if lowered in common or core in common or len(set(lowered)) < 5:
        return _("Dit wachtwoord is te bekend of te eenvoudig. Kies een langere zin of "
                 "een willekeurige combinatie.")
    personal = [email.split("@")[0].lower()] + [p.lower() for p in name.split() if len(p) > 3]
    if any(p and len(p) > 3 and p in lowered for p in personal):
        return _("Gebruik uw naam of e-mailadres niet in uw wachtwoord.")
    return None
