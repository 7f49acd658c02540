"""Why each child is at their level: fired descriptors and escalations in words, plus what would change it.

Builds on the tracing conditions: each fired descriptor's trace returns the facts that decided it
and the comparison each met, which `words` turns into sentences. Count escalations name the
descriptors and domains they counted; condition escalations the facts that met them.
"""

from __future__ import annotations

from typing import Any, Optional, Union

from ..engine.assess import age_words, assessment_of, evaluate_household, household_of
from ..engine.evaluate import ChildResult, by_level, counted_by, escalations_by_level, folded_rungs
from ..language.compile import FactRead
from ..model.assessment import LowerRung
from ..model.levels import Level
from ..model.situation import Household, Situation
from ..plural import plural
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook
from ..rulebook.parts import Escalation
from .addresses import Address, plain_value
from .counterfactual import BUDGET, MAX_CHANGES, near_misses, search
from .results import (
    ChildExplanation,
    EscalationReason,
    Explanation,
    FactWords,
    FiredReason,
    MitigationReason,
)
from .target import check_child, search_to, target_level
from .words import definition, fact_sentence


def explain(
    situation: Union[Situation, Household, dict[str, Any]],
    rulebook: Union[Rulebook, str] = "knowsley",
    *,
    child: Optional[str] = None,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
    target: Union[Level, str, None] = None,
) -> Explanation:
    """Explain the assessment of a household, for every child or for the child with id `child`.

    With `target` (a level, or a word the rulebook names one by), each child also carries the
    smallest changes that would bring it to that level (`ChildExplanation.target`).
    """
    household = household_of(situation)
    book = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
    check_child(household, child)
    wanted = target_level(target, book) if isinstance(target, str) else target
    results = evaluate_household(household, book)
    children = [
        explain_child(result, household, book, max_changes=max_changes, budget=budget, target=wanted)
        for result in results
        if child is None or result.child.id == child
    ]
    return Explanation(assessment=assessment_of(results, household, book), children=children)


def explain_child(
    result: ChildResult,
    household: Household,
    book: Rulebook,
    *,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
    target: Optional[Level] = None,
) -> ChildExplanation:
    """Everything about one child's level, in words, with near misses and counterfactuals."""
    known, possible = result.known, result.possible
    fired = by_level(result.fired)
    mitigation = known.mitigation
    return ChildExplanation(
        child_id=result.child.id,
        name=result.child.name,
        age=age_words(result.child),
        level=known.level,
        label=book.label(known.level),
        possible_level=possible.level,
        possible_label=book.label(possible.level),
        fired=[
            FiredReason(
                id=d.id,
                level=d.level,
                label=book.levels[d.level].label,
                domain=d.domain,
                domain_label=book.domains[d.domain].label if d.domain in book.domains else d.domain,
                text=d.text,
                red_flag=d.red_flag,
                because=facts_in_words(d.applies.trace(result.env)[1], household),
                also_meets=[LowerRung.made(id=rung.id, level=rung.level, text=rung.text) for rung in lower],
            )
            for d, lower in folded_rungs(result.fired)
        ],
        escalations=[_escalation(e, result, household, book) for e in escalations_by_level(known.escalations)],
        mitigation=(
            MitigationReason(
                id=mitigation.id,
                text=mitigation.text,
                from_level=known.before_mitigation,
                to_level=known.level,
                because=facts_in_words(mitigation.condition.trace(result.env)[1], household),
            )
            if mitigation
            else None
        ),
        red_flags=[d.id for d in fired if d.red_flag],
        nearly_fired=near_misses(result, household, book),
        down=search(result, household, book, "down", max_changes=max_changes, budget=budget),
        up=search(result, household, book, "up", max_changes=max_changes, budget=budget),
        target=None if target is None else search_to(result, household, book, target, max_changes=max_changes, budget=budget),
    )


def facts_in_words(reads: tuple[FactRead, ...], household: Household) -> list[FactWords]:
    """Distinct facts a trace read, each as a sentence, in the order the condition read them."""
    seen: dict[Address, FactWords] = {}
    for read in reads:
        address = Address.of(read)
        if address in seen:
            continue
        seen[address] = FactWords(
            subject=read.subject,
            fact=address.dotted,
            path=address.path,
            value=plain_value(read.value),
            words=fact_sentence(read.subject, read.spec, read.value, read.test, household),
            definition=definition(read.spec, read.value),
        )
    return list(seen.values())


def _escalation(escalation: Escalation, result: ChildResult, household: Household, book: Rulebook) -> EscalationReason:
    label = book.levels[escalation.to].label
    if escalation.count is not None:
        counted = counted_by(result.fired, escalation)
        domains = sorted({book.by_id[i].domain for i in counted})
        rule = escalation.count
        words = (
            f"{plural(len(counted), 'need')} at {book.levels[rule.min_level].label} or above in {plural(len(domains), 'domain')} "
            f"({', '.join(book.domains[d].label if d in book.domains else d for d in domains)}); "
            f"the rule needs {rule.min_count} in {rule.min_domains}, so at least {label}."
        )
        return EscalationReason(
            id=escalation.id, text=escalation.text, to=escalation.to, label=label, counted=counted, domains=domains, words=words
        )
    assert escalation.applies is not None
    because = facts_in_words(escalation.applies.trace(result.env)[1], household)
    words = "; ".join(f.words for f in because) + f", so at least {label}."
    return EscalationReason(id=escalation.id, text=escalation.text, to=escalation.to, label=label, because=because, words=words)
