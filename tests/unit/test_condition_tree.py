"""The condition tree (`language/tree.py`): one meaning per condition, its facts and leaves read from it."""

from __future__ import annotations

import pytest

from needs_engine.language.compile import compile_condition
from needs_engine.language.tree import (
    And,
    Count,
    FlagTest,
    MemberTest,
    Not,
    NumberTest,
    Or,
    OrdinalTest,
    Quantified,
    negates,
)
from needs_engine.rulebook.thresholds import comparisons


def tree(text: str):  # type: ignore[no-untyped-def]
    return compile_condition(text).tree


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("child.harm.left_alone", "child.harm.left_alone == true"),
        ("child.harm.left_alone != false", "child.harm.left_alone == True"),
        ("2 <= child.health.missed_appointments_12m", "child.health.missed_appointments_12m >= 2"),
        ("child.health.growth in ['faltering']", "child.health.growth in ('faltering',)"),
        ("child.health.growth   >=  'faltering'", "child.health.growth >= 'faltering'"),
    ],
)
def test_the_same_meaning_is_the_same_tree(one: str, other: str) -> None:
    assert tree(one) == tree(other)
    assert hash(tree(one)) == hash(tree(other))


def test_different_meanings_are_different_trees() -> None:
    assert tree("child.harm.left_alone") != tree("child.harm.left_alone == false")
    assert tree("child.health.missed_appointments_12m >= 2") != tree("child.health.missed_appointments_12m > 2")


def test_each_construct_has_its_node() -> None:
    found = tree(
        "not child.harm.left_alone or (child.education.attendance_percent < 90 and child.health.growth >= 'faltering')"
        " or any_carer(carer.role in ['mother', 'father']) or count_siblings(sibling.harm.left_alone) >= 2"
        " or count(child.harm.sexual_abuse_concern, home.finances.food_bank_use) == 1"
    )
    assert isinstance(found, Or)
    kinds = [type(node) for node in found.walk()]
    assert kinds == [
        Or,
        Not,
        FlagTest,
        And,
        NumberTest,
        OrdinalTest,
        Quantified,
        MemberTest,
        Count,
        FlagTest,
        Count,
        FlagTest,
        FlagTest,
    ]
    quantified = next(node for node in found.walk() if isinstance(node, Quantified))
    assert (quantified.binder, quantified.every) == ("carer", False)
    counts = [node for node in found.walk() if isinstance(node, Count)]
    assert [(c.binder, c.op, c.bound, len(c.items)) for c in counts] == [("sibling", ">=", 2, 1), (None, "==", 1, 2)]


def test_facts_and_leaves_are_read_from_the_tree() -> None:
    condition = compile_condition(
        "any_sibling(sibling.harm.left_alone) and 80 <= child.education.attendance_percent < 90 and any_carer(carer.under_18)"
    )
    assert condition.facts == {"child.harm.left_alone", "child.education.attendance_percent", "carer.under_18"}
    assert [(leaf.fact, leaf.written) for leaf in condition.leaves] == [
        ("child.harm.left_alone", None),
        ("child.education.attendance_percent", (">=", 80)),
        ("child.education.attendance_percent", ("<", 90)),
        ("carer.under_18", None),
    ]
    assert [leaf.passes(85) for leaf in condition.leaves[1:3]] == [True, True]
    assert [leaf.passes(95) for leaf in condition.leaves[1:3]] == [True, False]
    # The thresholds a rulebook draws on numbers come from the same leaves, the fact on the left.
    assert comparisons([condition]) == {"child.education.attendance_percent": frozenset({(">=", 80), ("<", 90)})}


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("strengths.supportive_wider_family", False),
        ("strengths.supportive_wider_family and strengths.protective_adult", False),
        ("not strengths.supportive_wider_family", True),
        ("strengths.supportive_wider_family == false", True),
        ("strengths.supportive_wider_family != true", True),
        ("child.health.growth != 'on_track'", True),
        ("child.health.growth not in ['on_track']", True),
        ("count(strengths.protective_adult, strengths.supportive_wider_family) != 1", True),
    ],
)
def test_negates(text: str, negated: bool) -> None:
    assert negates(tree(text)) is negated
