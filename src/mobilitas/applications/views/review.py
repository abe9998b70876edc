"""PLACEHOLDER: replaced by the helper that owns this module."""

from typing import Any

from django.http import Http404


def review_list(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def ranking(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def score(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def adjust(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404
