"""Benchmark of the whole `mobilitas allocate` command against a plain serial-dictatorship loop.

    .venv/bin/python bench/allocation.py [--applicants 20000] [--destinations 2000] [--choices 6]
                                         [--inclusion reserve|bonus|none] [--repeat 5]

Generates a realistic round (a few popular destinations and a long tail, capacities 1-10 weighted towards small
ones, scores around 14/20 with one decimal so that ties happen, 15% of applicants with fewer opportunities, 30%
with an `eligible` list that rules out some of their choices), writes it to a temporary JSON file, then, pinned
to one core, times the whole command in process (read the JSON, allocate, explain, write the JSON; process
start excluded). It compares the median with the median of a serial-dictatorship loop over the same data
already in memory (each applicant in score order takes her first eligible choice with a place left): the
simplest allocation there is, the floor for any real one. Both run without the cyclic garbage collector, as the
command does. Targets: under 2 s, under 50x. No database.
"""

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django_setup import setup_django

CAPACITY_WEIGHTS = [20, 25, 18, 12, 8, 6, 4, 3, 2, 2]  # capacities 1..10: most destinations offer a few places


def sample_round(applicants: int, destinations: int, choices: int, inclusion: str, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - sample data, not a secret
    ids = [f"D{number:04d}" for number in range(1, destinations + 1)]
    popularity = [1 / (rank + 1) ** 0.9 for rank in range(destinations)]  # Zipf-like: a few are wanted by many
    rng.shuffle(popularity)
    cumulative = []
    total = 0.0
    for weight in popularity:
        total += weight
        cumulative.append(total)
    round_: dict[str, Any] = {
        "seed": 42,
        "destinations": [
            {"id": destination, "capacity": rng.choices(range(1, 11), weights=CAPACITY_WEIGHTS)[0]}
            for destination in ids
        ],
        "applicants": [],
    }
    if inclusion == "reserve":
        round_["inclusion"] = {"reserved_share": 0.2}
    elif inclusion == "bonus":
        round_["inclusion"] = {"bonus": 1.5}
    for number in range(1, applicants + 1):
        wanted: list[str] = []
        while len(wanted) < choices:
            destination = rng.choices(ids, cum_weights=cumulative)[0]
            if destination not in wanted:
                wanted.append(destination)
        applicant: dict[str, Any] = {
            "id": f"S{number:05d}",
            "score": round(min(20.0, max(0.0, rng.gauss(14, 2.5))), 1),
            "choices": wanted,
            "fewer_opportunities": rng.random() < 0.15,
        }
        if rng.random() < 0.3:
            # A language or level requirement rules out one or two choices; a few other destinations are open.
            excluded = set(rng.sample(wanted, rng.randint(1, 2)))
            applicant["eligible"] = [d for d in wanted if d not in excluded] + rng.sample(ids, 3)
        round_["applicants"].append(applicant)
    return round_


def serial_dictatorship(round_: dict[str, Any]) -> dict[str, str | None]:
    """The baseline: no deferred acceptance, no reserve, no waiting list, no explanation."""
    left = {destination["id"]: destination["capacity"] for destination in round_["destinations"]}
    assignments: dict[str, str | None] = {}
    for applicant in sorted(round_["applicants"], key=lambda applicant: applicant["score"], reverse=True):
        eligible = applicant.get("eligible")
        allowed = None if eligible is None else set(eligible)
        assignments[applicant["id"]] = None
        for choice in applicant["choices"]:
            if (allowed is None or choice in allowed) and left[choice] > 0:
                left[choice] -= 1
                assignments[applicant["id"]] = choice
                break
    return assignments


def timed(functions: list[Any], repeat: int) -> list[list[float]]:
    """Wall times of each function over `repeat` rounds, taking turns so that they see the same machine state, and
    each run without the cyclic garbage collector (as the command runs)."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for function, spent in zip(functions, times, strict=True):
            gc.collect()
            gc.disable()
            started = time.perf_counter()
            function()
            spent.append(time.perf_counter() - started)
            gc.enable()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=20_000, help="applicants (default 20,000)")
    parser.add_argument("--destinations", type=int, default=2_000, help="destinations (default 2,000)")
    parser.add_argument("--choices", type=int, default=6, help="ranked choices per applicant (default 6)")
    parser.add_argument(
        "--inclusion",
        choices=["reserve", "bonus", "none"],
        default="reserve",
        help="reserve: 20%% of places reserved (default); bonus: +1.5; none",
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (default 5)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core: the allocation is single-threaded
    setup_django()

    from django.core.management import call_command

    round_ = sample_round(args.applicants, args.destinations, args.choices, args.inclusion)
    places = sum(destination["capacity"] for destination in round_["destinations"])
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "round.json", Path(folder) / "allocation.json"
        source.write_text(json.dumps(round_), encoding="utf-8")
        print(
            f"{args.applicants:,} applicants x {args.choices} choices over {args.destinations:,} destinations "
            f"({places:,} places, inclusion: {args.inclusion}); input {source.stat().st_size / 1e6:.1f} MB"
        )

        def command() -> None:
            call_command("allocate", str(source), output=str(target))

        command_times, baseline_times = timed([command, lambda: serial_dictatorship(round_)], args.repeat)
        result = json.loads(target.read_text(encoding="utf-8"))
        admitted = sum(destination is not None for destination in result["assignments"].values())
        print(f"Output {target.stat().st_size / 1e6:.1f} MB; {admitted:,} applicants admitted")

    command_time, baseline_time = statistics.median(command_times), statistics.median(baseline_times)
    print(
        f"allocate command (JSON in, allocation, explanations, JSON out), 1 core: median {command_time:.3f} s "
        f"(best {min(command_times):.3f} s; target < 2 s)"
    )
    print(
        f"serial-dictatorship loop over the same data in memory: median {baseline_time * 1000:.1f} ms "
        f"(best {min(baseline_times) * 1000:.1f} ms)"
    )
    print(f"ratio: {command_time / baseline_time:.1f}x (target < 50x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
