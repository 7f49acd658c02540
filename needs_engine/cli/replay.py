"""`needs replay`: re-assess a recorded decision and say whether anything would differ."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..plural import plural
from .options import guarded, stdin_once, write_json

app = typer.Typer()


class ReplayFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def replay(
    record: Annotated[
        Path,
        typer.Argument(help="A decision record written by 'needs assess --record'; - reads standard input.", show_default=False),
    ],
    input_file: Annotated[
        Path,
        typer.Option(
            "--input",
            "-i",
            help="The situation (YAML or JSON) the record was made from; - reads standard input.",
            show_default=False,
        ),
    ],
    rulebook: Annotated[
        Optional[str],
        typer.Option("--rulebook", "-r", help="Replay under this rulebook id or path (default: the record's rulebook id)."),
    ] = None,
    output: Annotated[ReplayFormat, typer.Option("--format", "-f", help="text or json.")] = ReplayFormat.text,
) -> None:
    """Re-assess a recorded decision: exit 0 if identical, 1 with every difference if not."""

    def run() -> bool:
        from ..formats.inputs import read_situation
        from ..render.theme import rulebook_stamp
        from ..workflows.records import read_record
        from ..workflows.records import replay as replay_record

        stdin_once(RECORD=record, **{"--input": input_file})
        report = replay_record(read_record(record), read_situation(input_file), rulebook)
        if output is ReplayFormat.json:
            write_json(report)
        else:
            used = rulebook_stamp(report.rulebook)
            if report.identical:
                sys.stdout.write(f"identical: the decision in {record} replays the same under {used}\n")
            else:
                sys.stdout.write(f"{plural(len(report.differences), 'difference')} replaying {record} under {used}:\n")
                sys.stdout.writelines(f"  - {difference.message}\n" for difference in report.differences)
            if report.recorded_engine_version != report.engine_version:
                sys.stdout.write(
                    f"note: recorded by engine {report.recorded_engine_version}, replayed by {report.engine_version}\n"
                )
        return report.identical

    if not guarded(run, hint="needs replay --help"):
        raise typer.Exit(code=1)
