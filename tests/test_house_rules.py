"""House rules a test can hold (ARCHITECTURE.md): views and the API never query tenant-owned rows unscoped."""

import ast
from pathlib import Path

from django.apps import apps

import mobilitas

SOURCE = Path(mobilitas.__file__).parent


def _tenant_models() -> set[str]:
    names = set()
    for model in apps.get_models():
        field = next((f for f in model._meta.get_fields() if f.name == "institution"), None)
        if field is not None and getattr(field, "related_model", None) is apps.get_model("institutions", "Institution"):
            names.add(model.__name__)
    return names


def _request_facing_modules() -> list[Path]:
    return sorted([*SOURCE.glob("*/views.py"), *SOURCE.glob("api/*.py"), *SOURCE.glob("network/**/views.py")])


def test_it_knows_the_tenant_models() -> None:
    assert {"OrganisationalUnit", "Membership", "Contact", "AuditEvent"} <= _tenant_models()


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
