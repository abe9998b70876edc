"""The IIA `iia-hash`, computed natively from an `iia` element (IIAs API v7, and stored v6 snapshots).

Upstream defines the hash through an official XSLT 2.0 stylesheet (ewp-specs-api-iias, resources/xsltKit).
We run no XSLT: this module builds the same `text-to-hash` string by walking the element with lxml, as the
xsltKit README describes, and hashes its UTF-8 bytes with SHA-256. Partners compute the hash of *their*
XML with the official stylesheet and approvals only work when both sides agree to the byte, so the rules
mirror what the stylesheet does, quirks included, rather than what would look tidier:

* names are local names: any prefix and any namespace give the same string;
* values are XPath string values: the raw text, never trimmed or reformatted ("5.0" stays "5.0", a
  leading space stays), comments inside a value are dropped and CDATA counts as text;
* the string starts with `_@terminated-as-a-whole@_` when `cooperation-conditions/@terminated-as-a-whole`
  is exactly "true" or "1", then holds `_iia-id_<n>=<value>_` for each `partner` in document order;
* each child of `cooperation-conditions` (a mobility spec) contributes every descendant element in
  document order: first its attributes as `_@<grandparent>.<parent>.<element>.<attribute>=<value>@_`,
  then, if it has no child element, `_<grandparent>.<parent>.<element>=<value>_`. Left out: anything
  inside a `sending-contact`/`receiving-contact` (the contact element itself still counts, like in the
  stylesheet), the two `receiving-*-academic-year-id` elements, and every element marked
  `not-yet-defined="true"` (or "1") on itself or an ancestor. The `not-yet-defined` and `v6-value`
  attributes are never written; an `isced-f-code` with a non-empty `v6-value` contributes that value;
* each spec ends with `_receiving-first-academic-year-id=…_` and `_receiving-last-academic-year-id=…_`,
  read from its direct children whatever the markers say (empty when absent).

Document-wide quirk of the stylesheet: it looks up `terminated-as-a-whole` with `//cooperation-conditions`
and the markers with `//*`, i.e. across the whole response. In a response with several `iia`, one
terminated IIA adds the prefix to *every* IIA's string, and one marker makes *every* IIA "not valid for
approval". We hash each `iia` as if it were alone in a single-IIA response (which is how agreements are
served and approved one by one); when a partner's multi-IIA response disagrees with us on an IIA, this
quirk is the first thing to suspect.

v6 rules (`transform_version_6.xsl`), used for an `iia` in the v6 namespace (stored snapshots with a
`conditions-hash`): no attributes, no markers, no `terminated-as-a-whole`; the spec's
`receiving-academic-year-id` elements are left out and the spec ends with the first and the last of them.
An unmodified v6 agreement therefore gives the same string as its migrated v7 form.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from lxml import etree

IIAS_V6_NAMESPACE = (
    "https://github.com/erasmus-without-paper/ewp-specs-api-iias/blob/stable-v6/endpoints/get-response.xsd"
)

RulesVersion = Literal[6, 7]

NOT_YET_DEFINED = "not-yet-defined"
V6_VALUE = "v6-value"
# The stylesheet compares the attribute value with these two strings exactly (no trimming, no "TRUE").
MARKED = frozenset({"true", "1"})
CONTACTS = frozenset({"sending-contact", "receiving-contact"})
FIRST_YEAR = "receiving-first-academic-year-id"
LAST_YEAR = "receiving-last-academic-year-id"
V6_YEAR = "receiving-academic-year-id"
TERMINATED_MARK = "_@terminated-as-a-whole@_"

# Within this iia only, where the stylesheet searches the whole document (see the quirk above).
_IS_TERMINATED = etree.XPath(
    "boolean(descendant::*[local-name()='cooperation-conditions']"
    "/@*[local-name()='terminated-as-a-whole'][.='true' or .='1'])"
)


@dataclass(frozen=True)
class HashResult:
    hash: str  # lower-case hex SHA-256 of `text`
    text: str  # the text-to-hash, useful to explain a mismatch with a partner
    valid_for_approval: bool  # False when a v7 iia still carries not-yet-defined or v6-value markers


@dataclass(frozen=True)
class _Rules:
    """What differs between the v6 and the v7 stylesheets."""

    version: RulesVersion
    skipped: frozenset[str]  # element names left out (their own descendants are still visited)
    markers: bool  # honour not-yet-defined / v6-value and write attributes


_V7 = _Rules(7, frozenset({FIRST_YEAR, LAST_YEAR}), markers=True)
_V6 = _Rules(6, frozenset({V6_YEAR}), markers=False)


def iia_hash(iia: etree._Element, *, rules: RulesVersion | None = None) -> HashResult:
    """The hash of one `iia` element, with the string it was computed from.

    `rules` picks the stylesheet version; by default the v6 rules apply to an `iia` in the v6 namespace
    and the v7 rules to anything else (v7, or a document written without the usual namespace).
    """
    version = rules or rules_version(iia)
    text = iia_hash_text(iia, rules=version)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    valid = version == 6 or not _has_marker(iia)
    return HashResult(hash=digest, text=text, valid_for_approval=valid)


def iia_hash_text(iia: etree._Element, *, rules: RulesVersion | None = None) -> str:
    """The `text-to-hash` of one `iia` element, character for character as the official stylesheet."""
    chosen = _V6 if (rules or rules_version(iia)) == 6 else _V7
    out: list[str] = []
    if chosen.markers and _IS_TERMINATED(iia):
        out.append(TERMINATED_MARK)
    for position, partner in enumerate(children_named(iia, "partner"), start=1):
        out.append(f"_iia-id_{position}={_first_child_value(partner, 'iia-id')}_")
    for conditions in children_named(iia, "cooperation-conditions"):
        for spec in element_children(conditions):
            _append_spec(spec, chosen, out)
    return "".join(out)


def rules_version(iia: etree._Element) -> RulesVersion:
    """6 for an `iia` of the IIAs v6 namespace (old snapshots), 7 otherwise."""
    return 6 if etree.QName(iia).namespace == IIAS_V6_NAMESPACE else 7


def _has_marker(iia: etree._Element) -> bool:
    """Whether a not-yet-defined ("true"/"1") or a non-empty v6-value sits on the iia, inside it or above it.

    "Above" is the response root, as in a single-IIA response. (A plain loop: twice as fast as XPath here.)
    """
    for element in chain(iia.iterancestors(), iia.iter(etree.Element)):
        if element.get(NOT_YET_DEFINED) in MARKED or element.get(V6_VALUE):
            return True
    return False


def _append_spec(spec: etree._Element, rules: _Rules, out: list[str]) -> None:
    """One mobility spec: its content in document order, closed by its first and last academic year."""
    if not _content_excluded_from_above(spec, rules):
        spec_name = local_name(spec.tag)
        parent_name = local_name(spec.getparent().tag)
        for child in element_children(spec):
            _append_element(child, spec_name, parent_name, rules, out)
    if rules.version == 7:
        first, last = _first_child_value(spec, FIRST_YEAR), _first_child_value(spec, LAST_YEAR)
    else:
        years = [string_value(year) for year in children_named(spec, V6_YEAR)]
        first, last = (years[0], years[-1]) if years else ("", "")
    out.append(f"_{FIRST_YEAR}={first}__{LAST_YEAR}={last}_")


def _content_excluded_from_above(spec: etree._Element, rules: _Rules) -> bool:
    """Whether the spec's descendants are all left out because of the spec itself or an ancestor.

    The stylesheet tests `ancestor-or-self` for not-yet-defined and `ancestor` for the contacts on every
    element; checking the spec and its ancestors once here spares the walk from repeating it.
    """
    for node in chain([spec], spec.iterancestors()):
        if local_name(node.tag) in CONTACTS or (rules.markers and node.get(NOT_YET_DEFINED) in MARKED):
            return True
    return False


def _append_element(
    element: etree._Element, parent_name: str, grandparent_name: str, rules: _Rules, out: list[str]
) -> None:
    """An element of a spec and, recursively, its descendants (document order = pre-order)."""
    if rules.markers and element.get(NOT_YET_DEFINED) in MARKED:
        return  # the element and everything inside it
    name = local_name(element.tag)
    children = element_children(element) if len(element) else []  # most elements are childless leaves
    if name not in rules.skipped:
        path = f"{grandparent_name}.{parent_name}.{name}"
        if rules.markers:
            for key, value in element.attrib.items():
                if key != NOT_YET_DEFINED and key != V6_VALUE:
                    out.append(f"_@{path}.{local_name(key)}={value}@_")
        if not children:
            out.append(f"_{path}={_leaf_value(element, name, rules)}_")
    if name in CONTACTS:
        return  # a contact's own attributes count, nothing inside it does
    for child in children:
        _append_element(child, name, parent_name, rules, out)


def _leaf_value(element: etree._Element, name: str, rules: _Rules) -> str:
    if rules.markers and name == "isced-f-code":
        v6_value = element.get(V6_VALUE)
        if v6_value:
            return str(v6_value)
    return string_value(element)


def _first_child_value(element: etree._Element, name: str) -> str:
    """String value of the first child called `name`, "" when there is none.

    (With two such children the stylesheet stops with a type error; a document like that is invalid
    against the XSD anyway, and the first one is the sensible reading.)
    """
    for child in children_named(element, name):
        return string_value(child)
    return ""


# Reading by local name, as the stylesheet does; iia_xml and the `ewp` command read documents the same way.


def string_value(element: etree._Element) -> str:
    """XPath string value: all descendant text, untrimmed, without comments or processing instructions."""
    if len(element) == 0:  # no children of any kind: the common leaf
        return str(element.text or "")
    return "".join(element.itertext())


def children_named(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element_children(element) if local_name(child.tag) == name)


def element_children(element: etree._Element) -> list[etree._Element]:
    """Child elements only: comments, processing instructions and entity references are not elements."""
    return [child for child in element if isinstance(child.tag, str)]


def local_name(tag: str) -> str:
    """Local name of a Clark-notation tag or attribute name ("{ns}name" -> "name")."""
    return tag.rpartition("}")[2]
