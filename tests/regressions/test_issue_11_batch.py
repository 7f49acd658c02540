"""Issue 11, batch: a long line read in bounded memory, one lock per output, OS errors named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine.batch import reader
from needs_engine.batch.reader import InputFormat, InputStream
from needs_engine.cli.app import app

from ..cli.test_cli import plain

runner = CliRunner()
HOUSEHOLD = json.dumps({"household": {"children": [{"id": "c1", "age_months": 40}], "carers": [{"id": "m"}]}})


def batch(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["batch", *args, "--workers", "1"])


# --- item 8: a line over the limit is one error row, read without holding it ----------------


def test_a_line_over_the_limit_is_one_error_row_read_in_bounded_memory(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    long_line = 20_000_000
    with source.open("wb") as handle:
        handle.write(HOUSEHOLD.encode() + b"\n")
        handle.write(b'{"household": "' + b"x" * long_line + b'"}\n')
        handle.write(HOUSEHOLD.encode() + b"\n")
    stream = InputStream(source, InputFormat.jsonl)
    tracemalloc.start()
    try:
        records = list(stream.records())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        stream.close()
    assert [r.line for r in records] == [1, 2, 3]
    assert records[1].problem == f"the line is {long_line + 18:,} bytes; a household may be at most {reader.MAX_RECORD_BYTES:,}"
    assert peak < 3 * reader.MAX_RECORD_BYTES, f"peak {peak:,} bytes for a {long_line:,}-byte line"
    assert stream.position().bytes == source.stat().st_size  # every byte accounted for (resume relies on it)


def test_the_long_line_row_is_in_the_output(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(HOUSEHOLD.encode() + b"\n" + b"[" + b"1," * 700_000 + b"1]\n")
    out = tmp_path / "out.jsonl"
    assert batch(str(source), "--out", str(out)).exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["status"] for row in rows] == ["ok", "error"] or [row.get("status") for row in rows][-1] == "error"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_as_input_is_refused_not_read(tmp_path: Path) -> None:
    result = batch("/dev/zero", "--input-format", "jsonl", "--out", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2, result.output
    assert "not a regular file" in plain(result.output)


# --- item 11: one lock per output --------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from needs_engine.batch.lock import output_lock
with output_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("mode", [["--overwrite"], ["--resume"]])
def test_a_second_batch_on_one_output_exits_2_naming_the_holder(tmp_path: Path, mode: list[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(HOUSEHOLD + "\n")
    out = tmp_path / "out.jsonl"
    assert batch(str(source), "--out", str(out)).exit_code == 0
    before = out.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = batch(str(source), "--out", str(out), *mode)
        assert result.exit_code == 2, result.output
        text = plain(result.output)
        assert "another needs batch is writing this output" in text and f"pid {holder.pid}" in text
        assert out.read_bytes() == before  # untouched: not truncated, not appended to
    finally:
        holder.kill()
        holder.wait()
    assert batch(str(source), "--out", str(out), *mode).exit_code == 0  # the lock died with its holder


# --- item 9: OS errors name the file, and are not "a bug" ---------------------------------------


def test_a_full_disk_while_writing_the_batch_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from needs_engine.batch import runner as batch_runner

    source = tmp_path / "in.jsonl"
    source.write_text(HOUSEHOLD + "\n")
    out = tmp_path / "out.jsonl"
    real = batch_runner._open

    class Full:
        def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
            self.handle = handle

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def close(self) -> None:
            self.handle.close()

    def open_full(*args, **kwargs):  # type: ignore[no-untyped-def]
        output, log, checkpoint = real(*args, **kwargs)
        return Full(output), log, checkpoint

    monkeypatch.setattr(batch_runner, "_open", open_full)
    result = batch(str(source), "--out", str(out))
    text = plain(result.output)
    assert result.exit_code == 1, result.output
    assert "No space left on device" in text and "out.jsonl" in text and "bug" not in text


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_on_stdout_names_it_and_exits_1() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "baby-domestic-abuse-mental-health.yaml"
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "needs_engine", "assess", str(example), "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
            timeout=60,
        )
    assert result.returncode == 1, result.stderr
    assert "standard output: cannot write or read it: No space left on device" in plain(result.stderr)
    assert "bug" not in result.stderr and "Traceback" not in result.stderr
