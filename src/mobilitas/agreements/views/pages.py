"""Pages of the agreements app: list, detail, create/edit, renewal, comparison, places and the lifecycle posts.

Every view sits under `/<institution_slug>/`: the middleware has already answered 404 to anyone who is not a
member of request.institution. Readers (officers, admins, coordinators of their units, leadership) get the
read pages; officers and admins everything else; students and staff a 403. Agreements are loaded only through
`agreements.access`, so another institution's agreement answers 404 like a missing one.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import groupby
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mobilitas.agreements import diff, hashing, services, snapshot
from mobilitas.agreements.access import READERS, agreements_for, can_edit, get_agreement_for, get_document_for
from mobilitas.agreements.filters import AgreementFilterForm
from mobilitas.agreements.forms import (
    CONDITIONS_PREFIX,
    OUR_COPY,
    AgreementForm,
    BaseConditionFormSet,
    CompareForm,
    ConditionForm,
    ConditionFormSet,
    DocumentForm,
    PartnerApprovalForm,
    PlacesForm,
    RenewForm,
    TerminateForm,
    XmlUploadForm,
    agreement_input,
    show_problems,
    version_choices,
)
from mobilitas.agreements.iia_data import IiaData
from mobilitas.agreements.inputs import ConditionInput, InvalidAgreement
from mobilitas.agreements.models import Agreement, AgreementSnapshot, CooperationCondition, PartnerCopy
from mobilitas.agreements.places import Place, places_for_year
from mobilitas.institutions.access import MANAGERS, has_role, require_roles
from mobilitas.institutions.models import Institution, Role
from mobilitas.institutions.requests import InstitutionRequest
from mobilitas.lib import academic_years
from mobilitas.lib.errors import DomainError
from mobilitas.lib.htmx import render_page_or_partial, wants_partial

PER_PAGE = 25
Status = Agreement.Status
# What the list reads of each condition for its summary column.
SUMMARY_FIELDS = ("agreement", "sending", "mobilities_per_year", "first_year", "last_year")
FILTER_FIELDS = ("country", "status", "kind", "year", "isced", "expiring", "order")


def _detail(agreement: Agreement, anchor: str = "") -> HttpResponse:
    url = reverse("agreements-detail", args=[agreement.institution.slug, agreement.public_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


# The list


@dataclass(frozen=True)
class ListRow:
    agreement: Agreement
    outgoing: int
    incoming: int
    first_year: str
    last_year: str


def _list_row(agreement: Agreement, institution: Institution) -> ListRow:
    conditions = list(agreement.conditions.all())
    return ListRow(
        agreement=agreement,
        outgoing=sum(c.mobilities_per_year for c in conditions if c.sending_id == institution.pk),
        incoming=sum(c.mobilities_per_year for c in conditions if c.sending_id != institution.pk),
        first_year=min((c.first_year for c in conditions), default=""),
        last_year=max((c.last_year for c in conditions), default=""),
    )


@require_safe
@require_roles(*READERS)
def agreement_list(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    today = timezone.localdate()
    agreements = agreements_for(request)
    countries = list(agreements.order_by().values_list("partner__country", flat=True).distinct())
    form = AgreementFilterForm(request.GET, countries=countries)
    for name in FILTER_FIELDS:
        # The page's script-free form submits as usual; HTMX listens for changes on these.
        form.fields[name].widget.attrs["class"] = "agreement-filter"
    list_url = reverse("agreements-list", args=[institution_slug])
    context: dict[str, Any] = {
        "form": form,
        "filter_fields": [form[name] for name in FILTER_FIELDS],
        "list_url": list_url,
        "can_edit": can_edit(request),
    }
    status = 200
    if form.is_valid():
        summary = CooperationCondition.objects.only(*SUMMARY_FIELDS).order_by()
        found = (
            form.filter(agreements, today)
            .select_related("partner", "ounit")
            .prefetch_related(Prefetch("conditions", queryset=summary))
        )
        page_obj = Paginator(found, PER_PAGE).get_page(form.cleaned_data["page"])
        context["page_obj"] = page_obj
        context["rows"] = [_list_row(a, request.institution) for a in page_obj]
        export = request.GET.copy()
        export.pop("page", None)
        context["export_query"] = export.urlencode()
    elif not wants_partial(request):
        # HTMX 2 does not swap 4xx answers, so the partial says what is wrong with a 200.
        status = 400
    return render_page_or_partial(request, "agreements/list.html", "results", context, status=status)


# The detail page


@dataclass(frozen=True)
class ConditionRow:
    condition: CooperationCondition
    outgoing: bool
    duration: str  # "10" months or "4.5": written as in the XML


@dataclass(frozen=True)
class CopyRow:
    copy: PartnerCopy
    # How many differences with our current version block the approval (the two copies never hash alike:
    # each lists its own institution first, so they are compared field by field instead).
    blocking: int


def _current_hash(agreement: Agreement, problems: list[str]) -> str:
    return "" if problems else hashing.data_hash(snapshot.agreement_to_data(agreement))


def _blocking(ours: IiaData, theirs: IiaData) -> int:
    return sum(1 for d in diff.compare_copies(ours, theirs) if d.blocks_approval)


def _allowed_actions(agreement: Agreement, has_snapshots: bool) -> set[str]:
    status = agreement.status
    actions = {"renew"}
    if agreement.is_editable:
        actions.add("edit")
    if status == Status.DRAFT:
        actions.add("share")
    if status in (Status.SHARED, Status.APPROVED_BY_PARTNER):
        actions.add("approve")
    if status in (Status.SHARED, Status.APPROVED_BY_US):
        actions.add("partner_approval")
    if status in services.APPROVAL_STATES or status == Status.SHARED:
        actions.add("terminate")
    if status in (Status.DRAFT, Status.SHARED) and not has_snapshots:
        actions.add("delete")
    return actions


def _render_detail(
    request: InstitutionRequest,
    agreement: Agreement,
    *,
    document_form: DocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    problems = services.ewp_problems(agreement)
    current_hash = _current_hash(agreement, problems)
    snapshots = list(agreement.snapshots.defer("data").select_related("created_by"))
    copies = list(agreement.partner_copies.defer("xml").select_related("received_by"))
    ours = snapshot.agreement_to_data(agreement)
    visible = agreements_for(request)
    editor = can_edit(request)
    context = {
        "agreement": agreement,
        "conditions": [
            ConditionRow(c, c.sending_id == agreement.institution_id, amount(c.duration))
            for c in agreement.conditions.all()
        ],
        "ewp_problems": problems,
        "current_hash": current_hash,
        "snapshots": snapshots,
        "copies": [CopyRow(c, _blocking(ours, snapshot.from_json(c.data))) for c in copies],
        "documents": list(agreement.documents.select_related("uploaded_by")),
        "renewal_of": visible.filter(pk=agreement.renewal_of_id).first() if agreement.renewal_of_id else None,
        "renewals": list(visible.filter(renewal_of=agreement).order_by("created_at")),
        "can_edit": editor,
        "actions": _allowed_actions(agreement, bool(snapshots)) if editor else set(),
        "document_form": document_form or DocumentForm(),
        "approval_form": PartnerApprovalForm(),
        "terminate_form": TerminateForm(),
        "copy_form": XmlUploadForm(),
    }
    return render(request, "agreements/detail.html", context, status=status)


@require_safe
@require_roles(*READERS)
def agreement_detail(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _render_detail(request, get_agreement_for(request, public_id))


# Create and edit


def _form_kwargs(request: InstitutionRequest) -> dict[str, Any]:
    institution = request.institution
    return {
        "units": institution.ounits.order_by("name"),
        # Our signatories are the contacts of our address book who work at our own institution.
        "contacts": institution.contacts.filter(partner=institution).order_by("name"),
    }


def _partner_options(request: InstitutionRequest) -> QuerySet[Institution]:
    """The partners of our agreements, offered as suggestions in the partner field."""
    return (
        Institution.objects.filter(agreements_as_partner__in=agreements_for(request))
        .distinct()
        .only("name", "names", "erasmus_code", "schac_code", "public_id")
        .order_by("name")
    )


def _more_rows(data: QueryDict, extra: int = 2) -> BaseConditionFormSet:
    """The submitted conditions plus `extra` blank rows: "add rows" works without JavaScript."""
    data = data.copy()
    key = f"{CONDITIONS_PREFIX}-TOTAL_FORMS"
    try:
        total = int(data.get(key) or 0)
    except ValueError:
        total = 0
    data[key] = str(min(total + extra, 200))
    return ConditionFormSet(data, prefix=CONDITIONS_PREFIX)


def _render_form(
    request: InstitutionRequest,
    agreement: Agreement | None,
    form: AgreementForm,
    formset: BaseConditionFormSet,
    *,
    show_errors: bool = True,
    status: int = 200,
) -> HttpResponse:
    context = {
        "agreement": agreement,
        "form": form,
        "formset": formset,
        "show_errors": show_errors,
        "partner_options": _partner_options(request),
        "starts_new_version": agreement is not None and agreement.status in services.APPROVAL_STATES,
    }
    return render(request, "agreements/form.html", context, status=status)


def _save(
    request: InstitutionRequest,
    agreement: Agreement | None,
    form: AgreementForm,
    formset: BaseConditionFormSet,
) -> Agreement | None:
    """Run the service with what the forms hold; on refusal, put each problem next to its field."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    data, indexes = agreement_input(form, formset)
    try:
        if agreement is None:
            return services.create_agreement(request.institution, data, actor=request.user)
        return services.update_agreement(agreement, data, actor=request.user)
    except InvalidAgreement as error:
        show_problems(error.problems, form, formset, indexes)
    except DomainError as error:
        form.add_error(None, error.message)
    return None


