"""Demo members and contributions for `make run` (data/demo/*.toml).

Every demo account has the password in DEMO_PASSWORD; demo data is never loaded in production.
Loading is idempotent: a member is matched on e-mail, a question on its asker and title, a
frontrunner topic on its organisation and subject, a network participation on its network and
organisation, an administrator on organisation and member, a clause set on its title and lead
organisation. What a member changed later on the platform (contactable, a removed topic, an
edited clause) is left alone.

The directory files (members, frontrunners, participation) and the clause sets are checked
against the reference data and each other before anything is written: a wrong slug, key,
e-mail, role or practice title stops the load with the file and entry named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from . import events
from .accounts.models import ROLES, User
from .accounts.passwords import hash_password
from .accounts.services import find_user_by_email, organisation_by_slug
from .content.models import Revision
from .content.services import record_revision
from .dbtypes import utcnow
from .directory.models import (
    FrontrunnerTopic,
    Network,
    Organisation,
    OrganisationAdmin,
    network_members,
)
from .extensions import db
from .laws.models import Law, Obligation, Theme

DEMO_PASSWORD = "demo-kde-community-2026"  # noqa: S105 — documented demo login
DEMO_DIR = Path(__file__).parent / "data" / "demo"
SUBJECT_FIELDS = ("theme", "law", "obligation")
ADMIN_MOTIVATION = "Beheert het profiel van de eigen organisatie (demo)."


class DemoDataError(click.ClickException):
    """A demo file names something that does not exist or breaks a rule; nothing was
    written. A ClickException, so `flask data load-demo` prints the reasons and exits 1."""


def _read(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DemoDataError(f"{path.name}: {exc}") from None


def _read_list(path: Path, key: str) -> list[dict]:
    """An optional file's `[[key]]` tables ([] when the file does not exist)."""
    return _read(path).get(key, []) if path.exists() else []


def load_demo(directory: Path = DEMO_DIR) -> str:
    if current_app.config["KDE_ENV"] == "production":
        return "Demo data is never loaded in production."
    plan = _check(directory)
    members = _load_members(plan.members)
    questions = 0
    for path in sorted(directory.glob("questions*.toml")):
        questions += _load_questions(_read(path).get("question", []))
    practices = _load_practices(plan.practices) if plan.practices else 0
    topics = _load_frontrunners(plan.frontrunners)
    participations = _load_participation(plan.participation)
    admins = _load_admins(plan.members)
    db.session.commit()
    clause_sets = _load_clause_sets(plan.clause_sets)
    return (f"Demo data: {members} new members, {questions} new questions, {practices} new "
            f"practices, {topics} new frontrunner topics, {participations} new network "
            f"participations, {admins} new organisation administrators, {clause_sets} new "
            f"clause sets (password: {DEMO_PASSWORD}).")


# --- checking the directory files -------------------------------------------------------------

@dataclass
class _Plan:
    """The parsed, checked files."""

    members: list[dict]
    practices: list[dict]
    frontrunners: list[dict]
    participation: list[dict]
    errors: list[str] = field(default_factory=list)
    clause_sets: list[dict] = field(default_factory=list)


def _check(directory: Path) -> _Plan:
    """Read the demo files and check every reference in them against the database and each
    other; raise DemoDataError listing every mistake, before anything is written."""
    plan = _Plan(members=_read(directory / "members.toml").get("member", []),
                 practices=_read_list(directory / "practices.toml", "practice"),
                 frontrunners=_read_list(directory / "frontrunners.toml", "frontrunner"),
                 participation=_read_list(directory / "participation.toml", "participation"))
    orgs = {o.slug: o for o in db.session.scalars(select(Organisation))}
    people = _check_members(plan, orgs)
    _check_frontrunners(plan, orgs, people)
    _check_participation(plan, orgs, people)
    plan.clause_sets = _read_list(directory / "clauses.toml", "set")
    _check_clause_sets(plan, orgs, people)
    if plan.errors:
        raise DemoDataError("demo data refused, nothing was loaded:\n" + "\n".join(plan.errors))
    return plan


