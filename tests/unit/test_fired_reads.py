"""The facts behind a rule that holds (`engine/fired.py`) are the facts its trace reads, in order;
the unknown facts of a rule that is unknown are the unknown ones its trace keeps.

`true_reads` reads them from the tree instead of tracing the condition again; an explanation
shows them and `unassessed.py` decides from them what a fired rule acknowledged, so they must be
the trace's reads exactly: same subjects, facts and values, same order, same repeats. Checked on
the fixture rulebook that uses every shape of the language (`test_evaluation_paths.py`) and on
generated households under every shipped rulebook.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from needs_engine import Rulebook, load_rulebook
from needs_engine.engine.assess import evaluate_household
from needs_engine.engine.fired import TRUE_READS, Read, rule_reads, true_reads, unknown_reads
from needs_engine.engine.unassessed import _Reads, recorded_concerns
from needs_engine.language.compile import Env
from needs_engine.language.tree import And, Node, Test, Within
from needs_engine.model.situation import Situation
from needs_engine.rulebook.parts import Applicable
from tests.unit.test_evaluation_paths import fixture_facts, households, write_rulebook

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate import household  # noqa: E402

SHIPPED = ("knowsley", "st-helens", "east-sussex")


def traced(applicable: Applicable, env: Env) -> list[Read]:
    value, reads = applicable.trace(env)
    assert value is True
    return [(read.subject, read.spec.dotted, read.value) for read in reads]


def conjunctive(node: Node) -> bool:
    """A tree whose reads when true are fixed by its shape (no `or`, quantifier, `not` or count)."""
    if isinstance(node, Test):
        return True
    if isinstance(node, (And, Within)):
        return all(conjunctive(part) for part in node.parts)
    return False


def check_household(book: Rulebook, document: dict[str, Any], held: Counter[str]) -> None:
    """Every descriptor and applied condition escalation that holds for a child reads what its trace
    reads; every one that is unknown (for a child assessed at one age) keeps the unknown reads its trace keeps."""
    situation = Situation.model_validate(document)
    for result in evaluate_household(situation.household, book):
        for descriptor in result.fired:
            assert true_reads(descriptor.applies)(result.env) == traced(descriptor.applies, result.env), descriptor.id
            held[descriptor.id] += 1
        for escalation in result.known.escalations:
            if escalation.applies is not None:
                assert true_reads(escalation.applies)(result.env) == traced(escalation.applies, result.env), escalation.id
                held[escalation.id] += 1
        unknown = [d.applies for d in result.unknown] if not result.age_cases else []
        unknown += [e.applies for e in book.escalations if e.applies is not None and result.escalation_truth[e.id] is None]
        for applicable in unknown:
            value, reads = applicable.trace(result.env)
            assert value is None
            assert unknown_reads(applicable)(result.env) == [read for read in reads if read.value is None]
            held["unknown"] += 1


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Rulebook:
    return load_rulebook(write_rulebook(tmp_path_factory.mktemp("shapes")))


def test_reads_of_every_shape_that_holds_are_its_trace(shapes: Rulebook) -> None:
    held: Counter[str] = Counter()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(households(fixture_facts(shapes)))
    def check(document: dict[str, Any]) -> None:
        check_household(shapes, document, held)

    check()
    # The shapes whose reads depend on which parts hold (or, quantifiers, not, counts) must have
    # held often enough for the comparison to mean something.
    choosing = [d.id for d in shapes.descriptors if not conjunctive(d.applies.condition.tree)]
    unseen = [id_ for id_ in choosing if held[id_] == 0]
    assert len(choosing) >= 20
    assert len(unseen) <= len(choosing) // 10, f"never held: {unseen}"
    assert held["unknown"] > 1000


@pytest.mark.parametrize("rulebook", SHIPPED)
def test_reads_under_shipped_rulebooks_are_the_trace(rulebook: str) -> None:
    book = load_rulebook(rulebook)
    held: Counter[str] = Counter()
    for concern, known in ((0.15, True), (0.3, False)):
        rng = random.Random(5)
        for index in range(120):
            check_household(book, household(rng, index, known=known, carers=2 if known else 0, concern=concern), held)
    assert len(held) > len(book.descriptors) // 2
    assert held["unknown"] > 1000


def test_reads_are_made_once_per_rule_and_kept_with_the_rulebook() -> None:
    book = load_rulebook("knowsley")
    descriptor = book.descriptors[0]
    key = f"descriptor:{descriptor.id}"
    assert rule_reads(book, key, descriptor.applies) is rule_reads(book, key, descriptor.applies)
    assert key in book.derive(TRUE_READS)


def acknowledged_by_traces(result: Any, book: Rulebook, item: Any) -> bool:
    """What a fired rule acknowledges of a recorded fact, by tracing each fired reader of it (the engine before)."""
    fired = {d.id for d in result.fired} | {e.id for e in result.known.escalations if e.applies is not None}
    for reader in book.readers.get(item.spec.dotted, ()):
        if reader.id in fired and (item.subject, item.spec.dotted) in {
            (r.subject, r.spec.dotted) for r in reader.applies.trace(result.env)[1]
        }:
            return True
    if item.spec.dotted in book.urgent_condition.facts:
        value, reads = book.urgent_condition.trace(result.env)
        return value is True and (item.subject, item.spec.dotted) in {(r.subject, r.spec.dotted) for r in reads}
    return False


@pytest.mark.parametrize("rulebook", SHIPPED)
def test_recorded_facts_acknowledged_as_traces_would(rulebook: str) -> None:
    """`unassessed._Reads` acknowledges exactly the recorded facts a fired rule's trace read."""
    book = load_rulebook(rulebook)
    told = Counter[bool]()
    for concern, known in ((0.15, True), (0.3, False)):
        rng = random.Random(9)
        for index in range(120):
            document = household(rng, index, known=known, carers=2 if known else 0, concern=concern)
            situation = Situation.model_validate(document).household
            shared: dict[str, list[Read]] = {}
            for result in evaluate_household(situation, book):
                reads = _Reads(result, book, shared)
                for item in recorded_concerns(result, situation, book):
                    answer = reads.acknowledges(item)
                    assert answer is acknowledged_by_traces(result, book, item), (index, result.child.id, item)
                    told[answer] += 1
    assert told[True] > 200 and told[False] > 50
