"""Read a caseload file as a stream of records, one per household, in constant memory.

JSON Lines: every physical line is one record (a blank line too: it becomes an error row, so
every line is accounted for). CSV: a header row of field paths (see `columns.py`), then one
record per row. The reader counts the bytes it has consumed and hashes them as it goes, so a
resumed batch can prove it is reading the same input it started on (see `state.py`).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import sys
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import BinaryIO, NamedTuple, Optional, Union

from ..errors import InputError, Problem
from ..formats.yamlfile import STDIN
from .columns import Columns

MAX_RECORD_BYTES = 1_000_000
"""A record longer than this is an error row, not a household (a situation is a few kilobytes)."""


class InputFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


_SUFFIXES = {".jsonl": InputFormat.jsonl, ".ndjson": InputFormat.jsonl, ".csv": InputFormat.csv}


def format_of(path: Path, given: Optional[str], *, what: str) -> InputFormat:
    """The format named by `given`, else by the file's extension; InputError if neither says."""
    if given:
        return InputFormat(given)
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None and str(path) == STDIN:
        raise InputError(
            [
                Problem(
                    "--input-format",
                    "standard input has no file name to tell the format from",
                    code="format",
                    expected="--input-format jsonl or --input-format csv",
                )
            ]
        )
    if found is None:
        raise InputError(
            [
                Problem(
                    str(path),
                    f"cannot tell the {what} format from the file name",
                    code="format",
                    found=repr(path.suffix or "no extension"),
                    expected=".jsonl, .ndjson or .csv (or give the format option)",
                )
            ]
        )
    return found


class Record(NamedTuple):
    """One household as read: the line it starts on and its raw content (a tuple: cheap to send to a worker)."""

    line: int
    data: Union[bytes, list[str]]
    """JSON Lines: the line's bytes. CSV: the row's cells."""
    problem: Optional[str] = None
    """Set when the record could not even be read as a row (too long, broken CSV quoting)."""


class Block(NamedTuple):
    """Whole JSON lines as read, the first numbered `first_line`: a chunk's lines are sent to a
    worker as one bytes object, which costs a tenth of a record each to send (`records_of`)."""

    first_line: int
    data: bytes


def records_of(block: Block) -> list[Record]:
    """The records of a block: exactly the records `InputStream.records` gives for its lines
    (less their line ends, which every reader of a record strips)."""
    data = block.data
    if block.first_line == 1 and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return [Record(number, raw) for number, raw in enumerate(lines, start=block.first_line)]


Work = Union[Block, list[Record]]
"""A chunk as sent to a worker."""

_READ = 1 << 22
"""Bytes read at a time from a JSON Lines input."""


@dataclass(frozen=True)
class Position:
    """How far into the input a batch has read: bytes, the next line number, and a hash of the prefix."""

    bytes: int
    line: int
    sha256: str