def _edit(
    request: InstitutionRequest,
    agreement: Agreement | None,
    initial: dict[str, Any],
    conditions: list[dict[str, Any]],
) -> HttpResponse:
    kwargs = _form_kwargs(request)
    if request.method != "POST":
        form = AgreementForm(initial=initial, **kwargs)
        formset = ConditionFormSet(initial=conditions, prefix=CONDITIONS_PREFIX)
        return _render_form(request, agreement, form, formset)
    form = AgreementForm(request.POST, **kwargs)
    if "add_rows" in request.POST:
        return _render_form(request, agreement, form, _more_rows(request.POST), show_errors=False)
    formset = ConditionFormSet(request.POST, prefix=CONDITIONS_PREFIX)
    before = agreement.version if agreement else None
    saved = _save(request, agreement, form, formset)
    if saved is None:
        return _render_form(request, agreement, form, formset, status=400)
    if before is None:
        messages.success(request, _("The agreement %(code)s was created as a draft.") % {"code": saved.code})
    elif saved.version != before:
        messages.warning(
            request,
            _("The changes were saved as version %(version)s: it needs to be approved again by both sides.")
            % {"version": saved.version},
        )
    else:
        messages.success(request, _("The changes were saved."))
    return _detail(saved)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*MANAGERS)
