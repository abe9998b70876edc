"""The requests views receive, typed for the type checker (mypy): what the middleware adds to HttpRequest.

django-htmx sets `request.htmx` and InstitutionMiddleware sets `request.institution`, `request.memberships` and
`request.roles` on every request (settings.MIDDLEWARE). Django's HttpRequest does not declare them, so a view
annotates its request with one of these classes instead. They are annotations only: no request is ever an
instance of them (Django builds a WSGIRequest or an ASGIRequest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from mobilitas.accounts.models import User
    from mobilitas.institutions.models import Institution, Membership


class MobilitasRequest(HttpRequest):
    """Any request past the middleware. Outside `/<institution_slug>/`, institution is None and roles empty."""

    htmx: HtmxDetails
    institution: Institution | None
    memberships: list[Membership]
    roles: frozenset[str]


class AuthenticatedRequest(MobilitasRequest):
    """A request to a view behind @login_required: the user is logged in."""

    user: User


class InstitutionRequest(AuthenticatedRequest):
    """A request to a view under `/<institution_slug>/`: InstitutionMiddleware resolved the institution.

    The middleware sends anonymous visitors to the login page and answers 404 to anyone who is not a member,
    so the view always has a logged-in user and an institution.
    """

    institution: Institution
