"""Directory pages: organisations, their peers, and networks."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from ..content.services import StaleEdit
from ..content.views import history_page
from ..errors import ValidationError
from ..laws.models import ORGANISATION_TYPES
from ..laws.services import all_themes
from ..pagination import page_args, paginate
from ..permissions import (
    can_manage_organisation,
    can_moderate_members,
    can_request_organisation_admin,
)
from ..ratelimits import member_limit
from ..web import ActionForm, apply_errors, base_revision, conflict, once, rollback, safe_next
from . import profile, services
from .contact import (
    BODY_MAX,
    SUBJECT_MAX,
    get_recipient_or_404,
    organisation_page,
    send_contact_message,
)
from .forms import AdminRequestForm, DomainForm, FrontrunnerForm, OrganisationForm
from .models import PROVINCES

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
    return render_template(
        "directory/organisations.html",
        result=paginate(services.filtered_organisations(filters), page, per_page),
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
                           peers=services.find_peers(org, limit=6))


@bp.get("/netwerken")
def networks():
    theme = request.args.get("theme") or None
    return render_template(
        "directory/networks.html",
        networks=paginate(services.network_query(request.args), 1, 100).items,
        themes=all_themes(),
        selected_theme=theme,
    )


@bp.get("/netwerken/<slug>")
def network(slug: str):
    return render_template("directory/network.html", network=services.get_network_or_404(slug))


# --- an organisation's own page: profile, domains, administrators, frontrunner topics --------

def _managed_organisation_or_403(slug: str):
    org = services.get_organisation_or_404(slug)
    if not can_manage_organisation(current_user, org):
        abort(403)
    return org


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
        form.base_revision.data = org.revision
        form.description.data = org.description
        form.website.data = org.website
        form.province.data = org.province or ""
        form.inhabitants.data = "" if org.inhabitants is None else str(org.inhabitants)
        form.area_km2.data = "" if org.area_km2 is None else f"{org.area_km2:g}"
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
        edit_form = OrganisationForm(formdata=None, obj=None)
        edit_form.base_revision.data = org.revision
        for name in ("description", "website"):
            getattr(edit_form, name).data = getattr(org, name)
        edit_form.province.data = org.province or ""
        edit_form.inhabitants.data = "" if org.inhabitants is None else str(org.inhabitants)
        edit_form.area_km2.data = "" if org.area_km2 is None else f"{org.area_km2:g}"
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
