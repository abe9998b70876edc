"""The agreement as a bilingual PDF document (WeasyPrint): English, then French, from `agreements/pdf.html`.

`render_agreement_pdf(agreement)` is a pure function of the agreement (and the time it says it was generated):
no request, no network. The template carries its own CSS and uses the system's fonts, and the URL fetcher
refuses every URL, so a document never loads anything from outside, whatever an agreement's text holds.
"""

import re
import warnings
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language_info, override
from django.utils.translation import gettext as _

from mobilitas.agreements import hashing
from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.agreements.snapshot import agreement_to_data, decimal_text
from mobilitas.institutions.countries import country_name
from mobilitas.institutions.models import Institution, pick_name

with warnings.catch_warnings():
    # Without the system's HarfBuzz-Subset (.ci/run installs it) WeasyPrint warns at import that a future
    # version will need it; it renders the same meanwhile.
    warnings.simplefilter("ignore", DeprecationWarning)
    import weasyprint
    from weasyprint.urls import URLFetcher

TEMPLATE = "agreements/pdf.html"
# The languages of the document, in order: each one renders the whole agreement.
PDF_LANGUAGES = ("en", "fr")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


class NoFetching(URLFetcher):
    """Refuses every URL: the document is self-contained (inline CSS, system fonts)."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"agreement PDFs load nothing from outside ({url})")


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    erasmus_code: str
    schac_code: str
    address: list[str]
    unit: str
    agreement_code: str
    signatory: str
    signing_date: date | None


@dataclass(frozen=True)
class ConditionView:
    number: int
    kind: str
    sending: str
    receiving: str
    first_year: str
    last_year: str
    mobilities_per_year: int
    duration: str
    blended: bool
    is_student: bool
    eqf_levels: str
    subject_areas: list[str]
    language_skills: list[str]
    other_info: str


def render_agreement_pdf(agreement: Agreement, *, now: datetime | None = None) -> bytes:
    """The agreement's PDF. Expects it loaded with `access.with_conditions` (no query per condition)."""
    html = agreement_html(agreement, now=now)
    document = weasyprint.HTML(string=html, url_fetcher=NoFetching(), base_url=None)
    return bytes(document.write_pdf())


def agreement_html(agreement: Agreement, *, now: datetime | None = None) -> str:
    """The HTML the PDF is made from: one section per language of PDF_LANGUAGES."""
    generated = timezone.localtime(now or timezone.now())
    shared: dict[str, Any] = {
        "agreement": agreement,
        "generated": generated,
        "iia_hash": hashing.data_hash(agreement_to_data(agreement)) if agreement.is_erasmus else "",
    }
    sections = []
    for code in PDF_LANGUAGES:
        with override(code):
            sections.append(render_to_string(f"{TEMPLATE}#section", {**shared, **_section(agreement, code)}))
    with override(PDF_LANGUAGES[0]):
        return render_to_string(TEMPLATE, {**shared, "sections": sections, "lang": PDF_LANGUAGES[0]})


def pdf_filename(agreement: Agreement) -> str:
    code = _UNSAFE_FILENAME.sub("-", agreement.code).strip("-") or str(agreement.public_id)
    return f"agreement-{code}.pdf"


def _section(agreement: Agreement, lang: str) -> dict[str, Any]:
    """What one language's section shows, computed with `lang` active."""
    contact = agreement.signing_contact
    ours = _party(
        _("Our institution"),
        agreement.institution,
        lang,
        unit=agreement.ounit.display_name if agreement.ounit else "",
        agreement_code=agreement.code,
        signatory=", ".join(v for v in (contact.name, contact.role, contact.email) if v) if contact else "",
        signing_date=agreement.signing_date,
    )
    partner_unit = " — ".join(v for v in (agreement.partner_ounit_name, agreement.partner_ounit_id) if v)
    theirs = _party(
        _("Partner institution"),
        agreement.partner,
        lang,
        unit=partner_unit,
        agreement_code=agreement.partner_iia_code,
        signatory=", ".join(v for v in (agreement.partner_signing_name, agreement.partner_signing_email) if v),
        signing_date=agreement.partner_signing_date,
    )
    conditions = [_condition(condition, n, lang) for n, condition in enumerate(agreement.conditions.all(), start=1)]
    return {
        "lang": lang,
        "parties": [ours, theirs],
        "other_partners": [
            _party(_("Other partner"), p, lang, "", "", "", None) for p in agreement.additional_partners.all()
        ],
        "conditions": conditions,
        "years": _years(conditions),
    }


def _party(
    role: str,
    institution: Institution,
    lang: str,
    unit: str,
    agreement_code: str,
    signatory: str,
    signing_date: date | None,
) -> Party:
    town = " ".join(v for v in (institution.postcode, institution.city) if v)
    address = [line for line in (institution.street, town, str(country_name(institution.country))) if line]
    return Party(
        role=role,
        name=pick_name(institution.names, institution.name, lang),
        erasmus_code=institution.erasmus_code,
        schac_code=institution.schac_code,
        address=address,
        unit=unit,
        agreement_code=agreement_code,
        signatory=signatory,
        signing_date=signing_date,
    )


def _condition(condition: CooperationCondition, number: int, lang: str) -> ConditionView:
    student = condition.is_student
    return ConditionView(
        number=number,
        kind=str(condition.get_kind_display()),
        sending=pick_name(condition.sending.names, condition.sending.name, lang),
        receiving=pick_name(condition.receiving.names, condition.receiving.name, lang),
        first_year=condition.first_year,
        last_year=condition.last_year,
        mobilities_per_year=condition.mobilities_per_year,
        duration=_duration(condition.total_months_per_year if student else condition.total_days_per_year, student),
        blended=condition.blended,
        is_student=student,
        eqf_levels=", ".join(str(level) for level in condition.eqf_levels),
        subject_areas=[f"{a.isced_code} {a.clarification}".strip() for a in condition.subject_areas.all()],
        language_skills=[
            " ".join(v for v in (_language_name(s.language), s.cefr_level, s.isced_code, s.clarification) if v)
            for s in condition.language_skills.all()
        ],
        other_info=condition.other_info,
    )


def _duration(value: Decimal | None, student: bool) -> str:
    if value is None:
        return ""
    if student:
        return _("%(count)s months") % {"count": decimal_text(value)}
    return _("%(count)s days") % {"count": decimal_text(value)}


def _language_name(code: str) -> str:
    try:
        return f"{get_language_info(code.lower())['name_translated']} ({code})"
    except KeyError:
        return code


def _years(conditions: list[ConditionView]) -> str:
    if not conditions:
        return ""
    first = min(c.first_year for c in conditions)
    last = max(c.last_year for c in conditions)
    return first if first == last else f"{first} – {last}"
