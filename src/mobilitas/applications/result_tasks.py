"""Background work of the results: the result e-mails, the offers from waiting lists, the daily expiry of offers.

Tasks receive ids and re-load what they need. Each mail is written in the recipient's language, with the
deadline to answer in the recipient's time zone (its name shown next to it).
"""

from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mobilitas.accounts.models import User
from mobilitas.applications.models import AllocationRun, Application, Offer
from mobilitas.applications.services import results


def _deadline(moment: datetime, user: User) -> str:
    """ "12 December 2027 17:00 (Europe/Paris)": in the user's zone and language (both active around the call)."""
    zone = user.time_zone or settings.TIME_ZONE
    try:
        with timezone.override(zone):
            local = timezone.localtime(moment)
    except (ValueError, KeyError):  # an unknown zone name: the site's
        zone = settings.TIME_ZONE
        local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone})"


def _link(application: Application) -> str:
    return settings.SITE_URL + reverse(
        "applications-result", args=[application.institution.slug, application.public_id]
    )


def _result_text(application: Application, result: results.Result, names: dict[str, str]) -> tuple[str, str]:
    """Subject and body of the result mail, in the active language."""
    student = application.student
    words = {"call": application.call.title, "person": student.get_short_name(), "link": _link(application)}
    offered = [offer for offer in result.current if offer.status == Offer.Status.OFFERED]
    if offered:
        best = offered[0]
        words.update(
            place=names.get(str(best.destination.public_id), str(best.destination)),
            deadline=_deadline(best.respond_by, student),
        )
        subject = _("Mobilitas: you have a place in “%(call)s”") % words
        text = (
            _(
                "You are offered a place at %(place)s. Accept or decline it before %(deadline)s: without an answer by "
                "then, the place goes to the next applicant on the waiting list."
            )
            % words
        )
    else:
        subject = _("Mobilitas: the result of “%(call)s”") % words
        text = _(
            "There is no place for you in this round. If you are on a waiting list, you will get an e-mail as soon "
            "as a place becomes free for you."
        )
    body = _("Hello %(person)s,\n\n%(text)s\n\n%(explanation)s\n\nYour result: %(link)s\n") % {
        **words,
        "text": text,
        "explanation": result.explanation,
    }
    return subject, body


@task()
def send_result_mails(run_id: int) -> int:
    """Tell every applicant of a published run her result, each in her language; returns mails sent."""
    run = AllocationRun.objects.select_related("call__institution").filter(pk=run_id).first()
    if run is None or run.published_at is None:
        return 0
    call = run.call
    ids = [item["id"] for item in run.inputs.get("applicants", [])]
    applications = (
        call.applications.filter(public_id__in=ids, status=Application.Status.SUBMITTED)
        .select_related("student", "call", "institution")
        .order_by("pk")
    )
    sent = 0
    for application in applications:
        student = application.student
        if not student.is_active or not student.email:
            continue
        with translation.override(student.language):
            names = results.destination_names(call)
            subject, body = _result_text(application, results.result_for(application), names)
        send_mail(subject, body, None, [student.email])
        sent += 1
    return sent


@task()
def send_offer_mail(offer_id: int, event: str) -> int:
    """Tell the applicant of a place offered to her from a waiting list ("promoted"), or of an offer she let expire
    ("expired"); returns mails sent (0 or 1, none when the offer has moved on since)."""
    expected = Offer.Status.EXPIRED if event == "expired" else Offer.Status.OFFERED
    offer = (
        Offer.objects.select_related("application__student", "application__call", "application__institution")
        .filter(pk=offer_id, status=expected)
        .first()
    )
    if offer is None:
        return 0
    application = offer.application
    student = application.student
    if not student.is_active or not student.email:
        return 0
    with translation.override(student.language):
        names = results.destination_names(application.call)
        words = {
            "call": application.call.title,
            "person": student.get_short_name(),
            "place": names.get(str(offer.destination.public_id), str(offer.destination)),
            "deadline": _deadline(offer.respond_by, student),
            "link": _link(application),
        }
        if event == "expired":
            subject = _("Mobilitas: your offer in “%(call)s” has expired") % words
            body = (
                _(
                    "Hello %(person)s,\n\nYou did not accept or decline the place at %(place)s before %(deadline)s: "
                    "the offer has expired and the place goes to the next applicant on its waiting list.\n\n"
                    "Your result: %(link)s\n"
                )
                % words
            )
        else:
            subject = _("Mobilitas: a place became free for you in “%(call)s”") % words
            body = (
                _(
                    "Hello %(person)s,\n\nA place became free at %(place)s, which you ranked above the place you have: "
                    "it is offered to you. Accept or decline it before %(deadline)s. If you accept it, it replaces the "
                    "place you have now; if you do not, you keep the place you have.\n\nYour result: %(link)s\n"
                )
                % words
            )
    send_mail(subject, body, None, [student.email])
    return 1


@task()
def expire_offers() -> int:
    """Expire the offers not answered in time and offer their places down the waiting lists; returns how many."""
    return results.expire_offers()
