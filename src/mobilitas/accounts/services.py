"""Account workflows: passwords, language and time zone preferences, personal API tokens. Each writes an audit event."""

import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mobilitas import audit
from mobilitas.accounts.models import ApiToken, User, hash_token
from mobilitas.accounts.tasks import send_api_token_notice
from mobilitas.lib.errors import Conflict, DomainError, NotAllowed

# Writing last_used_at on every API call would turn each read into a write; a minute is precise enough.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
# Enough characters to recognise a token in a list, too few to help guess the rest (43 random characters).
TOKEN_HINT_LENGTH = 12


@transaction.atomic
def change_password(user: User, new_password: str, *, actor: User) -> User:
    """The user changed their password while logged in (the old one was checked by the form)."""
    _set_password(user, new_password)
    audit.record("accounts.password_changed", actor=actor, obj=user)
    return user


@transaction.atomic
def reset_password(user: User, new_password: str) -> User:
    """The user set a new password through an e-mailed reset link."""
    _set_password(user, new_password)
    # Nobody is logged in yet; the link proved control of the mailbox, so the user is the actor.
    audit.record("accounts.password_reset", actor=user, obj=user)
    return user


def _set_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.save(update_fields=["password"])


@transaction.atomic
def set_language(user: User, lang: str, *, actor: User) -> User:
    if lang not in dict(settings.LANGUAGES):
        raise DomainError(_("This language is not available."), field="language")
    previous = user.language
    user.language = lang
    user.save(update_fields=["language"])
    audit.record("accounts.language_changed", actor=actor, obj=user, data={"from": previous, "to": lang})
    return user


@transaction.atomic
def set_time_zone(user: User, name: str, *, actor: User) -> User:
    """The time zone the user reads dates in (the middleware activates it on every page)."""
    if name not in zoneinfo.available_timezones():
        raise DomainError(_("“%(value)s” is not a time zone.") % {"value": name}, field="time_zone")
    previous = user.time_zone
    user.time_zone = name
    user.save(update_fields=["time_zone"])
    audit.record("accounts.time_zone_changed", actor=actor, obj=user, data={"from": previous, "to": name})
    return user


@transaction.atomic
def create_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new personal API token. The secret is returned once and never stored; only its SHA-256 is."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), field="name")
    secret = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=hash_token(secret), hint=secret[:TOKEN_HINT_LENGTH])
    audit.record("accounts.api_token_created", actor=user, obj=token, data={"name": name, "hint": token.hint})
    token_id = token.pk
    transaction.on_commit(lambda: send_api_token_notice.enqueue(token_id))
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    if token.user_id != actor.pk:
        raise NotAllowed(_("Only the owner of a token can revoke it."))
    # Lock the row: two revocations racing must not both succeed.
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("accounts.api_token_revoked", actor=actor, obj=token, data={"name": token.name, "hint": token.hint})
    return token


def authenticate_api_token(secret: str) -> ApiToken | None:
    """The active token with this secret, of an active user; None for anything else."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        note_api_token_use(token)
    return token


def note_api_token_use(token: ApiToken) -> None:
    """Record that the token was used, at most once per TOKEN_USE_RESOLUTION.

    Bookkeeping rather than a state change, so no audit event: the conditional UPDATE keeps concurrent
    requests from writing the row more than once.
    """
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_USE_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
