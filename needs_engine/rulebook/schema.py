"""The shape of rulebook files: descriptor files and the rules file, as pydantic models.

Unknown keys are errors. Conditions are kept as text here; `load.py` compiles them.
"""

# Annotations are evaluated as the classes are made (no `from __future__ import annotations`):
# pydantic would otherwise compile and evaluate every field annotation from its text when the
# module is imported, which every `needs assess` does (issue 16 section 4). Validators name their
# own class in quotes.

from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StringConstraints, model_validator

from ..model.levels import Level
from ..model.tiers import Tier

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
DomainId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StrictFile(Strict):
    """A whole file's model (or an entry only a file holds): validated only when a rulebook is
    loaded from its YAML, so its validator is built then, not when the module is imported
    (a compiled rulebook from the cache never needs it: `rulebook/compiled.py`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class AgeBand(Strict):
    """Which children a descriptor or escalation applies to, by age."""

    min_months: Optional[int] = Field(default=None, ge=0, le=240)
    max_months: Optional[int] = Field(default=None, ge=0, le=240)
    unborn: Literal["exclude", "include", "only"] = "exclude"

    @model_validator(mode="after")
    def _consistent(self) -> "AgeBand":
        if self.unborn == "only" and (self.min_months is not None or self.max_months is not None):
            raise ValueError("unborn: only cannot be combined with min_months or max_months")
        if self.min_months is not None and self.max_months is not None and self.min_months > self.max_months:
            raise ValueError("min_months is greater than max_months")
        return self


class DescriptorEntry(Strict):
    """One threshold statement of a rulebook's own: it states its response `tier`, its `level`, or
    both (the level must then cover the tier). A tier alone sits at the lowest level covering it;
    a level alone reports the lowest tier that level covers."""

    id: Slug
    level: Optional[Level] = None
    tier: Optional[Tier] = None
    text: Text
    source: Text
    when: Text
    age: Optional[AgeBand] = None
    floor: bool = False
    need: Optional[Slug] = None
    """Descriptors sharing a `need` are one need at increasing severity (a ladder, Semantics 12):
    its rungs in file order, levels never decreasing, counted once in every count escalation
    (in the domain of its highest fired rung). Rungs may sit in several domains' files."""
    documentation: Optional[str] = None

    @model_validator(mode="after")
    def _placed(self) -> "DescriptorEntry":
        if self.level is None and self.tier is None:
            raise ValueError("a descriptor states its response `tier:` (or, for a rulebook's own descriptor, its `level:`)")
        return self


class CommonDescriptorEntry(DescriptorEntry):
    """A descriptor of the common library: it states a response tier, never a local level, because
    each rulebook maps tiers to its own levels (and overrides the level where it must, citing why)."""

    tier: Tier

    @model_validator(mode="after")
    def _no_level(self) -> "CommonDescriptorEntry":
        if self.level is not None:
            raise ValueError("a common descriptor states `tier:`, not `level:`: each rulebook maps tiers to its levels")
        return self


class DescriptorFile(StrictFile):
    """`descriptors/<rulebook>/<domain>.yaml`."""

    domain: DomainId
    descriptors: list[DescriptorEntry] = Field(min_length=1)


class CommonDescriptorFile(StrictFile):
    """`descriptors/<library>/<domain>.yaml`: the common library's descriptors of one domain."""

    domain: DomainId
    descriptors: list[CommonDescriptorEntry] = Field(min_length=1)


class Response(Strict):
    """What to do at a level."""

    summary: Text
    actions: list[Text] = Field(min_length=1)


class LevelEntry(Strict):
    label: Text
    tiers: list[Tier] = Field(min_length=1)
    """The response tiers this level covers, lowest first (`rulebook/tiers.py` checks the mapping)."""
    name: Optional[Text] = None
    meaning: Text
    response: Response
    source: Text
    statutory: Optional[bool] = None
    """A statutory level is a local-authority duty (e.g. St Helens Level 3, a section 17 child in
    need referral), not voluntary early help; outputs say so beside the response. It follows from
    `tiers` (statutory exactly when the level covers child_in_need or above): left out, the loader
    sets it so; written, the loader checks it says the same."""


class DomainEntry(Strict):
    label: Text
    group: Literal["child_development", "parenting_capacity", "family_environment", "extra_familial", "red_flags"]


class DescriptorCount(Strict):
    """Enough fired descriptors, across enough domains."""

    min_level: Level
    min_count: int = Field(ge=1)
    min_domains: int = Field(default=1, ge=1)


class EscalationEntry(StrictFile):
    """A rule that raises a child's level to at least `to`; `tier` is the response it means, which
    `to` must cover."""

    id: Slug
    text: Text
    source: Text
    tier: Tier
    to: Level
    when: Optional[Text] = None
    descriptors: Optional[DescriptorCount] = None
    age: Optional[AgeBand] = None
    documentation: Optional[str] = None

    @model_validator(mode="after")
    def _one_trigger(self) -> "EscalationEntry":
        if (self.when is None) == (self.descriptors is None):
            raise ValueError("an escalation needs exactly one of 'when' (a condition) or 'descriptors' (a count)")
        return self


