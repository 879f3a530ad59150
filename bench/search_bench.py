"""Search benchmark: Whoosh (Dutch analysis, highlights, permission filter) side by side with
SQLite FTS5 on the same 100,000 contributions, in one run on one machine.

    make bench-search            # N=100000 by default; BENCH_N=20000 for a quick run

Prints a Markdown table; bench/README.md keeps the latest figures.
"""

from __future__ import annotations

import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBJECTS = [
    "algoritmeregister", "toegankelijkheidsverklaring", "inkoopvoorwaarden", "DPIA",
    "verwerkersovereenkomst", "datadeling", "glasvezel", "graafvergunning", "sensoren",
    "meetnet", "chatbot", "zaaksysteem", "cloudmigratie", "exitstrategie", "BIO2",
    "incidentmelding", "risicoanalyse", "basisregistratie", "geodata", "open data",
    "API", "identiteitswallet", "eHerkenning", "DigiD", "webformulier", "PDF-documenten",
    "Woo-verzoek", "archivering", "leveranciersmanagement", "aanbesteding",
    "menselijk toezicht", "AI-geletterdheid", "datakwaliteit", "interoperabiliteit",
    "informatiebeveiliging", "pentest", "back-up", "continuïteit", "crisisplan",
    "beïnvloeding", "consultatie", "subsidieaanvraag", "fondsen", "dashboard",
]
LAWS = ["AI-verordening", "AI Act", "AVG", "NIS2", "Cyberbeveiligingswet", "SDG-verordening",
        "Single Digital Gateway", "Data Act", "Datagovernanceverordening", "Open Data Richtlijn",
        "INSPIRE", "eIDAS 2", "Cyber Resilience Act", "CER-richtlijn", "DSA",
        "European Accessibility Act", "Webtoegankelijkheidsrichtlijn", "Gigabit Infrastructure Act"]
ORGS = ["gemeente", "provincie", "waterschap"]
VERBS = ["inrichten", "uitbesteden", "toetsen", "documenteren", "aanbesteden", "evalueren",
         "borgen", "melden", "publiceren", "koppelen", "beveiligen", "monitoren"]
QUESTIONS = [
    "Hoe pakken jullie {s} aan onder de {l}?", "Wie is verantwoordelijk voor {s} bij een {o}?",
    "Ervaringen met {s} {v} in een kleine {o}?", "Moet een {o} {s} {v} voor de {l}?",
    "Welke {s} gebruiken andere {o}n voor de {l}?", "Lessen over {s}: wat ging er mis?",
]
BODIES = [
    "Onze {o} wil {s} {v}. De {l} vraagt om duidelijke afspraken met leveranciers en wij "
    "twijfelen over de rol van de functionaris gegevensbescherming.",
    "Bij de invoering van {s} liepen wij tegen budgetten aan die bij verschillende afdelingen "
    "liggen. Hoe hebben andere overheden dat opgelost, en welke modelbepalingen gebruikten zij?",
    "Wij hebben {s} {v} zonder exitstrategie en zitten nu vast aan één leverancier. "
    "Wat zou u anders doen? De {l} maakt het urgent.",
    "Een provincie en drie waterschappen werken samen aan {s}. De vraag is hoe we de {l} "
    "toepassen op gedeelde systemen en wie de meldplicht heeft.",
]
QUERIES = [
    "algoritmeregister", "AI Act", "AI-verordening toezicht", "toegankelijkheidsverklaring pdf",
    "inkoopvoorwaarden", "inkoopvoorwaarde", "waterschappen sensoren", "provincies consultatie",
    "gemeenten glasvezel", "graafvergunning", "DPIA chatbot", "verwerkersovereenkomst",
    "exitstrategie", "cloudmigratie leverancier", "NIS2 meldplicht", "incidentmelding",
    "BIO2", "risicoanalyse", "open data API", "geodata INSPIRE", "SDG", "Single Digital Gateway",
    "eIDAS wallet", "identiteitswallet", "Woo-verzoek", "archivering", "aanbesteding AI",
    "menselijk toezicht", "AI-geletterdheid", "datakwaliteit", "interoperabiliteit",
    "pentest", "back-up", "continuïteit", "crisisplan", "beïnvloeding", "beinvloeding",
    "subsidieaanvraag fondsen", "dashboard", "basisregistratie", "eHerkenning", "DigiD",
    "webformulier", "leveranciersmanagement", "functionaris gegevensbescherming",
    "budgetten afdelingen", "modelbepalingen", "meldplicht", "gedeelde systemen",
    "kleine gemeente", "lessen", "wat ging er mis", "Data Act", "Datagovernanceverordening",
    "Cyber Resilience Act", "CER-richtlijn", "DSA", "European Accessibility Act",
    "Webtoegankelijkheidsrichtlijn", "Gigabit Infrastructure Act", "Cyberbeveiligingswet",
    "AVG", "informatiebeveiliging", "sensoren meetnet", "chatbot", "zaaksysteem",
    "zaaksysteem migratie", "PDF-documenten", "leverancier", "toezicht", "afspraken",
    "verantwoordelijk", "provincie waterschappen", "samenwerken", "ervaringen", "urgent",
    "documenteren", "publiceren", "koppelen", "beveiligen", "monitoren", "evalueren",
    "borgen", "uitbesteden", "toetsen", "inrichten", "melden", "aanbesteden", "rol",
    "modelbepalingen leveranciers", "exitstrategie leverancier", "glasvezel -graafvergunning",
    '"open data"', '"menselijk toezicht"', "algoritme*", "toegankelijk*", "inkoop*",
    "data OR geodata", "AI OR algoritme", "NIS2 -AVG", "gemeente provincie waterschap",
    "toegankelijkhied", "algoritmregister", "verwerkersovereenkomts", "registr*",
]


