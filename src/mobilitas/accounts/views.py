"""Log in and out, passwords, and "My account": profile, memberships, language, time zone, personal API tokens."""

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from mobilitas.accounts import forms, services
from mobilitas.accounts.models import ApiToken
from mobilitas.institutions.requests import AuthenticatedRequest
from mobilitas.lib.htmx import wants_partial


def set_language_cookie(response: HttpResponse, lang: str) -> None:
    """The cookie LocaleMiddleware reads, with the same parameters as Django's set_language view."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        lang,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # Pages follow the language the user chose on "My account", whichever browser they log in from.
        set_language_cookie(response, form.get_user().language)
        return response


# The admin app ships templates under Django's default names (registration/password_change_form.html ...)
# and comes first in INSTALLED_APPS, so ours have names of their own.
login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
password_change = auth_views.PasswordChangeView.as_view(
    form_class=forms.PasswordChangeForm,
    template_name="registration/password_change.html",
    success_url=reverse_lazy("accounts-password-change-done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_changed.html")
password_reset = auth_views.PasswordResetView.as_view(
    template_name="registration/password_reset.html",
    email_template_name="registration/password_reset_email_body.txt",
    subject_template_name="registration/password_reset_email_subject.txt",
    success_url=reverse_lazy("accounts-password-reset-done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_sent.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    form_class=forms.SetPasswordForm,
    template_name="registration/password_reset_new.html",
    success_url=reverse_lazy("accounts-password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_finished.html"
)


def _tokens_context(request: AuthenticatedRequest, **extra: Any) -> dict[str, Any]:
    context = {"tokens": list(request.user.api_tokens.all()), "token_form": forms.ApiTokenForm()}
    context.update(extra)
    return context


def _account_context(request: AuthenticatedRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    context = {
        "memberships": list(user.memberships.select_related("institution", "ounit")),
        "language_form": forms.LanguageForm(initial={"language": user.language}),
        "time_zone_form": forms.TimeZoneForm(initial={"time_zone": user.time_zone}),
    }
    context.update(_tokens_context(request, **extra))
    return context


@require_safe
@login_required
@never_cache
def account(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "accounts/account.html", _account_context(request))


@require_POST
@login_required
def update_language(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.LanguageForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/account.html", _account_context(request, language_form=form), status=400)
    lang = form.cleaned_data["language"]
    services.set_language(request.user, lang, actor=request.user)
    # The header's language switcher posts here with the page to return to; the account page does not.
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        response = redirect(next_url)
    else:
        with translation.override(lang):
            messages.success(request, _("Your language preference is saved."))
        response = redirect("accounts-tokens")
    set_language_cookie(response, lang)
    return response


@require_POST
@login_required
def update_time_zone(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.TimeZoneForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/account.html", _account_context(request, time_zone_form=form), status=400)
    services.set_time_zone(request.user, form.cleaned_data["time_zone"], actor=request.user)
    messages.success(
        request,
        _("Your time zone is saved: dates are now shown in %(zone)s.") % {"zone": form.cleaned_data["time_zone"]},
    )
    return redirect("accounts-tokens")


@require_POST
@login_required
@never_cache  # the response holds the secret: no cache may keep it
def create_token(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.ApiTokenForm(request.POST)
    if not form.is_valid():
        if wants_partial(request):
            return render(request, "accounts/account.html#tokens", _tokens_context(request, token_form=form))
        return render(request, "accounts/account.html", _account_context(request, token_form=form), status=400)
    token, secret = services.create_api_token(request.user, name=form.cleaned_data["name"])
    if wants_partial(request):
        return render(request, "accounts/account.html#tokens", _tokens_context(request, new_token=token, secret=secret))
    # Shown on this response only: a redirect would need the secret kept somewhere until the next page.
    return render(request, "accounts/token_created.html", {"new_token": token, "secret": secret})


@require_POST
@login_required
def revoke_token(request: AuthenticatedRequest, public_id: UUID) -> HttpResponse:
    # Someone else's token answers 404, like a token that does not exist.
    token = get_object_or_404(ApiToken, user=request.user, public_id=public_id)
    token = services.revoke_api_token(token, actor=request.user)
    if wants_partial(request):
        return render(request, "accounts/account.html#tokens", _tokens_context(request, revoked_token=token))
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts-tokens")
