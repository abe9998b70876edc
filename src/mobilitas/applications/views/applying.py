"""PLACEHOLDER: replaced by the helper that owns this module."""

from typing import Any

from django.http import Http404


def start(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def my_applications(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def application_detail(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def application_edit(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def autosave(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def upload(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def download(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def delete_upload(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def submit(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404


def withdraw(request: Any, *args: Any, **kwargs: Any) -> Any:
    raise Http404
