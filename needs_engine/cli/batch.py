"""`needs batch`: re-screen a caseload file, one output row per input line, resumable."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..plural import plural
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
        show = not quiet and sys.stderr.isatty()
        summary = _with_progress(job, run_batch) if show else run_batch(job)
        if not quiet:
            _print_summary(summary, out)

    guarded(run, hint=hint)


def _with_progress(job, run_batch):  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("[bold]screening"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows  {task.fields[rate]:,.0f}/s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        from ..formats.yamlfile import STDIN

        piped = str(job.input) == STDIN  # a pipe's length is not known until it ends: the bar only pulses
        task = bar.add_task("batch", total=None if piped else max(job.input.stat().st_size, 1), rows=0, rate=0.0)
        start = bar.get_time()

        def update(done: int, total: int, rows: int) -> None:
            elapsed = bar.get_time() - start
            size = None if piped else max(total, 1)
            bar.update(task, completed=done, total=size, rows=rows, rate=rows / elapsed if elapsed > 0 else 0.0)

        return run_batch(job, update)


def _print_summary(summary, out: Path) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(stderr=True)
    levels = ", ".join(f"{level} {count:,}" for level, count in summary.counts.items()) or "none"
    resumed = f" (resumed after {summary.resumed_from:,})" if summary.resumed_from else ""
    console.print(
        f"{plural(summary.rows, 'row')} in {out}{resumed}: {summary.rows - summary.errors:,} assessed ({levels}), "
        f"{plural(summary.errors, 'error row')}; {summary.rows_this_run:,} this run in {summary.seconds:.1f}s "
        f"({summary.rate:,.0f} rows/s)",
        highlight=False,
        soft_wrap=True,
    )
