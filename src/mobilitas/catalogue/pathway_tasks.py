"""E-mails of the Pathways, each in its recipient's language. Tasks receive ids and re-load what they need."""

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from mobilitas.accounts.models import User
from mobilitas.catalogue.models import PathwayEnrolment
from mobilitas.institutions.models import Role

# Who hears of new applications: the people at the managing institution who decide them.
DECIDERS = (Role.OFFICER, Role.ALLIANCE_OFFICE)


def _load(enrolment_id: int) -> PathwayEnrolment | None:
    return (
        PathwayEnrolment.objects.select_related("pathway__owner", "pathway__alliance", "student", "home")
        .filter(pk=enrolment_id)
        .first()
    )


def _student_link(enrolment: PathwayEnrolment) -> str:
    return settings.SITE_URL + reverse("catalogue-pathway-enrolment", args=[enrolment.home.slug, enrolment.public_id])


@task()
def send_pathway_application_notices(enrolment_id: int) -> int:
    """Confirm the application to the student; tell the managing institution's deciders. Returns mails sent."""
    enrolment = _load(enrolment_id)
    if enrolment is None:  # gone before the worker got to it
        return 0
    pathway, student = enrolment.pathway, enrolment.student
    with translation.override(student.language):
        subject = _("Mobilitas: your application to the Pathway “%(pathway)s”") % {"pathway": pathway.title}
        body = _(
            "Hello %(person)s,\n\nYour application to the Pathway “%(pathway)s” of %(alliance)s was received. "
            "%(institution)s will decide on it; you will receive an e-mail then.\n\nYour application: %(link)s\n"
        ) % {
            "person": student.get_short_name(),
            "pathway": pathway.title,
            "alliance": pathway.alliance.name,
            "institution": pathway.owner.display_name,
            "link": _student_link(enrolment),
        }
    send_mail(subject, body, None, [student.email])
    sent = 1
    deciders = User.objects.filter(
        is_active=True, memberships__institution=pathway.owner, memberships__role__in=DECIDERS
    ).distinct()
    link = settings.SITE_URL + reverse("catalogue-pathway", args=[pathway.owner.slug, pathway.public_id])
    for user in deciders.order_by("pk"):
        with translation.override(user.language):
            subject = _("Mobilitas: a new application to the Pathway “%(pathway)s”") % {"pathway": pathway.title}
            body = _(
                "Hello %(person)s,\n\n%(student)s (%(home)s) applied to the Pathway “%(pathway)s”. "
                "Accept or refuse the application on the Pathway's page:\n\n%(link)s\n"
            ) % {
                "person": user.get_short_name(),
                "student": student.get_full_name(),
                "home": enrolment.home.display_name,
                "pathway": pathway.title,
                "link": link,
            }
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


@task()
def send_pathway_decision(enrolment_id: int, note: str = "") -> None:
    enrolment = _load(enrolment_id)
    if enrolment is None:
        return
    pathway, student = enrolment.pathway, enrolment.student
    accepted = enrolment.status in (PathwayEnrolment.Status.ACCEPTED, PathwayEnrolment.Status.COMPLETED)
    with translation.override(student.language):
        values = {
            "person": student.get_short_name(),
            "pathway": pathway.title,
            "institution": pathway.owner.display_name,
            "link": _student_link(enrolment),
        }
        if accepted:
            subject = _("Mobilitas: you are accepted in the Pathway “%(pathway)s”") % values
            body = (
                _(
                    "Hello %(person)s,\n\n%(institution)s accepted you in the Pathway “%(pathway)s”. "
                    "Your progress through its components will show on your page:\n\n%(link)s\n"
                )
                % values
            )
        else:
            subject = _("Mobilitas: your application to the Pathway “%(pathway)s” was not accepted") % values
            body = (
                _(
                    "Hello %(person)s,\n\n%(institution)s could not accept your application to the Pathway "
                    "“%(pathway)s”.\n\n%(link)s\n"
                )
                % values
            )
        if note:
            body += "\n" + _("Their note: %(note)s") % {"note": note} + "\n"
    send_mail(subject, body, None, [student.email])


@task()
def send_pathway_completion(enrolment_id: int) -> None:
    enrolment = _load(enrolment_id)
    if enrolment is None:
        return
    pathway, student = enrolment.pathway, enrolment.student
    with translation.override(student.language):
        values = {"person": student.get_short_name(), "pathway": pathway.title, "link": _student_link(enrolment)}
        subject = _("Mobilitas: you completed the Pathway “%(pathway)s”") % values
        body = (
            _(
                "Hello %(person)s,\n\nCongratulations: you passed every component of the Pathway “%(pathway)s”.\n\n"
                "%(link)s\n"
            )
            % values
        )
    send_mail(subject, body, None, [student.email])
