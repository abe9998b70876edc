from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mobilitas.admin_site import TenantAdmin
from mobilitas.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(TenantAdmin):
    list_display = ["created_at", "action", "object_repr", "actor", "institution"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action"]

    # The trail is append-only, even for administrators.
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