def generate(n: int, seed: int = 2026):
    rnd = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(n):
        values = {"s": rnd.choice(SUBJECTS), "l": rnd.choice(LAWS), "o": rnd.choice(ORGS),
                  "v": rnd.choice(VERBS)}
        title = rnd.choice(QUESTIONS).format(**values)
        body = " ".join(rnd.choice(BODIES).format(**{**values, "s": rnd.choice(SUBJECTS)})
                        for _ in range(rnd.randint(1, 3)))
        visibility = "members" if rnd.random() < 0.15 else "public"
        yield i + 1, title, body, visibility, start + timedelta(minutes=17 * i)


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    n = int(os.environ.get("BENCH_N", "100000"))
    work = Path(tempfile.mkdtemp(prefix="kde-bench-"))
    os.environ.update({"KDE_DATA_DIR": str(work),
                       "KDE_SECRET_KEY": "bench", "KDE_DATABASE_URL": f"sqlite:///{work}/bench.sqlite3"})
    from sqlalchemy import insert

    from kde_community import create_app
    from kde_community.accounts.models import User
    from kde_community.directory.models import Organisation
    from kde_community.extensions import db
    from kde_community.questions.models import Question
    from kde_community.search import services

    app = create_app()
    rows = list(generate(n))
    with app.app_context():
        db.create_all()
        org = Organisation(slug="bench", name="Gemeente Bench", type="gemeente", province="Utrecht")
        db.session.add(org)
        db.session.flush()
        user = User(name="Bench", email="bench@example.org", password_hash="!",  # noqa: S106
                    organisation_id=org.id, approval="approved", email_verified_at=datetime.now(UTC))
        db.session.add(user)
        db.session.commit()
        t0 = time.perf_counter()
        db.session.execute(insert(Question), [
            {"id": i, "title": t, "body": b, "visibility": v, "author_id": user.id,
             "organisation_id": org.id, "created_at": d, "updated_at": d, "last_activity_at": d,
             "revision": 1, "answer_count": 0, "score": 0, "close_reason": "", "close_note": "",
             "hidden_reason": ""}
            for i, t, b, v, d in rows])
        db.session.commit()
        load_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        indexed = services.reindex()
        whoosh_reindex = time.perf_counter() - t0

        # SQLite FTS5 on the same rows (unicode61 tokenizer with diacritics removed; no stemming).
        fts = sqlite3.connect(work / "fts.sqlite3")
        t0 = time.perf_counter()
        fts.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, visibility UNINDEXED, "
                    "tokenize='unicode61 remove_diacritics 2')")
        fts.executemany("INSERT INTO docs(rowid, title, body, visibility) VALUES (?,?,?,?)",
                        [(i, t, b, v) for i, t, b, v, _d in rows])
        fts.commit()
        fts_index = time.perf_counter() - t0

        member = db.session.get(User, user.id)
        whoosh_ms, fts_ms = [], []
        for query in QUERIES:
            t0 = time.perf_counter()
            result = services.search(member, query, per_page=20)
            [str(h.snippet) for h in result.items]
            whoosh_ms.append((time.perf_counter() - t0) * 1000)

            match = " ".join(f'"{w}"' for w in query.replace('"', " ").split()
                             if not w.startswith("-") and w not in ("OR",)) or '""'
            t0 = time.perf_counter()
            try:
                fts.execute("SELECT count(*) FROM docs WHERE docs MATCH ? AND visibility IN "
                            "('public','members')", (match,)).fetchone()
                fts.execute("SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', ' … ', 20) "
                            "FROM docs WHERE docs MATCH ? AND visibility IN ('public','members') "
                            "ORDER BY rank LIMIT 20", (match,)).fetchall()
            except sqlite3.OperationalError:
                pass
            fts_ms.append((time.perf_counter() - t0) * 1000)

    w50, w95 = statistics.median(whoosh_ms), percentile(whoosh_ms, 95)
    f50, f95 = statistics.median(fts_ms), percentile(fts_ms, 95)
    print(f"# Search benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"\n{indexed} documents (generated {n}, loaded in {load_s:.1f} s), {len(QUERIES)} queries, "
          "20 results per query with highlights, member permission filter.\n")
    print("| measure | Whoosh (Dutch stemming) | SQLite FTS5 (no stemming) | ratio |")
    print("|---|---|---|---|")
    print(f"| query p50 | {w50:.1f} ms | {f50:.1f} ms | {w50 / f50:.2f}× |")
    print(f"| query p95 | {w95:.1f} ms | {f95:.1f} ms | {w95 / f95:.2f}× |")
    print(f"| full (re)index | {whoosh_reindex:.1f} s | {fts_index:.1f} s | "
          f"{whoosh_reindex / fts_index:.1f}× |")


if __name__ == "__main__":
    main()
