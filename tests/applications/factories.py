"""Test data for calls and applications, made directly (setup only: the steps under test go through services)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from mobilitas.accounts.models import User
from mobilitas.applications.models import Application, Call, CallDestination, Choice
from mobilitas.institutions.models import Institution
from tests.factories import make_institution


def make_call(institution: Institution, *, open_now: bool = True, **fields: Any) -> Call:
    """A published call of 2027/2028 for studies, open since yesterday for a week (or closed since yesterday)."""
    now = timezone.now()
    fields.setdefault("title", "Erasmus+ studies 2027/2028")
    fields.setdefault("academic_year", "2027/2028")
    fields.setdefault("status", Call.Status.PUBLISHED)
    if open_now:
        fields.setdefault("opens_at", now - timedelta(days=1))
        fields.setdefault("closes_at", now + timedelta(days=7))
    else:
        fields.setdefault("opens_at", now - timedelta(days=30))
        fields.setdefault("closes_at", now - timedelta(days=1))
    return Call.objects.create(institution=institution, **fields)


def make_destination(call: Call, partner: Institution | None = None, **fields: Any) -> CallDestination:
    fields.setdefault("places", 2)
    fields.setdefault("position", call.destinations.count())
    return CallDestination.objects.create(call=call, partner=partner or make_institution(), **fields)


def make_application(
    call: Call, student: User, *, choices: list[CallDestination] | None = None, **fields: Any
) -> Application:
    """A complete draft (level 6, ISCED 0613, grade 14/20, English B2) with `choices` ranked in order."""
    fields.setdefault("study_level", 6)
    fields.setdefault("programme", "Licence Informatique")
    fields.setdefault("isced_code", "0613")
    fields.setdefault("grade_average", Decimal("14.00"))
    fields.setdefault("languages", {"en": "B2"})
    fields.setdefault("motivation", "I want to study abroad.")
    application = Application.objects.create(call=call, institution=call.institution, student=student, **fields)
    for rank, destination in enumerate(choices or [], start=1):
        Choice.objects.create(application=application, rank=rank, destination=destination)
    return application
