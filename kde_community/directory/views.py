"""Directory pages: organisations, their peers, and networks."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..accounts.forms import MultiCheckboxField
from ..clauses import services as clause_services
from ..content.services import StaleEdit
from ..content.views import history_page
from ..errors import ValidationError
from ..laws.models import ORGANISATION_TYPES
from ..laws.services import all_themes
from ..notifications.follow_state import follow_state
from ..pagination import page_args, paginate
from ..permissions import (
    can_manage_organisation,
    can_moderate_members,
    can_propose_network,
    can_request_organisation_admin,
    can_review_network,
    is_member,
)
from ..ratelimits import member_limit
from ..templating import NETWORK_ROLE_LABELS
from ..web import ActionForm, apply_errors, base_revision, conflict, once, rollback, safe_next
from . import networks as network_service
from . import profile, services
from .contact import (
    BODY_MAX,
    SUBJECT_MAX,
    get_recipient_or_404,
    organisation_page,
    send_contact_message,
)
from .forms import AdminRequestForm, DomainForm, FrontrunnerForm, OrganisationForm
from .models import NETWORK_ROLES, PROVINCES

bp = Blueprint("directory", __name__)


@bp.get("/organisaties")
def organisations():
    """The directory: a bad filter value is named beside its filter and left out."""
    from flask_babel import get_locale

    from ..laws.services import list_laws
    from .models import SIZE_CLASS_SLUGS

    filters, errors = services.parse_organisation_filters(request.args)
    try:
        page, per_page = page_args(request.args, default_per_page=50)
    except ValidationError as exc:
        errors.update(exc.fields)
        page, per_page = 1, 50
    result = paginate(services.filtered_organisations(filters), page, per_page)
    return render_template(
        "directory/organisations.html",
        result=result,
        adopted=clause_services.adopted_set_counts(current_user,
                                                   [org.id for org in result.items]),
        filters=filters,
        matching_topics=services.matching_topics,
        topic_name=services.topic_name,
        size_classes=SIZE_CLASS_SLUGS,
        themes=all_themes(),
        laws=list_laws(),
        locale=str(get_locale() or "nl"),
        errors=errors,
        types=ORGANISATION_TYPES,
        provinces=PROVINCES,
        args=request.args,
    )


@bp.get("/organisaties/<slug>")
def organisation(slug: str):
    org = services.get_organisation_or_404(slug)
    return render_template("directory/organisation.html", org=org,
                           sections=organisation_page(current_user, org),
                           peers=services.find_peers(org, limit=6),
                           follow=follow_state(current_user, "organisation", org))


@bp.get("/netwerken")
def networks():
    errors = {}
    try:
        page, per_page = page_args(request.args, default_per_page=50)
        filters = network_service.NetworkFilters.from_args(request.args)
    except ValidationError as exc:
        errors = exc.fields
        page, per_page = 1, 50
        filters = network_service.NetworkFilters()
    result = paginate(network_service.network_query(filters=filters), page, per_page)
    return render_template(
        "directory/networks.html",
        result=result,
        counts=network_service.member_counts(n.id for n in result.items),
        filters=filters,
        errors=errors,
        themes=all_themes(),
        roles=NETWORK_ROLES,
    )


@bp.get("/netwerken/<slug>")
def network(slug: str):
    found = network_service.get_network_or_404(slug, current_user)
    own = current_user.organisation if is_member(current_user) else None
    return render_template("directory/network.html", network=found, own=own,
                           listed=network_service.participation(found, own),
                           groups=network_service.members_by_type(found),
                           follow=follow_state(current_user, "network", found),
                           action_form=ActionForm())


# --- an organisation's own page: profile, domains, administrators, frontrunner topics --------

def _managed_organisation_or_403(slug: str):
    org = services.get_organisation_or_404(slug)
    if not can_manage_organisation(current_user, org):
        abort(403)
    return org


def _fill_profile_form(form, org) -> None:
    form.base_revision.data = org.revision
    form.description.data = org.description
    form.website.data = org.website
    form.province.data = org.province or ""
    form.inhabitants.data = "" if org.inhabitants is None else str(org.inhabitants)
    # Written as Dutch readers write decimals; the service reads both.
    form.area_km2.data = "" if org.area_km2 is None else f"{org.area_km2:g}".replace(".", ",")


def _edit_organisation_page(org, form, domain_form, status=200, conflicts=()):
    form.province.choices = [("", _("— Kies —"))] + [(p, p) for p in PROVINCES]
    return render_template("directory/edit_organisation.html", org=org, form=form,
                           domain_form=domain_form, action_form=ActionForm(),
                           conflicts=conflicts), status


@bp.route("/organisaties/<slug>/bewerken", methods=["GET", "POST"])
@login_required
def edit_organisation(slug: str):
    org = _managed_organisation_or_403(slug)
    form = OrganisationForm()
    if request.method == "GET":
        _fill_profile_form(form, org)
    if form.validate_on_submit():
        try:
            changed = profile.update_profile(current_user, org, {
                name: getattr(form, name).data
                for name in ("description", "website", "province", "inhabitants", "area_km2")
            }, base_revision=base_revision(form))
        except ValidationError as exc:
            apply_errors(form, exc)
            return _edit_organisation_page(org, form, DomainForm(), 422)
        except StaleEdit as exc:
            rollback()
            texts = ("description", "website", "province", "inhabitants", "area_km2")
            found = conflict(exc, {name: getattr(form, name).data for name in texts},
                             {name: getattr(form, name).label.text for name in texts})
            form.base_revision.data = org.revision
            return _edit_organisation_page(org, form, DomainForm(), 409, found)
        flash(_("Het profiel is opgeslagen.") if changed else _("Er was niets gewijzigd."), "ok")
        return redirect(url_for("directory.organisation", slug=org.slug))
    return _edit_organisation_page(org, form, DomainForm(),
                                   422 if request.method == "POST" else 200)


@bp.post("/organisaties/<slug>/domeinen")
@login_required
def add_domain(slug: str):
    org = _managed_organisation_or_403(slug)
    form = DomainForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        welcomed = profile.add_domain(current_user, org, form.domain.data)
    except ValidationError as exc:
        rollback()
        apply_errors(form, exc)
        edit_form = OrganisationForm(formdata=None)
        _fill_profile_form(edit_form, org)
        return _edit_organisation_page(org, edit_form, form, 422)
    message = _("Het domein is toegevoegd.")
    if welcomed:
        message += " " + ngettext("%(num)d wachtende aanmelding is nu goedgekeurd.",
                                  "%(num)d wachtende aanmeldingen zijn nu goedgekeurd.",
                                  len(welcomed))
    flash(message, "ok")
    return redirect(safe_next(request.args.get("next"),
                              url_for("directory.edit_organisation", slug=org.slug)))


@bp.post("/organisaties/<slug>/domeinen/<int:domain_id>/verwijderen")
@login_required
def remove_domain(slug: str, domain_id: int):
    org = _managed_organisation_or_403(slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    row = profile.remove_domain(current_user, org, domain_id)
    flash(_("Het domein %(domain)s is verwijderd. Wie al lid is, blijft lid.", domain=row.domain),
          "ok")
    return redirect(url_for("directory.edit_organisation", slug=org.slug))


@bp.get("/organisaties/<slug>/geschiedenis")
def organisation_history(slug: str):
    org = services.get_organisation_or_404(slug)
    return history_page(org, org.name, url_for("directory.organisation", slug=org.slug))


@bp.route("/organisaties/<slug>/beheerder-worden", methods=["GET", "POST"])
@login_required
def request_admin(slug: str):
    org = services.get_organisation_or_404(slug)
    existing = profile.admin_request_of(current_user, org)
    form = AdminRequestForm()
    if form.validate_on_submit():
        try:
            profile.request_admin(current_user, org, form.motivation.data)
        except ValidationError as exc:
            rollback()
            apply_errors(form, exc)
        else:
            flash(_("Uw verzoek is verstuurd. Een moderator beoordeelt het; u krijgt bericht."),
                  "ok")
            return redirect(url_for("directory.organisation", slug=org.slug))
    if not can_request_organisation_admin(current_user, org) and not form.errors:
        abort(403)
    return render_template("directory/request_admin.html", org=org, form=form,
                           existing=existing), 422 if form.errors else 200


@bp.get("/moderatie/beheerders")
@login_required
def admin_requests():
    if not can_moderate_members(current_user):
        abort(403)
    return render_template("moderation/admins.html", rows=profile.admin_requests(),
                           action_form=ActionForm())


@bp.post("/moderatie/beheerders/<int:request_id>")
@login_required
def decide_admin(request_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    row = profile.decide_admin(current_user, request_id, request.form.get("decision", ""))
    flash({"granted": _("%(name)s is nu beheerder van %(org)s."),
           "refused": _("Het verzoek van %(name)s is afgewezen."),
           "revoked": _("%(name)s is geen beheerder van %(org)s meer.")}[row.status]
          % {"name": row.user.name, "org": row.organisation.name}, "ok")
    return redirect(url_for("directory.admin_requests"))


def _frontrunner_page(org, form, topic=None, status=200, conflicts=()):
    groups = profile.subject_choices()
    form.subject.choices = [v for options in groups.values() for v in options]
    form.practice.choices = [("", _("— Geen —"))] + [
        (str(p.id), p.title) for p in profile.practice_choices(org)]
    form.contact.choices = [("", _("— Geen —"))] + [
        (str(u.id), u.name) for u in profile.contact_choices(org)]
    return render_template("directory/frontrunner_form.html", org=org, form=form, topic=topic,
                           groups=groups, action_form=ActionForm(),
                           conflicts=conflicts), status


def _frontrunner_data(form) -> dict:
    return {name: getattr(form, name).data
            for name in ("subject", "summary", "practice", "contact", "open_to_collaboration")}


@bp.route("/organisaties/<slug>/voorlopers/nieuw", methods=["GET", "POST"])
@login_required
def add_frontrunner(slug: str):
    org = _managed_organisation_or_403(slug)
    form = FrontrunnerForm()
    if request.method == "GET":
        form.open_to_collaboration.data = True
    if form.validate_on_submit():
        def run() -> str:
            topic = profile.add_frontrunner(current_user, org, _frontrunner_data(form))
            flash(_("Het voorloperthema is toegevoegd."), "ok")
            return url_for("directory.organisation", slug=org.slug, _anchor=f"voorloper-{topic.id}")
        try:
            return once(f"frontrunner:{org.id}", run)
        except ValidationError as exc:
            rollback()
            apply_errors(form, exc)
    return _frontrunner_page(org, form, status=422 if form.errors else 200)


@bp.route("/organisaties/<slug>/voorlopers/<int:topic_id>/bewerken", methods=["GET", "POST"])
@login_required
def edit_frontrunner(slug: str, topic_id: int):
    org = _managed_organisation_or_403(slug)
    topic = profile.get_frontrunner_or_404(org, topic_id)
    form = FrontrunnerForm()
    if request.method == "GET":
        form.base_revision.data = topic.revision
        form.subject.data = profile.subject_value(topic)
        form.summary.data = topic.summary
        form.practice.data = str(topic.practice_id or "")
        form.contact.data = str(topic.contact_id or "")
        form.open_to_collaboration.data = topic.open_to_collaboration
    if form.validate_on_submit():
        try:
            changed = profile.edit_frontrunner(current_user, topic, _frontrunner_data(form),
                                               base_revision=base_revision(form))
        except ValidationError as exc:
            rollback()
            apply_errors(form, exc)
        except StaleEdit as exc:
            rollback()
            found = conflict(exc, {"summary": form.summary.data},
                             {"summary": form.summary.label.text})
            form.base_revision.data = topic.revision
            return _frontrunner_page(org, form, topic, 409, found)
        else:
            flash(_("Uw wijziging is opgeslagen.") if changed else _("Er was niets gewijzigd."),
                  "ok")
            return redirect(url_for("directory.organisation", slug=org.slug,
                                    _anchor=f"voorloper-{topic.id}"))
    return _frontrunner_page(org, form, topic, 422 if form.errors else 200)


@bp.post("/organisaties/<slug>/voorlopers/<int:topic_id>/verwijderen")
@login_required
def remove_frontrunner(slug: str, topic_id: int):
    org = _managed_organisation_or_403(slug)
    topic = profile.get_frontrunner_or_404(org, topic_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    profile.remove_frontrunner(current_user, topic)
    flash(_("Het voorloperthema is verwijderd."), "ok")
    return redirect(url_for("directory.organisation", slug=org.slug))


# --- contacting a peer ------------------------------------------------------------------------

class ContactForm(FlaskForm):
    subject = StringField(_l("Onderwerp"))
    body = TextAreaField(_l("Uw bericht"))


@bp.route("/organisaties/<slug>/contact/<int:user_id>", methods=["GET", "POST"])
@login_required
@member_limit("KDE_CONTACT_LIMIT")
def contact(slug: str, user_id: int):
    org = services.get_organisation_or_404(slug)
    recipient = get_recipient_or_404(org, user_id)
    back = url_for("directory.organisation", slug=org.slug)
    if recipient.id == current_user.id:
        flash(_("U kunt uzelf geen bericht sturen."), "error")
        return redirect(back)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            send_contact_message(current_user, recipient,
                                 {"subject": form.subject.data, "body": form.body.data})
        except ValidationError as exc:
            rollback()
            apply_errors(form, exc)
        else:
            flash(_("Uw bericht is verstuurd."), "ok")
            return redirect(back)
    return render_template("directory/contact.html", org=org, recipient=recipient, form=form,
                           subject_max=SUBJECT_MAX, body_max=BODY_MAX), \
        422 if request.method == "POST" else 200


# --- networks: taking part, proposals and their review ---------------------------------------

class NetworkForm(FlaskForm):
    name = StringField(_l("Naam van het netwerk"))
    description = TextAreaField(_l("Waar gaat het netwerk over?"))
    themes = MultiCheckboxField(_l("Thema's"), validate_choice=False)
    target_roles = MultiCheckboxField(_l("Voor wie is het netwerk?"), validate_choice=False)
    who_may_join = TextAreaField(_l("Wie mag meedoen?"))
    how_to_join = TextAreaField(_l("Hoe sluit een organisatie aan?"))
    organiser = StringField(_l("Organisator"))
    meeting_rhythm = StringField(_l("Hoe vaak komt het netwerk bijeen?"))
    website = StringField(_l("Website"))


class ReviewForm(FlaskForm):
    note = TextAreaField(_l("Toelichting voor de indiener"))


def _network_form_page(form: NetworkForm, status: int = 200):
    form.themes.choices = [(t.slug, t.name(str(get_locale() or "nl"))) for t in all_themes()]
    form.target_roles.choices = [(code, str(NETWORK_ROLE_LABELS[code])) for code in NETWORK_ROLES]
    return render_template("directory/network_form.html", form=form,
                           name_max=network_service.NAME_MAX,
                           description_max=network_service.DESCRIPTION_MAX), status


@bp.route("/netwerken/voorstellen", methods=["GET", "POST"])
@login_required
@member_limit("KDE_POST_LIMIT")
def propose_network():
    if not can_propose_network(current_user):
        abort(403)
    form = NetworkForm()
    if form.validate_on_submit():
        def run() -> str:
            network = network_service.propose_network(current_user, {
                name: getattr(form, name).data
                for name in ("name", "description", "themes", "target_roles", "who_may_join",
                             "how_to_join", "organiser", "meeting_rhythm", "website")})
            flash(_("Dank u. Uw voorstel wacht op beoordeling door de redactie; u krijgt "
                    "bericht."), "ok")
            return url_for("directory.network", slug=network.slug)
        try:
            return once("network-proposal", run)
        except ValidationError as exc:
            rollback()
            apply_errors(form, exc)
    return _network_form_page(form, 422 if request.method == "POST" else 200)


@bp.post("/netwerken/<slug>/deelname")
@login_required
def network_participation(slug: str):
    """"Our organisation takes part" (value `mee`) or no longer (`niet-mee`), for the
    member's own organisation or, for those who manage another one, `organisatie`."""
    network = network_service.get_network_or_404(slug, current_user)
    form = ActionForm()
    if not form.validate_on_submit() or form.value.data not in ("mee", "niet-mee"):
        abort(400)
    other = request.form.get("organisatie")
    if other and not network_service.is_slug(other):
        abort(404)
    org = services.get_organisation_or_404(other) if other else current_user.organisation
    back = url_for("directory.network", slug=network.slug, _anchor="deelnemers")
    try:
        if form.value.data == "mee":
            changed = network_service.mark_participation(current_user, network, org)
            message = _("%(org)s staat nu bij de deelnemers.", org=org.name) if changed else \
                _("%(org)s stond al bij de deelnemers.", org=org.name)
        else:
            changed = network_service.unmark_participation(current_user, network, org)
            message = _("%(org)s staat niet meer bij de deelnemers.", org=org.name) \
                if changed else _("%(org)s stond niet bij de deelnemers.", org=org.name)
    except ValidationError as exc:
        rollback()
        for reason in exc.fields.values():
            flash(reason, "error")
        return redirect(back)
    flash(message, "ok")
    return redirect(back)


