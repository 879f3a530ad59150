"""Registration, login sessions, passwords, profiles, API tokens and member approval.

Every function takes the acting user explicitly so views, API, CLI and tests share them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from ..dbtypes import insert_if_absent, utcnow
from ..directory.models import Organisation
from ..directory.profile import JoinCheck, join_check, join_notice
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..laws.models import Theme
from ..links import absolute_url
from ..mail import send_mail, send_mail_after_response
from .models import ROLES, ApiToken, User, UserSession
from .passwords import hash_password, password_problem, verify_password

NAME_MAX = 120
JOB_TITLE_MAX = 120
TOKEN_LABEL_MAX = 100


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def normalise_email(raw: str) -> str:
    """Lower-cased, syntax-checked address; raises ValidationError."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 254:
        raise ValidationError({"email": _("Vul een geldig e-mailadres in.")})
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError({"email": _("Vul een geldig e-mailadres in.")}) from None
    return result.normalized.lower()


def _clean_name(value: str | None, field: str = "name") -> str:
    value = " ".join((value or "").split())
    if not value:
        raise ValidationError({field: _("Vul uw naam in.")})
    if len(value) > NAME_MAX:
        raise ValidationError({field: _("Gebruik hoogstens %(n)d tekens.", n=NAME_MAX)})
    return value


def canonical_email(raw: str) -> str:
    """The address as accounts store it; the trimmed, lower-cased input when it is not valid.

    Used to key the login back-off, so spelling variants of one address share one counter.
    """
    try:
        return normalise_email(raw)
    except ValidationError:
        return (raw or "").strip().lower()[:254]


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def organisation_by_slug(slug: str | None) -> Organisation | None:
    if not slug:
        return None
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


# --- registration ---------------------------------------------------------------------------

@dataclass
class Registration:
    """What the registration page may show: only what the visitor typed, so the answer is the
    same whether or not the address already had an account."""

    email: str
    organisation: Organisation
    check: JoinCheck

    @property
    def domain_match(self) -> bool:
        return self.check.automatic

    @property
    def notice(self) -> str:
        return join_notice(self.check, self.organisation)


def register(data: dict) -> Registration:
    """Create a pending member and send the confirmation link.

    An address at one of the organisation's own domains becomes active once confirmed;
    any other address also needs a moderator's approval. An address that already has an
    account gets the same answer (no account enumeration) and its owner a mail saying that
    someone tried; the existing account does not change.
    """
    errors: dict[str, str] = {}
    try:
        name = _clean_name(data.get("name"))
    except ValidationError as exc:
        errors.update(exc.fields)
        name = ""
    try:
        email = normalise_email(data.get("email", ""))
    except ValidationError as exc:
        errors.update(exc.fields)
        email = ""
    organisation = organisation_by_slug(data.get("organisation"))
    if organisation is None:
        errors["organisation"] = _("Kies uw organisatie uit de lijst.")
    password = data.get("password") or ""
    problem = password_problem(password, name=name, email=email)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    check = join_check(organisation, email)
    domain_match = check.automatic
    result = Registration(email=email, organisation=organisation, check=check)
    password_hash = hash_password(password)  # also for a known address: the same work, the same time
    existing = find_user_by_email(email)
    # A simultaneous registration of the same address inserts nothing (no IntegrityError,
    # nothing of the caller's transaction rolled back) and is told like any known address.
    if existing is None and insert_if_absent(
            db.session, User, name=name, email=email, password_hash=password_hash,
            organisation_id=organisation.id, role="member",
            approval="approved" if domain_match else "pending", locale=str(get_locale() or "nl")):
        send_confirmation(find_user_by_email(email))
        return result
    existing = existing or find_user_by_email(email)
    if existing is not None:
        _tell_owner_about_registration_attempt(existing)
    return result


