"""The batch's sidecar state file: what it is screening, and how far it has safely got.

`OUTPUT.state` is JSON Lines. The first line identifies the batch (input file and format,
output format, rulebook id and content hash, engine version). Each later line is a checkpoint
written after a chunk of output has been flushed: rows written, the input bytes consumed with
the SHA-256 of that prefix, the output bytes with their SHA-256, and the running counts.

Resuming picks the furthest checkpoint whose output prefix is still intact in the output file,
cuts the output back to it (dropping a torn last line and any rows written after the last
checkpoint), checks the input's prefix hash is unchanged, and carries on from there. Row text is
deterministic, so the resumed output is byte for byte the output of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Optional

from ..errors import InputError, Problem
from .reader import Position

STATE_KIND = "needs-batch-state"
STATE_VERSION = 1


def state_path(output: Path) -> Path:
    return output.with_name(output.name + ".state")


@dataclass(frozen=True)
class Identity:
    """What must not change between a batch and its resumption."""

    input: str
    input_format: str
    output_format: str
    rulebook: str
    rulebook_hash: str
    engine_version: str


@dataclass(frozen=True)
class Checkpoint:
    """A point the output is known to be complete up to."""

    rows: int
    input: Position
    output_bytes: int
    output_sha256: str
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    done: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(**{**data, "input": Position(**data["input"])})


class StateLog:
    """The append-only state file of one batch."""

    def __init__(self, path: Path, handle: BinaryIO) -> None:
        self.path = path
        self._handle = handle

    @classmethod
    def start(cls, path: Path, identity: Identity) -> StateLog:
        handle = path.open("wb")
        handle.write(
            (json.dumps({"kind": STATE_KIND, "version": STATE_VERSION, **asdict(identity)}, sort_keys=True) + "\n").encode()
        )
        handle.flush()
        return cls(path, handle)

    @classmethod
    def reopen(cls, path: Path) -> StateLog:
        """Append to an existing state file, first dropping a torn last line (the batch was killed mid-write)."""
        data = path.read_bytes()
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            with path.open("r+b") as handle:
                handle.truncate(complete)
        return cls(path, path.open("ab"))

    def append(self, checkpoint: Checkpoint) -> None:
        self._handle.write((checkpoint.to_json() + "\n").encode())
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()


def read_state(path: Path) -> tuple[dict[str, Any], list[Checkpoint]]:
    """The identity and the readable checkpoints (a torn last line is ignored)."""
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError:
        raise InputError(
            [
                Problem(
                    str(path),
                    "no state file to resume from",
                    code="resume",
                    expected="a batch started by 'needs batch' with --out",
                )
            ]
        ) from None
    try:
        head = json.loads(lines[0])
    except ValueError:
        head = None
    if not isinstance(head, dict) or head.get("kind") != STATE_KIND or head.get("version") != STATE_VERSION:
        raise InputError([Problem(str(path), "not a needs batch state file", code="resume")])
    checkpoints = []
    for raw in lines[1:]:
        try:
            checkpoints.append(Checkpoint.from_json(json.loads(raw)))
        except (ValueError, TypeError, KeyError):
            continue  # a torn last line, written as the batch was killed
    return head, checkpoints


def check_identity(head: dict[str, Any], identity: Identity, path: Path) -> None:
    """Refuse to resume a batch under a different input, rulebook, format or engine."""
    problems = [
        Problem(
            str(path),
            f"the batch was started with a different {name.replace('_', ' ')}",
            code="resume",
            found=repr(getattr(identity, name)),
            expected=repr(head.get(name)),
        )
        for name in Identity.__dataclass_fields__
        if head.get(name) != getattr(identity, name)
    ]
    if problems:
        problems.append(Problem(str(path), "start again with --overwrite, or resume with the original settings", code="resume"))
        raise InputError(problems)


def resume_point(checkpoints: list[Checkpoint], output: Path) -> Optional[Checkpoint]:
    """The furthest checkpoint whose output bytes are still exactly in `output`."""
    try:
        size = output.stat().st_size
    except OSError:
        return None
    best = None
    digest = hashlib.sha256()
    done = 0
    with output.open("rb") as handle:
        for checkpoint in sorted((c for c in checkpoints if c.output_bytes <= size), key=lambda c: c.output_bytes):
            while done < checkpoint.output_bytes:
                block = handle.read(min(checkpoint.output_bytes - done, 1 << 20))
                digest.update(block)
                done += len(block)
            if digest.hexdigest() == checkpoint.output_sha256:
                best = checkpoint
    return best
