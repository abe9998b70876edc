"""A user's first journey in a real browser: Debian's chromium driven by Playwright."""

import os
import shutil

import pytest

from mobilitas.institutions.models import Role
from tests.factories import make_hosted_institution, make_institution, make_member

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def browser_page(live_server):  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    # Playwright runs an event loop in this thread; the live server's database access is in others.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(locale="en-GB")
        page.set_default_timeout(10_000)
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def journey_data(transactional_db) -> None:  # type: ignore[no-untyped-def]
    # Created before Playwright starts: its event loop would give the test's queries a connection of their own.
    home = make_hosted_institution("upjv", name="UNIVERSITE DE PICARDIE JULES VERNE", erasmus_code="F  AMIENS01")
    make_member("officer@upjv.test", home, Role.OFFICER, password="a-long-demo-password")
    make_institution(
        name="UNIVERSIDAD DE OVIEDO", country="ES", city="OVIEDO", erasmus_code="E  OVIEDO01", schac_code="uniovi.es"
    )
    make_institution(name="UNIVERSITE DE ROUEN NORMANDIE", country="FR", city="ROUEN", erasmus_code="F  ROUEN01")


def test_it_logs_in_searches_the_directory_switches_language_and_opens_an_institution(
    live_server, journey_data, browser_page
):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page

    page.goto(f"{live_server.url}/")
    page.locator("input[name=username]").fill("officer@upjv.test")
    page.locator("input[name=password]").fill("a-long-demo-password")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/upjv/")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Partner directory").click()
    page.wait_for_url("**/upjv/directory/**")
    page.get_by_role("searchbox").fill("oviedo")
    page.get_by_role("searchbox").press("Enter")
    # The unfiltered list already shows Oviedo: wait for the search's answer to replace it.
    page.wait_for_url("**q=oviedo**")
    results = page.locator("#results")
    expect(results).not_to_contain_text("ROUEN")
    expect(results).to_contain_text("UNIVERSIDAD DE OVIEDO")

    page.locator("#lang-select").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert (
        page.get_by_role("navigation", name="Principale")
        .get_by_role("link", name="Annuaire des partenaires")
        .is_visible()
    )

    page.get_by_role("link", name="UNIVERSIDAD DE OVIEDO").click()
    page.wait_for_url("**/upjv/directory/*/")
    assert "E  OVIEDO01" in page.locator("main").inner_text() or "E OVIEDO01" in page.locator("main").inner_text()
    assert "uniovi.es" in page.locator("main").inner_text()
