import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from mobilitas.accounts import services
from mobilitas.accounts.models import ApiToken, User


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # Addresses are stored in lower case (UserManager.create_user); people type them any way.
        return self.cleaned_data["username"].lower()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, saving through the service so that the change is audited."""

    def save(self, commit: bool = True) -> User:
        return services.change_password(self.user, self.cleaned_data["new_password1"], actor=self.user)


class SetPasswordForm(auth_forms.SetPasswordForm):
    """The new-password form behind a reset link, saving through the service."""

    def save(self, commit: bool = True) -> User:
        return services.reset_password(self.user, self.cleaned_data["new_password1"])


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of pages and e-mails"), choices=settings.LANGUAGES)


@cache
def time_zone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=lambda: [(name, name) for name in time_zone_names()],
        help_text=_("Dates and times on the pages and in e-mails are shown in it."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, for example “monthly report script”."),
    )
