"""Who may apply to a call, and for which of its destinations: each refusal is a sentence the applicant reads.

Pure functions over loaded objects: they read the call's eligible units and the units' parents (cached by
Django once loaded) and nothing else. The services and pages call them; an empty list means "eligible".

An empty restriction means "everyone": a call with no eligible faculties takes every faculty, a destination
with no subject areas takes every field of study, and so on.
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from mobilitas.applications.models import CEFR_LEVELS, Application, Call, CallDestination
from mobilitas.institutions.models import OrganisationalUnit
from mobilitas.lib.text import fold

NATIVE = "NS"
# A native speaker ranks above C2.
LEVEL_RANK = {level: rank for rank, level in enumerate((*CEFR_LEVELS, NATIVE), start=1)}
EQF_LABELS = {
    5: gettext_lazy("Short-cycle (EQF 5)"),
    6: gettext_lazy("Bachelor (EQF 6)"),
    7: gettext_lazy("Master (EQF 7)"),
    8: gettext_lazy("Doctorate (EQF 8)"),
}


# Languages Django's catalogue does not name under a two-letter code.
OTHER_LANGUAGES = {"mt": gettext_lazy("Maltese"), "zh": gettext_lazy("Chinese")}


def language_name(code: str) -> str:
    """'es' -> 'Spanish' (in the active language); an unknown code is shown as it is."""
    base = code.split("-")[0].lower()
    if base in OTHER_LANGUAGES:
        return str(OTHER_LANGUAGES[base])
    try:
        return str(get_language_info(base)["name_translated"])
    except KeyError:
        return code


def level_name(level: str) -> str:
    return str(_("native speaker")) if level == NATIVE else level


def level_rank(level: Any) -> int:
    return LEVEL_RANK.get(str(level or "").strip().upper(), 0)


def eqf_name(level: Any) -> str:
    try:
        return str(EQF_LABELS[int(level)])
    except (KeyError, TypeError, ValueError):
        return str(level)


def _list(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def when(moment: datetime) -> str:
    """A date-time in the active time zone and language, with the zone: '28 November 2026 14:00 (Europe/Paris)'."""
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzinfo})"


def is_within(unit: OrganisationalUnit | None, ancestor_ids: set[int]) -> bool:
    """`unit` is one of `ancestor_ids` or below one of them in the tree."""
    seen: set[int] = set()
    while unit is not None and unit.pk not in seen:
        if unit.pk in ancestor_ids:
            return True
        seen.add(unit.pk)
        unit = unit.parent
    return False


# The call


def call_problems(call: Call, now: datetime | None = None) -> list[str]:
    """Why nobody may apply now: the call is not published, not open yet, or closed."""
    now = now or timezone.now()
    if call.is_open(now):
        return []
    if call.status != Call.Status.PUBLISHED:
        return [_("The call is not open for applications.")]
    if now < call.opens_at:
        return [_("The call opens on %(date)s.") % {"date": when(call.opens_at)}]
    return [_("The call closed on %(date)s.") % {"date": when(call.closes_at)}]


def applicant_problems(call: Call, application: Application) -> list[str]:
    """Why this applicant may not apply to `call` with what they declared (faculty, study level, programme)."""
    problems = []
    eligible_units = list(call.eligible_ounits.all())
    if eligible_units and not is_within(application.ounit, {u.pk for u in eligible_units}):
        names = _list(sorted(u.display_name for u in eligible_units))
        if application.ounit is None:
            problems.append(_("The call is for the students of %(units)s: say which is yours.") % {"units": names})
        else:
            problems.append(
                _("The call is for the students of %(units)s; your faculty is %(yours)s.")
                % {"units": names, "yours": application.ounit.display_name}
            )
    levels = [int(level) for level in call.study_levels or []]
    if levels and not call.is_staff_call and application.study_level not in levels:
        wanted = _list(eqf_name(level) for level in sorted(levels))
        if application.study_level is None:
            problems.append(_("The call is for the study levels %(levels)s: say which is yours.") % {"levels": wanted})
        else:
            problems.append(
                _("The call is for the study levels %(levels)s; yours is %(yours)s.")
                % {"levels": wanted, "yours": eqf_name(application.study_level)}
            )
    programmes = [p for p in call.programmes or [] if str(p).strip()]
    if programmes and fold(application.programme or "") not in {fold(str(p)) for p in programmes}:
        wanted = _list(programmes)
        if not application.programme.strip():
            problems.append(
                _("The call is for the programmes %(programmes)s: say which is yours.") % {"programmes": wanted}
            )
        else:
            problems.append(
                _("The call is for the programmes %(programmes)s; yours is %(yours)s.")
                % {"programmes": wanted, "yours": application.programme}
            )
    return problems


# One destination


def subject_matches(wanted: str, isced_code: str) -> bool:
    """A 2- or 3-digit code covers every 4-digit code under it (04 covers 0413); 4 digits must match exactly."""
    wanted, isced_code = str(wanted).strip(), isced_code.strip()
    if not wanted or not isced_code:
        return False
    if len(wanted) < 4:
        return isced_code.startswith(wanted)
    return wanted == isced_code


def _languages_of(application: Application) -> dict[str, str]:
    """The applicant's languages keyed by primary language subtag: {"es": "B1"}."""
    return {str(code).split("-")[0].lower(): str(level) for code, level in (application.languages or {}).items()}


