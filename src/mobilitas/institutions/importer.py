"""Import the European Commission's list of ECHE holders into the partner directory.

`import_institutions(path_or_file)` reads the CSV (the columns of `data/eche_holders_2021_2027.csv`) and upserts
one Institution per Erasmus code, in one transaction:

- a malformed file (not UTF-8 CSV, a required column missing, a line with the wrong number of fields, a date that
  is not YYYY-MM-DD) is refused with `ImportRefused`, naming the line; nothing is written;
- a row whose data is unusable (Erasmus code invalid after normalisation, no legal name, unknown country, PIC not
  9 digits, duplicate code, value too long) is rejected and reported with its line; the other rows are imported;
- existing rows are updated in place, keyed on the normalised Erasmus code; `hosted`, `slug` and `names` are
  never touched, a non-empty `schac_code` is never overwritten, known coordinates are kept when a row cannot be
  placed;
- the SCHAC code (EWP hei-id) is the website's domain when no other row of the file, and no other institution,
  uses that domain (regional school portals serve dozens of schools);
- coordinates come from the packaged EUC list (joined on the Erasmus code, outliers ignored), else from the
  GeoNames gazetteer (`mobilitas.lib.geo`).
"""

import csv
import io
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import CharField
from django.utils import timezone
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.institutions.models import Institution
from mobilitas.lib import erasmus_code, geo
from mobilitas.lib.errors import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"
PACKAGED_ECHE_LIST = DATA_DIR / "eche_holders_2021_2027.csv"
PACKAGED_COORDINATES = DATA_DIR / "EUC_geocoded_clean.csv"

REQUIRED_COLUMNS = (
    "erasmus_code", "pic", "oid", "legal_name", "street", "post_cd", "city", "country_cd", "website_url",
    "erasmus_eche_start", "erasmus_eche_end",
)  # fmt: skip
# The Commission's country codes that are not ISO 3166.
COUNTRY_ALIASES = {"EL": "GR", "UK": "GB"}
# A point of the EUC list further than this from the gazetteer's place of the same city is a geocoding error.
OUTLIER_KM = 500
BATCH_SIZE = 500

_COORDINATES = re.compile(r"^\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)$")
_PIC = re.compile(r"^\d{9}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _column(name: str) -> CharField:
    """Institution's column `name`: each one the import checks or cuts a value to is a CharField."""
    return cast(CharField, Institution._meta.get_field(name))


def _max_length(name: str) -> int:
    # Institution's CharFields all declare a max_length (Django's stubs allow None for PostgreSQL's varchar).
    return cast(int, _column(name).max_length)


_MAX_LENGTH = {name: _max_length(name) for name in ("name", "city", "street", "oid")}


class ImportRefused(DomainError):
    """The file is not a list we can read; nothing was imported. `line` is where the problem is (0: the file)."""

    def __init__(self, message: str, *, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    normalised_codes: int = 0
    geocoded_from_list: int = 0
    geocoded_from_gazetteer: int = 0
    not_geocoded: int = 0
    elapsed: float = 0.0

    def counts(self) -> dict[str, int]:
        counts = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("rejected", "elapsed")}
        return {**counts, "rejected": len(self.rejected)}

    def summary(self) -> str:
        return _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(rejected)d rejected; "
            "%(normalised_codes)d Erasmus codes normalised; coordinates from the EUC list %(geocoded_from_list)d, "
            "from the gazetteer %(geocoded_from_gazetteer)d, none %(not_geocoded)d; %(elapsed).1f s."
        ) % {**self.counts(), "elapsed": self.elapsed}


@dataclass(frozen=True)
class _Row:
    line: int
    erasmus_code: str
    pic: str
    oid: str
    name: str
    street: str
    postcode: str
    city: str
    country: str
    website: str
    charter_start: date | None
    charter_end: date | None


def import_institutions(path_or_file: str | Path | IO[Any], *, actor: Any = None) -> ImportReport:
    """Upsert the ECHE holders of a CSV file into the directory; see the module docstring for the rules."""
    started = time.perf_counter()
    report = ImportReport()
    records = list(_records(_read_text(path_or_file)))
    rows = _rows(records, report)
    domain_uses = Counter(_domain(_website(record["website_url"])) for _line, record in records)
    coordinates = _coordinates(rows, report)
    with transaction.atomic():
        _upsert(rows, coordinates, domain_uses, report)
        report.elapsed = round(time.perf_counter() - started, 2)
        audit.record("institutions.directory_imported", actor=actor, data=report.counts())
    return report


# --- reading -------------------------------------------------------------------------------------------------


