"""A rulebook's tier mapping: which response tiers each of its levels covers.

Descriptors in the common library state a response tier, never a local level; each rulebook's
rules file says which tiers each of its levels covers (`levels.<level>.tiers`), and a tier is
placed at the lowest level covering it. The mapping must be a partition of the tier scale into
contiguous runs, in level order, except that two neighbouring levels may share one tier:
Knowsley's Early Help and Targeted Early Help are both multi-agency early help, one process, the
second for multiple or complex needs (seeds/000, 'What is Early Help?').
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

from ..model.levels import LEVELS, Level
from ..model.tiers import TIERS, Tier

STATUTORY_FROM = Tier.child_in_need
"""A level is statutory (a local-authority duty, not voluntary early help) iff it covers this tier or above."""


@dataclass(frozen=True)
class TierMap:
    """The tiers each level covers, and the level each tier is placed at."""

    tiers: dict[Level, tuple[Tier, ...]]

    def tiers_of(self, level: Level) -> tuple[Tier, ...]:
        """The tiers `level` covers, lowest first."""
        return self.tiers[level]

    def level_for(self, tier: Tier) -> Level:
        """The lowest level covering `tier`: where a descriptor of that tier sits unless overridden."""
        return next(level for level in LEVELS if tier in self.tiers[level])

    def clamp(self, tier: Tier, level: Level) -> Tier:
        """`tier` moved into the range `level` covers: what a child at `level` reports."""
        covered = self.tiers[level]
        return min(max(tier, covered[0]), covered[-1])


PLAIN_TIERS = TierMap(
    {
        Level.universal: (Tier.universal, Tier.single_agency),
        Level.early_help: (Tier.multi_agency,),
        Level.targeted: (Tier.child_in_need,),
        Level.safeguarding: (Tier.child_protection, Tier.emergency),
    }
)
"""The plainest mapping: one level each for multi-agency early help, child in need and child
protection (St Helens' levels). A load whose own mapping is broken checks the rest against it."""


def statutory(tiers: Sequence[Tier]) -> bool:
    """Whether a level covering `tiers` is statutory: it covers a Children's Social Care response."""
    return bool(tiers) and max(tiers) >= STATUTORY_FROM


def mapping_problems(tiers: Mapping[Level, Sequence[Tier]], stated: Mapping[Level, Optional[bool]]) -> dict[Level, list[str]]:
    """What is wrong with a mapping, per level (empty when it is sound).

    Checked: each level's tiers are contiguous and increasing; each level starts where the one
    below ends, or one tier above it (a shared tier, only ever between neighbours); the scale is
    covered from universal to emergency; and `statutory`, where stated, says the same as the tiers."""
    found: dict[Level, list[str]] = {}
    previous: tuple[Level, Tier] | None = None
    for level in LEVELS:
        run = list(tiers.get(level, ()))
        problems = found.setdefault(level, [])
        if not run:
            problems.append("a level must cover at least one tier")
            continue
        ranks = [tier.rank for tier in run]
        if ranks != list(range(ranks[0], ranks[0] + len(ranks))):
            problems.append(f"tiers must be contiguous and increasing, found {_names(run)}")
        start = run[0]
        if previous is None and start is not Tier.universal:
            problems.append(f"the lowest level must start at universal; no level covers {_names(TIERS[: start.rank])}")
        elif previous is not None:
            below, top = previous
            if start.rank > top.rank + 1:
                problems.append(
                    f"no level covers {_names(TIERS[top.rank + 1 : start.rank])} (between {below.value} and {level.value})"
                )
            elif start.rank < top.rank:
                problems.append(
                    f"starts at {start.value}, below the top of {below.value} ({top.value}): tiers must increase over the "
                    "levels, and only neighbouring levels may share one tier"
                )
        previous = (level, run[-1])
        said = stated.get(level)
        if said is not None and said != statutory(run):
            problems.append(
                f"statutory is {str(said).lower()}, but the level {'covers' if statutory(run) else 'does not cover'} "
                f"{STATUTORY_FROM.value} or above (a level is statutory exactly when it covers a Children's Social Care tier)"
            )
    if previous is not None and previous[1] is not Tier.emergency:
        found[previous[0]].append(
            f"the highest level must reach emergency; no level covers {_names(TIERS[previous[1].rank + 1 :])}"
        )
    for tier in TIERS:
        sharing = [level for level in LEVELS if tier in tiers.get(level, ())]
        if len(sharing) > 2:
            found[sharing[-1]].append(
                f"{tier.value} is covered by {', '.join(level.value for level in sharing)}: only two neighbouring levels may share a tier"
            )
    return {level: problems for level, problems in found.items() if problems}


def _names(tiers: Sequence[Tier]) -> str:
    return ", ".join(tier.value for tier in tiers)
