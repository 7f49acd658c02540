"""`needs batch` on stderr: the progress bar while it screens, and the one-line summary after.

rich is imported inside the functions, as the command imported it: the summary alone (stderr not
a terminal) loads no progress bar.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..plural import plural

if TYPE_CHECKING:
    from ..batch.runner import BatchJob, Progress, Summary


@contextmanager
def progress_bar(job: BatchJob) -> Iterator[Progress]:
    """A bar on stderr, gone when the batch ends; yields the callback `run_batch` reports to.
    A piped input's length is not known until it ends, so its bar only pulses."""
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

        piped = str(job.input) == STDIN
        task = bar.add_task("batch", total=None if piped else max(job.input.stat().st_size, 1), rows=0, rate=0.0)
        start = bar.get_time()

        def update(done: int, total: int, rows: int) -> None:
            elapsed = bar.get_time() - start
            size = None if piped else max(total, 1)
            bar.update(task, completed=done, total=size, rows=rows, rate=rows / elapsed if elapsed > 0 else 0.0)

        yield update


def print_summary(summary: Summary, out: Path) -> None:
    """Rows written, levels counted, error rows, and this run's speed, on one line of stderr."""
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
