"""Jinja helpers shared by every template."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import format_decimal, format_number, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .markup import render_markdown
from .permissions import Can

# Header navigation: (endpoint, label). Every section of INTERFACES.md.
NAVIGATION = (
    ("questions.index", _l("Vragen")),
    ("practices.index", _l("Praktijken")),
    ("directory.organisations", _l("Organisaties")),
    ("directory.networks", _l("Netwerken")),
    ("laws.index", _l("Wetgeving")),
    ("clauses.index", _l("Inkoopvoorwaarden")),
)

ORG_TYPE_LABELS = {
    "gemeente": _l("Gemeente"),
    "provincie": _l("Provincie"),
    "waterschap": _l("Waterschap"),
    "koepel": _l("Koepelorganisatie"),
    "rijk": _l("Rijksoverheid"),
    "kennisinstelling": _l("Kennisinstelling"),
    "overig": _l("Overig"),
}

STAGE_LABELS = {
    "proposal": _l("Voorstel"),
    "negotiation": _l("In onderhandeling"),
    "adopted": _l("Aangenomen"),
    "in_force": _l("In werking, nog niet van toepassing"),
    "partly_applicable": _l("Deels van toepassing"),
    "applicable": _l("Van toepassing"),
    "repealed": _l("Ingetrokken"),
    "withdrawn": _l("Voorstel ingetrokken"),
}

MILESTONE_LABELS = {
    "proposal": _l("Voorstel"),
    "adoption": _l("Vastgesteld"),
    "publication": _l("Gepubliceerd"),
    "entry_into_force": _l("Inwerkingtreding"),
    "application": _l("Van toepassing"),
    "transposition_deadline": _l("Uiterste omzettingsdatum"),
    "review": _l("Evaluatie"),
    "amendment": _l("Wijziging"),
    "position": _l("Standpunt Raad of Parlement"),
    "court": _l("Hof van Justitie"),
    "national": _l("Nederlandse uitvoeringswet"),
}

# What an obligation asks of a municipality, province or water board (Obligation.role).
OBLIGATION_ROLE_LABELS = {
    "direct": _l("Verplichting voor uw organisatie"),
    "procurement": _l("Eis bij inkoop"),
    "customer_right": _l("Recht als klant"),
    "context": _l("Context: plicht van lidstaat of leverancier"),
}

ROLE_LABELS = {
    "member": _l("Lid"),
    "editor": _l("Redacteur"),
    "moderator": _l("Moderator"),
    "admin": _l("Beheerder"),
}

# Who a network is for (directory.models.NETWORK_ROLES).
NETWORK_ROLE_LABELS = {
    "cio": _l("CIO / CDO"),
    "ciso": _l("CISO / privacyfunctionaris"),
    "jurist": _l("Jurist"),
    "inkoop": _l("Inkoper"),
    "beleid": _l("Beleidsadviseur"),
    "bestuur": _l("Bestuurder"),
}

# Where an organisation's mail domain comes from.
DOMAIN_SOURCE_LABELS = {
    "website": _l("afgeleid van de website"),
    "reference": _l("referentiegegevens"),
    "moderator": _l("toegevoegd door een moderator"),
    "administrator": _l("toegevoegd door een beheerder van de organisatie"),
}


def size_class_label(size_class: int | str | None) -> str:
    """A size class (index or slug of directory.models.SIZE_CLASSES) in words, with the
    numbers in the reader's notation: "5.000–10.000 inwoners"."""
    from .directory.models import SIZE_CLASS_SLUGS, SIZE_CLASSES

    if isinstance(size_class, str):
        size_class = SIZE_CLASS_SLUGS.index(size_class) if size_class in SIZE_CLASS_SLUGS else None
    if size_class is None:
        return _("onbekend aantal inwoners")
    _slug, low, high = SIZE_CLASSES[size_class]
    if high is None:
        return _("%(low)s inwoners of meer", low=format_number(low))
    if low == 0:
        return _("minder dan %(high)s inwoners", high=format_number(high))
    return _("%(low)s–%(high)s inwoners", low=format_number(low), high=format_number(high))


def _current_url(**changes) -> str:
    """The current page with some query arguments changed. Arguments that `url_for` reserves
    (`_anchor`, `_external`…) or that name a path part are dropped, whatever a link said."""
    view_args = request.view_args or {}
    args = {k: v for k, v in request.args.to_dict(flat=False).items()
            if not k.startswith("_") and k not in view_args}
    args.update(changes)
    return url_for(request.endpoint, **view_args, **args)


def lang_url(code: str) -> str:
    """The current page in another language."""
    if request.endpoint is None:  # an error page has no endpoint to rebuild
        return url_for("site.home", lang=code)
    try:
        return _current_url(lang=[code])
    except Exception:  # noqa: BLE001 — a page whose URL cannot be rebuilt falls back home
        return url_for("site.home", lang=code)


# Which menu item a page belongs to: by endpoint prefix, longest first (networks and
# organisations share the directory blueprint; the timeline and editors belong to laws).
NAVIGATION_SECTIONS = (
    ("directory.network", "directory.networks"),
    ("directory.organisation", "directory.organisations"),
    ("timeline.", "laws.index"),
    ("law_editing.", "laws.index"),
    ("laws.", "laws.index"),
    ("questions.", "questions.index"),
    ("practices.", "practices.index"),
    ("clauses.", "clauses.index"),
)


def is_current_section(item: str) -> bool:
    """Whether the menu item `item` (an endpoint in NAVIGATION) is the current page's section."""
    endpoint = request.endpoint or ""
    section = next((s for prefix, s in NAVIGATION_SECTIONS if endpoint.startswith(prefix)), None)
    return section == item


def page_url(page: int) -> str:
    """The current page with another page number, keeping filters."""
    return _current_url(page=[str(page)])


def slug_options(items, locale: str) -> list[tuple[str, str]]:
    """(slug, name in the reader's language) for themes and laws in filter drop-downs."""
    return [(i.slug, i.short_name(locale) if hasattr(i, "short_name") else i.name(locale))
            for i in items]


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["format_number"] = format_number
    app.jinja_env.filters["format_decimal"] = format_decimal
    app.jinja_env.filters["slug_options"] = slug_options
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def globals_():
        return {
            "NAVIGATION": NAVIGATION,
            "is_current_section": is_current_section,
            "ORG_TYPE_LABELS": ORG_TYPE_LABELS,
            "STAGE_LABELS": STAGE_LABELS,
            "MILESTONE_LABELS": MILESTONE_LABELS,
            "OBLIGATION_ROLE_LABELS": OBLIGATION_ROLE_LABELS,
            "ROLE_LABELS": ROLE_LABELS,
            "NETWORK_ROLE_LABELS": NETWORK_ROLE_LABELS,
            "DOMAIN_SOURCE_LABELS": DOMAIN_SOURCE_LABELS,
            "size_class_label": size_class_label,
            "lang_url": lang_url,
            "page_url": page_url,
            "current_locale": str(get_locale() or "nl"),
            "can": Can(current_user),
        }
