"""Resolves request.institution once per request (ARCHITECTURE rule 1).

Views under `/<institution_slug>/...` get `request.institution` (a hosted institution the user belongs to),
`request.memberships` and `request.roles`. Anyone else asking for that prefix gets 404, the same answer as
for an institution that does not exist.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from mobilitas.institutions.models import Institution
from mobilitas.institutions.requests import MobilitasRequest


class InstitutionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: MobilitasRequest) -> HttpResponse:
        request.institution = None
        request.memberships = []
        request.roles = frozenset()
        return self.get_response(request)

    def process_view(
        self,
        request: MobilitasRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.get("institution_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        memberships = list(
            request.user.memberships.filter(institution__slug=slug, institution__hosted=True).select_related(
                "institution", "ounit"
            )
        )
        if not memberships:
            raise Http404(Institution._meta.verbose_name)
        request.institution = memberships[0].institution
        request.memberships = memberships
        request.roles = frozenset(m.role for m in memberships)
        return None
