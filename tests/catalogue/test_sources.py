"""The adapters read the catalogues shipped in src/mobilitas/catalogue/data/."""

from decimal import Decimal

import pytest

from mobilitas.catalogue.sources import LOADERS, load, load_all
from mobilitas.catalogue.sources.aalto import course_title, filed_by_language, term_of
from mobilitas.catalogue.sources.fu_berlin import instruction_languages
from mobilitas.catalogue.sources.records import CourseRecord
from mobilitas.catalogue.sources.shipped import DATA_DIR, decimal_or_none, plain

COUNTS = {
    "aalto": 2391,
    "fu_berlin": 553,
    "glasgow_deakin": 185,
    "ionian": 75,
    "uvt": 145,
    "upm": 319,
    "poitiers": 163,
}


@pytest.fixture(scope="module")
def records() -> list[CourseRecord]:
    return load_all()


def by_key(records: list[CourseRecord]) -> dict[str, CourseRecord]:
    return {record.key: record for record in records}


def test_it_reads_every_source_with_unique_keys(records: list[CourseRecord]) -> None:
    counts = {source: sum(record.source == source for record in records) for source in LOADERS}
    assert counts == COUNTS
    assert len(by_key(records)) == len(records) == sum(COUNTS.values())


def test_every_record_has_a_title_and_only_plain_text(records: list[CourseRecord]) -> None:
    for record in records:
        assert record.title(), record.key
        for texts in (record.titles, record.learning_outcomes, record.descriptions):
            for text in texts.values():
                assert "<p>" not in text and "&#39;" not in text and "Ã" not in text, record.key


def test_it_reads_a_known_aalto_course(records: list[CourseRecord]) -> None:
    course = by_key(records)["aalto:ELO-E1216"]
    # The source names the course by a realisation ("Sound and Environment, Lecture"): the title is the course's.
    assert course.titles == {"fi": "Ääni ja ympäristö", "sv": "Ljud och miljöö", "en": "Sound and Environment"}
    assert course.ects == Decimal(3)
    assert course.eqf_level == 7  # advanced studies
    assert course.isced == "021"
    assert course.languages == ("en",)
    assert course.term == "autumn 2025"
    # The Swedish field repeats the Finnish outcomes: they are filed once, under Finnish.
    assert set(course.learning_outcomes) == {"fi", "en"}
    assert course.learning_outcomes["fi"].startswith("Opiskelija kykenee hahmottamaan")


def test_aalto_substitutes_name_other_courses_of_the_catalogue(records: list[CourseRecord]) -> None:
    keys = by_key(records)
    replacing = [record for record in records if record.substitutes]
    assert len(replacing) > 80
    assert all(f"aalto:{code}" in keys for record in replacing for code in record.substitutes)
    assert keys["aalto:CS-A1123"].substitutes[:1] == ("CS-A1121",)


def test_fu_berlin_keeps_a_module_once_per_programme(records: list[CourseRecord]) -> None:
    copies = [r for r in records if r.source == "fu_berlin" and r.title() == "Algorithmen und Datenstrukturen"]
    assert len(copies) >= 2
    assert len({record.programme for record in copies}) == len(copies)
    assert all(record.eqf_level == 6 and record.ects for record in copies)
    assert all(record.titles.keys() == {"de"} for record in copies)


def test_upm_has_both_languages_repaired_accents_and_merged_terms(records: list[CourseRecord]) -> None:
    upm = [record for record in records if record.source == "upm"]
    assert all("es" in record.titles for record in upm)
    assert sum(record.titles.keys() == {"es", "en"} for record in upm) == 287  # 32 have no English title
    optical = by_key(records)["upm:95000036"]
    assert optical.titles["en"] == "OPTICAL COMMUNICATIONS"
    assert optical.term == "autumn, spring"
    assert optical.ects == Decimal("4.5")
    assert optical.eqf_level == 6
    assert any(record.titles["es"] == "AUDITORÍA TÉCNICA DE SEGURIDAD" for record in upm)


def test_the_other_sources_map_their_levels(records: list[CourseRecord]) -> None:
    keys = by_key(records)
    assert keys["glasgow_deakin:COMPSCI1016"].eqf_level == 6
    assert keys["glasgow_deakin:COMPSCI1016"].title() == "Introduction to Computational Thinking"
    assert keys["glasgow_deakin:COMPSCI5087"].eqf_level == 7
    assert {r.eqf_level for r in records if r.source == "poitiers"} <= {6, 7, 8}
    assert all(r.titles.keys() == {"el"} and r.eqf_level == 6 for r in records if r.source == "ionian")
    assert all(r.ects is None and r.titles.keys() == {"ro"} for r in records if r.source == "uvt")


def test_load_names_the_known_sources_for_an_unknown_one() -> None:
    with pytest.raises(KeyError, match="aalto"):
        load("nowhere")


def test_the_shipped_data_stays_small_and_attributed() -> None:
    assert sum(path.stat().st_size for path in DATA_DIR.iterdir()) < 6 * 1024 * 1024
    assert "Licence" in (DATA_DIR / "SOURCE.md").read_text(encoding="utf-8")


def test_helpers_read_messy_source_values() -> None:
    assert plain("<p>Data &amp; models</p><br/>Next&#39;s") == "Data & models Next's"
    assert plain(None) == ""
    assert decimal_or_none("4,5") == Decimal("4.5")
    assert decimal_or_none(0) is None and decimal_or_none("TODO") is None and decimal_or_none(None) is None
    assert term_of("2026-01-12") == "spring 2026" and term_of("") == ""
    assert instruction_languages("Deutsch oder Englisch") == ("de", "en")


def test_an_aalto_title_is_the_course_name_without_the_realisation() -> None:
    realisations = frozenset({"Lecture", "Föreläsning"})
    assert course_title("External Collaborations, Minna Tarkka Lectures, Lecture", realisations) == (
        "External Collaborations, Minna Tarkka Lectures"
    )
    assert course_title("Föreläsning", realisations) == ""  # the Swedish name is missing
    assert course_title("Kypsyysnäyte", realisations) == "Kypsyysnäyte"


def test_texts_are_filed_under_the_language_they_are_written_in() -> None:
    english = "The student can analyse data and apply the methods of the course to their own project."
    finnish = "Opiskelija osaa analysoida aineistoja ja soveltaa kurssin menetelmiä omaan projektiinsa."
    assert filed_by_language({"fi": english, "sv": english, "en": english}) == {"en": english}
    assert filed_by_language({"fi": finnish, "sv": finnish, "en": english}) == {"fi": finnish, "en": english}
    assert filed_by_language({"fi": "-", "sv": "x", "en": ""}) == {}
