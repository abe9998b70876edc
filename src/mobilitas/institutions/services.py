"""Workflow steps of the institutions app: one transaction each, validated, audited."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.institutions.models import Contact, Institution
from mobilitas.lib.errors import DomainError

CONTACT_FIELDS = frozenset({"name", "role", "email", "phone", "ounit"})


@transaction.atomic
def add_contact(institution: Institution, partner: Institution, *, actor: Any, **fields: Any) -> Contact:
    """Add a person working at `partner` to `institution`'s address book."""
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise TypeError(f"add_contact() got unexpected fields: {', '.join(sorted(unknown))}")
    if not institution.hosted:
        raise DomainError(_("Only an institution hosted here keeps contacts."))
    ounit = fields.get("ounit")
    if ounit is not None and ounit.institution_id != partner.pk:
        raise DomainError(_("The unit must belong to the institution the contact works at."), field="ounit")
    contact = Contact(institution=institution, partner=partner, **fields)
    try:
        # The foreign keys are checked above; skip the queries full_clean would make for them.
        contact.full_clean(
            exclude={"institution", "partner", "ounit"}, validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from error
    contact.save()
    audit.record(
        "contact.added",
        actor=actor,
        institution=institution,
        obj=contact,
        data={"partner": str(partner.public_id), "partner_name": partner.name},
    )
    return contact


@transaction.atomic
def delete_contact(contact: Contact, *, actor: Any) -> None:
    """Remove a contact from its institution's address book; the audit event keeps who it was."""
    audit.record(
        "contact.deleted",
        actor=actor,
        institution=contact.institution,
        obj=contact,
        data={"partner": str(contact.partner.public_id), "partner_name": contact.partner.name},
    )
    contact.delete()
