"""Mobilities in the admin are read-only: nominations come from accepted places through the services, so that
the audit trail stays right; officers and administrators see their own institution's."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mobilitas.admin_site import TenantAdmin
from mobilitas.mobilities.models import Mobility


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Mobility)
class MobilityAdmin(ReadOnly, TenantAdmin):
    list_display = ["person", "host", "academic_year", "category", "kind", "status", "institution"]
    list_filter = ["status", "category", "kind", "academic_year"]
    search_fields = ["person__full_name", "person__email", "host__name", "host__erasmus_code"]
    list_select_related = ["person", "host", "institution"]
    readonly_fields = ["public_id", "offer", "nominated_at", "created_at", "updated_at"]
    raw_id_fields = ["person", "home", "host", "agreement", "condition"]
