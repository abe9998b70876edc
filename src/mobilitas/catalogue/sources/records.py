"""`CourseRecord`: one course as a source catalogue describes it, before it becomes a row of the catalogue.

Texts are kept per language (ISO 639-1 code -> text), like EWP's `<name xml:lang>`: an adapter puts a text under
the language it is written in, and only there (Aalto's Finnish field often holds a copy of the English text; the
adapter then files it under English only, see `aalto.py`). Texts are plain: no HTML, entities decoded, whitespace
collapsed.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

# Modes of delivery (issue 5: physical, virtual, blended); "" when the source does not say.
PHYSICAL, VIRTUAL, BLENDED = "physical", "virtual", "blended"


@dataclass(frozen=True)
class CourseRecord:
    source: str  # the adapter's name, e.g. "aalto"
    institution: str  # the institution's English name
    code: str  # unique within (source, institution)
    titles: Mapping[str, str]
    descriptions: Mapping[str, str] = field(default_factory=dict)
    learning_outcomes: Mapping[str, str] = field(default_factory=dict)
    ects: Decimal | None = None
    eqf_level: int | None = None  # 6 bachelor, 7 master, 8 doctorate
    isced: str = ""  # ISCED-F 2013 field code (2, 3 or 4 digits), "" when unknown
    languages: tuple[str, ...] = ()  # languages of instruction
    term: str = ""
    programme: str = ""
    organisational_unit: str = ""
    mode: str = ""
    url: str = ""
    substitutes: tuple[str, ...] = ()  # codes of earlier courses this one replaces (Aalto)

    @property
    def key(self) -> str:
        """Identifies the record across all sources: 'aalto:CS-A1110'."""
        return f"{self.source}:{self.code}"

    @property
    def text_languages(self) -> tuple[str, ...]:
        """Languages in which the record has a title or any text, in a stable order."""
        seen: dict[str, None] = {}
        for texts in (self.titles, self.learning_outcomes, self.descriptions):
            for language, text in texts.items():
                if text:
                    seen.setdefault(language, None)
        return tuple(seen)

    def title(self, language: str = "en") -> str:
        """The title in `language`, else in English, else in any language."""
        return self.titles.get(language) or self.titles.get("en") or next(iter(self.titles.values()), "")

    def text(self, language: str) -> str:
        """Title, learning outcomes and description in one language, as one string ('' if there is none)."""
        parts = (
            self.titles.get(language, ""),
            self.learning_outcomes.get(language, ""),
            self.descriptions.get(language, ""),
        )
        return "\n".join(part for part in parts if part)
