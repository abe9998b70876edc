"""Agreements in the admin are read-only: changes go through the pages and services, so that versions,
snapshots and the audit trail stay right (a signed document never changes silently)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mobilitas.admin_site import TenantAdmin
from mobilitas.agreements.models import Agreement, AgreementSnapshot, CooperationCondition, PartnerCopy


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConditionInline(ReadOnly, admin.TabularInline):
    model = CooperationCondition
    fields = ["position", "kind", "sending", "receiving", "first_year", "last_year", "mobilities_per_year"]
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(ReadOnly, TenantAdmin):
    list_display = ["code", "partner", "kind", "status", "version", "institution"]
    list_filter = ["kind", "status"]
    search_fields = ["code", "partner__name", "partner__erasmus_code"]
    inlines = [ConditionInline]


@admin.register(AgreementSnapshot)
class AgreementSnapshotAdmin(ReadOnly, TenantAdmin):
    tenant_field = "agreement__institution"
    list_display = ["agreement", "version", "event", "iia_hash", "created_at"]


@admin.register(PartnerCopy)
class PartnerCopyAdmin(ReadOnly, TenantAdmin):
    tenant_field = "agreement__institution"
    list_display = ["agreement", "served_hash", "computed_hash", "received_at"]
