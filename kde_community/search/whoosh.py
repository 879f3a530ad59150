"""The Whoosh backend: the only module that imports whoosh.

One index per data directory ($KDE_DATA_DIR/search) and one writer at a time (Whoosh's lock
file): every process that writes waits for the lock, up to a timeout, and then raises
IndexBusy so the caller keeps its work for later. Several worker processes on one host share
the index; several hosts need the PostgreSQL backend (or one shared data directory).

Documents, the query language and its bounds: see backend.py.
"""

from __future__ import annotations

import fcntl
import heapq
import itertools
import os
import re
import threading
import time
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import Markup, escape
from whoosh import highlight, index, qparser, sorting, writing
from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.collectors import FilterCollector, WrappingCollector
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.idsets import BitSet
from whoosh.index import LockError
from whoosh.query import (
    And,
    AndMaybe,
    AndNot,
    ConstantScoreQuery,
    Every,
    Not,
    NullQuery,
    Or,
    Prefix,
    Term,
    Wildcard,
)
from whoosh.searching import ResultsPage, TimeLimit
from whoosh.support.charset import accent_map

from .analysis import STOP_WORDS, expand_query, split_compound
from .backend import (
    FACETS,
    MAX_EXPANSIONS,
    MAX_SUGGEST_WORD,
    MIN_PREFIX,
    OPERATORS,
    PREFIX_CAPPED,
    TIME_BUDGET,
    TOO_BROAD,
    Hit,
    IndexBusy,
    Loader,
    Results,
    bound_text,
    stamp,
)

# Reference documents are many and short; contributions are what people come for.
# A frontrunner topic repeats its obligation's title: the obligation itself ranks first.
TYPE_BOOST = {"law": 1.3, "obligation": 0.5, "organisation": 0.7, "network": 0.8,
              "frontrunner": 0.35}
# A query that names a law (law_terms): the law itself first, its obligations next; with
# other words ("AVG art. 35") an obligation that matches them well may pass the law.
LAW_BOOST = 40.0
LAW_BOOST_WITH_WORDS = 16.0
OBLIGATION_BOOST = 12.0
COORDINATION = 0.9      # "any of these words": documents with more of them rank higher
FEW_HITS = 3            # fewer hits with all words: search for any of them instead
TEXT_FIELDS = ("title", "body", "extra")
PREFIX_SCAN = 400       # lexicon words looked at to choose a prefix's MAX_EXPANSIONS words
WATERMARK_FILE = "kde-reconciled-at"
# Changes whenever documents are analysed differently: an index made with another version is
# replaced by an empty one, which the indexer's reconciliation then fills (no manual step).
ANALYSIS_VERSION = "2"
VERSION_FILE = "kde-analysis-version"


class CompoundFilter(Filter):
    """Indexes a Dutch compound's parts beside it, at its position ("algoritmeregister" is
    also "algoritme" and "register"). Queries are split by analysis.expand_query instead, so
    here only documents are."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            yield token
            if token.mode == "query":
                continue
            for part in split_compound(text):
                token.text = part
                token.stopped = False
                yield token


class DutchPluralFilter(Filter):
    """Plurals the Dutch Snowball stemmer leaves alone: provincies, waterschappen, algoritmes."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if text.endswith("schappen"):
                token.text = text[:-3]
            elif text.endswith("ies") and len(text) > 5:
                token.text = text[:-1]
            elif text.endswith("es") and len(text) > 6 and text[-3] not in "aeiouy":
                token.text = text[:-1]  # algoritmes -> algoritme, gemeentes -> gemeente
            yield token


class DutchDerivationFilter(Filter):
    """After stemming: a verbal noun in -ing means its verb ("melding" is "melden",
    "deling" is "delen"), which Snowball leaves apart when the word is short."""

    def __call__(self, tokens):
        for token in tokens:
            if token.text.endswith("ing") and len(token.text) >= 6:
                token.text = token.text[:-3]
            yield token


def dutch_analyzer():
    return (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | CompoundFilter()
            | StopFilter(stoplist=STOP_WORDS) | DutchPluralFilter()
            | StemFilter(lang="nl", cachesize=100_000) | DutchDerivationFilter())


