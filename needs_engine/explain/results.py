"""Explanations as typed, machine-readable results (the CLI's JSON and any HTTP layer reuse them).

Field names are part of the public contract, like the assessment's: add, don't rename.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from ..model.assessment import Assessment, FactValueType, LowerRung, Out
from ..model.levels import Level


class FactWords(Out):
    """A fact that decided something, with its value and the sentence a person reads."""

    subject: str = Field(description="'child:<id>', 'carer:<id>' or 'household'.")
    fact: str = Field(description="The fact path as conditions name it.")
    path: str = Field(description="The same fact as `needs what-if --set` writes it.")
    value: FactValueType
    words: str = Field(description='The fact in words, e.g. "c1\'s school attendance is 84% (below 90%)".')
    definition: Optional[str] = Field(default=None, description="The scale's definition of the value, for graded facts.")


class FiredReason(Out):
    id: str
    level: Level
    label: str
    domain: str
    domain_label: str
    text: str
    red_flag: bool = False
    because: list[FactWords]
    also_meets: list[LowerRung] = Field(default_factory=list, description="Lower rungs of the same need that fired too.")


class EscalationReason(Out):
    id: str
    text: str
    to: Level
    label: str
    counted: list[str] = Field(default_factory=list, description="For a count rule: the descriptor ids it counted.")
    domains: list[str] = Field(default_factory=list, description="For a count rule: the domains those descriptors are in.")
    because: list[FactWords] = Field(default_factory=list, description="For a condition rule: the facts that met it.")
    words: str


class MitigationReason(Out):
    id: str
    text: str
    from_level: Level
    to_level: Level
    because: list[FactWords]


class FactChange(Out):
    """One fact changed (or learned) in a counterfactual, a near miss or a what-if."""

    subject: str
    fact: str
    path: str
    before: FactValueType
    after: FactValueType
    learned: bool = Field(description="True when the fact was unknown: the change is finding it out.")
    words: str


class Counterfactual(Out):
    """A smallest set of fact changes that moves one child's level (one step, or to a level asked for)."""

    changes: list[FactChange]
    from_level: Level
    to_level: Level
    sentence: str


class CounterfactualSearch(Out):
    """The result of one bounded search (down one step, or up one step) for one child."""

    direction: Literal["down", "up"]
    target: Optional[Level] = Field(description="The level one step away; null at either end of the scale.")
    found: list[Counterfactual]
    more: int = Field(default=0, description="How many further sets of the same size were found but not listed.")
    changes_needed: Optional[int] = Field(description="The size of the smallest sets found; null when none was found.")
    max_changes: int
    combinations_tried: int
    stopped_at_limit: bool = Field(description="True when the search hit its size limit before finishing.")
    note: Optional[str] = None


class TargetSearch(Out):
    """The result of one bounded search for the changes that bring one child to a chosen level.

    "What would make this Safeguarding?": every set listed lands on `target` exactly (not beyond
    it), and the sets are the smallest the search found, up or down, however many steps away.
    """

    child_id: str = Field(description="The child searched for, by id.")
    target: Level = Field(description="The level asked for.")
    target_label: str = Field(description="The target level as the rulebook labels it.")
    from_level: Level = Field(description="The child's level now, on what is known.")
    from_label: str = Field(description="The child's level now, as the rulebook labels it.")
    direction: Optional[Literal["down", "up"]] = Field(
        description="Which way the target lies; null when the child is there already."
    )
    found: list[Counterfactual]
    more: int = Field(default=0, description="How many further sets of the same size were found but not listed.")
    changes_needed: Optional[int] = Field(
        description="The size of the smallest sets found; null when none was found (or none is needed)."
    )
    max_changes: int = Field(description="The largest set of changes the search tried.")
    combinations_tried: int = Field(description="How many combinations of changes the search assessed.")
    stopped_at_limit: bool = Field(description="True when the search hit its size limit before finishing.")
    note: Optional[str] = Field(
        default=None,
        description="A word on the result: the child is there already, no set was found, or a red flag that no change of fact removes.",
    )


class NearMiss(Out):
    """A descriptor that did not fire but would with one fact changed."""

    id: str
    level: Level
    label: str
    text: str
    change: FactChange
    level_after: Level = Field(description="The child's level if that one fact changed.")


class ChildExplanation(Out):
    child_id: str
    name: Optional[str] = None
    age: str
    level: Level
    label: str
    possible_level: Level
    possible_label: str
    fired: list[FiredReason]
    escalations: list[EscalationReason]
    mitigation: Optional[MitigationReason] = None
    red_flags: list[str]
    nearly_fired: list[NearMiss]
    down: CounterfactualSearch
    up: CounterfactualSearch
    target: Optional[TargetSearch] = Field(
        default=None,
        description="The changes that would bring the child to the level asked for (`--target`); null when none was asked.",
    )


class Explanation(Out):
    """Why each child is at their level, what nearly changed it and what would."""

    assessment: Assessment
    children: list[ChildExplanation]
