"""Forms of the review pages: the coordinator's motivation score, the officer's adjustment."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class ScoreForm(forms.Form):
    """One application's motivation score; the prefix (the application's public id) keeps each row's ids apart."""

    motivation_score = forms.DecimalField(
        label=_("Motivation score (0 to 20)"),
        min_value=Decimal(0),
        max_value=Decimal(20),
        max_digits=4,
        decimal_places=2,
        error_messages={"required": _("Give the motivation score as a number from 0 to 20.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the officers; the applicant does not see it."),
    )


class AdjustForm(forms.Form):
    adjustment = forms.DecimalField(
        label=_("Adjustment (-20 to +20)"),
        min_value=Decimal(-20),
        max_value=Decimal(20),
        max_digits=4,
        decimal_places=2,
        error_messages={"required": _("Give the adjustment as a number from -20 to +20.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Required: kept with the change in the activity log."),
        error_messages={"required": _("Say why the score is adjusted: the reason is kept with the change.")},
    )
