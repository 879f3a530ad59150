"""E-mail domains of organisations: what counts as one, and which domain a website implies.

The Public Suffix List (bundled with `publicsuffixlist`, no network) tells a registrable
domain (`vaals.nl`) from a suffix (`nl`, `co.uk`) and from a made-up ending
(`vaals.nl.evil.example`).
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from flask_babel import gettext as _
from publicsuffixlist import PublicSuffixList

from ..errors import ValidationError

# Mail providers anyone can get an address at: never an organisation's own domain.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "outlook.nl", "hotmail.com", "hotmail.nl",
    "live.com", "live.nl", "msn.com", "icloud.com", "me.com", "mac.com", "yahoo.com",
    "yahoo.nl", "ymail.com", "aol.com", "gmx.com", "gmx.net", "gmx.de", "proton.me",
    "protonmail.com", "pm.me", "tutanota.com", "zoho.com", "mail.com", "ziggo.nl",
    "kpnmail.nl", "kpnplanet.nl", "planet.nl", "home.nl", "hetnet.nl", "xs4all.nl",
    "casema.nl", "chello.nl", "upcmail.nl", "online.nl", "tele2.nl", "telfort.nl",
    "quicknet.nl", "zeelandnet.nl", "solcon.nl", "caiway.nl", "kabelfoon.nl", "freeler.nl",
    "onsbrabantnet.nl", "live.be", "skynet.be", "telenet.be", "web.de", "t-online.de",
})
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
MAX_DOMAIN = 253


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList(accept_unknown=False)


def registrable_domain(url_or_host: str | None) -> str | None:
    """`https://www.vaals.nl/x` → `vaals.nl`; None when there is no known registrable domain."""
    if not url_or_host:
        return None
    host = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    if not host:
        return None
    return _psl().privatesuffix(host.strip().lower().rstrip("."))


def clean_domain(raw, field: str = "domain") -> str:
    """A domain a moderator or administrator may add, lower-cased; or a ValidationError that
    says what is wrong with it."""
    value = (raw if isinstance(raw, str) else "").strip().lower().rstrip(".")
    if value.startswith("@"):
        value = value[1:]
    if not value:
        raise ValidationError({field: _("Vul een domein in, bijvoorbeeld vaals.nl.")})
    if len(value) > MAX_DOMAIN or not all(_LABEL.match(label) for label in value.split(".")) \
            or "." not in value:
        raise ValidationError({field: _("Dit is geen geldig domein. Schrijf het als "
                                        "vaals.nl, zonder https:// of @.")})
    registrable = registrable_domain(value)
    if registrable is None:
        raise ValidationError({field: _("%(domain)s eindigt niet op een bestaande "
                                        "topleveldomeinnaam (zoals .nl of .frl).",
                                        domain=value)})
    if registrable in FREE_MAIL_DOMAINS:
        raise ValidationError({field: _("%(domain)s is een e-maildienst waar iedereen een adres "
                                        "kan krijgen, geen domein van een organisatie.",
                                        domain=value)})
    return value
