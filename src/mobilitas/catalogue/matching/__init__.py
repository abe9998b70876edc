"""Course matching: automatic recognition suggestions across institutions and languages (issue 5, part 6).

See index.py for the use, lexical.py, embeddings.py and metadata.py for the signals, and
bench/course_matching.py for how well it does on the shipped catalogues.
"""

from mobilitas.catalogue.matching.documents import MatchDocument
from mobilitas.catalogue.matching.embeddings import E5Embedder, Embedder, EmbeddingCache, default_embedder
from mobilitas.catalogue.matching.explanation import Explanation
from mobilitas.catalogue.matching.index import MatchIndex, Suggestion, Weights, build_index

__all__ = [
    "E5Embedder",
    "Embedder",
    "EmbeddingCache",
    "Explanation",
    "MatchDocument",
    "MatchIndex",
    "Suggestion",
    "Weights",
    "build_index",
    "default_embedder",
]