def _person(people: dict, email) -> tuple[str, bool] | None:
    """(organisation slug, contactable) of a member in members.toml or already registered."""
    if not isinstance(email, str):
        return None
    if email.lower() in people:
        return people[email.lower()]
    user = find_user_by_email(email)
    if user is None or user.organisation is None:
        return None
    return user.organisation.slug, user.contactable


def _unknown_fields(row: dict, allowed: set[str]) -> str | None:
    extra = sorted(set(row) - allowed)
    return f"unknown field(s) {', '.join(extra)}" if extra else None


def _check_members(plan: _Plan, orgs: dict) -> dict[str, tuple[str, bool]]:
    themes = set(db.session.scalars(select(Theme.slug)))
    people: dict[str, tuple[str, bool]] = {}
    allowed = {"email", "name", "organisation", "job_title", "role", "expertise", "contactable",
               "admin_of"}
    for number, row in enumerate(plan.members, 1):
        where = f"members.toml entry {number} ({row.get('email', '?')})"
        reasons = [_unknown_fields(row, allowed)]
        reasons += [f"missing {key}" for key in ("email", "name", "organisation")
                    if not isinstance(row.get(key), str) or not row[key].strip()]
        email = str(row.get("email", "")).lower()
        if email in people:
            reasons.append("e-mail listed twice")
        if row.get("organisation") and row["organisation"] not in orgs:
            reasons.append(f"unknown organisation '{row['organisation']}'")
        reasons += [f"unknown theme '{slug}'" for slug in row.get("expertise", [])
                    if slug not in themes]
        if row.get("role", "member") not in ROLES:
            reasons.append(f"unknown role '{row['role']}'")
        reasons += [f"{key} must be true or false" for key in ("contactable", "admin_of")
                    if not isinstance(row.get(key, False), bool)]
        plan.errors += [f"{where}: {reason}" for reason in reasons if reason]
        if email:
            people[email] = (row.get("organisation"), row.get("contactable") is True)
    return people


def _subject_of(row: dict) -> list[tuple[str, object]]:
    return [(name, row[name]) for name in SUBJECT_FIELDS if row.get(name) not in (None, "")]


def _check_frontrunners(plan: _Plan, orgs: dict, people: dict) -> None:
    known = {"theme": set(db.session.scalars(select(Theme.slug))),
             "law": set(db.session.scalars(select(Law.slug))),
             "obligation": set(db.session.scalars(select(Obligation.key)))}
    # practice title -> (organisation slug, anonymous), from the file and from the database
    practices: dict[str, list[tuple[str | None, bool]]] = {}
    for row in plan.practices:
        author = _person(people, row.get("author"))
        practices.setdefault(row.get("title"), []).append(
            (author[0] if author else None, bool(row.get("anonymous", False))))
    allowed = {"organisation", *SUBJECT_FIELDS, "summary", "open_to_collaboration", "contact",
               "practice"}
    seen = set()
    for number, row in enumerate(plan.frontrunners, 1):
        subject = _subject_of(row)
        label = " ".join(f"{k} {v}" for k, v in subject) or "no subject"
        slug = row.get("organisation")
        where = f"frontrunners.toml entry {number} ({slug}, {label})"
        reasons = [_unknown_fields(row, allowed)]
        if slug not in orgs:
            reasons.append(f"unknown organisation '{slug}'")
        if len(subject) != 1:
            reasons.append("give exactly one of theme, law, obligation")
        for name, value in subject:
            if value not in known[name]:
                reasons.append(f"unknown {name} '{value}'")
        if (slug, tuple(subject)) in seen:
            reasons.append("the organisation has this subject twice")
        seen.add((slug, tuple(subject)))
        summary = row.get("summary")
        if not isinstance(summary, str) or len(summary.strip()) < 10:
            reasons.append("missing summary")
        if not isinstance(row.get("open_to_collaboration", False), bool):
            reasons.append("open_to_collaboration must be true or false")
        if row.get("contact") is not None:
            person = _person(people, row["contact"])
            if person is None:
                reasons.append(f"unknown contact '{row['contact']}'")
            elif person[0] != slug:
                reasons.append(f"contact '{row['contact']}' is not a member of {slug}")
            elif not person[1]:
                reasons.append(f"contact '{row['contact']}' is not contactable")
        if row.get("practice") is not None:
            reasons.append(_check_practice(row["practice"], slug, orgs, practices))
        plan.errors += [f"{where}: {reason}" for reason in reasons if reason]


