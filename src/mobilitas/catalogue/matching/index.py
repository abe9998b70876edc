"""The matching index: for a course, rank the courses of a catalogue that could be recognised as equivalent.

    index = build_index(documents, embedder=default_embedder())   # or embedder=None: lexical only
    for suggestion in index.suggest(query, k=10, restrict_to=keys_of_the_host_institution):
        suggestion.score, suggestion.document.title(), suggestion.explanation.sentences()

A suggestion's score adds up, with the weights of `Weights`: the character n-gram similarity of the texts (all
language versions) and of the titles alone, the similarity of meaning of the texts and of the titles given by a
multilingual embedding (when there is an embedder), and the agreement of credits, EQF level and ISCED-F field.
The score is for ranking; the explanation says what it rests on.
"""

import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from mobilitas.catalogue.matching import metadata
from mobilitas.catalogue.matching.documents import MatchDocument
from mobilitas.catalogue.matching.embeddings import Embedder
from mobilitas.catalogue.matching.explanation import Explanation
from mobilitas.catalogue.matching.lexical import LexicalIndex

Restriction = Collection[str] | Callable[[MatchDocument], bool] | None


@dataclass(frozen=True)
class Weights:
    """How much each signal counts. Chosen on the evaluation sets of bench/course_matching.py (a small grid over
    the text and meaning weights; credits, level and field kept small so that they only break near-ties): the
    embedded titles carry most of the cross-language signal, the n-grams most of the same-language one."""

    text: float = 0.5
    title: float = 0.5
    meaning: float = 1.0
    title_meaning: float = 2.0
    credits: float = 0.1
    level: float = 0.1
    field: float = 0.1
    # e5 cosines of unrelated course texts rarely fall below this: it is the meaning score's zero.
    meaning_floor: float = 0.75


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class Suggestion:
    key: str
    score: float
    document: MatchDocument
    explanation: Explanation


