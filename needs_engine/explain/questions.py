"""Questions: the unknown facts that could raise a level, most consequential first.

For each descriptor or escalation that is unknown for a child, the engine asks what level the
child would reach if that one rule fired (its "potential"). Each unknown fact the rule read
inherits the highest potential of the rules that read it; only facts whose potential is above
the child's current level become questions (Semantics 7). Within a level, questions that could
fire a red flag come first, then those that feed more rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.evaluate import ChildResult, outcome
from ..language.compile import FactRead
from ..model.assessment import Question
from ..model.catalogue import facts_by_root
from ..model.levels import Level
from ..rulebook.load import Rulebook


@dataclass
class _Pending:
    read: FactRead
    level: Level = Level.universal
    children: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)


def questions_for(results: list[ChildResult], book: Rulebook) -> list[Question]:
    """Every question for the household, merged across children."""
    pending: dict[tuple[str, str], _Pending] = {}

    def note(reads: tuple[FactRead, ...], potential: Level, child_id: str, rule_id: str) -> None:
        for read in reads:
            if read.value is not None:
                continue
            key = (read.subject, read.spec.dotted)
            item = pending.setdefault(key, _Pending(read))
            item.level = max(item.level, potential)
            item.children.add(child_id)
            item.rules.add(rule_id)

    for result in results:
        current = result.known.level
        if result.age_cases:
            # Age is one unknown (Semantics 11): knowing it could give the level of the worst age case.
            potential = max(case.level for case in result.age_cases)
            if potential > current:
                age = FactRead(f"child:{result.child.id}", facts_by_root()["child"][("age_months",)], None)
                banded = [d.id for d in result.unknown if d.age is not None] or ["age"]
                for rule in banded:
                    note((age,), potential, result.child.id, rule)
        # Count escalations met only in the worst case: every unknown descriptor they could count
        # is a step towards them, even if no single one gets there alone.
        count_targets = [e for e in result.possible.escalations if e.count is not None and e not in result.known.escalations]
        # The level a descriptor would make depends on it only through its level, domain and floor
        # (see `outcome`), so descriptors alike in those share one computation.
        made: dict[tuple[Level, str, bool], Level] = {}
        for descriptor in result.unknown:
            alike = (descriptor.level, descriptor.domain, descriptor.floor)
            potential = made.get(alike)  # type: ignore[assignment]
            if potential is None:
                potential = made[alike] = outcome(
                    [*result.fired, descriptor], result.escalation_truth, result.mitigations, book, possible=False
                ).level
            for escalation in count_targets:
                if escalation.count is not None and descriptor.level >= escalation.count.min_level:
                    potential = max(potential, min(escalation.to, result.possible.level))
            if potential > current:
                note(descriptor.applies.trace(result.env)[1], potential, result.child.id, descriptor.id)
        for escalation in book.escalations:
            if escalation.applies is None or result.escalation_truth.get(escalation.id) is not None:
                continue
            forced = {**result.escalation_truth, escalation.id: True}
            potential = outcome(result.fired, forced, result.mitigations, book, possible=False).level
            if potential > current:
                note(escalation.applies.trace(result.env)[1], potential, result.child.id, escalation.id)

    questions = [
        Question.made(
            ask=item.read.spec.ask,
            fact=item.read.spec.dotted,
            subject=item.read.subject,
            could_raise_to=item.level,
            children=sorted(item.children),
            descriptors=sorted(item.rules),
        )
        for item in pending.values()
    ]
    if not questions:
        return questions
    red_flags = _red_flag_ids(book)
    urgent = book.urgent_condition.facts

    def consequence(question: Question) -> tuple[int, bool, bool, int, str, str]:
        # Immediate danger first, then red flags: one answer to them settles Safeguarding alone.
        touches_red_flag = any(rule in red_flags for rule in question.descriptors)
        return (
            -question.could_raise_to.rank,
            question.fact not in urgent,
            not touches_red_flag,
            -len(question.descriptors),
            question.fact,
            question.subject,
        )

    return sorted(questions, key=consequence)


_RED_FLAGS: dict[int, tuple[Rulebook, frozenset[str]]] = {}


def _red_flag_ids(book: Rulebook) -> frozenset[str]:
    """The rulebook's red-flag descriptor ids, gathered once per rulebook rather than per household."""
    cached = _RED_FLAGS.get(id(book))
    if cached is None or cached[0] is not book:
        if len(_RED_FLAGS) > 32:
            _RED_FLAGS.clear()
        cached = _RED_FLAGS[id(book)] = (book, frozenset(d.id for d in book.descriptors if d.red_flag))
    return cached[1]
