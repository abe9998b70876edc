"""`mobilitas allocate INPUT.json [--seed N] [--output OUT.json]`: simulate an allocation round from an export.

Reads the JSON format of `applications.allocation.exchange`, runs `allocate`, writes the result as JSON on
stdout or to --output. Invalid input exits 2 with a message naming the item; nothing touches the database.
"""

import gc
import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mobilitas.applications.allocation import InvalidInput, allocate
from mobilitas.applications.allocation.exchange import allocation_json, read_round

INVALID = 2


class Command(BaseCommand):
    help = (
        "Allocate mobility places from a JSON file by student-proposing deferred acceptance, and print the "
        "assignments, the waiting lists and an explanation for each applicant as JSON. Input: "
        '{"seed": 42, "destinations": [{"id": "D1", "capacity": 2}], "applicants": [{"id": "S1", "score": 15.5, '
        '"choices": ["D1"], "eligible": ["D1"], "fewer_opportunities": false}], "inclusion": {...}}. '
        "Higher score = higher priority; equal scores are ordered by a draw from the seed. 'eligible' is optional "
        "(absent: eligible everywhere); a choice outside it is ignored and explained. Optional inclusion policy "
        'for applicants with fewer opportunities: {"bonus": 1.5} adds 1.5 to their score; '
        '{"reserved_share": 0.1} reserves 10% of each destination\'s places (rounded half up) for them: open '
        "places are filled first by score, then reserved ones go to such applicants by score, and reserved places "
        "nobody of them claims fall back to the others by score. Both keys may be combined. Output: "
        '{"seed", "assignments", "waiting_lists", "explanations"}; the seed used is always recorded; a waiting '
        "list holds, in priority order, the eligible applicants who ranked the destination above the place they got "
        "(or got none). "
        "Invalid input exits 2 with a message naming the item."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path, metavar="INPUT.json", help="the round to allocate")
        parser.add_argument(
            "--seed", type=int, metavar="N", help="the draw that breaks ties (default: the file's, else a new one)"
        )
        parser.add_argument("--output", type=Path, metavar="OUT.json", help="write the result here, not on stdout")

    def handle(self, *args: Any, input: Path, seed: int | None, output: Path | None, **options: Any) -> None:
        # call_command(..., output="x.json") passes options unconverted.
        input, output = Path(input), None if output is None else Path(output)
        try:
            text = input.read_bytes()
        except OSError as error:
            raise CommandError(f"{input}: {error.strerror or error}", returncode=INVALID) from error
        # A round builds a few hundred thousand small objects and no cycles: the cyclic garbage collector would
        # walk them over and over (a third of the run) and free nothing that reference counting does not.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._allocate(input, text, seed, output)
        finally:
            if collecting:
                gc.enable()

    def _allocate(self, input: Path, text: bytes, seed: int | None, output: Path | None) -> None:
        try:
            round_ = read_round(text)
            if seed is None:
                seed = round_.seed if round_.seed is not None else secrets.randbelow(2**32)
            allocation = allocate(round_.destinations, round_.applicants, seed=seed, inclusion=round_.inclusion)
        except InvalidInput as error:
            raise CommandError(f"{input}: {error}", returncode=INVALID) from error
        if output is None:
            for piece in allocation_json(allocation):
                self.stdout.write(piece, ending="")
            return
        try:
            with output.open("w", encoding="utf-8") as file:
                file.writelines(allocation_json(allocation))
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror or error}", returncode=1) from error
