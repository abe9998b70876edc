from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mobilitas.audit.models import AuditEvent


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ActivityFilterForm(forms.Form):
    """The filters of the activity page, read from GET. `actions` are those present in the trail."""

    action = forms.ChoiceField(label=_("Action"), required=False)
    actor = forms.CharField(
        label=_("Actor e-mail"), required=False, max_length=254, help_text=_("All or part of the address.")
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, data: Any, *, actions: list[str]) -> None:
        super().__init__(data)
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", _("All actions")), *((a, a) for a in actions)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must be on or before the end date."), code="inverted_range")
        return cleaned

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        """Narrow `events` to the valid filters; call after is_valid() returned True."""
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("actor"):
            events = events.filter(actor__email__icontains=data["actor"].strip())
        # Whole days in the site's time zone, as aware bounds so that the created_at index is used.
        if data.get("start"):
            events = events.filter(created_at__gte=start_of(data["start"]))
        if data.get("end"):
            events = events.filter(created_at__lt=start_of(data["end"] + timedelta(days=1)))
        return events


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
