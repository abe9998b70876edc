"""Importing agreements from a workbook: all rows or none, every rejected row reported with its line.

`import_agreements(institution, data, actor=...)` reads the workbook (reader.py), resolves partners, units and
signatories in a few queries, checks every agreement with the rules of `inputs.validate` and only then writes,
in one transaction, through the services (which audit each agreement). Any problem raises `ImportRejected`
with every problem of the file; nothing is saved.

An agreement code that already exists at the institution:
- a draft is updated in place from the file (the officer exported, corrected in Excel and imports again);
  a draft the file does not change is left alone, so importing the same file twice changes nothing;
- an agreement that has been shared, approved or terminated is rejected: what the partner has seen or approved
  changes on its page, where a new version starts, never silently from a spreadsheet.
"""

import time
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mobilitas import audit
from mobilitas.agreements import services
from mobilitas.agreements.access import with_conditions
from mobilitas.agreements.iia_data import CONDITION_KINDS
from mobilitas.agreements.inputs import (
    AgreementInput,
    ConditionInput,
    InvalidAgreement,
    Problem,
    condition_problems,
    validate,
)
from mobilitas.agreements.models import Agreement
from mobilitas.agreements.spreadsheet.columns import COLUMNS_BY_KEY
from mobilitas.agreements.spreadsheet.reader import AgreementRows, ConditionRow, Sheet, read_workbook
from mobilitas.institutions.models import Contact, Institution, OrganisationalUnit
from mobilitas.lib import erasmus_code
from mobilitas.lib.errors import DomainError
from mobilitas.lib.imports import ImportRejected, Rejection

# Where `inputs.validate` puts a problem -> the column that holds the value.
_AGREEMENT_PLACES = {"conditions": "kind", "additional_partners": "additional_partners"}
_CONDITION_PLACES = {"kind": "condition_kind"}
# The order the services store conditions in (the IIA v7 schema's), to compare a file with a stored draft.
_KIND_ORDER: dict[str, int] = {kind: i for i, kind in enumerate(CONDITION_KINDS)}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conditions: int = 0
    rows: int = 0
    elapsed: float = 0.0

    def summary(self) -> str:
        created = ngettext("%(count)d agreement created", "%(count)d agreements created", self.created) % {
            "count": self.created
        }
        return _("%(created)s, %(updated)d updated, %(unchanged)d unchanged (%(rows)d rows, %(seconds)s s).") % {
            "created": created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rows": self.rows,
            "seconds": f"{self.elapsed:.1f}",
        }


@dataclass
class _Plan:
    group: AgreementRows
    data: AgreementInput
    existing: Agreement | None


class _Directory:
    """Partners (by Erasmus or SCHAC code), our units and our signatories, each loaded in one query."""

    def __init__(self, institution: Institution, sheet: Sheet) -> None:
        codes = {group.values["partner"] for group in sheet.agreements} | {
            code for group in sheet.agreements for code in group.values["additional_partners"]
        }
        codes.discard("")
        erasmus = {erasmus_code.normalise(code) for code in codes} | {code.upper() for code in codes}
        schac = {code.lower() for code in codes}
        found = Institution.objects.filter(Q(erasmus_code__in=erasmus) | Q(schac_code__in=schac)) if codes else []
        self.by_erasmus = {i.erasmus_code: i for i in found if i.erasmus_code}
        self.by_schac = {i.schac_code.lower(): i for i in found if i.schac_code}
        self.units = {unit.code: unit for unit in OrganisationalUnit.objects.filter(institution=institution)}
        self.units_folded = {code.casefold(): unit for code, unit in self.units.items()}
        self.signatories: dict[str, Contact] = {}
        contacts = Contact.objects.filter(institution=institution, partner=institution).exclude(email="")
        for contact in contacts.order_by("-pk"):
            self.signatories[contact.email.casefold()] = contact  # the oldest contact of an address wins

    def institution(self, code: str) -> Institution | None:
        return (
            self.by_erasmus.get(erasmus_code.normalise(code))
            or self.by_erasmus.get(code.upper())
            or self.by_schac.get(code.lower())
        )

    def unit(self, code: str) -> OrganisationalUnit | None:
        return self.units.get(code) or self.units_folded.get(code.casefold())


