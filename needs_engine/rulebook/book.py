"""A compiled rulebook and its parts: what `load.py` builds from the YAML and everything else reads.

A `Rulebook` is immutable and safe to share between threads. What is derived from it is kept on
it, never in a module-level cache: the indexed tables of the inner loops (`tables`) are built
with it; what only the layers above need (the evaluation plan and its generated code, the
question tables, the columnar programs, the counterfactual index) is built once, on first use,
into its `derived` holder.

Those kinds of data, and the code that builds them, belong to the layers above (`engine/`,
`explain/`, `batch/`), which this layer must not import. So each is declared there, once, as a
`Derivation` typed by what it builds, and `Rulebook.derive(kind)` builds it on first use and
keeps it: storage here, types and builders with the code that uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Optional, TypeVar, Union, cast

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

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Derivation(Generic[T]):
    """One kind of data derived from a rulebook: what it is and how it is built.

    Declared once, at module level, by the module that uses the data; a rulebook keeps what it
    built under the declaration itself (compared by identity, as a `ContextVar` is), so two
    kinds never share a slot whatever they are named."""

    name: str
    """What the data is, for reading a rulebook's `derived` in a debugger or a test."""
    build: Callable[[Rulebook], T]
    """Builds it from a rulebook, once per rulebook."""


class Derived:
    """What has been derived from one rulebook so far, each kind (`Derivation`) built once.

    Safe to share between threads: two threads asking for a kind not yet built may both build
    it, but the first one kept is the one both get. Copying or pickling a rulebook gives an
    empty holder: derived data holds closures and generated code, is rebuilt cheaply where it
    is needed, and must not bloat what crosses a process or a cache."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        self._made: dict[Derivation[Any], Any] = {}

    def get(self, kind: Derivation[T], book: Rulebook) -> T:
        """`kind` for `book` (whose holder this is), built on first use."""
        if kind in self._made:
            return cast(T, self._made[kind])
        return cast(T, self._made.setdefault(kind, kind.build(book)))

    def renew(self, kind: Derivation[T], book: Rulebook) -> T:
        """`kind` built again (for data made from something the process can replace), and kept."""
        made = self._made[kind] = kind.build(book)
        return made

    def __reduce__(self) -> tuple[type[Derived], tuple[()]]:
        return Derived, ()


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
    derived: Derived = field(init=False, repr=False, compare=False)
    """What the layers above derive from this rulebook, each kind built on first use (`derive`),
    kept with the rulebook rather than in a module-level cache, and empty again for a `replace` copy."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", rule_tables(self.descriptors, self.escalations, self.thresholds))
        object.__setattr__(self, "derived", Derived())

    def derive(self, kind: Derivation[T]) -> T:
        """`kind` of derived data for this rulebook: built on first use, then the same object."""
        return self.derived.get(kind, self)

    def label(self, level: Level) -> str:
        """The level's label in this rulebook, with its Thrive-style name if it has one."""
        entry = self.levels[level]
        return f"{entry.label} ({entry.name})" if entry.name else entry.label

    def statutory(self, level: Level) -> bool:
        """Whether `level` is a statutory response here (the loader sets every level's `statutory`)."""
        return self.levels[level].statutory is True

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
