"""The native IIA hash against the published test vectors, then rule by rule on small documents of our own."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from mobilitas.agreements.ewp.iia_hash import HashResult, iia_hash, iia_hash_text, rules_version

V7 = "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd"
V6 = "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v6/endpoints/get-response.xsd"
CONTACT = "https://github.com/erasmus-without-paper/ewp-specs-types-contact/tree/stable-v1"

XSLT_KIT_HASH = "87b33170d7a6c6d894215641f39e7b7de36501265479e5ab3922f32d5b225033"
EXAMPLE_HASH = "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"
TEST_FILES = "ewp-registry-service/src/test/resources/test-files"
XSLT_KIT = "ewp-specs-api-iias/resources/xsltKit"

# (fixture relative to MOBILITAS_EWP_SCHEMAS, expected hash, valid for approval, hash the file serves)
V7_FIXTURES = [
    (f"{XSLT_KIT}/get-response-v7.xml", XSLT_KIT_HASH, False, XSLT_KIT_HASH),
    (f"{TEST_FILES}/iia/get-response-xsltkit-v7.xml", XSLT_KIT_HASH, False, XSLT_KIT_HASH),
    ("ewp-specs-api-iias/endpoints/get-response-example.xml", EXAMPLE_HASH, True, EXAMPLE_HASH),
    (f"{TEST_FILES}/iia/get-response-example-v7.xml", EXAMPLE_HASH, True, EXAMPLE_HASH),
    (
        f"{TEST_FILES}/latest-examples/ewp-specs-api-iias-endpoints-get-response-example.xml",
        EXAMPLE_HASH,
        True,
        EXAMPLE_HASH,
    ),
    (f"{TEST_FILES}/iia/get-response-wrong-hash-v7.xml", XSLT_KIT_HASH, False, XSLT_KIT_HASH[:-1] + "2"),
]
V6_FIXTURES = [
    (f"{XSLT_KIT}/get-response-v6.xml", XSLT_KIT_HASH),
    (f"{TEST_FILES}/iia/get-response-xsltkit-v6.xml", XSLT_KIT_HASH),
    (f"{TEST_FILES}/iia/get-response-example-v6.xml", EXAMPLE_HASH),
]

# The README's worked example (xsltKit/README.md), the text-to-hash of get-response-v7.xml (and -v6.xml).
README_TEXT = "".join(
    [
        "_iia-id_1=0f7a5682-faf7-49a7-9cc7-ec486c49a281_",
        "_iia-id_2=1954991_",
        "_cooperation-conditions.student-studies-mobility-spec.sending-hei-id=uw.edu.pl_",
        "_cooperation-conditions.student-studies-mobility-spec.sending-ounit-id=140_",
        "_cooperation-conditions.student-studies-mobility-spec.receiving-hei-id=hibo.no_",
        "_student-studies-mobility-spec.subject-area.isced-f-code=031_",
        "_student-studies-mobility-spec.subject-area.isced-clarification=Social and behavioural sciences_",
        "_cooperation-conditions.student-studies-mobility-spec.total-months-per-year=5_",
        "_cooperation-conditions.student-studies-mobility-spec.blended=false_",
        "_cooperation-conditions.student-studies-mobility-spec.eqf-level=7_",
        "_cooperation-conditions.student-studies-mobility-spec.eqf-level=8_",
        "_receiving-first-academic-year-id=2014/2015_",
        "_receiving-last-academic-year-id=2020/2021_",
        "_cooperation-conditions.staff-teacher-mobility-spec.sending-hei-id=uw.edu.pl_",
        "_cooperation-conditions.staff-teacher-mobility-spec.sending-ounit-id=140_",
        "_cooperation-conditions.staff-teacher-mobility-spec.receiving-hei-id=hibo.no_",
        "_cooperation-conditions.staff-teacher-mobility-spec.mobilities-per-year=2_",
        "_staff-teacher-mobility-spec.recommended-language-skill.language=en_",
        "_staff-teacher-mobility-spec.recommended-language-skill.cefr-level=C1_",
        "_staff-teacher-mobility-spec.subject-area.isced-f-code=0314_",
        "_cooperation-conditions.staff-teacher-mobility-spec.total-days-per-year=8_",
        "_receiving-first-academic-year-id=2016/2017_",
        "_receiving-last-academic-year-id=2017/2018_",
    ]
)


def ewp_file(relative: str) -> Path:
    path = Path(settings.MOBILITAS_EWP_SCHEMAS) / relative
    if not path.is_file():
        pytest.skip(f"EWP fixture {relative} is not under MOBILITAS_EWP_SCHEMAS ({settings.MOBILITAS_EWP_SCHEMAS})")
    return path


def iias_of(path: Path) -> list[etree._Element]:
    root = etree.parse(str(path)).getroot()
    return [child for child in root if isinstance(child.tag, str) and etree.QName(child).localname == "iia"]


def served_hash(iia: etree._Element) -> str:
    return "".join(iia.find("{*}iia-hash").itertext()).strip()


# Published test vectors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("relative", "expected", "valid", "served"), V7_FIXTURES)
def test_it_computes_the_published_hash_of_every_v7_fixture(
    relative: str, expected: str, valid: bool, served: str
) -> None:
    [iia] = iias_of(ewp_file(relative))
    result = iia_hash(iia)
    assert result.hash == expected
    assert result.valid_for_approval is valid
    assert served_hash(iia) == served


@pytest.mark.parametrize(("relative", "expected"), V6_FIXTURES)
def test_it_hashes_stored_v6_snapshots_with_the_v6_rules(relative: str, expected: str) -> None:
    [iia] = iias_of(ewp_file(relative))
    assert rules_version(iia) == 6
    assert iia_hash(iia) == HashResult(hash=expected, text=iia_hash(iia).text, valid_for_approval=True)


def test_its_text_to_hash_is_the_readme_worked_example_character_for_character() -> None:
    [iia] = iias_of(ewp_file(f"{XSLT_KIT}/get-response-v7.xml"))
    text = iia_hash_text(iia)
    assert len(README_TEXT) == 1480
    for position, (ours, theirs) in enumerate(zip(text, README_TEXT, strict=False)):
        assert ours == theirs, f"first difference at character {position}: {text[position - 40 : position + 40]!r}"
    assert text == README_TEXT


def test_the_embedded_worked_example_is_the_one_the_readme_prints() -> None:
    readme = ewp_file(f"{XSLT_KIT}/README.md").read_text(encoding="utf-8")
    assert re.findall(r"<text-to-hash>(.*?)</text-to-hash>", readme) == [README_TEXT, README_TEXT]


def test_an_unmodified_v6_agreement_gives_the_same_text_as_its_v7_form() -> None:
    [v6] = iias_of(ewp_file(f"{XSLT_KIT}/get-response-v6.xml"))
    assert iia_hash_text(v6) == README_TEXT


# Our own documents -----------------------------------------------------------------------------------------

SPEC = """
      <staff-teacher-mobility-spec>
        <sending-hei-id>a.example</sending-hei-id>
        <sending-contact><c:contact-name>Sending Officer</c:contact-name></sending-contact>
        <receiving-hei-id>b.example</receiving-hei-id>
        <receiving-contact><c:contact-name>Receiving Officer</c:contact-name></receiving-contact>
        <receiving-first-academic-year-id>2026/2027</receiving-first-academic-year-id>
        <receiving-last-academic-year-id>2027/2028</receiving-last-academic-year-id>
        <mobilities-per-year>2</mobilities-per-year>
        <recommended-language-skill>
          <language>en</language>
          <cefr-level>B2</cefr-level>
        </recommended-language-skill>
        <subject-area>
          <isced-f-code>0314</isced-f-code>
          <isced-clarification>Economics</isced-clarification>
        </subject-area>
        <total-days-per-year>5</total-days-per-year>
      </staff-teacher-mobility-spec>"""

SPEC_TEXT = (
    "_cooperation-conditions.staff-teacher-mobility-spec.sending-hei-id=a.example_"
    "_cooperation-conditions.staff-teacher-mobility-spec.receiving-hei-id=b.example_"
    "_cooperation-conditions.staff-teacher-mobility-spec.mobilities-per-year=2_"
    "_staff-teacher-mobility-spec.recommended-language-skill.language=en_"
    "_staff-teacher-mobility-spec.recommended-language-skill.cefr-level=B2_"
    "_staff-teacher-mobility-spec.subject-area.isced-f-code=0314_"
    "_staff-teacher-mobility-spec.subject-area.isced-clarification=Economics_"
    "_cooperation-conditions.staff-teacher-mobility-spec.total-days-per-year=5_"
    "_receiving-first-academic-year-id=2026/2027__receiving-last-academic-year-id=2027/2028_"
)
IDS_TEXT = "_iia-id_1=A-1__iia-id_2=B-1_"


def response(specs: str = SPEC, *, conditions_attributes: str = "", namespace: str = V7, count: int = 1) -> str:
    iia = f"""
  <iia>
    <partner><hei-id>a.example</hei-id><iia-id>A-1</iia-id><iia-code>A/2026</iia-code></partner>
    <partner><hei-id>b.example</hei-id><iia-id>B-1</iia-id></partner>
    <in-effect>true</in-effect>
    <cooperation-conditions{conditions_attributes}>{specs}
    </cooperation-conditions>
    <iia-hash>{"0" * 64}</iia-hash>
  </iia>"""
    return f'<iias-get-response xmlns="{namespace}" xmlns:c="{CONTACT}">{iia * count}\n</iias-get-response>'


def first_iia(xml: str) -> etree._Element:
    return iias_of_text(xml)[0]


def iias_of_text(xml: str) -> list[etree._Element]:
    return [child for child in etree.fromstring(xml.encode()) if isinstance(child.tag, str)]


def text_of(xml: str) -> str:
    return iia_hash_text(first_iia(xml))


def hash_of(xml: str) -> str:
    return iia_hash(first_iia(xml)).hash


def test_it_builds_the_text_the_readme_rules_describe() -> None:
    """Ids in partner order, leaves as grandparent.parent.element, no contacts, years last."""
    result = iia_hash(first_iia(response()))
    assert result.text == IDS_TEXT + SPEC_TEXT
    assert result.valid_for_approval
    assert re.fullmatch(r"[0-9a-f]{64}", result.hash)


def test_it_reads_local_names_whatever_the_prefix_or_namespace() -> None:
    prefixed = response().replace("<", "<i:").replace("<i:/", "</i:").replace("<i:c:", "<c:").replace("</i:c:", "</c:")
    prefixed = prefixed.replace('xmlns="', 'xmlns:i="')
    assert "<i:iia>" in prefixed
    without_namespace = response().replace(f' xmlns="{V7}"', "")
    assert text_of(prefixed) == text_of(without_namespace) == IDS_TEXT + SPEC_TEXT


def test_comments_and_extra_whitespace_between_elements_change_nothing() -> None:
    noisy = response().replace("<mobilities-per-year>", "<!-- agreed in May -->\n\n   <mobilities-per-year>")
    noisy = noisy.replace("<language>en</language>", "<language>e<!-- sic -->n</language><?pi ignored?>")
    assert text_of(noisy) == IDS_TEXT + SPEC_TEXT


def test_cdata_counts_as_text() -> None:
    assert hash_of(response().replace("Economics", "<![CDATA[Economics]]>")) == hash_of(response())


def test_whitespace_inside_a_value_is_kept_raw() -> None:
    spaced = response().replace(">Economics<", ">  Economics\n   and finance <")
    assert "isced-clarification=  Economics\n   and finance _" in text_of(spaced)
    assert hash_of(spaced) != hash_of(response().replace(">Economics<", ">Economics and finance<"))


def test_decimals_are_hashed_as_written() -> None:
    written = response().replace("<total-days-per-year>5<", "<total-days-per-year>5.0<")
    assert "total-days-per-year=5.0_" in text_of(written)
    assert hash_of(written) != hash_of(response())


def test_the_order_of_conditions_changes_the_hash() -> None:
    other = SPEC.replace("<mobilities-per-year>2<", "<mobilities-per-year>3<")
    assert hash_of(response(SPEC + other)) != hash_of(response(other + SPEC))


def test_the_order_of_elements_inside_a_condition_changes_the_hash() -> None:
    skill_en = "<recommended-language-skill><language>en</language></recommended-language-skill>"
    skill_fr = "<recommended-language-skill><language>fr</language></recommended-language-skill>"
    base = response(SPEC.replace("<subject-area>", skill_en + skill_fr + "<subject-area>"))
    swapped = response(SPEC.replace("<subject-area>", skill_fr + skill_en + "<subject-area>"))
    assert hash_of(base) != hash_of(swapped)


def test_academic_years_come_last_whatever_their_place() -> None:
    years = (
        "<receiving-first-academic-year-id>2026/2027</receiving-first-academic-year-id>"
        "<receiving-last-academic-year-id>2027/2028</receiving-last-academic-year-id>"
    )
    moved = SPEC.replace(years.replace("><", ">\n        <"), "").replace("</staff-teacher", years + "</staff-teacher")
    assert moved != SPEC
    assert text_of(response(moved)) == IDS_TEXT + SPEC_TEXT


def test_a_missing_iia_id_gives_an_empty_value() -> None:
    assert text_of(response().replace("<iia-id>B-1</iia-id>", "")).startswith("_iia-id_1=A-1__iia-id_2=_")


@pytest.mark.parametrize("value", ["true", "1"])
def test_terminated_as_a_whole_prefixes_the_text(value: str) -> None:
    terminated = response(conditions_attributes=f' terminated-as-a-whole="{value}"')
    assert text_of(terminated) == "_@terminated-as-a-whole@_" + IDS_TEXT + SPEC_TEXT
    assert hash_of(terminated) != hash_of(response())


@pytest.mark.parametrize("value", ["false", "0", " true", "TRUE"])
def test_terminated_as_a_whole_counts_only_for_exactly_true_or_1(value: str) -> None:
    assert text_of(response(conditions_attributes=f' terminated-as-a-whole="{value}"')) == IDS_TEXT + SPEC_TEXT


def test_each_iia_is_hashed_as_if_it_were_alone_in_the_response() -> None:
    """The stylesheet would prefix both (document-wide lookup); we hash each IIA on its own."""
    both = iias_of_text(response(count=2))
    conditions = both[0].find("{*}cooperation-conditions")
    conditions.set("terminated-as-a-whole", "true")
    both[0].find(".//{*}isced-f-code").set("v6-value", "031")
    assert iia_hash_text(both[0]).startswith("_@terminated-as-a-whole@_")
    assert not iia_hash(both[0]).valid_for_approval
    assert iia_hash(both[1]) == iia_hash(first_iia(response()))
    assert iia_hash(both[1]).valid_for_approval


def test_attributes_are_written_before_their_element_with_three_names_of_context() -> None:
    marked = response(
        SPEC.replace("<cefr-level>", '<cefr-level scale="CEFR">')
        .replace("<recommended-language-skill>", '<recommended-language-skill xmlns:x="urn:x" x:origin="v6">')
        .replace("<sending-hei-id>", '<sending-hei-id kind="schac">')
    )
    text = text_of(marked)
    assert (
        "_@cooperation-conditions.staff-teacher-mobility-spec.sending-hei-id.kind=schac@_"
        "_cooperation-conditions.staff-teacher-mobility-spec.sending-hei-id=a.example_"
    ) in text
    # An element with children writes its attributes (local names) but no value of its own.
    assert (
        "_cooperation-conditions.staff-teacher-mobility-spec.mobilities-per-year=2_"
        "_@cooperation-conditions.staff-teacher-mobility-spec.recommended-language-skill.origin=v6@_"
        "_staff-teacher-mobility-spec.recommended-language-skill.language=en_"
    ) in text
    assert (
        "_@staff-teacher-mobility-spec.recommended-language-skill.cefr-level.scale=CEFR@_"
        "_staff-teacher-mobility-spec.recommended-language-skill.cefr-level=B2_"
    ) in text


def test_attributes_of_the_condition_and_inside_contacts_are_not_hashed() -> None:
    marked = response(
        SPEC.replace("<staff-teacher-mobility-spec>", '<staff-teacher-mobility-spec id="7">').replace(
            "<c:contact-name>", '<c:contact-name xml:lang="en">'
        )
    )
    assert text_of(marked) == IDS_TEXT + SPEC_TEXT


@pytest.mark.parametrize("value", ["true", "1"])
def test_not_yet_defined_elements_are_left_out_with_their_content(value: str) -> None:
    marked = response(
        SPEC.replace("<mobilities-per-year>", f'<mobilities-per-year not-yet-defined="{value}">').replace(
            "<recommended-language-skill>", f'<recommended-language-skill not-yet-defined="{value}">'
        )
    )
    result = iia_hash(first_iia(marked))
    assert "mobilities-per-year" not in result.text
    assert "recommended-language-skill" not in result.text
    assert "not-yet-defined" not in result.text
    assert result.text.endswith("receiving-last-academic-year-id=2027/2028_")
    assert not result.valid_for_approval


def test_a_not_yet_defined_condition_keeps_only_its_years() -> None:
    marked = response(
        SPEC.replace("<staff-teacher-mobility-spec>", '<staff-teacher-mobility-spec not-yet-defined="1">')
    )
    assert text_of(marked) == (
        IDS_TEXT + "_receiving-first-academic-year-id=2026/2027__receiving-last-academic-year-id=2027/2028_"
    )


def test_not_yet_defined_false_is_hashed_like_no_marker() -> None:
    unmarked = response(SPEC.replace("<mobilities-per-year>", '<mobilities-per-year not-yet-defined="false">'))
    result = iia_hash(first_iia(unmarked))
    assert result.text == IDS_TEXT + SPEC_TEXT
    assert result.valid_for_approval


def test_the_v6_value_replaces_the_isced_code_and_blocks_approval() -> None:
    migrated = response(SPEC.replace("<isced-f-code>", '<isced-f-code v6-value="031">'))
    result = iia_hash(first_iia(migrated))
    assert "_staff-teacher-mobility-spec.subject-area.isced-f-code=031_" in result.text
    assert "0314" not in result.text
    assert "v6-value" not in result.text
    assert not result.valid_for_approval


def test_an_empty_v6_value_is_no_marker() -> None:
    result = iia_hash(first_iia(response(SPEC.replace("<isced-f-code>", '<isced-f-code v6-value="">'))))
    assert result.text == IDS_TEXT + SPEC_TEXT
    assert result.valid_for_approval


def test_a_marker_outside_the_conditions_still_blocks_approval() -> None:
    marked = response().replace("<in-effect>", '<in-effect not-yet-defined="true">')
    result = iia_hash(first_iia(marked))
    assert result.text == IDS_TEXT + SPEC_TEXT
    assert not result.valid_for_approval


V6_SPEC = SPEC.replace(
    "<receiving-first-academic-year-id>2026/2027</receiving-first-academic-year-id>",
    "<receiving-academic-year-id>2026/2027</receiving-academic-year-id>"
    "<receiving-academic-year-id>2027/2028</receiving-academic-year-id>",
).replace(
    "<receiving-last-academic-year-id>2027/2028</receiving-last-academic-year-id>",
    "<receiving-academic-year-id>2028/2029</receiving-academic-year-id>",
)
V6_SPEC_TEXT = SPEC_TEXT.replace("last-academic-year-id=2027/2028", "last-academic-year-id=2028/2029")


def test_v6_rules_close_each_condition_with_the_first_and_last_year_listed() -> None:
    iia = first_iia(response(V6_SPEC, namespace=V6))
    assert rules_version(iia) == 6
    assert iia_hash_text(iia) == IDS_TEXT + V6_SPEC_TEXT


def test_v6_rules_ignore_markers_attributes_and_termination() -> None:
    marked = V6_SPEC.replace("<mobilities-per-year>", '<mobilities-per-year not-yet-defined="true" note="x">')
    iia = first_iia(response(marked, namespace=V6, conditions_attributes=' terminated-as-a-whole="true"'))
    assert iia_hash(iia) == HashResult(
        hash=iia_hash(first_iia(response(V6_SPEC, namespace=V6))).hash,
        text=IDS_TEXT + V6_SPEC_TEXT,
        valid_for_approval=True,
    )


def test_the_rules_can_be_forced() -> None:
    iia = first_iia(response(V6_SPEC))
    assert rules_version(iia) == 7
    assert iia_hash_text(iia, rules=6) == IDS_TEXT + V6_SPEC_TEXT
    # Under the v7 rules the v6 years are ordinary leaves and the closing years are empty.
    assert iia_hash_text(iia).endswith("_receiving-first-academic-year-id=__receiving-last-academic-year-id=_")
