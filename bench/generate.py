"""Fill a benchmark database: the reference and demo data, then BENCH_N contributions
(questions, answers, practices, comments; public, members-only and own-organisation) written
by 20,000 members spread over every organisation, and the pages' targets.

    .venv/bin/python bench/generate.py        # BENCH_N=100000 by default; BENCH_N=20000 quick

The database is KDE_DATABASE_URL, or bench/data/bench.sqlite3. Schema, reference and demo data
come from the project's own commands; the bulk rows are inserted into the models' own tables
with the columns the services write (a first revision for each question, answer and practice,
tags in the link tables, answer counts kept), in chunks of one transaction each. The search
index is rebuilt at the end by `search reindex`. bench/data/targets.json names the pages to
measure and the member to log in as.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("BENCH_DATA_DIR", ROOT / "bench" / "data")).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_bench import BODIES, LAWS, ORGS, QUESTIONS, SUBJECTS, VERBS  # noqa: E402

MEMBERS = 20_000
CHUNK = 5_000
ANSWERS_ON_TARGET = 20
BENCH_EMAIL = "bench-lid@bench.example"
BENCH_PASSWORD = "bench-pages-kde-2026"  # noqa: S105 — a throwaway account in a throwaway database
# Shares of the N contributions.
MIX = {"question": 0.30, "answer": 0.45, "practice": 0.10, "comment": 0.15}
ANSWER_TEXTS = [
    "Wij hebben {s} {v} met een kleine werkgroep. De {l} vroeg vooral om goede documentatie; "
    "begin met een inventarisatie en leg verantwoordelijkheden vast.",
    "Bij onze {o} hielp het om {s} samen met de leverancier te {v}. Zie ook de modelbepalingen "
    "over exitstrategie en datadeling.",
    "Let op de meldplicht onder de {l}: die geldt ook als {s} is uitbesteed.",
]
COMMENT_TEXTS = ["Dank, dit helpt ons verder.", "Welke leverancier was dit?",
                 "Hebben jullie dit ook getoetst aan de {l}?", "Herkenbaar bij onze {o}."]


def bench_env() -> dict:
    DATA.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("KDE_DATABASE_URL", f"sqlite:///{DATA / 'bench.sqlite3'}")
    env.update({"KDE_DATA_DIR": str(DATA), "KDE_SECRET_KEY": env.get("KDE_SECRET_KEY", "bench")})
    return env


def flask(*args: str, env: dict) -> None:
    t0 = time.perf_counter()
    cmd = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "kde_community", *args]
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    print(f"  flask {' '.join(args)}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)


class Writer:
    """Bulk inserts in chunks, one transaction per chunk, with a progress line."""

    def __init__(self, db):
        self.db = db
        self.pending: dict = {}
        self.written = 0

    def add(self, table, row: dict) -> None:
        self.pending.setdefault(table, []).append(row)
        if sum(len(rows) for rows in self.pending.values()) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        from sqlalchemy import insert

        # Parents before children (a chunk may hold a question and its answers).
        for table in self.db.metadata.sorted_tables:
            if rows := self.pending.get(table):
                self.db.session.execute(insert(table), rows)
                self.written += len(rows)
        self.db.session.commit()
        self.pending = {}
        print(f"\r  {self.written:,} rows", end="", file=sys.stderr, flush=True)


def generate(n: int, seed: int = 2026) -> dict:
    from sqlalchemy import func, select, update

    from kde_community import create_app
    from kde_community.accounts.models import User
    from kde_community.accounts.passwords import hash_password
    from kde_community.clauses.models import Clause, ClauseSet
    from kde_community.content.models import Comment, Revision
    from kde_community.directory.models import Organisation
    from kde_community.extensions import db
    from kde_community.laws.models import Law, Theme
    from kde_community.practices.models import Practice
    from kde_community.questions.models import Answer, Question

    rnd = random.Random(seed)
    app = create_app()
    with app.app_context():
        orgs = db.session.execute(select(Organisation.id, Organisation.slug, Organisation.type)
                                  ).all()
        laws = db.session.execute(select(Law.id, Law.slug)).all()
        themes = db.session.execute(select(Theme.id, Theme.slug)).all()
        now = datetime.now(UTC)
        start = now - timedelta(days=3 * 365)
        out = Writer(db)
        links = {name: db.metadata.tables[name] for name in (
            "questions_laws", "questions_themes", "practices_laws", "practices_themes")}

        # Members: one password hash (the production cost) shared by every generated account.
        password_hash = hash_password(BENCH_PASSWORD)
        first_user = (db.session.scalar(select(func.max(User.id))) or 0) + 1
        member_org = {}
        for i in range(MEMBERS):
            uid = first_user + i
            org = orgs[i % len(orgs)]
            member_org[uid] = org.id
            out.add(User.__table__, {
                "id": uid, "name": f"Lid {i + 1} {org.slug}", "organisation_id": org.id,
                "email": BENCH_EMAIL if i == 0 else f"lid{i + 1}@bench.example",
                "password_hash": password_hash, "role": "member", "active": True,
                "approval": "approved", "email_verified_at": start, "job_title": "Adviseur",
                "created_at": start, "updated_at": start})
        users = list(member_org)

        def words():
            return {"s": rnd.choice(SUBJECTS), "l": rnd.choice(LAWS), "o": rnd.choice(ORGS),
                    "v": rnd.choice(VERBS)}

        def revision(kind, cid, fields, author, when, visibility, org_id):
            out.add(Revision.__table__, {
                "content_type": kind, "content_id": cid, "number": 1, "fields": fields,
                "author_id": author, "created_at": when, "visibility": visibility,
                "organisation_id": org_id, "anonymous": False, "reason": ""})

        next_id = {model: (db.session.scalar(select(func.max(model.id))) or 0) + 1
                   for model in (Question, Answer, Practice)}
        questions: list[tuple[int, str, int]] = []  # id, visibility, organisation
        practices: list[int] = []
        answers: list[int] = []
        counts = {kind: round(n * share) for kind, share in MIX.items()}
        # The kinds interleaved in time: answers and comments follow what they answer.
        plan = [kind for kind, count in counts.items() for _ in range(count)]
        rnd.shuffle(plan)
        plan = ["question"] + plan  # an answer needs a question to exist
        step = (now - start) / max(1, len(plan))

        def ask(when, visibility, author, title=None):
            qid = next_id[Question]
            next_id[Question] += 1
            w = words()
            title = title or rnd.choice(QUESTIONS).format(**w)
            body = "\n\n".join(rnd.choice(BODIES).format(**{**w, "s": rnd.choice(SUBJECTS)})
                               for _ in range(rnd.randint(1, 3)))
            law, theme = rnd.choice(laws), rnd.choice(themes)
            out.add(Question.__table__, {
                "id": qid, "title": title, "body": body, "visibility": visibility,
                "author_id": author, "organisation_id": member_org[author], "revision": 1,
                "answer_count": 0, "score": rnd.randint(0, 12), "close_reason": "",
                "close_note": "", "hidden_reason": "", "created_at": when, "updated_at": when,
                "last_activity_at": when})
            out.add(links["questions_laws"], {"question_id": qid, "law_id": law.id})
            out.add(links["questions_themes"], {"question_id": qid, "theme_id": theme.id})
            revision("question", qid, {"title": title, "body": body, "visibility": visibility,
                                       "themes": [theme.slug], "laws": [law.slug],
                                       "obligations": []}, author, when, visibility,
                     member_org[author])
            return qid

        def answer(when, qid, visibility, q_org, author):
            aid = next_id[Answer]
            next_id[Answer] += 1
            body = rnd.choice(ANSWER_TEXTS).format(**words())
            out.add(Answer.__table__, {
                "id": aid, "question_id": qid, "body": body, "author_id": author,
                "organisation_id": member_org[author], "revision": 1, "score": rnd.randint(0, 5),
                "hidden_reason": "", "created_at": when, "updated_at": when, "written_at": when})
            revision("answer", aid, {"body": body}, author, when, visibility, q_org)
            return aid

        for k, kind in enumerate(plan):
            when = start + step * k
            author = rnd.choice(users)
            if kind == "question":
                visibility = "members" if rnd.random() < 0.2 else "public"
                questions.append((ask(when, visibility, author), visibility, member_org[author]))
            elif kind == "answer":
                qid, visibility, q_org = rnd.choice(questions[-2000:])
                answers.append(answer(when, qid, visibility, q_org, author))
            elif kind == "practice":
                pid = next_id[Practice]
                next_id[Practice] += 1
                w = words()
                roll = rnd.random()
                visibility = "public" if roll < 0.6 else "members" if roll < 0.85 else "organisation"
                text = rnd.choice(BODIES).format(**w)
                sections = {"summary": text, "context": text, "goal": f"{w['s']} {w['v']}.",
                            "approach": rnd.choice(ANSWER_TEXTS).format(**w), "result": text,
                            "what_went_wrong": rnd.choice(BODIES).format(**w),
                            "lessons": rnd.choice(ANSWER_TEXTS).format(**w),
                            "recommendations": rnd.choice(ANSWER_TEXTS).format(**w)}
                title = f"{w['s'].capitalize()} {w['v']} bij een {w['o']}"
                outcome = rnd.choice(("success", "mixed", "failure"))
                law, theme = rnd.choice(laws), rnd.choice(themes)
                out.add(Practice.__table__, {
                    "id": pid, "title": title, **sections, "outcome": outcome,
                    "failure_causes": [], "period": "2024–2025", "effort": "Twee adviseurs",
                    "author_id": author, "organisation_id": member_org[author],
                    "visibility": visibility, "anonymous": False, "revision": 1,
                    "useful_count": rnd.randint(0, 9), "experienced_count": rnd.randint(0, 4),
                    "hidden_reason": "", "created_at": when, "updated_at": when})
                out.add(links["practices_laws"], {"practice_id": pid, "law_id": law.id})
                out.add(links["practices_themes"], {"practice_id": pid, "theme_id": theme.id})
                revision("practice", pid, {"title": title, **sections, "outcome": outcome,
                                           "period": "2024–2025", "effort": "Twee adviseurs",
                                           "visibility": visibility, "anonymous": "nee",
                                           "failure_causes": [], "themes": [theme.slug],
                                           "laws": [law.slug], "obligations": []},
                         author, when, visibility, member_org[author])
                practices.append(pid)
            else:
                target = rnd.random()
                if target < 0.5 or not answers:
                    target_type, target_id = "question", rnd.choice(questions[-2000:])[0]
                elif target < 0.8 or not practices:
                    target_type, target_id = "answer", rnd.choice(answers[-2000:])
                else:
                    target_type, target_id = "practice", rnd.choice(practices[-500:])
                out.add(Comment.__table__, {
                    "target_type": target_type, "target_id": target_id, "author_id": author,
                    "body": rnd.choice(COMMENT_TEXTS).format(**words()), "created_at": when,
                    "hidden_reason": ""})

        # The page targets: a public question with exactly 20 answers (and a public practice).
        asker = users[1]
        target_q = ask(now, "public", asker,
                       title="Hoe richten jullie de meldplicht onder NIS2 in bij een gemeente?")
        for i in range(ANSWERS_ON_TARGET):
            answer(now + timedelta(minutes=i + 1), target_q, "public", member_org[asker],
                   users[2 + i])
        out.flush()
        print(file=sys.stderr)

        # Counters the services keep with every answer.
        live = (select(func.count()).select_from(Answer)
                .where(Answer.question_id == Question.id, Answer.hidden_at.is_(None),
                       Answer.deleted_at.is_(None)).scalar_subquery())
        db.session.execute(update(Question).values(answer_count=live))
        db.session.commit()

        practice = db.session.scalar(select(Practice.id).where(
            Practice.visibility == "public", Practice.id.in_(practices[-1000:]))
            .order_by(Practice.id.desc()).limit(1))
        clause_count = (select(func.count()).select_from(Clause)
                        .where(Clause.set_id == ClauseSet.id, Clause.deleted_at.is_(None))
                        .scalar_subquery())
        clause_set = db.session.scalar(
            select(ClauseSet.id).where(ClauseSet.deleted_at.is_(None))
            .order_by((ClauseSet.visibility == "public").desc(), clause_count.desc()).limit(1))
        bench_org = db.session.get(Organisation, member_org[first_user])
        totals = {name: db.session.scalar(select(func.count()).select_from(model))
                  for name, model in (("users", User), ("organisations", Organisation),
                                      ("questions", Question), ("answers", Answer),
                                      ("practices", Practice), ("comments", Comment))}
    return {"n": n, "question": target_q, "practice": practice, "clause_set": clause_set,
            "organisation": bench_org.slug, "email": BENCH_EMAIL, "password": BENCH_PASSWORD,
            "totals": totals}


def main() -> None:
    n = int(os.environ.get("BENCH_N", "100000"))
    env = bench_env()
    os.environ.update(env)
    db_file = DATA / "bench.sqlite3"
    if env["KDE_DATABASE_URL"] == f"sqlite:///{db_file}" and db_file.exists():
        db_file.unlink()  # a fresh database every time: the figures name one data set
    t0 = time.perf_counter()
    print(f"Generating the benchmark database ({n:,} contributions) in {DATA}", file=sys.stderr)
    flask("db", "upgrade", env=env)
    flask("data", "load-reference", env=env)
    flask("data", "load-demo", env=env)
    targets = generate(n)
    targets["generate_s"] = round(time.perf_counter() - t0, 1)
    print(f"  schema, reference, demo and bulk data: {targets['generate_s']} s", file=sys.stderr)
    t0 = time.perf_counter()
    flask("search", "reindex", env=env)
    targets["reindex_s"] = round(time.perf_counter() - t0, 1)
    (DATA / "targets.json").write_text(json.dumps(targets, indent=2))
    print(json.dumps(targets, indent=2))


if __name__ == "__main__":
    main()
