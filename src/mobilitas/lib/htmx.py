"""HTMX requests (django-htmx sets request.htmx): when a view answers with a fragment instead of the page."""

from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

if TYPE_CHECKING:
    from mobilitas.institutions.requests import MobilitasRequest


def wants_partial(request: "MobilitasRequest") -> bool:
    """An HTMX request, but not a history restore: after a cache miss, that one asks for the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_partial(
    request: "MobilitasRequest", template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """The page `template`, or only its `{% partialdef partial %}` when wants_partial(request)."""
    if wants_partial(request):
        template = f"{template}#{partial}"
    response = render(request, template, context, status=status)
    # The same URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
