"""One batch per output: an exclusive lock held for the whole run.

Two `needs batch` runs on one output (a run and its `--resume`, or two `--overwrite` runs)
would interleave rows and checkpoints: rows duplicated and lost, both exiting 0. The lock is a
sidecar file, `OUTPUT.lock`, locked with `flock` before the output or its state file is opened
or truncated and held until the run ends (the kernel releases it if the process dies, so a killed
batch never leaves a stale lock). It holds the holder's pid, host and start time, so the second
process can say who has it. The file itself is left in place: removing it would let a third
process lock a new file while a second still holds the old one.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import EnvironmentFault, InputError, Problem


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".lock")


@contextmanager
def output_lock(output: Path) -> Iterator[None]:
    """Hold the exclusive lock on `output` (and so its state file), or raise InputError naming the holder."""
    import fcntl

    path = lock_path(output)
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise EnvironmentFault.of(path, exc, doing="create the lock") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                [
                    Problem(
                        str(output),
                        f"another needs batch is writing this output ({_holder(descriptor)})",
                        code="locked",
                        expected="wait for it to finish, or choose another --out",
                    )
                ]
            ) from None
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, (json.dumps(holder) + "\n").encode(), 0)
        yield
    finally:
        os.close(descriptor)  # closing releases the flock


def _holder(descriptor: int) -> str:
    try:
        holder = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "its process details are not readable"
