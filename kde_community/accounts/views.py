"""Registration, login, password reset, profile, API tokens, and the member approval queue."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from .. import ratelimits
from ..errors import ValidationError
from ..extensions import db, limiter
from ..laws.models import ORGANISATION_TYPES
from ..laws.services import all_themes
from ..permissions import can_moderate_members, can_view_profile
from ..templating import ORG_TYPE_LABELS
from ..web import ActionForm, apply_errors, safe_next
from . import services
from .forms import (
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetRequestForm,
    TokenForm,
)
from .models import User

bp = Blueprint("accounts", __name__)


def _failed(response) -> bool:
    """Only failed attempts count towards the login limit."""
    return response.status_code != 302


def _limit(name: str):
    return lambda: current_app.config[name]


def _organisation_choices():
    from ..directory.services import all_organisations

    groups: dict[str, list[tuple[str, str]]] = {}
    for org in all_organisations():
        groups.setdefault(str(ORG_TYPE_LABELS[org.type]), []).append((org.slug, org.name))
    ordered = {str(ORG_TYPE_LABELS[t]): groups[str(ORG_TYPE_LABELS[t])]
               for t in ORGANISATION_TYPES if str(ORG_TYPE_LABELS[t]) in groups}
    return [("", _("— Kies uw organisatie —"))], ordered


def _begin_login(user: User) -> None:
    """A fresh session for every login: nothing from before survives."""
    session.clear()
    session["sid"] = services.start_session(user)
    login_user(user)


def _wait_message(seconds: int) -> str:
    if seconds < 60:
        when = ngettext("%(num)d seconde", "%(num)d seconden", seconds)
    else:
        when = ngettext("%(num)d minuut", "%(num)d minuten", -(-seconds // 60))
    return _("Voor dit account is te vaak een verkeerd wachtwoord geprobeerd. Probeer het over "
             "%(when)s opnieuw, of kies een nieuw wachtwoord via ‘Wachtwoord vergeten’.", when=when)


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(_limit("KDE_LOGIN_LIMIT"), methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        account = services.canonical_email(form.email.data or "")
        # Per account (see ratelimits.py): wait before the password is even checked.
        if wait := ratelimits.login_wait(account):
            form.password.errors = [_wait_message(wait)]
            response = current_app.make_response(
                (render_template("accounts/login.html", form=form), 429))
            response.headers["Retry-After"] = str(wait)
            return response
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            ratelimits.login_failed(account)
            form.password.errors = [_("Dit e-mailadres en wachtwoord horen niet bij elkaar.")]
        else:
            ratelimits.login_succeeded(account)
            if user.active and user.email_verified and user.approval == "pending":
                # Not a mistake in the form: the account is fine and waits for a moderator.
                return render_template("accounts/message.html", title=_("Nog even geduld"),
                                       message=services.pending_notice(user))
            if refusal := services.login_refusal(user):
                form.email.errors = [refusal]
            else:
                _begin_login(user)
                flash(_("U bent ingelogd."), "ok")
                return redirect(safe_next(request.args.get("next")))
        return render_template("accounts/login.html", form=form), 422
    return render_template("accounts/login.html", form=form)


@bp.post("/uitloggen")
def logout():
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services.end_session(session.get("sid"))
    logout_user()
    session.clear()
    flash(_("U bent uitgelogd."), "ok")
    return redirect(url_for("site.home"))


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit(_limit("KDE_REGISTER_LIMIT"), methods=["POST"])
def register():
    form = RegisterForm()
    placeholder, groups = _organisation_choices()
    form.organisation.choices = placeholder + [
        (slug, name) for options in groups.values() for slug, name in options
    ]
    if form.validate_on_submit():
        try:
            result = services.register({
                "name": form.name.data, "email": form.email.data,
                "organisation": form.organisation.data, "password": form.password.data,
            })
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            # The same page whether or not the address already had an account.
            return render_template("accounts/registered.html", registration=result)
        return render_template("accounts/register.html", form=form, groups=groups), 422
    return render_template("accounts/register.html", form=form, groups=groups)


@bp.get("/registreren/bevestigen/<token>")
def confirm(token: str):
    try:
        user = services.confirm_email(token)
    except ValidationError as exc:
        return render_template("accounts/message.html", title=_("Bevestigen mislukt"),
                               message=exc.fields["token"], error=True), 400
    if user.approval == "approved":
        flash(_("Uw e-mailadres is bevestigd. U kunt nu inloggen."), "ok")
        return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/message.html", title=_("E-mailadres bevestigd"),
        message=_("Dank u. %(notice)s", notice=services.pending_notice(user)))


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(_limit("KDE_RESET_LIMIT"), methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data or "")
        return render_template(
            "accounts/message.html", title=_("Kijk in uw mailbox"),
            message=_("Als dit adres bij een account hoort, hebben wij een link gestuurd "
                      "waarmee u een nieuw wachtwoord kiest."))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("KDE_RESET_LIMIT"), methods=["POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ValidationError as exc:
        return render_template("accounts/message.html", title=_("Link werkt niet"),
                               message=exc.fields["token"], error=True), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            changed = services.reset_password(token, form.password.data or "")
        except ValidationError as exc:
            apply_errors(form, exc)
            return render_template("accounts/reset.html", form=form), 422
        # The link proved the mailbox: this address may log in even while the account is
        # under attack (see ratelimits.py).
        ratelimits.login_succeeded(changed.user.email)
        logout_user()
        session.clear()
        flash(_("Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord."), "ok")
        if changed.tokens_revoked:
            flash(services.tokens_revoked_notice(changed.tokens_revoked), "ok")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


# --- profile --------------------------------------------------------------------------------

def _profile_page(user: User, **forms):
    forms.setdefault("token_form", TokenForm(prefix="token"))
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    return render_template(
        "accounts/profile.html", user=user, own=True,
        tokens=services.active_tokens(user), action_form=ActionForm(), **forms,
    )


@bp.get("/profiel")
@login_required
def profile():
    return _profile_page(current_user)


@bp.get("/leden/<int:user_id>")
@login_required
def member(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not can_view_profile(current_user, user):
        abort(404)
    if user.id == current_user.id:
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", user=user, own=False)


@bp.route("/profiel/bewerken", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=None if request.method == "POST" else current_user)
    form.expertise.choices = [(t.slug, t.name(_locale())) for t in all_themes()]
    if request.method == "GET":
        form.expertise.data = [t.slug for t in current_user.expertise]
    contactable = bool(request.form.get("contactable")) if request.method == "POST" \
        else current_user.contactable
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, {
                "name": form.name.data, "job_title": form.job_title.data,
                "expertise": form.expertise.data, "contactable": contactable,
            })
        except ValidationError as exc:
            apply_errors(form, exc)
            return render_template("accounts/edit_profile.html", form=form,
                                   contactable=contactable), 422
        flash(_("Uw profiel is opgeslagen."), "ok")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/edit_profile.html", form=form, contactable=contactable)


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "nl")


@bp.post("/profiel/wachtwoord")
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = services.change_password(current_user, form.current_password.data or "",
                                           form.password.data or "")
    except ValidationError as exc:
        apply_errors(form, exc)
        return _profile_page(current_user, password_form=form), 422
    # Every earlier login has ended; this browser continues with a fresh one.
    _begin_login(current_user._get_current_object())
    flash(_("Uw wachtwoord is gewijzigd. U bent op andere apparaten uitgelogd."), "ok")
    if changed.tokens_revoked:
        flash(services.tokens_revoked_notice(changed.tokens_revoked), "ok")
    return redirect(url_for("accounts.profile"))


@bp.post("/profiel/tokens")
@login_required
def create_token():
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        abort(400)
    try:
        token, secret = services.create_token(current_user, form.label.data or "")
    except ValidationError as exc:
        apply_errors(form, exc)
        return _profile_page(current_user, token_form=form), 422
    return _profile_page(current_user, new_token=secret, new_token_label=token.label)


@bp.post("/profiel/tokens/<int:token_id>/intrekken")
@login_required
def revoke_token(token_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.revoke_token(current_user, token_id)
    flash(_("De API-sleutel is ingetrokken."), "ok")
    return redirect(url_for("accounts.profile"))


# --- moderation -----------------------------------------------------------------------------

@bp.get("/moderatie/leden")
@login_required
def pending():
    if not can_moderate_members(current_user):
        abort(403)
    from ..directory.profile import addable_domain, join_check

    users = services.pending_members()
    checks = {u.id: join_check(u.organisation, u.email) for u in users}
    return render_template("moderation/members.html", users=users, checks=checks,
                           addable={u.id: addable_domain(checks[u.id]) for u in users},
                           action_form=ActionForm())


@bp.post("/moderatie/leden/<int:user_id>")
@login_required
def decide(user_id: int):
    if not can_moderate_members(current_user):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        abort(400)
    user = services.decide_membership(current_user, user_id, approve=decision == "approve")
    if decision == "approve":
        flash(_("%(name)s is goedgekeurd.", name=user.name), "ok")
    else:
        flash(_("De aanmelding van %(name)s is afgewezen.", name=user.name), "ok")
    return redirect(url_for("accounts.pending"))
