"""Who may join as staff of an organisation, and the organisation's own page: its profile,
mail domains, administrators and frontrunner topics.

Services: they take the actor, check permissions, validate, flush — the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import events
from ..accounts.models import User
from ..content.services import bump_revision, check_base, clean_text, record_revision
from ..dbtypes import as_int, utcnow
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Law, Obligation, Theme
from ..links import absolute_url
from ..mail import send_mail_after_response
from ..permissions import can_manage_organisation, can_moderate_members, is_member
from .domains import FREE_MAIL_DOMAINS, clean_domain, registrable_domain
from .models import (
    PROVINCES,
    REGIONAL_TYPES,
    FrontrunnerTopic,
    Organisation,
    OrganisationAdmin,
    OrganisationDomain,
    SharedDomain,
    domain_matches,
)

DESCRIPTION_MAX = 2_000
SUMMARY_MAX = 2_000
MOTIVATION_MAX = 1_000
MAX_INHABITANTS = 100_000_000
MAX_AREA_KM2 = 100_000.0


# --- joining --------------------------------------------------------------------------------

@dataclass(frozen=True)
class JoinCheck:
    """What an address says about membership of the chosen organisation.

    kind: "own" (one of its domains: a member once the address is confirmed), "shared" (a
    domain several organisations' staff use: a moderator confirms), "other" (a domain of
    another organisation), "free" (a mail service anyone can use), "unknown" (a domain we do
    not know yet for it).
    """

    kind: str
    domain: str
    other: Organisation | None = None
    shared: SharedDomain | None = None

    @property
    def automatic(self) -> bool:
        return self.kind == "own"


def join_check(organisation: Organisation, email: str) -> JoinCheck:
    domain = email.rsplit("@", 1)[-1].lower()
    if organisation.owns_email(email):
        return JoinCheck("own", domain)
    for shared in db.session.scalars(select(SharedDomain)
                                     .options(selectinload(SharedDomain.organisations))):
        if domain_matches(email, [shared.domain]):
            return JoinCheck("shared", domain, shared=shared)
    owner = db.session.scalar(
        select(Organisation).join(OrganisationDomain)
        .where(OrganisationDomain.removed_at.is_(None),
               OrganisationDomain.domain.in_(_parent_domains(domain))))
    if owner is not None:
        return JoinCheck("other", domain, other=owner)
    if registrable_domain(domain) in FREE_MAIL_DOMAINS:
        return JoinCheck("free", domain)
    return JoinCheck("unknown", domain)


def _parent_domains(domain: str) -> list[str]:
    """`mail.vaals.nl` → [`mail.vaals.nl`, `vaals.nl`, `nl`]: the domains an address is at."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def join_notice(check: JoinCheck, organisation: Organisation) -> str:
    """What a registrant is told: only what is true, and what happens next."""
    if check.kind == "own":
        return _("Klik op de link in de e-mail. Daarna kunt u meteen inloggen.")
    if check.kind == "shared":
        return _("Adressen op %(domain)s gebruiken medewerkers van meerdere organisaties "
                 "(%(shared)s). Bevestig uw adres met de link; daarna bevestigt een moderator dat "
                 "u voor %(org)s werkt. U krijgt bericht.", domain=check.shared.domain,
                 shared=check.shared.name, org=organisation.name)
    if check.kind == "free":
        return _("Een adres bij %(domain)s kan iedereen krijgen. Bevestig uw adres met de link; "
                 "daarna controleert een moderator of u voor %(org)s werkt. U krijgt bericht.",
                 domain=check.domain, org=organisation.name)
    if check.kind == "other":
        return _("Het domein %(domain)s kennen wij van %(other)s, niet van %(org)s. Bevestig uw "
                 "adres met de link; daarna controleert een moderator uw aanmelding. U krijgt "
                 "bericht.", domain=check.domain, other=check.other.name, org=organisation.name)
    return _("Wij kennen het domein %(domain)s nog niet voor %(org)s. Bevestig uw adres met de "
             "link; daarna controleert een moderator het domein. U krijgt bericht zodra u kunt "
             "inloggen.", domain=check.domain, org=organisation.name)


def addable_domain(check: JoinCheck) -> str | None:
    """The domain a moderator could add for an unknown address (its registrable domain), or
    None when it could never be an organisation's own (a free mail provider)."""
    if check.kind != "unknown":
        return None
    try:
        return clean_domain(registrable_domain(check.domain) or "")
    except ValidationError:
        return None


