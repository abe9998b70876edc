"""Forms of the allocation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RunForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_("The number that breaks ties between equal scores. Leave empty for a new draw; give a previous "
                    "run's seed to repeat it exactly."),
    )  # fmt: skip
