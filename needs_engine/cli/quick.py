"""`needs assess FILE` written plainly, read without typer (issue 16, section 4).

A screener's `needs assess` is a fresh process each time, and typer cost it about a fifth of
its time before the command began: importing typer and click, building the command, and (typer
0.29) a pydantic TypeAdapter for each of the command's twelve options as it read them. The
common command line needs none of that, so the entry point reads it here and calls the very
function typer would (`running.assess_command`), with the values typer would have passed.

Only a plain command line is read here: one FILE (or `-`), and `--rulebook/-r ID`, `--format/-f
FORMAT` (a value of `OutputFormat`, exactly as typer's choice accepts it), `--full` and
`--all-questions`, each option at most once, values given as the next word or after `=`.
Anything else (help, another option, a second FILE, `--`, a value starting with `-`, a short
option joined to its value, shell completion, NEEDS_DEBUG) returns None and goes through typer,
which gives its own answer and its own errors; `tests/cli/test_quick_assess.py` holds the two
ways to the same bytes and exit status for the lines read here.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Optional, TypedDict

from .running import OutputFormat

VALUED = {"--rulebook": "rulebook", "-r": "rulebook", "--format": "output", "-f": "output"}
"""The options taking a value that are read here, and the parameter each sets."""
FLAGS = {"--full": "full", "--all-questions": "all_questions"}
"""The flag options read here, and the parameter each sets."""
FORMATS = {member.value: member for member in OutputFormat}


class PlainAssess(TypedDict, total=False):
    """The parameters of `running.assess_command` a plain command line gives; the others keep
    that function's defaults, which are typer's (`running.DEFAULT_RULEBOOK`, `DEFAULT_FORMAT`)."""

    rulebook: str
    output: OutputFormat
    full: bool
    all_questions: bool


def plain_assess(arguments: list[str], environ: Optional[Mapping[str, str]] = None) -> Optional[tuple[Path, PlainAssess]]:
    """FILE and the options of `needs assess ARGUMENTS` for `running.assess_command`, or None when
    the command line is not a plain one (typer then reads it)."""
    environ = os.environ if environ is None else environ
    if environ.get("NEEDS_DEBUG") or any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None
    values: dict[str, str] = {}
    files: list[str] = []
    words = iter(arguments)
    for word in words:
        if word == "-" or not word.startswith("-"):
            files.append(word)
            continue
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in FLAGS and not equals:
            parameter = FLAGS[name]
        elif name in VALUED:
            if not equals:
                value = next(words, "")
            if not value or value.startswith("-"):
                return None
            parameter = VALUED[name]
            if parameter == "output" and value not in FORMATS:
                return None
        else:
            return None
        if parameter in values:
            return None
        values[parameter] = value
    if len(files) != 1 or not files[0]:
        return None
    return Path(files[0]), _parameters(values)


def _parameters(values: dict[str, str]) -> PlainAssess:
    """The options read, typed as typer would type them: a flag given is True, a format its member."""
    chosen = PlainAssess()
    if "rulebook" in values:
        chosen["rulebook"] = values["rulebook"]
    if "output" in values:
        chosen["output"] = FORMATS[values["output"]]
    if "full" in values:
        chosen["full"] = True
    if "all_questions" in values:
        chosen["all_questions"] = True
    return chosen


def run_plain_assess(arguments: list[str]) -> bool:
    """Run `needs assess ARGUMENTS` if it is a plain command line (False, having done nothing, if
    not), ending as typer ends a command: SystemExit with the status, 130 on Ctrl-C."""
    plain = plain_assess(arguments)
    if plain is None:
        return False
    from . import running

    file, parameters = plain
    try:
        running.guarded_as(
            lambda: running.assess_command(file, **parameters),
            hint="needs assess --help",
            exit_with=SystemExit,
            passed_on=(KeyboardInterrupt,),
        )
    except KeyboardInterrupt:
        sys.exit(130)
    return True
