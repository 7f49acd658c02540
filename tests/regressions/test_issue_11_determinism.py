"""Issue 11, item 19: determinism across processes with different hash seeds.

Two runs in one process share one string-hash order, so a set iterated into the output looks
deterministic there; only separate interpreters with different PYTHONHASHSEED values can see it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "mixed-levels-self-harming-teenager-and-toddler.yaml"
SEEDS = ("0", "1", "4242")


def output(seed: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "needs_engine", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": seed, "COLUMNS": "120"},
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["assess", str(EXAMPLE), "--format", "json"],
        ["explain", str(EXAMPLE), "--format", "json"],
        ["compare", str(EXAMPLE), "--format", "json"],
        ["assess", str(EXAMPLE), "--format", "markdown"],
    ],
    ids=["assess-json", "explain-json", "compare-json", "assess-markdown"],
)
def test_output_is_byte_identical_under_different_hash_seeds(args: list[str]) -> None:
    first, *others = (output(seed, *args) for seed in SEEDS)
    assert first and all(other == first for other in others)


def test_batch_output_is_byte_identical_under_different_hash_seeds(tmp_path: Path) -> None:
    caseload = next((ROOT / "examples" / "batch").glob("*.jsonl"))
    outputs = []
    for seed in SEEDS:
        out = tmp_path / f"out-{seed}.jsonl"
        output(seed, "batch", str(caseload), "--out", str(out), "--workers", "1")
        outputs.append(out.read_bytes())
    assert outputs[0] and all(other == outputs[0] for other in outputs[1:])