class MatchIndex:
    def __init__(
        self,
        documents: Sequence[MatchDocument],
        lexical: LexicalIndex,
        titles: LexicalIndex,
        vectors: np.ndarray | None,
        title_vectors: np.ndarray | None,
        embedder: Embedder | None,
        weights: Weights,
    ) -> None:
        self.documents = list(documents)
        self.positions = {document.key: position for position, document in enumerate(self.documents)}
        self.lexical = lexical
        self.titles = titles
        self.vectors = vectors
        self.title_vectors = title_vectors
        self.embedder = embedder
        self.weights = weights
        self._ects = np.array([float(d.ects) if d.ects is not None else math.nan for d in documents], dtype=np.float32)
        self._levels = np.array([d.eqf_level or 0 for d in documents], dtype=np.int16)
        self._narrow = np.array([d.isced[:3] for d in documents], dtype=object)
        self._broad = np.array([d.isced[:2] for d in documents], dtype=object)

    def __len__(self) -> int:
        return len(self.documents)

    def signals(self, query: MatchDocument) -> dict[str, np.ndarray]:
        """Each signal of `query` against every document: text and title (n-gram cosines), credits, level and
        field (agreement in [0, 1]) and, with an embedder, meaning and title_meaning (embedding cosines)."""
        found = {
            "text": self.lexical.similarities(query.all_text()),
            "title": self.titles.similarities(query.all_titles()),
            "credits": metadata.credits_scores(query.ects, self._ects),
            "level": metadata.level_scores(query.eqf_level, self._levels),
            "field": metadata.field_scores(query.isced, self._narrow, self._broad),
        }
        if self.embedder is not None and self.vectors is not None and (query_text := query.main_text()):
            found["meaning"] = self.vectors @ self.embedder.embed([query_text])[0]
        if self.embedder is not None and self.title_vectors is not None and (query_title := query.title()):
            found["title_meaning"] = self.title_vectors @ self.embedder.embed([query_title], query=True)[0]
        return found

    def combine(self, signals: dict[str, np.ndarray], weights: Weights | None = None) -> np.ndarray:
        """The score of every document: the weighted sum of the signals (the index's weights by default)."""
        weights = weights or self.weights
        total = weights.text * signals["text"] + weights.title * signals["title"]
        floor = weights.meaning_floor
        if "meaning" in signals:
            total = total + weights.meaning * np.clip((signals["meaning"] - floor) / (1 - floor), 0, 1)
        if "title_meaning" in signals:
            total = total + weights.title_meaning * np.clip((signals["title_meaning"] - floor) / (1 - floor), 0, 1)
        total = total + weights.credits * signals["credits"] + weights.level * signals["level"]
        return (total + weights.field * signals["field"]).astype(np.float32)

    def suggest(
        self, query: MatchDocument, k: int = 10, restrict_to: Restriction = None, exclude_self: bool = True
    ) -> list[Suggestion]:
        """The `k` best documents for `query`, best first. `restrict_to` limits them to the given keys, or to
        the documents a predicate accepts; the query's own key is left out unless `exclude_self` is False. A
        query without any text gets no suggestions."""
        if k <= 0 or not self.documents or not query.all_text().strip():
            return []
        signals = self.signals(query)
        total = self.combine(signals)
        allowed = self._allowed(restrict_to)
        if exclude_self and (own := self.positions.get(query.key)) is not None:
            allowed[own] = False
        candidates = np.flatnonzero(allowed)
        if not len(candidates):
            return []
        count = min(k, len(candidates))
        top = candidates[np.argpartition(-total[candidates], count - 1)[:count]]
        top = top[np.argsort(-total[top], kind="stable")]
        # The query's words are folded once here, not once per suggestion.
        query_words = self.lexical.informative_words(query.all_text())
        query_outcomes = " ".join(query.outcomes.values())
        outcome_words = self.lexical.informative_words(query_outcomes) if query_outcomes else set()
        return [self._suggestion(query, int(i), float(total[i]), signals, query_words, outcome_words) for i in top]

    def _allowed(self, restrict_to: Restriction) -> np.ndarray:
        if restrict_to is None:
            return np.ones(len(self.documents), dtype=bool)
        allowed = np.zeros(len(self.documents), dtype=bool)
        if callable(restrict_to):
            allowed[:] = [bool(restrict_to(document)) for document in self.documents]
        else:
            allowed[[self.positions[key] for key in restrict_to if key in self.positions]] = True
        return allowed

    def _suggestion(
        self,
        query: MatchDocument,
        position: int,
        score: float,
        signals: dict[str, np.ndarray],
        query_words: set[str],
        outcome_words: set[str],
    ) -> Suggestion:
        document = self.documents[position]
        document_outcomes = " ".join(document.outcomes.values())
        shared = self.lexical.shared_terms(query_words, document.all_text())
        in_outcomes = set(self.lexical.shared_terms(outcome_words, document_outcomes)) if outcome_words else set()
        meaning, title_meaning = signals.get("meaning"), signals.get("title_meaning")
        explanation = Explanation(
            text_similarity=round(float(signals["text"][position]), 3),
            title_similarity=round(float(signals["title"][position]), 3),
            meaning_similarity=round(float(meaning[position]), 3) if meaning is not None else None,
            title_meaning_similarity=round(float(title_meaning[position]), 3) if title_meaning is not None else None,
            shared_terms=tuple(shared),
            shared_outcome_terms=tuple(term for term in shared if term in in_outcomes),
            credits=metadata.credits_agreement(query.ects, document.ects),
            query_ects=query.ects,
            ects=document.ects,
            level=metadata.level_agreement(query.eqf_level, document.eqf_level),
            query_eqf_level=query.eqf_level,
            eqf_level=document.eqf_level,
            field=metadata.field_agreement(query.isced, document.isced),
            query_isced=query.isced,
            isced=document.isced,
        )
        return Suggestion(key=document.key, score=round(score, 4), document=document, explanation=explanation)


def build_index(
    documents: Sequence[MatchDocument], embedder: Embedder | None = None, weights: Weights = DEFAULT_WEIGHTS
) -> MatchIndex:
    """Index `documents` (keys must be unique). With an `embedder`, each document's main language version is
    embedded too (slow the first time: see embeddings.py); without one, matching is lexical."""
    keys = [document.key for document in documents]
    if len(set(keys)) != len(keys):
        raise ValueError("document keys must be unique")
    lexical = LexicalIndex.build([document.all_text() for document in documents])
    titles = LexicalIndex.build([document.all_titles() for document in documents])
    vectors = title_vectors = None
    if embedder is not None:
        vectors = embedder.embed([document.main_text() for document in documents])
        titles_or_texts = [document.title() or document.main_text() for document in documents]
        title_vectors = embedder.embed(titles_or_texts)
        # A catalogue course is a query too: its title's query vector is made now, while building, not when asked.
        embedder.embed(titles_or_texts, query=True)
    else:
        weights = replace(weights, meaning=0.0, title_meaning=0.0)
    return MatchIndex(documents, lexical, titles, vectors, title_vectors, embedder, weights)