def plain_analyzer():
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def schema() -> Schema:
    dutch = dutch_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True, sortable=True),
        id=STORED,
        title=TEXT(analyzer=dutch, stored=True, field_boost=3.0),
        body=TEXT(analyzer=dutch, stored=True),
        extra=TEXT(analyzer=dutch),
        url=STORED,
        date=DATETIME(stored=True, sortable=True),
        visibility=ID(stored=True),
        org_id=ID(stored=True),
        org_name=STORED,
        org_type=ID(stored=True, sortable=True),
        themes=KEYWORD(commas=True, stored=True),
        laws=KEYWORD(commas=True, stored=True, scorable=True),
        outcome=ID(stored=True, sortable=True),
        # The law a law or obligation document is (its slug): for naming a law in a query.
        about=ID,
        stamp=STORED,
        # Words for "did you mean": filled from public documents only, so a suggestion
        # can never reveal a word from private content.
        spelling=TEXT(analyzer=plain_analyzer(), spelling=True),
        # User ids who see the document whatever its audience (a write-up's writers).
        writers=KEYWORD(commas=True),
        # Organisation ids whose members see it whatever its audience (a participants-only
        # clause set's lead and participating organisations).
        orgs=KEYWORD(commas=True),
    )


class MarkFormatter(highlight.Formatter):
    """Escaped text; only the <mark> around matches is HTML."""

    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{escape(highlight.get_text(text, token, replace))}</mark>"

    def _text(self, text):
        return str(escape(text))


_readers = threading.local()


