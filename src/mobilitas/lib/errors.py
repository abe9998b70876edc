"""The one family of errors services raise, and the one place that turns them into HTTP."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

if TYPE_CHECKING:
    from mobilitas.institutions.requests import MobilitasRequest


class DomainError(Exception):
    """A rule of the domain refused the operation. `message` is translated and shown to the user."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class DomainErrorMiddleware:
    """Maps a DomainError escaping a page view to a message (form posts) or an error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: "MobilitasRequest", exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        referer = request.headers.get("Referer")
        if request.method == "POST" and referer and not request.htmx:
            messages.error(request, exception.message)
            return HttpResponseRedirect(referer)
        return render(request, "error.html", {"message": exception.message}, status=exception.status)
