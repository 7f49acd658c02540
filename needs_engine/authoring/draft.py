"""A rulebook read leniently, entry by entry, so lint can look at what is sound in a broken one.

The loader (`rulebook/load.py`) is the authority on what is *wrong*: it collects every load
error. But it refuses the whole rulebook when one entry is bad, and an author fixing a misspelt
fact name should still hear, in the same run, that another descriptor can never fire. So lint
reads the same files again here, keeping each entry whose own parts (id, level, age band,
condition) are sound and skipping the rest silently (the loader has already reported them).

A rulebook that extends a library is read merged, as the loader merges it (`rulebook/library.py`):
the library's descriptors (their level from the rules file's tier mapping), less `exclude`, with
`overrides:` applied, then its own; the library's `sources:` beside its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from pydantic import ValidationError

from ..errors import ConditionError
from ..formats.yamlfile import YAMLProblem, line_of, read_file
from ..language.compile import Condition, compile_condition
from ..model.levels import LEVELS, Level
from ..model.tiers import Tier
from ..rulebook.library import LIBRARY_FILE, descriptor_files, find_library
from ..rulebook.load import content_roots
from ..rulebook.schema import AgeBand, DescriptorCount


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
    rules = rules if isinstance(rules, dict) else {}
    library = _library(rules_file, rules)
    placed = _tier_levels(rules)
    entries: list[Entry] = []
    if library is not None:
        common = _descriptors(descriptor_files(library), placed)
        entries += _overlaid(common, rules, rules_file, placed)
    entries += _descriptors(descriptor_files(descriptors_dir), placed)
    for kind, key in (("escalation", "escalations"), ("mitigation", "mitigations")):
        items = rules.get(key)
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                entries.append(_rule(kind, key, item, rules_file, rules, index))
    sources = {**_sources(_read(library / LIBRARY_FILE) if library else None), **_sources(rules)}
    flags = rules.get("red_flags")
    return Draft(
        rules_file=rules_file,
        rules_document=rules,
        sources=sources,
        red_flags=frozenset(str(f) for f in flags) if isinstance(flags, list) else frozenset(),
        entries=tuple(entries),
    )


def _library(rules_file: Path, rules: dict[str, Any]) -> Optional[Path]:
    extends = rules.get("extends")
    return find_library(rules_file, extends, content_roots()) if isinstance(extends, str) else None


def _sources(document: Any) -> dict[str, str]:
    sources = document.get("sources") if isinstance(document, dict) else None
    return {str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {}


def _tier_levels(rules: dict[str, Any]) -> dict[Tier, Level]:
    """The lowest level covering each tier, as far as the rules file's `tiers:` can be read."""
    found: dict[Tier, Level] = {}
    levels = rules.get("levels")
    for level in reversed(LEVELS):
        entry = levels.get(level.value) if isinstance(levels, dict) else None
        tiers = entry.get("tiers") if isinstance(entry, dict) else None
        for tier in tiers if isinstance(tiers, list) else []:
            if tier in Tier._value2member_map_:
                found[Tier(tier)] = level
    return found


def _descriptors(paths: list[Path], placed: dict[Tier, Level]) -> list[Entry]:
    entries = []
    for path in paths:
        document = _read(path)
        domain = document.get("domain") if isinstance(document, dict) else None
        items = document.get("descriptors") if isinstance(document, dict) else None
        for index, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                entries.append(_descriptor(item, str(path), document, index, domain, placed))
    return entries


def _overlaid(common: list[Entry], rules: dict[str, Any], rules_file: Path, placed: dict[Tier, Level]) -> list[Entry]:
    """The library's entries less those the rules file excludes, with its overrides applied."""
    excluded = rules.get("exclude")
    dropped = {item.get("descriptor") for item in excluded if isinstance(item, dict)} if isinstance(excluded, list) else set()
    changes: dict[str, tuple[int, dict[str, Any]]] = {}
    overrides = rules.get("overrides")
    for index, item in enumerate(overrides if isinstance(overrides, list) else []):
        if isinstance(item, dict) and isinstance(item.get("descriptor"), str):
            changes.setdefault(item["descriptor"], (index, item))
    kept = []
    for entry in common:
        if entry.id in dropped:
            continue
        if entry.id in changes:
            index, item = changes[entry.id]
            level = _level(item.get("level")) or _tier_level(item.get("tier"), placed)
            entry = replace(entry, level=level or entry.level)
            if "when" in item:
                entry = replace(
                    entry,
                    condition=_condition(item["when"]),
                    condition_line=line_of(rules, ("overrides", index, "when")),
                    file=str(rules_file),
                )
            if "age" in item:
                entry = replace(entry, age=_age(item["age"]))
        kept.append(entry)
    return kept


def _read(path: Path) -> Any:
    try:
        return read_file(path)
    except YAMLProblem:
        return None


def _descriptor(item: dict[str, Any], path: str, document: Any, index: int, domain: Any, placed: dict[Tier, Level]) -> Entry:
    return Entry(
        kind="descriptor",
        id=item["id"],
        file=path,
        line=line_of(document, ("descriptors", index)),
        source=item.get("source"),
        level=_level(item.get("level")) or _tier_level(item.get("tier"), placed),
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


def _tier_level(value: Any, placed: dict[Tier, Level]) -> Optional[Level]:
    """The level a descriptor of tier `value` sits at (None when either cannot be read)."""
    try:
        return placed.get(Tier(value))
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
