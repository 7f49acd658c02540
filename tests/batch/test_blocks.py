"""JSON Lines read in blocks (`InputStream.jsonl_blocks`) give exactly the records, in order, and
the input positions that reading a line at a time (`InputStream.records`) gives.

The batch sends a worker a chunk of JSON lines as one block of bytes, which the worker splits
(`reader.records_of`). A wrong split would shift line numbers, join two households or drop one,
so every awkward input is read both ways here, with the block and the longest record made small
so that lines straddle blocks and run past the limit.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from needs_engine.batch import reader
from needs_engine.batch.reader import Block, InputFormat, InputStream, Record, records_of

LIMIT = 40
"""The longest record, in bytes, for these tests (MAX_RECORD_BYTES is a million)."""

INPUTS = {
    "plain": b'{"a": 1}\n{"b": 2}\n{"c": 3}\n',
    "no line end at the end": b'{"a": 1}\n{"b": 2}',
    "blank and white lines": b'\n   \n{"a": 1}\n\r\n\t\n',
    "a byte order mark": codecs.BOM_UTF8 + b'{"a": 1}\n{"b": 2}\n',
    "carriage returns kept": b'{"a": 1}\r\n{"b": 2}\r\n',
    "a long line in the middle": b'{"a": 1}\n' + b"x" * (LIMIT + 5) + b'\n{"b": 2}\n',
    "a line exactly at the limit": b"y" * (LIMIT - 1) + b"\n" + b"z" * LIMIT + b"\n",
    "a long line first": b"x" * (LIMIT * 7) + b'\n{"b": 2}\n',
    "a long line at the end with no line end": b'{"a": 1}\n' + b"x" * (LIMIT * 3),
    "long lines one after another": (b"x" * (LIMIT * 2) + b"\n") * 3 + b"ok\n",
    "only a long line": b"x" * (LIMIT * 5),
    "empty": b"",
    "a lone line end": b"\n",
    "many lines": b"".join(b'{"n": %d}\n' % i for i in range(57)),
}


def by_lines(path: Path) -> tuple[list[Record], reader.Position]:
    stream = InputStream(path, InputFormat.jsonl)
    try:
        records = [Record(r.line, r.data.removesuffix(b"\n"), r.problem) for r in stream.records()]
        return records, stream.position()
    finally:
        stream.close()


def by_blocks(path: Path, size: int) -> tuple[list[Record], list[int], reader.Position]:
    stream = InputStream(path, InputFormat.jsonl)
    try:
        records: list[Record] = []
        counts = []
        for work, count, position in stream.jsonl_blocks(size):
            found = records_of(work) if isinstance(work, Block) else work
            assert len(found) == count
            assert position == stream.position()
            records += found
            counts.append(count)
        return records, counts, stream.position()
    finally:
        stream.close()


@pytest.mark.parametrize("name", list(INPUTS))
@pytest.mark.parametrize("read", [7, 16, 1 << 22])
@pytest.mark.parametrize("size", [1, 3, 500])
def test_blocks_give_the_records_and_positions_lines_give(
    name: str, read: int, size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", LIMIT)
    monkeypatch.setattr(reader, "_READ", read)
    path = tmp_path / "in.jsonl"
    path.write_bytes(INPUTS[name])
    expected, end = by_lines(path)
    if name == "a byte order mark":  # both readers drop it from the first record
        assert expected[0].data == b'{"a": 1}'
    got, counts, position = by_blocks(path, size)
    assert got == expected
    assert position == end and position.bytes == len(INPUTS[name])
    assert all(1 <= count <= size for count in counts)


def test_a_record_over_the_limit_keeps_its_size_in_its_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "MAX_RECORD_BYTES", LIMIT)
    monkeypatch.setattr(reader, "_READ", 16)
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"a": 1}\n' + b"x" * 100 + b"\n")
    records, _, _ = by_blocks(path, 500)
    assert records[1] == Record(2, b"", problem=f"the line is 101 bytes; a household may be at most {LIMIT:,}")
