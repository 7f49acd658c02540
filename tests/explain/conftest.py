"""Helpers for the explanation tests: edit a situation document by a what-if path, independently
of the engine's own fact setter, so counterfactuals are checked against a from-scratch assessment."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from needs_engine.formats.yamlfile import read_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCENARIOS = ROOT / "tests" / "fixtures" / "scenarios"


def document(name: str) -> dict[str, Any]:
    return read_file(EXAMPLES / name)


def edited(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `doc` with the fact at the what-if `path` set to `value` (None: unknown)."""
    doc = copy.deepcopy(doc)
    node: dict[str, Any] = doc["household"]
    parts = path.split(".")
    if parts[0] in ("children", "carers"):
        node = next(item for item in node[parts[0]] if item["id"] == parts[1])
        parts = parts[2:]
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return doc
