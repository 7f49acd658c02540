"""Everything under tests/sweeps is an exhaustive sweep: marked `sweep`, so `-m "not sweep"` skips it.

The sweeps of the batch take the batch tests' `book` fixture (each shipped rulebook in turn)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..batch.conftest import book as book

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.sweep)
