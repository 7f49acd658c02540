"""Questions: the unknown facts that could raise a level, most consequential first.

For each descriptor or escalation that is unknown for a child, the engine asks what level the
child would reach if that one rule fired (its "potential"). Each unknown fact the rule read
inherits the highest potential of the rules that read it; only facts whose potential is above
the child's current level become questions (Semantics 7). A fact is asked once for whoever it
is about: a household fact once for every child it could raise, a carer's fact once per carer.

The order is the order a screener should ask in:

1. consequence: the highest level an answer could give;
2. the red-flag screens (questions that could fire a red flag), immediate danger first, as one
   checklist at the top (`group: red_flags`): one answer settles Safeguarding alone;
3. what the recorded facts point to (`prompted_by`): an unknown rule that also tests a recorded
   concern, which the recorded value meets (the rule is partly met), comes before one that only
   shares its part of the model with a recorded concern (a domestic-abuse history points to the
   incident count and the DASH score), which comes before an unprompted question;
4. then the question that could raise more children, then the one that feeds more rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Optional, Union

from ..language.compile import FactRead
from ..model.assessment import FactValue, Question
from ..model.catalogue import FactSpec, facts_by_root
from ..model.levels import LEVELS
from ..rulebook.book import Rulebook
from ..rulebook.parts import Descriptor, Escalation, Mitigation
from ..rulebook.tables import RuleTables
from .evaluate import ChildResult, outcome
from .fired import rule_unknown_reads
from .unassessed import Recorded

RED_FLAGS = "red_flags"
"""The `group` of a question that could fire a red flag: asked together, as one checklist, first."""

CO_READ, SAME_SECTION, UNPROMPTED = 2, 1, 0
"""How strongly the recorded facts point to a question (see the module docstring)."""

Rule = Union[Descriptor, Escalation]

TOP = LEVELS[-1].rank


@dataclass
class _Pending:
    read: FactRead
    rank: int = 0
    """The highest level an answer could give, as its rank."""
    children: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    pointed: int = UNPROMPTED
    red_flag: bool = False
    prompted_by: dict[tuple[str, str], Recorded] = field(default_factory=dict)


class _Pointers:
    """What one child's recorded concerns point to: the partly met rules and the shared sections."""

    def __init__(self, recorded: list[Recorded], tables: RuleTables) -> None:
        self.tests = tables.tests
        self.by_fact: dict[str, list[Recorded]] = {}
        self.by_section: dict[tuple[str, str, tuple[str, ...]], list[Recorded]] = {}
        for item in recorded:
            self.by_fact.setdefault(item.spec.dotted, []).append(item)
            if len(item.spec.path) > 1:
                self.by_section.setdefault(_section(item.subject, item.spec), []).append(item)
        self.met: dict[str, list[Recorded]] = {}

    def partly_met(self, rule: Rule) -> list[Recorded]:
        """The recorded concerns that pass one of the tests of `rule` (its own facts, not a sibling's)."""
        found = self.met.get(rule.id)
        if found is None:
            by_fact = self.by_fact
            found = self.met[rule.id] = [
                item
                for fact, passes in self.tests.get(rule.id, ())
                if fact in by_fact
                for item in by_fact[fact]
                if passes(item.value)
            ]
        return found

    def same_section(self, read: FactRead) -> list[Recorded]:
        """The recorded concerns about the same person in the same part of the model as `read`."""
        if len(read.spec.path) < 2 or not self.by_section:
            return []
        return self.by_section.get(_section(read.subject, read.spec), [])


def _section(subject: str, spec: FactSpec) -> tuple[str, str, tuple[str, ...]]:
    root = "home" if spec.root == "household" else spec.root
    return subject, root, spec.path[:-1]


