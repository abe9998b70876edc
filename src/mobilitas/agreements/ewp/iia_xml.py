"""IIAs API v7 `get` responses: a partner's XML read into `IiaData`, and ours written from it.

Reading takes documents written by others, from the network: the parser resolves no entity, loads no DTD,
touches no network and refuses a DOCTYPE that declares entities (the classic "billion laughs" and external
entity attacks). Elements are found by local name, as the hash stylesheet does, so any prefix works. Every
problem is an `IiaXmlError` whose translated message names the place (iia number, element, line), because
it ends up in front of an officer who has to tell the partner what is wrong with their document.

Values are kept as written: numbers, years and identifiers are only stripped of surrounding whitespace
(the XSD collapses it), the two free texts that enter the hash (`isced-clarification`, `other-info-terms`)
are kept byte for byte. The hash of a partner's copy is always computed from its element, never from the
`IiaData`, so nothing read here can change it.

Writing follows the order of the XSD exactly, omits empty optional elements and computes each `iia-hash`
from the element it has just built (`IiaData.iia_hash` is ignored).
"""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext
from lxml import etree

from mobilitas.agreements.ewp.iia_hash import (
    NOT_YET_DEFINED,
    V6_VALUE,
    HashResult,
    children_named,
    element_children,
    iia_hash,
    local_name,
    string_value,
)
from mobilitas.agreements.iia_data import (
    CONDITION_KINDS,
    ConditionData,
    ConditionKind,
    ContactData,
    IiaData,
    LanguageSkillData,
    PartnerData,
    SubjectAreaData,
)
from mobilitas.lib.errors import DomainError

IIAS_V7_NAMESPACE = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v7/endpoints/get-response.xsd"
)
CONTACT_NAMESPACE = "https://github.com/erasmus-without-paper/ewp-specs-types-contact/tree/stable-v1"
PHONE_NAMESPACE = "https://github.com/erasmus-without-paper/ewp-specs-types-phonenumber/tree/stable-v1"
ROOT_NAME = "iias-get-response"
NSMAP = {None: IIAS_V7_NAMESPACE, "c": CONTACT_NAMESPACE, "p": PHONE_NAMESPACE}

SPEC_SUFFIX = "-mobility-spec"
KIND_BY_ELEMENT: dict[str, ConditionKind] = {f"{kind}{SPEC_SUFFIX}": kind for kind in CONDITION_KINDS}
STUDENT_ELEMENTS = frozenset({"student-studies-mobility-spec", "student-traineeship-mobility-spec"})

ACADEMIC_YEAR = re.compile(r"(\d{4})/(\d{4})")
POSITIVE_INTEGER = re.compile(r"\+?0*[1-9]\d*")
DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
SIGNED_INTEGER = re.compile(r"[+-]?\d+")
XS_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?")
E164 = re.compile(r"\+[0-9]{1,15}")
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
MARKED = frozenset({"true", "1"})
# libxml2 repeats the position at the end of its message; we give it once, in our own words.
_POSITION_SUFFIX = re.compile(r",? line \d+, column \d+$")


