"""The home university's agreements in the demo: about 265, shaped like a real partner list.

The partners and their places come from a real list: the 2026/27 Erasmus destinations of the telecoms
school of the Universitat Politècnica de València (data/upv_etsit_destinations_2026_27.csv, see
data/SOURCE.md): each partner, its Erasmus code and the places per degree programme. Our home university
is multidisciplinary, so those programmes map to its faculties, and the rest of its 265 partnerships are
drawn deterministically from the directory, spread over its faculties and subject areas. With each
alliance member the agreement goes both ways, each member keeps its own copy, and the University of
Oviedo's copy differs in one field so that the comparison page has something to show.

Every agreement is made through the services, so snapshots, hashes and the audit trail are real.
"""

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from mobilitas.agreements import hashing, partner_copies, services, snapshot
from mobilitas.agreements.ewp.iia_xml import build_get_response
from mobilitas.agreements.inputs import (
    AgreementInput,
    ConditionInput,
    Direction,
    LanguageSkillInput,
    SubjectAreaInput,
)
from mobilitas.agreements.models import Agreement
from mobilitas.institutions.models import Institution, OrganisationalUnit, charter_valid_on
from mobilitas.lib.erasmus_code import normalise

UPV_LIST = Path(__file__).parent / "data" / "upv_etsit_destinations_2026_27.csv"
TARGET = 265

# The UPV list's degree columns, read as one of our faculties: (unit code, ISCED-F, clarification, EQF levels).
UPV_PROGRAMMES = {
    "GITST O MÁSTER": ("SCIENCES", "0714", "Electronics and telecommunications", (6, 7)),
    "GITST": ("SCIENCES", "0714", "Electronics and telecommunications", (6,)),
    "MASTER": ("SCIENCES", "0714", "Electronics and telecommunications", (7,)),
    "GTDM": ("ARTS", "0211", "Audio-visual techniques and media production", (6,)),
    "GIF": ("SCIENCES", "0533", "Physics", (6,)),
    "GMAT": ("SCI-INFO", "0541", "Mathematics", (6,)),
}
# The rest of the partnerships, faculty by faculty: (unit code, ISCED-F, clarification, EQF levels).
FACULTY_AREAS = [
    ("DROIT", "0421", "Law", (6, 7)),
    ("ECOGESTION", "0311", "Economics", (6, 7)),
    ("LANGUES", "0231", "Language acquisition", (6, 7)),
    ("LETTRES", "0232", "Literature and linguistics", (6,)),
    ("HISTGEO", "0222", "History and archaeology", (6, 7)),
    ("SHSP", "0313", "Psychology", (6,)),
    ("MEDECINE", "0912", "Medicine", (7,)),
    ("PHARMACIE", "0916", "Pharmacy", (7,)),
    ("SCI-INFO", "0613", "Software and applications development", (6, 7)),
    ("SCI-CHIMIE", "0531", "Chemistry", (6, 7)),
    ("STAPS", "1014", "Sports", (6,)),
    ("IAE", "0413", "Management and administration", (7,)),
    ("IUT-AMIENS", "0715", "Mechanics and metal trades", (6,)),
    ("INSPE", "0113", "Teacher training without subject specialisation", (7,)),
    ("ARTS", "0213", "Fine arts", (6,)),
]
# The language a student is expected to follow courses in, by partner country (English elsewhere).
COUNTRY_LANGUAGES = {
    "AT": "de", "BE": "fr", "BG": "bg", "CH": "de", "CZ": "cs", "DE": "de", "DK": "da", "EE": "et", "ES": "es",
    "FI": "fi", "GR": "el", "HR": "hr", "HU": "hu", "IT": "it", "LT": "lt", "LU": "fr", "LV": "lv", "NL": "nl",
    "PL": "pl", "PT": "pt", "RO": "ro", "RS": "sr", "SE": "sv", "SI": "sl", "SK": "sk",
}  # fmt: skip
# One status in twenty of each kind, so that every list filter and badge has rows.
STATUS_CYCLE = ["approved"] * 14 + ["approved-by-us"] * 2 + ["approved-by-partner", "shared", "draft", "terminated"]


def upv_partners() -> Iterator[tuple[str, dict[str, int]]]:
    """(Erasmus code, places per programme column) for each partner of the real list."""
    with UPV_LIST.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header = rows[1]
    for row in rows[2:]:
        if len(row) < len(header) or not row[0].strip().isdigit():
            continue
        places = {name: int(row[i]) for i, name in enumerate(header) if name in UPV_PROGRAMMES and row[i].strip()}
        yield normalise(row[3]), places


def _skills(partner: Institution) -> list[LanguageSkillInput]:
    local = COUNTRY_LANGUAGES.get(partner.country)
    skills = [LanguageSkillInput(local, "B1")] if local else []
    return [*skills, LanguageSkillInput("en", "B2")]


