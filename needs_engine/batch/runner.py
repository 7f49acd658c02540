"""Run a batch: stream records to worker processes in chunks, write rows in input order, checkpoint.

Memory stays flat whatever the size of the input: only a few chunks are in flight at once.
Rows are written in input order as chunks come back, the output is flushed, and only then is a
checkpoint appended to the state file, so a crash or kill at any moment leaves an output that
`--resume` can cut back to a checkpoint and continue without losing or repeating a row.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import signal
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Optional

from .._version import __version__
from ..errors import EnvironmentFault, InputError, Problem
from ..model.levels import LEVELS
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook
from .columns import Columns
from .lock import output_lock
from .reader import InputFormat, InputStream, Position, Record, Work, records_of
from .screen import screen_record
from .state import Checkpoint, Identity, StateLog, check_identity, read_state, resume_point, state_path
from .writer import OutputFormat, header, row_text

Progress = Callable[[int, int, int], None]
"""Called after each chunk with (input bytes read, input size, rows written)."""


@dataclass(frozen=True)
class BatchJob:
    """What to screen, where to write it, and how."""

    input: Path
    output: Path
    input_format: InputFormat
    output_format: OutputFormat
    rulebook: str = "knowsley"
    workers: int = 2
    chunk_size: int = 2000
    """Households a worker screens at a time: the columnar path's numpy calls cost the same for 500
    households as for 2,000, so larger chunks spread them (10^5 generated households: 12.4-13.0 CPU s
    at 500, 10.2-10.9 at 2,000, 10.9 at 4,000); a chunk's trees stay a few MB per worker."""
    resume: bool = False
    overwrite: bool = False
    per_record: bool = False
    """Screen every JSON Lines record through the pydantic model and the per-record evaluator, not
    the columnar one (the same rows, more slowly: what the columnar batch is checked against)."""


@dataclass
class Summary:
    """What a batch did: rows in total and this run, errors, families per level, time."""

    rows: int = 0
    rows_this_run: int = 0
    resumed_from: int = 0
    errors: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows_this_run / self.seconds if self.seconds > 0 else 0.0


# --- the worker side -------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _start_worker(
    rulebook: str, content_hash: str, columns: Optional[Columns], output_format: OutputFormat, per_record: bool
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _die_with_parent()
    book = load_rulebook(rulebook)
    if book.content_hash != content_hash:
        raise RuntimeError("the rulebook changed while the batch was starting")
    _WORKER.update(rulebook=book, columns=columns, output_format=output_format, per_record=per_record)
    gc.freeze()  # the rulebook and model lives as long as the worker: keep them out of every collection


def _die_with_parent() -> None:
    """Ask Linux to end this worker if the batch process is killed, so no worker is left behind."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def screen_chunk(records: list[Record]) -> tuple[str, dict[str, int], int]:
    """Output text for a chunk of records, the family levels counted, and the number of error rows.

    JSON Lines records go to the columnar evaluator (`columnar/`) unless the batch runs
    `--per-record`; whatever it does not cover is screened one record at a time (`screen.py`).

    The cycle collector is off while a chunk is screened: a chunk makes hundreds of thousands of
    objects, none in a cycle, and the collections they set off took a fifth of a worker's time.
    Whatever a chunk leaves is collected after it, as usual."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _screen_chunk(records)
    finally:
        if collecting:
            gc.enable()


def _screen_chunk(records: list[Record]) -> tuple[str, dict[str, int], int]:
    book: Rulebook = _WORKER["rulebook"]
    columns, kind = _WORKER["columns"], _WORKER["output_format"]
    parts = []
    counts: Counter[str] = Counter()
    errors = 0
    fast = _columnar(records, book, kind) if columns is None and not _WORKER.get("per_record") else None
    for index, record in enumerate(records):
        done = fast[index] if fast is not None else None
        if done is not None:
            parts.append(done[0])
            counts[done[1]] += 1
            continue
        row = screen_record(record, book, columns)
        parts.append(row_text(row, kind))
        level = row.level
        if level is None:
            errors += 1
        else:
            counts[level.value] += 1
    return "".join(parts), dict(counts), errors