def _check_practice(title, slug: str, orgs: dict, practices: dict) -> str | None:
    """A topic links a write-up of its own organisation that carries its name."""
    from .practices.models import Practice

    found = list(practices.get(title, []))
    if slug in orgs:
        found += [(slug, anonymous) for anonymous in db.session.scalars(
            select(Practice.anonymous).where(Practice.title == title,
                                             Practice.organisation_id == orgs[slug].id,
                                             Practice.deleted_at.is_(None)))]
    if not found:
        return f"unknown practice '{title}'"
    if not any(org == slug for org, _anonymous in found):
        return f"practice '{title}' is not by {slug}"
    if not any(org == slug and not anonymous for org, anonymous in found):
        return f"practice '{title}' is anonymous: it cannot be linked to {slug}"
    return None


def _check_participation(plan: _Plan, orgs: dict, people: dict) -> None:
    networks = {n.slug: n.status for n in db.session.scalars(select(Network))}
    seen = set()
    for number, row in enumerate(plan.participation, 1):
        network, slug, by = row.get("network"), row.get("organisation"), row.get("by")
        where = f"participation.toml entry {number} ({network}, {slug})"
        reasons = [_unknown_fields(row, {"network", "organisation", "by"})]
        if network not in networks:
            reasons.append(f"unknown network '{network}'")
        elif networks[network] != "active":
            reasons.append(f"network '{network}' is not active")
        if slug not in orgs:
            reasons.append(f"unknown organisation '{slug}'")
        person = _person(people, by)
        if person is None:
            reasons.append(f"unknown member '{by}'")
        elif person[0] != slug:
            reasons.append(f"'{by}' is not a member of {slug}")
        if (network, slug) in seen:
            reasons.append("listed twice")
        seen.add((network, slug))
        plan.errors += [f"{where}: {reason}" for reason in reasons if reason]