def _read_text(source: str | Path | IO[Any]) -> str:
    try:
        if isinstance(source, str | Path):
            data: str | bytes = Path(source).read_bytes()
        else:
            data = source.read()
    except OSError as exc:
        raise ImportRefused(_("Cannot read the file: %(error)s.") % {"error": exc.strerror or exc}) from exc
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(_("Line %(line)d: not a CSV text file (not UTF-8).") % {"line": line}, line=line) from exc


def _records(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, {column: value}) for each data line; refuses a malformed file."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    line = 1
    try:
        for values in reader:
            if header is None:
                header = [name.strip().lower() for name in values]
                _check_header(header)
            elif values:  # a blank line is no record
                if len(values) != len(header):
                    raise ImportRefused(
                        _("Line %(line)d: %(found)d fields where the header has %(expected)d.")
                        % {"line": line, "found": len(values), "expected": len(header)},
                        line=line,
                    )
                yield line, {name: value.strip() for name, value in zip(header, values, strict=True)}
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRefused(_("Line %(line)d: not CSV (%(error)s).") % {"line": line, "error": exc}, line=line) from exc
    if header is None:
        raise ImportRefused(_("The file is empty."))


def _check_header(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportRefused(
            _("Line 1: required columns missing: %(columns)s.") % {"columns": ", ".join(missing)}, line=1
        )


def _date(record: dict[str, str], column: str, line: int) -> date | None:
    value = record[column]
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ImportRefused(
            _("Line %(line)d: %(column)s %(value)r is not a date (YYYY-MM-DD).")
            % {"line": line, "column": column, "value": value},
            line=line,
        ) from None


# --- checking and cleaning rows -------------------------------------------------------------------------------


def _rows(records: list[tuple[int, dict[str, str]]], report: ImportReport) -> list[_Row]:
    """The usable rows; the others go to `report.rejected`. A bad date refuses the whole file."""
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for line, record in records:
        start, end = _date(record, "erasmus_eche_start", line), _date(record, "erasmus_eche_end", line)
        row = _Row(
            line=line,
            erasmus_code="",
            pic=re.sub(r"\s", "", record["pic"]),
            oid=record["oid"],
            name=record["legal_name"],
            street=record["street"],
            postcode=_postcode(record["post_cd"]),
            city=record["city"],
            country=COUNTRY_ALIASES.get(record["country_cd"].upper(), record["country_cd"].upper()),
            website=_website(record["website_url"]),
            charter_start=start,
            charter_end=end,
        )
        code = erasmus_code.normalise(record["erasmus_code"], row.country)
        reason = _rejection(row, code, record) or (
            _("duplicate Erasmus code %(code)r, first on line %(first)d") % {"code": code, "first": seen[code]}
            if code in seen
            else ""
        )
        if reason:
            report.rejected.append((line, reason))
            continue
        if code != record["erasmus_code"]:
            report.normalised_codes += 1
        seen[code] = line
        rows.append(replace(row, erasmus_code=code))
    return rows


def _rejection(row: _Row, code: str, record: dict[str, str]) -> str:
    """Why the row cannot be imported, or ''."""
    if not erasmus_code.is_valid(code):
        return _("invalid Erasmus code %(code)r") % {"code": record["erasmus_code"]}
    if not row.name:
        return _("no legal name")
    if row.country not in geo.country_codes():
        return _("unknown country code %(country)r") % {"country": record["country_cd"]}
    if not _PIC.match(row.pic):
        return _("PIC %(pic)r is not 9 digits") % {"pic": record["pic"]}
    for name, value in (("name", row.name), ("city", row.city), ("street", row.street), ("oid", row.oid)):
        if len(value) > _MAX_LENGTH[name]:
            label = _column(name).verbose_name
            return _("%(field)s longer than %(max)d characters") % {"field": label, "max": _MAX_LENGTH[name]}
    return ""


def _postcode(raw: str) -> str:
    """The postcode without a city written after it ('3000-132 Coimbra'); '' for 'not applicable'."""
    limit = _max_length("postcode")
    if not any(ch.isdigit() for ch in raw):
        return ""
    if len(raw) <= limit:
        return raw
    words: list[str] = []
    for word in re.split(r"[\s,]+", raw):
        if not (any(ch.isdigit() for ch in word) or (not words and len(word) <= 2)):
            break
        words.append(word)
    return " ".join(words)[:limit]


def _website(raw: str) -> str:
    """A full URL: 'www.x.fr' -> 'https://www.x.fr'; 'www. x.fr', 'http//x.fr', 'a / b' (-> a) repaired; '' if none."""
    text = re.sub(r"(?i)^(https?):?/+\s*", r"\1://", raw.strip())
    text = re.sub(r"(?i)\bwww\.\s+", "www.", text).lstrip("/")
    first = text.split()[0].rstrip(",;") if text.split() else ""
    if not first:
        return ""
    url = first if re.match(r"(?i)^https?://", first) else f"https://{first}"
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url if len(url) <= _max_length("website") else ""


def _domain(url: str) -> str:
    """The website's host without `www.`: the candidate SCHAC code."""
    host = (urlsplit(url).hostname or "").rstrip(".") if url else ""
    return host.removeprefix("www.")


# --- coordinates ----------------------------------------------------------------------------------------------


def _coordinates(rows: list[_Row], report: ImportReport) -> dict[str, tuple[float, float]]:
    """Erasmus code -> (lat, lon): the EUC list's point unless it is an outlier, else the gazetteer's."""
    listed = _listed_coordinates()
    found: dict[str, tuple[float, float]] = {}
    for row in rows:
        near = geo.locate(row.country, row.city, row.postcode) if row.city else None
        point = listed.get(row.erasmus_code)
        if point and not _is_outlier(point, near, row.country):
            found[row.erasmus_code] = point
            report.geocoded_from_list += 1
        elif near:
            found[row.erasmus_code] = (round(near[0], 6), round(near[1], 6))
            report.geocoded_from_gazetteer += 1
        else:
            report.not_geocoded += 1
    return found


def _is_outlier(point: tuple[float, float], near: tuple[float, float] | None, country: str) -> bool:
    if near is not None:
        return geo.distance_km(point, near) > OUTLIER_KM
    return geo.within_country(country, point) is False


def _listed_coordinates() -> dict[str, tuple[float, float]]:
    """The EUC 2007-2014 list's "(lat, lon)" per normalised Erasmus code."""
    points: dict[str, tuple[float, float]] = {}
    with PACKAGED_COORDINATES.open(encoding="utf-8", newline="") as source:
        for record in csv.DictReader(source):
            match = _COORDINATES.match((record.get("coordinates") or "").strip())
            code = erasmus_code.normalise(record.get("Institutional code") or "")
            if match and erasmus_code.is_valid(code):
                lat, lon = float(match[1]), float(match[2])
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    points[code] = (round(lat, 6), round(lon, 6))
    return points


# --- writing --------------------------------------------------------------------------------------------------


def _upsert(
    rows: list[_Row], coordinates: dict[str, tuple[float, float]], domain_uses: Counter[str], report: ImportReport
) -> None:
    existing: dict[str, Institution] = {}
    schac_holders: dict[str, str] = {}  # schac_code -> normalised Erasmus code of its holder ('' for none)
    for known in Institution.objects.all():
        code = erasmus_code.normalise(known.erasmus_code, known.country)
        if code and (code == known.erasmus_code or code not in existing):
            existing[code] = known  # a row holding the exact code wins over one holding a variant
        if known.schac_code:
            schac_holders[known.schac_code] = code
    to_create: list[Institution] = []
    to_update: list[Institution] = []
    changed_fields: set[str] = set()
    now = timezone.now()
    for row in rows:
        domain = _domain(row.website)
        usable_domain = (
            domain
            if domain
            and domain_uses[domain] == 1
            and schac_holders.get(domain, row.erasmus_code) == row.erasmus_code
            and len(domain) <= _max_length("schac_code")
            else ""
        )
        values = _values(row, coordinates.get(row.erasmus_code), usable_domain)
        institution = existing.get(row.erasmus_code)
        if institution is None:
            institution = Institution(**values)
            institution.refresh_search_text()
            to_create.append(institution)
            continue
        changed = _apply(institution, values)
        if changed:
            institution.refresh_search_text()
            institution.updated_at = now
            changed_fields.update(changed)
            to_update.append(institution)
        else:
            report.unchanged += 1
    Institution.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        update_fields = sorted(changed_fields | {"search_text", "updated_at"})
        Institution.objects.bulk_update(to_update, update_fields, batch_size=BATCH_SIZE)
    report.created, report.updated = len(to_create), len(to_update)


def _values(row: _Row, point: tuple[float, float] | None, schac_code: str) -> dict[str, Any]:
    return {
        "name": row.name,
        "erasmus_code": row.erasmus_code,
        "pic": row.pic,
        "oid": row.oid,
        "country": row.country,
        "city": row.city,
        "street": row.street,
        "postcode": row.postcode,
        "website": row.website,
        "charter_start": row.charter_start,
        "charter_end": row.charter_end,
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "schac_code": schac_code,
    }


def _apply(institution: Institution, values: dict[str, Any]) -> list[str]:
    """Set the imported values on an existing row; returns the names of the fields that changed."""
    if institution.schac_code or not values["schac_code"]:
        del values["schac_code"]  # never overwrite a SCHAC code, never clear one
    if values["latitude"] is None:
        del values["latitude"], values["longitude"]  # keep known coordinates when this list cannot place the row
    changed = []
    for name, value in values.items():
        if getattr(institution, name) != value:
            setattr(institution, name, value)
            changed.append(name)
    return changed