def _conditions(
    partner: Institution, areas: list[tuple[str, str, tuple[int, ...], int]], first: str, last: str, staff: bool
) -> list[ConditionInput]:
    conditions = []
    directions: tuple[Direction, ...] = ("out", "in")
    for direction in directions:
        for isced, clarification, levels, places in areas:
            conditions.append(
                ConditionInput(
                    kind="student-studies",
                    direction=direction,
                    first_year=first,
                    last_year=last,
                    mobilities_per_year=places,
                    total_months_per_year=Decimal(places * 5),
                    eqf_levels=list(levels),
                    subject_areas=[SubjectAreaInput(isced, clarification)],
                    language_skills=_skills(partner) if direction == "out" else [LanguageSkillInput("fr", "B1")],
                )
            )
        if staff:
            isced, clarification = areas[0][0], areas[0][1]
            conditions.append(
                ConditionInput(
                    kind="staff-teacher",
                    direction=direction,
                    first_year=first,
                    last_year=last,
                    mobilities_per_year=1,
                    total_days_per_year=Decimal(5),
                    subject_areas=[SubjectAreaInput(isced, clarification)],
                    language_skills=[LanguageSkillInput("en", "B2")],
                )
            )
    return conditions


def _spread(code: str) -> int:
    """A stable number per partner, so that the demo is the same on every run and every machine."""
    return int(hashlib.sha256(code.encode()).hexdigest()[:8], 16)


def _settle(agreement: Agreement, status: str) -> None:
    """Walk the agreement through the real lifecycle up to `status`."""
    if status == "draft":
        return
    services.share_agreement(agreement, actor=None)
    if status in ("approved", "approved-by-us", "terminated"):
        services.approve_agreement(agreement, actor=None)
    if status in ("approved", "approved-by-partner", "terminated"):
        current = hashing.data_hash(snapshot.agreement_to_data(Agreement.objects.get(pk=agreement.pk)))
        services.record_partner_approval(agreement, current, actor=None)
    if status == "terminated":
        services.terminate_agreement(agreement, actor=None)


def _plan(
    home: Institution, alliance: set[int]
) -> list[tuple[Institution, str, list[tuple[str, str, tuple[int, ...], int]]]]:
    """(partner, unit code, subject areas with places) for each of the home university's Erasmus partners."""
    directory = Institution.objects.exclude(country=home.country).exclude(schac_code="").exclude(pk__in=alliance)
    by_code = {i.erasmus_code: i for i in directory.filter(erasmus_code__in=[c for c, _ in upv_partners()])}
    plan = []
    for code, places in upv_partners():
        if code in by_code and places:
            unit = UPV_PROGRAMMES[next(iter(places))][0]
            areas = [(UPV_PROGRAMMES[n][1], UPV_PROGRAMMES[n][2], UPV_PROGRAMMES[n][3], p) for n, p in places.items()]
            merged: dict[tuple[str, tuple[int, ...]], tuple[str, str, tuple[int, ...], int]] = {}
            for isced, clarification, levels, count in areas:
                key = (isced, levels)
                previous = merged.get(key)
                merged[key] = (isced, clarification, levels, count + (previous[3] if previous else 0))
            plan.append((by_code[code], unit, list(merged.values())))
    taken = {partner.pk for partner, _unit, _areas in plan}
    candidates = sorted(
        directory.filter(charter_valid_on(date(2026, 9, 1)))
        .exclude(pk__in=taken)
        .only("pk", "erasmus_code", "country"),
        key=lambda i: _spread(i.erasmus_code),
    )
    for index, partner in enumerate(candidates[: TARGET - len(plan) - len(alliance)]):
        unit, isced, clarification, levels = FACULTY_AREAS[index % len(FACULTY_AREAS)]
        plan.append((partner, unit, [(isced, clarification, levels, 1 + _spread(partner.erasmus_code) % 3)]))
    return plan


def _alliance_agreements(home: Institution, members: list[Institution], units: dict[str, OrganisationalUnit]) -> int:
    """Both ways with each member; each hosted member keeps its own copy, which UPJV has received."""
    made = 0
    for member in members:
        if member.country == home.country:
            services.create_agreement(
                home,
                AgreementInput(
                    partner=member,
                    code=f"INGENIUM/{member.slug.upper()}",
                    kind=Agreement.Kind.NETWORK,
                    ounit=units.get("DRI"),
                    title="INGENIUM European University alliance",
                    start_date=date(2022, 11, 1),
                    end_date=date(2028, 10, 31),
                ),
                actor=None,
            )
            made += 1
            continue
        areas = [("0714", "Electronics and telecommunications", (6, 7), 2), ("0421", "Law", (6,), 1)]
        ours = services.create_agreement(
            home,
            AgreementInput(
                partner=member,
                code=f"2021/E+/UPJV/ING-{member.slug.upper()}",
                ounit=units.get("DRI"),
                conditions=_conditions(member, areas, "2022/2023", "2028/2029", staff=True),
            ),
            actor=None,
        )
        services.share_agreement(ours, actor=None)
        theirs = services.create_agreement(
            member,
            AgreementInput(
                partner=home,
                code=f"2022/E+/{member.slug.upper()}/UPJV",
                conditions=[
                    replace(c, direction="in" if c.direction == "out" else "out")
                    for c in AgreementInput.from_agreement(ours).conditions
                ],
            ),
            actor=None,
        )
        theirs.partner_iia_id = str(ours.public_id)
        theirs.save(update_fields=["partner_iia_id"])
        served = snapshot.agreement_to_data(Agreement.objects.get(pk=theirs.pk))
        if member.slug == "uniovi":
            # Oviedo typed 9 months where we have 10: the copies differ and approval waits for the comparison.
            first = served.conditions[0]
            served = replace(served, conditions=(replace(first, total_months_per_year="9"), *served.conditions[1:]))
        partner_copies.receive_partner_copy(ours, build_get_response([served]), actor=None)
        if member.slug != "uniovi":
            services.approve_agreement(ours, actor=None)
            current = hashing.data_hash(snapshot.agreement_to_data(Agreement.objects.get(pk=ours.pk)))
            services.record_partner_approval(ours, current, actor=None)
        made += 1
    return made


