"""Every API error as an RFC 9457 problem document (application/problem+json), in one place.

Plain HTTP errors (401, 403, 404, 500) use the type `about:blank` with the status phrase as title. Errors with
more to say have a type of their own under /api/v1/problems/<slug>, which serves a description of it.
"""

import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from mobilitas.lib.errors import DomainError

logger = logging.getLogger(__name__)

_E = TypeVar("_E", bound=Exception)

CONTENT_TYPE = "application/problem+json"

PROBLEM_TYPES = {
    "validation-error": (
        gettext_lazy("Invalid request"),
        gettext_lazy(
            "One or more parameters of the request are missing or not valid. The member `errors` lists each one "
            "with its location (query, path, body), its name and the reason."
        ),
    ),
    "domain-error": (
        gettext_lazy("Not possible"),
        gettext_lazy(
            "The request is well-formed, but a rule of the domain refused it; `detail` says which. When the rule "
            "is about one field, the member `field` names it."
        ),
    ),
}


class InvalidToken(AuthenticationError):
    """A token was sent, but it is unknown, revoked, or belongs to a deactivated account."""


def problem_type_uri(slug: str) -> str:
    return reverse("api-v1:problem-type", args=[slug])


def problem_response(
    status: int,
    detail: str,
    *,
    type: str = "about:blank",
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> HttpResponse:
    body = {"type": type, "title": title or HTTPStatus(status).phrase, "status": status, "detail": detail}
    body.update({key: value for key, value in extensions.items() if value is not None})
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=CONTENT_TYPE,
        headers=headers,
    )


def _authentication_failed(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, InvalidToken):
        detail = _("This API token is not valid: it is unknown, revoked, or its account is deactivated.")
        challenge = 'Bearer error="invalid_token"'
    else:
        detail = _("Send a personal API token in the header “Authorization: Bearer mob_…”.")
        challenge = "Bearer"
    return problem_response(401, detail, headers={"WWW-Authenticate": challenge})


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(exc.status_code, str(exc))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One sentence for every 404: Django's own messages (get_object_or_404) are neither translated nor public.
    return problem_response(404, _("Nothing here has this address or id."))


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(403, _("You may not do this."))


def _field_path(loc: Any) -> list[Any]:
    """The place inside the request part: ninja puts the body parameter's name first (`payload.code`)."""
    path = list(loc[1:])
    if loc and loc[0] == "body" and len(path) > 1 and path[0] == "payload":
        path = path[1:]
    return path


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "location": str(error["loc"][0]) if error.get("loc") else "",
            "field": ".".join(str(part) for part in _field_path(error.get("loc", ()))),
            "detail": error.get("msg", ""),
            "code": error.get("type", ""),
        }
        for error in exc.errors
    ]
    fields = ", ".join(sorted({e["field"] or e["location"] for e in errors}))
    title, _description = PROBLEM_TYPES["validation-error"]
    return problem_response(
        422,
        _("These parameters are not valid: %(fields)s.") % {"fields": fields},
        type=problem_type_uri("validation-error"),
        title=str(title),
        errors=errors,
    )


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    title, _description = PROBLEM_TYPES["domain-error"]
    return problem_response(
        exc.status, exc.message, type=problem_type_uri("domain-error"), title=str(title), field=exc.field
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(500, _("Something went wrong on our side. It has been logged."))


def _add_handler(api: NinjaAPI, exc_class: type[_E], handler: Callable[[HttpRequest, _E], HttpResponse]) -> None:
    # django-ninja annotates a handler as taking the exception or its class (ninja.main.ExcHandler), but it only
    # ever calls one with the exception raised (NinjaAPI.on_exception): the handlers here take the exception.
    api.add_exception_handler(exc_class, handler)  # type: ignore[arg-type]


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's default handlers ({"detail": ...} as application/json)."""
    _add_handler(api, AuthenticationError, _authentication_failed)
    _add_handler(api, HttpError, _http_error)
    _add_handler(api, Http404, _not_found)
    _add_handler(api, ObjectDoesNotExist, _not_found)
    _add_handler(api, PermissionDenied, _permission_denied)
    _add_handler(api, ValidationError, _validation_error)
    _add_handler(api, DomainError, _domain_error)
    _add_handler(api, Exception, _unexpected)


# Mounted last: the API's front door, problem type descriptions, and a problem 404 for any other address.
router = Router(auth=None)


@router.get("/", url_name="index", include_in_schema=False)
def index(request: HttpRequest) -> dict[str, str]:
    return {"docs": reverse("api-v1:openapi-view"), "openapi": reverse("api-v1:openapi-json")}


@router.get("/problems/{slug}", url_name="problem-type", include_in_schema=False)
def problem_type(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in PROBLEM_TYPES:
        raise Http404
    title, description = PROBLEM_TYPES[slug]
    return HttpResponse(
        json.dumps({"type": problem_type_uri(slug), "title": str(title), "description": str(description)}),
        content_type="application/json",
    )


@router.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False)
def unknown_address(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404


class MethodNotAllowedMiddleware:
    """Ninja answers a wrong HTTP method with a plain 405 before any handler runs; the API's is a problem too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            allowed = response.get("Allow", "")
            detail = _("%(method)s is not allowed here; allowed: %(allowed)s.") % {
                "method": request.method,
                "allowed": allowed,
            }
            return problem_response(405, detail, headers={"Allow": allowed} if allowed else None)
        return response
