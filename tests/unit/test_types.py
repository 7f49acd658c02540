"""`mypy --strict needs_engine` reports no errors: the project's types are checked on every run.

The strict settings live in pyproject.toml (`[tool.mypy]`), so this test, an editor and a
developer's `mypy needs_engine` all check the same thing. The cache goes to a temporary folder:
a stale cache in the checkout never hides an error, and the test leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api", reason="mypy is in the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_passes_mypy_strict(tmp_path: Path) -> None:
    report, errors, status = api.run(
        [
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(ROOT / "needs_engine"),
        ]
    )
    assert status == 0, report + errors
    assert report.startswith("Success: no issues found"), report