def screen_work(work: Work) -> tuple[bytes, dict[str, int], int]:
    """`screen_chunk` of a chunk as a worker is sent it (a block of lines, or records), its text
    encoded here rather than in the batch process, which every chunk passes through."""
    text, counts, errors = screen_chunk(work if isinstance(work, list) else records_of(work))
    return text.encode(), counts, errors


def _columnar(records: list[Record], book: Rulebook, kind: OutputFormat) -> Optional[list[Optional[tuple[str, str]]]]:
    """(row text, family level) for the JSON Lines records the columnar evaluator covers (None
    where the per-record path must screen the record), or None when the rulebook is not covered."""
    from .columnar import jsonl_text, plan_of, row_of, screen_lines

    plan = plan_of(book)
    if plan is None:
        return None
    readable = [r.problem is None and isinstance(r.data, bytes) for r in records]
    screened = iter(screen_lines(plan, [(r.line, r.data) for r, ok in zip(records, readable, strict=True) if ok]))  # type: ignore[misc]
    found: list[Optional[tuple[str, str]]] = []
    for ok in readable:
        household = next(screened) if ok else None
        if household is None:
            found.append(None)
        else:
            text = jsonl_text(plan, household) if kind is OutputFormat.jsonl else row_text(row_of(plan, household), kind)
            found.append((text, LEVELS[household.level].value))
    return found


# --- the parent side -------------------------------------------------------------------------


def run_batch(job: BatchJob, progress: Optional[Progress] = None) -> Summary:
    """Screen every record of `job.input` into `job.output`; raise InputError for a bad input or output.

    The output (and its state file) is locked for the whole run: a second batch on it is refused.
    """
    with output_lock(job.output):
        return _run_locked(job, progress)


def _run_locked(job: BatchJob, progress: Optional[Progress]) -> Summary:
    started = time.perf_counter()
    book = load_rulebook(job.rulebook)
    stream = InputStream(job.input, job.input_format)
    identity = Identity(
        input="-" if stream.from_stdin else str(job.input.resolve()),
        input_format=job.input_format.value,
        output_format=job.output_format.value,
        rulebook=book.id,
        rulebook_hash=book.content_hash,
        engine_version=__version__,
    )
    try:
        output, log, checkpoint = _open(job, identity, stream)
    except BaseException:
        stream.close()
        raise
    summary = Summary(
        rows=checkpoint.rows, resumed_from=checkpoint.rows, errors=checkpoint.errors, counts=dict(checkpoint.counts)
    )
    try:
        if not checkpoint.done:
            digest = _digest_of(job.output, checkpoint.output_bytes)
            for (data, counts, errors), records, position in _screened(stream, job, book):
                lines = data.count(b"\n")
                if lines != records:  # never: every record gives exactly one row of one line
                    raise RuntimeError(f"{records} records gave {lines} output lines")
                try:
                    output.write(data)
                    output.flush()
                except OSError as exc:  # a full disk: name the file, keep what is checkpointed
                    raise EnvironmentFault.of(job.output, exc) from None
                digest.update(data)
                summary.rows_this_run += records
                summary.rows += records
                summary.errors += errors
                for level, count in counts.items():
                    summary.counts[level] = summary.counts.get(level, 0) + count
                checkpoint = Checkpoint(
                    rows=summary.rows,
                    input=position,
                    output_bytes=checkpoint.output_bytes + len(data),
                    output_sha256=digest.hexdigest(),
                    counts=_ordered(summary.counts),
                    errors=summary.errors,
                )
                _append(log, checkpoint)
                if progress is not None:
                    progress(checkpoint.input.bytes, stream.size, summary.rows)
            _append(log, Checkpoint(**{**checkpoint.__dict__, "done": True}))
    finally:
        for handle in (output, log, stream):
            try:
                handle.close()
            except OSError:
                pass  # already reported: the write that failed named the file
    summary.counts = _ordered(summary.counts)
    summary.seconds = time.perf_counter() - started
    return summary