def _check_clause_sets(plan: _Plan, orgs: dict, people: dict) -> None:
    """Clause sets: known members, organisations and obligations, and every step done by
    someone whose organisation has the role for it (the services would refuse it half-way)."""
    from .clauses.models import PURCHASE_KINDS, SET_VISIBILITIES, STATUSES, SUGGESTION_KINDS
    from .clauses.models import ROLES as CLAUSE_ROLES

    keys = set(db.session.scalars(select(Obligation.key)))
    for number, row in enumerate(plan.clause_sets, 1):
        where = f"clauses.toml set {number} ({row.get('title', '?')})"
        reasons = [_unknown_fields(row, {"title", "purpose", "purchase_kind", "visibility",
                                         "status", "consultation_days", "lead", "participant",
                                         "clause", "suggestion", "release"})]
        if not isinstance(row.get("title"), str) or len(row["title"].strip()) < 5:
            reasons.append("missing title")
        for name, allowed, default in (("purchase_kind", PURCHASE_KINDS, "other"),
                                       ("visibility", SET_VISIBILITIES, "members"),
                                       ("status", STATUSES, "concept")):
            if row.get(name, default) not in allowed:
                reasons.append(f"unknown {name} '{row[name]}'")
        lead = _person(people, row.get("lead"))
        roles = {lead[0]: "editor"} if lead else {}
        if lead is None:
            reasons.append(f"unknown lead '{row.get('lead')}'")
        for participant in row.get("participant", []):
            slug = participant.get("organisation")
            if slug not in orgs:
                reasons.append(f"unknown participant organisation '{slug}'")
            if participant.get("role") not in CLAUSE_ROLES:
                reasons.append(f"participant {slug}: unknown role '{participant.get('role')}'")
            if slug in roles:
                reasons.append(f"participant {slug} listed twice or is the lead")
            roles[slug] = participant.get("role")

        def role(email, what: str, allowed=("editor",), roles=roles, reasons=reasons):
            reasons.append(_role_refused(people, roles, email, what, allowed))

        clauses = row.get("clause", [])
        if not clauses:
            reasons.append("a set needs clauses")
        for n, clause in enumerate(clauses, 1):
            if not all(isinstance(clause.get(k), str) and clause[k].strip()
                       for k in ("heading", "text")):
                reasons.append(f"clause {n}: missing heading or text")
            reasons += [f"clause {n}: unknown obligation '{key}'"
                        for key in clause.get("obligations", []) if key not in keys]
            if clause.get("author"):
                role(clause["author"], f"clause {n} author")
            for version in clause.get("version", []):
                role(version.get("by"), f"clause {n} version")
        open_to_all = row.get("status") in ("consultation", "adopted")
        for n, suggestion in enumerate(row.get("suggestion", []), 1):
            what = f"suggestion {n}"
            kind, decision = suggestion.get("kind", "change"), suggestion.get("decision")
            if kind not in SUGGESTION_KINDS:
                reasons.append(f"{what}: unknown kind '{kind}'")
            if kind != "new" and suggestion.get("clause") not in range(1, len(clauses) + 1):
                reasons.append(f"{what}: name the number of a clause of the set")
            if decision not in (None, "accepted", "rejected", "withdrawn"):
                reasons.append(f"{what}: unknown decision '{decision}'")
            if decision is None and open_to_all and row.get("visibility") != "participants":
                if _person(people, suggestion.get("by")) is None:
                    reasons.append(f"{what}: unknown member '{suggestion.get('by')}'")
            else:
                role(suggestion.get("by"), what, ("editor", "contributor"))
            if decision in ("accepted", "rejected"):
                role(suggestion.get("decided_by"), f"{what} decision")
        release = row.get("release")
        if release is not None:
            if not isinstance(release.get("label"), str) or not release["label"].strip():
                reasons.append("release: missing label")
            role(release.get("by"), "release")
            for email in release.get("adopted_by", []):
                if row.get("visibility") == "participants":
                    role(email, "adoption", CLAUSE_ROLES)
                elif _person(people, email) is None:
                    reasons.append(f"adoption: unknown member '{email}'")
        plan.errors += [f"{where}: {reason}" for reason in reasons if reason]


def _role_refused(people: dict, roles: dict, email, what: str, allowed) -> str | None:
    """Why `email` may not do `what` in a set whose organisations have `roles`, or None."""
    person = _person(people, email)
    if person is None:
        return f"{what}: unknown member '{email}'"
    if roles.get(person[0]) not in allowed:
        return f"{what}: '{email}' is in no organisation with the role {' or '.join(allowed)}"
    return None


# --- loading ----------------------------------------------------------------------------------

def _load_members(rows: list[dict]) -> int:
    """New members only: `contactable` is the member's own choice once they exist."""
    created = 0
    for row in rows:
        org = organisation_by_slug(row["organisation"])
        if org is None or find_user_by_email(row["email"]):
            continue
        themes = list(db.session.scalars(select(Theme).where(
            Theme.slug.in_(row.get("expertise", []))))) if row.get("expertise") else []
        db.session.add(User(
            name=row["name"], email=row["email"].lower(), password_hash=hash_password(DEMO_PASSWORD),
            organisation=org, job_title=row.get("job_title", ""), role=row.get("role", "member"),
            approval="approved", email_verified_at=utcnow(), expertise=themes,
            contactable=row.get("contactable", False) is True,
        ))
        created += 1
    db.session.commit()
    return created


