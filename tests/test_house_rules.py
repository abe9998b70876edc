"""House rules a test can hold (ARCHITECTURE.md): views and the API never query tenant-owned rows unscoped."""

import ast
from pathlib import Path

from django.apps import apps

import mobilitas

SOURCE = Path(mobilitas.__file__).parent


# The foreign keys that make a row belong to an institution (its owner, or the home of a student's request).
OWNING_FIELDS = {"institution", "home", "owner"}


def _tenant_models() -> set[str]:
    institution = apps.get_model("institutions", "Institution")
    return {
        model.__name__
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.name in OWNING_FIELDS and getattr(field, "related_model", None) is institution and field.concrete
    }


def _request_facing_modules() -> list[Path]:
    return sorted(
        [
            *SOURCE.glob("*/views.py"),
            *SOURCE.glob("*/views/*.py"),
            *SOURCE.glob("api/*.py"),
            *SOURCE.glob("network/**/views.py"),
        ]
    )


def test_it_knows_the_tenant_models() -> None:
    assert {
        "OrganisationalUnit", "Membership", "Contact", "AuditEvent", "Agreement", "Course", "CrossEnrolment", "Pathway",
        "JointProgramme",
    } <= _tenant_models()  # fmt: skip


def test_views_and_api_never_query_a_tenant_model_unscoped() -> None:
    tenant_models = _tenant_models()
    offences = []
    for path in _request_facing_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "objects"
                and isinstance(node.value, ast.Name)
                and node.value.id in tenant_models
            ):
                offences.append(f"{path.relative_to(SOURCE)}:{node.lineno} {node.value.id}.objects")
    assert not offences, "Start from request.institution or an access helper instead: " + ", ".join(offences)
