from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mobilitas.institutions.access import MANAGERS, READERS_OF_ACTIVITY
from mobilitas.institutions.models import Role
from mobilitas.institutions.requests import MobilitasRequest


def navigation(request: MobilitasRequest) -> dict[str, object]:
    """Navigation links for the current institution, by role; the user's other institutions for switching."""
    institution = getattr(request, "institution", None)
    if institution is None or not request.user.is_authenticated:
        return {"nav_items": []}
    roles = request.roles
    slug = institution.slug
    items = [
        (_("Home"), reverse("home-institution", args=[slug])),
        (_("Partner directory"), reverse("institutions-directory", args=[slug])),
        (_("Organisation"), reverse("institutions-organisation", args=[slug])),
        (_("Catalogue"), reverse("catalogue-search", args=[slug])),
    ]
    # Who reads agreements (mobilitas.agreements.access.READERS; named here to keep imports one-way).
    if roles & (MANAGERS | {Role.COORDINATOR, Role.LEADERSHIP}):
        items.append((_("Agreements"), reverse("agreements-list", args=[slug])))
    # Calls: everyone (students apply, staff manage and review); nominations: who reads every application
    # (mobilitas.applications.access.APPLICATION_READERS).
    items.append((_("Calls"), reverse("applications-calls", args=[slug])))
    if roles & (MANAGERS | {Role.LEADERSHIP}):
        items.append((_("Nominations"), reverse("mobilities-nominations", args=[slug])))
    if roles & READERS_OF_ACTIVITY:
        items.append((_("Activity"), reverse("audit-activity", args=[slug])))
    if roles & (MANAGERS | {Role.ADMIN}):
        items.append((_("Administration"), reverse("admin:index")))
    return {"nav_items": items}
