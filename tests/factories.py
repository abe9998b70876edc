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


def studies_condition(direction: str = "out", **fields):  # type: ignore[no-untyped-def]
    """A valid student-studies condition input (two places, 10 months, English B2, ISCED 0613)."""
    from decimal import Decimal

    from mobilitas.agreements.inputs import ConditionInput, LanguageSkillInput, SubjectAreaInput

    values = {
        "kind": "student-studies",
        "direction": direction,
        "first_year": "2026/2027",
        "last_year": "2028/2029",
        "mobilities_per_year": 2,
        "total_months_per_year": Decimal(10),
        "eqf_levels": [6, 7],
        "subject_areas": [SubjectAreaInput("0613", "Software")],
        "language_skills": [LanguageSkillInput("en", "B2")],
    }
    values.update(fields)
    return ConditionInput(**values)


def make_agreement(institution: Institution, partner: Institution, *, conditions=None, actor=None, **fields):  # type: ignore[no-untyped-def]
    """An Erasmus+ agreement made through the real service (one outgoing and one incoming condition by default)."""
    from mobilitas.agreements import services
    from mobilitas.agreements.inputs import AgreementInput

    if conditions is None:
        conditions = [studies_condition("out"), studies_condition("in")]
    fields.setdefault("code", f"TEST/{next(_seq):04d}")
    return services.create_agreement(
        institution, AgreementInput(partner=partner, conditions=conditions, **fields), actor=actor
    )
