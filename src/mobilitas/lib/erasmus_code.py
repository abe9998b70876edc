"""Erasmus institutional codes: normalisation and validation.

The official form is a 3-character country prefix (one letter and two spaces, two letters and a space,
or IRL/LUX), a city part of letters and hyphens, and a 2-3 digit number: `F  AMIENS01`, `PL WARSZAW01`,
`IRLDUBLIN01`. Published lists carry non-breaking spaces, collapsed padding (`A BADEN01`) or stray
spaces inside the city part; `normalise` repairs those, `is_valid` says whether the result is a code.
"""

import re

VALID = re.compile(r"^(IRL|LUX|[A-Z]{2} |[A-Z]  )[A-Z][A-Z-]*[A-Z][0-9]{2,3}$")
_THREE_LETTER = ("IRL", "LUX")

# Prefixes that are not the ISO 3166 code of the country (others use the ISO code).
PREFIX_COUNTRY = {
    "A": "AT", "B": "BE", "D": "DE", "E": "ES", "F": "FR", "G": "GR", "I": "IT", "N": "NO",
    "P": "PT", "S": "SE", "SF": "FI", "IRL": "IE", "LUX": "LU",
}  # fmt: skip
COUNTRY_PREFIX = {country: prefix for prefix, country in PREFIX_COUNTRY.items()}


def prefix_for_country(country: str) -> str:
    """The padded 3-character prefix used by institutions of an ISO country code."""
    prefix = COUNTRY_PREFIX.get(country, country)
    return prefix.ljust(3)


def normalise(raw: str, country: str = "") -> str:
    """Upper-case, NBSP to space, padding restored, spaces inside the city/number part removed.

    `country` (ISO 3166-1 alpha-2) lets a prefix written without its padding (`RSPROKUP01`) be recognised.
    """
    code = raw.replace("\u00a0", " ").replace("\u202f", " ").strip().upper()
    if not code:
        return ""
    if code[:3] in _THREE_LETTER:
        return code[:3] + code[3:].replace(" ", "")
    head, sep, rest = code.partition(" ")
    if sep and 1 <= len(head) <= 2 and head.isalpha():
        return head.ljust(3) + rest.replace(" ", "")
    if country:
        expected = prefix_for_country(country).strip()
        if code.startswith(expected) and " " not in code:
            return expected.ljust(3) + code[len(expected) :]
    return code


def is_valid(code: str) -> bool:
    return bool(VALID.match(code))


def country_of(code: str) -> str:
    """The ISO country code an Erasmus code's prefix stands for ('' when it is not a valid code)."""
    if not is_valid(code):
        return ""
    prefix = code[:3].strip()
    return PREFIX_COUNTRY.get(prefix, prefix)