class InputStream:
    """Records from a caseload file, with the consumed prefix's length and hash kept current."""

    def __init__(self, path: Path, kind: InputFormat) -> None:
        self.path = path
        self.kind = kind
        from ..formats.yamlfile import YAMLProblem, open_regular

        # `-`: a caseload piped in. Each record is bounded (MAX_RECORD_BYTES) and the stream is read
        # once, front to back, so nothing needs its size; a resume reads the same prefix again from
        # the new pipe and checks its hash, as for a file.
        self.from_stdin = str(path) == STDIN
        if self.from_stdin:
            self._file: BinaryIO = sys.stdin.buffer
            self.size = 0
        else:
            try:
                self._file = open_regular(path)  # a FIFO or /dev/zero is refused, not read for ever
                self.size = os.fstat(self._file.fileno()).st_size
            except YAMLProblem as exc:
                raise InputError([exc.problem]) from None
        self._hash = hashlib.sha256()
        self.offset = 0
        self.next_line = 1
        self.columns: Optional[Columns] = None
        if kind is InputFormat.csv:
            self.columns = self._read_header()

    def close(self) -> None:
        if not self.from_stdin:  # standard input belongs to the process, not to the batch
            self._file.close()

    def position(self) -> Position:
        return Position(self.offset, self.next_line, self._hash.hexdigest())

    def skip_to(self, position: Position) -> bool:
        """Consume the input up to `position`; False if the prefix read differs from the one recorded."""
        remaining = position.bytes - self.offset
        while remaining > 0:
            block = self._file.read(min(remaining, 1 << 20))
            if not block:
                return False
            self._take(block)
            remaining -= len(block)
        self.next_line = position.line
        return self._hash.hexdigest() == position.sha256

    def _take(self, raw: bytes) -> None:
        self._hash.update(raw)
        self.offset += len(raw)

    def _lines(self) -> Iterator[tuple[bytes, int]]:
        """Each physical line with its length; a line over MAX_RECORD_BYTES is read past in
        blocks, never held whole, and comes as (b"", its length)."""
        while True:
            raw = self._file.readline(MAX_RECORD_BYTES + 1)
            if not raw:
                return
            self._take(raw)
            if len(raw) <= MAX_RECORD_BYTES or raw.endswith(b"\n"):
                yield (raw, len(raw)) if len(raw) <= MAX_RECORD_BYTES else (b"", len(raw))
                continue
            size = len(raw)
            del raw
            while True:
                block = self._file.readline(1 << 16)
                self._take(block)
                size += len(block)
                if not block or block.endswith(b"\n"):
                    break
            yield b"", size

    def chunks(self, size: int) -> Iterator[tuple[Work, int, Position]]:
        """Chunks of up to `size` records, each with its number of records and the input position
        just after it. JSON Lines come as blocks of whole lines (`jsonl_blocks`), CSV as lists of records."""
        if self.kind is InputFormat.jsonl:
            yield from self.jsonl_blocks(size)
            return
        records = self.records()
        while True:
            chunk = list(islice(records, size))
            if not chunk:
                return
            yield chunk, len(chunk), self.position()

    def jsonl_blocks(self, size: int) -> Iterator[tuple[Work, int, Position]]:
        """The JSON Lines input as blocks of up to `size` whole lines, read 4 MiB at a time and
        hashed a block at a time (a line at a time cost more than screening it). A line over
        MAX_RECORD_BYTES is a record of its own with its problem, as `records` gives it; one
        without a line end in sight is read past, never held whole."""
        buffer, head, at_end = b"", 0, False
        while True:
            start, lines, long_line = head, 0, False
            while lines < size:
                end = buffer.find(b"\n", start)
                if end < 0 and at_end and start < len(buffer):
                    end = len(buffer) - 1  # the last line, with no line end
                if end < 0:
                    long_line = len(buffer) - start > MAX_RECORD_BYTES
                    break
                if end + 1 - start > MAX_RECORD_BYTES:
                    long_line = True
                    break
                start, lines = end + 1, lines + 1
            if lines:
                data = buffer[head:start]
                self._take(data)
                first = self.next_line
                self.next_line += lines
                head = start
                yield Block(first, data), lines, self.position()
                continue
            if long_line:
                buffer, head, at_end = yield from self._long_line(buffer, head, at_end)
                continue
            if at_end:
                return
            block = self._file.read(_READ)
            at_end = not block
            buffer, head = buffer[head:] + block, 0

    def _long_line(
        self, buffer: bytes, head: int, at_end: bool
    ) -> Generator[tuple[Work, int, Position], None, tuple[bytes, int, bool]]:
        """Read past the line over MAX_RECORD_BYTES at `head`, a block at a time, and give its
        error record; returns what is left of the buffer, as `jsonl_blocks` keeps it."""
        size = 0
        while True:
            end = buffer.find(b"\n", head)
            piece = buffer[head:] if end < 0 else buffer[head : end + 1]
            self._take(piece)
            size += len(piece)
            if end >= 0:
                head = end + 1
                break
            if at_end:
                buffer, head = b"", 0
                break
            buffer, head = self._file.read(_READ), 0
            at_end = not buffer
        line = self.next_line
        self.next_line += 1
        problem = f"the line is {size:,} bytes; a household may be at most {MAX_RECORD_BYTES:,}"
        yield [Record(line, b"", problem=problem)], 1, self.position()
        return buffer, head, at_end

    def _read_header(self) -> Columns:
        raw = self._file.readline(MAX_RECORD_BYTES + 1)
        self._take(raw)
        self.next_line += 1
        text = codecs.decode(raw, "utf-8-sig", errors="replace")
        header = next(csv.reader([text]), [])
        return Columns.from_header(header, where=str(self.path))

    def records(self) -> Iterator[Record]:
        """Every record from the current position to the end."""
        if self.kind is InputFormat.jsonl:
            return self._jsonl()
        return self._csv()

    def _jsonl(self) -> Iterator[Record]:
        for raw, size in self._lines():
            line = self.next_line
            self.next_line += 1
            if line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if size > MAX_RECORD_BYTES:
                yield Record(line, b"", problem=f"the line is {size:,} bytes; a household may be at most {MAX_RECORD_BYTES:,}")
            else:
                yield Record(line, raw)

    def _csv(self) -> Iterator[Record]:
        counted = _LineCounter(self)
        reader = csv.reader(counted)
        while True:
            start = self.next_line
            counted.bytes = 0
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(start, [], problem=f"cannot read the CSV row: {exc}")
                continue
            if counted.bytes > MAX_RECORD_BYTES:
                yield Record(
                    start, [], problem=f"the row is {counted.bytes:,} bytes; a household may be at most {MAX_RECORD_BYTES:,}"
                )
            else:
                yield Record(start, cells)


class _LineCounter:
    """Decoded lines for the csv module, counting lines and bytes as the stream consumes them."""

    def __init__(self, stream: InputStream) -> None:
        self.stream = stream
        self.bytes = 0
        self._lines = stream._lines()

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        raw, size = next(self._lines)
        self.stream.next_line += 1
        self.bytes += size
        return raw.decode("utf-8", errors="replace")
