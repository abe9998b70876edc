"""`mobilitas allocate INPUT.json [--seed N] [--output OUT.json]`: JSON in, JSON out, exit 2 on invalid input."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROUND: dict[str, Any] = {
    "seed": 42,
    "destinations": [{"id": "D1", "capacity": 1}, {"id": "D2", "capacity": 1}],
    "applicants": [
        {"id": "S1", "score": 15.5, "choices": ["D1", "D2"], "eligible": ["D1", "D2"], "fewer_opportunities": False},
        {"id": "S2", "score": 13.8, "choices": ["D1"]},
        {"id": "S3", "score": 14.2, "choices": ["D2", "D1"], "eligible": ["D1"], "fewer_opportunities": True},
    ],
}


def write(folder: Path, content: Any) -> Path:
    path = folder / "round.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def run(path: Path, *args: str) -> tuple[str, int, str]:
    """stdout, exit status and error message of the command, in process."""
    out = StringIO()
    try:
        call_command("allocate", str(path), *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode, str(error)
    return out.getvalue(), 0, ""


def test_it_prints_the_allocation_as_json(tmp_path: Path) -> None:
    output, status, _error = run(write(tmp_path, ROUND))
    assert status == 0
    assert json.loads(output) == {
        "seed": 42,
        "assignments": {"S1": "D1", "S2": None, "S3": None},
        "waiting_lists": {"D1": ["S3", "S2"], "D2": []},
        "explanations": {
            "S1": "You were admitted to your first choice, D1.",
            "S2": "Your first choice, D1, was full: the last admitted score was 15.5, yours 13.8; you are number 2 on "
            "its waiting list. You were not admitted to any of your choices.",
            "S3": "Your first choice, D2, was ignored: you are not eligible for it. Your second choice, D1, was full: "
            "the last admitted score was 15.5, yours 14.2; you are number 1 on its waiting list. You were not "
            "admitted to any of your choices.",
        },
    }


def test_it_applies_the_inclusion_policy_of_the_file(tmp_path: Path) -> None:
    bonus = {**ROUND, "inclusion": {"bonus": 1}}  # 14.2 + 1 does not beat 15.5
    assert json.loads(run(write(tmp_path, bonus))[0])["assignments"] == {"S1": "D1", "S2": None, "S3": None}
    bigger = {**ROUND, "inclusion": {"bonus": 2}}  # 14.2 + 2 beats 15.5
    assert json.loads(run(write(tmp_path, bigger))[0])["assignments"] == {"S1": "D2", "S2": None, "S3": "D1"}
    reserved = {**ROUND, "inclusion": {"reserved_share": 1}}
    assert json.loads(run(write(tmp_path, reserved))[0])["assignments"] == {"S1": "D2", "S2": None, "S3": "D1"}


def test_seed_option_overrides_the_file_and_a_missing_seed_is_drawn_and_recorded(tmp_path: Path) -> None:
    tie = {
        "destinations": [{"id": "D1", "capacity": 1}],
        "applicants": [{"id": f"S{n}", "score": 12, "choices": ["D1"]} for n in range(8)],
    }
    path = write(tmp_path, tie)
    first = json.loads(run(path)[0])
    assert isinstance(first["seed"], int)
    assert json.loads(run(path, "--seed", str(first["seed"]))[0]) == first
    winners = {json.loads(run(path, "--seed", str(seed))[0])["assignments"].__repr__() for seed in range(6)}
    assert len(winners) > 1
    with_seed = write(tmp_path, {**tie, "seed": 3})
    assert json.loads(run(with_seed)[0])["seed"] == 3
    assert json.loads(run(with_seed, "--seed", "5")[0])["seed"] == 5


def test_output_option_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "allocation.json"
    target.parent.mkdir()
    assert run(write(tmp_path, ROUND), "--output", str(target)) == ("", 0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["assignments"]["S1"] == "D1"


def applicant(**changes: Any) -> dict[str, Any]:
    return {**ROUND, "applicants": [*ROUND["applicants"], {"id": "S7", "score": 12, "choices": ["D1"], **changes}]}


def destination(**changes: Any) -> dict[str, Any]:
    return {**ROUND, "destinations": [*ROUND["destinations"], {"id": "D3", "capacity": 1, **changes}]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"destinations": [],\n "applicants": [}', "malformed JSON at line 2, column 17: Expecting value"),
        ("[1, 2]", "the file must hold a JSON object with destinations and applicants"),
        ({"applicants": []}, "the file: missing destinations"),
        ({**ROUND, "seeds": 1}, "the file: unknown key 'seeds' (expected applicants, destinations, inclusion, seed)"),
        ({**ROUND, "seed": "42"}, "seed must be a whole number, not '42'"),
        (applicant(choices=["D1", "D9"]), "applicant S7: choice 'D9' is not a destination"),
        (applicant(choices=["D1", "D2", "D1"]), "applicant S7: choice 'D1' is listed twice"),
        (applicant(choices=["D1", 3]), "applicant S7: choice 3 is not a destination"),
        (applicant(choices=[["D1"]]), "applicant S7: choice ['D1'] is not a destination"),
        (applicant(choices="D1"), "applicant S7: choices must be a list, not 'D1'"),
        (applicant(eligible=["D1", "D0"]), "applicant S7: eligible destination 'D0' is not a destination"),
        (applicant(eligible="D1"), "applicant S7: eligible must be a list, not 'D1'"),
        (applicant(id="S1"), "applicant S1: the id is used twice"),
        (applicant(id=7), "applicant #4: id must be a non-empty string, not 7"),
        (applicant(score="abc"), "applicant S7: score must be a finite number, not 'abc'"),
        (applicant(score=True), "applicant S7: score must be a finite number, not True"),
        (applicant(score=None), "applicant S7: score must be a finite number, not None"),
        (applicant(fewer_opportunities="yes"), "applicant S7: fewer_opportunities must be true or false, not 'yes'"),
        (applicant(eligble=["D1"]), "applicant S7: unknown key 'eligble' (expected choices, eligible, "),
        (
            {**ROUND, "applicants": [{"id": "S9", "choices": []}]},
            "applicant S9: missing score",
        ),
        ({**ROUND, "applicants": [{"score": 1, "choices": []}]}, "applicant #1: missing id"),
        ({**ROUND, "applicants": ["S1"]}, "applicant #1: must be a JSON object, not 'S1'"),
        (destination(capacity=-1), "destination D3: capacity must be a whole number >= 0, not -1"),
        (destination(capacity=1.5), "destination D3: capacity must be a whole number >= 0, not 1.5"),
        (destination(id="D1"), "destination D1: the id is used twice"),
        ({**ROUND, "destinations": [{"id": "D1"}]}, "destination D1: missing capacity"),
        ({**ROUND, "inclusion": {"reserved_share": 2}}, "inclusion: reserved_share must be between 0 and 1, not 2.0"),
        ({**ROUND, "inclusion": {"bonus": "1"}}, "inclusion: bonus must be a number, not '1'"),
        ({**ROUND, "inclusion": {"quota": 1}}, "inclusion: unknown key 'quota' (expected bonus, reserved_share)"),
        ({**ROUND, "inclusion": 0.1}, 'inclusion must be an object such as {"reserved_share": 0.1}, not 0.1'),
    ],
)
def test_invalid_input_exits_2_naming_the_item(tmp_path: Path, content: Any, message: str) -> None:
    path = write(tmp_path, content)
    output, status, error = run(path)
    assert (output, status) == ("", 2)
    assert error.startswith(f"{path}: {message}")


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    assert run(tmp_path / "nowhere.json") == ("", 2, f"{tmp_path / 'nowhere.json'}: No such file or directory")


def test_exit_statuses_and_stderr_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mobilitas.settings"}
    command = [sys.executable, "-m", "mobilitas", "allocate"]
    good = subprocess.run([*command, str(write(tmp_path, ROUND))], capture_output=True, text=True, env=env, check=False)  # noqa: S603
    assert (good.returncode, good.stderr) == (0, "")
    assert json.loads(good.stdout)["seed"] == 42
    bad = write(tmp_path, applicant(choices=["D9"]))
    refused = subprocess.run([*command, str(bad)], capture_output=True, text=True, env=env, check=False)  # noqa: S603
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == f"CommandError: {bad}: applicant S7: choice 'D9' is not a destination\n"
