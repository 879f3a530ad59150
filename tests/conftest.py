"""Fixtures: an app per test on a fresh database, factories that commit, the browser marker.

Set KDE_DATABASE_URL to a PostgreSQL URL to run the whole suite on PostgreSQL (CI does).
Helpers that test modules import (login, submit, count, make_config …) live in tests/helpers.py.

Isolation: the schema is created once per session; each test gets a fresh, empty database.
- SQLite: `create_all` runs once into a template file; each test's `database` is a copy of it
  in the test's own tmp dir (0.5 ms, against 120 ms for `drop_all` + `create_all`).
- PostgreSQL: `create_all` runs once in the suite's database; before and after each test one
  probe query finds the tables that hold rows and the id sequences that moved; their rows are
  deleted (children first) and the sequences restarted: 15-40 ms a test on this 2-core
  machine. TRUNCATE … RESTART IDENTITY of the same tables made the web tests 1.5 times as slow
  (it makes new files for every table and index); drop + create costs 250 ms. A test that
  dropped tables (the migrations test, its own production app) gets the schema back.
- Corpora: `seed(name, build)` builds a module's read-only corpus once (per settings) and
  restores its rows and data dir into each test's fresh database.

Why not one transaction per test, rolled back at the end (savepoints, pysqlite's savepoint
workaround)? What a test checks crosses connections on purpose: requests run in their own app
context and session (IsolatedClient), the live server answers Chromium from other threads, the
search writer, `flask` commands and gunicorn run as other processes, and the conflict and
idempotency tests need truly concurrent transactions. All of those would have to share the
test's one connection, which subprocesses cannot and which would hide exactly the races the
tests are there to catch. A copied file or a delete works whether or not services commit:
services flush and one place commits per request or command, so the factories here commit
what they make and IsolatedClient commits the test's session before each request, as the
request that made it would have; browser tests call helpers.commit() before they navigate.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from kde_community import create_app
from kde_community.accounts.models import User
from kde_community.accounts.passwords import hash_password
from kde_community.dbtypes import utcnow
from kde_community.directory.models import Organisation, OrganisationDomain
from kde_community.extensions import db
from tests.helpers import PASSWORD, PRACTICE, IsolatedClient, commit, database_url, make_config

TESTS = Path(__file__).parent
# They assert time limits (searchable within 2 s, a storm answered within 2 s, health checks
# within 0.1 s) or kill worker processes at random moments and expect work done in between:
# beside a second pytest-xdist worker they would measure the contention. `make test` runs
# them after the others, in one process.
SERIAL_MODULES = {TESTS / "unit" / "test_search_durability.py", TESTS / "unit" / "test_worker.py",
                  TESTS / "security" / "test_search_limits.py"}


def pytest_collection_modifyitems(items):
    """Every test under tests/browser drives Chromium: `-m "not browser"` leaves them out.
    Tests of SERIAL_MODULES carry `serial`."""
    for item in items:
        if TESTS / "browser" in item.path.parents:
            item.add_marker(pytest.mark.browser)
        if item.path in SERIAL_MODULES:
            item.add_marker(pytest.mark.serial)


# --- the database -----------------------------------------------------------------------------

def _metadata() -> sa.MetaData:
    from kde_community import models  # noqa: F401  (every table on db.metadata)

    return db.metadata


@cache
def _engine(url: str) -> sa.Engine:
    """The suite's own engine for schema and resets: one kept connection (10 ms a connect)."""
    return sa.create_engine(url, pool_size=1, max_overflow=2)


def _create_schema(url: str) -> None:
    """Every table of the models, on an empty database (whatever an earlier run left)."""
    engine = _engine(url)
    metadata = _metadata()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            stale = conn.scalars(sa.text("SELECT tablename FROM pg_tables "
                                         "WHERE schemaname = current_schema()")).all()
            for name in stale:
                conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}" CASCADE')
    metadata.drop_all(engine)
    metadata.create_all(engine)


@cache
def _probe() -> sa.TextClause:
    """One query: ('table', name) for tables that hold rows, ('sequence', name) for id
    sequences that were used."""
    tables = [t.name for t in _metadata().sorted_tables]  # our own models' names, no input
    rows = " UNION ALL ".join(f"SELECT 'table', '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")"  # noqa: S608
                              for t in tables)
    sequences = """
        SELECT 'sequence', quote_ident(schemaname) || '.' || quote_ident(sequencename)
        FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"""
    return sa.text(f"{rows} UNION ALL {sequences}")


