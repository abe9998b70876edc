"""Lexical similarity: character n-gram TF-IDF (scikit-learn), which also catches shared word stems across
languages ('algoritmit' / 'algorithms', 'Datenbanksysteme' / 'database systems'), and the shared terms that
explain a suggestion."""

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from mobilitas.lib.text import fold

_WORD = re.compile(r"[^\W\d_]{4,}")
# A word in more than this share of the documents says nothing about a match ("student", "course", "und").
COMMON_SHARE = 0.04
# Two words are "the same term" across languages when their first letters agree this far.
STEM = 6
MAX_TERMS = 8


def _vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, strip_accents="unicode", dtype=np.float32
    )


@dataclass
class LexicalIndex:
    vectorizer: TfidfVectorizer
    postings: sparse.csr_matrix  # one row per n-gram, one column per document (L2-normalised documents)
    document_frequency: Counter[str]  # folded word -> number of documents having it
    documents: int

    @classmethod
    def build(cls, texts: Sequence[str]) -> "LexicalIndex":
        vectorizer = _vectorizer()
        matrix = vectorizer.fit_transform(texts) if texts else sparse.csr_matrix((0, 0), dtype=np.float32)
        frequency: Counter[str] = Counter()
        for text in texts:
            frequency.update(set(words(text)))
        # Stored by n-gram: a query then reads only the postings of its own n-grams, not every document.
        return cls(vectorizer, sparse.csr_matrix(matrix.T), frequency, len(texts))

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of `text` to every document, in [0, 1]."""
        if not self.documents:
            return np.zeros(0, dtype=np.float32)
        query = self.vectorizer.transform([text])
        return np.asarray((query @ self.postings).toarray(), dtype=np.float32).ravel()

    def informative(self, word: str) -> bool:
        return self.document_frequency.get(word, 0) <= max(2, COMMON_SHARE * self.documents)

    def weight(self, word: str) -> float:
        """Inverse document frequency: rarer shared words explain more."""
        return math.log((1 + self.documents) / (1 + self.document_frequency.get(word, 0)))

    def informative_words(self, text: str) -> set[str]:
        return {word for word in words(text) if self.informative(word)}

    def shared_terms(self, query_words: set[str], document_text: str) -> list[str]:
        """The informative words the query (`informative_words` of its text, folded once per query) shares with a
        text, rarest first: 'graph' for the same word, 'algoritmi ~ algorithm' for words that share their first
        letters (cognates across languages)."""
        document_words = self.informative_words(document_text)
        found: dict[str, float] = {}
        for word in query_words & document_words:
            found[word] = self.weight(word)
        by_stem: dict[str, list[str]] = {}
        for word in document_words - query_words:
            by_stem.setdefault(word[:STEM], []).append(word)
        for word in sorted(query_words - document_words):
            if len(word) < STEM + 1:
                continue
            for other in by_stem.get(word[:STEM], ()):
                if len(other) > STEM and not any(word in term or other in term for term in found):
                    found[f"{word} ~ {other}"] = min(self.weight(word), self.weight(other))
                    break
        return sorted(found, key=lambda term: (-found[term], term))[:MAX_TERMS]


def words(text: str) -> Iterable[str]:
    """Folded words of four letters or more."""
    return _WORD.findall(fold(text))