def _screened(
    stream: InputStream, job: BatchJob, book: Rulebook
) -> Iterator[tuple[tuple[bytes, dict[str, int], int], int, Position]]:
    """Screened chunks in input order, each with its number of records and the input position just after it."""
    chunks = stream.chunks(job.chunk_size)
    init = (job.rulebook, book.content_hash, stream.columns, job.output_format, job.per_record)
    if job.workers <= 1:
        _WORKER.update(rulebook=book, columns=stream.columns, output_format=job.output_format, per_record=job.per_record)
        for chunk, records, position in chunks:
            yield screen_work(chunk), records, position
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(job.workers, initializer=_start_worker, initargs=init) as pool:
        pending: deque[tuple[Any, int, Position]] = deque()
        exhausted = False
        while True:
            while not exhausted and len(pending) < job.workers * 3:
                item = next(chunks, None)
                if item is None:
                    exhausted = True
                else:
                    pending.append((pool.apply_async(screen_work, (item[0],)), item[1], item[2]))
            if not pending:
                return
            result, records, position = pending.popleft()
            yield result.get(), records, position


def _append(log: StateLog, checkpoint: Checkpoint) -> None:
    try:
        log.append(checkpoint)
    except OSError as exc:
        raise EnvironmentFault.of(log.path, exc) from None


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    return {level.value: counts[level.value] for level in LEVELS if counts.get(level.value)}


def _digest_of(path: Path, length: int) -> Any:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        remaining = length
        while remaining > 0:
            block = handle.read(min(remaining, 1 << 20))
            if not block:
                break
            digest.update(block)
            remaining -= len(block)
    return digest


def _open(job: BatchJob, identity: Identity, stream: InputStream) -> tuple[BinaryIO, StateLog, Checkpoint]:
    """Open the output and state for a fresh batch or a resumed one, and the checkpoint to start after."""
    state = state_path(job.output)
    if job.output.resolve() == job.input.resolve() or state.resolve() == job.input.resolve():
        raise InputError([Problem(str(job.output), "the output would overwrite the input", code="io", expected="another --out")])
    if job.resume:
        head, checkpoints = read_state(state)
        check_identity(head, identity, state)
        checkpoint = resume_point(checkpoints, job.output)
        if checkpoint is None:
            raise InputError(
                [
                    Problem(
                        str(job.output),
                        "the output no longer matches its state file; start again with --overwrite",
                        code="resume",
                    )
                ]
            )
        if not stream.skip_to(checkpoint.input):
            raise InputError(
                [
                    Problem(
                        str(job.input),
                        f"the input's first {checkpoint.rows:,} records differ from those the batch screened",
                        code="resume",
                        expected="the same input file, unchanged; or start again with --overwrite",
                    )
                ]
            )
        with job.output.open("r+b") as handle:
            handle.truncate(checkpoint.output_bytes)
        return job.output.open("ab"), StateLog.reopen(state), checkpoint
    if job.output.exists() and job.output.stat().st_size > 0 and not job.overwrite:
        raise InputError(
            [
                Problem(
                    str(job.output),
                    "the output file already exists",
                    code="exists",
                    expected="--resume to continue that batch, or --overwrite to start again",
                )
            ]
        )
    try:
        output = job.output.open("wb")
        first = header(job.output_format).encode()
        output.write(first)
        output.flush()
    except OSError as exc:
        raise EnvironmentFault.of(job.output, exc) from None
    try:
        log = StateLog.start(state, identity)
    except OSError as exc:
        raise EnvironmentFault.of(state, exc) from None
    checkpoint = Checkpoint(
        rows=0, input=stream.position(), output_bytes=len(first), output_sha256=hashlib.sha256(first).hexdigest()
    )
    _append(log, checkpoint)
    return output, log, checkpoint
