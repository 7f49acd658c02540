"""Coverage: which of a rulebook's descriptors and rules the scenario library exercises.

A descriptor is exercised when it fires (on known facts) for some child in some scenario; an
escalation or mitigation when it applies. A descriptor no scenario fires is one whose wording,
condition or age band nobody has checked against a worked case.

Separately, and from the rulebook alone (not the scenarios): for each age band, the levels that
no descriptor or escalation applicable to that band can produce. A level unreachable for, say,
unborn babies is either a deliberate choice or a gap an author should know about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from pydantic import Field

from ..engine.assess import assess
from ..model.assessment import Out
from ..model.levels import LEVELS, Level
from ..rulebook.book import Rulebook
from ..rulebook.schema import AgeBand
from .library import Scenario


@dataclass(frozen=True)
class Band:
    """An age band children's thresholds commonly distinguish; months inclusive."""

    name: str
    unborn: bool
    min_months: int = 0
    max_months: int = 0


AGE_BANDS: tuple[Band, ...] = (
    Band("unborn", unborn=True),
    Band("0-11 months", unborn=False, min_months=0, max_months=11),
    Band("1-4 years", unborn=False, min_months=12, max_months=59),
    Band("5-10 years", unborn=False, min_months=60, max_months=131),
    Band("11-15 years", unborn=False, min_months=132, max_months=191),
    Band("16-17 years", unborn=False, min_months=192, max_months=215),
)


class Tally(Out):
    exercised: int
    total: int
    percent: float = Field(description="exercised / total × 100, one decimal place; 0 when total is 0.")


class DomainLevelTally(Out):
    domain: str
    label: str
    levels: dict[Level, Tally] = Field(description="Per level, only levels the domain has descriptors at.")
    all: Tally


class BandReach(Out):
    band: str
    unreachable: list[Level] = Field(description="Levels nothing applicable to this band can produce.")


class Coverage(Out):
    rulebook: str
    scenarios: int
    scenarios_naming_rulebook: int
    descriptors: Tally
    escalations: Tally
    mitigations: Tally
    unexercised_descriptors: list[str]
    unexercised_escalations: list[str]
    unexercised_mitigations: list[str]
    by_domain: list[DomainLevelTally]
    by_level: dict[Level, Tally]
    unreachable_by_age: list[BandReach]


def tally(exercised: int, total: int) -> Tally:
    return Tally(exercised=exercised, total=total, percent=round(100 * exercised / total, 1) if total else 0.0)


def coverage(rulebook: Rulebook, scenarios: Sequence[Scenario]) -> Coverage:
    """Run every scenario's situation under `rulebook` and count what fired and applied.

    Every scenario counts, whether or not it states an expectation for this rulebook: a
    situation means the same under any rulebook, and firing is what is being measured.
    """
    fired: set[str] = set()
    escalated: set[str] = set()
    mitigated: set[str] = set()
    for scenario in scenarios:
        for child in assess(scenario.situation, rulebook).children:
            fired.update(d.id for d in child.fired)
            escalated.update(e.id for e in child.escalations)
            if child.mitigation:
                mitigated.add(child.mitigation.id)
    descriptor_ids = [d.id for d in rulebook.descriptors]
    escalation_ids = sorted(e.id for e in rulebook.escalations)
    mitigation_ids = sorted(m.id for m in rulebook.mitigations)
    return Coverage(
        rulebook=rulebook.id,
        scenarios=len(scenarios),
        scenarios_naming_rulebook=sum(rulebook.id in s.expected for s in scenarios),
        descriptors=tally(len(fired & set(descriptor_ids)), len(descriptor_ids)),
        escalations=tally(len(escalated & set(escalation_ids)), len(escalation_ids)),
        mitigations=tally(len(mitigated & set(mitigation_ids)), len(mitigation_ids)),
        unexercised_descriptors=sorted(set(descriptor_ids) - fired),
        unexercised_escalations=[e for e in escalation_ids if e not in escalated],
        unexercised_mitigations=[m for m in mitigation_ids if m not in mitigated],
        by_domain=_by_domain(rulebook, fired),
        by_level={
            level: tally(
                sum(d.id in fired for d in rulebook.descriptors if d.level is level),
                sum(d.level is level for d in rulebook.descriptors),
            )
            for level in LEVELS
        },
        unreachable_by_age=[BandReach(band=b.name, unreachable=unreachable_levels(rulebook, b)) for b in AGE_BANDS],
    )


def _by_domain(rulebook: Rulebook, fired: set[str]) -> list[DomainLevelTally]:
    rows = []
    for domain, entry in rulebook.domains.items():
        own = [d for d in rulebook.descriptors if d.domain == domain]
        if not own:
            continue
        levels = {
            level: tally(sum(d.id in fired for d in at), len(at))
            for level in LEVELS
            for at in ([d for d in own if d.level is level],)
            if at
        }
        rows.append(
            DomainLevelTally(
                domain=domain, label=entry.label, levels=levels, all=tally(sum(d.id in fired for d in own), len(own))
            )
        )
    return rows


def applies_to_band(age: Optional[AgeBand], band: Band) -> bool:
    """Whether a descriptor or escalation with age band `age` can apply to some child in `band`."""
    if age is None:
        return True
    if band.unborn:
        return age.unborn != "exclude"
    if age.unborn == "only":
        return False
    low = age.min_months if age.min_months is not None else 0
    high = age.max_months if age.max_months is not None else band.max_months
    return low <= band.max_months and high >= band.min_months


def unreachable_levels(rulebook: Rulebook, band: Band) -> list[Level]:
    """Levels that nothing applicable to `band` can produce.

    Universal is always reachable (nothing fired). A descriptor produces its level; a condition
    escalation its target; a count escalation its target when enough applicable descriptors at
    its minimum level exist across enough domains; a mitigation the level one step below one it
    lowers from, once that level is reachable.
    """
    applicable = [d for d in rulebook.descriptors if applies_to_band(d.age, band)]
    reachable = {Level.universal, *(d.level for d in applicable)}
    for escalation in rulebook.escalations:
        if escalation.count is None:
            if escalation.applies is not None and applies_to_band(escalation.applies.age, band):
                reachable.add(escalation.to)
            continue
        rule = escalation.count
        counted = [d for d in applicable if d.level >= rule.min_level]
        if len(counted) >= rule.min_count and len({d.domain for d in counted}) >= rule.min_domains:
            reachable.add(escalation.to)
    for mitigation in rulebook.mitigations:
        reachable.update(level.step(-1) for level in mitigation.lowers_from if level in reachable)
    return [level for level in LEVELS if level not in reachable]
