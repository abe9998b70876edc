"""`mobilitas ewp iia-hash FILE.xml`: one line per iia, MISMATCH when the served hash differs, exit 0/1/2."""

import os
import subprocess
import sys
from dataclasses import replace
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from mobilitas.agreements.ewp.iia_xml import IIAS_V7_NAMESPACE, build_get_response, hash_iia_data
from mobilitas.agreements.iia_data import ConditionData, IiaData, LanguageSkillData, PartnerData

XSLT_KIT_HASH = "87b33170d7a6c6d894215641f39e7b7de36501265479e5ab3922f32d5b225033"
EXAMPLE_HASH = "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"
XSLT_KIT_ID = "0f7a5682-faf7-49a7-9cc7-ec486c49a281"
TEST_FILES = "ewp-registry-service/src/test/resources/test-files"


def ewp_file(relative: str) -> Path:
    path = Path(settings.MOBILITAS_EWP_SCHEMAS) / relative
    if not path.is_file():
        pytest.skip(f"EWP fixture {relative} is not under MOBILITAS_EWP_SCHEMAS ({settings.MOBILITAS_EWP_SCHEMAS})")
    return path


def agreement(iia_id: str) -> IiaData:
    return IiaData(
        partners=(PartnerData("u-picardie.fr", iia_id=iia_id, iia_code=iia_id), PartnerData("uni-example.de")),
        in_effect=True,
        conditions=(
            ConditionData(
                kind="staff-teacher",
                sending_hei_id="u-picardie.fr",
                receiving_hei_id="uni-example.de",
                first_year="2026/2027",
                last_year="2027/2028",
                mobilities_per_year="2",
                language_skills=(LanguageSkillData("en", "B2"),),
            ),
        ),
    )