def _waiting_registrants(organisation: Organisation, domain: str) -> list[User]:
    return [u for u in db.session.scalars(
        select(User).where(User.organisation_id == organisation.id, User.approval == "pending",
                           User.active.is_(True)))
        if domain_matches(u.email, [domain])]


def _welcome(user: User) -> None:
    if user.email_verified:
        body = _("Beste %(name)s,\n\nWe kennen het domein van uw e-mailadres nu als domein van "
                 "%(org)s. Uw aanmelding bij KDE Community is daarmee goedgekeurd: u kunt nu "
                 "inloggen.\n\n%(link)s", name=user.name, org=user.organisation.name,
                 link=absolute_url("accounts.login"))
    else:
        body = _("Beste %(name)s,\n\nWe kennen het domein van uw e-mailadres nu als domein van "
                 "%(org)s. Bevestig nog uw e-mailadres met de link uit onze eerste e-mail; daarna "
                 "kunt u meteen inloggen.", name=user.name, org=user.organisation.name)
    send_mail_after_response(user.email, _("Uw aanmelding is goedgekeurd"), body)


# --- mail domains ---------------------------------------------------------------------------

def _require_manager(actor: User | None, organisation: Organisation) -> None:
    if not can_manage_organisation(actor, organisation):
        raise Forbidden()


def _profile_snapshot(organisation: Organisation) -> dict:
    return {
        "description": organisation.description or "", "website": organisation.website or "",
        "province": organisation.province or "",
        "inhabitants": "" if organisation.inhabitants is None else str(organisation.inhabitants),
        "area_km2": "" if organisation.area_km2 is None else f"{organisation.area_km2:g}",
        "email_domains": sorted(organisation.email_domains),
    }


def _keep_first_revision(organisation: Organisation) -> None:
    """Before the first change: the state the reference data gave, so that change has
    something to differ from."""
    if organisation.revision == 1 and not _has_revisions(organisation):
        record_revision(organisation, None, _profile_snapshot(organisation))


def _record_change(actor: User, organisation: Organisation, fields: list[str],
                   base_revision: int | None = None) -> None:
    bump_revision(organisation, base_revision)
    db.session.flush()
    db.session.expire(organisation, ["domains"])
    record_revision(organisation, actor, _profile_snapshot(organisation))
    events.record("organisation.changed", "organisation", organisation.id, actor=actor,
                  fields=fields)


def _has_revisions(organisation: Organisation) -> bool:
    from ..content.models import Revision

    return db.session.scalar(select(func.count(Revision.id)).where(
        Revision.content_type == "organisation", Revision.content_id == organisation.id)) > 0


def add_domain(actor: User, organisation: Organisation, raw) -> list[User]:
    """Add a mail domain; registrants already waiting at that domain become members at once
    (and are told so). Returns them."""
    _require_manager(actor, organisation)
    domain = clean_domain(raw)
    if db.session.scalar(select(SharedDomain.id).where(SharedDomain.domain == domain)):
        raise ValidationError({"domain": _("%(domain)s gebruiken medewerkers van meerdere "
                                           "organisaties; zulke aanmeldingen bevestigt een "
                                           "moderator per persoon.", domain=domain)})
    _keep_first_revision(organisation)
    row = db.session.scalar(select(OrganisationDomain).where(OrganisationDomain.domain == domain))
    if row is not None and row.removed_at is None:
        if row.organisation_id == organisation.id:
            raise ValidationError({"domain": _("%(domain)s staat er al bij.", domain=domain)})
        raise ValidationError({"domain": _("%(domain)s hoort al bij %(org)s.", domain=domain,
                                           org=row.organisation.name)})
    if row is None:
        row = OrganisationDomain(domain=domain)
        db.session.add(row)
    source = "moderator" if actor.has_role("editor") else "administrator"
    row.organisation_id, row.source, row.note = organisation.id, source, ""
    row.added_by_id, row.created_at, row.removed_at, row.removed_by_id = \
        actor.id, utcnow(), None, None
    _record_change(actor, organisation, ["email_domains"])
    welcomed = _waiting_registrants(organisation, domain)
    for user in welcomed:
        user.approval = "approved"
        _welcome(user)
    return welcomed


