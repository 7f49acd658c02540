"""The common library and the rulebooks that extend it.

A library (`descriptors/<library>/library.yaml` and one file per domain beside it) holds the
descriptors every authority shares, each with a response tier instead of a level. A local rules
file says `extends: <library>` and adds only what is its own: its tier mapping, labels and
responses, escalations, mitigations, red flags, cited `overrides:` of common descriptors,
`exclude:` of the ones it does not use, and its own descriptors in `descriptors/<rulebook>/`.
This module finds the library and merges the two, so that every later check runs on the result
(as an OpenFisca extension package extends its country package).

A local descriptor may not reuse a common id: changing a common descriptor is an override,
which carries its source and reason, never a silent copy.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional, TypeVar

from ..errors import Problem, unknown_name
from .schema import DescriptorEntry, ExclusionEntry, OverrideEntry, RulesFile

LIBRARY_FILE = "library.yaml"
"""The file that makes a descriptor folder a library: its id, sources, domains and `not_a_concern`."""

OriginKind = Literal["common", "overridden", "local"]


@dataclass(frozen=True)
class Origin:
    """Where a descriptor of a rulebook comes from: the library as written, the library changed by
    a local override, or the rulebook's own files."""

    common: Optional[DescriptorEntry] = None
    """The library's entry, as written (None for a local descriptor)."""
    common_at: str = ""
    """Where the library's entry is written (file:line)."""
    override: Optional[OverrideEntry] = None
    override_at: str = ""
    """Where the override is written (file:line)."""

    @property
    def kind(self) -> OriginKind:
        if self.override is not None:
            return "overridden"
        return "common" if self.common is not None else "local"


LOCAL = Origin()


@dataclass(frozen=True)
class Placed:
    """A descriptor entry as one rulebook uses it (any override applied), with where its condition is written."""

    domain: str
    entry: DescriptorEntry
    file: str
    line: int
    """The line of its condition (an override's `when:` line when the override changes it)."""
    origin: Origin = field(default=LOCAL)


def descriptor_files(folder: Path) -> list[Path]:
    """The domain files of a descriptor folder, in name order (a library's `library.yaml` is not one).

    Listed with `os.scandir` and sorted as names: this runs on every `load_rulebook` call, cached or
    not, and `Path.glob` with `Path` sorting cost several times more."""
    try:
        with os.scandir(folder) as found:
            names = sorted(entry.name for entry in found if entry.name.endswith(".yaml") and entry.name != LIBRARY_FILE)
    except OSError:
        return []
    return [folder / name for name in names]


def find_library(rules_file: Path, library_id: str, roots: Sequence[Path]) -> Optional[Path]:
    """The folder of library `library_id`: beside the rulebook (`<root>/descriptors/<id>/`), else shipped.

    An authority's own rulebook directory can so extend the shipped library without copying it,
    and a copy of the library next to a rulebook (for a test, or a library being edited) wins."""
    for root in (rules_file.parent.parent, *roots):
        folder = root / "descriptors" / library_id
        if (folder / LIBRARY_FILE).is_file():
            return folder
    return None


@dataclass(frozen=True)
class RulesPlace:
    """Where things are in a rules file: its path and the line of a location in its document."""

    file: str
    line: Callable[[tuple[object, ...]], Optional[int]]

    def at(self, loc: tuple[object, ...]) -> str:
        line = self.line(loc)
        return f"{self.file}:{line}" if line else self.file


def extend(
    common: list[Placed], local: list[Placed], rules: RulesFile, where: RulesPlace, problems: list[Problem]
) -> tuple[list[Placed], tuple[ExclusionEntry, ...]]:
    """The rulebook's descriptors: the library's, less `exclude`, with `overrides` applied, then its
    own; and the exclusions that name a common descriptor.

    Ordered by domain, the library's entries before the rulebook's within each (a need's rungs of
    the same level and tier keep that order). Every problem is appended to `problems`."""
    by_id = {placed.entry.id: placed for placed in common}
    excluded = _excluded(rules.exclude, by_id, where, problems)
    overrides = _overrides(rules.overrides, by_id, excluded, where, problems)
    for placed in local:
        if placed.entry.id in by_id:
            shared = by_id[placed.entry.id]
            problems.append(
                Problem(
                    f"{placed.file}:{placed.line}",
                    f"descriptor '{placed.entry.id}' is a common descriptor ({shared.file}:{shared.line}): "
                    "change it with an entry under `overrides:` in the rules file, or give this one its own id",
                    code="redefined",
                )
            )
    kept = [overrides.get(placed.entry.id, placed) for placed in common if placed.entry.id not in excluded]
    ours = [placed for placed in local if placed.entry.id not in by_id]
    return sorted([*kept, *ours], key=lambda placed: placed.domain), tuple(excluded.values())


def _excluded(
    entries: list[ExclusionEntry], by_id: dict[str, Placed], where: RulesPlace, problems: list[Problem]
) -> dict[str, ExclusionEntry]:
    return {entry.descriptor: entry for _, entry, _ in _naming_common(entries, "exclude", by_id, where, problems)}


def _overrides(
    entries: list[OverrideEntry],
    by_id: dict[str, Placed],
    excluded: dict[str, ExclusionEntry],
    where: RulesPlace,
    problems: list[Problem],
) -> dict[str, Placed]:
    found: dict[str, Placed] = {}
    for index, entry, at in _naming_common(entries, "overrides", by_id, where, problems):
        if entry.descriptor in excluded:
            problems.append(
                Problem(at, f"overrides: '{entry.descriptor}' is also excluded; keep one of the two", code="conflict")
            )
            continue
        placed = by_id[entry.descriptor]
        changed = {name: getattr(entry, name) for name in entry.changes()}
        file, line = placed.file, placed.line
        if entry.when is not None:
            file, line = where.file, where.line(("overrides", index, "when")) or 0
        found[entry.descriptor] = Placed(
            placed.domain,
            placed.entry.model_copy(update=changed),
            file,
            line,
            Origin(placed.entry, placed.origin.common_at, entry, at),
        )
    return found


_Naming = TypeVar("_Naming", ExclusionEntry, OverrideEntry)


def _naming_common(
    entries: list[_Naming], key: str, by_id: dict[str, Placed], where: RulesPlace, problems: list[Problem]
) -> Iterator[tuple[int, _Naming, str]]:
    """Each entry of `key` that names a common descriptor no earlier entry named, with its index and
    where it is; a problem for each of the others."""
    named: set[str] = set()
    for index, entry in enumerate(entries):
        at = where.at((key, index, "descriptor"))
        if _unknown(entry.descriptor, by_id, at, key, problems):
            continue
        if entry.descriptor in named:
            problems.append(Problem(at, f"{key}: '{entry.descriptor}' is named twice; merge the two entries", code="duplicate"))
            continue
        named.add(entry.descriptor)
        yield index, entry, at


def _unknown(descriptor_id: str, by_id: dict[str, Placed], at: str, key: str, problems: list[Problem]) -> bool:
    """Whether `descriptor_id` is no common descriptor (a problem naming the closest one is added)."""
    if descriptor_id in by_id:
        return False
    message = f"{key}: '{descriptor_id}' is not a common descriptor"
    problems.append(unknown_name(at, message, descriptor_id, by_id, expected="the id of a descriptor in the library"))
    return True
