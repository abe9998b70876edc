"""E-mails of applying: the submission receipt. Tasks receive ids and re-load what they need."""

import contextlib
import zoneinfo

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mobilitas.applications import eligibility
from mobilitas.applications.models import Application


def _in_zone(name: str) -> contextlib.AbstractContextManager[None]:
    """timezone.override for the user's zone (Europe/Paris when the name is unknown)."""
    try:
        return timezone.override(zoneinfo.ZoneInfo(name or "Europe/Paris"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.override(zoneinfo.ZoneInfo("Europe/Paris"))


def receipt_text(application: Application) -> tuple[str, str]:
    """Subject and body of the receipt, in the active language and time zone."""
    call = application.call
    student = application.student
    choices = application.choices.select_related("destination__partner").order_by("rank")
    lines = [
        _("%(rank)s. %(destination)s") % {"rank": c.rank, "destination": c.destination.partner.display_name}
        for c in choices
    ]
    link = settings.SITE_URL + reverse(
        "applications-application", args=[application.institution.slug, application.public_id]
    )
    subject = _("Mobilitas: your application to “%(call)s” is submitted") % {"call": call.title}
    body = _(
        "Hello %(person)s,\n\n"
        "Your application to “%(call)s” (%(year)s) was submitted on %(submitted)s.\n\n"
        "Your choices, in order of preference:\n%(choices)s\n\n"
        "The call closes on %(closes)s. Until the results are published you can withdraw the application "
        "from its page: %(link)s\n"
    ) % {
        "person": student.get_short_name(),
        "call": call.title,
        "year": call.academic_year,
        "submitted": eligibility.when(application.submitted_at) if application.submitted_at else "",
        "choices": "\n".join(lines),
        "closes": eligibility.when(call.closes_at),
        "link": link,
    }
    return subject, body


@task()
def send_submission_receipt(application_id: int) -> int:
    """Tell the applicant their application is submitted, in their language and time zone; returns mails sent."""
    application = (
        Application.objects.select_related("call", "student", "institution")
        .filter(pk=application_id, status=Application.Status.SUBMITTED)
        .first()
    )
    if application is None or not application.student.is_active:
        return 0
    student = application.student
    with translation.override(student.language), _in_zone(student.time_zone):
        subject, body = receipt_text(application)
    send_mail(subject, body, None, [student.email])
    return 1