def remove_domain(actor: User, organisation: Organisation, domain_id) -> OrganisationDomain:
    """Take a domain away (kept, marked removed: the reference data will not add it back).
    Existing members stay members."""
    _require_manager(actor, organisation)
    row = db.session.get(OrganisationDomain, as_int(domain_id) or 0)
    if row is None or row.organisation_id != organisation.id or row.removed_at is not None:
        raise NotFound()
    _keep_first_revision(organisation)
    row.removed_at, row.removed_by_id = utcnow(), actor.id
    _record_change(actor, organisation, ["email_domains"])
    return row


# --- profile --------------------------------------------------------------------------------

def _optional_number(raw, field: str, errors: dict, *, maximum: float, integer: bool):
    text = ("" if raw is None else str(raw)).strip().replace(" ", "")
    if not text:
        return None
    try:
        value = int(text.replace(".", "")) if integer else float(text.replace(",", "."))
    except ValueError:
        errors[field] = _("Vul een getal in.")
        return None
    if value != value or value < 0 or value > maximum or (not integer and value == 0):
        errors[field] = _("Vul een getal tussen %(low)s en %(high)s in.",
                          low="0" if integer else "0,01",
                          high=f"{int(maximum):,}".replace(",", "."))
        return None
    return value


def _clean_website(raw, errors: dict) -> str:
    from urllib.parse import urlsplit

    text = (raw if isinstance(raw, str) else "").strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if len(text) > 300 or parts.scheme not in ("http", "https") or not parts.hostname \
            or any(c.isspace() for c in text):
        errors["website"] = _("Vul een webadres in dat begint met https://.")
    return text


def update_profile(actor: User, organisation: Organisation, data: dict,
                   base_revision: int | None = None) -> list[str]:
    """Change the profile; returns the fields that changed (none: nothing is recorded).
    Fields changed here are no longer overwritten by the reference data."""
    _require_manager(actor, organisation)
    check_base(organisation, base_revision)
    errors: dict[str, str] = {}
    values = {}
    try:
        values["description"] = clean_text(data.get("description"), "description",
                                           required=False, maximum=DESCRIPTION_MAX)
    except ValidationError as exc:
        errors.update(exc.fields)
    values["website"] = _clean_website(data.get("website"), errors)
    values["inhabitants"] = _optional_number(data.get("inhabitants"), "inhabitants", errors,
                                             maximum=MAX_INHABITANTS, integer=True)
    values["area_km2"] = _optional_number(data.get("area_km2"), "area_km2", errors,
                                          maximum=MAX_AREA_KM2, integer=False)
    province = (data.get("province") or "").strip() or None
    if province is not None and province not in PROVINCES:
        errors["province"] = _("Kies een provincie uit de lijst.")
    elif province is None and organisation.type in REGIONAL_TYPES:
        errors["province"] = _("Kies de provincie.")
    values["province"] = province
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in values.items() if getattr(organisation, name) != value]
    if not changed:
        return []
    _keep_first_revision(organisation)
    for name in changed:
        setattr(organisation, name, values[name])
    organisation.edited_fields = sorted(set(organisation.edited_fields or []) | set(changed))
    _record_change(actor, organisation, changed, base_revision)
    return changed


# --- administrators -------------------------------------------------------------------------

def request_admin(actor: User, organisation: Organisation, motivation="") -> OrganisationAdmin:
    """A verified member asks to administer their own organisation; a moderator decides."""
    if not is_member(actor) or actor.organisation_id != organisation.id:
        raise Forbidden()
    if can_manage_organisation(actor, organisation):
        raise ValidationError({"motivation": _("U beheert deze organisatie al.")})
    motivation = clean_text(motivation, "motivation", required=False, maximum=MOTIVATION_MAX)
    row = db.session.scalar(select(OrganisationAdmin).where(
        OrganisationAdmin.organisation_id == organisation.id,
        OrganisationAdmin.user_id == actor.id))
    if row is not None and row.status == "requested":
        raise ValidationError({"motivation": _("Uw verzoek wacht al op een moderator.")})
    if row is None:
        row = OrganisationAdmin(organisation_id=organisation.id, user_id=actor.id)
        db.session.add(row)
    row.status, row.motivation, row.requested_at = "requested", motivation, utcnow()
    row.decided_at = row.decided_by_id = None
    db.session.flush()
    return row


