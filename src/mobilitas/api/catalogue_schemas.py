"""The shapes of the catalogue endpoints: courses, cross-enrolments, Pathways, joint programmes, course matching.

Inputs check types only (and bound lengths): the rules are the domain's (catalogue/services) and the pages'
forms', so the API and the pages refuse the same things with the same messages. A course's detail carries every
member of its input under the same name and shape, so a client can GET a course, change it and PUT it back.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from mobilitas.api.agreement_schemas import SLUG_PATTERN, UnitBrief, UnitRef, choice
from mobilitas.api.schemas import PageParams
from mobilitas.catalogue.models import (
    ComponentProgress,
    CrossEnrolment,
    JointProgramme,
    Mode,
    Pathway,
    PathwayEnrolment,
    Term,
)

TENANT_DESCRIPTION = (
    "The slug of the hosted institution you act for (as in its page addresses, e.g. `upjv`): the catalogue is "
    "read as its members read it (its own courses and those its alliances share). The token's user must be a "
    "member of it; for anyone else it answers 404, as for an unknown slug."
)
# Who waits for a cross-enrolment's next step.
Party = Literal["home", "host"]
Side = Literal["mine", "outgoing", "incoming"]


class CatalogueParams(Schema):
    institution: str = Field(..., max_length=40, pattern=SLUG_PATTERN, description=TENANT_DESCRIPTION)


class CatalogueListParams(CatalogueParams, PageParams):
    pass


class InstitutionLink(Schema):
    public_id: UUID
    slug: str = Field(description="Its `institution` value when hosted here; blank for the others.")
    name: str
    country: str = Field(description="ISO 3166-1 alpha-2.")


class AllianceBrief(Schema):
    public_id: UUID
    slug: str
    name: str


class PersonOut(Schema):
    public_id: UUID
    name: str


# ---- courses --------------------------------------------------------------------------------------------------


class CourseFilters(CatalogueParams, PageParams):
    q: str | None = Field(
        None,
        max_length=200,
        description="Words in any language, found in titles, descriptions and learning outcomes; or a course code.",
    )
    offered_by: str | None = Field(
        None,
        max_length=40,
        pattern=SLUG_PATTERN,
        description="Only the courses of this institution (its slug): ours or another member of our alliances.",
    )
    language: str | None = Field(None, max_length=3, description="Taught in this language (ISO 639-1, e.g. fi).")
    mode: str | None = choice(Mode, None)
    ects_min: Decimal | None = Field(None, description="At least this many ECTS credits.")
    ects_max: Decimal | None = Field(None, description="At most this many ECTS credits.")
    eqf_level: int | None = Field(None, description="1 to 8.")
    isced: str | None = Field(None, max_length=4, description="An ISCED-F field or its start: 06 finds 061 and 0613.")
    term: str | None = choice(Term, None)
    shared_only: bool = Field(False, description="Only the courses shared with the alliance.")


class CourseSummaryOut(Schema):
    public_id: UUID
    code: str
    title: str = Field(description="In the language of the request (Accept-Language), else English, else any.")
    titles: dict[str, str] = Field(description="The title per language code.")
    institution: InstitutionLink
    ects: float | None
    eqf_level: int | None
    isced_code: str = Field(description="ISCED-F field of education, 2 to 4 digits.")
    languages: list[str] = Field(description="Languages of instruction (ISO 639 codes).")
    mode: str = choice(Mode)
    term: str = choice(Term, blank=True)
    alliance_places: int | None = Field(description="Places for students of other members; null: no limit stated.")
    shared: bool = Field(description="Whether the alliance's other members may enrol in it.")


class CoursePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CourseSummaryOut]


class CourseDetailOut(CourseSummaryOut):
    descriptions: dict[str, str] = Field(description="The description per language code.")
    learning_outcomes: dict[str, str] = Field(description="The learning outcomes per language code.")
    programme: str
    ounit: UnitBrief | None = Field(description="The organisational unit teaching it.")
    contact_name: str
    contact_email: str
    url: str = Field(description="The course's own web page.")
    source: str = Field(description="The catalogue it was imported from, if any.")
    editable: bool = Field(description="Whether you may change it (PUT).")
    shareable: bool = Field(description="Whether you may share or unshare it.")
    created_at: datetime
    updated_at: datetime


class CourseIn(Schema):
    code: str = Field(..., max_length=1000, description="Unique in the institution's catalogue, at most 60 characters.")
    titles: dict[str, str] = Field(..., description='The title per language code ({"en": ..., "fi": ...}).')
    descriptions: dict[str, str] = Field(default_factory=dict)
    learning_outcomes: dict[str, str] = Field(default_factory=dict)
    ects: Decimal | None = Field(None, description="More than 0, at most one decimal.")
    eqf_level: int | None = Field(None, description="1 to 8.")
    isced_code: str = Field("", max_length=100, description="ISCED-F field: 2 to 4 digits, like 06, 061 or 0613.")
    languages: list[str] = Field(default_factory=list, max_length=100, description="Languages of instruction.")
    mode: str = choice(Mode, Mode.PHYSICAL.value)
    term: str = choice(Term, "", blank=True)
    programme: str = Field("", max_length=10_000)
    ounit: UnitRef | None = Field(None, description="The unit teaching it, by its code.")
    alliance_places: int | None = Field(None, description="Places for students of other members; null: no limit.")
    contact_name: str = Field("", max_length=10_000)
    contact_email: str = Field("", max_length=10_000)
    url: str = Field("", max_length=10_000, description="A web address starting with https://.")


# ---- course matching -------------------------------------------------------------------------------------------


class MatchParams(CatalogueParams):
    target: str | None = Field(
        None,
        max_length=40,
        pattern=SLUG_PATTERN,
        description="The member whose courses are compared (its slug); by default ours for another member's "
        "course, else the first other member by name. Another member's courses are its shared ones.",
    )
    k: int = Field(10, ge=1, le=50, description="How many suggestions, at most 50.")


class MatchedCourseOut(Schema):
    public_id: UUID
    code: str
    title: str
    titles: dict[str, str]
    ects: float | None
    eqf_level: int | None
    isced_code: str
    shared: bool


class ExplanationOut(Schema):
    text_similarity: float = Field(description="Character n-gram cosine of all texts, 0 to 1.")
    title_similarity: float
    meaning_similarity: float | None = Field(description="Multilingual model cosine; null when it did not rank.")
    title_meaning_similarity: float | None
    shared_terms: list[str] = Field(description="Rarest first; `a ~ b` for one stem in two languages.")
    shared_outcome_terms: list[str] = Field(description="Those of shared_terms both learning outcomes contain.")
    credits: Literal["equal", "close", "different", "unknown"]
    query_ects: float | None
    ects: float | None
    level: Literal["same", "different", "unknown"]
    query_eqf_level: int | None
    eqf_level: int | None
    field: Literal["same", "related", "different", "unknown"]
    query_isced: str
    isced: str


class MatchOut(Schema):
    rank: int
    course: MatchedCourseOut
    score: float
    relevance: float = Field(description="The score as a share of a match on every signal, 0 to 1.")
    explanation: ExplanationOut
    reasons: list[str] = Field(description="The explanation in sentences, in the language of the request.")


class MatchesOut(Schema):
    course: MatchedCourseOut
    target: InstitutionLink
    candidates: int = Field(description="How many courses of the target were compared.")
    meaning: bool = Field(description="Whether the multilingual model ranked too.")
    preparing: bool = Field(description="The model will rank once the target's embeddings are computed.")
    suggestions: list[MatchOut]


# ---- cross-enrolment -------------------------------------------------------------------------------------------


class EnrolmentFilters(CatalogueParams, PageParams):
    side: Side | None = Field(
        None,
        description="`outgoing`: our students in other members' courses; `incoming`: guests in our courses (staff); "
        "`mine`: my own requests (students). By default every enrolment you may read, newest first.",
    )
    status: str | None = choice(CrossEnrolment.Status, None)


class CourseBrief(Schema):
    public_id: UUID
    code: str
    title: str
    ects: float | None
    institution: InstitutionLink


class HomeCourseBrief(Schema):
    public_id: UUID
    code: str
    title: str
    ects: float | None


class EnrolmentOut(Schema):
    public_id: UUID
    status: str = choice(CrossEnrolment.Status)
    student: PersonOut
    home: InstitutionLink = Field(description="The student's institution.")
    course: CourseBrief = Field(description="The shared course; its institution is the host.")
    recognised_as: HomeCourseBrief | None = Field(description="The home course it counts as, once pre-approved.")
    recognised_credits: float | None = Field(description="The credits it counts for at home.")
    grade: str
    ects_earned: float | None
    waiting_for: Party | None = Field(description="Whose step comes next: the home or the host institution.")
    actions: list[str] = Field(description="The steps you may take now (the `/{action}` endpoints).")
    created_at: datetime
    updated_at: datetime


class EnrolmentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EnrolmentOut]


class StepOut(Schema):
    label: str
    when: datetime
    who: str = Field(description="Blank when done automatically.")
    institution: str


class EnrolmentDetailOut(EnrolmentOut):
    motivation: str
    recognition_note: str
    decision_note: str = Field(description="Why it was refused, if it was.")
    waiting_position: int | None = Field(description="1 for the first on the waiting list; null when not waiting.")
    places_taken: int | None = Field(description="Host side only: places of the course already given.")
    history: list[StepOut] = Field(description="The steps so far, oldest first.")


class EnrolmentRequestIn(Schema):
    course: UUID = Field(description="The public_id of a shared course of another member.")
    motivation: str = Field("", max_length=20_000, description="Why you want to take it (at most 2,000 characters).")


class PreapproveIn(Schema):
    recognised_as: str | None = Field(
        None, max_length=1000, description="The code of one of our courses it counts as; empty for credits only."
    )
    credits: Decimal | None = Field(
        None, description="Credits recognised at home; by default the home course's ECTS, else the shared course's."
    )
    note: str = Field("", max_length=10_000, description="For the student and the host, at most 300 characters.")


class RefuseIn(Schema):
    reason: str = Field("", max_length=10_000, description="The student reads it; at most 300 characters.")


class ResultIn(Schema):
    grade: str = Field("", max_length=1000, description="As it appears on the transcript.")
    ects_earned: Decimal | None = Field(None, description="0 when the course was not passed.")


# ---- Pathways --------------------------------------------------------------------------------------------------


class ComponentOut(Schema):
    number: int = Field(description="Its place in the Pathway, from 1.")
    title: str
    institution: InstitutionLink
    course: HomeCourseBrief | None = Field(description="The catalogue course it is, if any.")
    mode: str = choice(Mode)
    ects: float
    prerequisites: list[int] = Field(description="The numbers of the components it requires.")


class PathwayOut(Schema):
    public_id: UUID
    slug: str
    title: str
    titles: dict[str, str]
    status: str = choice(Pathway.Status)
    alliance: AllianceBrief
    owner: InstitutionLink = Field(description="The member institution managing it.")
    places: int | None = Field(description="null: no limit.")
    component_count: int
    total_ects: float
    institutions: list[InstitutionLink] = Field(description="Where its components are taught, in their order.")
    modes: list[str] = Field(description="The modes its components use.")


class PathwayPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PathwayOut]


class PathwayEnrolmentRef(Schema):
    public_id: UUID
    status: str = choice(PathwayEnrolment.Status)


class PathwayDetailOut(PathwayOut):
    description: str
    descriptions: dict[str, str]
    components: list[ComponentOut] = Field(description="The components in order.")
    places_left: int | None = Field(description="null: no limit.")
    public_url: str | None = Field(description="Its public page (no login), while published.")
    my_enrolment: PathwayEnrolmentRef | None = Field(description="Your own application, if any.")
    editable: bool


class ApplyIn(Schema):
    motivation: str = Field("", max_length=40_000, description="At most 4,000 characters.")


class PathwayBrief(Schema):
    public_id: UUID
    slug: str
    title: str
    alliance: AllianceBrief


class ProgressOut(ComponentOut):
    status: str = choice(ComponentProgress.Status)
    grade: str


class PathwayEnrolmentOut(Schema):
    public_id: UUID
    status: str = choice(PathwayEnrolment.Status)
    pathway: PathwayBrief
    student: PersonOut
    home: InstitutionLink
    motivation: str
    created_at: datetime
    completed_at: datetime | None
    progress: list[ProgressOut] = Field(description="Every component in order, with where the student stands.")
    passed: int = Field(description="How many components are passed.")
    passed_ects: float
    total_ects: float


# ---- joint programmes ------------------------------------------------------------------------------------------


class ProgrammeOut(Schema):
    public_id: UUID
    kind: str = choice(JointProgramme.Kind)
    title: str
    titles: dict[str, str]
    degree: str
    eqf_level: int | None
    ects: float | None
    semesters: int
    languages: list[str]
    erasmus_mundus: bool
    institution: InstitutionLink = Field(description="The managing institution.")
    alliance: AllianceBrief | None
    partners: list[InstitutionLink]
    our_part: Literal["managing", "partner", "alliance"] = Field(
        description="How `institution` takes part: it manages the programme, is a partner, or is in its alliance."
    )
    cohort_size: int


class ProgrammePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProgrammeOut]


class WindowOut(Schema):
    semester: int
    host: InstitutionLink
    mode: str = choice(Mode)
    note: str


class CohortStudentOut(Schema):
    student: PersonOut
    home: InstitutionLink
    current_semester: int


class CohortOut(Schema):
    intake_year: str
    size: int
    semester: int = Field(
        description="Where the intake is today: below 1 not started, above the programme's semesters finished."
    )
    hosts: list[InstitutionLink] = Field(description="Where it studies this semester.")
    students: list[CohortStudentOut] | None = Field(
        description="Names only for the staff of the institutions taking part; null for the others."
    )


class ProgrammeDetailOut(ProgrammeOut):
    windows: list[WindowOut] = Field(description="The mobility windows by semester.")
    cohorts: list[CohortOut] = Field(description="One per intake, newest first.")
    editable: bool
