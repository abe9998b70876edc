"""Benchmark of the native IIA v7 hash over a large get-response.

    .venv/bin/python bench/iia_hash.py [--iias 10000] [--repeat 5]

Builds a realistic IIAs get-response in memory (by default 10,000 `iia`, each with four cooperation
conditions, one of every kind, with contacts, language skills and subject areas), serialises it, parses it
once with the same safe parser as a partner's response, then times hashing every `iia` several times. It
prints the document size, the parse time and the median hashing rate in IIAs per second. It needs no
database and asserts nothing about time.
"""

import argparse
import statistics
import sys
import time
from typing import TYPE_CHECKING

from django_setup import setup_django

if TYPE_CHECKING:
    from mobilitas.agreements.iia_data import IiaData


def sample_agreements(count: int) -> "list[IiaData]":
    """`count` agreements of one hosted university, each with one condition of every kind."""
    from dataclasses import replace

    from mobilitas.agreements.iia_data import (
        ConditionData,
        ContactData,
        IiaData,
        LanguageSkillData,
        PartnerData,
        SubjectAreaData,
    )

    home = "u-picardie.fr"
    officer = ContactData(name="International office", email="ri@u-picardie.fr", phone="+33322827272", role="IRO")
    agreements = []
    for number in range(count):
        partner = f"partner-{number}.example.eu"
        outgoing = ConditionData(
            kind="student-studies",
            sending_hei_id=home,
            receiving_hei_id=partner,
            first_year="2026/2027",
            last_year="2028/2029",
            mobilities_per_year=str(2 + number % 5),
            language_skills=(LanguageSkillData("en", "B2"), LanguageSkillData("fr", "B1")),
            subject_areas=(SubjectAreaData("0311", "Economics"), SubjectAreaData("0413")),
            total_months_per_year="5",
            eqf_levels=(6, 7),
        )
        incoming = replace(
            outgoing,
            kind="student-traineeship",
            sending_hei_id=partner,
            receiving_hei_id=home,
            mobilities_per_year="2",
            language_skills=(),
            subject_areas=(SubjectAreaData("0311"),),
            total_months_per_year="3.5",
            eqf_levels=(),
        )
        teaching = replace(
            outgoing,
            kind="staff-teacher",
            mobilities_per_year="1",
            language_skills=(LanguageSkillData("en", "C1"),),
            subject_areas=(),
            total_months_per_year="",
            eqf_levels=(),
            total_days_per_year="5",
        )
        training = replace(teaching, kind="staff-training", sending_hei_id=partner, receiving_hei_id=home)
        ours = PartnerData(
            home, ounit_id="ou-42", iia_id=f"iia-{number:06d}", iia_code=f"E+ 2026/{number}", signing_contact=officer
        )
        theirs = PartnerData(partner, iia_id=f"p-{number}", iia_code=f"P/{number}")
        agreements.append(
            IiaData(partners=(ours, theirs), in_effect=True, conditions=(outgoing, incoming, teaching, training))
        )
    return agreements


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iias", type=int, default=10_000, help="IIAs in the response (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over all IIAs (default 5)")
    args = parser.parse_args()
    setup_django()

    from mobilitas.agreements.ewp.iia_hash import iia_hash
    from mobilitas.agreements.ewp.iia_xml import build_get_response, get_response_iias, read_document

    started = time.perf_counter()
    document = build_get_response(sample_agreements(args.iias))
    built = time.perf_counter() - started
    print(f"Built a get-response of {args.iias:,} IIAs x 4 conditions: {len(document) / 1e6:.1f} MB in {built:.1f} s")

    started = time.perf_counter()
    iias = get_response_iias(read_document(document))
    print(f"Parsed it once in {time.perf_counter() - started:.2f} s")

    iia_hash(iias[0])  # warm-up: compiled XPath expressions, first allocations
    rates = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        for iia in iias:
            iia_hash(iia)
        rates.append(len(iias) / (time.perf_counter() - started))
    print(f"Hashing: median {statistics.median(rates):,.0f} IIAs/s over {args.repeat} passes (best {max(rates):,.0f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
