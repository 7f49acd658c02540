"""How far a rulebook agrees with published thresholds, scored by response tier.

Every practice probe (`tests/practice/`, see `practice.py`) is assessed under the rulebook and
the tier its child reaches is compared with the tiers its publishers gave. Publishers are
compared with one another first: probes that state the same indicator are one line, and a line
is *agreed* when every publisher's tiers share at least one tier (a level that spans tiers counts
as any of them). Scores:

- exact: on agreed lines, the engine's tier is one of the agreed tiers;
- within one: the engine's tier is at most one tier away from the nearest agreed tier;
- safety: agreed lines whose publishers all treat the line as child protection or an emergency,
  which the rulebook places below the level that child protection maps to in it. This is the
  figure that must be 0: the rulebook would advise less than a referral for enquiries;
- statutory under: agreed lines that all publishers treat as statutory (s17 or above) which the
  rulebook places below the level that Child in Need maps to (reported, not gated).

Disagreed lines are reported apart, with every publisher's tiers, and never scored as misses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from ..model.levels import Level
from ..model.tiers import TIERS, Tier
from .practice import LoadedProbe

_PROTECTION = frozenset({Tier.child_protection, Tier.emergency})
_STATUTORY = frozenset({Tier.child_in_need, Tier.child_protection, Tier.emergency})


@dataclass(frozen=True)
class Scored:
    """One probe's result under a rulebook, against its line's publishers."""

    probe: LoadedProbe
    level: Level
    tier: Tier
    agreed: frozenset[Tier]
    """The tiers every publisher of this line allows (empty when they disagree)."""
    publishers: tuple[tuple[str, frozenset[Tier]], ...]
    safety: bool
    statutory_under: bool
    deciding: tuple[str, ...] = ()
    """The fired descriptors, red flags and escalations at the child's level: what to look at on a miss."""

    @property
    def exact(self) -> bool:
        return self.tier in self.agreed

    @property
    def distance(self) -> Optional[int]:
        """Tiers between the engine's tier and the nearest agreed tier (None when disagreed)."""
        if not self.agreed:
            return None
        return min(abs(self.tier.rank - tier.rank) for tier in self.agreed)

    @property
    def direction(self) -> str:
        """'match', 'below' or 'above' the agreed tiers ('disagreed' when there are none)."""
        if not self.agreed:
            return "disagreed"
        if self.exact:
            return "match"
        return "below" if self.tier < min(self.agreed) else "above"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.probe.id,
            "kind": self.probe.kind,
            "file": self.probe.file,
            "says": self.probe.says,
            "level": self.level.value,
            "tier": self.tier.value,
            "agreed_tiers": sorted(tier.value for tier in self.agreed),
            "publishers": [{"publisher": name, "tiers": sorted(t.value for t in tiers)} for name, tiers in self.publishers],
            "direction": self.direction,
            "safety": self.safety,
            "statutory_under": self.statutory_under,
            "deciding": list(self.deciding),
        }


@dataclass(frozen=True)
class Agreement:
    """The scores of one rulebook over a set of probes."""

    rulebook: str
    rows: tuple[Scored, ...]
    publishers: int
    by_tier: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def agreed(self) -> tuple[Scored, ...]:
        return tuple(row for row in self.rows if row.agreed)

    @property
    def exact(self) -> int:
        return sum(row.exact for row in self.agreed)

    @property
    def within_one(self) -> int:
        return sum((row.distance or 0) <= 1 for row in self.agreed)

    @property
    def safety(self) -> tuple[Scored, ...]:
        return tuple(row for row in self.rows if row.safety)

    @property
    def statutory_under(self) -> tuple[Scored, ...]:
        return tuple(row for row in self.rows if row.statutory_under)

    def share(self, count: int) -> float:
        """`count` as a percentage of the agreed lines (0 when there are none)."""
        return 100.0 * count / len(self.agreed) if self.agreed else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "rulebook": self.rulebook,
            "probes": sum(row.probe.kind == "probe" for row in self.rows),
            "worked_examples": sum(row.probe.kind != "probe" for row in self.rows),
            "publishers": self.publishers,
            "agreed": len(self.agreed),
            "disagreed": len(self.rows) - len(self.agreed),
            "exact": self.exact,
            "exact_percent": round(self.share(self.exact), 1),
            "within_one": self.within_one,
            "within_one_percent": round(self.share(self.within_one), 1),
            "safety": len(self.safety),
            "statutory_under": len(self.statutory_under),
            "by_tier": self.by_tier,
            "rows": [row.to_json() for row in self.rows],
        }