@bp.get("/netwerken/beoordelen")
@login_required
def review_networks():
    if not can_review_network(current_user):
        abort(403)
    return _review_page()


def _review_page(errors: dict | None = None, notes: dict | None = None, status: int = 200):
    return render_template("directory/network_review.html",
                           proposals=network_service.proposed_networks(), form=ReviewForm(),
                           errors=errors or {}, notes=notes or {},
                           note_max=network_service.REVIEW_NOTE_MAX), status


@bp.post("/netwerken/beoordelen/<int:network_id>")
@login_required
def review_network(network_id: int):
    if not can_review_network(current_user):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    decision = request.form.get("decision", "")
    try:
        network = network_service.review_network(current_user, network_id, decision,
                                                 form.note.data)
    except ValidationError as exc:
        rollback()
        return _review_page({network_id: " ".join(exc.fields.values())},
                            {network_id: form.note.data or ""}, 422)
    if network.status == "active":
        flash(_("%(name)s is goedgekeurd en staat nu in de lijst.", name=network.name), "ok")
    else:
        flash(_("Het voorstel %(name)s is afgewezen.", name=network.name), "ok")
    return redirect(url_for("directory.review_networks"))


# --- the peer finder: organisations like mine ------------------------------------------------

PEER_ARGS = ("thema", "wet", "verplichting")