def _tell_owner_about_registration_attempt(user: User) -> None:
    body = _(
        "Beste %(name)s,\n\nIemand heeft geprobeerd een nieuw account bij KDE Community aan te "
        "maken met uw e-mailadres. U heeft al een account; daaraan is niets veranderd.\n\n"
        "Was u dat zelf? Log dan in met uw bestaande account:\n\n%(login)s\n\n"
        "Weet u uw wachtwoord niet meer? Kies dan een nieuw wachtwoord:\n\n%(reset)s\n\n"
        "Was u het niet? Dan kunt u deze e-mail negeren.",
        name=user.name, login=absolute_url("accounts.login"),
        reset=absolute_url("accounts.forgot_password"))
    send_mail_after_response(user.email, _("Aanmelding met uw e-mailadres bij KDE Community"), body)


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def send_confirmation(user: User) -> None:
    token = _serializer("confirm-email").dumps({"uid": user.id, "email": user.email})
    link = absolute_url("accounts.confirm", token=token)
    body = _(
        "Beste %(name)s,\n\nBevestig uw e-mailadres voor KDE Community met deze link:\n\n%(link)s\n\n"
        "De link is drie dagen geldig. Heeft u zich niet aangemeld? Dan kunt u deze e-mail negeren.",
        name=user.name, link=link)
    send_mail_after_response(user.email, _("Bevestig uw e-mailadres voor KDE Community"), body)


def confirm_email(token: str) -> User:
    max_age = current_app.config["KDE_TOKEN_MAX_AGE"]
    try:
        payload = _serializer("confirm-email").loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationError({"token": _("Deze link is verlopen. Vraag een nieuwe aan.")}) from None
    except BadSignature:
        raise ValidationError({"token": _("Deze link is ongeldig.")}) from None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.email != payload.get("email"):
        raise ValidationError({"token": _("Deze link is ongeldig.")})
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


# --- login sessions -------------------------------------------------------------------------

def authenticate(email: str, password: str) -> User | None:
    """The user with these credentials, whatever their state; None when they do not match."""
    try:
        email = normalise_email(email)
    except ValidationError:
        verify_password(None, password)
        return None
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    return user


def login_refusal(user: User) -> str | None:
    """Why a user with correct credentials may not log in yet."""
    if not user.active:
        return _("Dit account is uitgeschakeld. Neem contact op met de beheerders.")
    if user.approval == "refused":
        return _("Uw aanmelding is niet goedgekeurd.")
    if not user.email_verified:
        return _("Bevestig eerst uw e-mailadres met de link die wij u hebben gemaild.")
    if user.approval == "pending":
        return pending_notice(user)
    return None


def pending_notice(user: User) -> str:
    """Why a confirmed registrant still waits, in words that are true for them."""
    check = join_check(user.organisation, user.email)
    if check.kind == "shared":
        return _("Uw aanmelding wacht nog op een moderator, die bevestigt dat u voor %(org)s "
                 "werkt (adressen op %(domain)s gebruiken medewerkers van meerdere "
                 "organisaties). U krijgt bericht.", org=user.organisation.name,
                 domain=check.shared.domain)
    if check.kind in ("own", "free", "other"):
        return _("Uw aanmelding wacht nog op een moderator, die controleert of u voor %(org)s "
                 "werkt. U krijgt bericht.", org=user.organisation.name)
    return _("Uw aanmelding wacht nog op een moderator: wij kennen het domein %(domain)s nog "
             "niet voor %(org)s. U krijgt bericht zodra u kunt inloggen.",
             domain=check.domain, org=user.organisation.name)


def start_session(user: User) -> str:
    """Record a new login and return the secret the browser's session cookie keeps."""
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=sha256(secret)))
    db.session.flush()
    return secret


def user_for_session(user_id: str | None, secret: str | None) -> User | None:
    """The member of a live login. A login ends at logout, at a password change, and at the
    latest PERMANENT_SESSION_LIFETIME after it began, however active the cookie was since:
    re-signing a cookie never extends the login on the server."""
    if not user_id or not secret or not str(user_id).isdigit():
        return None
    row = db.session.scalar(
        select(UserSession).where(
            UserSession.token_hash == sha256(secret),
            UserSession.user_id == int(user_id),
            UserSession.revoked_at.is_(None),
        )
    )
    if row is None or not row.user.can_log_in:
        return None
    if row.created_at + current_app.config["PERMANENT_SESSION_LIFETIME"] <= utcnow():
        row.revoked_at = utcnow()
        return None
    return row.user


def end_session(secret: str | None) -> None:
    if not secret:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == sha256(secret), UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(user: User) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


# --- passwords ------------------------------------------------------------------------------

@dataclass
class PasswordChanged:
    user: User
    tokens_revoked: int


