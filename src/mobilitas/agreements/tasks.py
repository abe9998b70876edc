"""Background work of agreements. Tasks receive ids and re-load what they need."""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from mobilitas.agreements.filters import expiring_q
from mobilitas.agreements.models import Agreement, ExpiryNotice
from mobilitas.institutions.models import Membership, Role


def _ending(agreement: Agreement) -> str:
    """What the warning is about: the last academic year, or the end date of a non-Erasmus agreement."""
    last_year: str | None = getattr(agreement, "last_year", None)
    return last_year or (agreement.end_date.isoformat() if agreement.end_date else "")


@task()
def warn_expiring_agreements() -> int:
    """E-mail each institution's officers once about agreements ending within six months; returns mails sent."""
    today = timezone.localdate()
    agreements = (
        Agreement.objects.filter(institution__hosted=True)
        .exclude(status=Agreement.Status.TERMINATED)
        .annotate(last_year=Max("conditions__last_year"))
        .filter(expiring_q(today))
        .select_related("institution", "partner")
        .order_by("institution_id", "partner__name")
    )
    noticed = set(ExpiryNotice.objects.values_list("agreement_id", "last_year"))
    by_institution = defaultdict(list)
    for agreement in agreements:
        if (agreement.pk, _ending(agreement)) not in noticed:
            by_institution[agreement.institution].append(agreement)
    sent = 0
    for institution, due in by_institution.items():
        officers = Membership.objects.filter(institution=institution, role=Role.OFFICER, user__is_active=True)
        link = settings.SITE_URL + reverse("agreements-list", args=[institution.slug]) + "?expiring=on"
        for membership in officers.select_related("user"):
            user = membership.user
            with translation.override(user.language):
                lines = "\n".join(
                    _("- %(code)s with %(partner)s, ends with %(end)s")
                    % {"code": a.code, "partner": a.partner.display_name, "end": _ending(a)}
                    for a in due
                )
                subject = ngettext(
                    "Mobilitas: %(count)s agreement of %(institution)s ends within six months",
                    "Mobilitas: %(count)s agreements of %(institution)s end within six months",
                    len(due),
                ) % {
                    "count": len(due),
                    "institution": institution.display_name,
                }
                body = _(
                    "Hello %(person)s,\n\nThese agreements end within six months. Renew them in time so that "
                    "calls and mobilities can go on:\n\n%(lines)s\n\nThe list: %(link)s\n"
                ) % {"person": user.get_short_name(), "lines": lines, "link": link}
            send_mail(subject, body, None, [user.email])
            sent += 1
        with transaction.atomic():
            ExpiryNotice.objects.bulk_create(
                [ExpiryNotice(agreement=a, last_year=_ending(a)) for a in due], ignore_conflicts=True
            )
    return sent
