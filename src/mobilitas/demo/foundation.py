"""The foundation of the demo data set: the directory, the home university, alliances and demo users.

Everything here is idempotent: running it again updates rows in place and never duplicates them.
Institutions are real (the EC's list of ECHE holders); people are obviously fictional demo accounts.
"""

from dataclasses import dataclass

from django.db import transaction

from mobilitas import audit
from mobilitas.accounts.models import User
from mobilitas.institutions.models import (
    Alliance,
    AllianceMember,
    Contact,
    Institution,
    Membership,
    OrganisationalUnit,
    Role,
)

DEMO_PASSWORD = "demo"  # noqa: S105 - the published password of the demo accounts, created only by `mobilitas demo`

HOME_CODE = "F  AMIENS01"

# (Erasmus code, slug, {lang: name}) of the hosted institutions.
HOSTED = [
    (HOME_CODE, "upjv", {"fr": "Université de Picardie Jules Verne", "en": "University of Picardie Jules Verne"}),
    (
        "E  OVIEDO01",
        "uniovi",
        {"es": "Universidad de Oviedo", "en": "University of Oviedo", "fr": "Université d'Oviedo"},
    ),
    (
        "BG SOFIA11",
        "mu-sofia",
        {
            "bg": "Медицински университет – София",
            "en": "Medical University of Sofia",
            "fr": "Université de médecine de Sofia",
        },
    ),
    ("G  KRITIS01", "uoc", {"el": "Πανεπιστήμιο Κρήτης", "en": "University of Crete", "fr": "Université de Crète"}),
    (
        "D  KARLSRU05",
        "h-ka",
        {
            "de": "Hochschule Karlsruhe",
            "en": "Karlsruhe University of Applied Sciences",
            "fr": "Université de sciences appliquées de Karlsruhe",
        },
    ),
    (
        "SF MIKKELI07",
        "xamk",
        {
            "fi": "Kaakkois-Suomen ammattikorkeakoulu",
            "en": "South-Eastern Finland University of Applied Sciences",
            "fr": "Université des sciences appliquées du Sud-Est de la Finlande",
        },
    ),
    (
        "I  CHIETI01",
        "unich",
        {
            "it": "Università degli Studi «Gabriele d'Annunzio» Chieti-Pescara",
            "en": "University «G. d'Annunzio» of Chieti-Pescara",
            "fr": "Université « Gabriele d'Annunzio » de Chieti-Pescara",
        },
    ),
    ("S  SKOVDE01", "his", {"sv": "Högskolan i Skövde", "en": "University of Skövde", "fr": "Université de Skövde"}),
    ("IRLMUNST01", "mtu", {"en": "Munster Technological University", "fr": "Université technologique de Munster"}),
    ("F  ROUEN01", "univ-rouen", {"fr": "Université de Rouen Normandie", "en": "University of Rouen Normandy"}),
    (
        "RO IASI05",
        "tuiasi",
        {
            "ro": "Universitatea Tehnică „Gheorghe Asachi” din Iași",
            "en": "Gheorghe Asachi Technical University of Iași",
            "fr": "Université technique Gheorghe Asachi de Iași",
        },
    ),
]

# The ten members of INGENIUM as the alliance lists them; the University of Oviedo coordinates it.
INGENIUM = [code for code, _slug, _names in HOSTED[1:]]
# A2U, the regional alliance the home university belongs to (its Erasmus Policy Statement names it).
A2U = [HOME_CODE, "F  ARRAS12", "F  DUNKERQ09"]

# An organisational unit: (code, name in the local language, name in English, code of the parent unit).
UnitRow = tuple[str, str, str, str | None]

# The home university's faculties and schools (UFR, institutes), with a few departments.
UPJV_UNITS: list[UnitRow] = [
    ("DROIT", "UFR de Droit et de Science politique", "Faculty of Law and Political Science", None),
    ("SCIENCES", "UFR des Sciences", "Faculty of Science", None),
    ("SCI-INFO", "Département d'informatique", "Department of Computer Science", "SCIENCES"),
    ("SCI-CHIMIE", "Département de chimie", "Department of Chemistry", "SCIENCES"),
    ("MEDECINE", "UFR de Médecine", "Faculty of Medicine", None),
    ("PHARMACIE", "UFR de Pharmacie", "Faculty of Pharmacy", None),
    ("LETTRES", "UFR des Lettres", "Faculty of Letters", None),
    ("LANGUES", "UFR de Langues et cultures étrangères", "Faculty of Foreign Languages and Cultures", None),
    (
        "SHSP",
        "UFR des Sciences humaines, sociales et philosophie",
        "Faculty of Human and Social Sciences and Philosophy",
        None,
    ),
    ("HISTGEO", "UFR d'Histoire et de géographie", "Faculty of History and Geography", None),
    ("ARTS", "UFR des Arts", "Faculty of Arts", None),
    ("ECOGESTION", "UFR d'Économie et de gestion", "Faculty of Economics and Management", None),
    ("STAPS", "UFR des Sciences et techniques des activités physiques et sportives", "Faculty of Sport Sciences", None),
    ("IUT-AMIENS", "IUT d'Amiens", "Amiens Institute of Technology", None),
    ("INSPE", "INSPÉ de l'académie d'Amiens", "Teacher Training School", None),
    ("IAE", "IAE Amiens", "Amiens School of Management", None),
    ("DRI", "Direction des relations internationales", "International Relations Office", None),
]

