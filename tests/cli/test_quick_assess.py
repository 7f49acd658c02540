"""Issue 16, section 4: a plain `needs assess FILE` is read without typer, to the same effect.

`needs_engine.cli.quick` reads the common command lines itself and calls the function typer's
command calls (`running.assess_command`). These tests hold it to typer: the same parameters for
every line it reads, None (typer reads it) for the rest, and, run as whole processes, the same
stdout, stderr and exit status as the command tree run through typer, errors included.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from needs_engine.cli import quick, running
from needs_engine.cli.app import app
from tests.cli.test_help_cache import RUN
from tests.cli.test_imports import FULL

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml")

PLAIN = [
    [EXAMPLE],
    [EXAMPLE, "--format", "json"],
    ["--format=json", EXAMPLE],
    ["-f", "markdown", EXAMPLE],
    [EXAMPLE, "-f", "html"],
    ["-r", "st-helens", EXAMPLE, "--full"],
    [EXAMPLE, "--rulebook=east-sussex", "--all-questions"],
    [EXAMPLE, "--full", "--all-questions", "--rulebook", "knowsley", "--format", "rich"],
    ["-"],
    ["no-such-file.yaml"],
    [EXAMPLE, "-r", "no-such-rulebook"],
]
"""Command lines the quick reader takes (after `needs assess`), good and bad."""

NOT_PLAIN = [
    [],
    [EXAMPLE, EXAMPLE],
    [EXAMPLE, "-f", "JSON"],
    [EXAMPLE, "--format", "yaml"],
    [EXAMPLE, "--full=true"],
    [EXAMPLE, "-fjson"],
    [EXAMPLE, "-r"],
    [EXAMPLE, "-r", "-f"],
    [EXAMPLE, "--rulebook="],
    [EXAMPLE, "--full", "--full"],
    [EXAMPLE, "-r", "knowsley", "--rulebook", "st-helens"],
    ["--", EXAMPLE],
    [EXAMPLE, "--help"],
    [EXAMPLE, "-h"],
    [EXAMPLE, "--by", "SW"],
    [EXAMPLE, "--override-level", "targeted", "--reason", "judgement"],
    [EXAMPLE, "--record", "records"],
    [EXAMPLE, "--include-input"],
    [EXAMPLE, "--no-such-option"],
    [""],
]
"""Command lines it leaves to typer."""


def typer_parameters(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The parameters typer's `assess` hands to `running.assess_command` for `needs assess ARGUMENTS`."""
    seen: dict[str, Any] = {}
    names = running.assess_command.__code__.co_varnames[: running.assess_command.__code__.co_argcount]
    monkeypatch.setattr(running, "assess_command", lambda *values: seen.update(zip(names, values, strict=True)))
    result = CliRunner().invoke(app, ["assess", *arguments])
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("arguments", PLAIN, ids=lambda a: " ".join(a).replace(EXAMPLE, "EXAMPLE"))
def test_the_quick_reader_gives_what_typer_gives(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    plain = quick.plain_assess(arguments, {})
    assert plain is not None
    file, given = plain
    # What the quick reader does not read keeps `assess_command`'s defaults; typer passes its own.
    mine = inspect.signature(running.assess_command).bind(file, **given)
    mine.apply_defaults()
    mine = mine.arguments
    theirs = typer_parameters(arguments, monkeypatch)
    assert {name: (type(value), value) for name, value in mine.items()} == {
        name: (type(value), value) for name, value in theirs.items()
    }


@pytest.mark.parametrize("arguments", NOT_PLAIN, ids=lambda a: " ".join(a).replace(EXAMPLE, "EXAMPLE") or "nothing")
def test_the_quick_reader_leaves_the_rest_to_typer(arguments: list[str]) -> None:
    assert quick.plain_assess(arguments, {}) is None


def test_debugging_and_completion_go_through_typer() -> None:
    assert quick.plain_assess([EXAMPLE], {}) is not None
    assert quick.plain_assess([EXAMPLE], {"NEEDS_DEBUG": "1"}) is None
    assert quick.plain_assess([EXAMPLE], {"_NEEDS_COMPLETE": "bash_complete"}) is None


THROUGH_TYPER = FULL
"""`needs ARGUMENTS` through the whole typer command tree."""
ENTRY_POINT = RUN
"""`needs ARGUMENTS` through the entry point, then `TYPER True|False` on stderr: whether typer was imported."""


def run(script: str, arguments: list[str], stdin: bytes) -> tuple[int, bytes, bytes]:
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("NEEDS_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-c", script, "assess", *arguments], input=stdin, capture_output=True, env=env, check=False
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize(
    "arguments",
    [*PLAIN, [EXAMPLE, "-f", "JSON"], [EXAMPLE, "--full=true"], [EXAMPLE, EXAMPLE], [EXAMPLE, "-fjson"]],
    ids=lambda a: " ".join(a).replace(EXAMPLE, "EXAMPLE"),
)
def test_the_entry_point_prints_and_exits_as_typer_does(arguments: list[str], tmp_path: Path) -> None:
    """Whole processes, byte for byte; the plain lines ran without importing typer at all."""
    stdin = Path(EXAMPLE).read_bytes() if arguments == ["-"] else b""
    expected = run(THROUGH_TYPER, arguments, stdin)
    code, out, err = run(ENTRY_POINT, arguments, stdin)
    err, _, typer_seen = err.rpartition(b"\nTYPER ")
    assert (code, out, err) == expected
    assert typer_seen == (b"False" if quick.plain_assess(arguments, {}) is not None else b"True")
    assert expected[1] or expected[2]


def test_bad_input_on_standard_input_fails_alike() -> None:
    bad = b"household: [this is not\n"
    expected = run(THROUGH_TYPER, ["-"], bad)
    code, out, err = run(ENTRY_POINT, ["-"], bad)
    assert (code, out, err.rpartition(b"\nTYPER ")[0]) == expected
    assert expected[0] == 2 and b"Error" in expected[2]
