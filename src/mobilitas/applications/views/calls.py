"""PLACEHOLDER: replaced by the helper that owns this module."""

from typing import Any

from django.http import Http404


def call_list(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def call_create(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def call_detail(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def call_edit(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def call_destinations(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def call_publish(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def call_close(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404
