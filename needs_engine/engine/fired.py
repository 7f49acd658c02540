"""The facts behind a rule that holds, and the unknown facts of one that is unknown, read from its
tree rather than by tracing it again.

An assessment shows, for each fired descriptor and applied escalation, the facts that made it
hold, and `unassessed.py` asks which recorded facts those rules read. `Applicable.trace` answers
both by evaluating the whole condition a second time, recording every fact it reads and testing
each value again. For a rule already known to hold, most of that is settled by the tree: every
part of a true `and` holds (so the trace keeps every part's facts), a true age band keeps its
body's. Only where a true value leaves a choice are parts evaluated again, by their fast
closures: the parts of an `or` that hold, the carers (or other children) a quantifier found. A
`not` or a count keeps its trace. `tests/unit/test_fired_reads.py` holds the result to the
trace's reads, in order and with repeats, for every rule that holds on generated households.

The questions to ask (`engine/questions.py`) need, of a rule that is unknown, the unknown facts
its trace keeps: those of the parts that are unknown. An unknown `and` has no false part, so
every unknown fact under it is kept; elsewhere the parts are evaluated again by their fast
closures, and a straddled age band, a `not` or a count keeps its trace (`unknown_reads`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Protocol

from ..language.compile import Env, FactRead, fast_of, reads_child, trace_of
from ..language.tree import And, Node, Or, Quantified, Test, Within, in_band
from ..rulebook.book import Derivation, Rulebook
from ..rulebook.parts import Applicable

Read = tuple[str, str, Any]
"""A fact a rule read: whose it is (`child:<id>`, `carer:<id>`, `household`), its dotted name, and its value."""

TrueReads = Callable[[Env], list[Read]]
"""The facts a rule that holds for the child of `env` read, in the order its trace reads them."""

_ENV_PATH = {"home": "household.home", "strengths": "household.strengths"}
"""Where a root sits in an `Env`, for the roots not named as they are (as `language/compile.py` reads them)."""


class ReadsKept(Protocol):
    """What `RuleReads.held` needs of a child's result (`evaluate.ChildResult`): the child's
    environment, and where the reads already made for the child are kept."""

    @property
    def env(self) -> Env: ...

    @property
    def reads(self) -> dict[str, list[Read]]: ...


@dataclass(frozen=True)
class RuleReads:
    """How to read the facts of one rule that holds, and whether they are the same for every child."""

    key: str
    """The rule's name, `descriptor:<id>` or `escalation:<id>`: what a child's reads are kept by."""
    reads: TrueReads
    household_only: bool
    """The rule reads no fact of a child: where it holds, it read the same facts for every child of the household."""
    reads_every_fact: bool
    """Where it holds it read every fact it names, the child's own or the household's (no `or`,
    quantifier, `not` or count decides which): every fact it names is acknowledged once it fires."""

    def held(self, result: ReadsKept, household: dict[str, list[Read]]) -> list[Read]:
        """The rule's reads for the child of `result`, made once per child (once per household,
        in `household`, for a rule that reads no fact of a child) however many parts of the
        assessment ask (the fired descriptors' facts, what they acknowledge of the recorded facts)."""
        kept = household if self.household_only else result.reads
        found = kept.get(self.key)
        if found is None:
            found = kept[self.key] = self.reads(result.env)
        return found


TRUE_READS: Derivation[dict[str, RuleReads]] = Derivation("the reads of each rule that holds", lambda book: {})
"""By rule name (`descriptor:<id>`, `escalation:<id>`), filled as rules are found to hold."""


def rule_reads(book: Rulebook, key: str, applicable: Applicable) -> RuleReads:
    """`true_reads(applicable)` for the rule `key` names (`descriptor:<id>`, `escalation:<id>`), made
    on first use and kept with the rulebook."""
    made = book.derive(TRUE_READS)
    found = made.get(key)
    if found is None:
        tree = applicable.condition.tree
        found = made[key] = RuleReads(
            key,
            true_reads(applicable),
            not reads_child(applicable.condition.facts),
            _every_fact(tree),
        )
    return found


def _every_fact(tree: Node) -> bool:
    """Whether `tree`, when true, reads every fact it names, each the child's own or the household's."""
    return all(isinstance(part, _Leaf) and part.root not in ("carer", "sibling") for part in _flat(tree))


def true_reads(applicable: Applicable) -> TrueReads:
    """The reads of `applicable` for a child it holds for (the child is in its age band, so only the condition counts)."""
    return _reads(applicable.condition.tree)


def _reads(node: Node) -> TrueReads:
    """The reads of `node` when it is true, as its trace would list them."""
    parts = _flat(node)
    if all(isinstance(part, _Leaf) for part in parts):
        leaves: list[_Leaf] = parts
        return lambda env: [leaf.read(env) for leaf in leaves]
    return lambda env: [read for part in parts for read in (part.many(env) if isinstance(part, _Choice) else (part.read(env),))]


class _Leaf:
    """A test of one fact that holds: the trace keeps its one read, whatever the test was."""

    __slots__ = ("dotted", "get", "root", "subject")

    def __init__(self, test: Test) -> None:
        root = self.root = test.subject.root
        self.dotted = test.spec.dotted
        self.get = attrgetter(".".join((_ENV_PATH.get(root, root), *test.subject.path)))
        self.subject: Callable[[Env], str] = _subject(root)

    def read(self, env: Env) -> Read:
        return self.subject(env), self.dotted, self.get(env)


class _Choice:
    """A true node whose reads depend on which of its parts hold: an `or`, a quantifier, or
    anything traced as it is (`not`, a count)."""

    __slots__ = ("many",)

    def __init__(self, many: TrueReads) -> None:
        self.many = many


def _flat(node: Node) -> list[Any]:
    """`node`'s reads when true as a sequence of leaves and choices: a true `and` reads every
    part, a true age band its body."""
    if isinstance(node, Test):
        return [_Leaf(node)]
    if isinstance(node, And):
        return [item for part in node.parts for item in _flat(part)]
    if isinstance(node, Within):
        return _flat(node.body)
    if isinstance(node, Or):
        return [_Choice(_or(node))]
    if isinstance(node, Quantified):
        return [_Choice(_quantified(node))]
    traced = trace_of(node)
    return [_Choice(lambda env: [(read.subject, read.spec.dotted, read.value) for read in traced(env)[1]])]


def _or(node: Or) -> TrueReads:
    """A true `or` keeps the reads of the parts that hold."""
    parts = [(fast_of(part), _reads(part)) for part in node.parts]
    return lambda env: [read for fast, reads in parts if fast(env) is True for read in reads(env)]


def _quantified(node: Quantified) -> TrueReads:
    """A true `any_…` keeps the reads of the members it holds for; a true `all_…` holds for every member."""
    fast, reads, members = fast_of(node.body), _reads(node.body), _members(node.binder)
    if node.every:
        return lambda env: [read for bound in members(env) for read in reads(bound)]
    return lambda env: [read for bound in members(env) if fast(bound) is True for read in reads(bound)]


def _members(binder: str) -> Callable[[Env], Iterator[Env]]:
    """Each carer, or each other child, bound as the closures bind them (`language/compile.py`)."""
    if binder == "carer":
        return lambda env: (Env(env.child, env.household, carer=carer, sibling=env.sibling) for carer in env.household.carers)
    # By id, not identity: a child whose facts that cannot apply at his age were filled in is a copy.
    return lambda env: (
        Env(env.child, env.household, carer=env.carer, sibling=other)
        for other in env.household.children
        if other.id != env.child.id
    )


def _subject(root: str) -> Callable[[Env], str]:
    """Whose fact a read is, as the trace names it (a sibling is a child of the household)."""
    if root in ("child", "sibling", "carer"):
        named = "child" if root == "sibling" else root
        getter = attrgetter(f"{root}.id")
        return lambda env: f"{named}:{getter(env)}"
    return lambda env: "household"


UnknownReads = Callable[[Env], list[FactRead]]
"""The reads of unknown value that the trace of a rule unknown for the child of `env` keeps, in its order."""


UNKNOWN_READS: Derivation[dict[str, UnknownReads]] = Derivation("the unknown reads of each unknown rule", lambda book: {})
"""By rule name, filled as rules are found unknown (for the questions to ask)."""


def rule_unknown_reads(book: Rulebook, key: str, applicable: Applicable) -> UnknownReads:
    """`unknown_reads(applicable)` for the rule `key` names, made on first use and kept with the rulebook."""
    made = book.derive(UNKNOWN_READS)
    found = made.get(key)
    if found is None:
        found = made[key] = unknown_reads(applicable)
    return found


def unknown_reads(applicable: Applicable) -> UnknownReads:
    """For a rule whose value is unknown for the child of `env` (only then: a true or false rule
    is traced), the reads of its trace whose value is unknown, in order. A child whose age
    straddles the band is traced: the trace adds the age, after whatever the body kept."""
    band, body, traced = applicable.age, _unknown(applicable.condition.tree), applicable.trace

    def reads(env: Env) -> list[FactRead]:
        if in_band(band, env.span) is None:
            return [read for read in traced(env)[1] if read.value is None]
        return body(env)

    return reads


def _unknown(node: Node) -> UnknownReads:
    """The unknown reads of `node` when it is unknown."""
    if isinstance(node, (Test, And)) and all(isinstance(part, _Leaf) for part in _flat(node)) and not _has_band(node):
        # An unknown `and` (or one test) has no false part: each part is true or unknown, and an
        # unknown one keeps its unknown facts, so every unknown fact under it is kept.
        tests = [(leaf, part) for leaf, part in zip(_flat(node), node.leaves, strict=True)]
        return lambda env: [
            FactRead(leaf.subject(env), test.spec, None, test.written) for leaf, test in tests if leaf.get(env) is None
        ]
    if isinstance(node, (And, Or)):
        parts = [(fast_of(part), _unknown(part)) for part in node.parts]
        return lambda env: [read for fast, reads in parts if fast(env) is None for read in reads(env)]
    if isinstance(node, Quantified):
        fast, reads, members = fast_of(node.body), _unknown(node.body), _members(node.binder)
        return lambda env: [read for bound in members(env) if fast(bound) is None for read in reads(bound)]
    traced = trace_of(node)
    return lambda env: [read for read in traced(env)[1] if read.value is None]


def _has_band(node: Node) -> bool:
    """Whether an age band sits inside `node` (its trace may add the child's age)."""
    return any(isinstance(part, Within) for part in node.walk())
