"""PLACEHOLDER: replaced by the helper that owns this module."""

from typing import Any

from django.http import Http404


def open_calls(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def open_call(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404
