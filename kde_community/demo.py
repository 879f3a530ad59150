"""Demo members (and, as features land, their contributions) for `make run`.

Every demo account has the password in DEMO_PASSWORD; never load demo data in production.
"""

from __future__ import annotations

from flask import current_app

from .accounts.models import User
from .accounts.passwords import hash_password
from .accounts.services import find_user_by_email, organisation_by_slug
from .dbtypes import utcnow
from .extensions import db

DEMO_PASSWORD = "demo-kde-community-2026"  # noqa: S105 — documented demo login

# (e-mail, name, organisation slug, job title, role)
DEMO_MEMBERS = [
    ("redactie@europadecentraal.nl", "Sanne de Redacteur", "ked", "Adviseur Europees recht",
     "moderator"),
    ("beheer@ictu.nl", "Bram Beheer", "ictu", "Functioneel beheerder", "admin"),
    ("m.jansen@utrecht.nl", "Marieke Jansen", "utrecht", "Strategisch adviseur digitalisering",
     "member"),
    ("p.dewit@amsterdam.nl", "Pieter de Wit", "amsterdam", "CIO-adviseur", "member"),
    ("info.ict@schiermonnikoog.nl", "Anke Visser", "schiermonnikoog", "Medewerker ICT",
     "member"),
    ("l.bakker@gelderland.nl", "Laura Bakker", "provincie-gelderland", "EU-beleidsadviseur",
     "editor"),
    ("j.smit@aaenmaas.nl", "Joost Smit", "waterschap-aa-en-maas", "Inkoper ICT", "member"),
    ("f.elhadi@rotterdam.nl", "Fatima El Hadi", "rotterdam", "Jurist informatierecht", "member"),
]


def load_demo() -> str:
    if current_app.config["KDE_ENV"] == "production":
        return "Demo data is never loaded in production."
    created = 0
    for email, name, org_slug, job_title, role in DEMO_MEMBERS:
        org = organisation_by_slug(org_slug)
        if org is None or find_user_by_email(email):
            continue
        db.session.add(User(
            name=name, email=email, password_hash=hash_password(DEMO_PASSWORD),
            organisation=org, job_title=job_title, role=role, approval="approved",
            email_verified_at=utcnow(),
        ))
        created += 1
    db.session.commit()
    return f"Demo data: {created} new members (password: {DEMO_PASSWORD})."