def run(path: Path | str) -> tuple[str, int]:
    """The command's stdout and exit status, in process."""
    out = StringIO()
    try:
        call_command("ewp", "iia-hash", str(path), stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


@pytest.mark.parametrize(
    ("relative", "line"),
    [
        ("ewp-specs-api-iias/resources/xsltKit/get-response-v7.xml", f"{XSLT_KIT_ID} {XSLT_KIT_HASH}"),
        (f"{TEST_FILES}/iia/get-response-xsltkit-v7.xml", f"{XSLT_KIT_ID} {XSLT_KIT_HASH}"),
        ("ewp-specs-api-iias/endpoints/get-response-example.xml", f"{XSLT_KIT_ID} {EXAMPLE_HASH}"),
        (f"{TEST_FILES}/iia/get-response-example-v7.xml", f"{XSLT_KIT_ID} {EXAMPLE_HASH}"),
        (
            f"{TEST_FILES}/latest-examples/ewp-specs-api-iias-endpoints-get-response-example.xml",
            f"{XSLT_KIT_ID} {EXAMPLE_HASH}",
        ),
        # v6 snapshots serve a conditions-hash only: the hash is printed, nothing is compared.
        ("ewp-specs-api-iias/resources/xsltKit/get-response-v6.xml", f"{XSLT_KIT_ID} {XSLT_KIT_HASH}"),
        (f"{TEST_FILES}/iia/get-response-example-v6.xml", f"{XSLT_KIT_ID} {EXAMPLE_HASH}"),
    ],
)
def test_a_matching_fixture_prints_its_hash_and_exits_0(relative: str, line: str) -> None:
    assert run(ewp_file(relative)) == (f"{line}\n", 0)


def test_the_wrong_hash_fixture_reports_a_mismatch_and_exits_1() -> None:
    output, status = run(ewp_file(f"{TEST_FILES}/iia/get-response-wrong-hash-v7.xml"))
    assert output == f"{XSLT_KIT_ID} {XSLT_KIT_HASH} MISMATCH served={XSLT_KIT_HASH[:-1]}2\n"
    assert status == 1


def test_it_prints_one_line_per_iia_in_document_order(tmp_path: Path) -> None:
    first, second, third = agreement("IIA-1"), agreement("IIA-2"), agreement("IIA-3")
    document = build_get_response([first, second, third]).decode()
    wrong = "0" * 64
    document = document.replace(hash_iia_data(second).hash, wrong)
    path = tmp_path / "response.xml"
    path.write_text(document, encoding="utf-8")
    assert run(path) == (
        f"IIA-1 {hash_iia_data(first).hash}\n"
        f"IIA-2 {hash_iia_data(second).hash} MISMATCH served={wrong}\n"
        f"IIA-3 {hash_iia_data(third).hash}\n",
        1,
    )


def test_a_missing_first_iia_id_or_served_hash_shows_a_dash(tmp_path: Path) -> None:
    data = replace(agreement(""), partners=(PartnerData("u-picardie.fr"), PartnerData("uni-example.de")))
    document = build_get_response([data]).decode()
    hash_line = f"<iia-hash>{hash_iia_data(data).hash}</iia-hash>"
    path = tmp_path / "response.xml"
    path.write_text(document.replace(hash_line, ""), encoding="utf-8")
    assert run(path) == (f"- {hash_iia_data(data).hash} MISMATCH served=-\n", 1)


def test_it_accepts_documents_written_by_others(tmp_path: Path) -> None:
    """Other prefixes, comments and whitespace do not change the hash (fixture rewritten by hand)."""
    xml = ewp_file("ewp-specs-api-iias/resources/xsltKit/get-response-v7.xml").read_text(encoding="utf-8")
    xml = xml.replace("<", "<ia:").replace("<ia:/", "</ia:").replace("<ia:c:", "<c:").replace("</ia:c:", "</c:")
    xml = xml.replace("<ia:p:", "<p:").replace("</ia:p:", "</p:")
    xml = xml.replace(f'xmlns="{IIAS_V7_NAMESPACE}"', f'xmlns:ia="{IIAS_V7_NAMESPACE}"')
    xml = xml.replace("<ia:cooperation-conditions>", "<!-- conditions -->\n\n\t<ia:cooperation-conditions>")
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n<!-- from a partner -->\n' + xml
    path = tmp_path / "partner.xml"
    path.write_text(xml, encoding="utf-8")
    assert "<ia:iia>" in xml
    assert run(path) == (f"{XSLT_KIT_ID} {XSLT_KIT_HASH}\n", 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "No such file or directory"),
        ("<iias-get-response><iia>", "not well-formed XML"),
        ("<catalog/>", "expected <iias-get-response>"),
        ('<iias-get-response xmlns="urn:other"/>', "is in namespace urn:other; expected namespace"),
        (f'<iias-get-response xmlns="{IIAS_V7_NAMESPACE}"/>', "holds no iia element"),
    ],
)
def test_an_unreadable_file_exits_2_with_a_message(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "response.xml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("ewp", "iia-hash", str(path), stdout=StringIO())
    assert raised.value.returncode == 2
    assert message in str(raised.value)
    assert str(path) in str(raised.value)


def console(*args: str) -> subprocess.CompletedProcess[str]:
    """The real console script (`python -m mobilitas` is `mobilitas`), for exact exit statuses."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mobilitas.settings"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "mobilitas", "ewp", *args], capture_output=True, text=True, env=env, check=False
    )


def test_exit_statuses_from_the_command_line(tmp_path: Path) -> None:
    matching = console("iia-hash", str(ewp_file("ewp-specs-api-iias/endpoints/get-response-example.xml")))
    assert (matching.returncode, matching.stdout, matching.stderr) == (0, f"{XSLT_KIT_ID} {EXAMPLE_HASH}\n", "")

    mismatch = console("iia-hash", str(ewp_file(f"{TEST_FILES}/iia/get-response-wrong-hash-v7.xml")))
    assert mismatch.returncode == 1
    assert mismatch.stdout.endswith(f"MISMATCH served={XSLT_KIT_HASH[:-1]}2\n")
    assert "1 of 1 served iia-hash values differ" in mismatch.stderr

    missing = console("iia-hash", str(tmp_path / "absent.xml"))
    assert (missing.returncode, missing.stdout) == (2, "")
    assert "absent.xml: No such file or directory" in missing.stderr

    no_subcommand = console()
    assert no_subcommand.returncode == 2
    assert "SUBCOMMAND" in no_subcommand.stderr
