"""What the pages about an institution show of it (institutions/facts.html), computed once for the template."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import get_language_info

from mobilitas.institutions.models import Institution


@dataclass(frozen=True)
class Facts:
    names: list[tuple[str, str, str]]  # (language code, language name, name)
    website_url: str
    charter: str  # Institution.charter_state: valid, expired, future or unknown
    osm_url: str


def institution_facts(institution: Institution, today: date | None = None) -> Facts:
    today = today or timezone.localdate()
    names = [(code, language_name(code), text) for code, text in sorted(institution.names.items()) if text]
    return Facts(
        names=names,
        website_url=safe_url(institution.website),
        charter=institution.charter_state(today),
        osm_url=osm_url(institution.latitude, institution.longitude),
    )


def language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def safe_url(url: str) -> str:
    """A link target for a website from the directory: http(s) only, a bare host gets https://."""
    url = url.strip()
    if url.lower().startswith(("http://", "https://")):
        return url
    if url and not url.startswith("/") and ":" not in url.split("/", 1)[0]:
        return "https://" + url
    return ""


def osm_url(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return ""
    lat, lon = f"{latitude:.5f}", f"{longitude:.5f}"
    return f"https://www.openstreetmap.org/?{urlencode({'mlat': lat, 'mlon': lon})}#map=16/{lat}/{lon}"
