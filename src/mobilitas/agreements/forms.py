"""The forms of the agreement pages. They parse what people type into `inputs.AgreementInput`; the rules of
the IIA spec live in `inputs.validate()` and come back as problems that `show_problems` puts next to the field
they concern."""

import re
import uuid
from typing import Any, cast

from django import forms
from django.core.validators import FileExtensionValidator
from django.db.models import Q, QuerySet
from django.forms.formsets import BaseFormSet
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mobilitas.agreements.inputs import (
    AgreementInput,
    ConditionInput,
    Direction,
    LanguageSkillInput,
    Problem,
    SubjectAreaInput,
)
from mobilitas.agreements.models import Agreement, AgreementSnapshot, CooperationCondition, PartnerCopy
from mobilitas.institutions.models import Contact, Institution, OrganisationalUnit
from mobilitas.lib import academic_years, erasmus_code

DIRECTION_CHOICES = [("out", _("We send to the partner")), ("in", _("The partner sends to us"))]
# EQF 5 to 8 are the higher-education levels; a level outside them read from a partner is kept as a choice.
EQF_CHOICES = [
    (5, _("5 (short cycle)")),
    (6, _("6 (bachelor)")),
    (7, _("7 (master)")),
    (8, _("8 (doctorate)")),
]
CONDITION_FIELDS = (
    "kind",
    "direction",
    "first_year",
    "last_year",
    "mobilities_per_year",
    "total_months_per_year",
    "total_days_per_year",
    "blended",
    "eqf_levels",
    "subject_areas",
    "language_skills",
    "other_info",
    "sending_ounit_id",
    "receiving_ounit_id",
)
# A new item starts at a ";" followed by an ISCED code (digits) or a language code, so that a clarification
# may itself hold a semicolon ("Software; databases") without being cut.
SUBJECT_SPLIT = re.compile(r"\n|;\s*(?=\d)")
LANGUAGE_SPLIT = re.compile(r"\n|;\s*(?=[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*(?:\s|;|$))")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = [
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "tif", "tiff",
    "doc", "docx", "odt", "rtf", "txt", "xls", "xlsx", "ods", "csv", "ppt", "pptx", "odp",
]  # fmt: skip
MAX_XML_BYTES = 5 * 1024 * 1024


def find_partner(text: str) -> Institution | None:
    """The directory institution an officer means by an Erasmus code, a SCHAC code or a public id.

    The datalist offers "CODE — Name"; only the part before the dash is the identifier.
    """
    text = text.split(" — ", 1)[0].strip()
    if not text:
        return None
    try:
        return Institution.objects.filter(public_id=uuid.UUID(text)).first()
    except ValueError:
        pass
    code = erasmus_code.normalise(text)
    return Institution.objects.filter(Q(erasmus_code=code) | Q(schac_code__iexact=text)).order_by("pk").first()


def partner_identifier(institution: Institution) -> str:
    """What the partner field shows for an institution: the code people know it by."""
    return institution.erasmus_code or institution.schac_code or str(institution.public_id)


def _unknown_partner(value: str) -> forms.ValidationError:
    return forms.ValidationError(
        _(
            "No institution of the directory has the Erasmus code, SCHAC code or id “%(value)s”. "
            "Look it up in the partner directory and copy its code."
        ),
        params={"value": value},
        code="unknown_partner",
    )