UNIOVI_UNITS: list[UnitRow] = [
    ("DERECHO", "Facultad de Derecho", "Faculty of Law", None),
    ("CIENCIAS", "Facultad de Ciencias", "Faculty of Science", None),
    ("EPI-GIJON", "Escuela Politécnica de Ingeniería de Gijón", "Gijón Polytechnic School of Engineering", None),
    ("MEDICINA", "Facultad de Medicina y Ciencias de la Salud", "Faculty of Medicine and Health Sciences", None),
    ("ECONOMIA", "Facultad de Economía y Empresa", "Faculty of Economics and Business", None),
    ("ORI", "Oficina de Relaciones Internacionales", "International Relations Office", None),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    institution_code: str
    role: str
    unit: str | None = None


USERS = [
    DemoUser("officer@upjv.demo", "Olivia Demo-Officer", HOME_CODE, Role.OFFICER, "DRI"),
    DemoUser("coordinator@upjv.demo", "Côme Demo-Coordinator", HOME_CODE, Role.COORDINATOR, "SCIENCES"),
    DemoUser("student@upjv.demo", "Sam Demo-Student", HOME_CODE, Role.STUDENT, "DROIT"),
    DemoUser("staff@upjv.demo", "Stella Demo-Staff", HOME_CODE, Role.STAFF, "LANGUES"),
    DemoUser("hr@upjv.demo", "Hugo Demo-HR", HOME_CODE, Role.HR),
    DemoUser("leader@upjv.demo", "Léa Demo-Leader", HOME_CODE, Role.LEADERSHIP),
    DemoUser("admin@upjv.demo", "Adam Demo-Admin", HOME_CODE, Role.ADMIN),
    DemoUser("alliance@ingenium.demo", "Alba Demo-Alliance", "E  OVIEDO01", Role.ALLIANCE_OFFICE),
    DemoUser("officer@uniovi.demo", "Óscar Demo-Officer", "E  OVIEDO01", Role.OFFICER, "ORI"),
]

# Contacts the home university keeps at partners (fictional people, real institutions).
CONTACTS = [
    ("E  OVIEDO01", "Demo Contact (Oviedo)", "Erasmus+ institutional coordinator", "erasmus@uniovi.demo"),
    ("HU BUDAPES01", "Demo Contact (Budapest)", "Incoming students office", "incoming@elte.demo"),
    ("F  ROUEN01", "Demo Contact (Rouen)", "INGENIUM office", "ingenium@univ-rouen.demo"),
]


class DemoError(Exception):
    pass


def _by_code(code: str) -> Institution:
    try:
        return Institution.objects.get(erasmus_code=code)
    except Institution.DoesNotExist:
        raise DemoError(f"{code!r} is not in the directory: import the ECHE list first") from None


@transaction.atomic
def load_foundation() -> list[DemoUser]:
    """Hosted institutions, units, alliances, demo users and contacts. Returns the demo logins."""
    hosted = {}
    for code, slug, names in HOSTED:
        institution = _by_code(code)
        institution.hosted, institution.slug, institution.names = True, slug, names
        institution.save()
        hosted[code] = institution

    units = {
        HOME_CODE: _load_units(hosted[HOME_CODE], UPJV_UNITS),
        "E  OVIEDO01": _load_units(hosted["E  OVIEDO01"], UNIOVI_UNITS),
    }

    _load_alliance(
        "ingenium",
        "INGENIUM",
        INGENIUM,
        coordinator="E  OVIEDO01",
        website="https://ingenium-university.eu/",
        description=(
            "European university alliance of ten universities, funded under the European Universities "
            "initiative until 2028."
        ),
    )
    _load_alliance(
        "a2u",
        "A2U",
        A2U,
        coordinator=HOME_CODE,
        website="",
        description=(
            "Regional alliance of the universities of Picardie Jules Verne, Artois and the Littoral Côte d'Opale."
        ),
    )

    for person in USERS:
        user, _ = User.objects.update_or_create(email=person.email, defaults={"full_name": person.full_name})
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        unit = units.get(person.institution_code, {}).get(person.unit) if person.unit else None
        Membership.objects.update_or_create(
            user=user, institution=hosted[person.institution_code], role=person.role, defaults={"ounit": unit}
        )

    home = hosted[HOME_CODE]
    for code, name, role, email in CONTACTS:
        Contact.objects.update_or_create(
            institution=home, partner=_by_code(code), name=name, defaults={"role": role, "email": email}
        )
    audit.record("demo.loaded", institution=home, data={"users": len(USERS), "hosted": len(HOSTED)})
    return USERS


def _load_units(institution: Institution, rows: list[UnitRow]) -> dict[str, OrganisationalUnit]:
    units: dict[str, OrganisationalUnit] = {}
    for code, name, english, parent in rows:
        kind = OrganisationalUnit.Kind.DEPARTMENT if parent else OrganisationalUnit.Kind.FACULTY
        if code in ("DRI", "ORI"):
            kind = OrganisationalUnit.Kind.OFFICE
        local_lang = "fr" if institution.country == "FR" else "es"
        units[code], _ = OrganisationalUnit.objects.update_or_create(
            institution=institution,
            code=code,
            defaults={
                "name": name,
                "names": {local_lang: name, "en": english},
                "kind": kind,
                "parent": units[parent] if parent else None,
            },
        )
    return units


def _load_alliance(
    slug: str, name: str, codes: list[str], *, coordinator: str, website: str, description: str
) -> Alliance:
    alliance, _ = Alliance.objects.update_or_create(
        slug=slug,
        defaults={"name": name, "coordinator": _by_code(coordinator), "website": website, "description": description},
    )
    for code in codes:
        AllianceMember.objects.get_or_create(alliance=alliance, institution=_by_code(code))
    return alliance
