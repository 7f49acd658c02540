"""Rulebook diff: what changed between two versions of a rulebook, and which scenarios it moves.

A policy lead editing thresholds needs to see the rules that changed and their effect on real
cases before publishing. Both versions are compared as *loaded* (what `load_rulebook` returns,
every condition compiled, every inherited descriptor in place), never as YAML text: a rule moved
between files, reworded in whitespace, or inherited from a shared library compares equal when it
decides alike, and a change to a library a rulebook extends shows as a change to the rulebook.

Rules are matched by id. Each compiled rule is read field by field (`dataclasses.fields`), so a
field the loader adds later (a response tier, say) is compared without this module changing;
where it was defined (file and line) and fields marked `compare=False` are not part of a rule.
Each scenario is then assessed under both versions; one whose family or child level moves is
listed with the reasons: the descriptors, escalations and mitigation that fire under one version
and not the other, each with the rule change behind it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from enum import Enum
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field

from ..engine.assess import assess
from ..language.compile import Condition
from ..model.assessment import ChildAssessment, Out
from ..model.levels import Level
from ..rulebook.book import Rulebook
from ..rulebook.parts import Applicable

RuleKind = Literal["descriptor", "escalation", "mitigation"]
NOT_PART_OF_A_RULE = frozenset({"id", "file", "line"})
"""Where a rule is written is not what it decides (ids are how rules are matched)."""
SHORT_VALUE = 40
"""Longer values (a descriptor's text, its source, a condition) are named, not quoted, in a reason."""


class FieldChange(Out):
    """One field of a rule, before and after (as text; null where the field did not exist)."""

    field: str = Field(description="The field, as the loaded rule names it (`when` and `age` for its condition).")
    before: Optional[str] = Field(description="The old value, as text.")
    after: Optional[str] = Field(description="The new value, as text.")

    def short(self) -> str:
        """'level early_help → targeted' for a short value; only the field's name for a long one (text, source)."""
        if max(len(self.before or ""), len(self.after or "")) > SHORT_VALUE:
            return self.field
        return f"{self.field} {self.before} → {self.after}"


class RuleChange(Out):
    """A descriptor, escalation or mitigation added, removed or changed."""

    kind: RuleKind = Field(description="descriptor, escalation or mitigation.")
    id: str = Field(description="The rule's id.")
    change: Literal["added", "removed", "changed"] = Field(description="What happened to it in the new version.")
    text: str = Field(description="The rule's text (the new version's, or the old one's for a removed rule).")
    fields: list[FieldChange] = Field(default_factory=list, description="For a changed rule: each field that changed.")

    def summary(self) -> str:
        """The change in a few words, e.g. 'changed: level early_help → targeted'."""
        if self.change != "changed":
            return self.change
        return "changed: " + "; ".join(f.short() for f in self.fields)


class ChildMove(Out):
    """One child of a scenario whose level is not the same under the two versions."""

    child_id: str = Field(description="The child's id in the scenario.")
    before: Level = Field(description="The child's level under the old version.")
    after: Level = Field(description="The child's level under the new version.")
    reasons: list[str] = Field(description="What fires differently, each with the rule change behind it.")


class ScenarioMove(Out):
    """A scenario whose family level, or a child's level, is not the same under the two versions."""

    scenario: str = Field(description="The scenario's name (its file stem).")
    title: str = Field(description="The scenario's title.")
    before: Level = Field(description="The family level under the old version.")
    after: Level = Field(description="The family level under the new version.")
    expected: Optional[Level] = Field(
        description="The family level the scenario expects under the new version's rulebook id (null: it states none)."
    )
    children: list[ChildMove] = Field(description="The children whose level moved.")


class VersionRef(Out):
    """One side of the diff."""

    id: str = Field(description="The rulebook's id.")
    version: str = Field(description="Its version, as its rules file gives it.")
    content_hash: str = Field(description="sha256 of its content.")
    path: str = Field(description="The rules file it was loaded from.")


class RulebookDiff(Out):
    """What changed between two versions of a rulebook, and the scenarios whose levels it moves."""

    old: VersionRef = Field(description="The old version.")
    new: VersionRef = Field(description="The new version.")
    descriptors: list[RuleChange] = Field(description="Descriptors added, removed or changed, by id.")
    escalations: list[RuleChange] = Field(description="Escalations added, removed or changed, by id.")
    mitigations: list[RuleChange] = Field(description="Mitigations added, removed or changed, by id.")
    scenarios_checked: int = Field(description="How many scenarios were assessed under both versions.")
    scenarios: list[ScenarioMove] = Field(description="The scenarios whose family or child levels moved, by name.")

    @property
    def changes(self) -> list[RuleChange]:
        return [*self.descriptors, *self.escalations, *self.mitigations]


def diff_rulebooks(old: Rulebook, new: Rulebook, scenarios: Iterable[Any] = ()) -> RulebookDiff:
    """Compare two loaded rulebooks rule by rule, then assess each scenario under both.

    `scenarios` are loaded scenarios (`needs_engine.scenarios.Scenario`: name, title, situation, expected).
    """
    descriptors = rule_changes("descriptor", old.descriptors, new.descriptors)
    escalations = rule_changes("escalation", old.escalations, new.escalations)
    mitigations = rule_changes("mitigation", old.mitigations, new.mitigations)
    changed = {change.id: change for change in [*descriptors, *escalations, *mitigations]}
    checked = 0
    moves = []
    for scenario in scenarios:
        checked += 1
        move = scenario_move(scenario, old, new, changed)
        if move is not None:
            moves.append(move)
    return RulebookDiff(
        old=_ref(old),
        new=_ref(new),
        descriptors=descriptors,
        escalations=escalations,
        mitigations=mitigations,
        scenarios_checked=checked,
        scenarios=moves,
    )


def _ref(book: Rulebook) -> VersionRef:
    return VersionRef(id=book.id, version=book.version, content_hash=book.content_hash, path=book.path)


# --- rules ----------------------------------------------------------------------------------


def rule_changes(kind: RuleKind, old: Iterable[Any], new: Iterable[Any]) -> list[RuleChange]:
    """The rules of one kind added, removed or changed between `old` and `new`, by id."""
    before = {rule.id: rule for rule in old}
    after = {rule.id: rule for rule in new}
    changes = []
    for rule_id in sorted(before.keys() | after.keys()):
        if rule_id not in before:
            changes.append(RuleChange(kind=kind, id=rule_id, change="added", text=after[rule_id].text))
        elif rule_id not in after:
            changes.append(RuleChange(kind=kind, id=rule_id, change="removed", text=before[rule_id].text))
        else:
            fields = field_changes(before[rule_id], after[rule_id])
            if fields:
                changes.append(RuleChange(kind=kind, id=rule_id, change="changed", text=after[rule_id].text, fields=fields))
    return changes


def field_changes(old: Any, new: Any) -> list[FieldChange]:
    """Each field of a compiled rule whose value is not the same in `old` and `new`."""
    before, after = rule_fields(old), rule_fields(new)
    return [
        FieldChange(field=name, before=before.get(name), after=after.get(name))
        for name in [*before, *(name for name in after if name not in before)]
        if before.get(name) != after.get(name)
    ]


def rule_fields(rule: Any) -> dict[str, Optional[str]]:
    """A compiled rule as field → value in words; a condition is its text, an age band its bounds."""
    found: dict[str, Optional[str]] = {}
    for item in dataclasses.fields(rule):
        if item.name in NOT_PART_OF_A_RULE or not item.compare:
            continue
        value = getattr(rule, item.name)
        if isinstance(value, Applicable):
            found["when"] = value.condition.text
            found["age"] = _words(value.age)
        else:
            found[item.name] = _words(value)
    return found


def _words(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Condition):
        return value.text
    if isinstance(value, BaseModel):
        dumped = value.model_dump(mode="json", exclude_none=True)
        return ", ".join(f"{key}={item}" for key, item in dumped.items()) or "any"
    if isinstance(value, (frozenset, set, tuple, list)):
        return ", ".join(sorted(str(_words(item)) for item in value))
    return str(value)


# --- scenarios ------------------------------------------------------------------------------


def scenario_move(scenario: Any, old: Rulebook, new: Rulebook, changed: dict[str, RuleChange]) -> Optional[ScenarioMove]:
    """The scenario's move between the two versions, or None when every level stays."""
    before, after = assess(scenario.situation, old), assess(scenario.situation, new)
    then = {child.child_id: child for child in before.children}
    children = [
        ChildMove(child_id=child.child_id, before=then[child.child_id].level, after=child.level, reasons=reasons)
        for child in after.children
        if child.level is not then[child.child_id].level
        for reasons in [child_reasons(then[child.child_id], child, changed)]
    ]
    if not children and before.level is after.level:
        return None
    expectation = scenario.expected.get(new.id)
    return ScenarioMove(
        scenario=scenario.name,
        title=scenario.title,
        before=before.level,
        after=after.level,
        expected=expectation.level if expectation is not None else None,
        children=children,
    )


def child_reasons(before: ChildAssessment, after: ChildAssessment, changed: dict[str, RuleChange]) -> list[str]:
    """What fires for a child under one version and not the other, each with the rule change behind it."""
    reasons = []
    fired_before = {d.id: d.level for d in before.fired}
    fired_after = {d.id: d.level for d in after.fired}
    for rule_id in sorted(fired_before.keys() | fired_after.keys()):
        was, now = fired_before.get(rule_id), fired_after.get(rule_id)
        if was is now:
            continue
        if was is None:
            line = f"{rule_id} ({_value(now)}) now fires"
        elif now is None:
            line = f"{rule_id} ({_value(was)}) no longer fires"
        else:
            line = f"{rule_id} now counts at {_value(now)} (was {_value(was)})"
        reasons.append(_with_change(line, rule_id, changed, "descriptor"))
    escalated_before = {e.id: e.to for e in before.escalations}
    escalated_after = {e.id: e.to for e in after.escalations}
    for rule_id in sorted(escalated_before.keys() | escalated_after.keys()):
        was, now = escalated_before.get(rule_id), escalated_after.get(rule_id)
        if was is now:
            continue
        line = f"escalation {rule_id} now applies (→ {_value(now)})" if now else f"escalation {rule_id} no longer applies"
        reasons.append(_with_change(line, rule_id, changed, "escalation"))
    mitigated_before = before.mitigation.id if before.mitigation else None
    mitigated_after = after.mitigation.id if after.mitigation else None
    if mitigated_before != mitigated_after:
        for mitigation_id, line in (
            (mitigated_before, f"mitigation {mitigated_before} no longer applies"),
            (mitigated_after, f"mitigation {mitigated_after} now applies"),
        ):
            if mitigation_id is not None:
                reasons.append(_with_change(line, mitigation_id, changed, "mitigation"))
    if not reasons:
        # The same rules fired, yet the level moved: what changed is how the rulebook combines them.
        reasons.append("the same descriptors, escalations and mitigation apply; the rulebook combines them differently")
    return reasons


def _value(level: Optional[Level]) -> str:
    return level.value if level is not None else "none"


UNCHANGED_BUT_MOVED: dict[RuleKind, str] = {
    # Only a need's highest fired rung is listed, so adding or removing a rung above it shows or hides it.
    "descriptor": "unchanged itself; another rung of the same need changed",
    "escalation": "unchanged itself; the descriptors it counts or reads changed",
    "mitigation": "unchanged itself; the level, or the rules it may lower, changed",
}


def _with_change(line: str, rule_id: str, changed: dict[str, RuleChange], kind: RuleKind) -> str:
    change = changed.get(rule_id)
    if change is not None:
        return f"{line}: {change.kind} {change.summary()}"
    return f"{line}: {UNCHANGED_BUT_MOVED[kind]}"