def _load_frontrunners(rows: list[dict]) -> int:
    """Topics are created directly (created by their contact, or nobody), each with its first
    revision and a `frontrunner.changed` event for search, in the load's transaction."""
    from .practices.models import Practice

    existing = set(db.session.execute(select(
        FrontrunnerTopic.organisation_id, FrontrunnerTopic.theme_id, FrontrunnerTopic.law_id,
        FrontrunnerTopic.obligation_id)).tuples())
    created = 0
    for row in rows:
        org = organisation_by_slug(row["organisation"])
        (name, value), = _subject_of(row)
        subject = {
            "theme": lambda v: db.session.scalar(select(Theme).where(Theme.slug == v)),
            "law": lambda v: db.session.scalar(select(Law).where(Law.slug == v)),
            "obligation": lambda v: db.session.scalar(select(Obligation).where(
                Obligation.key == v)),
        }[name](value)
        ids = {f"{n}_id": None for n in SUBJECT_FIELDS} | {f"{name}_id": subject.id}
        key = (org.id, ids["theme_id"], ids["law_id"], ids["obligation_id"])
        if key in existing:  # also when a member removed it: the demo does not bring it back
            continue
        contact = find_user_by_email(row["contact"]) if row.get("contact") else None
        if contact is not None and not (contact.contactable
                                        and contact.organisation_id == org.id):
            contact = None  # the member changed their mind since the first load
        practice = db.session.scalar(select(Practice).where(
            Practice.title == row["practice"], Practice.organisation_id == org.id,
            Practice.anonymous.is_(False), Practice.deleted_at.is_(None),
        )) if row.get("practice") else None
        topic = FrontrunnerTopic(
            organisation=org, **{name: subject}, summary=row["summary"].strip(),
            open_to_collaboration=row.get("open_to_collaboration", False) is True,
            contact=contact, created_by_id=contact.id if contact else None, practice=practice,
            revision=1)
        db.session.add(topic)
        db.session.flush()
        record_revision(topic, contact, {
            "subject": topic.subject_name, "summary": topic.summary,
            "open_to_collaboration": "ja" if topic.open_to_collaboration else "nee",
            "contact": contact.name if contact else "",
            "practice": practice.title if practice else ""})
        events.record("frontrunner.changed", "frontrunner", topic.id, actor=contact,
                      organisation_id=org.id)
        existing.add(key)
        created += 1
    return created


def _load_participation(rows: list[dict]) -> int:
    """"Our organisation takes part", as a member marks it: source "member", skipped when the
    organisation is already listed (from the reference data or an earlier load)."""
    table = network_members
    existing = set(db.session.execute(select(table.c.network_id,
                                             table.c.organisation_id)).tuples())
    created = 0
    for row in rows:
        network = db.session.scalar(select(Network).where(Network.slug == row["network"]))
        org = organisation_by_slug(row["organisation"])
        if (network.id, org.id) in existing:
            continue
        by = find_user_by_email(row["by"])
        db.session.execute(table.insert().values(
            network_id=network.id, organisation_id=org.id, source="member",
            added_by_id=by.id if by else None, created_at=utcnow()))
        events.record("network.changed", "network", network.id, actor=by, fields=["members"],
                      organisation_ids=[org.id])
        existing.add((network.id, org.id))
        created += 1
    return created


def _load_admins(rows: list[dict]) -> int:
    """Members with `admin_of` administer their own organisation, granted by the first demo
    moderator; an existing request or decision for them is left as it is."""
    decider = db.session.scalar(select(User).where(User.role.in_(("moderator", "admin")))
                                .order_by(User.id).limit(1))
    created = 0
    for row in rows:
        if row.get("admin_of") is not True:
            continue
        user = find_user_by_email(row["email"])
        if user is None or user.organisation_id is None or db.session.scalar(
                select(OrganisationAdmin.id).where(
                    OrganisationAdmin.organisation_id == user.organisation_id,
                    OrganisationAdmin.user_id == user.id)):
            continue
        now = utcnow()
        db.session.add(OrganisationAdmin(
            organisation_id=user.organisation_id, user_id=user.id, status="granted",
            motivation=ADMIN_MOTIVATION, requested_at=now, decided_at=now,
            decided_by_id=decider.id if decider else None))
        created += 1
    return created