LAW_PROGRAMMES = "LLB Law and French Law\nLicence Droit parcours droit anglais"


def _other_kinds(home: Institution, units: dict[str, OrganisationalUnit]) -> int:
    """The joint and double degrees, co-tutelles and research partnerships of the Erasmus Policy Statement."""
    cardiff, _created = Institution.objects.update_or_create(
        schac_code="cardiff.ac.uk",
        defaults={
            "name": "Cardiff University",
            "names": {"en": "Cardiff University", "cy": "Prifysgol Caerdydd"},
            "country": "GB",
            "city": "Cardiff",
            "website": "https://www.cardiff.ac.uk",
        },
    )
    partners = {i.erasmus_code: i for i in Institution.objects.filter(
        erasmus_code__in=["HU BUDAPES01", "I  BOLOGNA01", "P  LISBOA109", "D  BERLIN01", "B  LEUVEN01"]
    )}  # fmt: skip
    rows = [
        (cardiff, "double-degree", "DROIT", "Double licence Droit français – LLB English Law", LAW_PROGRAMMES,
         date(2019, 9, 1), date(2027, 4, 30), []),
        (partners.get("HU BUDAPES01"), "double-degree", "LETTRES", "Co-diplôme master Lettres – ELTE",
         "Master Lettres, langues\nMA Comparative Literature", date(2021, 9, 1), date(2029, 8, 31), []),
        (partners.get("I  BOLOGNA01"), "joint-degree", "HISTGEO", "Erasmus Mundus Joint Master in Cultural Heritage",
         "EMJM Cultural Heritage Studies", date(2023, 9, 1), date(2029, 8, 31),
         [p for code, p in partners.items() if code in ("P  LISBOA109", "B  LEUVEN01")]),
        (partners.get("D  BERLIN01"), "cotutelle", "SCIENCES", "Co-tutelle PhD in computational chemistry", "",
         date(2024, 10, 1), date(2027, 9, 30), []),
        (partners.get("B  LEUVEN01"), "research", "MEDECINE", "Research partnership in neurosciences", "",
         date(2022, 1, 1), date(2026, 12, 31), []),
    ]  # fmt: skip
    made = 0
    for partner, kind, unit, title, programmes, start, end, others in rows:
        if partner is None:
            continue
        services.create_agreement(
            home,
            AgreementInput(
                partner=partner,
                code=f"{kind.upper()}/{start.year}/{made + 1:02d}",
                kind=kind,
                ounit=units.get(unit),
                title=title,
                programmes=programmes,
                start_date=start,
                end_date=end,
                additional_partners=others,
            ),
            actor=None,
        )
        made += 1
    return made


@transaction.atomic
def load_agreements(home: Institution, members: list[Institution]) -> int:
    """Replace the demo agreements of `home` (and of the hosted members' copies with it); returns how many."""
    Agreement.objects.filter(institution=home).delete()
    Agreement.objects.filter(institution__in=members, partner=home).delete()
    units = {u.code: u for u in OrganisationalUnit.objects.filter(institution=home)}
    made = _alliance_agreements(home, members, units) + _other_kinds(home, units)
    for index, (partner, unit, areas) in enumerate(_plan(home, {m.pk for m in members})):
        first = ("2021/2022", "2022/2023", "2023/2024")[index % 3]
        last = "2026/2027" if index % 17 == 5 else "2028/2029"
        agreement = services.create_agreement(
            home,
            AgreementInput(
                partner=partner,
                code=f"{first[:4]}/E+/UPJV/{index + 1:04d}",
                ounit=units.get(unit),
                conditions=_conditions(partner, areas, first, last, staff=index % 3 == 0),
            ),
            actor=None,
        )
        _settle(agreement, STATUS_CYCLE[index % len(STATUS_CYCLE)])
        made += 1
    return made