def questions_for(results: list[ChildResult], book: Rulebook, recorded: Sequence[list[Recorded]]) -> list[Question]:
    """Every question for the household, merged across children, in the order to ask them;
    `recorded` holds each child's `recorded_concerns`, in the order of `results`."""
    pending: dict[tuple[str, str], _Pending] = {}

    def note(reads: Iterable[FactRead], potential: int, child_id: str, rule: Rule, pointers: Optional[_Pointers]) -> None:
        partners = pointers.partly_met(rule) if pointers is not None else ()
        for read in reads:
            if read.value is not None:
                continue
            fact = read.spec.dotted
            key = (read.subject, fact)
            item = pending.get(key)
            if item is None:
                item = pending[key] = _Pending(read)
            if potential > item.rank:
                item.rank = potential
            item.children.add(child_id)
            item.rules.add(rule.id)
            if pointers is not None:
                for strength, found in ((CO_READ, partners), (SAME_SECTION, pointers.same_section(read))):
                    for concern in found:
                        if concern.spec.dotted != fact:
                            if strength > item.pointed:
                                item.pointed = strength
                            item.prompted_by[(concern.subject, concern.spec.dotted)] = concern

    def note_age(age: FactRead, potential: int, child_id: str, rule_ids: list[str]) -> None:
        item = pending.setdefault((age.subject, age.spec.dotted), _Pending(age))
        item.rank = max(item.rank, potential)
        item.children.add(child_id)
        item.rules.update(rule_ids)

    for result, concerns in zip(results, recorded, strict=True):
        current = result.known.level.rank
        if current == TOP:
            continue  # nothing an answer could say raises a child already at the top of the scale
        pointers = _Pointers(concerns, book.tables) if concerns else None
        possible = result.possible.level.rank
        if result.age_cases:
            # Age is one unknown (Semantics 11): knowing it could give the level of the worst age case.
            potential = max(case.level.rank for case in result.age_cases)
            if potential > current:
                age = FactRead(f"child:{result.child.id}", facts_by_root()["child"][("age_months",)], None)
                note_age(age, potential, result.child.id, [d.id for d in result.unknown if d.age is not None] or ["age"])
        # Count escalations met only in the worst case: every unknown descriptor they could count
        # is a step towards them, even if no single one gets there alone.
        count_targets = [
            (e.count.min_level.rank, min(e.to.rank, possible))
            for e in result.possible.escalations
            if e.count is not None and e not in result.known.escalations
        ]
        # Descriptors alike in everything `outcome` reads of them share one computation.
        made: dict[tuple[object, ...], int] = {}
        can_raise = _can_raise(result, book)
        fired_needs = {d.need for d in result.fired}
        for descriptor in result.unknown:
            rank = descriptor.level.rank
            if can_raise(rank):
                alike = _alike(descriptor, fired_needs, result.mitigations)
                potential = made.get(alike, -1)
                if potential < 0:
                    potential = made[alike] = outcome(
                        [*result.fired, descriptor], result.escalation_truth, result.mitigations, book, possible=False
                    ).level.rank
            else:
                potential = current
            for least, reached in count_targets:
                if rank >= least and reached > potential:
                    potential = reached
            if potential > current:
                note(_unknown_facts(result, book, descriptor), potential, result.child.id, descriptor, pointers)
        for escalation in book.escalations:
            if escalation.applies is None or result.escalation_truth.get(escalation.id) is not None:
                continue
            forced = {**result.escalation_truth, escalation.id: True}
            potential = outcome(result.fired, forced, result.mitigations, book, possible=False).level.rank
            if potential > current:
                note(_unknown_facts(result, book, escalation), potential, result.child.id, escalation, pointers)
    shown: dict[tuple[str, str], FactValue] = {}
    return [_question(item, shown) for item in _in_order(list(pending.values()), book)]


