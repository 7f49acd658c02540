"""The compiled parts of a rulebook: conditions limited to an age band, descriptors, escalations
and mitigations, as `load.py` compiles them and the engine reads them (the rulebook itself is `book.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from ..language.compile import Condition, Env, FactRead, within, within_trace
from ..language.logic import Truth
from ..language.tree import in_band
from ..model.ages import AgeSpan
from ..model.levels import Level
from ..model.tiers import Tier
from .library import LOCAL, Origin
from .schema import AgeBand, DescriptorCount


@dataclass(frozen=True)
class Applicable:
    """A condition restricted to an age band: what descriptors and escalations evaluate."""

    condition: Condition
    age: Optional[AgeBand]

    def fast(self, env: Env) -> Truth:
        return within(self.age, env, self.condition.fast)

    def trace(self, env: Env) -> tuple[Truth, tuple[FactRead, ...]]:
        return within_trace(self.age, env, self.condition.trace)


def in_age_band(band: Optional[AgeBand], span: AgeSpan) -> Truth:
    """Whether a child whose age is `span` is in `band` (None: any age): `language.tree.in_band`."""
    return in_band(band, span)


@dataclass(frozen=True)
class Descriptor:
    """A compiled threshold descriptor."""

    id: str
    level: Level
    domain: str
    text: str
    source: str
    applies: Applicable
    floor: bool
    red_flag: bool
    file: str
    line: int
    need: str = ""
    """The need this descriptor is a rung of (its own id when it stands alone)."""
    rung: int = 0
    """Its place on the need's ladder, 0 the least severe (rungs of one level are told apart by it)."""
    never_mitigable: Optional[str] = None
    """Why no strength may lower it (Semantics 13), or None when a rules file may name it in a mitigation."""
    tier: Tier = Tier.universal
    """The response it calls for, always one its level covers (`Rulebook.tiers_of`)."""
    origin: Origin = field(default=LOCAL, compare=False)
    """Common, overridden (with the override) or local (`rulebook/library.py`)."""

    @property
    def age(self) -> Optional[AgeBand]:
        """The age band the descriptor applies to (None: any age), as its `applies` checks it."""
        return self.applies.age


@dataclass(frozen=True)
class Escalation:
    """A compiled escalation rule: a condition, or a count of fired descriptors."""

    id: str
    text: str
    source: str
    to: Level
    applies: Optional[Applicable]
    count: Optional[DescriptorCount]
    never_mitigable: Optional[str] = None
    tier: Tier = Tier.universal
    """The response it means, one `to` covers."""


@dataclass(frozen=True)
class Mitigation:
    """A compiled mitigation: strengths that may lower the level one step."""

    id: str
    text: str
    source: str
    condition: Condition
    lowers_from: frozenset[Level]
    lowers: frozenset[str] = frozenset()
    """The descriptor and escalation ids it may lower (its `lowers` names, expanded)."""


def readers_of(items: list[Union[Descriptor, Escalation]]) -> dict[str, tuple[Union[Descriptor, Escalation], ...]]:
    """For each fact the items' conditions read, the items that read it, in the items' order."""
    found: dict[str, list[Union[Descriptor, Escalation]]] = {}
    for item in items:
        assert item.applies is not None
        for fact in sorted(item.applies.condition.facts):
            found.setdefault(fact, []).append(item)
    return {fact: tuple(held) for fact, held in found.items()}
