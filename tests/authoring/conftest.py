"""A writable copy of a shipped rulebook, for tests that break one on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from needs_engine.rulebook.load import locate


def copy_rulebook(tmp_path: Path, name: str = "knowsley") -> Path:
    """Copy `rules/<name>.yaml` and `descriptors/<name>/` into tmp_path; return the rules file."""
    rules_file, descriptors_dir = locate(name)
    (tmp_path / "rules").mkdir()
    shutil.copy(rules_file, tmp_path / "rules" / rules_file.name)
    shutil.copytree(descriptors_dir, tmp_path / "descriptors" / descriptors_dir.name)
    return tmp_path / "rules" / rules_file.name


def edit(path: Path, old: str, new: str, *, count: int = 0) -> None:
    """Replace `old`, which must occur exactly once unless `count` says to replace only the first ones
    (so a test fails loudly if the content moved)."""
    text = path.read_text(encoding="utf-8")
    if count:
        assert old in text, f"expected {old!r} in {path}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return
    assert text.count(old) == 1, f"expected exactly one {old!r} in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def knowsley_copy(tmp_path: Path) -> Callable[[], Path]:
    return lambda: copy_rulebook(tmp_path)
