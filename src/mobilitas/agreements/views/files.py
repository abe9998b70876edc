"""Agreements as files: the XLSX template, the XLSX import and export, an agreement's PDF and its IIA v7 XML.

Officers and administrators import; everyone who reads agreements (coordinators for their units, leadership)
downloads the template, the export of what they can see, a PDF and the XML. Students and staff get 403; an
agreement of another institution, or outside a coordinator's units, answers 404 like a missing one.
"""

from uuid import UUID

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from mobilitas.agreements.access import READERS, agreements_for, get_agreement_for, with_conditions
from mobilitas.agreements.ewp.iia_xml import build_get_response
from mobilitas.agreements.filters import AgreementFilterForm
from mobilitas.agreements.models import Agreement
from mobilitas.agreements.pdf import pdf_filename, render_agreement_pdf
from mobilitas.agreements.services import ewp_problems
from mobilitas.agreements.snapshot import agreement_to_data
from mobilitas.agreements.spreadsheet import COLUMNS, ImportRejected, import_agreements, is_xlsx, write_workbook
from mobilitas.institutions.access import MANAGERS, has_role, require_roles
from mobilitas.institutions.requests import InstitutionRequest

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx)"),
        help_text=gettext_lazy("An Excel workbook made from the template, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX_TYPE}", "aria-describedby": "id_file-help"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB: split it into smaller workbooks."))
        data = bytes(upload.read())
        if not is_xlsx(data):
            raise forms.ValidationError(
                _("This file is not an Excel workbook (.xlsx). In Excel, use “Save as” and choose .xlsx.")
            )
        return data


def _require_reader(request: InstitutionRequest) -> None:
    if not has_role(request, *READERS):
        raise PermissionDenied


def _download(body: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    if disposition := content_disposition_header(not inline, filename):
        response["Content-Disposition"] = disposition
    return response


@require_safe
def xlsx_template(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    _require_reader(request)
    return _download(write_workbook(), XLSX_TYPE, "agreements-template.xlsx")


@require_safe
def xlsx_export(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    """The agreements of the list page, with the same filters (its query string), in the template's columns."""
    _require_reader(request)
    form = AgreementFilterForm(request.GET)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {' '.join(str(m) for m in messages)}" for name, messages in form.errors.items()
        ]
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    agreements = with_conditions(form.filter(agreements_for(request), timezone.localdate()))
    filename = f"agreements-{request.institution.slug}-{timezone.localdate().isoformat()}.xlsx"
    return _download(write_workbook(agreements), XLSX_TYPE, filename)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*MANAGERS)
def xlsx_import(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    context: dict[str, object] = {"form": form, "columns": COLUMNS}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                context["report"] = import_agreements(
                    request.institution, form.cleaned_data["file"], actor=request.user
                )
                context["form"] = ImportForm()
            except ImportRejected as rejected:
                context["rejected"] = rejected
                status = 400
    return render(request, "agreements/xlsx_import.html", context, status=status)


@require_safe
def agreement_pdf(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    _require_reader(request)
    agreement = get_agreement_for(request, public_id)
    return _download(render_agreement_pdf(agreement), "application/pdf", pdf_filename(agreement), inline=True)


@require_safe
def agreement_xml(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    """Our copy as an IIAs v7 get-response (what a partner's EWP client would receive), with its hash."""
    _require_reader(request)
    agreement = get_agreement_for(request, public_id)
    problems = ewp_problems(agreement)
    if agreement.kind != Agreement.Kind.ERASMUS:
        problems = [_("Only Erasmus+ inter-institutional agreements are exchanged over EWP."), *problems]
    if problems:
        return HttpResponse("\n".join(problems), status=409, content_type="text/plain; charset=utf-8")
    body = build_get_response([agreement_to_data(agreement)])
    filename = pdf_filename(agreement).removesuffix(".pdf").replace("agreement-", "iia-", 1) + ".xml"
    return _download(body, "application/xml", filename)