def _load_questions(rows: list[dict]) -> int:
    from .questions import services
    from .questions.models import Question

    created = 0
    for row in rows:
        asker = find_user_by_email(row["asker"])
        if asker is None:
            continue
        exists = db.session.scalar(select(Question.id).where(
            Question.author_id == asker.id, Question.title == row["title"]))
        if exists:
            continue
        keys = row.get("obligations", [])
        obligation_ids = list(db.session.scalars(select(Obligation.id).where(
            Obligation.key.in_(keys)))) if keys else []
        question = services.ask_question(asker, {
            "title": row["title"], "body": row["body"], "visibility": row.get("visibility", "public"),
            "themes": row.get("themes", []), "laws": row.get("laws", []),
            "obligations": obligation_ids,
        })
        asked = utcnow() - timedelta(days=row.get("asked_days_ago", 30))
        _backdate(question, asked)
        for item in row.get("answers", []):
            author = find_user_by_email(item["author"])
            if author is None:
                continue
            answer = services.answer_question(author, question, {"body": item["body"]})
            _backdate(answer, asked + timedelta(days=item.get("days_after", 1)))
            answer.written_at = answer.created_at
            if item.get("accepted"):
                question.accepted_answer_id = answer.id
            voters = [u for u in db.session.scalars(select(User).where(
                User.id.notin_([author.id])).order_by(User.id).limit(item.get("helpful_votes", 0)))]
            for voter in voters:
                services.vote(voter, answer)
        for item in row.get("comments", []):
            author = find_user_by_email(item["author"])
            if author is not None:
                services.comment_on(author, question, item["body"])
        question.last_activity_at = max(
            [question.created_at] + [a.created_at for a in question.answers])
        db.session.commit()
        created += 1
    return created


def _backdate(obj, when) -> None:
    """Demo content looks like it grew over months."""
    obj.created_at = obj.updated_at = when
    for revision in db.session.scalars(select(Revision).where(
            Revision.content_type == obj.content_type, Revision.content_id == obj.id)):
        revision.created_at = when
    db.session.commit()


def _load_practices(rows: list[dict]) -> int:
    from .permissions import can_view_practice
    from .practices import services
    from .practices.models import SECTIONS, Practice

    created = 0
    voters = list(db.session.scalars(select(User).order_by(User.id)))
    for row in rows:
        author = find_user_by_email(row["author"])
        if author is None or db.session.scalar(select(Practice.id).where(
                Practice.author_id == author.id, Practice.title == row["title"])):
            continue
        keys = row.get("obligations", [])
        obligation_ids = list(db.session.scalars(select(Obligation.id).where(
            Obligation.key.in_(keys)))) if keys else []
        practice = services.write_practice(author, {
            "title": row["title"], **{name: row.get(name, "") for name in SECTIONS},
            "outcome": row["outcome"], "failure_causes": row.get("failure_causes", []),
            "period": row.get("period", ""), "effort": row.get("effort", ""),
            "visibility": row.get("visibility", "public"),
            "anonymous": bool(row.get("anonymous", False)),
            "themes": row.get("themes", []), "laws": row.get("laws", []),
            "obligations": obligation_ids, "co_authors": row.get("co_authors", []),
        })
        for invitation in list(practice.invitations):  # demo co-authors said yes
            invitee = find_user_by_email(invitation.email)
            if invitee is not None:
                services.answer_invitation(invitee, invitation, True)
        published = utcnow() - timedelta(days=row.get("published_days_ago", 60))
        _backdate(practice, published)
        writers = practice.writer_ids()
        others = [u for u in voters if u.id not in writers and can_view_practice(u, practice)]
        for kind, number in (("useful", row.get("useful_votes", 0)),
                             ("experienced", row.get("experienced_votes", 0))):
            for voter in others[:number]:
                services.react(voter, practice, kind, True)
        for item in row.get("followups", []):
            followup = services.add_followup(author, practice, item["body"])
            followup.created_at = published + timedelta(days=item.get("days_after", 180))
        for item in row.get("comments", []):
            commenter = find_user_by_email(item["author"])
            if commenter is not None and can_view_practice(commenter, practice):
                services.comment(commenter, practice, item["body"])
        db.session.commit()
        created += 1
    return created