def _peer_page(org, subject, errors, peers=(), status=200):
    from flask_babel import get_locale

    from ..laws.services import list_laws

    return render_template(
        "directory/peers.html", org=org, subject=subject, errors=errors, peers=peers,
        organisations=services.all_organisations(), themes=all_themes(), laws=list_laws(),
        locale=str(get_locale() or "nl"), types=ORGANISATION_TYPES,
        topic_name=services.topic_name), status


@bp.get("/organisaties/zoals-de-mijne")
def my_peers():
    """The finder's entry: a chosen organisation, else the member's own, else the picker."""
    from ..permissions import is_member

    keep = {name: request.args[name] for name in PEER_ARGS if request.args.get(name)}
    chosen = (request.args.get("organisatie") or "").strip()
    errors = {}
    if chosen:
        org = services.find_organisation(chosen)
        if org is not None:
            return redirect(url_for("directory.peers", slug=org.slug, **keep))
        errors["organisation"] = _("Onbekende organisatie. Kies een organisatie uit de lijst.")
    elif is_member(current_user):
        return redirect(url_for("directory.peers", slug=current_user.organisation.slug, **keep))
    subject, subject_errors = services.resolve_subject(request.args)
    return _peer_page(None, subject, {**errors, **subject_errors})


@bp.get("/organisaties/<slug>/vergelijkbaar")
def peers(slug: str):
    org = services.get_organisation_or_404(slug)
    subject, errors = services.resolve_subject(request.args)
    found = services.find_peers(org, theme=subject.theme, law=subject.law,
                                obligation=subject.obligation, limit=10)
    return _peer_page(org, subject, errors, found)