class WhooshBackend:
    """SearchBackend (backend.py) on a Whoosh index in one directory."""

    name = "whoosh"

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @classmethod
    def from_config(cls, data_dir: Path) -> WhooshBackend:
        return cls(Path(data_dir) / "search")

    def searcher(self):
        """A searcher kept per thread and refreshed when the index changed: opening one per
        query would throw away Whoosh's caches."""
        cache = getattr(_readers, "by_dir", None)
        if cache is None:
            cache = _readers.by_dir = {}
        current = cache.get(self.directory)
        if current is not None and not current.up_to_date():
            # Not Searcher.refresh(): it reuses segment readers and so misses deletions
            # in a segment that is still there.
            current.close()
            current = None
        if current is None:
            current = self.open().searcher()
            cache[self.directory] = current
        return current

    # --- storage --------------------------------------------------------------------------

    def open(self):
        """The index, made empty the first time. Creating is done under a file lock: two
        workers starting at once must not both create it (the second would wipe the first's
        documents)."""
        if index.exists_in(self.directory) and self._current_analysis():
            return index.open_dir(self.directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / ".create.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not index.exists_in(self.directory) or not self._current_analysis():
                # New, or analysed by another version: start empty (and unreconciled).
                index.create_in(self.directory, schema())
                (self.directory / WATERMARK_FILE).unlink(missing_ok=True)
                (self.directory / VERSION_FILE).write_text(ANALYSIS_VERSION)
        return index.open_dir(self.directory)

    def _current_analysis(self) -> bool:
        try:
            return (self.directory / VERSION_FILE).read_text().strip() == ANALYSIS_VERSION
        except OSError:
            return False

    def clear(self) -> None:
        writer = self._writer(timeout=60.0)
        writer.commit(mergetype=writing.CLEAR)

    def refresh(self, keys: Collection[str], load: Loader, *, timeout: float = 30.0) -> int:
        """Read the documents once the write lock is ours, so the newest committed text wins
        whichever worker writes last; entries whose stamp is unchanged are not rewritten."""
        writer = self._writer(timeout=timeout)
        changed = 0
        try:
            changes = load(keys)
            with self.open().searcher() as current:  # the committed index: we hold the lock
                for key, doc in changes.items():
                    stored = current.document(key=key)
                    if doc is None and stored is None:
                        continue
                    if doc is not None and stored is not None \
                            and stored.get("stamp") == (doc.get("stamp") or stamp(doc)):
                        continue
                    writer.delete_by_term("key", key)
                    if doc is not None:
                        writer.add_document(**self._fields(doc))
                    changed += 1
        except BaseException:
            writer.cancel()
            raise
        if changed:
            writer.commit()
        else:
            writer.cancel()
        return changed

    def apply(self, changes: Mapping[str, dict | None], *, timeout: float = 30.0) -> None:
        """Replace or remove documents by key, in one commit (delete, then add)."""
        writer = self._writer(timeout=timeout)
        try:
            for key, doc in changes.items():
                writer.delete_by_term("key", key)
                if doc is not None:
                    writer.add_document(**self._fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[dict], *, timeout: float = 60.0) -> int:
        """All documents in new segments that replace the old ones at commit: searchers keep
        the old index until then, and the lock keeps other writers waiting."""
        writer = self._writer(timeout=timeout, procs=1, limitmb=256)
        n = 0
        try:
            for doc in docs:
                writer.add_document(**self._fields(doc))
                n += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=writing.CLEAR)
        return n

    def _writer(self, timeout: float, **kwargs):
        """The index's one writer (IndexBusy after `timeout` seconds of waiting), with every
        field this version indexes: an index made by an older version gains the new fields
        (empty until its documents are refreshed, which the stamps make happen)."""
        try:
            writer = self.open().writer(timeout=timeout, delay=0.05, **kwargs)
        except LockError:
            raise IndexBusy(f"the search index in {self.directory} is being written by "
                            f"another process") from None
        try:
            for name, field_type in schema().items():
                if name not in writer.schema:
                    writer.add_field(name, field_type)
        except BaseException:
            writer.cancel()
            raise
        return writer

    def stamps(self, keys: Collection[str] | None = None) -> dict[str, str]:
        with self.open().searcher() as searcher:
            if keys is None:
                return {fields["key"]: fields.get("stamp", "")
                        for fields in searcher.all_stored_fields()}
            found = {}
            for key in keys:
                fields = searcher.document(key=key)
                if fields is not None:
                    found[key] = fields.get("stamp", "")
            return found

    def keys(self) -> set[str]:
        """From the key field's terms, skipping terms only deleted documents still have."""
        with self.open().searcher() as searcher:
            reader = searcher.reader()
            terms = (t.decode() if isinstance(t, bytes) else t for t in reader.lexicon("key"))
            if not reader.has_deletions():
                return set(terms)
            return {t for t in terms if reader.postings("key", t).is_active()}

    def watermark(self) -> datetime | None:
        try:
            raw = (self.directory / WATERMARK_FILE).read_text().strip()
            current = index.exists_in(self.directory) and self._current_analysis()
            return datetime.fromisoformat(raw) if current else None
        except (OSError, ValueError):
            return None

    def set_watermark(self, when: datetime) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        draft = self.directory / f".{WATERMARK_FILE}.{os.getpid()}"
        draft.write_text(when.astimezone(UTC).isoformat())
        os.replace(draft, self.directory / WATERMARK_FILE)

    def suggest(self, text: str) -> str | None:
        return self._suggest(self.searcher(), text)

    @staticmethod
    def _fields(doc: dict) -> dict:
        date = doc.get("date")
        if isinstance(date, datetime) and date.tzinfo is not None:
            date = date.astimezone(UTC).replace(tzinfo=None)
        fields = {
            "key": doc["key"], "type": doc["type"], "id": doc["id"],
            "title": doc.get("title") or "", "body": doc.get("body") or "",
            "extra": doc.get("extra") or "", "url": doc.get("url") or "",
            "visibility": doc.get("visibility", "public"),
            "org_id": str(doc.get("org_id") or ""), "org_name": doc.get("org_name") or "",
            "org_type": doc.get("org_type") or "", "themes": ",".join(doc.get("themes") or []),
            "laws": ",".join(doc.get("laws") or []), "outcome": doc.get("outcome") or "",
            "about": doc.get("about") or "",
            "writers": ",".join(str(user_id) for user_id in doc.get("writers") or []),
            "orgs": ",".join(str(org_id) for org_id in doc.get("orgs") or []),
            "stamp": doc.get("stamp") or stamp(doc),
            "_boost": TYPE_BOOST.get(doc["type"], 1.0),
        }
        if date:
            fields["date"] = date
        if fields["visibility"] == "public":
            fields["spelling"] = f"{fields['title']} {fields['body']}"
        return fields

    # --- querying -------------------------------------------------------------------------

    def search(self, text: str, *, audience: dict, law_terms: list[str], filters: dict,
               sort: str = "relevance", page: int = 1, per_page: int = 20,
               time_budget: float = TIME_BUDGET, match: str = "all") -> Results:
        """`audience`: {"members": bool, "org_id": int|None, "user_id": int|None} (a member's
        organisation and id); `law_terms`: law slugs the query named by one of their aliases
        (already removed from `text`); `match`: "all" words (and "any" of them when that finds
        fewer than FEW_HITS) or "any" (more of them ranks higher). Matching stops after
        `time_budget` seconds."""
        deadline = time.monotonic() + time_budget
        searcher = self.searcher()
        text, notices = bound_text(text)
        expanded = expand_query(text)
        allowed = self._audience_docs(searcher, audience)
        narrowed = [Term(name, value) for name, value in filters.items() if value]
        if narrowed:
            restrict = And(narrowed) if len(narrowed) > 1 else narrowed[0]
            allowed = allowed & BitSet(searcher.docs_for_query(restrict),
                                       size=searcher.doc_count_all())
        if next(iter(allowed), None) is None:
            # Never hand Whoosh an empty allow-list: it reads an empty one as "no filter".
            return Results([], 0, page, per_page, {name: [] for name in FACETS}, None, notices)
        query = self._query(searcher.schema, expanded, law_terms, match)
        results = self._collect(searcher, query, allowed, sort, page, per_page, deadline, notices)
        if match == "all" and results.total < FEW_HITS and TOO_BROAD not in notices \
                and len(re.findall(r"\w+", text)) > 1:
            wider = self._query(searcher.schema, expanded, law_terms, "any")
            if wider != query:
                more = self._collect(searcher, wider, allowed, sort, page, per_page, deadline,
                                     notices)
                results = more if more.total > results.total else results
        if any(isinstance(q, BoundedPrefix) and q.capped(searcher.reader())
               for q in query.leaves()):
            notices.append(PREFIX_CAPPED)
        results.results.fragmenter = highlight.ContextFragmenter(maxchars=300, surround=60)
        results.results.formatter = MarkFormatter()
        items = []
        for hit in results:
            snippet = hit.highlights("body", top=2) or hit.highlights("title") or ""
            if not snippet:
                snippet = str(escape(hit.get("body", "")[:240]))
            items.append(Hit(
                type=hit["type"], id=hit["id"], title=hit["title"], url=hit["url"],
                snippet=Markup(snippet),  # noqa: S704 — escaped by MarkFormatter
                org_name=hit.get("org_name", ""),
                date=hit.get("date").replace(tzinfo=UTC) if hit.get("date") else None,
                score=float(hit.score or 0.0),
            ))
        by_type = results.results.groups("type")
        matched = set().union(*by_type.values()) if by_type else set()
        counts = {
            "type": {value: len(docs) for value, docs in by_type.items()},
            "org_type": results.results.groups("org_type"),
            "outcome": results.results.groups("outcome"),
        }
        for name in ("themes", "laws"):
            counts[name] = {term: len(matched & docs)
                            for term, docs in self._term_docs(searcher, name).items()}
        facet_counts = {
            name: sorted(((value, n) for value, n in counts[name].items() if value and n),
                         key=lambda item: (-item[1], item[0]))
            for name in FACETS
        }
        suggestion = None
        if text.strip() and results.total < FEW_HITS and TOO_BROAD not in notices:
            suggestion = self._suggest(searcher, text)
        return Results(items, results.total, page, per_page, facet_counts, suggestion, notices)

    def _collect(self, searcher, query, allowed, sort, page, per_page, deadline, notices):
        """One page of hits for the query among the allowed documents, grouped for the facets;
        TOO_BROAD in `notices` when the deadline cut matching short."""
        # Single-valued facets come from columns; "type" also yields every matching document,
        # which the multi-valued facets (themes, laws) intersect with cached term postings.
        facets = {"type": sorting.FieldFacet("type", maptype=sorting.UnorderedList),
                  "org_type": sorting.FieldFacet("org_type"),
                  "outcome": sorting.FieldFacet("outcome")}
        sortedby = sorting.FieldFacet("date", reverse=True) if sort == "date" else None
        inner = searcher.collector(limit=page * per_page, groupedby=facets, sortedby=sortedby,
                                   maptype=sorting.Count)
        # The allow-list wraps the deadline: Whoosh filters only in the outermost collector.
        collector = FilterCollector(DeadlineCollector(inner, deadline), allow=allowed)
        try:
            searcher.search_with_collector(query, collector)
        except TimeLimit:
            if TOO_BROAD not in notices:
                notices.append(TOO_BROAD)
        return ResultsPage(collector.results(), page, per_page)

    @staticmethod
    def _term_docs(searcher, field: str) -> dict[str, frozenset[int]]:
        """Documents per value of a small-vocabulary field, cached with the searcher."""
        cache = searcher.__dict__.setdefault("_kde_term_docs", {})
        if field not in cache:
            cache[field] = {
                term.decode() if isinstance(term, bytes) else term:
                    frozenset(searcher.docs_for_query(Term(field, term)))
                for term in searcher.lexicon(field)
            }
        return cache[field]

    @staticmethod
    def _audience_docs(searcher, audience: dict) -> BitSet:
        """The documents the reader may see, as an allow-list (permissions.py, as in lists):
        public; for members also members-only, their own organisation's, and what they wrote.
        Hidden and deleted content is never in the index. The shared part is cached with the
        searcher, so only the reader's own few documents are looked up per query."""
        members = bool(audience.get("members"))
        cache = searcher.__dict__.setdefault("_kde_audience", {})
        key = "members" if members else "public"
        if key not in cache:
            visibilities = ["public", "members"] if members else ["public"]
            cache[key] = BitSet(
                searcher.docs_for_query(Or([Term("visibility", v) for v in visibilities])),
                size=searcher.doc_count_all())
        allowed = cache[key]
        if not members:
            return allowed
        own = []
        if audience.get("org_id"):
            own.append(And([Term("visibility", "organisation"),
                            Term("org_id", str(audience["org_id"]))]))
            own.append(Term("orgs", str(audience["org_id"])))
        if audience.get("user_id"):
            own.append(Term("writers", str(audience["user_id"])))
        extra = list(searcher.docs_for_query(Or(own))) if own else []
        if not extra:
            return allowed
        allowed = allowed.copy()
        allowed.update(extra)
        return allowed

    def _parser(self, schema, group):
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=group)
        parser.remove_plugin_class(qparser.FieldsPlugin)
        parser.remove_plugin_class(qparser.RangePlugin)
        parser.remove_plugin_class(qparser.BoostPlugin)
        parser.remove_plugin_class(qparser.EveryPlugin)
        parser.add_plugin(qparser.PlusMinusPlugin())
        return parser

    def _words_parser(self, schema, group):
        """Every token a word: no operators, groups, phrases or wildcards."""
        return qparser.MultifieldParser(list(TEXT_FIELDS), schema, group=group, plugins=[])

    def _query(self, schema, text: str, law_terms: list[str], match: str):
        """The query for bounded, expanded text. A query that names laws finds what concerns
        them, the laws themselves first and their obligations next, its other words ranking
        (not narrowing) those."""
        # Beside a law's name the other words only rank, so any of them counts.
        wide = match == "any" or law_terms
        group = qparser.OrGroup.factory(COORDINATION) if wide else qparser.AndGroup
        words = self._parse(schema, text, group)
        if not law_terms:
            if words is not None:
                return words
            return Every() if not text.strip() else NullQuery
        named = [Term("laws", slug) for slug in law_terms]
        ranking = [words] if words is not None else []
        law_boost = LAW_BOOST if words is None else LAW_BOOST_WITH_WORDS
        for slug in law_terms:
            ranking.append(ConstantScoreQuery(And([Term("type", "law"), Term("about", slug)]),
                                              law_boost))
            ranking.append(ConstantScoreQuery(
                And([Term("type", "obligation"), Term("about", slug)]), OBLIGATION_BOOST))
        return AndMaybe(Or(named) if len(named) > 1 else named[0], Or(ranking))

    def _parse(self, schema, text: str, group):
        """The query language, or failing that its plain words (operators, quotes and brackets
        ignored), or None; never an exception."""
        text = text.strip()
        if not text:
            return None
        words = " ".join(re.findall(r"\w+", text))
        for make_parser, attempt in ((self._parser, text), (self._words_parser, words)):
            if not attempt:
                continue
            try:
                parsed = _bounded_query(make_parser(schema, group).parse(attempt))
            except Exception:  # noqa: BLE001 — any syntax error falls back to plain words
                parsed = None
            if not _is_degenerate(parsed):
                return parsed
        return None

    def _suggest(self, searcher, text: str) -> str | None:
        """"Did you mean": each word corrected to the nearest word of a document that is public
        now. The lexicon still holds the words of deleted (e.g. since made private) documents
        until segments merge, so a candidate counts only if a live public document has it."""
        words = [token.text for token in plain_analyzer()(
            " ".join(word for word in re.findall(r"\w+", text) if word not in OPERATORS))]
        if not words or len(words) > 8:
            return None
        public = self._audience_docs(searcher, {"members": False})
        corrected, changed = [], False
        for word in words:
            better = None
            if 3 < len(word) <= MAX_SUGGEST_WORD and word not in STOP_WORDS \
                    and not _public_count(searcher, word, public):
                better = _closest_public_word(searcher, word, public)
            corrected.append(better or word)
            changed = changed or better is not None
        return " ".join(corrected) if changed else None


