"""Background work of the catalogue. Tasks receive ids and re-load what they need."""

from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mobilitas.accounts.models import User
from mobilitas.catalogue.models import CrossEnrolment, in_language
from mobilitas.catalogue.services.enrolments import HOME, HOST, STUDENT
from mobilitas.institutions.models import Institution, Membership, Role

# Who hears of a step on each side: the student's coordinators and officers at home, the officers at the host.
MAILED_ROLES = {HOME: (Role.COORDINATOR, Role.OFFICER), HOST: (Role.OFFICER,)}


def _staff(institution: Institution, roles: tuple[str, ...]) -> list[User]:
    memberships = Membership.objects.filter(institution=institution, role__in=roles, user__is_active=True)
    return [m.user for m in memberships.select_related("user").order_by("user__email")]


def _recipients(enrolment: CrossEnrolment, audiences: list[str]) -> list[tuple[User, Institution, str]]:
    """(user, institution whose pages they use, audience), each user once."""
    found: list[tuple[User, Institution, str]] = []
    seen: set[int] = set()
    for audience in audiences:
        if audience == STUDENT:
            users, institution = [enrolment.student] if enrolment.student.is_active else [], enrolment.home
        else:
            institution = enrolment.home if audience == HOME else enrolment.course.institution
            users = _staff(institution, MAILED_ROLES[audience])
        for user in users:
            if user.pk not in seen:
                seen.add(user.pk)
                found.append((user, institution, audience))
    return found


def _number(value: Decimal | None) -> str:
    """6.0 -> "6", 7.5 -> "7.5" ("7,5" in French): credits as people write them."""
    if value is None:
        return "—"
    return formats.number_format(value.to_integral_value() if value == value.to_integral_value() else value)


def _student_text(event: str, e: CrossEnrolment, words: dict[str, str]) -> tuple[str, str]:
    """Subject and message to the student, in the active language."""
    if event == "preapproved":
        subject = _("Mobilitas: the recognition of %(course)s is pre-approved") % words
        if e.recognised_as is not None:
            text = _(
                "%(home)s pre-approved the recognition of %(course)s at %(host)s: it will count as %(home_course)s "
                "for %(credits)s ECTS credits. %(host)s now decides whether to accept you."
            )
        else:
            text = _(
                "%(home)s pre-approved the recognition of %(course)s at %(host)s: it will count for %(credits)s "
                "ECTS credits. %(host)s now decides whether to accept you."
            )
    elif event in ("refused_by_home", "refused_by_host"):
        subject = _("Mobilitas: your request for %(course)s was refused") % words
        if event == "refused_by_home":
            text = _("%(home)s refused your request for %(course)s at %(host)s. The reason given: %(reason)s")
        else:
            text = _("%(host)s refused your request for %(course)s. The reason given: %(reason)s")
    elif event == "accepted":
        subject = _("Mobilitas: you are accepted in %(course)s") % words
        text = _("%(host)s accepted you in %(course)s.")
    elif event == "waitlisted":
        subject = _("Mobilitas: you are on the waiting list of %(course)s") % words
        text = _(
            "All the places of %(course)s at %(host)s are taken: you are on the waiting list. You will get an "
            "e-mail if a place becomes free."
        )
    elif event == "promoted":
        subject = _("Mobilitas: a place became free in %(course)s") % words
        text = _("A place became free in %(course)s at %(host)s: you are accepted.")
    elif event == "completed":
        subject = _("Mobilitas: your result in %(course)s") % words
        text = _(
            "%(host)s recorded your result in %(course)s: grade %(grade)s, %(earned)s ECTS credits. It is now "
            "proposed for recognition at %(home)s."
        )
    elif event == "failed":
        subject = _("Mobilitas: your result in %(course)s") % words
        text = _(
            "%(host)s recorded your result in %(course)s: grade %(grade)s, no ECTS credits earned. There is "
            "nothing to recognise at home."
        )
    elif event == "recognised":
        subject = _("Mobilitas: %(course)s is recognised") % words
        text = _("%(home)s recognised %(course)s for %(credits)s ECTS credits.")
    else:
        subject = _("Mobilitas: your request for %(course)s changed") % words
        text = _("Your request for %(course)s at %(host)s is now: %(status)s.")
    return subject, text % words