def reset_postgres(url: str) -> None:
    """Delete the rows a test left and restart the id sequences it used; recreate a dropped
    schema. DELETE, not TRUNCATE: on tables this small TRUNCATE's new files cost 10-30 times
    as much."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            # A connection left open in a transaction would block this: fail, don't hang.
            conn.exec_driver_sql("SET LOCAL lock_timeout = '20s'")
            found = conn.execute(_probe()).all()
            filled = {name for kind, name in found if kind == "table"}
            for table in reversed(_metadata().sorted_tables):  # children first
                if table.name in filled:
                    conn.execute(table.delete())
            for kind, name in found:
                if kind == "sequence":
                    conn.execute(sa.text("SELECT setval(:s, 1, false)"), {"s": name})
    except sa.exc.ProgrammingError as exc:
        if "does not exist" not in str(exc):
            raise
        _create_schema(url)  # a test dropped tables (migrations, its own production app)


def _create_worker_database(url: str) -> None:
    """Under pytest-xdist each worker has its own PostgreSQL database, KDE_DATABASE_URL's name
    plus `_gw0`, `_gw1` …: made here when missing (CI makes them; this needs CREATEDB)."""
    name = sa.make_url(url).database
    engine = sa.create_engine(os.environ["KDE_DATABASE_URL"], isolation_level="AUTOCOMMIT",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        if conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            return
        try:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        except sa.exc.ProgrammingError as exc:
            raise RuntimeError(f"Database {name} for xdist worker is missing and cannot be made "
                               f"({exc.orig}): create it, or run without -n.") from None


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> Path | None:
    """SQLite: a file with the schema, copied for each test. PostgreSQL: the schema, made once."""
    url = database_url()
    if url:
        if os.environ.get("PYTEST_XDIST_WORKER"):
            _create_worker_database(url)
        _create_schema(url)
        yield None
        _engine(url).dispose()
        return
    template = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    url = f"sqlite:///{template}"
    _create_schema(url)
    _engine(url).dispose()
    yield template


@pytest.fixture
def database(database_template, app_config) -> str:
    """A fresh database with the schema for this test's app: its URL."""
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    if database_template is None:
        reset_postgres(url)
        yield url
        reset_postgres(url)
        return
    path = Path(sa.make_url(url).database)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(database_template, path)
    yield url


# --- the app ------------------------------------------------------------------------------------

@pytest.fixture
def app_config(tmp_path) -> dict:
    """Override in a test module to change settings before the app is made."""
    return make_config(tmp_path)


@pytest.fixture
def app(app_config, database):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- corpora built once per module --------------------------------------------------------------

@pytest.fixture(scope="module")
def _seeds() -> dict:
    return {}


@pytest.fixture
def seed(app, app_config, _seeds, tmp_path_factory):
    """`seed(name, build)`: the first test of a module runs `build()` (factories, services) on
    its fresh database; every later test of the module with the same settings gets a copy of
    the rows and the data dir (search index, uploads) that build left, in its own fresh
    database, and what build returned (plain values such as ids, not ORM objects).

    Restoring rows costs a few ms on SQLite and PostgreSQL alike; a corpus of 20 questions
    with their search index costs 0.5-2 s to build through the services."""

    def use(name: str, build: Callable[[], object]):
        settings = repr(sorted((key, value) for key, value in app_config.items()
                               if key not in ("KDE_DATA_DIR", "SQLALCHEMY_DATABASE_URI")))
        key = (name, settings)
        data_dir = Path(app.config["KDE_DATA_DIR"])
        if key in _seeds:
            value, rows, files = _seeds[key]
            with db.engine.begin() as conn:
                _restore_rows(conn, rows)
            shutil.rmtree(data_dir, ignore_errors=True)
            shutil.copytree(files, data_dir)
            return value
        value = build()
        commit()
        with db.engine.connect() as conn:
            rows = [(table, [dict(row._mapping) for row in conn.execute(sa.select(table))])
                    for table in _metadata().sorted_tables]
        files = tmp_path_factory.mktemp("seed") / "data"
        shutil.copytree(data_dir, files)
        _seeds[key] = (value, [(table, found) for table, found in rows if found], files)
        return value

    return use


