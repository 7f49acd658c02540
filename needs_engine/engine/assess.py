"""Assess a household: every child, the family level, questions, consent, response, override.

The result is deterministic (Semantics 10): children are reported in id order, descriptors
by level then id, questions by consequence then name, whatever order the input or the
rulebook files were in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional, Union

from pydantic import ValidationError

from .._version import __version__
from ..errors import InputError
from ..formats.validation import problems_from_validation
from ..model.ages import BAND_WORDS, AgeSpan, months_words
from ..model.assessment import (
    AgeCase,
    AppliedEscalation,
    AppliedMitigation,
    Assessment,
    ChildAssessment,
    ConsentNote,
    FactValue,
    FiredDescriptor,
    IfConfirmed,
    LowerRung,
    Override,
    ResponsePlan,
    RulebookRef,
)
from ..model.levels import Level
from ..model.situation import Child, Household, Situation
from ..rulebook.book import Derivation, Rulebook
from ..rulebook.load import load_rulebook
from ..rulebook.parts import Descriptor, Escalation
from .checks import checks_for
from .cin import cin_factors
from .evaluate import (
    ChildResult,
    by_level,
    child_tier,
    counted_by,
    escalations_by_level,
    evaluate_child,
    folded_rungs,
    if_confirmed,
    top_rungs,
)
from .fired import Read, RuleReads, rule_reads
from .override import apply_override, checked_override
from .questions import questions_for
from .unassessed import Recorded, child_concerns, household_concerns, unassessed_for


def assess(
    situation: Union[Situation, Household, dict[str, Any]],
    rulebook: Union[Rulebook, str] = "knowsley",
    *,
    override: Union[Override, Mapping[str, Any], None] = None,
) -> Assessment:
    """Assess one household under a rulebook (a loaded Rulebook, or a shipped id or path).

    `override` is an Override or a mapping of its fields (level, reason, by, second_person).
    Raises InputError for a situation that does not validate or an override that is not allowed.
    """
    household = household_of(situation)
    override = checked_override(override) if override is not None else None
    book = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
    return assessment_of(evaluate_household(household, book), household, book, override=override)


def evaluate_household(household: Household, book: Rulebook) -> list[ChildResult]:
    """Every child evaluated, in id order, with household-only conditions evaluated once."""
    shared: dict[str, Any] = {}
    return [evaluate_child(child, household, book, shared=shared) for child in sorted(household.children, key=lambda c: c.id)]


def assessment_of(
    results: list[ChildResult], household: Household, book: Rulebook, *, override: Optional[Override] = None
) -> Assessment:
    """The assessment made from `evaluate_household`'s results, so a caller that needs the results
    too (explain) evaluates each child once. `override` must already be checked."""
    once = _Once()
    # What each child has recorded of concern: listed when it fired nothing, and what questions point to.
    around = household_concerns(household, book)
    recorded = [child_concerns(result, book) + around for result in results]
    children = [
        _child_assessment(result, household, book, once, concerns) for result, concerns in zip(results, recorded, strict=True)
    ]
    computed = max(child.level for child in children)
    possible = max(child.possible_level for child in children)
    any_red_flag = any(child.red_flags for child in children)
    override_record = apply_override(computed, override, red_flag=any_red_flag) if override else None
    final = override_record.final_level if override_record else computed
    return Assessment.made(
        rulebook=RulebookRef.made(id=book.id, name=book.name, version=book.version, content_hash=book.content_hash),
        engine_version=__version__,
        reference=household.reference,
        level=final,
        label=book.label(final),
        tier=book.tier_map.clamp(max(child.tier for child in children), final),
        computed_level=computed,
        possible_level=possible,
        possible_label=book.label(possible),
        children=children,
        questions=questions_for(results, book, recorded),
        checks=checks_for(household),
        consent=_consent(household, final, book),
        response=_response(results, final, book),
        override=override_record,
    )


def household_of(situation: Union[Situation, Household, dict[str, Any]]) -> Household:
    """The household of a Situation, a Household itself, or a mapping validated as a Situation.

    Raises InputError, with one problem per field, for a mapping that does not validate.
    """
    if isinstance(situation, Situation):
        return situation.household
    if isinstance(situation, Household):
        return situation
    try:
        return Situation.model_validate(situation).household
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc)) from None


def _child_assessment(
    result: ChildResult,
    household: Household,
    book: Rulebook,
    once: _Once,
    recorded: list[Recorded],
) -> ChildAssessment:
    known, possible = result.known, result.possible
    fired = by_level(result.fired)
    top = top_rungs(result.fired)
    return ChildAssessment.made(
        child_id=result.child.id,
        age=age_words(result.child),
        level=known.level,
        label=book.label(known.level),
        tier=child_tier(result, book),
        possible_level=possible.level,
        possible_label=book.label(possible.level),
        red_flags=[d.id for d in fired if d.red_flag],
        fired=[_fired(d, lower, result, once, book) for d, lower in folded_rungs(result.fired, ordered=fired, top=top)],
        escalations=[
            AppliedEscalation.made(
                id=e.id,
                text=e.text,
                to=e.to,
                tier=e.tier,
                because=counted_by(result.fired, e, top=top) if e.count else _because(_escalation_reads(result, e, book, once)),
            )
            for e in escalations_by_level(known.escalations)
        ],
        mitigation=(
            AppliedMitigation.made(
                id=known.mitigation.id, text=known.mitigation.text, from_level=known.before_mitigation, to_level=known.level
            )
            if known.mitigation
            else None
        ),
        could_fire=sorted(d.id for d in result.unknown if d.level > known.level),
        age_cases=[
            AgeCase.made(
                ages="unborn" if case.low is None or case.high is None else AgeSpan(False, True, case.low, case.high).words(),
                from_months=case.low,
                to_months=case.high,
                level=case.level,
                possible_level=case.possible_level,
            )
            for case in result.age_cases
        ],
        if_confirmed=[
            IfConfirmed.made(
                mitigation=mitigation.id,
                strengths=strengths,
                level=level,
                label=book.label(level),
                words=f"would be {book.label(level)} if {_and(strengths)} {'is' if len(strengths) == 1 else 'are'} confirmed",
            )
            for mitigation, strengths, level in if_confirmed(result, book)
        ],
        unassessed=unassessed_for(result, household, book, recorded, household_reads=once.reads),
        cin_factors=cin_factors(result.env, book, once.census),
    )


@dataclass(frozen=True)
class _Once:
    """What an assessment works out once per household and shares between its children."""

    explained: dict[str, FiredDescriptor] = field(default_factory=dict)
    """The fired descriptors that read no fact of a child, by id: the same for every child."""
    census: dict[str, list[str]] = field(default_factory=dict)
    """The census factors that read no fact of a child (`cin.cin_factors`)."""
    reads: dict[str, list[Read]] = field(default_factory=dict)
    """The facts read by the rules that hold and read no fact of a child (`fired.RuleReads.held`)."""


def _escalation_reads(result: ChildResult, escalation: Escalation, book: Rulebook, once: _Once) -> list[Read]:
    """The facts an applied condition escalation read (none for a count escalation)."""
    if escalation.applies is None:
        return []
    return rule_reads(book, f"escalation:{escalation.id}", escalation.applies).held(result, once.reads)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _fired(
    descriptor: Descriptor,
    lower: list[Descriptor],
    result: ChildResult,
    once: _Once,
    book: Rulebook,
) -> FiredDescriptor:
    """The fired descriptor with the facts behind it. A descriptor that reads no fact of the child
    fired on the same facts for every child in the household (it fired, so the child was in its age
    band), so it is explained once per household."""
    shown = _shown(book, descriptor)
    household_only = shown.reads.household_only and not lower
    explained = once.explained
    if household_only and descriptor.id in explained:
        return explained[descriptor.id]
    reads = shown.reads.held(result, once.reads)
    values = dict(shown.fields)
    values["facts"] = fact_values(reads)
    values["need"] = shown.need
    values["also_meets"] = [_shown(book, d).as_lower for d in lower]
    made = FiredDescriptor.whole(values)
    if household_only:
        explained[descriptor.id] = made
    return made


@dataclass(frozen=True)
class _Shown:
    """What an assessment shows of a fired descriptor that is the same for every child: made once
    per rulebook (`_shown`), not once per fired descriptor."""

    reads: RuleReads
    """Its facts, read once per child (once per household if it reads no fact of a child)."""
    fields: dict[str, Any]
    """The FiredDescriptor fields before `facts`, in declared order."""
    need: Optional[str]
    as_lower: LowerRung
    """The descriptor as a lower rung folded into a higher one: immutable, so one model serves every assessment."""


SHOWN: Derivation[dict[str, _Shown]] = Derivation("what an assessment shows of each fired descriptor", lambda book: {})
"""By descriptor id, filled as descriptors fire (most of a rulebook's never do in one process)."""


def _shown(book: Rulebook, descriptor: Descriptor) -> _Shown:
    made = book.derive(SHOWN)
    found = made.get(descriptor.id)
    if found is None:
        fields = {
            "id": descriptor.id,
            "level": descriptor.level,
            "tier": descriptor.tier,
            "domain": descriptor.domain,
            "text": descriptor.text,
            "source": descriptor.source,
            "origin": descriptor.origin.kind,
            "red_flag": descriptor.red_flag,
            "floor": descriptor.floor,
        }
        found = made[descriptor.id] = _Shown(
            reads=rule_reads(book, f"descriptor:{descriptor.id}", descriptor.applies),
            fields=fields,
            need=descriptor.need if descriptor.need in book.needs else None,
            as_lower=LowerRung.made(id=descriptor.id, level=descriptor.level, text=descriptor.text),
        )
    return found


def fact_values(reads: Iterable[Read]) -> list[FactValue]:
    """Distinct facts read, in the order the condition read them."""
    seen: dict[tuple[str, str], FactValue] = {}
    for subject, fact, value in reads:
        key = (subject, fact)
        if key not in seen:
            seen[key] = FactValue.made(subject=subject, fact=fact, value=value.value if isinstance(value, Enum) else value)
    return list(seen.values())


def _because(reads: Iterable[Read]) -> list[str]:
    return [f"{v.fact} = {v.value} ({v.subject})" for v in fact_values(reads)]


def age_words(child: Child) -> str:
    """A child's age as a screener says it: "unborn (20 weeks)", "7 months", "3 years 2 months",
    "13 to 15 years", "under 5", "unknown"."""
    if child.unborn_weeks is not None:
        return f"unborn ({child.unborn_weeks} weeks)"
    if child.age_months is not None:
        return months_words(child.age_months)
    if child.age_band is not None:
        return BAND_WORDS[child.age_band]
    if child.age_years is not None:
        low, high = child.age_years
        return f"{low} year{'s' if low != 1 else ''}" if low == high else f"{low} to {high} years"
    return "unknown"


def _consent(household: Household, level: Level, book: Rulebook) -> ConsentNote:
    guidance = book.consent
    status = household.consent.value if household.consent is not None else "unknown"
    needed = guidance.needed_from <= level < guidance.not_needed_from
    if not needed:
        text = guidance.not_needed if level >= guidance.not_needed_from else "Consent is not needed for universal services."
    elif status == "given":
        text = guidance.given
    elif status == "refused":
        text = guidance.refused.get(level, guidance.refused.get(guidance.needed_from, guidance.unknown))
    elif status == "not_sought":
        text = guidance.not_sought
    else:
        text = guidance.unknown
    return ConsentNote.made(status=status, needed=needed, guidance=text)


def _response(results: list[ChildResult], level: Level, book: Rulebook) -> ResponsePlan:
    entry = book.levels[level]
    urgent = any(book.urgent_condition.fast(result.env) is True for result in results)
    return ResponsePlan.made(
        level=level,
        label=book.label(level),
        summary=entry.response.summary,
        actions=list(entry.response.actions),
        statutory=entry.statutory,
        urgent=urgent,
        urgent_summary=book.urgent.summary if urgent else None,
        urgent_actions=list(book.urgent.actions) if urgent else [],
    )
