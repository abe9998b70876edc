"""What differs between two versions of an agreement, or between our copy and the partner's, in plain words.

EWP approval fails when the two copies hash differently, and the hash only says *that* they differ. This
module says *where*: field by field, condition by condition, and which differences block approval (those
the hash covers: both agreement ids, every cooperation condition and their order).
"""

from dataclasses import dataclass, fields, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mobilitas.agreements.iia_data import ConditionData, IiaData, LanguageSkillData, SubjectAreaData

CONDITION_KIND_LABELS = {
    "student-studies": gettext_lazy("student mobility for studies"),
    "student-traineeship": gettext_lazy("student mobility for traineeships"),
    "staff-teacher": gettext_lazy("staff mobility for teaching"),
    "staff-training": gettext_lazy("staff mobility for training"),
}
CONDITION_FIELD_LABELS = {
    "kind": gettext_lazy("mobility type"),
    "sending_hei_id": gettext_lazy("sending institution"),
    "receiving_hei_id": gettext_lazy("receiving institution"),
    "sending_ounit_id": gettext_lazy("sending unit"),
    "receiving_ounit_id": gettext_lazy("receiving unit"),
    "first_year": gettext_lazy("first academic year"),
    "last_year": gettext_lazy("last academic year"),
    "mobilities_per_year": gettext_lazy("mobilities per year"),
    "language_skills": gettext_lazy("recommended language skills"),
    "subject_areas": gettext_lazy("subject areas"),
    "other_info": gettext_lazy("other information"),
    "total_months_per_year": gettext_lazy("total months per year"),
    "blended": gettext_lazy("blended mobility"),
    "eqf_levels": gettext_lazy("EQF levels"),
    "total_days_per_year": gettext_lazy("total days per year"),
    "not_yet_defined": gettext_lazy("fields marked not yet defined"),
}


@dataclass(frozen=True)
class Difference:
    where: str
    what: str
    left: str
    right: str
    blocks_approval: bool = True

    def __str__(self) -> str:
        return f"{self.where}, {self.what}: {self.left} / {self.right}"


def _subject_text(area: SubjectAreaData | None) -> str:
    if area is None:
        return ""
    code = f"{area.isced_code} (v6: {area.v6_value})" if area.v6_value else area.isced_code
    return f"{code} {area.clarification}".rstrip()


def _skill_text(skill: LanguageSkillData) -> str:
    text = f"{skill.language} {skill.cefr_level}".rstrip()
    if skill.subject_area:
        text += f" ({_subject_text(skill.subject_area)})"
    return text


def show(value: object) -> str:
    """A value as a reader sees it; "—" for nothing, and visible quotes when spaces matter."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, tuple | frozenset):
        items = sorted(value) if isinstance(value, frozenset) else value
        parts = [
            _skill_text(v)
            if isinstance(v, LanguageSkillData)
            else _subject_text(v)
            if isinstance(v, SubjectAreaData)
            else str(v)
            for v in items
        ]
        return ", ".join(parts) or "—"
    text = str(value)
    if text != text.strip():
        return f"“{text}”"
    return text or "—"


def _label(condition: ConditionData, position: int) -> str:
    return _("Condition %(number)s (%(kind)s, %(sending)s → %(receiving)s)") % {
        "number": position + 1,
        "kind": CONDITION_KIND_LABELS.get(condition.kind, condition.kind),
        "sending": condition.sending_hei_id or "?",
        "receiving": condition.receiving_hei_id or "?",
    }


def compare_conditions(left: ConditionData, right: ConditionData, position: int) -> list[Difference]:
    where = _label(left, position)
    found = []
    for f in fields(ConditionData):
        a, b = getattr(left, f.name), getattr(right, f.name)
        if a != b:
            what = str(CONDITION_FIELD_LABELS.get(f.name, f.name))
            if isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip():
                what = _("%(field)s (differs only in spaces)") % {"field": what}
            found.append(Difference(where, what, show(a), show(b)))
    return found


def _condition_list_differences(left: tuple[ConditionData, ...], right: tuple[ConditionData, ...]) -> list[Difference]:
    if left != right and len(left) == len(right) and sorted(map(repr, left)) == sorted(map(repr, right)):
        return [
            Difference(
                _("Cooperation conditions"),
                _("order (the same conditions in another order give another hash)"),
                ", ".join(str(left.index(c) + 1) for c in right),
                ", ".join(str(i + 1) for i in range(len(right))),
            )
        ]
    found = []
    for position, (a, b) in enumerate(zip(left, right, strict=False)):
        found += compare_conditions(a, b, position)
    for position, condition in enumerate(left[len(right) :], start=len(right)):
        found.append(Difference(_label(condition, position), _("condition"), _("present"), _("missing")))
    for position, condition in enumerate(right[len(left) :], start=len(left)):
        found.append(Difference(_label(condition, position), _("condition"), _("missing"), _("present")))
    return found


def compare(left: IiaData, right: IiaData) -> list[Difference]:
    """Two versions seen from the same side (our copy then and now)."""
    found = []
    for index, (a, b) in enumerate(zip(left.partners, right.partners, strict=True)):
        side = _("our agreement id") if index == 0 else _("the partner's agreement id")
        if a.iia_id != b.iia_id:
            found.append(Difference(_("Agreement"), side, show(a.iia_id), show(b.iia_id)))
        if a.iia_code != b.iia_code:
            found.append(Difference(_("Agreement"), _("code"), show(a.iia_code), show(b.iia_code), False))
        if a.ounit_id != b.ounit_id:
            found.append(Difference(_("Agreement"), _("unit"), show(a.ounit_id), show(b.ounit_id), False))
    if left.in_effect != right.in_effect:
        found.append(Difference(_("Agreement"), _("in effect"), show(left.in_effect), show(right.in_effect), False))
    if left.terminated_as_a_whole != right.terminated_as_a_whole:
        found.append(
            Difference(
                _("Agreement"),
                _("terminated as a whole"),
                show(left.terminated_as_a_whole),
                show(right.terminated_as_a_whole),
            )
        )
    return found + _condition_list_differences(left.conditions, right.conditions)


def as_seen_by_us(ours: IiaData, theirs: IiaData) -> IiaData:
    """The partner's copy lists the partner first; put us first so it lines up with our copy."""
    if theirs.partners[0].hei_id == ours.partners[0].hei_id:
        return theirs
    return replace(theirs, partners=(theirs.partners[1], theirs.partners[0]))


def compare_copies(ours: IiaData, theirs: IiaData) -> list[Difference]:
    """Our copy against the partner's. Both agreement ids must correspond (that is how copies are bound)."""
    found = compare(ours, as_seen_by_us(ours, theirs))
    # Their copy may know our id before we record theirs, and vice versa: name the missing half plainly.
    return [
        replace(d, what=_("%(field)s (not yet recorded on one side)") % {"field": d.what})
        if d.what in (_("our agreement id"), _("the partner's agreement id")) and "—" in (d.left, d.right)
        else d
        for d in found
    ]


def blocks_approval(differences: list[Difference]) -> bool:
    return any(d.blocks_approval for d in differences)