def import_agreements(institution: Institution, data: bytes, *, actor: Any = None) -> ImportReport:
    """Create (or update drafts of) the agreements of an XLSX workbook; see the module docstring."""
    started = time.perf_counter()
    if not institution.hosted:
        raise DomainError(_("Only an institution hosted here keeps agreements."))
    sheet = read_workbook(data)
    directory = _Directory(institution, sheet)
    codes = [group.code for group in sheet.agreements]
    existing = {a.code: a for a in with_conditions(Agreement.objects.filter(institution=institution, code__in=codes))}
    rejections = list(sheet.rejections)
    plans = []
    for group in sheet.agreements:
        plan, problems = _plan(institution, group, sheet, directory, existing.get(group.code))
        rejections += problems
        if plan is not None:
            plans.append(plan)
    if rejections:
        raise ImportRejected(rejections)
    report = ImportReport(rows=sheet.rows)
    with transaction.atomic():
        for plan in plans:
            rejections += _write(institution, plan, sheet, report, actor)
        if rejections:
            raise ImportRejected(rejections)  # rolls back everything written above
        audit.record(
            "agreements.imported",
            actor=actor,
            institution=institution,
            data={"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
        )
    report.elapsed = time.perf_counter() - started
    return report


def _plan(
    institution: Institution,
    group: AgreementRows,
    sheet: Sheet,
    directory: _Directory,
    existing: Agreement | None,
) -> tuple[_Plan | None, list[Rejection]]:
    values = group.values
    rejections: list[Rejection] = []

    def reject(key: str, message: str) -> None:
        rejections.append(Rejection(group.lines[key], sheet.header(key), message))
        sheet.failed.add((group.lines[key], key))

    partner = directory.institution(values["partner"]) if values["partner"] else None
    if partner is None and (group.lines["partner"], "partner") not in sheet.failed:
        if values["partner"]:
            reject(
                "partner",
                _("No institution of the directory has the Erasmus or SCHAC code “%(code)s”.")
                % {"code": values["partner"]},
            )
        else:
            reject("partner", _("The partner code is missing."))
    additional = []
    for code in values["additional_partners"]:
        if (other := directory.institution(code)) is None:
            reject(
                "additional_partners",
                _("No institution of the directory has the Erasmus or SCHAC code “%(code)s”.") % {"code": code},
            )
        else:
            additional.append(other)
    ounit = None
    if values["ounit"] and (ounit := directory.unit(values["ounit"])) is None:
        reject("ounit", _("“%(code)s” is not the code of one of your units.") % {"code": values["ounit"]})
    signatory = None
    if (
        values["signing_contact"]
        and (signatory := directory.signatories.get(values["signing_contact"].casefold())) is None
    ):
        reject(
            "signing_contact",
            _(
                "No one of your institution has the e-mail “%(email)s” in your address book: "
                "add them as a contact first."
            )
            % {"email": values["signing_contact"]},
        )
    if existing is not None and existing.status != Agreement.Status.DRAFT:
        reject(
            "code",
            _(
                "An agreement with this code already exists and is “%(status)s”: an import only updates drafts. "
                "Change it on its page, or give the row another code."
            )
            % {"status": existing.get_status_display()},
        )
    conditions = [_condition(row) for row in group.conditions]
    if partner is None:
        problems = [p for i, c in enumerate(conditions) for p in condition_problems(c, i)]
        return None, rejections + _located(problems, group, sheet)
    data = AgreementInput(
        partner=partner,
        code=group.code,
        kind=values["kind"],
        ounit=ounit,
        partner_ounit_id=values["partner_ounit_id"],
        partner_ounit_name=values["partner_ounit_name"],
        partner_iia_code=values["partner_iia_code"],
        signing_contact=signatory,
        signing_date=values["signing_date"],
        partner_signing_name=values["partner_signing_name"],
        partner_signing_email=values["partner_signing_email"],
        partner_signing_date=values["partner_signing_date"],
        title=values["title"],
        programmes=values["programmes"],
        start_date=values["start_date"],
        end_date=values["end_date"],
        notes=values["notes"],
        additional_partners=additional,
        conditions=conditions,
    )
    rejections += _located(validate(institution, data), group, sheet)
    return _Plan(group, data, existing), rejections


def _condition(row: ConditionRow) -> ConditionInput:
    values = row.values
    return ConditionInput(
        kind=values["condition_kind"],
        direction=values["direction"],
        first_year=values["first_year"],
        last_year=values["last_year"],
        mobilities_per_year=values["mobilities_per_year"],
        total_months_per_year=values["total_months_per_year"],
        total_days_per_year=values["total_days_per_year"],
        blended=values["blended"],
        eqf_levels=values["eqf_levels"],
        subject_areas=values["subject_areas"],
        language_skills=values["language_skills"],
        other_info=values["other_info"],
        sending_ounit_id=values["sending_ounit_id"],
        receiving_ounit_id=values["receiving_ounit_id"],
    )


def _located(problems: list[Problem], group: AgreementRows, sheet: Sheet) -> list[Rejection]:
    """The problems `inputs.validate` found, at the line and column of the value they concern.

    A cell the reader already rejected is not reported twice."""
    rejections = []
    for problem in problems:
        parts = problem.place.split(".")
        if parts[0] == "conditions" and len(parts) > 2 and parts[1].isdigit():
            line = group.conditions[int(parts[1])].line
            key = _CONDITION_PLACES.get(parts[2], parts[2])
        else:
            key = _AGREEMENT_PLACES.get(parts[0], parts[0])
            line = group.lines.get(key, group.first_line)
        if (line, key) in sheet.failed:
            continue
        rejections.append(Rejection(line, sheet.header(key) if key in COLUMNS_BY_KEY else "", problem.message))
    return rejections


def _write(institution: Institution, plan: _Plan, sheet: Sheet, report: ImportReport, actor: Any) -> list[Rejection]:
    try:
        if plan.existing is None:
            services.create_agreement(institution, plan.data, actor=actor)
            report.created += 1
        elif _comparable(AgreementInput.from_agreement(plan.existing)) == _comparable(plan.data):
            report.unchanged += 1
            return []
        else:
            services.update_agreement(plan.existing, plan.data, actor=actor)
            report.updated += 1
    except InvalidAgreement as error:  # a rule the services check beyond `validate` (or a code taken meanwhile)
        return _located(error.problems, plan.group, sheet)
    except DomainError as error:
        return [Rejection(plan.group.first_line, sheet.header("code"), error.message)]
    report.conditions += len(plan.data.conditions)
    return []


def _comparable(data: AgreementInput) -> AgreementInput:
    """`data` as the services store it: conditions in the schema's kind order, EQF levels sorted."""
    conditions = sorted(data.conditions, key=lambda c: _KIND_ORDER.get(c.kind, len(_KIND_ORDER)))
    return replace(
        data,
        code=data.code.strip(),
        additional_partners=sorted(data.additional_partners, key=lambda i: i.pk),
        conditions=[replace(c, eqf_levels=sorted(c.eqf_levels)) for c in conditions],
    )