def admin_request_of(actor: User | None, organisation: Organisation) -> OrganisationAdmin | None:
    if not is_member(actor):
        return None
    return db.session.scalar(select(OrganisationAdmin).where(
        OrganisationAdmin.organisation_id == organisation.id,
        OrganisationAdmin.user_id == actor.id))


def admin_requests() -> list[OrganisationAdmin]:
    return list(db.session.scalars(
        select(OrganisationAdmin).where(OrganisationAdmin.status.in_(("requested", "granted")))
        .options(selectinload(OrganisationAdmin.user), selectinload(OrganisationAdmin.organisation))
        .order_by(OrganisationAdmin.status.desc(), OrganisationAdmin.requested_at)))


def decide_admin(actor: User, request_id, decision: str) -> OrganisationAdmin:
    """grant / refuse a request, or revoke a granted role; the member is told by mail."""
    if not can_moderate_members(actor):
        raise Forbidden()
    row = db.session.get(OrganisationAdmin, as_int(request_id) or 0)
    allowed = {"requested": ("grant", "refuse"), "granted": ("revoke",)}
    if row is None or decision not in allowed.get(row.status, ()):
        raise NotFound()
    row.status = {"grant": "granted", "refuse": "refused", "revoke": "revoked"}[decision]
    row.decided_at, row.decided_by_id = utcnow(), actor.id
    org, user = row.organisation, row.user
    if decision == "grant":
        body = _("Beste %(name)s,\n\nU bent nu beheerder van %(org)s op KDE Community. U kunt het "
                 "profiel, de e-maildomeinen en de voorloperthema's van uw organisatie bijwerken:"
                 "\n\n%(link)s", name=user.name, org=org.name,
                 link=absolute_url("directory.organisation", slug=org.slug))
    elif decision == "refuse":
        body = _("Beste %(name)s,\n\nUw verzoek om beheerder van %(org)s te worden is niet "
                 "toegekend. Vragen? Neem contact op met de redactie van KDE Community.",
                 name=user.name, org=org.name)
    else:
        body = _("Beste %(name)s,\n\nU bent geen beheerder van %(org)s meer op KDE Community.",
                 name=user.name, org=org.name)
    send_mail_after_response(user.email, _("Beheer van %(org)s", org=org.name), body)
    return row


# --- frontrunner topics ---------------------------------------------------------------------

def subject_choices() -> dict[str, list[tuple[str, str]]]:
    """The themes, laws and obligations a topic can be about, as `theme:ai`, `law:nis2`,
    `obligation:12` values grouped for a select."""
    themes = db.session.scalars(select(Theme).order_by(Theme.name_nl))
    laws = list(db.session.scalars(select(Law).options(selectinload(Law.obligations))
                                   .order_by(Law.short_name_nl)))
    groups = {_("Thema's"): [(f"theme:{t.slug}", t.name_nl) for t in themes],
              _("Wetten"): [(f"law:{law.slug}", law.short_name_nl) for law in laws]}
    for law in laws:
        groups[_("Verplichtingen uit %(law)s", law=law.short_name_nl)] = [
            (f"obligation:{o.id}", f"{o.article}: {o.title}") for o in law.obligations]
    return groups


def subject_value(topic: FrontrunnerTopic) -> str:
    if topic.obligation_id:
        return f"obligation:{topic.obligation_id}"
    if topic.law_id:
        return f"law:{topic.law.slug}"
    return f"theme:{topic.theme.slug}" if topic.theme_id else ""


def _resolve_subject(raw, errors: dict) -> dict:
    kind, _sep, key = (raw if isinstance(raw, str) else "").partition(":")
    target = None
    if kind == "theme":
        target = db.session.scalar(select(Theme).where(Theme.slug == key))
    elif kind == "law":
        target = db.session.scalar(select(Law).where(Law.slug == key))
    elif kind == "obligation" and as_int(key) is not None:
        target = db.session.get(Obligation, as_int(key))
    if target is None:
        errors["subject"] = _("Kies een thema, wet of verplichting uit de lijst.")
        return {}
    return {"theme": target if kind == "theme" else None,
            "law": target if kind == "law" else None,
            "obligation": target if kind == "obligation" else None}


def contact_choices(organisation: Organisation) -> list[User]:
    """Members of the organisation who chose to be contactable."""
    return [u for u in db.session.scalars(
        select(User).where(User.organisation_id == organisation.id, User.contactable.is_(True),
                           User.active.is_(True), User.approval == "approved")
        .order_by(User.name)) if u.can_log_in]