class DeadlineCollector(WrappingCollector):
    """Stops matching at a deadline (raises TimeLimit; the collected hits remain).

    Not Whoosh's TimeLimitCollector: it needs a timer thread or SIGALRM, and it checks only in
    its own collect loop, which runs instead of the allow-list's (outside the FilterCollector
    it would let every match through) or not at all (inside it). This checks the clock as
    matches are read, inside the FilterCollector."""

    def __init__(self, child, deadline: float):
        super().__init__(child)
        self.deadline = deadline

    def matches(self):
        for n, docnum in enumerate(self.child.matches()):
            if not n & 127 and time.monotonic() > self.deadline:
                raise TimeLimit
            yield docnum


class BoundedPrefix(Prefix):
    """`word*` standing for at most MAX_EXPANSIONS words: the most frequent of the first
    PREFIX_SCAN in the lexicon (an unbounded prefix expands to thousands of term readers)."""

    def _btexts(self, ixreader):
        scanned = list(itertools.islice(ixreader.expand_prefix(self.fieldname, self.text),
                                        PREFIX_SCAN))
        if len(scanned) <= MAX_EXPANSIONS:
            return scanned
        frequency = ixreader.doc_frequency
        return sorted(heapq.nlargest(MAX_EXPANSIONS, scanned,
                                     key=lambda term: frequency(self.fieldname, term)))

    def capped(self, ixreader) -> bool:
        words = ixreader.expand_prefix(self.fieldname, self.text)
        return len(list(itertools.islice(words, MAX_EXPANSIONS + 1))) > MAX_EXPANSIONS