def agreement_create(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    initial: dict[str, Any] = {"kind": Agreement.Kind.ERASMUS, "code": services.next_code(request.institution)}
    # The partner directory can link here with ?partner=<public id>.
    if partner := request.GET.get("partner", "").strip():
        initial["partner"] = partner
    return _edit(request, None, initial, [])


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*MANAGERS)
def agreement_edit(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    agreement = get_agreement_for(request, public_id)
    if not agreement.is_editable:
        messages.error(request, _("A terminated agreement cannot be changed."))
        return _detail(agreement)
    conditions = [
        ConditionForm.initial_for(ConditionInput.from_condition(c, agreement)) for c in agreement.conditions.all()
    ]
    return _edit(request, agreement, AgreementForm.initial_for(agreement), conditions)


# Renewal


def _renewal_years(agreement: Agreement) -> tuple[str, str]:
    """The span of academic years after the agreement's own span, as long as it."""
    conditions = list(agreement.conditions.all())
    if conditions:
        first = min(c.first_year for c in conditions)
        last = max(c.last_year for c in conditions)
    elif agreement.start_date and agreement.end_date:
        first = academic_years.containing(agreement.start_date)
        last = academic_years.containing(agreement.end_date)
    else:
        first = last = academic_years.containing(timezone.localdate())
    length = academic_years.parse(last) - academic_years.parse(first) + 1
    return academic_years.shift(first, length), academic_years.shift(last, length)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*MANAGERS)
