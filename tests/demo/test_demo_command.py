from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from mobilitas.accounts.models import User
from mobilitas.agreements import diff, snapshot
from mobilitas.agreements.models import Agreement, CooperationCondition
from mobilitas.applications.models import AllocationRun, Application, Call, CallDestination, Offer
from mobilitas.catalogue.models import Course, CrossEnrolment, JointProgramme, Pathway, PathwayEnrolment
from mobilitas.demo.foundation import USERS
from mobilitas.institutions.models import Alliance, AllianceMember, Contact, Institution, Membership, OrganisationalUnit
from mobilitas.mobilities.models import Mobility

COUNTED = [
    Institution, OrganisationalUnit, Alliance, AllianceMember, Membership, Contact, User, Agreement,
    CooperationCondition, Course, CrossEnrolment, Pathway, PathwayEnrolment, JointProgramme, Call, CallDestination,
    Application, AllocationRun,
]  # fmt: skip
# Equal scores are ordered by a draw over the applications' random public ids: a second load places a handful of
# tied applicants differently, so these counts are only close, never doubled.
DRAWN = [Offer, Mobility]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.mark.slow
@pytest.mark.django_db
def test_it_loads_the_demo_and_a_second_run_duplicates_nothing() -> None:
    out = StringIO()
    call_command("demo", stdout=out)
    first = _counts()
    drawn = {model: model.objects.count() for model in DRAWN}
    call_command("demo", stdout=StringIO())

    assert _counts() == first
    for model, count in drawn.items():
        assert abs(model.objects.count() - count) <= count // 20, model
    # The ECHE list, plus Cardiff University: the UK left Erasmus+ but the double licence goes on.
    assert first["Institution"] == 5911
    assert "officer@upjv.demo" in out.getvalue()

    home = Institution.objects.get(erasmus_code="F  AMIENS01")
    assert home.hosted and home.slug == "upjv"
    assert home.ounits.filter(code="DROIT").exists()
    ingenium = Alliance.objects.get(slug="ingenium")
    assert ingenium.members.count() == 10
    assert ingenium.coordinator.erasmus_code == "E  OVIEDO01"
    assert set(ingenium.members.values_list("country", flat=True)) == {
        "ES", "BG", "GR", "DE", "FI", "IT", "SE", "IE", "FR", "RO"
    }  # fmt: skip

    for person in USERS:
        user = authenticate(username=person.email, password="demo")
        assert user is not None, person.email
        assert user.memberships.filter(role=person.role, institution__erasmus_code=person.institution_code).exists()
    assert Membership.objects.get(user__email="officer@uniovi.demo").institution.slug == "uniovi"

    agreements = Agreement.objects.filter(institution=home)
    assert 255 <= agreements.count() <= 275
    assert set(agreements.values_list("status", flat=True)) == set(Agreement.Status.values)
    assert {"erasmus", "double-degree", "joint-degree", "network"} <= set(agreements.values_list("kind", flat=True))
    oviedo = agreements.get(partner__erasmus_code="E  OVIEDO01")
    ours = snapshot.agreement_to_data(oviedo)
    theirs = snapshot.from_json(oviedo.partner_copies.get().data)
    (difference,) = [d for d in diff.compare_copies(ours, theirs) if d.blocks_approval]
    assert (difference.what, difference.left, difference.right) == ("total months per year", "10", "9")
    # Oviedo keeps its own copy of the same agreement, pointing at ours.
    assert Agreement.objects.get(institution__slug="uniovi", partner=home).partner_iia_id == str(oviedo.public_id)

    courses = Course.objects.filter(institution__alliance_memberships__alliance=ingenium)
    assert courses.count() >= 3000
    assert courses.filter(shared=True).count() >= 100
    assert set(CrossEnrolment.objects.values_list("status", flat=True)) == set(CrossEnrolment.Status.values)
    assert Pathway.objects.filter(alliance=ingenium, status="published").count() >= 4
    assert {"applied", "accepted", "refused", "completed"} <= set(
        PathwayEnrolment.objects.values_list("status", flat=True)
    )
    assert JointProgramme.objects.filter(erasmus_mundus=True, institution=home).exists()
    assert JointProgramme.objects.filter(kind="double", partners__schac_code="cardiff.ac.uk").exists()

    calls = Call.objects.filter(institution=home)
    assert set(calls.values_list("status", flat=True)) == {"draft", "published", "results-published"}
    decided = calls.get(status="results-published")
    open_call = calls.get(title="Erasmus+ studies 2027/2028")
    assert open_call.is_open() and open_call.destinations.count() > 100
    # A few hundred fictitious applicants, with every kind of application and answer.
    assert Application.objects.filter(institution=home).values("student").distinct().count() >= 200
    assert set(Application.objects.filter(call=decided).values_list("status", flat=True)) == set(
        Application.Status.values
    )
    assert {"submitted", "draft"} <= set(Application.objects.filter(call=open_call).values_list("status", flat=True))
    assert decided.runs.count() == 2 and decided.runs.filter(published_at__isnull=False).count() == 1
    assert {"offered", "accepted", "declined"} <= set(
        Offer.objects.filter(run__call=decided).values_list("status", flat=True)
    )
    assert Offer.objects.filter(run__call=decided, from_waiting_list=True).exists()
    assert (
        Mobility.objects.filter(institution=home, status="nominated").count()
        == Offer.objects.filter(run__call=decided, status="accepted").count()
    )
    # The demo student has a place to answer in the decided call and a draft in the open one.
    sam = Application.objects.filter(student__email="student@upjv.demo")
    assert sam.get(call=decided).offers.get().status == "offered"
    assert sam.get(call=open_call).status == "draft"