def _load_clause_sets(rows: list[dict]) -> int:
    """Each set through the clause services, as its members would have made it (one commit
    per set); a set whose lead organisation already has one with its title is left alone."""
    from .clauses.models import ClauseSet

    created = 0
    for row in rows:
        lead = find_user_by_email(row["lead"])
        if lead is None or db.session.scalar(select(ClauseSet.id).where(
                ClauseSet.title == row["title"].strip(),
                ClauseSet.lead_organisation_id == lead.organisation_id)):
            continue
        _load_clause_set(row, lead)
        db.session.commit()
        created += 1
    return created


def _load_clause_set(row: dict, lead: User) -> None:
    """Created by the lead; clauses and their later versions by editors; suggestions by
    contributors, decided by editors; then the release and its adoptions; then the
    consultation (where open suggestions of any member come in) and the adoption of the set.
    Versions, the changelog and the events that search reads are the services' own."""
    from .clauses import services as clauses

    member = find_user_by_email
    clause_set = clauses.create_set(lead, {
        "title": row["title"].strip(), "purpose": row.get("purpose", "").strip(),
        "purchase_kind": row.get("purchase_kind", "other"),
        "visibility": row.get("visibility", "members")})
    for participant in row.get("participant", []):
        clauses.set_participant(lead, clause_set, participant["organisation"],
                                participant["role"])
    numbered = []
    for item in row.get("clause", []):
        keys = item.get("obligations", [])
        clause = clauses.add_clause(member(item["author"]) if item.get("author") else lead,
                                    clause_set, {
            "heading": item["heading"], "text": item["text"],
            "explanation": item.get("explanation", ""),
            "source_reference": item.get("source_reference", ""),
            "obligations": list(db.session.scalars(select(Obligation.id).where(
                Obligation.key.in_(keys)))) if keys else []})
        for version in item.get("version", []):
            clauses.edit_clause(member(version["by"]), clause, {
                k: version[k] for k in ("heading", "text", "explanation") if k in version},
                base_revision=clause.revision)
        numbered.append(clause)
    waiting = []
    for item in row.get("suggestion", []):
        decision = item.get("decision")
        if decision is None:
            waiting.append(item)
            continue
        suggestion = _demo_suggestion(clause_set, numbered, item)
        if decision == "accepted":
            clauses.accept_suggestion(member(item["decided_by"]), suggestion,
                                      item.get("reason", ""))
        elif decision == "rejected":
            clauses.reject_suggestion(member(item["decided_by"]), suggestion, item["reason"])
        else:
            clauses.withdraw_suggestion(member(item["by"]), suggestion)
    if row.get("release"):
        release = clauses.make_release(member(row["release"]["by"]), clause_set,
                                       row["release"]["label"], row["release"].get("notes", ""))
        for email in row["release"].get("adopted_by", []):
            clauses.adopt(member(email), release)
    status = row.get("status", "concept")
    if status in ("consultation", "adopted"):
        clauses.change_status(lead, clause_set, "consultation",
                              date.today() + timedelta(days=row.get("consultation_days", 30)))
    for item in waiting:
        _demo_suggestion(clause_set, numbered, item)
    if status == "adopted":
        clauses.change_status(lead, clause_set, "adopted")


def _demo_suggestion(clause_set, numbered: list, item: dict):
    from .clauses import services as clauses

    kind = item.get("kind", "change")
    return clauses.suggest(find_user_by_email(item["by"]), clause_set, {
        "kind": kind, "rationale": item["rationale"],
        "clause_id": numbered[item["clause"] - 1].id if kind != "new" else None,
        **{k: item[k] for k in ("heading", "text", "explanation") if k in item}})
