"""Access helpers: load objects only through these, so that "missing" and "not yours" both answer 404."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from mobilitas.institutions.models import Alliance, Contact, Institution, OrganisationalUnit, Role
from mobilitas.institutions.requests import InstitutionRequest, MobilitasRequest

# Who manages the institution's records (directory contacts, units, activity log).
MANAGERS = frozenset({Role.OFFICER, Role.ADMIN})
READERS_OF_ACTIVITY = frozenset({Role.OFFICER, Role.ADMIN, Role.LEADERSHIP})


def has_role(request: MobilitasRequest, *roles: str) -> bool:
    return bool(request.roles & set(roles))


def require_roles(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: the user must hold one of `roles` at request.institution (403 otherwise)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: MobilitasRequest, *args: Any, **kwargs: Any) -> Any:
            if request.institution is None:
                raise Http404
            if not has_role(request, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_ounit_for(request: InstitutionRequest, public_id: UUID) -> OrganisationalUnit:
    return get_object_or_404(OrganisationalUnit, institution=request.institution, public_id=public_id)


def get_contact_for(request: InstitutionRequest, public_id: UUID) -> Contact:
    """A contact in request.institution's address book."""
    contacts = Contact.objects.filter(institution=request.institution).select_related("institution", "partner")
    return get_object_or_404(contacts, public_id=public_id)


def get_partner(public_id: UUID) -> Institution:
    """An institution of the shared directory (readable by every member of a hosted institution)."""
    return get_object_or_404(Institution, public_id=public_id)


def alliances_for(request: InstitutionRequest) -> QuerySet[Alliance]:
    """The alliances request.institution belongs to: the only door to alliance-wide reads."""
    return Alliance.objects.filter(members=request.institution)


def get_alliance_for(request: InstitutionRequest, slug: str) -> Alliance:
    return get_object_or_404(alliances_for(request), slug=slug)