class AgreementForm(forms.Form):
    """The agreement's own fields (the conditions are the formset below)."""

    partner = forms.CharField(
        label=_("Partner"),
        max_length=300,
        help_text=_("Its Erasmus code (F  AMIENS01) or SCHAC code (u-picardie.fr), as in the partner directory."),
    )
    kind = forms.ChoiceField(label=_("Kind of agreement"), choices=Agreement.Kind.choices)
    code = forms.CharField(label=_("Our code"), max_length=64, help_text=_("Unique among our agreements."))
    ounit = forms.ModelChoiceField(
        label=_("Responsible unit"),
        required=False,
        queryset=OrganisationalUnit.objects.none(),
        to_field_name="public_id",
        empty_label=_("The whole institution"),
    )
    partner_iia_code = forms.CharField(label=_("Partner's code for the agreement"), max_length=64, required=False)
    partner_ounit_id = forms.CharField(
        label=_("Partner's unit (EWP ounit-id)"), max_length=64, required=False, help_text=_("Leave blank if none.")
    )
    partner_ounit_name = forms.CharField(label=_("Partner's unit (name)"), max_length=300, required=False)
    signing_contact = forms.ModelChoiceField(
        label=_("Our signatory"),
        required=False,
        queryset=Contact.objects.none(),
        to_field_name="public_id",
        empty_label=_("Not chosen yet"),
        help_text=_("A contact of our own institution (add them on our page in the partner directory)."),
    )
    signing_date = forms.DateField(
        label=_("Signed by us on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    partner_signing_name = forms.CharField(label=_("Partner's signatory"), max_length=200, required=False)
    partner_signing_email = forms.EmailField(label=_("Partner's signatory e-mail"), required=False)
    partner_signing_date = forms.DateField(
        label=_("Signed by the partner on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    programmes = forms.CharField(
        label=_("Programmes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One degree programme per line (double and joint degrees)."),
    )
    start_date = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    additional_partners = forms.CharField(
        label=_("Other partners"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a multilateral agreement: one Erasmus or SCHAC code per line."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(
        self,
        *args: Any,
        units: QuerySet[OrganisationalUnit],
        contacts: QuerySet[Contact],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["ounit"]).queryset = units
        cast(forms.ModelChoiceField, self.fields["signing_contact"]).queryset = contacts
        self.fields["partner"].widget.attrs.update({"list": "partner-options", "autocomplete": "off"})

    @classmethod
    def initial_for(cls, agreement: Agreement) -> dict[str, Any]:
        data = AgreementInput.from_agreement(agreement)
        return {
            **{name: getattr(data, name) for name in cls.base_fields if hasattr(data, name)},
            "partner": partner_identifier(agreement.partner),
            "ounit": agreement.ounit.public_id if agreement.ounit else None,
            "signing_contact": agreement.signing_contact.public_id if agreement.signing_contact else None,
            "additional_partners": "\n".join(partner_identifier(p) for p in data.additional_partners),
        }

    def clean_partner(self) -> Institution:
        value = self.cleaned_data["partner"]
        partner = find_partner(value)
        if partner is None:
            raise _unknown_partner(value)
        return partner

    def clean_additional_partners(self) -> list[Institution]:
        found, unknown = [], []
        for line in re.split(r"[\n;]", self.cleaned_data["additional_partners"]):
            if not line.strip():
                continue
            partner = find_partner(line)
            if partner is None:
                unknown.append(line.strip())
            elif partner not in found:
                found.append(partner)
        if unknown:
            raise _unknown_partner(", ".join(unknown))
        return found


def parse_subject_areas(text: str) -> list[SubjectAreaInput]:
    """Text like “0613 Software development; 0714” -> two subject areas (code, then the clarification)."""
    areas = []
    for item in SUBJECT_SPLIT.split(text):
        code, _space, clarification = item.strip().partition(" ")
        if code:
            areas.append(SubjectAreaInput(code, clarification.strip()))
    return areas


def parse_language_skills(text: str) -> list[LanguageSkillInput]:
    """Text like “en B2; fr B1 0232 French literature” -> language, CEFR level, optional ISCED code and clarification.

    The second word is the CEFR level unless it starts with a digit (then it is the ISCED code). Anything left
    over is the clarification; inputs.validate() says when it lacks its ISCED code.
    """
    skills = []
    for item in LANGUAGE_SPLIT.split(text):
        words = item.split()
        if not words:
            continue
        language, rest = words[0], words[1:]
        cefr = rest.pop(0).upper() if rest and not rest[0][0].isdigit() else ""
        isced = rest.pop(0) if rest and rest[0][0].isdigit() else ""
        skills.append(LanguageSkillInput(language, cefr, isced, " ".join(rest)))
    return skills


def subject_areas_text(areas: list[SubjectAreaInput]) -> str:
    return "\n".join(f"{a.isced_code} {a.clarification}".strip() for a in areas)


def language_skills_text(skills: list[LanguageSkillInput]) -> str:
    return "\n".join(
        " ".join(p for p in (s.language, s.cefr_level, s.isced_code, s.clarification) if p) for s in skills
    )


class ConditionForm(forms.Form):
    """One cooperation condition. An untouched extra form is skipped, so rows can be added without JavaScript."""

    kind = forms.ChoiceField(
        label=_("Mobility type"), choices=[("", _("— choose —")), *CooperationCondition.Kind.choices]
    )
    # The browser submits the first option of a select anyway: as the initial value, it keeps a blank row blank.
    direction = forms.ChoiceField(label=_("Direction"), choices=DIRECTION_CHOICES, initial="out")
    first_year = forms.CharField(label=_("First academic year"), max_length=9, help_text=_("e.g. 2026/2027"))
    last_year = forms.CharField(label=_("Last academic year"), max_length=9)
    mobilities_per_year = forms.IntegerField(label=_("Mobilities per year"), min_value=1, max_value=99999)
    total_months_per_year = forms.DecimalField(
        label=_("Total months per year"),
        required=False,
        max_digits=7,
        decimal_places=2,
        help_text=_("Students: months for all the mobilities of a year together."),
    )
    total_days_per_year = forms.DecimalField(
        label=_("Total days per year"), required=False, max_digits=7, decimal_places=2, help_text=_("Staff only.")
    )
    blended = forms.BooleanField(label=_("Blended mobility possible"), required=False)
    eqf_levels = forms.TypedMultipleChoiceField(
        label=_("EQF levels"),
        required=False,
        coerce=int,
        choices=EQF_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    subject_areas = forms.CharField(
        label=_("Subject areas (ISCED-F)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A 4-digit code, then an optional clarification; separate them with “;”: 0613 Software; 0714"),
    )
    language_skills = forms.CharField(
        label=_("Recommended language skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Language code and CEFR level, optionally for one subject area; separate them with “;”: "
            "en B2; fr B1 0232 French literature"
        ),
    )
    other_info = forms.CharField(label=_("Other information"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sending_ounit_id = forms.CharField(label=_("Sending unit (EWP ounit-id)"), max_length=64, required=False)
    receiving_ounit_id = forms.CharField(label=_("Receiving unit (EWP ounit-id)"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = cast(forms.TypedMultipleChoiceField, self.fields["eqf_levels"])
        known = {value for value, _label in EQF_CHOICES}
        others = sorted({int(v) for v in self.initial.get("eqf_levels") or () if int(v) not in known})
        if others:
            levels.choices = sorted([*EQF_CHOICES, *((v, str(v)) for v in others)])

    @staticmethod
    def initial_for(condition: ConditionInput) -> dict[str, Any]:
        return {
            **{name: getattr(condition, name) for name in CONDITION_FIELDS},
            "subject_areas": subject_areas_text(condition.subject_areas),
            "language_skills": language_skills_text(condition.language_skills),
        }

    def clean_first_year(self) -> str:
        return str(self.cleaned_data["first_year"]).strip()

    def clean_last_year(self) -> str:
        return str(self.cleaned_data["last_year"]).strip()

    def to_input(self) -> ConditionInput:
        data = self.cleaned_data
        return ConditionInput(
            kind=data["kind"],
            direction=cast(Direction, data["direction"]),
            first_year=data["first_year"],
            last_year=data["last_year"],
            mobilities_per_year=data["mobilities_per_year"],
            total_months_per_year=data["total_months_per_year"],
            total_days_per_year=data["total_days_per_year"],
            blended=data["blended"],
            eqf_levels=list(data["eqf_levels"]),
            subject_areas=parse_subject_areas(data["subject_areas"]),
            language_skills=parse_language_skills(data["language_skills"]),
            other_info=data["other_info"],
            sending_ounit_id=data["sending_ounit_id"].strip(),
            receiving_ounit_id=data["receiving_ounit_id"].strip(),
        )


class BaseConditionFormSet(BaseFormSet[ConditionForm]):
    def filled_forms(self) -> list[ConditionForm]:
        """The conditions to save, in the order they appear on the page: every existing row unless removed,
        and the extra rows someone filled in."""
        return [
            form
            for i, form in enumerate(self.forms)
            if (i < self.initial_form_count() or form.has_changed()) and not form.cleaned_data.get("DELETE", False)
        ]


ConditionFormSet = cast(
    type[BaseConditionFormSet],
    forms.formset_factory(
        ConditionForm, formset=BaseConditionFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
    ),
)
CONDITIONS_PREFIX = "conditions"


def agreement_input(form: AgreementForm, formset: BaseConditionFormSet) -> tuple[AgreementInput, list[int]]:
    """The input for the services, and for each condition its form's index in the formset (to place problems)."""
    data = form.cleaned_data
    filled = formset.filled_forms()
    agreement = AgreementInput(
        partner=data["partner"],
        code=data["code"],
        kind=data["kind"],
        ounit=data["ounit"],
        partner_ounit_id=data["partner_ounit_id"].strip(),
        partner_ounit_name=data["partner_ounit_name"].strip(),
        partner_iia_code=data["partner_iia_code"].strip(),
        signing_contact=data["signing_contact"],
        signing_date=data["signing_date"],
        partner_signing_name=data["partner_signing_name"].strip(),
        partner_signing_email=data["partner_signing_email"],
        partner_signing_date=data["partner_signing_date"],
        title=data["title"].strip(),
        programmes=data["programmes"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        notes=data["notes"],
        additional_partners=data["additional_partners"],
        conditions=[f.to_input() for f in filled],
    )
    return agreement, [formset.forms.index(f) for f in filled]


def _item_label(collection: str, index: str) -> str:
    number = int(index) + 1 if index.isdigit() else index
    if collection == "subject_areas":
        return gettext("Subject area %(number)s") % {"number": number}
    return gettext("Language skill %(number)s") % {"number": number}


def show_problems(
    problems: list[Problem],
    form: forms.Form,
    formset: BaseFormSet[Any] | None = None,
    indexes: list[int] | None = None,
) -> None:
    """Put each problem next to the field it concerns: `code` on the form, `conditions.1.last_year` on the
    second condition's row, `conditions.0.subject_areas.2.isced_code` on that row's subject areas."""
    for problem in problems:
        parts = problem.place.split(".") if problem.place else []
        if parts[:1] == ["conditions"] and formset is not None:
            _show_condition_problem(problem, parts[1:], formset, indexes or [])
        elif parts and parts[-1] in form.fields:
            form.add_error(parts[-1], problem.message)
        elif parts and parts[0] in form.fields:
            form.add_error(parts[0], problem.message)
        else:
            form.add_error(None, problem.message)


def _show_condition_problem(problem: Problem, parts: list[str], formset: BaseFormSet[Any], indexes: list[int]) -> None:
    if not parts or not parts[0].isdigit() or int(parts[0]) >= len(indexes):
        formset.non_form_errors().append(problem.message)
        return
    form = formset.forms[indexes[int(parts[0])]]
    name = parts[1] if len(parts) > 1 else ""
    message = problem.message
    if name in ("subject_areas", "language_skills") and len(parts) > 2:
        message = f"{_item_label(name, parts[2])}: {message}"
    if name in form.fields:
        form.add_error(name, message)
    else:
        form.add_error(None, message)


class RenewForm(forms.Form):
    first_year = forms.CharField(label=_("First academic year"), max_length=9, help_text=_("e.g. 2029/2030"))
    last_year = forms.CharField(label=_("Last academic year"), max_length=9)
    code = forms.CharField(label=_("Code of the new agreement"), max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("first_year", "last_year"):
            value = (data.get(name) or "").strip()
            if name in data and not academic_years.is_valid(value):
                self.add_error(name, _("Write the academic year like 2026/2027."))
            elif name in data:
                data[name] = value
        return data


class PartnerApprovalForm(forms.Form):
    iia_hash = forms.CharField(
        label=_("Hash the partner approved"),
        max_length=64,
        min_length=64,
        required=False,
        help_text=_("The iia-hash of their IIAs Approval (64 hexadecimal characters)."),
    )


class TerminateForm(forms.Form):
    as_a_whole = forms.BooleanField(
        label=_("Terminate as a whole (approved by both, ended before any exchange)"), required=False
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text=_("PDF, image or office document, up to 10 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."), code="too_large")
        return upload


class XmlUploadForm(forms.Form):
    document = forms.FileField(
        label=_("IIAs get-response (XML)"),
        help_text=_("The partner's IIAs v7 get-response document, up to 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def clean_document(self) -> bytes:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_XML_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        return bytes(upload.read())


OUR_COPY = "current"


def version_choices(snapshots: list[AgreementSnapshot], copies: list[PartnerCopy]) -> list[tuple[str, str]]:
    """The versions of an agreement one can compare: ours now, each approved version, each partner's copy."""
    choices = [(OUR_COPY, gettext("Our current version"))]
    for s in snapshots:
        label = gettext("Version %(version)s, %(event)s on %(date)s") % {
            "version": s.version,
            "event": s.get_event_display().lower(),
            "date": date_format(localtime(s.created_at), "DATETIME_FORMAT"),
        }
        choices.append((f"v:{s.public_id}", label))
    for c in copies:
        label = gettext("The partner's copy received on %(date)s") % {
            "date": date_format(localtime(c.received_at), "DATETIME_FORMAT")
        }
        choices.append((f"p:{c.public_id}", label))
    return choices


class CompareForm(forms.Form):
    left = forms.ChoiceField(label=_("Compare"))
    right = forms.ChoiceField(label=_("with"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["left"]).choices = choices
        cast(forms.ChoiceField, self.fields["right"]).choices = choices


class PlacesForm(forms.Form):
    year = forms.ChoiceField(label=_("Academic year"))
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("out", _("Outgoing (we send)")), ("in", _("Incoming (we receive)"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, current_year: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = [academic_years.shift(current_year, n) for n in range(-3, 7)]
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, y) for y in years]
