"""E-mails of calls: the opening announcement and the deadline reminder, each sent once per call.

`send_call_notifications` runs hourly (`mobilitas send-call-notifications`). Each call is handled in its own
transaction, its row locked: the mails go out and the call is stamped (opening_announced_at, reminder_sent_at)
together, so two runs at once never send twice. Every recipient reads the mail in their own language.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mobilitas.accounts.models import User
from mobilitas.applications.models import Application, Call
from mobilitas.applications.services.calls import in_zone
from mobilitas.institutions.models import Membership, OrganisationalUnit, Role

# The reminder goes to unsubmitted drafts this long before the deadline.
REMINDER_BEFORE = timedelta(hours=72)
# "15 March 2027, 23:59" ("15 mars 2027, 23:59" in French), as the pages write deadlines.
DEADLINE_FORMAT = "j F Y, H:i"


def _when(call: Call, user: User) -> str:
    """The deadline in the call's time zone, and in the reader's when it differs (active language's format)."""
    local = in_zone(call.closes_at, call.time_zone)
    text = f"{formats.date_format(local, DEADLINE_FORMAT)} {call.time_zone}"
    if user.time_zone and user.time_zone != call.time_zone:
        try:
            theirs = in_zone(call.closes_at, user.time_zone)
        except (ValueError, LookupError):
            return text
        text += _(", that is %(when)s in %(zone)s") % {
            "when": formats.date_format(theirs, DEADLINE_FORMAT),
            "zone": user.time_zone,
        }
    return text


def eligible_unit_ids(call: Call) -> set[int] | None:
    """The call's eligible units and all their sub-units; None when every unit is eligible."""
    chosen = set(call.eligible_ounits.values_list("pk", flat=True))
    if not chosen:
        return None
    children: dict[int, list[int]] = {}
    for pk, parent in OrganisationalUnit.objects.filter(institution=call.institution_id).values_list("pk", "parent"):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found, todo = set(chosen), list(chosen)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def announcement_recipients(call: Call) -> list[User]:
    """The active members who may apply (students, or staff for a staff call) of an eligible unit, each once."""
    role = Role.STAFF if call.is_staff_call else Role.STUDENT
    memberships = Membership.objects.filter(institution=call.institution_id, role=role, user__is_active=True)
    units = eligible_unit_ids(call)
    if units is not None:
        memberships = memberships.filter(ounit__in=units)
    users = {m.user_id: m.user for m in memberships.select_related("user").order_by("user__email")}
    return list(users.values())


def reminder_recipients(call: Call) -> list[tuple[User, Application]]:
    drafts = call.applications.filter(status=Application.Status.DRAFT, student__is_active=True)
    return [(a.student, a) for a in drafts.select_related("student").order_by("student__email")]


def _announce(call: Call) -> int:
    link = settings.SITE_URL + reverse("applications-call", args=[call.institution.slug, call.public_id])
    sent = 0
    for user in announcement_recipients(call):
        with translation.override(user.language):
            words = {
                "title": call.title,
                "year": call.academic_year,
                "institution": call.institution.display_name,
                "deadline": _when(call, user),
            }
            subject = _("Mobilitas: the call “%(title)s” is open") % words
            body = _(
                "Hello %(person)s,\n\n%(institution)s opened the call “%(title)s” for %(year)s. Apply before "
                "%(deadline)s.\n\nThe call and its destinations: %(link)s\n"
            ) % {**words, "person": user.get_short_name(), "link": link}
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


def _remind(call: Call) -> int:
    sent = 0
    for user, application in reminder_recipients(call):
        link = settings.SITE_URL + reverse(
            "applications-application", args=[call.institution.slug, application.public_id]
        )
        with translation.override(user.language):
            words = {"title": call.title, "deadline": _when(call, user)}
            subject = _("Mobilitas: your application to “%(title)s” is not submitted yet") % words
            body = _(
                "Hello %(person)s,\n\nYour application to the call “%(title)s” is still a draft. The call closes "
                "on %(deadline)s: submit it before then, or it will not be considered.\n\nYour application: "
                "%(link)s\n"
            ) % {**words, "person": user.get_short_name(), "link": link}
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


def _due(now: Any) -> tuple[list[int], list[int]]:
    open_now = Call.objects.filter(
        institution__hosted=True, status=Call.Status.PUBLISHED, opens_at__lte=now, closes_at__gt=now
    )
    openings = open_now.filter(opening_announced_at__isnull=True)
    reminders = open_now.filter(reminder_sent_at__isnull=True, closes_at__lte=now + REMINDER_BEFORE)
    return list(openings.values_list("pk", flat=True)), list(reminders.values_list("pk", flat=True))


@task()
def send_call_notifications() -> int:
    """Announce the calls that opened and remind the drafts of calls closing within 72 hours; returns mails sent."""
    now = timezone.now()
    openings, reminders = _due(now)
    sent = 0
    for call_id in openings:
        with transaction.atomic():
            call = Call.objects.select_for_update().select_related("institution").get(pk=call_id)
            if call.opening_announced_at is None and call.status == Call.Status.PUBLISHED:
                sent += _announce(call)
                call.opening_announced_at = now
                call.save(update_fields=["opening_announced_at"])
    for call_id in reminders:
        with transaction.atomic():
            call = Call.objects.select_for_update().select_related("institution").get(pk=call_id)
            if call.reminder_sent_at is None and call.status == Call.Status.PUBLISHED:
                sent += _remind(call)
                call.reminder_sent_at = now
                call.save(update_fields=["reminder_sent_at"])
    return sent
