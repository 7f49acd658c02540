"""A writable copy of a shipped rulebook, for tests that break one on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from needs_engine.rulebook.load import locate


def copy_rulebook(tmp_path: Path, name: str = "knowsley") -> Path:
    """Copy `rules/<name>.yaml`, `descriptors/<name>/` (when the rulebook has descriptors of its own)
    and the library it extends into tmp_path; return the rules file. The copy extends the copied
    library, so a test may edit either. The copy always has an (empty, if need be)
    `descriptors/<name>/` folder, so a test can add a local descriptor file to it."""
    rules_file, descriptors_dir = locate(name)
    (tmp_path / "rules").mkdir()
    shutil.copy(rules_file, tmp_path / "rules" / rules_file.name)
    if descriptors_dir.is_dir():
        shutil.copytree(descriptors_dir, tmp_path / "descriptors" / descriptors_dir.name)
    else:
        (tmp_path / "descriptors" / descriptors_dir.name).mkdir(parents=True)
    library = descriptors_dir.parent / "england"
    shutil.copytree(library, tmp_path / "descriptors" / library.name)
    return tmp_path / "rules" / rules_file.name


def descriptor_file(rules: Path, descriptor_id: str) -> Path:
    """The file of a copied rulebook that defines `descriptor_id`: its own, or the library's."""
    domain = descriptor_id.split(".")[0]
    for folder in (rules.parent.parent / "descriptors" / rules.stem, rules.parent.parent / "descriptors" / "england"):
        path = folder / f"{domain}.yaml"
        if path.is_file() and f"- id: {descriptor_id}\n" in path.read_text(encoding="utf-8"):
            return path
    raise AssertionError(f"no file of {rules} defines {descriptor_id}")


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
