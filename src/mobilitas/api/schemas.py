"""Schemas shared by every router: the problem document and paging."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE_SIZE = 100
# A cap keeps OFFSET inside what every database accepts; nobody pages this far.
MAX_PAGE = 1_000_000


class FieldProblem(Schema):
    location: str = Field(description="Where the value was sent: query, path, body, header.")
    field: str = Field(description="The parameter or body field, dotted for nested fields.")
    detail: str
    code: str = Field(description="A machine-readable reason, e.g. less_than_equal, missing, uuid_parsing.")


class Problem(Schema):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = Field(description="A URI reference for the kind of problem; about:blank for plain HTTP errors.")
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = Field(None, description="On validation errors: one entry per field.")
    field: str | None = Field(None, description="On domain errors: the field the rule is about, if any.")


PROBLEM_RESPONSES: dict[int, Any] = {401: Problem, 404: Problem, 422: Problem}


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number.")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"Results per page, at most {MAX_PAGE_SIZE}.")


def paginate(queryset: QuerySet, params: PageParams) -> dict[str, Any]:
    """One page of a queryset: two queries whatever the page size. Past the last page, results are empty."""
    start = (params.page - 1) * params.page_size
    return {
        "count": queryset.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": list(queryset[start : start + params.page_size]),
    }
