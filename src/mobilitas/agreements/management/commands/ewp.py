"""`mobilitas ewp SUBCOMMAND ...`: command-line tools for Erasmus Without Paper documents.

    mobilitas ewp iia-hash FILE.xml

`iia-hash` recomputes the hash of each `iia` of an IIAs get-response (v7, or a stored v6 snapshot) and
prints `<first partner's iia-id> <hash>`, followed by ` MISMATCH served=<served hash>` when the document
serves another value. Exit status: 0 when every served hash matches, 1 when one does not, 2 when the
file cannot be read as an IIAs get-response. A v6 document serves only the old `conditions-hash`, which
is another algorithm: nothing is compared for it.

Each subcommand is a pair of methods, `add_<name>_arguments(parser)` and `handle_<name>(**options)`,
listed in SUBCOMMANDS; later subcommands only add a pair and a line there.
"""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mobilitas.agreements.ewp.iia_hash import IIAS_V6_NAMESPACE, children_named, iia_hash, string_value
from mobilitas.agreements.ewp.iia_xml import IIAS_V7_NAMESPACE, IiaXmlError, get_response_iias, read_document

EXIT_MISMATCH = 1
EXIT_UNREADABLE = 2
NO_VALUE = "-"

SUBCOMMANDS = {
    "iia-hash": "Recompute the iia-hash of every iia of an IIAs get-response file and compare it with the served one.",
}


class Command(BaseCommand):
    help = "Erasmus Without Paper tools: " + ", ".join(SUBCOMMANDS) + "."
    requires_system_checks: list[str] = []  # pure file tools: no database, no checks

    def add_arguments(self, parser: ArgumentParser) -> None:
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, description in SUBCOMMANDS.items():
            subparser = subparsers.add_parser(name, help=description, description=description)
            getattr(self, f"add_{_method_name(name)}_arguments")(subparser)

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, f"handle_{_method_name(subcommand)}")(**options)

    # iia-hash ----------------------------------------------------------------------------------------------

    def add_iia_hash_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", metavar="FILE.xml", type=Path, help="an IIAs get-response (v7, or v6 snapshot)")

    def handle_iia_hash(self, *, file: Path, **_options: Any) -> None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}", returncode=EXIT_UNREADABLE) from exc
        try:
            iias = get_response_iias(read_document(data), namespaces=(IIAS_V7_NAMESPACE, IIAS_V6_NAMESPACE))
        except IiaXmlError as exc:
            raise CommandError(f"{file}: {exc.message}", returncode=EXIT_UNREADABLE) from exc
        if not iias:
            raise CommandError(f"{file}: the get-response holds no iia element.", returncode=EXIT_UNREADABLE)
        mismatches = 0
        for iia in iias:
            result = iia_hash(iia)
            line = f"{_first_iia_id(iia)} {result.hash}"
            served = _served_hash(iia)
            if served is not None and served != result.hash:
                mismatches += 1
                line += f" MISMATCH served={served or NO_VALUE}"
            self.stdout.write(line)
        if mismatches:
            raise CommandError(
                f"{file}: {mismatches} of {len(iias)} served iia-hash values differ from the recomputed hash.",
                returncode=EXIT_MISMATCH,
            )


def _method_name(subcommand: str) -> str:
    return subcommand.replace("-", "_")


def _first_iia_id(iia: Any) -> str:
    """The iia-id of the first partner (the serving HEI's own id), "-" when it is missing."""
    for partner in children_named(iia, "partner"):
        for iia_id in children_named(partner, "iia-id"):
            return string_value(iia_id).strip() or NO_VALUE
        break
    return NO_VALUE


def _served_hash(iia: Any) -> str | None:
    """The served `iia-hash` ("" when a v7 iia lacks it); None for v6, which has no comparable hash."""
    if iia.tag.startswith(f"{{{IIAS_V6_NAMESPACE}}}"):
        return None
    for served in children_named(iia, "iia-hash"):
        return string_value(served).strip()
    return ""
