"""One neutral shape for an inter-institutional agreement, as IIA v7 sees it.

Our own agreements (models), snapshots of approved versions, a partner's copy received as XML and the
XML we serve all convert to and from `IiaData`. The hash, the diff and the XML writer only ever see this
shape, so "our copy" and "the partner's copy" are compared like with like.

Values are kept as EWP writes them (strings for years, ISCED codes, decimals) so that nothing is
reformatted between the XML and the hash.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

ConditionKind = Literal["student-studies", "student-traineeship", "staff-teacher", "staff-training"]
CONDITION_KINDS: tuple[ConditionKind, ...] = (
    "student-studies",
    "student-traineeship",
    "staff-teacher",
    "staff-training",
)
STUDENT_KINDS: frozenset[str] = frozenset({"student-studies", "student-traineeship"})
# The spec requires at least one recommended language skill for these two kinds.
LANGUAGE_REQUIRED_KINDS: frozenset[str] = frozenset({"student-studies", "staff-teacher"})


@dataclass(frozen=True)
class ContactData:
    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""


@dataclass(frozen=True)
class PartnerData:
    hei_id: str
    ounit_id: str = ""
    iia_id: str = ""
    iia_code: str = ""
    signing_contact: ContactData | None = None
    signing_date: date | None = None
    contacts: tuple[ContactData, ...] = ()


@dataclass(frozen=True)
class SubjectAreaData:
    isced_code: str  # 4 digits in v7; a migrated v6 code can be shorter
    clarification: str = ""
    v6_value: str = ""  # the `v6-value` attribute of a migrated code (hash uses it when set)


@dataclass(frozen=True)
class LanguageSkillData:
    language: str  # BCP 47, e.g. "en", "fr", "es"
    cefr_level: str = ""  # A1..C2, blank when not given
    subject_area: SubjectAreaData | None = None


@dataclass(frozen=True)
class ConditionData:
    kind: ConditionKind
    sending_hei_id: str
    receiving_hei_id: str
    first_year: str  # "2026/2027"
    last_year: str
    mobilities_per_year: str  # positive integer as written
    sending_ounit_id: str = ""
    receiving_ounit_id: str = ""
    language_skills: tuple[LanguageSkillData, ...] = ()
    subject_areas: tuple[SubjectAreaData, ...] = ()
    other_info: str = ""
    total_months_per_year: str = ""  # students only; decimal as written, blank when not given
    blended: bool = False  # students only
    eqf_levels: tuple[int, ...] = ()  # students only
    total_days_per_year: str = ""  # staff only; decimal as written
    # Local names of elements a migrated v6 agreement marked `not-yet-defined="true"`.
    not_yet_defined: frozenset[str] = frozenset()

    @property
    def is_student(self) -> bool:
        return self.kind in STUDENT_KINDS


@dataclass(frozen=True)
class IiaData:
    partners: tuple[PartnerData, PartnerData]  # the first is the HEI serving this copy
    in_effect: bool = False
    conditions: tuple[ConditionData, ...] = ()
    terminated_as_a_whole: bool = False
    iia_hash: str = ""  # as served in a document; blank for our own unsaved data
    pdf_file: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def has_v6_markers(self) -> bool:
        """A migrated v6 agreement with markers cannot be approved (IIA v7 spec)."""
        return any(c.not_yet_defined or any(s.v6_value for s in c.subject_areas) for c in self.conditions)
