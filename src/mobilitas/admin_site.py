"""The Django admin, opened to institution officers and administrators with their data only.

Platform superusers see everything. An officer or administrator of a hosted institution sees the rows of
the institutions they manage (TenantAdmin filters every queryset); the shared directory stays read-only
for them.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.db import models
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

ADMIN_ROLES = ("officer", "admin")


def managed_institution_ids(request: HttpRequest) -> set[int]:
    cached = getattr(request, "_managed_institution_ids", None)
    if cached is None:
        user = request.user
        cached = set()
        if user.is_authenticated and user.is_active:
            cached = set(
                user.memberships.filter(role__in=ADMIN_ROLES, institution__hosted=True).values_list(
                    "institution_id", flat=True
                )
            )
        request._managed_institution_ids = cached  # type: ignore[attr-defined]
    return cached


class MobilitasAdminSite(admin.AdminSite):
    site_header = _("Mobilitas administration")
    site_title = _("Mobilitas")
    index_title = _("Records")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return bool(user.is_superuser or managed_institution_ids(request))


class MobilitasAdminConfig(AdminConfig):
    default_site = "mobilitas.admin_site.MobilitasAdminSite"


class BaseAdmin(admin.ModelAdmin):
    # Web addresses typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class TenantAdmin(BaseAdmin):
    """Rows owned by an institution: officers and administrators manage their own institution's rows."""

    tenant_field = "institution"

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.tenant_field}__in": managed_institution_ids(request)})

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or managed_institution_ids(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        # The owning institution can only be one the user manages.
        if db_field.name == self.tenant_field and not request.user.is_superuser:
            from mobilitas.institutions.models import Institution

            kwargs["queryset"] = Institution.objects.filter(id__in=managed_institution_ids(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyForManagersAdmin(BaseAdmin):
    """Shared data (the partner directory): superusers edit, institution managers only read."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or managed_institution_ids(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