def _restore_rows(conn, captured) -> None:
    """Insert captured rows in dependency order; a foreign key that closes a cycle
    (questions.accepted_answer_id) is set once both rows exist; sequences continue after."""
    later = []
    for table, rows in captured:
        deferred = {fk.parent.key for fk in table.foreign_keys if fk.constraint.use_alter}
        conn.execute(table.insert(), [{**row, **dict.fromkeys(deferred)} for row in rows])
        if deferred:
            later.append((table, deferred, rows))
    for table, deferred, rows in later:
        kept = [c.key for c in table.columns if c.onupdate is not None]  # e.g. updated_at
        for row in rows:
            if any(row[k] is not None for k in deferred):
                conn.execute(table.update()
                             .where(*(c == row[c.key] for c in table.primary_key.columns))
                             .values({k: row[k] for k in (*deferred, *kept)}))
    if conn.dialect.name == "postgresql":
        for table, rows in captured:
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto"
                                                    and isinstance(column.type, sa.Integer)):
                    conn.execute(sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                                 {"t": table.name, "c": column.name,
                                  "v": max(row[column.key] for row in rows)})


# --- factories: each commits what it made, as the request that made it would have ---------

@pytest.fixture
def make_org(app) -> Callable[..., Organisation]:
    counter = {"n": 0}

    def make(slug: str | None = None, type: str = "gemeente", domains=None,
             province: str | None = "Utrecht", inhabitants: int | None = 50_000, **kwargs):
        counter["n"] += 1
        slug = slug or f"org-{counter['n']}"
        # Every organisation its own domain: two organisations never share one.
        domains = [f"{slug}.example-gemeente.nl"] if domains is None else domains
        org = Organisation(slug=slug, name=kwargs.pop("name", f"Gemeente {slug.title()}"),
                           type=type, province=province, inhabitants=inhabitants,
                           domains=[OrganisationDomain(domain=d, source="reference")
                                    for d in domains], **kwargs)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app, make_org) -> Callable[..., User]:
    counter = {"n": 0}

    def make(email: str | None = None, org: Organisation | None = None, role: str = "member",
             password: str = PASSWORD, **kwargs):
        counter["n"] += 1
        org = org or make_org()
        email = email or f"user{counter['n']}@{(org.email_domains or ['example.nl'])[0]}"
        user = User(name=kwargs.pop("name", f"Test Gebruiker {counter['n']}"), email=email,
                    password_hash=hash_password(password), organisation=org, role=role,
                    approval=kwargs.pop("approval", "approved"),
                    email_verified_at=kwargs.pop("email_verified_at", utcnow()), **kwargs)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_law(app):
    """A complete law as the reference files describe one (valid for editors' forms too)."""
    from datetime import date

    from kde_community.laws.models import Law, LawMilestone, Obligation

    def make(slug: str = "ai-act", name: str = "AI-verordening", celex: str = "32024R1689",
             name_en: str | None = None, stage: str = "partly_applicable"):
        source = f"https://eur-lex.europa.eu/legal-content/NL/TXT/?uri=CELEX:{celex}"
        law = Law(slug=slug, short_name_nl=name, short_name_en=name_en or name, aliases=[name],
                  full_title=f"Verordening {name}", celex=celex, instrument="regulation",
                  stage=stage, summary=f"Over {name}.", summary_en=f"About {name_en or name}.",
                  sources=[source], checked_on=date(2026, 12, 1))
        law.milestones = [
            LawMilestone(kind="entry_into_force", date=date(2024, 8, 1),
                         label="In werking", label_en="In force"),
            LawMilestone(kind="application", date=date(2026, 8, 2),
                         label="Van toepassing", label_en="Applies"),
        ]
        law.obligations = [Obligation(key=f"{slug}-art-{n}", article=f"art. {n}",
                                      title=f"Verplichting {n}", title_en=f"Obligation {n}",
                                      applies_to=["gemeente"], role="direct",
                                      addressee="public sector bodies",
                                      sources=[f"{source}#art_{n}"], checked_on=date(2026, 12, 1))
                           for n in (4, 26, 27)]
        db.session.add(law)
        db.session.commit()
        return law

    return make


@pytest.fixture
def make_question(app, make_user):
    from kde_community.questions import services

    def make(author: User | None = None, title: str = "Hoe registreren jullie algoritmes?",
             body: str = "Wij zoeken een aanpak.", **data):
        author = author or make_user()
        question = services.ask_question(author, {"title": title, "body": body, **data})
        commit()
        return question

    return make


@pytest.fixture
def make_practice(app, make_user):
    from kde_community.practices import services

    def make(author: User | None = None, **data):
        author = author or make_user()
        practice = services.write_practice(author, {**PRACTICE, **data})
        commit()
        return practice

    return make
