"""Audit trail. Every service calls `audit.record(...)` inside its transaction."""

from typing import Any


def record(
    action: str,
    *,
    actor: Any = None,
    institution: Any = None,
    obj: Any = None,
    data: dict[str, Any] | None = None,
) -> Any:
    """Write one AuditEvent. `obj` is described by its model name, public id and str()."""
    from mobilitas.audit.models import AuditEvent

    object_type = object_id = object_repr = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(getattr(obj, "public_id", "") or "")
        object_repr = str(obj)[:300]
    return AuditEvent.objects.create(
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        institution=institution,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        data=data or {},
    )
