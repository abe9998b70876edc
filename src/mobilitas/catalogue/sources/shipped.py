"""Reading the source files shipped in `catalogue/data/` (see its SOURCE.md)."""

import gzip
import html
import json
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<(?:br|/p|/li|/h\d)\s*/?>", re.IGNORECASE)


def read_jsonl(name: str) -> Iterator[dict[str, Any]]:
    """The objects of one gzipped JSON-lines file of the data folder."""
    with gzip.open(DATA_DIR / name, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def plain(text: object) -> str:
    """Plain text from a source field: HTML tags dropped, entities decoded, mangled accents repaired, spaces
    collapsed."""
    if not isinstance(text, str):
        return ""
    text = _TAG.sub(" ", _BREAK.sub(" ", text))
    return " ".join(unmangled(html.unescape(text)).split())


def unmangled(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ('CÃ‰LULAS' -> 'CÉLULAS'), which some source rows suffer; else unchanged."""
    if "Ã" not in text and "Â" not in text:
        return text
    try:
        # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined: those bytes came through as C1 control characters.
        raw = b"".join(bytes([ord(ch)]) if 0x80 <= ord(ch) <= 0x9F else ch.encode("cp1252") for ch in text)
        return raw.decode("utf-8")
    except UnicodeError:
        return text


def decimal_or_none(value: object) -> Decimal | None:
    """ECTS credits as a Decimal; None for a missing, zero or unreadable value."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


def slug(text: str) -> str:
    """A code for a course the source gives none: 'Curs despre fericire' -> 'curs-despre-fericire'."""
    return "-".join(re.findall(r"\w+", text.casefold()))[:80]
