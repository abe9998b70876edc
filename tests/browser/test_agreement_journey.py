"""An officer's agreement journey in a real browser: create an Erasmus+ agreement, fix a mistake, share it."""

import pytest

from mobilitas.institutions.models import Role
from tests.browser.test_journey import CHROMIUM, browser_page  # noqa: F401 - the fixture is shared
from tests.factories import make_hosted_institution, make_institution, make_member

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def agreement_data(transactional_db) -> None:  # type: ignore[no-untyped-def]
    home = make_hosted_institution(
        "upjv", name="UNIVERSITE DE PICARDIE JULES VERNE", erasmus_code="F  AMIENS01", schac_code="u-picardie.fr"
    )
    make_member("officer@upjv.test", home, Role.OFFICER, password="a-long-demo-password")
    make_institution(
        name="UNIVERSIDAD DE OVIEDO", country="ES", city="OVIEDO", erasmus_code="E  OVIEDO01", schac_code="uniovi.es"
    )


def test_an_officer_creates_corrects_and_shares_an_agreement(live_server, agreement_data, browser_page):  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/upjv/agreements/")
    page.locator("input[name=username]").fill("officer@upjv.test")
    page.locator("input[name=password]").fill("a-long-demo-password")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/upjv/agreements/")

    page.get_by_role("link", name="New agreement").click()
    page.locator("input[name=partner]").fill("E  OVIEDO01")
    page.locator("select[name=conditions-0-kind]").select_option("student-studies")
    page.locator("input[name=conditions-0-first_year]").fill("2026/2027")
    page.locator("input[name=conditions-0-last_year]").fill("2028/2029")
    page.locator("input[name=conditions-0-mobilities_per_year]").fill("2")
    page.locator("input[name=conditions-0-total_months_per_year]").fill("10")
    page.locator("[name=conditions-0-subject_areas]").fill("613 Software")  # a v6-style three-digit code
    page.locator("[name=conditions-0-language_skills]").fill("es B1")
    page.get_by_role("button", name="Create the agreement").click()

    # The rule is explained next to the field and nothing was saved; the user corrects it.
    expect(page.locator("body")).to_contain_text("must have exactly four digits")
    page.locator("[name=conditions-0-subject_areas]").fill("0613 Software")
    page.get_by_role("button", name="Create the agreement").click()

    page.wait_for_url("**/upjv/agreements/*-*/")
    expect(page.locator("h1")).to_contain_text("UNIVERSIDAD DE OVIEDO")
    expect(page.locator("body")).to_contain_text("0613")
    page.get_by_role("button", name="Share with the partner").click()
    expect(page.locator("body")).to_contain_text("Shared with partner")
    assert len(page.locator(".hash").first.inner_text().strip()) == 64
