"""The API's `?institution=<slug>`: what the `/<slug>/` prefix and InstitutionMiddleware are to the pages.

Pages find their institution in the URL prefix; the API has none, so tenant endpoints take the slug as the
`institution` query parameter and check it against the token user's memberships the same way: not a member (or
an institution not hosted here) answers 404, like an unknown slug. Then the roles decide, as on the pages.
"""

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from mobilitas.institutions.access import has_role
from mobilitas.institutions.requests import InstitutionRequest


def enter(request: HttpRequest, slug: str) -> InstitutionRequest:
    """Set request.institution, .memberships and .roles as InstitutionMiddleware does for `/<slug>/` pages."""
    tenant = cast(InstitutionRequest, request)
    memberships = list(
        tenant.user.memberships.filter(institution__slug=slug, institution__hosted=True).select_related(
            "institution", "ounit"
        )
    )
    if not memberships:
        raise Http404
    tenant.institution = memberships[0].institution
    tenant.memberships = memberships
    tenant.roles = frozenset(m.role for m in memberships)
    return tenant


def enter_with_roles(request: HttpRequest, slug: str, *roles: str) -> InstitutionRequest:
    """`enter`, then 403 unless the user holds one of `roles` there (a page's @require_roles)."""
    tenant = enter(request, slug)
    if not has_role(tenant, *roles):
        raise PermissionDenied
    return tenant
