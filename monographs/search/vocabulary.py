"""What a query means beyond its letters: other names for the same thing, and spelling.

Readers type "kidney cancer" for renal cell carcinoma, "HFSR" for hand-foot skin reaction,
"dose" for the dosage section and "sorafnib" for sorafenib. The names come from the
vocabulary editors keep (conditions with their abbreviations and synonyms, adverse-event
terms with theirs) and from a short list of the words readers use for the parts of a
monograph; they change how a query is read, never what a page shows.
"""

import logging
import re
import uuid
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import product
from typing import TypeVar

from django.core.cache import cache
from django.db import router
from django.db.models import Value

from monographs.models import AdverseEventTerm, Condition, SearchDocument
from monographs.models.content import section_anchor
from monographs.publishing.cache import (
    CACHE_UNAVAILABLE,
    SEARCH_KEY,
    cache_read_with_lookup,
    cache_value_read_with_lookup,
    on_commit_once,
    responses_invalidate_on_commit,
)

logger = logging.getLogger(__name__)

# The words readers use for each part of a monograph, by the section kind it answers
# (monographs.models.SectionKind). Each group is a set of interchangeable wordings.
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dosage", ("dose", "doses", "dosage", "dosing", "posology", "how much")),
    ("pharmacokinetics", ("pharmacokinetics", "pharmacokinetic", "pk", "half life")),
    ("mechanism", ("mechanism", "mechanism of action", "moa", "how it works")),
    ("indications", ("indications", "indication", "uses", "used for")),
    ("warnings", ("warnings", "warning", "precautions", "monitoring")),
    ("contraindications", ("contraindications", "contraindication", "contraindicated")),
    ("special_populations", ("pregnancy", "pregnant")),
    ("special_populations", ("paediatric", "pediatric", "children")),
    ("special_populations", ("hepatic impairment", "liver impairment")),
    ("special_populations", ("renal impairment", "kidney impairment")),
    (
        "adverse_events",
        ("adverse events", "side effects", "adverse effects", "adverse reactions", "toxicity"),
    ),
    ("interactions", ("interactions", "interaction", "drug interactions", "interacts")),
    ("resistance", ("resistance", "resistant")),
    (
        "subsequent_therapy",
        ("subsequent therapy", "second line", "after failure", "alternatives"),
    ),
    ("discontinuation", ("stopping", "stop", "discontinuation", "discontinue")),
)

MAX_PHRASE_WORDS = 6
MAX_ALTERNATIVES = 16
WORD = re.compile(r"[^\W_]+", re.UNICODE)
PARENTHESES = re.compile(r"\([^)]*\)")

# Spelling: only words at least this long are corrected, to one at least this similar.
SPELLING_MIN_LENGTH = 4
SPELLING_THRESHOLD = 0.4
SPELLING_WORD = re.compile(r"[^\W\d_]{4,40}", re.UNICODE)
# SQLite builds its list of words in Python from at most this many rows.
SPELLING_ROWS = 20_000

GENERATION_KEY = "search:vocabulary-generation"


def words_of(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in WORD.findall(text or ""))


