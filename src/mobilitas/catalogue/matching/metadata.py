"""How well credits, level and field agree, as numbers in [0, 1] for ranking and as words for the explanation.

Credits: equal (1), close (0.5: within 1 ECTS or 25 %), different (0); level: same EQF level (1) or not (0); field:
the same ISCED-F narrow field (1), the same broad field (0.5), else 0. Unknown on either side counts 0.5 for
credits and level (neither for nor against) and 0 for the field.
"""

from decimal import Decimal

import numpy as np

EQUAL, CLOSE, DIFFERENT, UNKNOWN = "equal", "close", "different", "unknown"
SAME, RELATED = "same", "related"
NEUTRAL = 0.5


def credits_agreement(query: Decimal | None, document: Decimal | None) -> str:
    if query is None or document is None:
        return UNKNOWN
    if query == document:
        return EQUAL
    gap = abs(query - document)
    if gap <= 1 or gap <= Decimal("0.25") * max(query, document):
        return CLOSE
    return DIFFERENT


def level_agreement(query: int | None, document: int | None) -> str:
    if query is None or document is None:
        return UNKNOWN
    return SAME if query == document else DIFFERENT


def field_agreement(query: str, document: str) -> str:
    if not query or not document:
        return UNKNOWN
    if query[:3] == document[:3] and len(query) >= 3 and len(document) >= 3:
        return SAME
    if query[:2] == document[:2]:
        return RELATED
    return DIFFERENT


def credits_scores(query: Decimal | None, ects: np.ndarray) -> np.ndarray:
    """Vectorised `credits_agreement` as numbers; `ects` holds NaN where unknown."""
    if query is None:
        return np.full(ects.shape, NEUTRAL, dtype=np.float32)
    value = float(query)
    gap = np.abs(ects - value)
    close = (gap <= 1) | (gap <= 0.25 * np.maximum(ects, value))
    scores = np.where(gap == 0, 1.0, np.where(close, 0.5, 0.0))
    return np.where(np.isnan(ects), NEUTRAL, scores).astype(np.float32)


def level_scores(query: int | None, levels: np.ndarray) -> np.ndarray:
    """Vectorised `level_agreement`; `levels` holds 0 where unknown."""
    if query is None:
        return np.full(levels.shape, NEUTRAL, dtype=np.float32)
    return np.where(levels == 0, NEUTRAL, (levels == query).astype(np.float32)).astype(np.float32)


def field_scores(query: str, narrow: np.ndarray, broad: np.ndarray) -> np.ndarray:
    """Vectorised `field_agreement`; `narrow`/`broad` hold the documents' 3- and 2-digit prefixes ('' unknown)."""
    if not query:
        return np.zeros(narrow.shape, dtype=np.float32)
    same = (narrow == query[:3]) if len(query) >= 3 else np.zeros(narrow.shape, dtype=bool)
    related = broad == query[:2]
    return np.where(same, 1.0, np.where(related, 0.5, 0.0)).astype(np.float32)
