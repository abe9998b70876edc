"""Forms of the cross-enrolment pages: the request, the small forms of each step, the list's filters."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mobilitas.catalogue.models import Course, CrossEnrolment

SIDE_MINE, SIDE_OUTGOING, SIDE_INCOMING = "mine", "outgoing", "incoming"
SIDE_LABELS = {
    SIDE_MINE: _("My requests"),
    SIDE_OUTGOING: _("Our students in other members' courses"),
    SIDE_INCOMING: _("Guests in our courses"),
}


class EnrolmentRequestForm(forms.Form):
    motivation = forms.CharField(
        label=_("Why do you want to take this course?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Your coordinator at home and the host read it. At most 2,000 characters."),
        error_messages={"required": _("Write a few words on why you want to take this course.")},
    )


class PreapproveForm(forms.Form):
    """The home course the shared course will count as, and/or the credits; both may be left to the defaults."""

    recognised_as = forms.CharField(
        label=_("Counts at home as (code of one of our courses)"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to recognise credits only."),
    )
    credits = forms.DecimalField(
        label=_("Credits recognised at home (ECTS)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Empty: the ECTS of the home course, else those of the shared course."),
    )
    note = forms.CharField(label=_("Note for the student and the host"), max_length=300, required=False)

    def __init__(self, *args: Any, home_courses: QuerySet[Course], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "preapprove")
        super().__init__(*args, **kwargs)
        self.home_courses = home_courses

    def clean_recognised_as(self) -> Course | None:
        code = self.cleaned_data["recognised_as"].strip()
        if not code:
            return None
        course = self.home_courses.filter(code__iexact=code).order_by("pk").first()
        if course is None:
            raise forms.ValidationError(
                _("No course of your institution has the code “%(code)s”."), params={"code": code}, code="unknown"
            )
        return course


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=300,
        help_text=_("The student reads it."),
        error_messages={"required": _("Say why the request is refused: the student reads it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "refuse")
        super().__init__(*args, **kwargs)


class ResultForm(forms.Form):
    grade = forms.CharField(
        label=_("Grade"),
        max_length=20,
        help_text=_("As it appears on the transcript."),
        error_messages={"required": _("Give the grade as it appears on the transcript.")},
    )
    ects_earned = forms.DecimalField(
        label=_("ECTS credits earned"),
        min_value=Decimal(0),
        max_value=Decimal("999.9"),
        max_digits=5,
        decimal_places=1,
        help_text=_("0 when the course was not passed."),
        error_messages={"required": _("Give the ECTS credits earned (0 when the course was not passed).")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "result")
        super().__init__(*args, **kwargs)


class EnrolmentFilterForm(forms.Form):
    """Every parameter is optional; a bad value is a message, never a 500."""

    side = forms.ChoiceField(label=_("Show"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sides: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sides = sides
        cast(forms.ChoiceField, self.fields["side"]).choices = [(side, SIDE_LABELS[side]) for side in sides]
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("Any status")),
            *CrossEnrolment.Status.choices,
        ]

    def clean_side(self) -> str:
        return str(self.cleaned_data["side"] or self.sides[0])