def _bounded_query(query):
    """The parsed query with every pattern bounded (defence in depth behind bound_text) and
    no AndNot: Whoosh's AndNot matcher can miss its first exclusion."""

    def visit(q):
        if isinstance(q, AndNot):
            return And([q.a, Not(q.b)])
        if isinstance(q, (Prefix, Wildcard)) and not isinstance(q, BoundedPrefix):
            literal = re.split(r"[*?\[]", q.text, maxsplit=1)[0]
            if len(literal) < MIN_PREFIX:
                return Term(q.fieldname, literal, boost=q.boost)
            return BoundedPrefix(q.fieldname, literal, boost=q.boost)
        return q

    return None if query is None else query.accept(visit)


def _public_count(searcher, word: str, public) -> int:
    """Live public documents with this word (deleted documents' postings are skipped)."""
    return sum(1 for docnum in searcher.docs_for_query(Term("spelling", word)) if docnum in public)


def _closest_public_word(searcher, word: str, public) -> str | None:
    """The nearest word (edit distance 1, then 2) in a live public document, most common first."""
    for distance in (1, 2):
        candidates = set()
        for reader, _offset in searcher.reader().leaf_readers():
            if "spelling" in reader.schema:
                # The first letter is kept: most typos are later, and it bounds the search.
                candidates.update(reader.terms_within("spelling", word, distance, prefix=1))
        candidates.discard(word)
        candidates -= STOP_WORDS  # "did you mean" offers meaningful words only
        counted = [(n, candidate) for candidate in sorted(candidates)
                   if (n := _public_count(searcher, candidate, public))]
        if counted:
            return max(counted, key=lambda item: item[0])[1]
    return None


def _is_degenerate(query) -> bool:
    return query is None or query is NullQuery or isinstance(query, type(NullQuery))