def by_rule(report: Agreement) -> list[tuple[str, list[Scored]]]:
    """Agreed lines a rulebook misses, grouped by the rule that decided them, most misses first:
    where recalibration should look, and the publishers' tiers to weigh."""
    groups: dict[str, list[Scored]] = defaultdict(list)
    for row in report.agreed:
        if not row.exact:
            for rule in row.deciding or ("(nothing fired)",):
                groups[rule].append(row)
    return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))


def line_tiers(probes: Iterable[LoadedProbe]) -> dict[str, tuple[tuple[str, frozenset[Tier]], ...]]:
    """For each indicator, every publisher that states it and the tiers that publisher gave."""
    lines: dict[str, list[tuple[str, frozenset[Tier]]]] = defaultdict(list)
    for probe in probes:
        lines[probe.indicator].append((probe.publisher, probe.tiers))
    return {
        indicator: tuple(sorted(set(views), key=lambda v: (v[0], sorted(t.rank for t in v[1]))))
        for indicator, views in lines.items()
    }


def agreed_tiers(views: Iterable[tuple[str, frozenset[Tier]]]) -> frozenset[Tier]:
    """The tiers every view allows: their intersection (empty when publishers disagree)."""
    sets = [tiers for _, tiers in views]
    return frozenset.intersection(*sets) if sets else frozenset()


def score(
    results: Iterable[tuple[LoadedProbe, Level, Tier, tuple[str, ...]]],
    *,
    rulebook: str,
    protection_level: Level,
    statutory_level: Level,
    lines: dict[str, tuple[tuple[str, frozenset[Tier]], ...]],
) -> Agreement:
    """Score assessed probes: each (probe, the rulebook's level, its tier, the deciding rule ids)
    against its line's publishers.

    `protection_level` and `statutory_level` are the levels child protection and Child in Need
    map to in the rulebook, so the safety figure speaks of the rulebook's own response.
    """
    rows: list[Scored] = []
    for probe, level, tier, deciding in results:
        views = lines[probe.indicator]
        agreed = agreed_tiers(views)
        rows.append(
            Scored(
                probe=probe,
                level=level,
                tier=tier,
                agreed=agreed,
                publishers=views,
                safety=bool(agreed) and agreed <= _PROTECTION and level < protection_level,
                statutory_under=bool(agreed) and agreed <= _STATUTORY and level < statutory_level,
                deciding=deciding,
            )
        )
    by_tier: dict[str, dict[str, int]] = {}
    for tier in TIERS:
        on = [row for row in rows if row.agreed and min(row.agreed) == tier]
        if on:
            by_tier[tier.value] = {
                "lines": len(on),
                "match": sum(row.exact for row in on),
                "below": sum(row.direction == "below" for row in on),
                "above": sum(row.direction == "above" for row in on),
            }
    publishers = len({name for row in rows for name, _ in row.publishers})
    return Agreement(rulebook=rulebook, rows=tuple(rows), publishers=publishers, by_tier=by_tier)


def measure(probes: list[LoadedProbe], book: Any) -> Agreement:
    """Assess every probe under `book` and score it (the engine's own assessment, nothing else)."""
    from ..engine.assess import assess
    from ..errors import InputError, Problem

    if not hasattr(book, "level_for"):
        raise InputError(
            [
                Problem(
                    book.path,
                    f"rulebook '{book.id}' maps no response tiers to its levels, and agreement is scored on tiers",
                    code="tiers",
                    expected="a rulebook whose levels list the tiers they cover (levels.<level>.tiers)",
                )
            ]
        )
    results: list[tuple[LoadedProbe, Level, Tier, tuple[str, ...]]] = []
    for probe in probes:
        assessment = assess(probe.situation, book)
        # A single line is about one child; a worked example's level is the case's, the family's.
        if probe.kind == "probe":
            children = [child for child in assessment.children if child.child_id == probe.child]
        else:
            children = list(assessment.children)
        level = max(child.level for child in children)
        tier = max(child.tier for child in children)
        deciding = [fired.id for child in children if child.level == level for fired in child.fired if fired.level == level]
        deciding += [
            applied.id for child in children if child.level == level for applied in child.escalations if applied.to == level
        ]
        results.append((probe, level, tier, tuple(dict.fromkeys(deciding))))
    return score(
        results,
        rulebook=book.id,
        protection_level=book.level_for(Tier.child_protection),
        statutory_level=book.level_for(Tier.child_in_need),
        lines=line_tiers(probes),
    )
