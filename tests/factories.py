"""Plain factories for test data (no factory_boy). Workflow data should come from the real services."""

import itertools

from mobilitas.accounts.models import User
from mobilitas.institutions.models import Institution, Membership, OrganisationalUnit

_seq = itertools.count(1)


def make_institution(**fields) -> Institution:  # type: ignore[no-untyped-def]
    n = next(_seq)
    fields.setdefault("name", f"Test University {n}")
    fields.setdefault("country", "FR")
    fields.setdefault("city", "Amiens")
    fields.setdefault("erasmus_code", f"F  TEST{n:02d}")
    return Institution.objects.create(**fields)


def make_hosted_institution(slug: str, **fields) -> Institution:  # type: ignore[no-untyped-def]
    return make_institution(hosted=True, slug=slug, **fields)


def make_user(email: str, password: str = "password", **fields) -> User:  # type: ignore[no-untyped-def]  # noqa: S107
    return User.objects.create_user(email, password, **fields)


def make_member(email: str, institution: Institution, role: str, ounit=None, **fields) -> User:  # type: ignore[no-untyped-def]
    user = make_user(email, **fields)
    Membership.objects.create(user=user, institution=institution, role=role, ounit=ounit)
    return user


def make_ounit(institution: Institution, code: str, name: str, parent=None, **fields) -> OrganisationalUnit:  # type: ignore[no-untyped-def]
    return OrganisationalUnit.objects.create(institution=institution, code=code, name=name, parent=parent, **fields)
