"""Country names for the directory: the ISO 3166-1 codes of the ECHE list, with translatable English names.

The EC's spreadsheet writes Greece as EL and the United Kingdom as UK; the directory stores ISO codes (GR, GB),
but EL is kept here too so that a row imported without the mapping still shows a name.
"""

from django.utils.translation import gettext_lazy as _

from mobilitas.lib.text import fold

COUNTRY_NAMES = {
    "AL": _("Albania"),
    "AT": _("Austria"),
    "BA": _("Bosnia and Herzegovina"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DE": _("Germany"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "EL": _("Greece"),
    "ES": _("Spain"),
    "FI": _("Finland"),
    "FR": _("France"),
    "GB": _("United Kingdom"),
    "GR": _("Greece"),
    "HR": _("Croatia"),
    "HU": _("Hungary"),
    "IE": _("Ireland"),
    "IS": _("Iceland"),
    "IT": _("Italy"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "LV": _("Latvia"),
    "ME": _("Montenegro"),
    "MK": _("North Macedonia"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RE": _("Réunion"),
    "RO": _("Romania"),
    "RS": _("Serbia"),
    "SE": _("Sweden"),
    "SI": _("Slovenia"),
    "SK": _("Slovakia"),
    "SM": _("San Marino"),
    "TR": _("Türkiye"),
    "XK": _("Kosovo"),
}


def country_name(code: str) -> str:
    """The country's name in the active language; an unknown code is shown as it is."""
    name = COUNTRY_NAMES.get(code)
    return str(name) if name is not None else code


def country_choices(codes: list[str] | set[str]) -> list[tuple[str, str]]:
    """(code, name) pairs for a select, sorted by the translated name ignoring case and accents."""
    pairs = [(code, country_name(code)) for code in set(codes) if code]
    return sorted(pairs, key=lambda pair: fold(pair[1]))
