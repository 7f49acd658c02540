"""A rulebook read leniently, entry by entry, so lint can look at what is sound in a broken one.

The loader (`rulebook/load.py`) is the authority on what is *wrong*: it collects every load
error. But it refuses the whole rulebook when one entry is bad, and an author fixing a misspelt
fact name should still hear, in the same run, that another descriptor can never fire. So lint
reads the same files again here, keeping each entry whose own parts (id, level, age band,
condition) are sound and skipping the rest silently (the loader has already reported them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError

from ..errors import ConditionError
from ..language.compile import Condition, compile_condition
from ..model.levels import Level
from ..rulebook.schema import AgeBand, DescriptorCount
from ..yamlfile import YAMLProblem, line_of, read_file


@dataclass(frozen=True)
class Entry:
    """One descriptor, escalation or mitigation as written, with where it is."""

    kind: str  # "descriptor" | "escalation" | "mitigation"
    id: str
    file: str
    line: Optional[int]
    source: Any
    level: Optional[Level] = None  # a descriptor's level, an escalation's `to`
    domain: Optional[str] = None
    condition: Optional[Condition] = None
    condition_line: Optional[int] = None
    age: Optional[AgeBand] = None
    floor: bool = False
    count: Optional[DescriptorCount] = None
    lowers_from: tuple[Level, ...] = ()
    need: Optional[str] = None  # a descriptor's `need:` (None: it stands alone)


@dataclass(frozen=True)
class Draft:
    """Everything lint could read: entries, the rules file's `sources:` and red flags."""

    rules_file: Path
    rules_document: Any
    sources: dict[str, str]
    red_flags: frozenset[str]
    entries: tuple[Entry, ...]

    def of(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == kind]


def read_draft(rules_file: Path, descriptors_dir: Path) -> Draft:
    """Read every entry that can be read on its own; never raises for bad content."""
    rules = _read(rules_file)
    entries: list[Entry] = []
    for path in sorted(descriptors_dir.glob("*.yaml")) if descriptors_dir.is_dir() else []:
        document = _read(path)
        domain = document.get("domain") if isinstance(document, dict) else None
        items = document.get("descriptors") if isinstance(document, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                entries.append(_descriptor(item, str(path), document, index, domain))
    if isinstance(rules, dict):
        for kind, key in (("escalation", "escalations"), ("mitigation", "mitigations")):
            items = rules.get(key)
            for index, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    entries.append(_rule(kind, key, item, rules_file, rules, index))
    sources = rules.get("sources") if isinstance(rules, dict) else None
    flags = rules.get("red_flags") if isinstance(rules, dict) else None
    return Draft(
        rules_file=rules_file,
        rules_document=rules,
        sources={str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {},
        red_flags=frozenset(str(f) for f in flags) if isinstance(flags, list) else frozenset(),
        entries=tuple(entries),
    )


def _read(path: Path) -> Any:
    try:
        return read_file(path)
    except YAMLProblem:
        return None


def _descriptor(item: dict[str, Any], path: str, document: Any, index: int, domain: Any) -> Entry:
    return Entry(
        kind="descriptor",
        id=item["id"],
        file=path,
        line=line_of(document, ("descriptors", index)),
        source=item.get("source"),
        level=_level(item.get("level")),
        domain=domain if isinstance(domain, str) else None,
        condition=_condition(item.get("when")),
        condition_line=line_of(document, ("descriptors", index, "when")),
        age=_age(item.get("age")),
        floor=item.get("floor") is True,
        need=item["need"] if isinstance(item.get("need"), str) else None,
    )


def _rule(kind: str, key: str, item: dict[str, Any], rules_file: Path, document: Any, index: int) -> Entry:
    count = None
    if kind == "escalation" and isinstance(item.get("descriptors"), dict):
        try:
            count = DescriptorCount.model_validate(item["descriptors"])
        except ValidationError:
            count = None
    lowers = item.get("lowers_from") if kind == "mitigation" else None
    return Entry(
        kind=kind,
        id=item["id"],
        file=str(rules_file),
        line=line_of(document, (key, index)),
        source=item.get("source"),
        level=_level(item.get("to")),
        condition=_condition(item.get("when")),
        condition_line=line_of(document, (key, index, "when")),
        age=_age(item.get("age")),
        count=count,
        lowers_from=tuple(level for level in map(_level, lowers if isinstance(lowers, list) else []) if level is not None),
    )


def _level(value: Any) -> Optional[Level]:
    try:
        return Level(value)
    except ValueError:
        return None


def _condition(text: Any) -> Optional[Condition]:
    if not isinstance(text, str):
        return None
    try:
        return compile_condition(text)
    except ConditionError:
        return None


def _age(value: Any) -> Optional[AgeBand]:
    if value is None:
        return None
    try:
        return AgeBand.model_validate(value)
    except ValidationError:
        return None
