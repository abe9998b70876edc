"""PLACEHOLDER: replaced by the helper that owns this module."""

from typing import Any

from django.http import Http404


def allocation(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def run(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def input_json(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def run_detail(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def publish(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def result(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def accept(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def decline(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404
