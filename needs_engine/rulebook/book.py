"""A compiled rulebook and its parts: what `load.py` builds from the YAML and everything else reads.

A `Rulebook` is immutable and safe to share between threads. What is derived from it (the
indexed tables of the inner loops, the question tables, the generated evaluation code) is built
once, with it, and kept on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ..language.compile import Condition
from ..model.levels import Level
from ..model.tiers import Tier
from .library import OriginKind
from .parts import Descriptor, Escalation, Mitigation
from .schema import (
    ConsentGuidance,
    DomainEntry,
    ExclusionEntry,
    LevelEntry,
    NotAConcernEntry,
    StepDown,
    Urgent,
)
from .tables import RuleTables, rule_tables
from .thresholds import Comparisons
from .tiers import TierMap


@dataclass(frozen=True)
class Rulebook:
    """A loaded rulebook, ready to assess with."""

    id: str
    name: str
    version: str
    summary: str
    content_hash: str
    levels: dict[Level, LevelEntry]
    domains: dict[str, DomainEntry]
    descriptors: tuple[Descriptor, ...]
    escalations: tuple[Escalation, ...]
    mitigations: tuple[Mitigation, ...]
    consent: ConsentGuidance
    urgent: Urgent
    urgent_condition: Condition
    sources: dict[str, str]
    path: str
    by_id: dict[str, Descriptor] = field(repr=False, default_factory=dict)
    not_a_concern: tuple[NotAConcernEntry, ...] = ()
    step_down: Optional[StepDown] = None
    """What to do when a family steps down a level (`needs review`), if the rulebook says."""
    """Values the rulebook deliberately does not treat as concerns (read by `needs rules lint`)."""
    needs: dict[str, tuple[Descriptor, ...]] = field(repr=False, default_factory=dict)
    """Every need with more than one rung: its descriptors, lowest rung first (Semantics 12)."""
    thresholds: Comparisons = field(repr=False, default_factory=dict)
    """Where the descriptors and escalations draw lines on each number fact (`rulebook/thresholds.py`)."""
    readers: dict[str, tuple[Union[Descriptor, Escalation], ...]] = field(repr=False, default_factory=dict)
    """For each fact (siblings' as `child.…`), the descriptors and condition escalations that read it."""
    tier_map: TierMap = field(repr=False, default_factory=lambda: TierMap({}))
    library: Optional[str] = None
    """The library it extends, as '<id> <version>' (None: a rulebook of its own)."""
    excluded: tuple[ExclusionEntry, ...] = ()
    """Common descriptors it does not use, each with its reason and source."""
    not_a_concern_at: tuple[str, ...] = ()
    """Where each `not_a_concern` entry is written (file:line), in the same order."""
    tables: RuleTables = field(init=False, repr=False, compare=False)
    """The descriptors and escalations indexed for the assessment's inner loops (`rulebook/tables.py`)."""
    derived: dict[str, Any] = field(init=False, repr=False, compare=False)
    """What the engine derives from this rulebook on first use (its generated evaluation code), kept
    with the rulebook rather than in a module-level cache, and empty again for a `replace` copy."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", rule_tables(self.descriptors, self.escalations, self.thresholds))
        object.__setattr__(self, "derived", {})

    def label(self, level: Level) -> str:
        """The level's label in this rulebook, with its Thrive-style name if it has one."""
        entry = self.levels[level]
        return f"{entry.label} ({entry.name})" if entry.name else entry.label

    def level_for(self, tier: Tier) -> Level:
        """The level a descriptor of `tier` sits at here: the lowest level covering it."""
        return self.tier_map.level_for(tier)

    def tiers_of(self, level: Level) -> tuple[Tier, ...]:
        """The response tiers `level` covers here, lowest first."""
        return self.tier_map.tiers_of(level)

    @property
    def child_protection_level(self) -> Level:
        """The level child protection (s47) maps to here, where red flags must sit."""
        return self.level_for(Tier.child_protection)

    def origin_counts(self) -> dict[str, int]:
        """How many descriptors are common, overridden and local, and how many common ones are excluded."""
        kinds: list[OriginKind] = ["common", "overridden", "local"]
        counts: dict[str, int] = {kind: sum(d.origin.kind == kind for d in self.descriptors) for kind in kinds}
        counts["excluded"] = len(self.excluded)
        return counts