def light_stem(token: str) -> str:
    """Enough stemming for substring matching: 'trials' finds 'trial', 'studies' 'study'."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3]
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _key(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(light_stem(w) for w in words)


def initials(name: str) -> str | None:
    """'hand-foot skin reaction' -> 'hfsr': the abbreviation clinicians make of a term of
    three words or more (words in parentheses left out); None for shorter names."""
    words = words_of(PARENTHESES.sub(" ", name))
    return "".join(w[0] for w in words) if len(words) >= 3 else None


@dataclass
class Synonyms:
    """Phrases (as word tuples, lightly stemmed) and the groups of wordings they stand for."""

    groups: list[list[tuple[str, ...]]] = field(default_factory=list)
    sections: list[str | None] = field(default_factory=list)
    by_phrase: dict[tuple[str, ...], list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, names: Iterable[str], section: str | None = None) -> None:
        wordings = list(dict.fromkeys(w for w in (words_of(n) for n in names) if w))
        if not wordings:
            return
        self.groups.append(wordings)
        self.sections.append(section)
        for wording in wordings:
            self.by_phrase[_key(wording)].append(len(self.groups) - 1)


def _build_synonyms() -> Synonyms:
    synonyms = Synonyms()
    for kind, wordings in TOPICS:
        synonyms.add(wordings, section_anchor(kind))
    # Conditions and terms in one query, from the database the search rows are read from (a
    # replica serving public reads); a term's abbreviation is made of its initials.
    database = router.db_for_read(SearchDocument)
    terms = (
        AdverseEventTerm.objects.using(database)
        .annotate(abbreviation=Value(""), is_term=Value(True))
        .order_by()
        .values_list("name", "synonyms", "abbreviation", "is_term")
    )
    conditions = (
        Condition.objects.using(database)
        .annotate(is_term=Value(False))
        .order_by()
        .values_list("name", "synonyms", "abbreviation", "is_term")
    )
    for name, others, abbreviation, is_term in conditions.union(terms, all=True):
        names = [name, abbreviation, *(others or [])]
        if is_term:
            names += [abbreviation for abbreviation in map(initials, names) if abbreviation]
        synonyms.add(names)
    return synonyms


@dataclass(frozen=True)
class QueryPlan:
    """A query as searched: each alternative is a list of words that must all match, and a
    row matching any alternative matches; the first is the query as typed. `covered` are
    the words the vocabulary recognised, `sections` the anchors of the monograph sections
    the query asks about."""

    tokens: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]
    covered: frozenset[str]
    sections: tuple[str, ...]


def query_plan(tokens: list[str]) -> QueryPlan:
    """The query's words with every other wording of the phrases the vocabulary knows.

    Phrases are matched longest first, left to right; a query with many of them keeps the
    first MAX_ALTERNATIVES combinations, the typed words always among them.
    """
    synonyms = search_synonyms()
    parts: list[list[tuple[str, ...]]] = []
    covered: set[str] = set()
    sections: list[str] = []
    position = 0
    while position < len(tokens):
        for end in range(min(len(tokens), position + MAX_PHRASE_WORDS), position, -1):
            phrase = tuple(tokens[position:end])
            groups = synonyms.by_phrase.get(_key(phrase))
            if groups:
                wordings = [phrase]
                for index in groups:
                    wordings += [w for w in synonyms.groups[index] if w not in wordings]
                    if synonyms.sections[index]:
                        sections.append(synonyms.sections[index])
                parts.append(wordings)
                covered.update(phrase)
                position = end
                break
        else:
            parts.append([(tokens[position],)])
            position += 1
    alternatives = []
    for combination in product(*parts):
        alternatives.append(tuple(word for wording in combination for word in wording))
        if len(alternatives) == MAX_ALTERNATIVES:
            break
    return QueryPlan(
        tokens=tuple(tokens),
        alternatives=tuple(dict.fromkeys(alternatives)),
        covered=frozenset(covered),
        sections=tuple(dict.fromkeys(sections)),
    )


# --- spelling -----------------------------------------------------------------------------


def spelling_words(*texts: str) -> set[str]:
    """The words of indexed text a misspelling may be corrected to: letters only, four or
    more, lower-cased (the same on both databases, so both suggest the same word)."""
    return {w.lower() for text in texts for w in SPELLING_WORD.findall(text or "")}


def trigrams(word: str) -> set[str]:
    """A word's trigrams as pg_trgm makes them: padded with two spaces before, one after."""
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two words."""
    first, second = trigrams(a), trigrams(b)
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def needs_correction(token: str, plan: QueryPlan) -> bool:
    return len(token) >= SPELLING_MIN_LENGTH and token not in plan.covered and token.isalpha()


def closest_words(tokens: Iterable[str], words: list[str]) -> dict[str, str]:
    """For each token that begins no word of the sorted list, the most similar word (at
    least SPELLING_THRESHOLD; ties to the first alphabetically), as PostgreSQL finds it."""
    corrections = {}
    for token in tokens:
        at = bisect_left(words, token)
        if at < len(words) and words[at].startswith(token):
            continue
        best = min(
            ((similarity(token, word), word) for word in words),
            key=lambda scored: (-round(scored[0], 6), scored[1]),
            default=(0.0, ""),
        )
        if best[0] >= SPELLING_THRESHOLD:
            corrections[token] = best[1]
    return corrections


def _build_spelling_words() -> list[str]:
    rows = SearchDocument.objects.values_list("title", "names", "body")[:SPELLING_ROWS]
    return sorted(set().union(*(spelling_words(*row) for row in rows)))


# --- caching ------------------------------------------------------------------------------

T = TypeVar("T")
_memo: dict[str, tuple[str, object]] = {}


def search_vocabulary_changed(*, using: str | None = None) -> None:
    """Forget the cached vocabulary: called whenever the index or the vocabulary changes
    (on database `using`).

    Called inside the writing transaction, so that what is read in it from now on is read
    afresh, and it forgets again once that commits: another process may have rebuilt its
    copy in between, from what was committed before; once however many records the
    transaction saves.
    """
    _generation_bump()
    on_commit_once(key="search-vocabulary-generation", action=_generation_bump, using=using)


def search_vocabulary_edited(*, using: str) -> None:
    """A condition or adverse-event term was saved or deleted (on database `using`): besides
    the vocabulary, the searches stored with the old reading of queries are retired, once
    the change has committed and once per transaction however many it saved (a load saves
    thousands, and each retirement is a purge sent to every caching proxy)."""
    search_vocabulary_changed(using=using)
    responses_invalidate_on_commit(keys=[SEARCH_KEY], using=using)


def _generation_bump() -> None:
    _memo.clear()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except CACHE_UNAVAILABLE as error:
        logger.warning("Cache unavailable, search vocabulary generation not changed: %s", error)


def _generation(*, now: bool = False) -> str:
    """Read with the response cache's lookup when there was one, unless asked for `now`: a
    search then costs the cache one round trip, not two (search_vocabulary_read_with_lookup)."""
    generation = None if now else cache_value_read_with_lookup(GENERATION_KEY)
    generation = generation or cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY) or ""
    return generation


def search_vocabulary_generation() -> str:
    """Changes whenever the vocabulary or the index does, on every node: what validates a
    search page besides the publications. Empty when the cache cannot be reached (the
    vocabulary is then read afresh for every search)."""
    try:
        return _generation()
    except CACHE_UNAVAILABLE as error:
        logger.warning("Cache unavailable, search vocabulary generation not read: %s", error)
        return ""


def search_vocabulary_read_with_lookup() -> None:
    """Have the response cache read the vocabulary's generation with each lookup."""
    cache_read_with_lookup(GENERATION_KEY)


def _cached(name: str, build: Callable[[], T]) -> T:
    """Built once per process and generation: a search reads the generation (with the
    response cache's lookup, where there was one) and nothing else until the index or the
    vocabulary changes."""
    try:
        generation = _generation()
        memo = _memo.get(name)
        if memo is None or memo[0] != generation:
            # Built for the generation as it is now: the lookup's may be older than a change
            # since, and a copy tagged with it would replace a newer one only to be rebuilt.
            generation = _generation(now=True)
            memo = _memo.get(name)
    except CACHE_UNAVAILABLE as error:
        # Other processes could not say the index changed: read it afresh every time.
        logger.warning("Cache unavailable, search vocabulary read afresh: %s", error)
        return build()
    if memo is not None and memo[0] == generation:
        return memo[1]  # type: ignore[return-value]
    value = build()
    _memo[name] = (generation, value)
    return value


def search_synonyms() -> Synonyms:
    return _cached("synonyms", _build_synonyms)


def search_spelling_words() -> list[str]:
    """The sorted words misspellings are corrected to (SQLite; PostgreSQL keeps a table)."""
    return _cached("spelling", _build_spelling_words)
