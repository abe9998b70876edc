"""The JSON exchange format of `mobilitas allocate`: an export of a round in, the allocation out.

Input (`eligible`, `fewer_opportunities`, `seed` and `inclusion` are optional; unknown keys are refused, so that
a misspelt "eligble" cannot silently make everyone eligible everywhere)::

    {"seed": 42,
     "inclusion": {"reserved_share": 0.1, "bonus": 1.5},
     "destinations": [{"id": "D1", "capacity": 2}, {"id": "D2", "capacity": 1}],
     "applicants": [{"id": "S1", "score": 15.5, "choices": ["D1", "D2"], "eligible": ["D1", "D2"],
                     "fewer_opportunities": false}]}

Output: {"seed", "assignments", "waiting_lists" (every destination, possibly empty), "explanations"}, one
line per section.
"""

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from mobilitas.applications.allocation.data import Allocation, Applicant, Destination, InclusionPolicy, InvalidInput

ROUND_KEYS = {"seed", "inclusion", "destinations", "applicants"}
DESTINATION_KEYS = {"id", "capacity"}
APPLICANT_KEYS = {"id", "score", "choices", "eligible", "fewer_opportunities"}
INCLUSION_KEYS = {"reserved_share", "bonus"}
NUMBERS = (int, float)  # as json.loads makes them: true and false are not scores


@dataclass(frozen=True)
class Round:
    """An allocation round as read from a file; `seed` None when the file has none."""

    destinations: list[Destination]
    applicants: list[Applicant]
    seed: int | None = None
    inclusion: InclusionPolicy | None = None


def read_round(text: str | bytes) -> Round:
    """Parse and check the types of an input file; `allocate` checks the rest (ids, references)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}") from error
    except UnicodeDecodeError as error:
        raise InvalidInput(f"the file is not UTF-8 text: {error.reason} at byte {error.start}") from error
    if not isinstance(data, dict):
        raise InvalidInput("the file must hold a JSON object with destinations and applicants")
    _refuse_unknown_keys(data, ROUND_KEYS, "the file")
    seed = data.get("seed")
    if seed is not None and not _is_integer(seed):
        raise InvalidInput(f"seed must be a whole number, not {seed!r}")
    return Round(
        destinations=[
            _destination(number, item) for number, item in enumerate(_list(data, "destinations", "the file"))
        ],
        applicants=[_applicant(number, item) for number, item in enumerate(_list(data, "applicants", "the file"))],
        seed=seed,
        inclusion=_inclusion(data.get("inclusion")),
    )


def allocation_json(allocation: Allocation) -> Iterator[str]:
    """The output document in pieces (one line per section), to be written one after the other.

    Pieces rather than one string: the explanations of a large round weigh tens of megabytes, not worth copying.
    """
    sections = {
        "seed": allocation.seed,
        "assignments": allocation.assignments,
        "waiting_lists": allocation.waiting_lists,
        "explanations": allocation.explanations,
    }
    yield "{"
    for number, (key, value) in enumerate(sections.items()):
        yield f"{',' if number else ''}\n {json.dumps(key)}: "
        yield json.dumps(value, ensure_ascii=False)
    yield "\n}\n"


def _destination(number: int, item: Any) -> Destination:
    name = _name("destination", number, item)
    _refuse_unknown_keys(item, DESTINATION_KEYS, name)
    if "capacity" not in item:
        raise InvalidInput(f"{name}: missing capacity")
    capacity = item["capacity"]
    if not _is_integer(capacity) or capacity < 0:
        raise InvalidInput(f"{name}: capacity must be a whole number >= 0, not {capacity!r}")
    return Destination(id=item["id"], capacity=capacity)


def _applicant(number: int, item: Any) -> Applicant:
    # The common case first, without building names: this runs once per applicant of a large round.
    if type(item) is not dict or type(item.get("id")) is not str or not item["id"]:
        _name("applicant", number, item)
    if not item.keys() <= APPLICANT_KEYS:
        _refuse_unknown_keys(item, APPLICANT_KEYS, f"applicant {item['id']}")
    score, choices, eligible = item.get("score"), item.get("choices"), item.get("eligible")
    fewer = item.get("fewer_opportunities", False)
    if (
        type(score) not in NUMBERS
        or not math.isfinite(score)
        or type(choices) is not list
        or (eligible is not None and type(eligible) is not list)
        or type(fewer) is not bool
    ):
        _refuse_applicant(item)
    # Choices and eligible destinations that are not destination ids are for `allocate` to name.
    return Applicant(item["id"], score, choices, eligible, fewer)


def _refuse_applicant(item: dict[str, Any]) -> NoReturn:
    name = f"applicant {item['id']}"
    if "score" not in item:
        raise InvalidInput(f"{name}: missing score")
    score = item["score"]
    if type(score) not in NUMBERS or not math.isfinite(score):
        raise InvalidInput(f"{name}: score must be a finite number, not {score!r}")
    _list(item, "choices", name)
    if item.get("eligible") is not None:
        _list(item, "eligible", name)
    raise InvalidInput(f"{name}: fewer_opportunities must be true or false, not {item['fewer_opportunities']!r}")


def _inclusion(item: Any) -> InclusionPolicy | None:
    if item is None:
        return None
    if not isinstance(item, dict):
        raise InvalidInput(f'inclusion must be an object such as {{"reserved_share": 0.1}}, not {item!r}')
    _refuse_unknown_keys(item, INCLUSION_KEYS, "inclusion")
    values = {}
    for key in INCLUSION_KEYS & item.keys():
        value = item[key]
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidInput(f"inclusion: {key} must be a number, not {value!r}")
        values[key] = float(value)
    return InclusionPolicy(**values)


def _name(kind: str, number: int, item: Any) -> str:
    """The item's name in messages: `applicant S7`, or `applicant #7` (from 1) when its id is unusable."""
    if not isinstance(item, dict):
        raise InvalidInput(f"{kind} #{number + 1}: must be a JSON object, not {item!r}")
    if "id" not in item:
        raise InvalidInput(f"{kind} #{number + 1}: missing id")
    if not isinstance(item["id"], str) or not item["id"]:
        raise InvalidInput(f"{kind} #{number + 1}: id must be a non-empty string, not {item['id']!r}")
    return f"{kind} {item['id']}"


def _list(item: dict[str, Any], key: str, name: str) -> list[Any]:
    if key not in item:
        raise InvalidInput(f"{name}: missing {key}")
    value = item[key]
    if not isinstance(value, list):
        raise InvalidInput(f"{name}: {key} must be a list, not {value!r}")
    return value


def _refuse_unknown_keys(item: dict[str, Any], allowed: set[str], name: str) -> None:
    if item.keys() <= allowed:
        return
    unknown = sorted(item.keys() - allowed)
    if unknown:
        raise InvalidInput(f"{name}: unknown key {unknown[0]!r} (expected {', '.join(sorted(allowed))})")


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