class MitigationEntry(StrictFile):
    """Strengths that may lower what they name by one step, only from the levels listed (Semantics 13).

    `lowers` names what the strengths can meet: descriptor ids, need ids, escalation ids or
    domain ids. Nothing else is ever lowered. A need or a domain covers only its descriptors that
    may be lowered; naming a never-mitigable descriptor or escalation itself is a load error.
    """

    id: Slug
    text: Text
    source: Text
    when: Text
    lowers: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]] = Field(min_length=1)
    lowers_from: list[Level] = Field(min_length=1)
    documentation: Optional[str] = None

    @model_validator(mode="after")
    def _never_from_safeguarding(self) -> "MitigationEntry":
        if Level.safeguarding in self.lowers_from:
            raise ValueError("a mitigation can never lower a level from safeguarding")
        if Level.universal in self.lowers_from:
            raise ValueError("nothing is below universal")
        return self


class ConsentGuidance(Strict):
    """What to say when consent is refused, not sought or unknown at a level that needs it."""

    needed_from: Level
    not_needed_from: Level
    given: Text
    refused: dict[Level, Text]
    not_sought: Text
    unknown: Text
    not_needed: Text


class Urgent(Strict):
    """The response that overrides everything when a child is in immediate danger."""

    when: Text
    summary: Text
    actions: list[Text] = Field(min_length=1)
    source: Text


class StepDown(Strict):
    """What to do when a family's level falls: how the case leaves the higher level, so a plan is
    handed on rather than closed (both seeds ask for coherent step-up / step-down arrangements)."""

    summary: Text
    actions: list[Text] = Field(min_length=1)
    source: Text


class NotAConcernEntry(Strict):
    """A value of a concern fact that the rulebook deliberately does not treat as a concern.

    `needs rules lint` reports every value of a concern fact that no descriptor acknowledges;
    an entry here says, with a reason and a source, that the silence is meant (for example a
    value whose own definition is within the normal range). For a number, the entry covers that
    value and every less worrying one. The loader checks the fact and the value against the
    catalogue.
    """

    fact: Annotated[str, StringConstraints(pattern=r"^[a-z_]+(\.[a-z0-9_]+)+$")]
    value: Union[StrictBool, StrictInt, StrictFloat, str]
    reason: Text
    source: Text
    age: Optional[AgeBand] = None


class OverrideEntry(Strict):
    """A local change to one common descriptor, with its source and the reason for it.

    Only what is named changes: the level this rulebook gives it, its tier (and so its level,
    unless `level` is given too), its condition or its age band. Everything else, the text and the
    source included, stays the library's."""

    descriptor: Slug
    level: Optional[Level] = None
    tier: Optional[Tier] = None
    when: Optional[Text] = None
    age: Optional[AgeBand] = None
    source: Text
    reason: Text

    @model_validator(mode="after")
    def _changes_something(self) -> "OverrideEntry":
        if not self.changes():
            raise ValueError(f"an override must change at least one of {', '.join(OVERRIDABLE)}")
        return self

    def changes(self) -> tuple[str, ...]:
        """The fields this override changes, in `OVERRIDABLE` order."""
        return tuple(name for name in OVERRIDABLE if getattr(self, name) is not None)


OVERRIDABLE = ("level", "tier", "when", "age")
"""What an override may change in a common descriptor."""


class ExclusionEntry(Strict):
    """A common descriptor this rulebook does not use, with its reason and source."""

    descriptor: Slug
    reason: Text
    source: Text


class LibraryFile(StrictFile):
    """`descriptors/<library>/library.yaml`: what every rulebook extending the library shares."""

    id: DomainId
    name: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    summary: Text
    sources: dict[str, Text] = Field(default_factory=dict)
    domains: dict[DomainId, DomainEntry] = Field(min_length=1)
    not_a_concern: list[NotAConcernEntry] = Field(default_factory=list)


class RulesFile(StrictFile):
    """`rules/<rulebook>.yaml`.

    With `extends`, the rulebook is the common library named plus this file: the library's
    domains, sources and `not_a_concern` entries, then this file's additions, its `overrides` of
    common descriptors and its `exclude` list, and its own descriptors in `descriptors/<id>/`."""

    id: DomainId | Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]*$")]
    name: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    summary: Text
    extends: Optional[DomainId] = None
    sources: dict[str, Text] = Field(default_factory=dict)
    levels: dict[Level, LevelEntry]
    domains: dict[DomainId, DomainEntry] = Field(default_factory=dict)
    red_flags: list[Slug] = Field(min_length=1)
    escalations: list[EscalationEntry] = Field(default_factory=list)
    mitigations: list[MitigationEntry] = Field(default_factory=list)
    not_a_concern: list[NotAConcernEntry] = Field(default_factory=list)
    consent: ConsentGuidance
    urgent: Urgent
    step_down: Optional[StepDown] = None
    overrides: list[OverrideEntry] = Field(default_factory=list)
    exclude: list[ExclusionEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_level(self) -> "RulesFile":
        missing = [level.value for level in Level if level not in self.levels]
        if missing:
            raise ValueError(f"levels must define all four levels; missing: {', '.join(missing)}")
        if self.extends is None:
            if not self.domains:
                raise ValueError("domains: a rulebook that extends no library must declare its domains")
            if self.overrides or self.exclude:
                raise ValueError("overrides and exclude change a common library: add `extends: <library id>`")
        return self
