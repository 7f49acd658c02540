"""What the engine reads from a rulebook on every assessment, arranged once when the rulebook is made.

An assessment asks the same questions of the rulebook for every household: which descriptors
are red flags, which escalations can raise a level, which of an unknown rule's tests a recorded
concern passes. Gathering those answers per household was most of the cost of ranking the
questions; a `Rulebook` builds its `RuleTables` in `__post_init__`, so they are made once per
loaded rulebook, travel with it, and are made afresh for a `dataclasses.replace` copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from ..model.catalogue import FactSpec, facts_by_root
from .thresholds import Comparisons, concern_test

if TYPE_CHECKING:
    from .parts import Descriptor, Escalation
    from .schema import DescriptorCount

ConcernFields = tuple[tuple[tuple[str, ...], tuple[tuple[str, FactSpec, Callable[[Any], bool]], ...]], ...]
"""A root's concern facts, grouped by the section that holds them, in catalogue order: each section's
path below the root, and each fact's name in it, its spec and the rulebook's test of a value of concern."""

CONCERN_ROOTS = ("child", "carer", "home", "household")
"""The roots whose recorded facts count for a child (`engine/unassessed.py`)."""


@dataclass(frozen=True)
class RuleTables:
    """A rulebook's descriptors and escalations, indexed for the assessment's inner loops."""

    red_flag_ids: frozenset[str]
    """The ids of the red-flag descriptors (questions that could fire one are asked first)."""
    raising: tuple[tuple[Escalation, int, Optional[DescriptorCount]], ...]
    """The escalations to a level above universal, in rulebook order, each with the rank it raises
    to and its count rule (None for a condition escalation): the only ones that can change a level."""
    tests: dict[str, tuple[tuple[str, Callable[[Any], bool]], ...]]
    """For each descriptor and condition escalation id, its tests of its own facts (not a
    sibling's): the fact's name and whether a value passes, in the condition's order."""
    concerns: dict[str, ConcernFields] = field(default_factory=dict)
    """For each root of `CONCERN_ROOTS`, its concern facts with this rulebook's `of_concern` test."""


def rule_tables(descriptors: tuple[Descriptor, ...], escalations: tuple[Escalation, ...], thresholds: Comparisons) -> RuleTables:
    """The tables for a rulebook with these descriptors, escalations and lines on numbers."""
    readers: list[Union[Descriptor, Escalation]] = [*descriptors, *(e for e in escalations if e.applies is not None)]
    return RuleTables(
        red_flag_ids=frozenset(d.id for d in descriptors if d.red_flag),
        raising=tuple((e, e.to.rank, e.count) for e in escalations if e.to.rank > 0),
        tests={
            rule.id: tuple((leaf.fact, leaf.passes) for leaf in rule.applies.condition.leaves if leaf.spec.root != "sibling")
            for rule in readers
            if rule.applies is not None
        },
        concerns={root: _concern_fields(root, thresholds) for root in CONCERN_ROOTS},
    )


def _concern_fields(root: str, thresholds: Comparisons) -> ConcernFields:
    """The concern facts of `root`, in catalogue order, grouped by section (consecutive facts of
    one section share it), each with its test under `thresholds`."""
    groups: list[tuple[tuple[str, ...], list[tuple[str, FactSpec, Callable[[Any], bool]]]]] = []
    for spec in facts_by_root()[root].values():
        if not spec.is_concern:
            continue
        section = spec.path[:-1]
        if not groups or groups[-1][0] != section:
            groups.append((section, []))
        groups[-1][1].append((spec.path[-1], spec, concern_test(spec, thresholds.get(spec.dotted, frozenset()))))
    return tuple((section, tuple(fields)) for section, fields in groups)
