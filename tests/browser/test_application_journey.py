"""Calls in a real browser: a student applies (autosaved draft, eligibility, document, submission); an officer
scores, adjusts, allocates and publishes; the student accepts her place and the officer sends the nomination."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from django.core import mail
from django.utils import timezone

from mobilitas.applications.models import Call, RequiredDocument
from mobilitas.applications.services import applying, review
from mobilitas.institutions.models import Role
from tests.applications.factories import make_call, make_destination
from tests.browser.test_journey import CHROMIUM, browser_page  # noqa: F401 - the fixture is shared
from tests.factories import make_hosted_institution, make_institution, make_member, make_ounit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]

PASSWORD = "a-long-demo-password"
CALL_TITLE = "Erasmus+ studies 2027/2028"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def log_in(page: Any, url: str, email: str) -> None:
    """Open `url`, answer the login page it leads to, and come back to it."""
    page.goto(url)
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(url)


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def home_institution() -> Any:
    home = make_hosted_institution("upjv", name="UNIVERSITE DE PICARDIE JULES VERNE", erasmus_code="F  AMIENS01")
    science = make_ounit(home, "SCI", "Faculty of Science")
    return home, science


def partners() -> tuple[Any, Any, Any]:
    oviedo = make_institution(
        name="UNIVERSIDAD DE OVIEDO", country="ES", city="OVIEDO", erasmus_code="E  OVIEDO01", schac_code="uniovi.es"
    )
    bologna = make_institution(name="UNIVERSITA DI BOLOGNA", country="IT", city="BOLOGNA", erasmus_code="I  BOLOGNA01")
    tartu = make_institution(name="UNIVERSITY OF TARTU", country="EE", city="TARTU", erasmus_code="EE TARTU02")
    return oviedo, bologna, tartu


# Journey 1: a student applies


@pytest.fixture
def call_data(transactional_db, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Created before Playwright starts: its event loop would give the test's queries a connection of their own.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    home, science = home_institution()
    make_member("lea@upjv.test", home, Role.STUDENT, ounit=science, password=PASSWORD, full_name="Léa Martin")
    oviedo, bologna, tartu = partners()
    call = make_call(home, title=CALL_TITLE, max_choices=3)
    make_destination(call, oviedo, languages=[{"language": "es", "level": "C1"}])
    make_destination(call, bologna)
    make_destination(call, tartu)
    RequiredDocument.objects.create(call=call, position=0, name="Transcript of records")


def test_a_student_applies_with_an_autosaved_draft_a_document_and_one_submission(
    live_server,
    call_data,
    browser_page,  # noqa: F811 - the shared fixture
    tmp_path,
):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, f"{live_server.url}/upjv/calls/", "lea@upjv.test")

    page.get_by_role("link", name=CALL_TITLE).first.click()
    expect(page.locator("h1")).to_have_text(CALL_TITLE)
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_url("**/upjv/applications/*/edit/")
    edit_url = page.url

    # The destination asking for Spanish C1 is not offered, and the page says why.
    first_choice = page.get_by_label("1st choice")
    offered = first_choice.locator("option").all_inner_texts()
    assert any("BOLOGNA" in option for option in offered)
    assert any("TARTU" in option for option in offered)
    assert not any("OVIEDO" in option for option in offered)
    eligibility = page.locator("#eligibility")
    expect(eligibility).to_contain_text("UNIVERSIDAD DE OVIEDO")
    expect(eligibility).to_contain_text("Requires Spanish C1; you did not declare Spanish.")

    # The student fills the form and never presses "Save draft": the page saves as she goes.
    page.get_by_label("Study level").select_option("6")
    page.get_by_label("Programme").fill("Licence Informatique")
    page.get_by_label("Field of study (ISCED-F code)").fill("0613")
    page.get_by_label("Grade average").fill("14.5")
    page.get_by_label("Language 1", exact=True).select_option("en")
    page.get_by_label("Level in language 1").select_option("B2")
    page.get_by_label("Language 2", exact=True).select_option("es")
    page.get_by_label("Level in language 2").select_option("B2")
    first_choice.select_option(label="UNIVERSITA DI BOLOGNA (BOLOGNA)")
    page.get_by_label("2nd choice").select_option(label="UNIVERSITY OF TARTU (TARTU)")
    # Typing last (keyup): the answer to the save carrying the whole text is the draft's final state.
    motivation = "Software engineering in Bologna."
    with page.expect_response(
        lambda r: "/autosave/" in r.url and motivation in unquote_plus(r.request.post_data or "")
    ):
        page.get_by_role("textbox", name="Motivation").press_sequentially(motivation)

    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Draft saved at")
    expect(status).not_to_contain_text("except")
    # The eligibility panel follows what was saved: Spanish is now declared, at too low a level.
    expect(eligibility).to_contain_text("Requires Spanish C1; you declared B2.")

    # What autosave is for: the draft survives a reload.
    page.reload()
    expect(page.get_by_label("Study level")).to_have_value("6")
    expect(page.get_by_label("Programme")).to_have_value("Licence Informatique")
    expect(page.get_by_label("Field of study (ISCED-F code)")).to_have_value("0613")
    expect(page.get_by_label("Grade average")).to_have_value("14.5")
    expect(page.get_by_label("Language 1", exact=True)).to_have_value("en")
    expect(page.get_by_label("Level in language 1")).to_have_value("B2")
    expect(page.get_by_label("Language 2", exact=True)).to_have_value("es")
    expect(page.get_by_label("Level in language 2")).to_have_value("B2")
    expect(page.locator("select[name=choice_1] option:checked")).to_have_text("UNIVERSITA DI BOLOGNA (BOLOGNA)")
    expect(page.locator("select[name=choice_2] option:checked")).to_have_text("UNIVERSITY OF TARTU (TARTU)")
    expect(page.get_by_role("textbox", name="Motivation")).to_have_value(motivation)
    assert not any("OVIEDO" in option for option in page.get_by_label("3rd choice").locator("option").all_inner_texts())

    # The required document, then the submission.
    pdf = tmp_path / "transcript.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("File for “Transcript of records”").set_input_files(pdf)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".messages")).to_contain_text("“transcript.pdf” is uploaded.")
    expect(page.locator("#documents")).to_contain_text("transcript.pdf")

    page.get_by_role("button", name="Submit my application").click()
    page.wait_for_url("**/upjv/applications/*/")
    expect(page.locator(".messages")).to_contain_text("Your application is submitted.")
    facts = page.locator("section[aria-labelledby=status-heading]")
    expect(facts.locator("dt:text-is('Status') + dd")).to_have_text("Submitted")
    submitted_on = facts.locator("dt:has-text('Submitted on') + dd").inner_text()
    expect(page.locator("section[aria-labelledby=choices-heading] li")).to_have_text(
        ["UNIVERSITA DI BOLOGNA (BOLOGNA)", "UNIVERSITY OF TARTU (TARTU)"]
    )
    detail_url = page.url

    # The draft is no longer editable: its edit page leads back to the application.
    page.goto(edit_url)
    page.wait_for_url(detail_url)
    expect(page.get_by_role("button", name="Submit my application")).to_have_count(0)

    # A second submission (a double click, a resent form) is harmless: nothing changes.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    again = page.request.post(f"{detail_url}submit/", form={"csrfmiddlewaretoken": token})
    assert again.ok, again.status
    assert "already submitted" in again.text()
    page.reload()
    expect(facts.locator("dt:text-is('Status') + dd")).to_have_text("Submitted")
    assert facts.locator("dt:has-text('Submitted on') + dd").inner_text() == submitted_on
    expect(page.get_by_role("button", name="Withdraw my application")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["lea@upjv.test"]]  # one receipt


# Journey 2: an officer decides, the student accepts, the nomination goes out


def _apply(call: Call, student: Any, unit: Any, *, grade: str, choices: list[Any]) -> Any:
    """A complete application submitted through the services, as the pages make it."""
    application = applying.start_application(call, student=student, actor=student)
    problems = applying.save_draft(
        application,
        actor=student,
        data={
            "ounit": str(unit.public_id),
            "study_level": "6",
            "programme": "Licence Informatique",
            "isced_code": "0613",
            "grade_average": grade,
            "languages": [("en", "B2")],
            "motivation": "I want to study abroad.",
            "choices": [str(d.public_id) for d in choices],
        },
    )
    assert problems == []
    return applying.submit_application(application, actor=student)


@pytest.fixture
def decision_data(transactional_db, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    home, science = home_institution()
    officer = make_member("officer@upjv.test", home, Role.OFFICER, password=PASSWORD, full_name="Olivia Officer")
    lea = make_member("lea@upjv.test", home, Role.STUDENT, ounit=science, password=PASSWORD, full_name="Léa Martin")
    marc = make_member("marc@upjv.test", home, Role.STUDENT, ounit=science, full_name="Marc Dubois")
    oviedo, bologna, _tartu = partners()
    call = make_call(home, title=CALL_TITLE, max_choices=2)
    to_oviedo = make_destination(call, oviedo, places=1, months=Decimal(5))
    to_bologna = make_destination(call, bologna, places=1, months=Decimal(10))
    # Both want Oviedo first; Léa's grades are better, so she is ahead until the officer adjusts Marc's score.
    _apply(call, lea, science, grade="15", choices=[to_oviedo, to_bologna])
    marc_application = _apply(call, marc, science, grade="14", choices=[to_oviedo, to_bologna])
    review.score_application(marc_application, actor=officer, motivation_score="15", comment="Clear plan.")
    # The deadline has passed.
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(opens_at=now - timedelta(days=30), closes_at=now - timedelta(hours=1))


def test_an_officer_allocates_the_student_accepts_and_the_nomination_goes_out(
    live_server,
    decision_data,
    browser_page,  # noqa: F811 - the shared fixture
    tmp_path,
):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    page = browser_page
    messages = page.locator(".messages")

    # The officer scores Léa's motivation.
    log_in(page, f"{live_server.url}/upjv/calls/", "officer@upjv.test")
    page.get_by_role("link", name=CALL_TITLE).first.click()
    page.get_by_role("link", name="Review the applications").click()
    card = page.locator("li.card", has_text="Léa Martin")
    card.get_by_label("Motivation score (0 to 20)").fill("15")
    card.get_by_role("button", name="Save the score").click()
    expect(messages).to_contain_text("The score of Léa Martin is saved.")

    # On the ranking, Léa is first until the officer adjusts Marc's score, with the reason.
    page.get_by_role("link", name="Ranking").click()
    ranked = page.locator("section[aria-labelledby=ranked-heading] tbody tr")
    expect(ranked.first).to_contain_text("Léa Martin")
    row = ranked.filter(has_text="Marc Dubois")
    row.get_by_text("Adjust", exact=True).click()
    row.get_by_label("Adjustment (-20 to +20)").fill("2")
    row.get_by_label("Reason").fill("Excellent interview in Spanish")
    row.get_by_role("button", name="Save the adjustment").click()
    expect(messages).to_contain_text("The score of Marc Dubois is adjusted.")
    expect(ranked.first).to_contain_text("Marc Dubois")
    expect(ranked.first).to_contain_text("Excellent interview in Spanish")

    # The allocation runs with a given seed; the run is opened, then published.
    page.get_by_role("link", name="Allocation", exact=True).click()
    page.get_by_label("Seed (optional)").fill("2027")
    page.get_by_role("button", name="Run the allocation").click()
    page.wait_for_url("**/allocation/*/")
    expect(messages).to_contain_text("The allocation ran with seed 2027.")
    page.get_by_role("link", name="Back to the allocation").click()
    runs = page.locator("section[aria-labelledby=runs-heading] tbody tr")
    expect(runs).to_have_count(1)
    expect(runs).to_contain_text("2027")
    runs.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("run with seed 2027")
    # Each destination's entry (its admitted and waiting applicants): Marc won Oviedo, Léa has Bologna.
    placed = page.locator("section[aria-labelledby=destinations-heading]").locator("tr, article")
    expect(placed.filter(has_text="UNIVERSIDAD DE OVIEDO")).to_contain_text("Marc Dubois")
    expect(placed.filter(has_text="UNIVERSITA DI BOLOGNA")).to_contain_text("Léa Martin")
    expect(placed.filter(has_text="UNIVERSITA DI BOLOGNA")).not_to_contain_text("Marc Dubois")
    page.get_by_role("button", name="Publish the results").click()
    expect(messages).to_contain_text("The results are published")
    offers = page.locator("section[aria-labelledby=offers-heading] tbody tr")
    expect(offers).to_have_count(2)
    expect(page.get_by_role("button", name="Publish the results")).to_have_count(0)
    log_out(page)

    # Léa reads her result and why, and accepts her place.
    log_in(page, f"{live_server.url}/upjv/applications/", "lea@upjv.test")
    page.get_by_role("link", name=CALL_TITLE).click()
    page.get_by_role("link", name="See your result").click()
    expect(page.locator("h2").first).to_have_text("You are offered a place at UNIVERSITA DI BOLOGNA")
    why = page.locator("section[aria-labelledby=why-heading]")
    expect(why).to_contain_text("Your first choice, UNIVERSIDAD DE OVIEDO, was full")
    expect(why).to_contain_text("you are number 1 on its waiting list")
    expect(why).to_contain_text("You were admitted to your second choice, UNIVERSITA DI BOLOGNA.")
    expect(page.locator("main")).to_contain_text("You are on the waiting list of UNIVERSIDAD DE OVIEDO (position 1).")
    page.get_by_role("button", name="Accept the place at UNIVERSITA DI BOLOGNA").click()
    expect(messages).to_contain_text("You accepted your place at UNIVERSITA DI BOLOGNA.")
    expect(page.locator("h2").first).to_have_text("You accepted your place at UNIVERSITA DI BOLOGNA")
    log_out(page)

    # The officer finds her among the nominations to Bologna, and the partner's workbook downloads.
    log_in(page, f"{live_server.url}/upjv/", "officer@upjv.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Nominations").click()
    page.wait_for_url("**/upjv/mobilities/nominations/")
    expect(page.locator(".result-count")).to_contain_text("1 nomination")
    group = page.locator("section.card", has_text="UNIVERSITA DI BOLOGNA")
    expect(group).to_contain_text("Léa Martin")
    expect(page.locator("main")).not_to_contain_text("Marc Dubois")  # offered, not accepted yet
    link = group.get_by_role("link", name="XLSX for UNIVERSITA DI BOLOGNA")
    answer = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert answer.ok, answer.status
    assert answer.headers["content-type"] == XLSX_TYPE
    with page.expect_download() as download_info:
        link.click()
    saved = Path(tmp_path / "nominations.xlsx")
    download_info.value.save_as(saved)
    assert download_info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(saved).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert {"Martin", "Léa", "lea@upjv.test"} <= cells
