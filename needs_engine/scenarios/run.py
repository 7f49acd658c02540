"""Run scenarios: assess each scenario under each rulebook it names and check the expected levels.

A mismatch is explained in descriptors, child by child, because "expected Targeted, got Early
Help" alone sends an author hunting: when the engine went higher than expected, the fired
descriptors and escalations above the expected level pushed it there; when it stayed lower,
nothing at the expected level fired, and the report names what did fire, any mitigation that
lowered it, and the unknown descriptors that could have reached the expected level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional, Union

from pydantic import Field

from ..engine.assess import assess
from ..errors import InputError, Problem
from ..model.assessment import Assessment, ChildAssessment, Out
from ..model.levels import Level
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook, shipped_rulebooks
from .library import Expectation, Scenario

MAX_UNKNOWN_SHOWN = 6


class LevelCheck(Out):
    """One expected level (the family's or a child's) against what the engine gave."""

    subject: str = Field(description="'family' or the child id.")
    expected: Optional[Level] = Field(description="Null when the scenario gives no expectation for this child.")
    level: Level
    label: str
    ok: bool
    explanation: list[str] = Field(default_factory=list, description="For a mismatch: the descriptors behind it.")


class ScenarioResult(Out):
    """A scenario run under one rulebook."""

    scenario: str
    title: str
    rulebook: str
    why: str
    ok: bool
    family: LevelCheck
    children: list[LevelCheck]


def run_scenarios(scenarios: Sequence[Scenario], rulebook: Union[Rulebook, str, None] = None) -> list[ScenarioResult]:
    """Run every scenario under every rulebook it names, or only under `rulebook` when given.

    Raises InputError, before running anything, for expectations that name a rulebook that is
    not shipped (when no rulebook is given) or a child the situation does not have.
    """
    chosen = None if rulebook is None else rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
    check_expectations(scenarios, named_rulebooks=chosen is None)
    results = []
    for scenario in scenarios:
        for rid in [chosen.id] if chosen else sorted(scenario.expected):
            if rid in scenario.expected:
                results.append(check_scenario(scenario, chosen or load_rulebook(rid)))
    return results


def check_expectations(scenarios: Sequence[Scenario], *, named_rulebooks: bool) -> None:
    """Every expectation names a shipped rulebook (if `named_rulebooks`) and children that exist."""
    shipped = set(shipped_rulebooks())
    problems = []
    for scenario in scenarios:
        ids = sorted(child.id for child in scenario.situation.household.children)
        for rid, expectation in sorted(scenario.expected.items()):
            if named_rulebooks and rid not in shipped:
                problems.append(
                    Problem(
                        f"{scenario.path}: expected.{rid}", f"no shipped rulebook '{rid}'", expected=", ".join(sorted(shipped))
                    )
                )
            for child_id in sorted(set(expectation.children) - set(ids)):
                problems.append(
                    Problem(
                        f"{scenario.path}: expected.{rid}.children.{child_id}",
                        f"no child '{child_id}' in the situation",
                        expected=", ".join(ids),
                    )
                )
    if problems:
        raise InputError(problems)


def check_scenario(scenario: Scenario, rulebook: Rulebook) -> ScenarioResult:
    """Assess one scenario under one rulebook and compare with its expectation for that rulebook."""
    expectation: Expectation = scenario.expected[rulebook.id]
    assessment = assess(scenario.situation, rulebook)
    children = [
        _check(child.child_id, expectation.children.get(child.child_id), child.level, child.label, [child], rulebook)
        for child in assessment.children
    ]
    family = _check("family", expectation.level, assessment.level, assessment.label, _family_children(assessment), rulebook)
    return ScenarioResult(
        scenario=scenario.name,
        title=scenario.title,
        rulebook=rulebook.id,
        why=expectation.why,
        ok=family.ok and all(c.ok for c in children),
        family=family,
        children=children,
    )


def _family_children(assessment: Assessment) -> list[ChildAssessment]:
    """The children who set the family level (the family is the highest child)."""
    return [child for child in assessment.children if child.level == assessment.level]


def _check(
    subject: str,
    expected: Optional[Level],
    level: Level,
    label: str,
    children: list[ChildAssessment],
    rulebook: Rulebook,
) -> LevelCheck:
    ok = expected is None or expected == level
    explanation = [] if ok or expected is None else explain_mismatch(expected, children, rulebook)
    return LevelCheck(subject=subject, expected=expected, level=level, label=label, ok=ok, explanation=explanation)


def explain_mismatch(expected: Level, children: list[ChildAssessment], rulebook: Rulebook) -> list[str]:
    """Say, in descriptor ids, why the children's level is not `expected`."""
    lines = []
    for child in children:
        who = f"child {child.child_id}: "
        if child.level > expected:
            pushed = [f"{d.id} ({d.level.value})" for d in child.fired if d.level > expected]
            pushed += [f"{e.id} → {e.to.value}" for e in child.escalations if e.to > expected]
            lines.append(who + f"pushed above {expected.value} by " + (", ".join(pushed) or "nothing fired above it"))
            continue
        highest = max((d.level for d in child.fired), default=None)
        top = [f"{d.id} ({d.level.value})" for d in child.fired if d.level == highest]
        lines.append(who + f"nothing at {expected.value} or above fired; highest fired: " + (", ".join(top) or "none"))
        if child.mitigation:
            m = child.mitigation
            lines.append(who + f"{m.id} lowered it {m.from_level.value} → {m.to_level.value}")
        unknown = sorted(
            (rulebook.by_id[d] for d in child.could_fire if d in rulebook.by_id and rulebook.by_id[d].level >= expected),
            key=lambda d: (d.level.rank, d.id),
        )
        if unknown:
            shown = ", ".join(f"{d.id} ({d.level.value})" for d in unknown[:MAX_UNKNOWN_SHOWN])
            more = f" and {len(unknown) - MAX_UNKNOWN_SHOWN} more" if len(unknown) > MAX_UNKNOWN_SHOWN else ""
            lines.append(who + f"unknown, so not fired: {shown}{more}")
    return lines


def failure_message(result: ScenarioResult) -> str:
    """A failed run in words: the scenario, expected and actual levels, and the descriptor difference."""
    lines = [f"Scenario '{result.scenario}' [{result.rulebook}]: {result.why}"]
    said: set[str] = set()
    for check in [*result.children, result.family]:
        if not check.ok:
            lines.append(
                f"  {check.subject}: expected {check.expected.value if check.expected else '-'}, got {check.level.value}"
            )
            new = [line for line in check.explanation if line not in said]
            lines.extend(f"    {line}" for line in new or ["(as above)"])
            said.update(check.explanation)
    return "\n".join(lines)
