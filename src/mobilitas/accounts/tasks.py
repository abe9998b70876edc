"""Background work of the accounts app. Tasks receive ids and re-load what they need."""

from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from mobilitas.accounts.models import ApiToken


@task()
def send_api_token_notice(token_id: int) -> None:
    """Tell the owner that a token was created, so that a token they did not create gets noticed."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:  # deleted before the worker got to it: nothing left to warn about
        return
    user = token.user
    with translation.override(user.language):
        created = formats.date_format(timezone.localtime(token.created_at), "DATETIME_FORMAT")
        subject = _("Mobilitas: a new API token named “%(name)s” was created") % {"name": token.name}
        body = _(
            "Hello %(person)s,\n\n"
            "A new API token named “%(name)s” (starting with %(hint)s) was created for your Mobilitas account "
            "on %(created)s.\n\n"
            "If you created it, there is nothing to do. If you did not, revoke it at once on your account page "
            "(My account, API tokens) and change your password.\n"
        ) % {"person": user.get_short_name(), "name": token.name, "hint": token.hint, "created": created}
    send_mail(subject, body, None, [user.email])
