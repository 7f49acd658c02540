"""ruff's rules hold on every run, and among them the two import rules the layers alone do not say:
rich only in `render/`, FastAPI, Starlette and uvicorn only in `service/` (TID251, pyproject.toml).

The ban itself is tested on source handed to ruff under a file name, so a change to the
configuration that lets a `cli/` module import rich fails here, not in review.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ruff", reason="ruff is in the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]


def ruff(*arguments: str, source: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *arguments],
        cwd=ROOT,
        input=source,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_project_passes_ruff() -> None:
    done = ruff("needs_engine", "tests", "scripts", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "source", "banned"),
    [
        ("needs_engine/cli/compare.py", "def view() -> None:\n    from rich.text import Text\n\n    print(Text)\n", "rich"),
        ("needs_engine/engine/assess.py", "import fastapi\n\nprint(fastapi)\n", "fastapi"),
        ("needs_engine/cli/serve.py", "def run() -> None:\n    import uvicorn\n\n    print(uvicorn)\n", "uvicorn"),
    ],
)
def test_a_banned_import_outside_its_layer_fails(module: str, source: str, banned: str) -> None:
    done = ruff("--select", "TID251", "--stdin-filename", module, "-", source=source)
    assert done.returncode == 1
    assert f"`{banned}` is banned" in done.stdout


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("needs_engine/render/compare.py", "from rich.text import Text\n\nprint(Text)\n"),
        ("needs_engine/service/server.py", "import uvicorn\n\nprint(uvicorn)\n"),
    ],
)
def test_the_same_import_inside_its_layer_passes(module: str, source: str) -> None:
    done = ruff("--select", "TID251", "--stdin-filename", module, "-", source=source)
    assert done.returncode == 0, done.stdout
