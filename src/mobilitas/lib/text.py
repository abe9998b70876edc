"""Text folding for search: case- and accent-insensitive matching that works the same on every database."""

import unicodedata


def fold(text: str) -> str:
    """Lower case without diacritics, whitespace collapsed: 'Université  de Médecine' -> 'universite de medecine'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