def agreement_renew(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    agreement = get_agreement_for(request, public_id)
    status = 200
    if request.method == "POST":
        form = RenewForm(request.POST)
        if form.is_valid():
            try:
                renewal = services.renew_agreement(agreement, actor=request.user, **form.cleaned_data)
            except InvalidAgreement as error:
                show_problems(error.problems, form)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(
                    request,
                    _("The renewal %(code)s was created as a draft: check it, then share it with the partner.")
                    % {"code": renewal.code},
                )
                return _detail(renewal)
        status = 400
    else:
        first, last = _renewal_years(agreement)
        form = RenewForm(
            initial={"first_year": first, "last_year": last, "code": services.next_code(request.institution)}
        )
    return render(request, "agreements/renew.html", {"agreement": agreement, "form": form}, status=status)


# Lifecycle: one POST endpoint per transition, each calling its service.


def _transition(
    request: InstitutionRequest,
    public_id: UUID,
    action: Callable[[Agreement], Any],
    success: str,
) -> HttpResponse:
    agreement = get_agreement_for(request, public_id)
    try:
        action(agreement)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _detail(agreement, "lifecycle")


@require_POST
@require_roles(*MANAGERS)
def agreement_share(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _transition(
        request,
        public_id,
        lambda a: services.share_agreement(a, actor=request.user),
        _("The agreement is now shared with the partner."),
    )


@require_POST
@require_roles(*MANAGERS)
def agreement_approve(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    return _transition(
        request,
        public_id,
        lambda a: services.approve_agreement(a, actor=request.user),
        _("You approved this version of the agreement."),
    )


@require_POST
@require_roles(*MANAGERS)
def agreement_partner_approval(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    form = PartnerApprovalForm(request.POST)
    if not form.is_valid():
        agreement = get_agreement_for(request, public_id)
        messages.error(request, _("Give the 64-character hash the partner approved."))
        return _detail(agreement, "lifecycle")
    iia_hash = form.cleaned_data["iia_hash"]
    return _transition(
        request,
        public_id,
        lambda a: services.record_partner_approval(a, iia_hash, actor=request.user),
        _("The partner's approval was recorded."),
    )


@require_POST
@require_roles(*MANAGERS)
def agreement_terminate(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    form = TerminateForm(request.POST)
    as_a_whole = form.is_valid() and form.cleaned_data["as_a_whole"]
    return _transition(
        request,
        public_id,
        lambda a: services.terminate_agreement(a, actor=request.user, as_a_whole=as_a_whole),
        _("The agreement is terminated."),
    )


@require_POST
@require_roles(*MANAGERS)
def agreement_delete(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    agreement = get_agreement_for(request, public_id)
    code = agreement.code
    try:
        services.delete_agreement(agreement, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _detail(agreement, "lifecycle")
    messages.success(request, _("The draft agreement %(code)s was deleted.") % {"code": code})
    return redirect("agreements-list", institution_slug)


# Comparing versions


@dataclass(frozen=True)
class Version:
    key: str
    label: str
    data: IiaData
    is_partner_copy: bool


def _load_version(agreement: Agreement, key: str, label: str) -> Version | None:
    kind, _sep, ident = key.partition(":")
    if key == OUR_COPY:
        return Version(key, label, snapshot.agreement_to_data(agreement), False)
    try:
        public_id = UUID(ident)
    except ValueError:
        return None
    if kind == "v":
        snap = agreement.snapshots.filter(public_id=public_id).first()
        return Version(key, label, snapshot.from_json(snap.data), False) if snap else None
    if kind == "p":
        copy = agreement.partner_copies.filter(public_id=public_id).first()
        return Version(key, label, snapshot.from_json(copy.data), True) if copy else None
    return None


def compare_versions(left: Version, right: Version) -> list[diff.Difference]:
    """Same side: compare; our copy against the partner's: compare_copies (ids bound, partners swapped)."""
    if left.is_partner_copy == right.is_partner_copy:
        return diff.compare(left.data, right.data)
    if right.is_partner_copy:
        return diff.compare_copies(left.data, right.data)
    return [replace(d, left=d.right, right=d.left) for d in diff.compare_copies(right.data, left.data)]


def _default_pair(snapshots: list[AgreementSnapshot], copies: list[PartnerCopy]) -> tuple[str, str]:
    if copies:
        return OUR_COPY, f"p:{copies[0].public_id}"
    if snapshots:
        return OUR_COPY, f"v:{snapshots[0].public_id}"
    return OUR_COPY, OUR_COPY


@require_safe
@require_roles(*READERS)
def agreement_compare(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    agreement = get_agreement_for(request, public_id)
    snapshots = list(agreement.snapshots.defer("data"))
    copies = list(agreement.partner_copies.defer("xml", "data"))
    choices = version_choices(snapshots, copies)
    left_key, right_key = _default_pair(snapshots, copies)
    form = CompareForm(
        {"left": request.GET.get("left", left_key), "right": request.GET.get("right", right_key)}, choices=choices
    )
    context: dict[str, Any] = {"agreement": agreement, "form": form, "has_versions": len(choices) > 1}
    if not form.is_valid():
        return render(request, "agreements/compare.html", context, status=400)
    labels = dict(choices)
    left_key, right_key = form.cleaned_data["left"], form.cleaned_data["right"]
    left = _load_version(agreement, left_key, labels[left_key])
    right = _load_version(agreement, right_key, labels[right_key])
    if left and right and left_key != right_key:
        differences = compare_versions(left, right)
        blocking = sum(1 for d in differences if d.blocks_approval)
        context.update(left=left, right=right, differences=differences, blocking=blocking)
    return render(request, "agreements/compare.html", context)


# Places


def amount(value: Decimal | None) -> str:
    """10.00 -> "10", 13.50 -> "13.5" (13,5 in French): months and days as people write them."""
    return "" if value is None else number_format(Decimal(snapshot.decimal_text(value)))


@dataclass(frozen=True)
class PlaceRow:
    place: Place
    duration: str


@dataclass
class PartnerPlaces:
    partner: Institution
    rows: list[PlaceRow]
    totals: dict[str, Any]


def _totals(places: list[Place]) -> dict[str, Any]:
    months = sum((p.duration or Decimal(0) for p in places if p.condition.is_student), Decimal(0))
    days = sum((p.duration or Decimal(0) for p in places if not p.condition.is_student), Decimal(0))
    return {
        "mobilities": sum(p.mobilities for p in places),
        "months": months,
        "days": days,
        "months_text": amount(months),
        "days_text": amount(days),
        "approved_mobilities": sum(p.mobilities for p in places if p.approved),
    }


@require_safe
@require_roles(*READERS)
def places(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    current = academic_years.containing(timezone.localdate())
    form = PlacesForm({"year": current, "direction": "out", **request.GET.dict()}, current_year=current)
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_valid():
        outgoing = form.cleaned_data["direction"] == "out"
        found = places_for_year(request.institution, form.cleaned_data["year"], outgoing=outgoing)
        if not has_role(request, *MANAGERS, Role.LEADERSHIP):
            # Coordinators see the places of their units' agreements only.
            visible = set(agreements_for(request).values_list("pk", flat=True))
            found = [p for p in found if p.agreement.pk in visible]
        groups = [
            PartnerPlaces(items[0].partner, [PlaceRow(p, amount(p.duration)) for p in items], _totals(items))
            for items in (list(g) for _key, g in groupby(found, key=lambda p: p.partner.pk))
        ]
        context.update(groups=groups, totals=_totals(found), outgoing=outgoing, year=form.cleaned_data["year"])
    else:
        status = 400
    return render(request, "agreements/places.html", context, status=status)


# Partner's documents (IIAs get-responses)


@require_http_methods(["GET", "HEAD", "POST"])
@require_roles(*MANAGERS)
def import_partner_document(request: InstitutionRequest, institution_slug: str) -> HttpResponse:
    from mobilitas.agreements import partner_copies  # imported here: written alongside these pages

    touched: list[Agreement] | None = None
    status = 200
    if request.method == "POST":
        form = XmlUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                touched = partner_copies.import_partner_document(
                    request.institution, form.cleaned_data["document"], actor=request.user
                )
            except DomainError as error:
                form.add_error("document", error.message)
        if touched is None:
            status = 400
        else:
            messages.success(
                request,
                _("The partner's file was read: %(count)s agreements received a partner's copy.")
                % {"count": len(touched)},
            )
            form = XmlUploadForm()
    else:
        form = XmlUploadForm()
    context = {"form": form, "touched": touched}
    return render(request, "agreements/import_xml.html", context, status=status)


@require_POST
@require_roles(*MANAGERS)
def partner_copy_upload(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    from mobilitas.agreements import partner_copies  # imported here: written alongside these pages

    agreement = get_agreement_for(request, public_id)
    form = XmlUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("document", []):
            messages.error(request, str(error))
        return _detail(agreement, "partner-copies")
    try:
        copy = partner_copies.receive_partner_copy(agreement, form.cleaned_data["document"], actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if copy.hash_matches:
            messages.success(request, _("The partner's copy was received."))
        else:
            messages.warning(request, _("The partner's copy was received, but the hash it carries is not its own."))
    return _detail(agreement, "partner-copies")


# Documents


@require_POST
@require_roles(*MANAGERS)
def document_add(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    agreement = get_agreement_for(request, public_id)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, agreement, document_form=form, status=400)
    try:
        services.add_document(
            agreement, title=form.cleaned_data["title"], upload=form.cleaned_data["file"], actor=request.user
        )
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _render_detail(request, agreement, document_form=form, status=400)
    messages.success(request, _("The document was added."))
    return _detail(agreement, "documents")


@require_safe
@require_roles(*READERS)
def document_download(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> FileResponse:
    document = get_document_for(request, public_id)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=os.path.basename(document.file.name))


@require_POST
@require_roles(*MANAGERS)
def document_delete(request: InstitutionRequest, institution_slug: str, public_id: UUID) -> HttpResponse:
    document = get_document_for(request, public_id)
    agreement = document.agreement
    title = document.title
    services.delete_document(document, actor=request.user)
    messages.success(request, _("The document “%(title)s” was deleted.") % {"title": title})
    return _detail(agreement, "documents")
