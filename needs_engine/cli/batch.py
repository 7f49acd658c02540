"""`needs batch`: re-screen a caseload file, one output row per input line, resumable."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import DEFAULT_RULEBOOK, RulebookOption, guarded

app = typer.Typer()


@app.command()
def batch(
    input_file: Annotated[
        Path,
        typer.Argument(
            metavar="INPUT",
            help="Households as JSON Lines (.jsonl) or CSV (.csv); - reads standard input (with --input-format).",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write one row per input line (.jsonl or .csv).")],
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    input_format: Annotated[
        Optional[str], typer.Option("--input-format", help="jsonl or csv (default: from the INPUT extension).")
    ] = None,
    output_format: Annotated[
        Optional[str], typer.Option("--output-format", help="jsonl or csv (default: from the --out extension).")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1, max=64, help="Worker processes.")] = 2,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, max=100_000, help="Households per chunk of work.")] = 2000,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted batch into the same --out.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing --out and start again.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
    per_record: Annotated[
        bool,
        typer.Option(
            "--per-record",
            help="Screen every line one household at a time through the model (the same rows, slower; to check the columnar path).",
        ),
    ] = False,
) -> None:
    """Screen every household in a caseload file: levels and fired descriptors per line, or an error row.

    Exit 0 when every line has its row (error rows are counted in the summary), 2 when the
    input or output cannot be used at all (unreadable, unknown format, unknown CSV column,
    a resume that does not match), 1 on an internal error.
    """
    hint = "needs batch --help"

    def run() -> None:
        from ..batch.reader import InputFormat, format_of
        from ..batch.runner import BatchJob, run_batch
        from ..batch.writer import output_format_of
        from ..errors import InputError, Problem

        if resume and overwrite:
            raise InputError([Problem("--resume", "--resume and --overwrite cannot be used together")])
        try:
            job = BatchJob(
                input=input_file,
                output=out,
                input_format=InputFormat(format_of(input_file, input_format, what="input")),
                output_format=output_format_of(out, output_format),
                rulebook=rulebook,
                workers=workers,
                chunk_size=chunk_size,
                resume=resume,
                overwrite=overwrite,
                per_record=per_record,
            )
        except ValueError as exc:
            raise InputError([Problem("--input-format/--output-format", str(exc), expected="jsonl or csv")]) from None
        from ..render.batch import print_summary, progress_bar

        if quiet or not sys.stderr.isatty():
            summary = run_batch(job)
        else:
            with progress_bar(job) as update:
                summary = run_batch(job, update)
        if not quiet:
            print_summary(summary, out)

    guarded(run, hint=hint)