def _wanted_languages(requirements: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(r.get("language", "")), str(r.get("level", "")).upper()) for r in requirements if r.get("language")]


def _speaks_one(application: Application, wanted: list[tuple[str, str]]) -> bool:
    declared = _languages_of(application)
    for code, level in wanted:
        yours = declared.get(code.split("-")[0].lower())
        if yours is not None and level_rank(yours) >= level_rank(level):
            return True
    return False


def _language_reason(application: Application, wanted: list[tuple[str, str]]) -> str:
    if len(wanted) == 1:
        code, level = wanted[0]
        words = {"language": language_name(code), "level": level_name(level)}
        yours = _languages_of(application).get(code.split("-")[0].lower())
        if yours is None:
            return _("requires %(language)s %(level)s; you did not declare %(language)s") % words
        return _("requires %(language)s %(level)s; you declared %(yours)s") % {**words, "yours": level_name(yours)}
    options = _list(f"{language_name(code)} {level_name(level)}" for code, level in wanted)
    return _("requires one of %(options)s; you declared none of them at that level") % {"options": options}


def _unit_reason(destination: CallDestination) -> str:
    unit = destination.ounit.display_name if destination.ounit else ""
    return _("reserved to the students of %(unit)s") % {"unit": unit}


def _subject_reason(application: Application, codes: list[str]) -> str:
    words = {"codes": _list(codes), "yours": application.isced_code}
    if not application.isced_code:
        return _("for the subject areas %(codes)s; give your field of study (ISCED-F)") % words
    return _("for the subject areas %(codes)s; your field of study is %(yours)s") % words


def _level_reason(application: Application, levels: list[int]) -> str:
    words = {
        "levels": _list(eqf_name(level) for level in sorted(levels)),
        "yours": eqf_name(application.study_level) if application.study_level else "",
    }
    if application.study_level is None:
        return _("for the study levels %(levels)s; give your study level") % words
    return _("for the study levels %(levels)s; yours is %(yours)s") % words


def _destination_reasons(application: Application, destination: CallDestination) -> Iterator[Callable[[], str]]:
    """Each failed requirement, as a function wording it: deciding eligibility over a whole call words nothing."""
    if destination.ounit_id is not None and not is_within(application.ounit, {destination.ounit_id}):
        yield lambda: _unit_reason(destination)
    codes = [str(c).strip() for c in destination.isced_codes or [] if str(c).strip()]
    if codes and not any(subject_matches(code, application.isced_code or "") for code in codes):
        yield lambda: _subject_reason(application, codes)
    levels = [int(level) for level in destination.eqf_levels or []]
    if levels and not application.call.is_staff_call and application.study_level not in levels:
        yield lambda: _level_reason(application, levels)
    languages = _wanted_languages(list(destination.languages or []))
    if languages and not _speaks_one(application, languages):
        yield lambda: _language_reason(application, languages)


def destination_reasons(application: Application, destination: CallDestination) -> list[str]:
    """Why the applicant may not choose `destination`, as phrases to follow its name ("requires Spanish B2; ...")."""
    return [word() for word in _destination_reasons(application, destination)]


def is_eligible(application: Application, destination: CallDestination) -> bool:
    return next(_destination_reasons(application, destination), None) is None


def destination_problems(application: Application, destination: CallDestination) -> list[str]:
    """Why the applicant may not choose `destination` (reserved unit, subject area, study level, language), each
    a sentence naming it: "Universidad de Oviedo: requires Spanish B2; you declared B1."."""
    name = destination.partner.display_name
    return [
        _("%(destination)s: %(reason)s.") % {"destination": name, "reason": reason}
        for reason in destination_reasons(application, destination)
    ]


def eligible_destination_ids(application: Application, destinations: Iterable[CallDestination]) -> set[int]:
    return {d.pk for d in destinations if is_eligible(application, d)}