def practice_choices(organisation: Organisation) -> list:
    """Write-ups of the organisation that name it: anonymous ones are never linked to it."""
    from ..practices.models import Practice

    return list(db.session.scalars(
        select(Practice).where(Practice.organisation_id == organisation.id,
                               Practice.anonymous.is_(False), Practice.deleted_at.is_(None),
                               Practice.hidden_at.is_(None))
        .order_by(Practice.title)))


def _topic_values(organisation: Organisation, data: dict) -> dict:
    errors: dict[str, str] = {}
    values = _resolve_subject(data.get("subject"), errors)
    try:
        values["summary"] = clean_text(data.get("summary"), "summary", maximum=SUMMARY_MAX,
                                       minimum=10)
    except ValidationError as exc:
        errors.update(exc.fields)
    values["open_to_collaboration"] = bool(data.get("open_to_collaboration"))
    contact_id = as_int(data.get("contact")) if data.get("contact") not in (None, "") else None
    if data.get("contact") not in (None, "") and contact_id is None:
        errors["contact"] = _("Kies een contactpersoon uit de lijst.")
    values["contact"] = None
    if contact_id is not None:
        contact = next((u for u in contact_choices(organisation) if u.id == contact_id), None)
        if contact is None:
            errors["contact"] = _("Kies een lid van deze organisatie dat contact toestaat.")
        values["contact"] = contact
    practice_id = as_int(data.get("practice")) if data.get("practice") not in (None, "") else None
    if data.get("practice") not in (None, "") and practice_id is None:
        errors["practice"] = _("Kies een praktijkverhaal uit de lijst.")
    values["practice"] = None
    if practice_id is not None:
        practice = next((p for p in practice_choices(organisation) if p.id == practice_id), None)
        if practice is None:
            errors["practice"] = _("Kies een praktijkverhaal van deze organisatie dat haar naam "
                                   "draagt.")
        values["practice"] = practice
    if errors:
        raise ValidationError(errors)
    return values


def _topic_snapshot(topic: FrontrunnerTopic) -> dict:
    return {"subject": topic.subject_name, "summary": topic.summary,
            "open_to_collaboration": "ja" if topic.open_to_collaboration else "nee",
            "contact": topic.contact.name if topic.contact else "",
            "practice": topic.practice.title if topic.practice else ""}


def add_frontrunner(actor: User, organisation: Organisation, data: dict) -> FrontrunnerTopic:
    _require_manager(actor, organisation)
    values = _topic_values(organisation, data)
    topic = FrontrunnerTopic(organisation=organisation, created_by_id=actor.id, revision=1,
                             **values)
    db.session.add(topic)
    db.session.flush()
    record_revision(topic, actor, _topic_snapshot(topic))
    events.record("frontrunner.changed", "frontrunner", topic.id, actor=actor,
                  organisation_id=organisation.id)
    return topic


def get_frontrunner_or_404(organisation: Organisation, topic_id) -> FrontrunnerTopic:
    topic = db.session.get(FrontrunnerTopic, as_int(topic_id) or 0)
    if topic is None or topic.organisation_id != organisation.id or topic.deleted_at is not None:
        raise NotFound()
    return topic


def edit_frontrunner(actor: User, topic: FrontrunnerTopic, data: dict,
                     base_revision: int | None = None) -> bool:
    _require_manager(actor, topic.organisation)
    check_base(topic, base_revision)
    values = _topic_values(topic.organisation, data)
    if all(getattr(topic, name) == value for name, value in values.items()):
        return False
    for name, value in values.items():
        setattr(topic, name, value)
    bump_revision(topic, base_revision)
    record_revision(topic, actor, _topic_snapshot(topic))
    events.record("frontrunner.changed", "frontrunner", topic.id, actor=actor,
                  organisation_id=topic.organisation_id)
    return True


def remove_frontrunner(actor: User, topic: FrontrunnerTopic) -> None:
    """Soft delete: the topic leaves the page, lists and search; its revisions stay."""
    _require_manager(actor, topic.organisation)
    topic.deleted_at = utcnow()
    events.record("frontrunner.changed", "frontrunner", topic.id, actor=actor,
                  organisation_id=topic.organisation_id)