def change_password(actor: User, current: str, new: str) -> PasswordChanged:
    """Set a new password; every login and every API token of the user ends (the caller
    starts a fresh login)."""
    if not verify_password(actor.password_hash, current or ""):
        raise ValidationError({"current_password": _("Uw huidige wachtwoord klopt niet.")})
    return _set_password(actor, new)


def _set_password(user: User, new: str) -> PasswordChanged:
    """A new password ends everything the old one opened: logins, reset links and API tokens
    (a token made by whoever knew the old password must not outlive it)."""
    problem = password_problem(new or "", name=user.name, email=user.email)
    if problem:
        raise ValidationError({"password": problem})
    user.password_hash = hash_password(new)
    user.credentials_version += 1
    end_all_sessions(user)
    revoked = revoke_all_tokens(user)
    _tell_owner_about_password_change(user, revoked)
    return PasswordChanged(user=user, tokens_revoked=revoked)


def tokens_revoked_notice(count: int) -> str:
    """The sentence shown and mailed when a password change revoked API keys."""
    return ngettext(
        "Uw API-sleutel is ingetrokken; maak op uw profielpagina een nieuwe voor koppelingen "
        "die er een nodig hebben.",
        "Uw %(num)d API-sleutels zijn ingetrokken; maak op uw profielpagina nieuwe voor "
        "koppelingen die er een nodig hebben.", count)


def _tell_owner_about_password_change(user: User, tokens_revoked: int) -> None:
    tokens = f"\n\n{tokens_revoked_notice(tokens_revoked)}" if tokens_revoked else ""
    body = _(
        "Beste %(name)s,\n\nHet wachtwoord van uw account bij KDE Community is zojuist gewijzigd. "
        "U bent overal uitgelogd.%(tokens)s\n\nHeeft u dit niet zelf gedaan? Kies dan meteen een "
        "nieuw wachtwoord:\n\n%(reset)s",
        name=user.name, tokens=tokens, reset=absolute_url("accounts.forgot_password"))
    send_mail_after_response(user.email, _("Uw wachtwoord voor KDE Community is gewijzigd"), body)


