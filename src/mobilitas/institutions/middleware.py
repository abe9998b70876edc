"""Resolves request.institution once per request (ARCHITECTURE rule 1).

Views under `/<institution_slug>/...` get `request.institution` (a hosted institution the user belongs to),
`request.memberships` and `request.roles`. Anyone else asking for that prefix gets 404, the same answer as
for an institution that does not exist.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from mobilitas.institutions.models import Institution


class InstitutionMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.institution = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        request.roles = frozenset()  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
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
        request.institution = memberships[0].institution  # type: ignore[attr-defined]
        request.memberships = memberships  # type: ignore[attr-defined]
        request.roles = frozenset(m.role for m in memberships)  # type: ignore[attr-defined]
        return None
