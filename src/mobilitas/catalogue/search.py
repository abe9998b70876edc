"""Searching the catalogue: words in any language over titles, descriptions and learning outcomes, and filters.

Every course keeps its texts in all their languages, folded (lower case, no accents), in `search_text`; words
of a query are folded the same way, so "économie", "Economie" and "economie" find the same courses.

- PostgreSQL: full-text search with the "simple" configuration (no stemming, no stop words: the texts are in a
  dozen languages) over `to_tsvector('simple', search_text)`, every word a prefix ("ohjelm" finds
  "ohjelmointi"), ranked by ts_rank. Migration 0002 builds a GIN index on exactly that expression
  (`SEARCH_VECTOR`), so the planner can use it.
- SQLite (and any other database): every word must appear somewhere in `search_text` (a substring match, so a
  word also finds the longer words that contain it).

On both, courses whose code or title holds the first word come first.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Case, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Length, StrIndex
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.db.models.sql.compiler import SQLCompiler

from mobilitas.catalogue.models import Course
from mobilitas.institutions.models import Institution
from mobilitas.lib.text import fold

PER_PAGE = 25
MAX_WORDS = 8
# Must stay the expression of the index in migrations/0002_course_search_index.py.
SEARCH_VECTOR = SearchVector("search_text", config="simple")
# Letters and digits: what PostgreSQL's parser keeps of a word (also keeps tsquery operators out of the query).
_WORD = re.compile(r"[^\W_]+")
# What is kept of a query for PostgreSQL's parser: words, and the punctuation inside codes (ECO-201, BIZ3130.kand).
_PG_TEXT = re.compile(r"[\w][\w.\-/]*")


@dataclass(frozen=True)
class CourseFilters:
    institution: Institution | None = None
    language: str = ""  # of instruction, e.g. "fi"
    mode: str = ""
    ects_min: Decimal | None = None
    ects_max: Decimal | None = None
    eqf_level: int | None = None
    isced: str = ""  # a prefix: "06" finds 061 and 0613
    term: str = ""
    shared_only: bool = False


def search_words(q: str) -> list[str]:
    """The folded words of a query, at most MAX_WORDS: 'Économie, CS-A1110' -> ['economie', 'cs', 'a1110']."""
    return _WORD.findall(fold(q))[:MAX_WORDS]


def search_courses(queryset: QuerySet[Course], q: str = "", filters: CourseFilters | None = None) -> QuerySet[Course]:
    """`queryset` narrowed to the courses matching the words of `q` and `filters`, best matches first."""
    courses = filter_courses(queryset, filters or CourseFilters())
    words = search_words(q)
    if not words:
        return courses.order_by("institution__name", "code", "pk")
    title_first = _title_hit(words[0])
    if connection.vendor == "postgresql":
        query = PrefixQuery(" ".join(_PG_TEXT.findall(fold(q))[:MAX_WORDS]))
        return (
            courses.alias(search=SEARCH_VECTOR)
            .filter(search=query)
            .annotate(rank=SearchRank(SEARCH_VECTOR, query), title_hit=title_first)
            .order_by("-title_hit", "-rank", "code", "pk")
        )
    for word in words:
        courses = courses.filter(search_text__icontains=word)
    return courses.annotate(title_hit=title_first, position=StrIndex("search_text", Value(words[0]))).order_by(
        "-title_hit", "position", "code", "pk"
    )


class PrefixQuery(SearchQuery):
    """Every word PostgreSQL's parser finds in the text, each as a prefix, all required: 'eco-201 ohjelm' ->
    '-201':* & 'eco':* & 'ohjelm':*.

    The words are cut by the same parser that cut the courses' texts, so codes like ECO-201 (which it reads
    as 'eco' and '-201') match as they were indexed. The query is computed once (an InitPlan), so the GIN index
    still serves the `@@`."""

    def as_sql(  # type: ignore[override]  # SearchQuery and Func disagree on the signature; Django passes these
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        lexemes = f"unnest(to_tsvector('simple'::regconfig, {sql}))"
        # `sql` is the compiled placeholder of the query text: the text itself travels as a parameter.
        query = f"(SELECT string_agg(quote_literal(lexeme) || ':*', ' & ') FROM {lexemes})::tsquery"  # noqa: S608
        return query, params


def _title_hit(word: str) -> Case:
    """Whether `word` first occurs within the code and titles, which `search_text` starts with.

    The titles' length is read from their JSON text, a little longer than the titles themselves: close enough
    to rank title matches first."""
    position = StrIndex("search_text", Value(word))
    title_end = Length("code") + Length(Cast("titles", TextField())) + 1
    return Case(
        When(GreaterThan(position, 0) & LessThanOrEqual(position, title_end), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def filter_courses(courses: QuerySet[Course], filters: CourseFilters) -> QuerySet[Course]:
    if filters.institution is not None:
        courses = courses.filter(institution=filters.institution)
    if filters.language:
        # languages is a JSON list: ["fi", "en"] as text on every database.
        courses = courses.filter(languages__icontains=f'"{filters.language}"')
    if filters.mode:
        courses = courses.filter(mode=filters.mode)
    if filters.ects_min is not None:
        courses = courses.filter(ects__gte=filters.ects_min)
    if filters.ects_max is not None:
        courses = courses.filter(ects__lte=filters.ects_max)
    if filters.eqf_level is not None:
        courses = courses.filter(eqf_level=filters.eqf_level)
    if filters.isced:
        courses = courses.filter(isced_code__startswith=filters.isced)
    if filters.term:
        courses = courses.filter(term=filters.term)
    if filters.shared_only:
        courses = courses.filter(shared=True)
    return courses


def as_listed(courses: QuerySet[Course]) -> QuerySet[Course]:
    """What a result list reads: the institution joined, the long texts left in the database."""
    return courses.select_related("institution").defer("descriptions", "learning_outcomes", "search_text")


__all__ = [
    "PER_PAGE",
    "SEARCH_VECTOR",
    "CourseFilters",
    "as_listed",
    "filter_courses",
    "search_courses",
    "search_words",
]