def request_password_reset(email: str) -> None:
    """Mail a reset link when the address belongs to a member; say nothing either way."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    user = find_user_by_email(email)
    if user is None or not user.active:
        return
    token = _serializer("reset-password").dumps({"uid": user.id, "v": user.credentials_version})
    link = absolute_url("accounts.reset_password", token=token)
    body = _(
        "Beste %(name)s,\n\nMet deze link kiest u een nieuw wachtwoord voor KDE Community:\n\n"
        "%(link)s\n\nDe link is drie dagen geldig en werkt één keer. Heeft u dit niet gevraagd? "
        "Dan kunt u deze e-mail negeren; uw wachtwoord blijft hetzelfde.",
        name=user.name, link=link)
    # After the response: an address with an account must not take longer than one without.
    send_mail_after_response(user.email, _("Nieuw wachtwoord voor KDE Community"), body)


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["KDE_TOKEN_MAX_AGE"]
    try:
        payload = _serializer("reset-password").loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        raise ValidationError({"token": _("Deze link is ongeldig of verlopen.")}) from None
    user = db.session.get(User, payload.get("uid"))
    if user is None or user.credentials_version != payload.get("v") or not user.active:
        raise ValidationError({"token": _("Deze link is ongeldig of verlopen.")})
    return user


def reset_password(token: str, new: str) -> PasswordChanged:
    user = user_for_reset_token(token)
    # Following the link proves the address.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return _set_password(user, new)


# --- profile --------------------------------------------------------------------------------

def update_profile(actor: User, data: dict) -> User:
    errors: dict[str, str] = {}
    try:
        name = _clean_name(data.get("name"))
    except ValidationError as exc:
        errors.update(exc.fields)
    job_title = " ".join((data.get("job_title") or "").split())
    if len(job_title) > JOB_TITLE_MAX:
        errors["job_title"] = _("Gebruik hoogstens %(n)d tekens.", n=JOB_TITLE_MAX)
    slugs = list(dict.fromkeys(data.get("expertise") or []))
    themes = list(db.session.scalars(select(Theme).where(Theme.slug.in_(slugs)))) if slugs else []
    if len(themes) != len(slugs):
        errors["expertise"] = _("Kies thema's uit de lijst.")
    # Whether other members may write to this member; left as it is when not sent.
    contactable = data.get("contactable", actor.contactable)
    if not isinstance(contactable, bool):
        errors["contactable"] = _("Kies ja of nee.")
    if errors:
        raise ValidationError(errors)
    actor.name = name
    actor.job_title = job_title
    actor.expertise = themes
    actor.contactable = contactable
    return actor


# --- API tokens -----------------------------------------------------------------------------

def create_token(actor: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token for the actor; the secret is returned once and only its hash is kept."""
    label = " ".join((label or "").split())
    if len(label) > TOKEN_LABEL_MAX:
        raise ValidationError({"label": _("Gebruik hoogstens %(n)d tekens.", n=TOKEN_LABEL_MAX)})
    secret = "kde_" + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, label=label, token_hash=sha256(secret), prefix=secret[:10])
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_all_tokens(user: User) -> int:
    """Revoke every active API token of `user` (in the caller's transaction); how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return result.rowcount or 0


def revoke_token(actor: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id or token.revoked_at is not None:
        raise NotFound()
    token.revoked_at = utcnow()


def active_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc())
    ))


def user_for_api_token(secret: str) -> User | None:
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == sha256(secret), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.can_log_in:
        return None
    # "Last used" to the minute is all the profile page shows; writing it on every request made
    # every API read a database write. A conditional UPDATE: of simultaneous requests in a new
    # minute one writes, the others change nothing.
    from datetime import timedelta

    now = utcnow()
    cutoff = now - timedelta(minutes=1)
    if token.last_used_at is None or token.last_used_at <= cutoff:
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token.id,
                   ApiToken.last_used_at.is_(None) | (ApiToken.last_used_at <= cutoff))
            .values(last_used_at=now).execution_options(synchronize_session=False))
    return token.user


# --- moderation of new members --------------------------------------------------------------

def pending_members() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.approval == "pending").order_by(User.created_at)
    ))


def decide_membership(actor: User, user_id: int, approve: bool) -> User:
    from ..permissions import can_moderate_members

    if not can_moderate_members(actor):
        raise Forbidden()
    user = db.session.get(User, user_id)
    if user is None or user.approval != "pending":
        raise NotFound()
    user.approval = "approved" if approve else "refused"
    if approve:
        body = _("Beste %(name)s,\n\nUw aanmelding bij KDE Community is goedgekeurd. "
                 "Welkom! U kunt nu inloggen: %(link)s", name=user.name,
                 link=absolute_url("accounts.login"))
        send_mail(user.email, _("Uw aanmelding is goedgekeurd"), body)
    else:
        body = _("Beste %(name)s,\n\nUw aanmelding bij KDE Community is niet goedgekeurd. "
                 "KDE Community is er voor medewerkers van Nederlandse overheden. Denkt u dat "
                 "dit een vergissing is? Meld u dan aan met het e-mailadres van uw organisatie.",
                 name=user.name)
        send_mail(user.email, _("Uw aanmelding bij KDE Community"), body)
    return user


# --- administration (CLI) -------------------------------------------------------------------

def create_user(email: str, name: str, organisation_slug: str, role: str, password: str) -> User:
    """An active, verified account, made by an operator."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except ValidationError as exc:
        errors.update(exc.fields)
    try:
        name = _clean_name(name)
    except ValidationError as exc:
        errors.update(exc.fields)
    organisation = organisation_by_slug(organisation_slug)
    if organisation is None:
        errors["organisation"] = _("Onbekende organisatie: %(slug)s", slug=organisation_slug)
    if role not in ROLES:
        errors["role"] = _("Onbekende rol: %(role)s", role=role)
    problem = password_problem(password or "", name=name if "name" not in errors else "",
                               email=email if "email" not in errors else "")
    if problem:
        errors["password"] = problem
    if "email" not in errors and find_user_by_email(email):
        errors["email"] = _("Er bestaat al een account met dit e-mailadres.")
    if errors:
        raise ValidationError(errors)
    user = User(name=name, email=email, password_hash=hash_password(password),
                organisation=organisation, role=role, approval="approved",
                email_verified_at=utcnow())
    db.session.add(user)
    db.session.flush()
    return user
