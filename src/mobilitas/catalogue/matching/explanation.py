"""Why a course was suggested, in terms a coordinator checks: the words the two courses share (in their
learning outcomes in particular), how close their meaning is, and whether credits, level and field agree.

The fields are structured so that a page can word them in its own language; `sentences()` words them in English.
"""

from dataclasses import dataclass
from decimal import Decimal

from mobilitas.catalogue.matching.metadata import CLOSE, DIFFERENT, EQUAL, RELATED, SAME

EQF_NAMES = {5: "short cycle", 6: "bachelor", 7: "master", 8: "doctorate"}


@dataclass(frozen=True)
class Explanation:
    text_similarity: float  # character n-gram cosine of all texts, 0..1
    title_similarity: float  # the same for the titles alone
    meaning_similarity: float | None  # multilingual embedding cosine, None when matching is lexical only
    title_meaning_similarity: float | None  # the same for the titles
    shared_terms: tuple[str, ...]  # rarest first; 'a ~ b' for words sharing their stem across languages
    shared_outcome_terms: tuple[str, ...]  # those of shared_terms that both learning outcomes contain
    credits: str  # equal, close, different, unknown
    query_ects: Decimal | None
    ects: Decimal | None
    level: str  # same, different, unknown
    query_eqf_level: int | None
    eqf_level: int | None
    field: str  # same, related, different, unknown
    query_isced: str
    isced: str

    def sentences(self) -> list[str]:
        said = []
        if self.shared_outcome_terms:
            said.append("Learning outcomes share: " + ", ".join(self.shared_outcome_terms) + ".")
        other_terms = [term for term in self.shared_terms if term not in self.shared_outcome_terms]
        if other_terms:
            said.append("Shared terms: " + ", ".join(other_terms) + ".")
        if self.title_meaning_similarity is not None:
            said.append(f"Titles similar in meaning: {self.title_meaning_similarity:.2f} (1 is the same).")
        if self.meaning_similarity is not None:
            said.append(f"Descriptions similar in meaning: {self.meaning_similarity:.2f} (1 is the same).")
        if self.credits == EQUAL:
            said.append(f"Same credits: {self.ects} ECTS.")
        elif self.credits == CLOSE:
            said.append(f"Close credits: {self.ects} ECTS for {self.query_ects}.")
        elif self.credits == DIFFERENT:
            said.append(f"Different credits: {self.ects} ECTS for {self.query_ects}.")
        if self.level == SAME and self.eqf_level is not None:
            said.append(f"Same level: EQF {self.eqf_level} ({EQF_NAMES.get(self.eqf_level, '')}).")
        elif self.level == DIFFERENT:
            said.append(f"Different level: EQF {self.eqf_level} for {self.query_eqf_level}.")
        if self.field == SAME:
            said.append(f"Same ISCED-F field: {self.isced}.")
        elif self.field == RELATED:
            said.append(f"Related ISCED-F field: {self.isced} for {self.query_isced}.")
        elif self.field == DIFFERENT:
            said.append(f"Different ISCED-F field: {self.isced} for {self.query_isced}.")
        return said