class IiaXmlError(DomainError):
    """An IIAs get-response we cannot read. `message` is translated and names the place; `line` is its line."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


# ---------------------------------------------------------------------------------------------------------
# Reading


def read_document(data: bytes) -> etree._Element:
    """The root element of untrusted bytes, parsed without entities, DTDs or network access."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        reason = _POSITION_SUFFIX.sub("", str(exc.msg or exc))
        raise IiaXmlError(
            gettext("The document is not well-formed XML: %(reason)s (line %(line)s, column %(column)s).")
            % {"reason": reason, "line": line, "column": column},
            line=line,
        ) from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _entity in dtd.iterentities()):
        # libxml2 keeps no line for the DOCTYPE; in any ASCII-compatible encoding the bytes tell it.
        line = data[: max(data.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
        raise IiaXmlError(
            gettext(
                "The document declares entities in its DOCTYPE; EWP documents never need them and they are "
                "refused for safety (line %(line)s)."
            )
            % {"line": line},
            line=line,
        )
    return root


def get_response_iias(root: etree._Element, namespaces: Iterable[str] = (IIAS_V7_NAMESPACE,)) -> list[etree._Element]:
    """The `iia` elements of an `iias-get-response` root whose namespace is one of `namespaces`."""
    accepted = tuple(namespaces)
    qname = etree.QName(root)
    expected = " or ".join(accepted)
    found = qname.namespace or gettext("(no namespace)")
    if qname.localname != ROOT_NAME:
        raise _error(
            root,
            gettext(
                "The root element is <%(found_name)s> in namespace %(found)s; expected <iias-get-response> "
                "in namespace %(expected)s (line %(line)s)."
            ),
            found_name=qname.localname,
            found=found,
            expected=expected,
        )
    if qname.namespace not in accepted:
        raise _error(
            root,
            gettext("<iias-get-response> is in namespace %(found)s; expected namespace %(expected)s (line %(line)s)."),
            found=found,
            expected=expected,
        )
    return list(children_named(root, "iia"))


def parse_get_response(data: bytes) -> list[tuple[IiaData, etree._Element]]:
    """Each `iia` of an IIAs v7 get-response, as `IiaData` and as its element (to hash it as served)."""
    iias = get_response_iias(read_document(data))
    return [(element_to_iia(element, position=position), element) for position, element in enumerate(iias, 1)]


def element_to_iia(iia: etree._Element, *, position: int = 1) -> IiaData:
    """One `iia` element as `IiaData`; `position` (1-based, in the document) only serves the error messages."""
    return _IiaReader(iia, position).read()


class _IiaReader:
    """Reads one `iia`, knowing its position so that every error can say where it is."""

    def __init__(self, iia: etree._Element, position: int) -> None:
        self.iia = iia
        self.position = position

    def read(self) -> IiaData:
        partners = list(children_named(self.iia, "partner"))
        if len(partners) != 2:
            raise self.error(
                self.iia,
                gettext("iia %(iia)s has %(count)s partner elements; exactly 2 are required (line %(line)s)."),
                count=len(partners),
            )
        conditions = self.required(self.iia, "cooperation-conditions")
        terminated = _attribute(conditions, "terminated-as-a-whole").strip() in MARKED
        return IiaData(
            partners=(self.partner(partners[0], 1), self.partner(partners[1], 2)),
            in_effect=self.boolean(self.required(self.iia, "in-effect"), "iia"),
            conditions=tuple(
                self.condition(spec, number) for number, spec in enumerate(element_children(conditions), 1)
            ),
            terminated_as_a_whole=terminated,
            iia_hash=self.token(self.required(self.iia, "iia-hash")),
            pdf_file=self.optional_token(self.iia, "pdf-file"),
        )

    def partner(self, partner: etree._Element, number: int) -> PartnerData:
        where = gettext("partner %(number)s") % {"number": number}
        signing_date = _child(partner, "signing-date")
        signing_contact = _child(partner, "signing-contact")
        return PartnerData(
            hei_id=self.token(self.required(partner, "hei-id", where)),
            ounit_id=self.optional_token(partner, "ounit-id"),
            iia_id=self.optional_token(partner, "iia-id"),
            iia_code=self.optional_token(partner, "iia-code"),
            signing_contact=_contact(signing_contact) if signing_contact is not None else None,
            signing_date=self.date(signing_date, where) if signing_date is not None else None,
            contacts=tuple(_contact(contact) for contact in children_named(partner, "contact")),
        )

    def condition(self, spec: etree._Element, number: int) -> ConditionData:
        name = local_name(spec.tag)
        kind = KIND_BY_ELEMENT.get(name)
        if kind is None:
            raise self.error(
                spec,
                gettext(
                    "iia %(iia)s: cooperation-conditions holds an unexpected element <%(element)s> (line %(line)s)."
                ),
                element=name,
            )
        where = f"{name} {number}"
        first_year = self.academic_year(self.required(spec, "receiving-first-academic-year-id", where), where)
        last_year = self.academic_year(self.required(spec, "receiving-last-academic-year-id", where), where)
        if int(last_year[:4]) < int(first_year[:4]):
            raise self.error(
                spec,
                gettext("iia %(iia)s: %(where)s ends in %(last)s, before it starts in %(first)s (line %(line)s)."),
                where=where,
                first=first_year,
                last=last_year,
            )
        student = name in STUDENT_ELEMENTS
        return ConditionData(
            kind=kind,
            sending_hei_id=self.token(self.required(spec, "sending-hei-id", where)),
            receiving_hei_id=self.token(self.required(spec, "receiving-hei-id", where)),
            first_year=first_year,
            last_year=last_year,
            mobilities_per_year=self.positive_integer(self.required(spec, "mobilities-per-year", where), where),
            sending_ounit_id=self.optional_token(spec, "sending-ounit-id"),
            receiving_ounit_id=self.optional_token(spec, "receiving-ounit-id"),
            language_skills=tuple(
                self.language_skill(skill, where) for skill in children_named(spec, "recommended-language-skill")
            ),
            subject_areas=tuple(self.subject_area(area, where) for area in children_named(spec, "subject-area")),
            other_info=_optional_text(spec, "other-info-terms"),
            total_months_per_year=self.optional_decimal(spec, "total-months-per-year", where) if student else "",
            blended=self.boolean(self.required(spec, "blended", where), where) if student else False,
            eqf_levels=tuple(self.eqf_level(level, where) for level in children_named(spec, "eqf-level"))
            if student
            else (),
            total_days_per_year="" if student else self.optional_decimal(spec, "total-days-per-year", where),
            not_yet_defined=_not_yet_defined_names(spec),
        )

    def language_skill(self, skill: etree._Element, where: str) -> LanguageSkillData:
        area = _child(skill, "subject-area")
        return LanguageSkillData(
            language=self.token(self.required(skill, "language", where)),
            cefr_level=self.optional_token(skill, "cefr-level"),
            subject_area=self.subject_area(area, where) if area is not None else None,
        )

    def subject_area(self, area: etree._Element, where: str) -> SubjectAreaData:
        return SubjectAreaData(
            isced_code=self.token(self.required(area, "isced-f-code", where)),
            clarification=_optional_text(area, "isced-clarification"),
            v6_value=_attribute(_child(area, "isced-f-code"), V6_VALUE).strip(),
        )

    # Values ------------------------------------------------------------------------------------------------

    def required(self, parent: etree._Element, name: str, where: str | None = None) -> etree._Element:
        """The first child called `name`; `where` names the parent in the message (None: the iia itself)."""
        child = _child(parent, name)
        if child is not None:
            return child
        if where is None:
            raise self.error(parent, gettext("iia %(iia)s has no %(element)s (line %(line)s)."), element=name)
        raise self.error(
            parent, gettext("iia %(iia)s: %(where)s has no %(element)s (line %(line)s)."), where=where, element=name
        )

    def token(self, element: etree._Element) -> str:
        return string_value(element).strip()

    def optional_token(self, parent: etree._Element, name: str) -> str:
        child = _child(parent, name)
        return self.token(child) if child is not None else ""

    def boolean(self, element: etree._Element, where: str) -> bool:
        value = self.token(element)
        if value not in BOOLEANS:
            raise self.bad_value(element, where, gettext("true or false"))
        return BOOLEANS[value]

    def positive_integer(self, element: etree._Element, where: str) -> str:
        value = self.token(element)
        if not POSITIVE_INTEGER.fullmatch(value):
            raise self.bad_value(element, where, gettext("a positive whole number"))
        return value

    def optional_decimal(self, parent: etree._Element, name: str, where: str) -> str:
        element = _child(parent, name)
        if element is None:
            return ""
        value = self.token(element)
        try:
            positive = DECIMAL.fullmatch(value) is not None and Decimal(value) > 0
        except InvalidOperation:
            positive = False
        if not positive:
            raise self.bad_value(element, where, gettext("a positive decimal number"))
        return value

    def eqf_level(self, element: etree._Element, where: str) -> int:
        value = self.token(element)
        if not SIGNED_INTEGER.fullmatch(value) or not 1 <= int(value) <= 8:
            raise self.bad_value(element, where, gettext("an EQF level from 1 to 8"))
        return int(value)

    def academic_year(self, element: etree._Element, where: str) -> str:
        """A year id such as 2026/2027, or 2026/2026 as southern-hemisphere institutions write it."""
        value = self.token(element)
        match = ACADEMIC_YEAR.fullmatch(value)
        if not match or int(match[2]) - int(match[1]) not in (0, 1):
            raise self.bad_value(element, where, gettext("an academic year such as 2026/2027"))
        return value

    def date(self, element: etree._Element, where: str) -> date:
        match = XS_DATE.fullmatch(self.token(element))
        try:
            if match:
                return date.fromisoformat(match[1])
        except ValueError:
            pass  # 2026-02-30: the right shape, not a day
        raise self.bad_value(element, where, gettext("a date such as 2026-01-31"))

    # Errors ------------------------------------------------------------------------------------------------

    def bad_value(self, element: etree._Element, where: str, expected: str) -> IiaXmlError:
        return self.error(
            element,
            gettext("iia %(iia)s: %(element)s of %(where)s must be %(expected)s, not “%(value)s” (line %(line)s)."),
            element=local_name(element.tag),
            where=where,
            expected=expected,
            value=string_value(element).strip(),
        )

    def error(self, node: etree._Element, template: str, /, **params: object) -> IiaXmlError:
        return _error(node, template, iia=self.position, **params)


def _error(node: etree._Element, template: str, /, **params: object) -> IiaXmlError:
    """An IiaXmlError from an already translated template, with the line of `node` filled in."""
    line = node.sourceline
    return IiaXmlError(template % {"line": line if line is not None else "?", **params}, line=line)


def _contact(element: etree._Element) -> ContactData:
    """The few contact fields we keep: the first name, email, phone and role description."""
    phone = _child(element, "phone-number")
    phone_text = ""
    if phone is not None:
        phone_text = _optional_text(phone, "e164").strip() or _optional_text(phone, "other-format").strip()
    return ContactData(
        name=_optional_text(element, "contact-name").strip(),
        email=_optional_text(element, "email").strip(),
        phone=phone_text,
        role=_optional_text(element, "role-description").strip(),
    )


def _not_yet_defined_names(spec: etree._Element) -> frozenset[str]:
    """Local names of the elements of a spec that a migrated v6 agreement marked not-yet-defined."""
    return frozenset(
        local_name(element.tag)
        for element in spec.iterdescendants()
        if isinstance(element.tag, str) and _attribute(element, NOT_YET_DEFINED) in MARKED
    )


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return next(children_named(parent, name), None)


def _optional_text(parent: etree._Element, name: str) -> str:
    """The raw text of an optional child, "" when it is absent."""
    child = _child(parent, name)
    return string_value(child) if child is not None else ""


def _attribute(element: etree._Element | None, name: str) -> str:
    return str(element.get(name, "")) if element is not None else ""


# ---------------------------------------------------------------------------------------------------------
# Writing


def build_get_response(iias: Iterable[IiaData]) -> bytes:
    """An IIAs v7 get-response for `iias`, pretty-printed UTF-8 with an XML declaration."""
    root = etree.Element(_iias(ROOT_NAME), nsmap=NSMAP)
    for iia in iias:
        _append_iia(root, iia)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def iia_to_element(iia: IiaData) -> etree._Element:
    """One standalone `iia` element (namespaces declared on it) carrying the hash of its own content."""
    return _append_iia(None, iia)


def hash_iia_data(iia: IiaData) -> HashResult:
    """The hash of `iia` as we would serve it (our copy, a snapshot of it, a draft to compare)."""
    return iia_hash(iia_to_element(iia))


def _append_iia(parent: etree._Element | None, iia: IiaData) -> etree._Element:
    """The `iia` element of `iia`, under `parent` or standalone (None)."""
    element = etree.Element(_iias("iia"), nsmap=NSMAP) if parent is None else _sub(parent, _iias("iia"))
    for partner in iia.partners:
        _append_partner(element, partner)
    _sub(element, _iias("in-effect"), _boolean(iia.in_effect))
    conditions = _sub(element, _iias("cooperation-conditions"))
    if iia.terminated_as_a_whole:
        conditions.set("terminated-as-a-whole", "true")
    for condition in _in_schema_order(iia.conditions):
        _append_condition(conditions, condition)
    hash_element = _sub(element, _iias("iia-hash"))
    _sub_if(element, _iias("pdf-file"), iia.pdf_file)
    hash_element.text = iia_hash(element, rules=7).hash
    return element


def _in_schema_order(conditions: Iterable[ConditionData]) -> list[ConditionData]:
    """The XSD wants all student-studies specs first, then traineeships, teaching, training.

    The sort is stable, so within one kind the order stays the caller's, and the hash (which follows the
    document order) stays the same as long as the caller's order does.
    """
    return sorted(conditions, key=lambda condition: CONDITION_KINDS.index(condition.kind))


def _append_partner(parent: etree._Element, partner: PartnerData) -> None:
    element = _sub(parent, _iias("partner"))
    _sub(element, _iias("hei-id"), partner.hei_id)
    _sub_if(element, _iias("ounit-id"), partner.ounit_id)
    _sub_if(element, _iias("iia-id"), partner.iia_id)
    _sub_if(element, _iias("iia-code"), partner.iia_code)
    if partner.signing_contact is not None:
        _append_contact(element, _iias("signing-contact"), partner.signing_contact)
    if partner.signing_date is not None:
        _sub(element, _iias("signing-date"), partner.signing_date.isoformat())
    for contact in partner.contacts:
        _append_contact(element, _contact_tag("contact"), contact)


def _append_condition(parent: etree._Element, condition: ConditionData) -> None:
    spec = _sub(parent, _iias(f"{condition.kind}{SPEC_SUFFIX}"))
    _sub(spec, _iias("sending-hei-id"), condition.sending_hei_id)
    _sub_if(spec, _iias("sending-ounit-id"), condition.sending_ounit_id)
    _sub(spec, _iias("receiving-hei-id"), condition.receiving_hei_id)
    _sub_if(spec, _iias("receiving-ounit-id"), condition.receiving_ounit_id)
    _sub(spec, _iias("receiving-first-academic-year-id"), condition.first_year)
    _sub(spec, _iias("receiving-last-academic-year-id"), condition.last_year)
    _sub(spec, _iias("mobilities-per-year"), condition.mobilities_per_year)
    for skill in condition.language_skills:
        _append_language_skill(spec, skill)
    for area in condition.subject_areas:
        _append_subject_area(spec, area)
    _sub_if(spec, _iias("other-info-terms"), condition.other_info)
    if condition.is_student:
        _sub_if(spec, _iias("total-months-per-year"), condition.total_months_per_year)
        _sub(spec, _iias("blended"), _boolean(condition.blended))
        for level in condition.eqf_levels:
            _sub(spec, _iias("eqf-level"), str(level))
    else:
        _sub_if(spec, _iias("total-days-per-year"), condition.total_days_per_year)
    for child in element_children(spec):
        if local_name(child.tag) in condition.not_yet_defined:
            child.set(NOT_YET_DEFINED, "true")


def _append_language_skill(parent: etree._Element, skill: LanguageSkillData) -> None:
    element = _sub(parent, _iias("recommended-language-skill"))
    _sub(element, _iias("language"), skill.language)
    _sub_if(element, _iias("cefr-level"), skill.cefr_level)
    if skill.subject_area is not None:
        _append_subject_area(element, skill.subject_area)


def _append_subject_area(parent: etree._Element, area: SubjectAreaData) -> None:
    element = _sub(parent, _iias("subject-area"))
    code = _sub(element, _iias("isced-f-code"), area.isced_code)
    if area.v6_value:
        code.set(V6_VALUE, area.v6_value)
    _sub_if(element, _iias("isced-clarification"), area.clarification)


def _append_contact(parent: etree._Element, tag: str, contact: ContactData) -> None:
    """A contact in the order of the contact type: name, phone, email, role description."""
    element = _sub(parent, tag)
    _sub(element, _contact_tag("contact-name"), contact.name)
    if contact.phone:
        phone = _sub(element, f"{{{PHONE_NAMESPACE}}}phone-number")
        format_name = "e164" if E164.fullmatch(contact.phone) else "other-format"
        _sub(phone, f"{{{PHONE_NAMESPACE}}}{format_name}", contact.phone)
    _sub_if(element, _contact_tag("email"), contact.email)
    _sub_if(element, _contact_tag("role-description"), contact.role)


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _sub_if(parent: etree._Element, tag: str, text: str) -> None:
    """An optional element, written only when it has a value."""
    if text:
        _sub(parent, tag, text)


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _iias(name: str) -> str:
    return f"{{{IIAS_V7_NAMESPACE}}}{name}"


def _contact_tag(name: str) -> str:
    return f"{{{CONTACT_NAMESPACE}}}{name}"
