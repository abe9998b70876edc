"""Access helpers: load objects only through these, so that "missing" and "not yours" both answer 404."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from mobilitas.institutions.models import Alliance, Contact, Institution, OrganisationalUnit, Role

# Who manages the institution's records (directory contacts, units, activity log).
MANAGERS = frozenset({Role.OFFICER, Role.ADMIN})
READERS_OF_ACTIVITY = frozenset({Role.OFFICER, Role.ADMIN, Role.LEADERSHIP})


def has_role(request: HttpRequest, *roles: str) -> bool:
    return bool(request.roles & set(roles))  # type: ignore[attr-defined]


def require_roles(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: the user must hold one of `roles` at request.institution (403 otherwise)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.institution is None:  # type: ignore[attr-defined]
                raise Http404
            if not has_role(request, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_ounit_for(request: HttpRequest, public_id: UUID) -> OrganisationalUnit:
    return get_object_or_404(OrganisationalUnit, institution=request.institution, public_id=public_id)  # type: ignore[attr-defined]


def get_contact_for(request: HttpRequest, public_id: UUID) -> Contact:
    """A contact in request.institution's address book."""
    contacts = Contact.objects.filter(institution=request.institution).select_related("institution", "partner")  # type: ignore[attr-defined]
    return get_object_or_404(contacts, public_id=public_id)


def get_partner(public_id: UUID) -> Institution:
    """An institution of the shared directory (readable by every member of a hosted institution)."""
    return get_object_or_404(Institution, public_id=public_id)


def alliances_for(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The alliances request.institution belongs to: the only door to alliance-wide reads."""
    return Alliance.objects.filter(members=request.institution)  # type: ignore[attr-defined]


def get_alliance_for(request: HttpRequest, slug: str) -> Alliance:
    return get_object_or_404(alliances_for(request), slug=slug)
