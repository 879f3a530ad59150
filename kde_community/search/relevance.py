"""Judged relevance: does search find what civil servants mean? (bench/relevance/)

The judgements (bench/relevance/judgements.toml) list real queries with the documents that must
be among the first three or ten hits. `evaluate` runs them through `services.search` as a
visitor (the search page's path, with its "did you mean" when a query finds nothing) on
whatever the database and index hold (the reference and demo data), whichever backend is
configured, and scores them:

- MRR: the mean over queries of 1 / the rank of the first judged document (0 if none in ten);
- recall@10: the mean over queries of the share of its judged documents in the first ten;
- a query passes when every top3 document is in the first three and every top10 one in ten.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..config import PROJECT_ROOT
from ..extensions import db
from ..laws.models import Law
from . import services

JUDGEMENTS = PROJECT_ROOT / "bench" / "relevance" / "judgements.toml"
DEPTH = 10


class JudgementError(ValueError):
    """A judgement that names no document, or more than one."""


@dataclass
class Judged:
    q: str
    top3: list[str]
    top10: list[str]
    named: bool = False

    @property
    def refs(self) -> list[str]:
        return [*self.top3, *self.top10]


@dataclass
class Outcome:
    judged: Judged
    ranks: dict[str, int | None]   # ref -> rank (1-based) in the first DEPTH hits, or None
    hits: list[str]                # the first DEPTH hits, "type:id title"

    @property
    def reciprocal_rank(self) -> float:
        found = [rank for rank in self.ranks.values() if rank]
        return 1 / min(found) if found else 0.0

    @property
    def recall(self) -> float:
        return sum(1 for rank in self.ranks.values() if rank) / len(self.ranks)

    @property
    def failures(self) -> list[str]:
        wrong = []
        for ref in self.judged.top3:
            if not self.ranks[ref] or self.ranks[ref] > 3:
                wrong.append(f"{ref} at {self.ranks[ref] or '>10'} (wanted top 3)")
        for ref in self.judged.top10:
            if not self.ranks[ref]:
                wrong.append(f"{ref} not in the first {DEPTH}")
        return wrong

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class Report:
    backend: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def mrr(self) -> float:
        return sum(o.reciprocal_rank for o in self.outcomes) / len(self.outcomes)

    @property
    def recall(self) -> float:
        return sum(o.recall for o in self.outcomes) / len(self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def text(self) -> str:
        lines = [f"Search relevance ({self.backend}, {len(self.outcomes)} judged queries)",
                 f"MRR        {self.mrr:.3f}", f"recall@10  {self.recall:.3f}",
                 f"passed     {len(self.outcomes) - len(self.failed)} of {len(self.outcomes)}"]
        below = [o for o in self.outcomes if o.ok and o.reciprocal_rank < 1]
        if below:
            lines.append("\nPassed, first judged hit not first: " + "; ".join(
                f"{o.judged.q!r} ({round(1 / o.reciprocal_rank) if o.reciprocal_rank else '-'})"
                for o in below))
        for outcome in self.failed:
            lines.append(f"\nFAILED {outcome.judged.q!r}")
            lines.extend(f"  - {failure}" for failure in outcome.failures)
            lines.append("  got: " + "; ".join(outcome.hits[:5]))
        return "\n".join(lines)


def load(path: Path = JUDGEMENTS) -> list[Judged]:
    with path.open("rb") as fh:
        rows = tomllib.load(fh)["query"]
    return [Judged(q=row["q"], top3=list(row.get("top3", [])), top10=list(row.get("top10", [])),
                   named=bool(row.get("named"))) for row in rows]


def resolve(refs: set[str]) -> dict[str, str]:
    """ref -> index key ("type:id"); JudgementError for a ref that names no or several."""
    slugs = {slug: law_id for slug, law_id in db.session.execute(select(Law.slug, Law.id))}
    titles: dict[str, list[tuple[str, str]]] = {}
    for key, doc in services.all_documents():
        if doc["visibility"] == "public":  # judged as a visitor: only what a visitor sees
            titles.setdefault(doc["type"], []).append((doc["title"], key))
    keys = {}
    for ref in refs:
        kind, _, text = ref.partition("/")
        if kind == "law":
            if text not in slugs:
                raise JudgementError(f"{ref}: no law with that slug")
            keys[ref] = f"law:{slugs[text]}"
            continue
        docs = titles.get(kind, [])
        exact = [key for title, key in docs if title == text]
        found = exact or [key for title, key in docs if text.lower() in title.lower()]
        if len(found) != 1:
            raise JudgementError(f"{ref}: {len(found)} public documents match")
        keys[ref] = found[0]
    return keys


def evaluate(judgements: list[Judged] | None = None) -> Report:
    judgements = judgements if judgements is not None else load()
    keys = resolve({ref for judged in judgements for ref in judged.refs})
    report = Report(services.backend().name)
    for judged in judgements:
        results = services.search(None, judged.q, per_page=DEPTH, autocorrect=True)
        ranked = [f"{hit.type}:{hit.id}" for hit in results.items]
        ranks = {ref: ranked.index(keys[ref]) + 1 if keys[ref] in ranked else None
                 for ref in judged.refs}
        report.outcomes.append(Outcome(judged, ranks, [f"{hit.type}:{hit.id} {hit.title[:60]}"
                                                       for hit in results.items]))
    return report
