"""PLACEHOLDER: replaced by the helper that owns this module."""

from typing import Any

from django.http import Http404


def mobility_list(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def nominations(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def nominations_xlsx(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def mobility_detail(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404
