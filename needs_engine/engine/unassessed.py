"""Nothing recorded is dropped: every recorded concern that fired nothing, and why (Semantics 14).

A screener who records a concern must never get an answer that reads as if nothing had been
said. For each child, every fact recorded with a value of concern (the child's own facts, its
carers' and the home's) is either acknowledged, because a fired descriptor, an applied condition
escalation or the urgent response read it, or listed with the reason it fired nothing:

- `waiting_on_unknown`: a descriptor or escalation reading it at this value is still unknown,
  because of other unknown facts or an age known only roughly; it is not dropped but waiting;
- `not_a_concern`: the rulebook's `not_a_concern` declares the value no concern at this age,
  with a reason and a source;
- `outside_age_band`: a descriptor reads it at this value but the child is outside its age band;
- `not_covered`: no descriptor of the rulebook acknowledges it for this child.

"Of concern" is the rulebook's own line (`rulebook/thresholds.py`): true for a flag, any grade
past the first, and for a number a value past the least worrying threshold. The lint gap probe
(`authoring/gaps.py`) classifies its probes with this same function, so lint reports exactly
what a screener would see listed at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional, Union

from ..model.ages import MAX_AGE_MONTHS, AgeSpan, months_range_words, months_words
from ..model.assessment import UnassessedFact, UnassessedReason
from ..model.catalogue import FactSpec
from ..model.situation import Household
from ..rulebook.book import Derivation, Rulebook
from ..rulebook.parts import Descriptor, Escalation, in_age_band
from ..rulebook.schema import AgeBand, NotAConcernEntry
from ..rulebook.tables import CONCERN_ROOTS, ConcernFields
from .evaluate import ChildResult
from .fired import Read, RuleReads, rule_reads

Reader = Union[Descriptor, Escalation]

ROOTS = CONCERN_ROOTS
"""Where the facts that count for a child live. A sibling's facts count for the sibling, strengths are not concerns."""


@dataclass(frozen=True)
class Recorded:
    """A fact recorded with a value of concern: whose it is, which fact, and the value as the model holds it."""

    subject: str
    spec: FactSpec
    value: Any

    @property
    def shown(self) -> Any:
        """The value as a situation document writes it."""
        return self.value.value if isinstance(self.value, Enum) else self.value


def recorded_concerns(result: ChildResult, household: Household, book: Rulebook) -> list[Recorded]:
    """Every fact that counts for the child of `result` recorded with a value of concern under
    `book`: the child's own, then each carer's (by id), then the home's and the household's."""
    return child_concerns(result, book) + household_concerns(household, book)


def child_concerns(result: ChildResult, book: Rulebook) -> list[Recorded]:
    """The child's own facts recorded with a value of concern (`recorded_concerns`' first part)."""
    found: list[Recorded] = []
    _collect(found, f"child:{result.child.id}", result.child, book.tables.concerns["child"])
    return found


def household_concerns(household: Household, book: Rulebook) -> list[Recorded]:
    """The carers', the home's and the household's facts recorded with a value of concern: the
    same for every child of the household, so an assessment finds them once."""
    found: list[Recorded] = []
    concerns = book.tables.concerns
    for carer in sorted(household.carers, key=lambda c: c.id):
        _collect(found, f"carer:{carer.id}", carer, concerns["carer"])
    _collect(found, "household", household.home, concerns["home"])
    _collect(found, "household", household, concerns["household"])
    return found


def _collect(found: list[Recorded], subject: str, entity: Any, fields: ConcernFields) -> None:
    """Add to `found` each of `entity`'s concern facts recorded with a value of concern, in catalogue order."""
    for section, tests in fields:
        held = _value(entity, section) if section else entity
        if held is None:
            continue
        for name, spec, test in tests:
            value = getattr(held, name, None)
            if value is not None and test(value):
                found.append(Recorded(subject, spec, value))


def unassessed_for(
    result: ChildResult,
    household: Household,
    book: Rulebook,
    recorded: Optional[list[Recorded]] = None,
    *,
    household_reads: Optional[dict[str, list[Read]]] = None,
) -> list[UnassessedFact]:
    """The recorded concerns that fired nothing for the child of `result`, each with its reason
    (`recorded`: the child's `recorded_concerns`, when the caller has them already;
    `household_reads`: the reads of rules that read no fact of a child, kept across the
    household's children, `fired.RuleReads.held`)."""
    if recorded is None:
        recorded = recorded_concerns(result, household, book)
    if not recorded:
        return []
    read = _Reads(result, book, {} if household_reads is None else household_reads)
    listed = []
    for item in recorded:
        if not read.acknowledges(item):
            listed.append(classify(item, result, book))
    return listed


def classify(item: Recorded, result: ChildResult, book: Rulebook) -> UnassessedFact:
    """Why a recorded concern that fired nothing for the child of `result` fired nothing."""
    env = result.env
    span = env.span
    readers = [r for r in book.readers.get(item.spec.dotted, ()) if _reads_value(r, item)]
    unknown_ids = {d.id for d in result.unknown}
    waiting = [
        r.id for r in readers if r.id in unknown_ids or (isinstance(r, Escalation) and result.escalation_truth.get(r.id) is None)
    ]
    if waiting:
        return _made(
            item, "waiting_on_unknown", f"not decided yet: {_names(waiting)} may apply once the unknown facts are known", waiting
        )
    entry = next((e for e in book.not_a_concern if covers(e, item.spec, item.shown, span)), None)
    if entry is not None:
        return _made(
            item, "not_a_concern", f"the rulebook does not treat it as a concern: {entry.reason} (source: {entry.source})"
        )
    outside = [r for r in readers if in_age_band(_band(r), span) is False]
    if outside:
        bands = "; ".join(f"{r.id} applies to {band_words(_band(r))}" for r in outside)
        return _made(item, "outside_age_band", f"{bands}, and this child is {span.words()}", [r.id for r in outside])
    if readers:
        words = f"no descriptor of this rulebook fires on it for this child: {_names([r.id for r in readers])} read it at this value but need more than it"
    else:
        words = "no descriptor of this rulebook reads it at this value"
    return _made(item, "not_covered", words)


