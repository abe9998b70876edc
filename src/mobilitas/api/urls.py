"""The JSON API at /api/v1/: token authentication, problem+json errors, one router per domain."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from mobilitas.api import agreements, applications, catalogue, institutions, problems
from mobilitas.api.auth import ApiTokenAuth

api = NinjaAPI(
    title="Mobilitas API",
    version="1",
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    description=str(
        _(
            "Authenticate with a personal API token (created on “My account”): `Authorization: Bearer mob_…`. "
            "Errors are RFC 9457 problem documents (`application/problem+json`). Lists are paged with `page` "
            "and `page_size` (at most 100) and answer `count`, `page`, `page_size` and `results`."
        )
    ),
)
problems.install(api)
api.add_router("/", institutions.router)
api.add_router("/", agreements.router)
api.add_router("/", catalogue.router)
api.add_router("/", applications.router)
# Last: its catch-all route would hide any router added after it.
api.add_router("/", problems.router)
