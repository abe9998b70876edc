"""`MatchDocument`: what matching reads of a course, whatever it comes from (a `CourseRecord`, a catalogue row,
a course typed in by a coordinator): texts per language, credits, level and field."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from mobilitas.catalogue.sources.records import CourseRecord

# Order in which a document's languages are tried when one text must stand for it (the embedding).
PREFERRED_LANGUAGES = ("en", "fr", "de", "es", "it", "fi", "sv", "el", "ro", "pt", "nl", "pl")


@dataclass(frozen=True)
class MatchDocument:
    key: str
    titles: Mapping[str, str]  # language -> title
    outcomes: Mapping[str, str] = field(default_factory=dict)  # language -> learning outcomes
    descriptions: Mapping[str, str] = field(default_factory=dict)  # language -> description / content
    ects: Decimal | None = None
    eqf_level: int | None = None
    isced: str = ""
    institution: str = ""

    @classmethod
    def from_record(cls, record: CourseRecord, languages: Iterable[str] | None = None) -> "MatchDocument":
        """The record's texts in `languages` (all by default): the record seen as one language version."""
        wanted = set(languages) if languages is not None else None

        def pick(texts: Mapping[str, str]) -> dict[str, str]:
            return {lang: text for lang, text in texts.items() if text and (wanted is None or lang in wanted)}

        return cls(
            key=record.key,
            titles=pick(record.titles),
            outcomes=pick(record.learning_outcomes),
            descriptions=pick(record.descriptions),
            ects=record.ects,
            eqf_level=record.eqf_level,
            isced=record.isced,
            institution=record.institution,
        )

    @property
    def languages(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for texts in (self.titles, self.outcomes, self.descriptions):
            seen.update((lang, None) for lang, text in texts.items() if text)
        return tuple(seen)

    def text(self, language: str) -> str:
        """Title, outcomes and description in one language."""
        parts = (self.titles.get(language), self.outcomes.get(language), self.descriptions.get(language))
        return "\n".join(part for part in parts if part)

    def all_text(self) -> str:
        """Every language version, one after the other (what the lexical index reads)."""
        return "\n".join(self.text(language) for language in self.languages)

    def all_titles(self) -> str:
        return "\n".join(title for title in self.titles.values() if title)

    def main_text(self) -> str:
        """The one language version that stands for the document: the first of PREFERRED_LANGUAGES it has."""
        languages = self.languages
        for language in (*PREFERRED_LANGUAGES, *languages):
            if language in languages:
                return self.text(language)
        return ""

    def title(self) -> str:
        for language in (*PREFERRED_LANGUAGES, *self.titles):
            if self.titles.get(language):
                return self.titles[language]
        return ""
