from django.contrib import admin

from mobilitas.admin_site import ReadOnlyForManagersAdmin, TenantAdmin
from mobilitas.institutions.models import Alliance, AllianceMember, Contact, Institution, Membership, OrganisationalUnit


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyForManagersAdmin):
    list_display = ["name", "erasmus_code", "schac_code", "country", "city", "hosted"]
    list_filter = ["hosted", "country"]
    search_fields = ["search_text"]
    readonly_fields = ["public_id", "created_at", "updated_at"]


@admin.register(OrganisationalUnit)
class OrganisationalUnitAdmin(TenantAdmin):
    list_display = ["name", "code", "kind", "institution", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "institution", "role", "ounit", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "ounit"]


@admin.register(Contact)
class ContactAdmin(TenantAdmin):
    list_display = ["name", "role", "email", "partner", "institution"]
    search_fields = ["name", "email"]
    raw_id_fields = ["partner", "ounit"]


class AllianceMemberInline(admin.TabularInline):
    model = AllianceMember
    raw_id_fields = ["institution"]
    extra = 0


@admin.register(Alliance)
class AllianceAdmin(ReadOnlyForManagersAdmin):
    list_display = ["name", "slug", "coordinator"]
    inlines = [AllianceMemberInline]
    raw_id_fields = ["coordinator"]