def covers(entry: NotAConcernEntry, spec: FactSpec, value: Any, span: AgeSpan) -> bool:
    """Whether a `not_a_concern` entry covers `value` (as a document writes it) of `spec` for a
    child whose every possible age is in the entry's band; for a number, the entry covers its
    value and every less worrying one."""
    if entry.fact != spec.dotted or in_age_band(entry.age, span) is not True:
        return False
    if spec.kind == "number":
        return spec.worseness(value) <= spec.worseness(entry.value)
    return bool(entry.value == value)


def band_words(band: Optional[AgeBand]) -> str:
    """An age band as a screener says it: "unborn babies", "8 years or older", "under 5 years", "5 to 17 years"."""
    if band is None:
        return "any age"
    if band.unborn == "only":
        return "unborn babies"
    low, high = band.min_months or 0, band.max_months
    if high is None or high >= MAX_AGE_MONTHS:
        born = "any age" if low == 0 else f"{months_words(low)} or older"
    elif low == 0:
        born = f"under {months_words(high + 1)}"
    else:
        born = months_range_words(low, high)
    return f"unborn babies or children of {born}" if band.unborn == "include" else f"children of {born}"


class _Reads:
    """Which recorded facts the child's fired descriptors, applied condition escalations and
    urgent response read (as their traces report them), found once per child when a recorded fact asks.

    A fired rule that reads every fact it names (`fired.RuleReads.reads_every_fact`: no `or`,
    quantifier, `not` or count, so no carer's or sibling's fact either) acknowledges each of them
    for this child; any other fired rule acknowledges what its reads hold."""

    def __init__(self, result: ChildResult, book: Rulebook, household_reads: dict[str, list[Read]]) -> None:
        self.result = result
        self.book = book
        self.household_reads = household_reads
        self.held = {f"descriptor:{d.id}" for d in result.fired}
        self.held |= {f"escalation:{e.id}" for e in result.known.escalations if e.applies is not None}
        self.read: dict[str, frozenset[tuple[str, str]]] = {}
        self.urgent_reads: Optional[frozenset[tuple[str, str]]] = None

    def acknowledges(self, item: Recorded) -> bool:
        key = (item.subject, item.spec.dotted)
        for rule in _readers(self.book).get(item.spec.dotted, ()):
            if rule.key in self.held and (rule.reads_every_fact or key in self._reads(rule)):
                return True
        if item.spec.dotted in self.book.urgent_condition.facts:
            return key in self._urgent_reads()
        return False

    def _urgent_reads(self) -> frozenset[tuple[str, str]]:
        """What the urgent response read, traced once per child rather than once per recorded
        fact (empty when it is not true: only a true urgent response acknowledges a fact)."""
        if self.urgent_reads is None:
            value, reads = self.book.urgent_condition.trace(self.result.env)
            self.urgent_reads = frozenset((r.subject, r.spec.dotted) for r in reads) if value is True else frozenset()
        return self.urgent_reads

    def _reads(self, rule: RuleReads) -> frozenset[tuple[str, str]]:
        """Whose facts, and which, a fired rule read."""
        found = self.read.get(rule.key)
        if found is None:
            reads = rule.held(self.result, self.household_reads)
            found = self.read[rule.key] = frozenset((subject, fact) for subject, fact, _ in reads)
        return found


def _readers(book: Rulebook) -> dict[str, tuple[RuleReads, ...]]:
    """`book.readers` with each reader's `RuleReads`, made once and kept with the rulebook."""
    return book.derive(READERS)


def _build_readers(book: Rulebook) -> dict[str, tuple[RuleReads, ...]]:
    return {
        fact: tuple(rule_reads(book, _key(reader), reader.applies) for reader in readers if reader.applies is not None)
        for fact, readers in book.readers.items()
    }


READERS: Derivation[dict[str, tuple[RuleReads, ...]]] = Derivation("each fact's readers with their reads", _build_readers)


def _key(reader: Reader) -> str:
    """The name a reader's facts are kept by (`fired.RuleReads`)."""
    return f"descriptor:{reader.id}" if isinstance(reader, Descriptor) else f"escalation:{reader.id}"


def _value(entity: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        entity = getattr(entity, name, None)
        if entity is None:
            return None
    return entity


def _reads_value(reader: Reader, item: Recorded) -> bool:
    """Whether one of the reader's tests of the fact passes at the recorded value."""
    assert reader.applies is not None
    return any(leaf.fact == item.spec.dotted and leaf.passes(item.value) for leaf in reader.applies.condition.leaves)


def _band(reader: Reader) -> Optional[AgeBand]:
    assert reader.applies is not None
    return reader.applies.age


def _names(ids: list[str]) -> str:
    return ", ".join(ids)


def _made(item: Recorded, reason: UnassessedReason, words: str, descriptors: Optional[list[str]] = None) -> UnassessedFact:
    return UnassessedFact.made(
        subject=item.subject, fact=item.spec.dotted, value=item.shown, reason=reason, words=words, descriptors=descriptors or []
    )
