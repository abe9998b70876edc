"""Freie Universität Berlin module handbooks of 19 programmes (`data/fu_berlin_modules.jsonl.gz`).

A module has no code in the source: its code here is `<programme>/<name as a slug>`, unique within the data. The
same module described in several programmes (or versions of one) stays one record per programme: they are the
near-duplicates the matching evaluation looks for. Entries that only point to a module of another programme
(`link`) carry no text and are skipped. Programmes are bachelor's (EQF 6) or master's (7) by their name; the ABV
area (Allgemeine Berufsvorbereitung, general professional skills) belongs to the bachelor's programmes. Most
modules are written in German, some in English: the texts are filed under the language they are written in.
"""

import re
from collections.abc import Iterator
from typing import Any

from mobilitas.catalogue.sources.isced import FU_BERLIN_PROGRAMMES, LANGUAGES
from mobilitas.catalogue.sources.language_guess import guess_language
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import decimal_or_none, plain, read_jsonl, slug

SOURCE = "fu_berlin"
INSTITUTION = "Freie Universität Berlin"
FILE = "fu_berlin_modules.jsonl.gz"
PROGRAMME_NAMES = {
    "abv": "Allgemeine Berufsvorbereitung (ABV)",
    "bioinf": "Bioinformatik",
    "compsci": "Computer Science",
    "datasci": "Data Science",
    "inf": "Informatik",
    "inf_30lp": "Informatik (30 LP)",
    "lehrinf": "Informatik (Lehramt)",
    "lehrmath": "Mathematik (Lehramt)",
    "lehrphy": "Physik (Lehramt)",
    "math": "Mathematik",
    "phy": "Physik",
}
INSTRUCTION_LANGUAGES = {
    "deutsch": "de",
    "englisch": "en",
    "französisch": "fr",
    "italienisch": "it",
    "spanisch": "es",
    "portugiesisch": "pt",
    "arabisch": "ar",
    "chinesisch": "zh",
    "japanisch": "ja",
    "russisch": "ru",
    "türkisch": "tr",
    "polnisch": "pl",
    "neugriechisch": "el",
}
_PROGRAMME = re.compile(r"(?P<subject>.+?)(?:_(?P<degree>bsc|msc))?_(?P<year>\d{4})$")


def load() -> Iterator[CourseRecord]:
    for row in read_jsonl(FILE):
        if row.get("goals") or row.get("content"):
            yield _record(row)


def _record(row: dict[str, Any]) -> CourseRecord:
    folder = row["programme"]
    match = _PROGRAMME.match(folder)
    subject, degree, year = (match["subject"], match["degree"], match["year"]) if match else (folder, None, "")
    goals, content = plain(row.get("goals")), plain(row.get("content"))
    language = guess_language(f"{goals} {content}", ("de", "en")) or "de"
    organizer = plain(row.get("organizer"))
    return CourseRecord(
        source=SOURCE,
        institution=INSTITUTION,
        code=f"{folder}/{slug(row['name'])}",
        titles={language: plain(row["name"])},
        learning_outcomes={language: goals} if goals else {},
        descriptions={language: content} if content else {},
        ects=decimal_or_none(row.get("credit_points")),
        eqf_level=7 if degree == "msc" else 6,
        isced=LANGUAGES if "Sprachenzentrum" in organizer else FU_BERLIN_PROGRAMMES.get(subject, ""),
        languages=instruction_languages(str(row.get("language") or "")),
        programme=_programme_name(subject, degree, year),
        organisational_unit=organizer.removeprefix("Freie Universität Berlin/"),
    )


def instruction_languages(text: str) -> tuple[str, ...]:
    """'Deutsch oder Englisch' -> ('de', 'en'); unknown words are left out."""
    words = re.findall(r"\w+", text.casefold())
    return tuple(dict.fromkeys(INSTRUCTION_LANGUAGES[word] for word in words if word in INSTRUCTION_LANGUAGES))


def _programme_name(subject: str, degree: str | None, year: str) -> str:
    name = PROGRAMME_NAMES.get(subject, subject)
    kind = {"bsc": " B.Sc.", "msc": " M.Sc."}.get(degree or "", "")
    return f"{name}{kind} ({year})" if year else f"{name}{kind}"