def _unknown_facts(result: ChildResult, book: Rulebook, rule: Rule) -> Iterable[FactRead]:
    """The facts of an unknown rule that its trace keeps (`note` asks only about the unknown ones).

    A child assessed at one age holds the rule unknown on `result.env`, where `unknown_reads`
    gives them without tracing; a child whose age is a span lists the rules unknown at any of
    its ages, which may be true or false on the env kept, so those are traced."""
    assert rule.applies is not None
    if result.age_cases and isinstance(rule, Descriptor):
        return rule.applies.trace(result.env)[1]
    kind = "descriptor" if isinstance(rule, Descriptor) else "escalation"
    return rule_unknown_reads(book, f"{kind}:{rule.id}", rule.applies)(result.env)


def _alike(descriptor: Descriptor, fired_needs: set[str], mitigations: tuple[Mitigation, ...]) -> tuple[object, ...]:
    """What `outcome` reads of `descriptor` when it is added to a child's fired descriptors: two
    descriptors with the same key make the same level. Its level, domain (counted domains) and
    floor; whether it is never mitigable; for each mitigation that holds, whether it is one the
    mitigation names (what is not named stands); and, when a rung of its need has fired already
    (the count then takes the need's highest rung), its need and rung."""
    return (
        descriptor.level,
        descriptor.domain,
        descriptor.floor,
        descriptor.never_mitigable is not None,
        tuple(descriptor.id in m.lowers for m in mitigations),
        (descriptor.need, descriptor.rung) if descriptor.need in fired_needs else None,
    )


def _can_raise(result: ChildResult, book: Rulebook) -> Callable[[int], bool]:
    """Whether firing one more descriptor of a given level (rank) could make `outcome` give the
    child a level above its current one; when not, `outcome` need not be asked.

    Firing a descriptor never lowers `outcome`'s level before mitigation, and a mitigation only
    lowers. So the level made is at most the highest of: the level before mitigation now, the
    descriptor's own level, and the level of a count escalation it could complete, which needs
    it to reach the count's `min_level` (a descriptor below that line is not counted, and cannot
    displace a rung that is). When the child is not mitigated and none of these is above its
    level, the descriptor's potential is at most its current level.
    """
    current = result.known.level.rank
    if result.known.before_mitigation.rank > current:
        return lambda rank: True
    least = min(
        (count.min_level.rank for _, to, count in book.tables.raising if count is not None and to > current), default=TOP + 1
    )
    return lambda rank: rank > current or rank >= least


def _in_order(items: list[_Pending], book: Rulebook) -> list[_Pending]:
    """Most consequential first; see the module docstring for the order and why."""
    urgent = book.urgent_condition.facts
    red_flags = book.tables.red_flag_ids
    for item in items:
        item.red_flag = not red_flags.isdisjoint(item.rules)

    def rank(item: _Pending) -> tuple[int, bool, bool, int, int, int, str, str]:
        fact = item.read.spec.dotted
        return (
            -item.rank,
            not item.red_flag,
            fact not in urgent,
            -item.pointed,
            -len(item.children),
            -len(item.rules),
            fact,
            item.read.subject,
        )

    return sorted(items, key=rank)


def _question(item: _Pending, shown: dict[tuple[str, str], FactValue]) -> Question:
    """The question for `item`; `shown` holds the recorded concerns already made into values
    (one concern prompts many questions, and the models are immutable, so they are shared)."""
    return Question.made(
        ask=item.read.spec.ask,
        fact=item.read.spec.dotted,
        subject=item.read.subject,
        could_raise_to=LEVELS[item.rank],
        children=sorted(item.children),
        descriptors=sorted(item.rules),
        group=RED_FLAGS if item.red_flag else None,
        prompted_by=[_shown(key, concern, shown) for key, concern in sorted(item.prompted_by.items())],
    )


def _shown(key: tuple[str, str], concern: Recorded, shown: dict[tuple[str, str], FactValue]) -> FactValue:
    found = shown.get(key)
    if found is None:
        found = shown[key] = FactValue.made(subject=concern.subject, fact=concern.spec.dotted, value=concern.shown)
    return found
