"""Where a rulebook's descriptors come from, in words: the common library, an override, or its own.

Plain text (no rich), for `needs rules show`: a policy lead reading a level asks first whether it
is the library's or the authority's own choice, and, for an override, what it changed and why.
"""

from __future__ import annotations

from typing import Any

from ..rulebook.book import Rulebook
from ..rulebook.parts import Descriptor
from ..rulebook.schema import OVERRIDABLE, DescriptorEntry

KINDS = ("common", "overridden", "local", "excluded")


def origin_counts_line(book: Rulebook) -> str:
    """'214 common, 75 overridden, 52 local, 0 excluded' (or that it extends no library)."""
    counts = book.origin_counts()
    words = ", ".join(f"{counts[kind]} {kind}" for kind in KINDS)
    return f"{words} (library {book.library})" if book.library else f"{words} (extends no library: every descriptor is its own)"


def summary_lines(book: Rulebook) -> list[str]:
    """A rulebook at a glance: what it extends, its levels and the tiers each covers, where its descriptors come from."""
    lines = [
        f"{book.name} {book.version} ({book.id})",
        f"extends: {book.library or 'nothing'}",
        "levels and the response tiers they cover:",
    ]
    for level, entry in sorted(book.levels.items()):
        statutory = ", statutory" if entry.statutory else ""
        lines.append(f"  {level.value:<13} {book.label(level)}: {', '.join(t.value for t in book.tiers_of(level))}{statutory}")
    lines.append(f"{len(book.descriptors)} descriptors: {origin_counts_line(book)}")
    for exclusion in book.excluded:
        lines.append(f"  excluded {exclusion.descriptor}: {exclusion.reason} (source: {exclusion.source})")
    return lines


def origin_lines(book: Rulebook, descriptor_id: str) -> list[str]:
    """Where `descriptor_id` of `book` comes from, the common entry's tier and level here, and what an override changed."""
    excluded = next((e for e in book.excluded if e.descriptor == descriptor_id), None)
    if excluded is not None:
        return [
            f"{descriptor_id} in {book.id}: excluded",
            f"the common descriptor is not used here: {excluded.reason}",
            f"source: {excluded.source}",
        ]
    descriptor = book.by_id[descriptor_id]
    origin = descriptor.origin
    lines = [f"{descriptor_id} in {book.id}: {origin.kind}"]
    if origin.common is None:
        lines.append(f"defined in this rulebook's own files ({descriptor.file}:{descriptor.line}); no common entry has this id")
        lines.append(f"here: level {_level(book, descriptor)}, tier {descriptor.tier.value}")
        return lines
    common_tier = origin.common.tier
    assert common_tier is not None
    common_level = book.level_for(common_tier)
    lines.append(
        f"common entry ({origin.common_at}): tier {common_tier.value}, which is {common_level.value} "
        f"({book.label(common_level)}) here, the lowest level covering it"
    )
    if origin.override is not None:
        lines.append(f"override ({origin.override_at}) changes {', '.join(origin.override.changes())}:")
        lines += [f"  {change}" for change in _changes(book, origin.common, descriptor)]
        lines.append(f"  source: {origin.override.source}")
        lines.append(f"  reason: {origin.override.reason}")
    lines.append(f"here: level {_level(book, descriptor)}, tier {descriptor.tier.value}")
    return lines


def _changes(book: Rulebook, common: DescriptorEntry, descriptor: Descriptor) -> list[str]:
    """Each field the override changes, from the library's value to this rulebook's."""
    assert descriptor.origin.override is not None and common.tier is not None
    was: dict[str, Any] = {
        "level": book.level_for(common.tier).value,
        "tier": common.tier.value,
        "when": common.when,
        "age": _age(common.age),
    }
    now: dict[str, Any] = {
        "level": descriptor.level.value,
        "tier": descriptor.tier.value,
        "when": descriptor.applies.condition.text,
        "age": _age(descriptor.age),
    }
    return [f"{name}: {was[name]} -> {now[name]}" for name in OVERRIDABLE if name in descriptor.origin.override.changes()]


def _level(book: Rulebook, descriptor: Descriptor) -> str:
    return f"{descriptor.level.value} ({book.label(descriptor.level)})"


def _age(band: Any) -> str:
    return str(band.model_dump(exclude_none=True)) if band is not None else "any age"