def _staff_text(event: str, e: CrossEnrolment, words: dict[str, str]) -> tuple[str, str]:
    """Subject and message to a coordinator or officer, in the active language."""
    if event == "requested":
        subject = _("Mobilitas: %(student)s asks to take %(course)s at %(host)s") % words
        text = _(
            "%(student)s asks to take the shared course %(course)s at %(host)s. Pre-approve the recognition "
            "(the home course or the credits it will count as) or refuse the request."
        )
    elif event == "preapproved":
        subject = _("Mobilitas: %(student)s of %(home)s asks for %(course)s") % words
        text = _(
            "%(home)s pre-approved the recognition of %(course)s (%(credits)s ECTS credits) for its student "
            "%(student)s. Accept the student, or the request goes to the waiting list when the course is full."
        )
    elif event == "refused_by_host":
        subject = _("Mobilitas: %(host)s refused %(student)s in %(course)s") % words
        text = _("%(host)s refused %(student)s in %(course)s. The reason given: %(reason)s")
    elif event == "withdrawn":
        subject = _("Mobilitas: %(student)s withdrew from %(course)s") % words
        text = _("%(student)s withdrew from %(course)s at %(host)s.")
    elif event == "completed":
        subject = _("Mobilitas: recognise the result of %(student)s in %(course)s") % words
        text = _(
            "%(host)s recorded the result of %(student)s in %(course)s: grade %(grade)s, %(earned)s ECTS "
            "credits. It is proposed for recognition for %(credits)s ECTS credits: confirm the recognition."
        )
    elif event == "failed":
        subject = _("Mobilitas: the result of %(student)s in %(course)s") % words
        text = _(
            "%(host)s recorded the result of %(student)s in %(course)s: grade %(grade)s, no ECTS credits "
            "earned. There is nothing to recognise."
        )
    else:
        subject = _("Mobilitas: the request of %(student)s for %(course)s changed") % words
        text = _("The request of %(student)s for %(course)s at %(host)s is now: %(status)s.")
    return subject, text % words


@task()
def send_enrolment_mail(enrolment_id: int, event: str, audiences: list[str]) -> int:
    """Tell `audiences` (student, home, host) about `event`, each in their language; returns mails sent."""
    enrolment = (
        CrossEnrolment.objects.select_related("student", "home", "course__institution", "recognised_as")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        return 0
    sent = 0
    for user, institution, audience in _recipients(enrolment, audiences):
        link = settings.SITE_URL + reverse("catalogue-enrolment", args=[institution.slug, enrolment.public_id])
        with translation.override(user.language):
            course = enrolment.course
            words = {
                "student": enrolment.student.get_full_name(),
                "course": f"{course.code} {in_language(course.titles, user.language)}".strip(),
                "host": course.institution.display_name,
                "home": enrolment.home.display_name,
                "home_course": (
                    f"{enrolment.recognised_as.code} {in_language(enrolment.recognised_as.titles, user.language)}"
                    if enrolment.recognised_as
                    else ""
                ),
                "credits": _number(enrolment.recognised_credits),
                "earned": _number(enrolment.ects_earned),
                "grade": enrolment.grade,
                "reason": enrolment.decision_note,
                "status": str(enrolment.get_status_display()),
            }
            render = _student_text if audience == STUDENT else _staff_text
            subject, text = render(event, enrolment, words)
            body = _("Hello %(person)s,\n\n%(text)s\n\nThe request: %(link)s\n") % {
                "person": user.get_short_name(),
                "text": text,
                "link": link,
            }
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent
