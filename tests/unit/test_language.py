"""The condition language: the whitelist, name checking, types, and three-valued evaluation.

Conditions are evaluated over real Situation objects, so these tests exercise the same
closures the engine runs.
"""

from __future__ import annotations

import itertools
from typing import Any, Optional

import pytest

from needs_engine.errors import ConditionError
from needs_engine.language.compile import Env, compile_condition
from needs_engine.language.logic import Span, all3, any3, not3
from needs_engine.language.parse import MAX_CONDITION_LENGTH
from needs_engine.model.catalogue import facts_by_root
from needs_engine.model.situation import Situation
from needs_engine.rulebook.parts import Applicable
from needs_engine.rulebook.schema import AgeBand

T, F, U = True, False, None
TRUTHS = (T, F, U)


# --- helpers ----------------------------------------------------------------------------------


def env_for(
    child: Optional[dict[str, Any]] = None,
    carers: Optional[list[dict[str, Any]]] = None,
    siblings: Optional[list[dict[str, Any]]] = None,
    **household: Any,
) -> Env:
    """An Env for child `c1` of a validated household (the child defaults to 60 months old)."""
    first = {"id": "c1", "age_months": 60, **(child or {})}
    situation = Situation.model_validate(
        {
            "household": {
                "children": [first, *(siblings or [])],
                "carers": carers or [{"id": "m", "role": "mother"}],
                **household,
            }
        }
    )
    household_model = situation.household
    return Env(household_model.children[0], household_model)


def run(text: str, env: Env) -> Optional[bool]:
    """Evaluate with both closures; they must agree, so every test checks both paths."""
    condition = compile_condition(text)
    fast = condition.fast(env)
    traced, _ = condition.trace(env)
    assert fast is traced, f"fast={fast!r} but trace={traced!r} for {text!r}"
    return fast


def rejects(text: str) -> ConditionError:
    with pytest.raises(ConditionError) as info:
        compile_condition(text)
    return info.value


def flag_value(value: Optional[bool]) -> Any:
    return "unknown" if value is None else value


# --- parsing: the whitelist -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("child.age_months + 1 > 12", "arithmetic"),
        ("child.age_months * 2 > 12", "arithmetic"),
        ("child.harm['left_alone']", "indexing"),
        ("(lambda: child.harm.left_alone)", "lambda"),
        ("f'{child.age_months}' == '4'", "f-strings"),
        ("child.harm.left_alone is True", "'is'"),
        ("child.harm.left_alone is not False", "'is not'"),
        ("child.harm.left_alone if child.age_months else child.harm.fgm", "if-expressions"),
        ("{'a': 1} == child.age_months", "dictionaries"),
        ("[x for x in child] == 1", "comprehensions"),
    ],
)
def test_syntax_outside_the_whitelist_is_rejected_and_named(text: str, words: str) -> None:
    error = rejects(text)
    assert words in error.msg
    assert "not allowed" in error.msg


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "open('/etc/passwd') == 1",
        "len(child.education) > 1",
        "eval('1') == 1",
    ],
)
def test_calls_other_than_the_quantifiers_are_unknown_functions(text: str) -> None:
    error = rejects(text)
    assert "unknown function" in error.msg
    assert "any_carer" in (error.expected or "")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true') == 0",
        "child.education.attendance_percent.hex() == 1",
        "'mother'.upper() == 'MOTHER'",
        "any_carer(cond=carer.under_18)",
    ],
)
def test_method_calls_and_keyword_arguments_are_rejected(text: str) -> None:
    assert "only the quantifiers and count(...) may be called" in rejects(text).msg


@pytest.mark.parametrize(
    "text",
    [
        "child.__class__ == 1",
        "child.id == 'c1'",
        "household.children == 1",
        "'abc'.real == 1",
    ],
)
def test_attribute_access_that_is_not_a_fact_is_rejected(text: str) -> None:
    error = rejects(text)
    assert "unknown fact" in error.msg or "expected a fact name" in error.msg


def test_attribute_of_a_constant_is_not_a_fact() -> None:
    assert "expected a fact name" in rejects("(1).real > 0").msg


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_condition_is_rejected(text: str) -> None:
    assert "non-empty" in rejects(text).msg


def test_over_long_condition_is_rejected_before_parsing() -> None:
    text = " or ".join(["child.harm.left_alone"] * 200)
    assert len(text) > MAX_CONDITION_LENGTH
    error = rejects(text)
    assert f"at most {MAX_CONDITION_LENGTH} characters" in error.msg


def test_condition_at_the_length_limit_is_allowed() -> None:
    base = "child.harm.left_alone"
    text = base + " " * (MAX_CONDITION_LENGTH - len(base))
    assert len(text) == MAX_CONDITION_LENGTH
    assert compile_condition(text).text == base


def test_syntax_error_is_a_condition_error() -> None:
    error = rejects("child.age_months >")
    assert "not a valid expression" in error.msg


def test_multi_line_conditions_are_joined_into_one_expression() -> None:
    condition = compile_condition("child.harm.left_alone\n  or child.harm.fgm >= 'at_risk'")
    assert condition.text == "child.harm.left_alone or child.harm.fgm >= 'at_risk'"


def test_error_names_the_column_of_the_problem() -> None:
    error = rejects("child.harm.left_alone or child.harm.lft_alone")
    assert error.col == len("child.harm.left_alone or ")
    assert "(column 26)" in str(error)


def test_minus_on_a_non_number_is_rejected() -> None:
    assert "minus" in rejects("child.age_months > -child.age_months").msg


def test_minus_before_a_string_is_a_condition_error() -> None:
    rejects("child.age_months > -'a'")


@pytest.mark.parametrize("text", ["true", "False", "1", "'yes'", "not true"])
def test_constant_conditions_are_rejected(text: str) -> None:
    assert "always true or false" in rejects(text).msg


# --- names: unknown facts and suggestions --------------------------------------------------


@pytest.mark.parametrize(
    "text, suggestion",
    [
        ("child.education.attendence < 90", "child.education.attendance_percent"),
        ("child.education.attendance < 90", "child.education.attendance_percent"),
        ("child.harm.left_alon", "child.harm.left_alone"),
        ("home.domestic_abuse.incidents >= 3", "home.domestic_abuse.incidents_12m"),
        ("any_carer(carer.mental_helth >= 'crisis')", "carer.mental_health"),
        ("strengths.protective_adlt", "strengths.protective_adult"),
    ],
)
def test_unknown_fact_suggests_the_closest_fact(text: str, suggestion: str) -> None:
    error = rejects(text)
    assert "unknown fact" in error.msg
    assert error.suggestion == suggestion


def test_misspelt_section_suggests_a_fact_not_a_section() -> None:
    error = rejects("child.educaton.attendance_percent < 90")
    assert error.suggestion == "child.education.attendance_percent"


def test_unknown_root_suggests_the_closest_root() -> None:
    error = rejects("chld.harm.left_alone")
    assert "unknown name: 'chld'" in error.msg
    assert error.suggestion == "child"


def test_section_is_not_a_fact() -> None:
    assert "is a section, not a fact" in rejects("child.education").msg


@pytest.mark.parametrize(
    "text, suggestion",
    [
        ("any_carer(carer.mental_health >= 'diagnosed_unstabel')", "diagnosed_unstable"),
        ("any_carer(carer.substance_misuse >= 'problamatic')", "problematic"),
        ("child.harm.injury >= 'unexplained_or_suspicous'", "unexplained_or_suspicious"),
        ("any_carer(carer.role in ['mother', 'fathr'])", "father"),
    ],
)
def test_misspelt_value_suggests_the_right_value_and_lists_all(text: str, suggestion: str) -> None:
    error = rejects(text)
    assert "is not a value of" in error.msg
    assert error.suggestion == suggestion
    assert suggestion in (error.expected or "")


def test_truncated_value_suggests_the_value_it_starts() -> None:
    assert rejects("child.harm.injury >= 'unexplained'").suggestion == "unexplained_or_suspicious"


def test_unknown_function_suggests_the_closest_quantifier() -> None:
    error = rejects("any_carers(carer.under_18)")
    assert error.suggestion == "any_carer"


# --- types ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("child.age_months == '5'", "is a number; compare it with a number"),
        ("child.age_months > true", "is a number; compare it with a number"),
        ("child.age_months in [1, 2]", "is a number"),
        ("child.harm.injury > 1", "is not a value of child.harm.injury"),
        ("child.harm.left_alone == 1", "is yes/no"),
        ("child.harm.left_alone > false", "is yes/no"),
        ("child.harm.left_alone == 'yes'", "is yes/no"),
        ("child.age_months", "is a number, not yes/no"),
        ("child.harm.injury", "is a ordinal, not yes/no"),
        ("any_carer(carer.role > 'mother')", "has no order"),
        ("any_carer(carer.role in 'mother')", "needs a list"),
        ("any_carer(carer.role in [])", "must hold values"),
        ("child.age_months > child.unborn_weeks", "not two facts"),
        ("1 < 2", "not two values"),
        ("count_carers(carer.under_18)", "gives a number"),
        ("count_carers(carer.under_18) >= 1.5", "whole number"),
        ("any_carer(carer.under_18) >= 1", "is a condition, not a number"),
        ("count(child.harm.left_alone) >= 1", "two or more conditions"),
        ("any_carer(any_carer(carer.under_18))", "cannot be nested"),
        ("any_carer(carer.under_18, carer.under_18)", "takes one condition"),
    ],
)
def test_type_errors_are_explained(text: str, words: str) -> None:
    assert words in rejects(text).msg


@pytest.mark.parametrize("text", ["carer.under_18", "carer.role == 'mother'", "any_sibling(carer.under_18)"])
def test_carer_outside_a_carer_quantifier_is_rejected(text: str) -> None:
    assert "'carer' can only be used inside any_carer(...)" in rejects(text).msg


def test_sibling_outside_a_sibling_quantifier_is_rejected() -> None:
    assert "'sibling' can only be used inside any_sibling(...)" in rejects("sibling.harm.left_alone").msg


def test_value_on_the_left_is_flipped() -> None:
    env = env_for({"age_months": 10})
    assert run("12 > child.age_months", env) is True
    assert run("10 < child.age_months", env) is False


def test_value_on_the_left_of_in_is_rejected() -> None:
    assert "on the left of 'in'" in rejects("any_carer(['mother'] in carer.role)").msg


def test_condition_records_every_fact_it_reads() -> None:
    condition = compile_condition(
        "child.harm.left_alone or any_carer(carer.mental_health >= 'crisis') or any_sibling(sibling.harm.fgm >= 'at_risk')"
    )
    assert condition.facts == {"child.harm.left_alone", "carer.mental_health", "child.harm.fgm"}


# --- three-valued logic --------------------------------------------------------------------

KLEENE_AND = {
    (T, T): T, (T, F): F, (T, U): U,
    (F, T): F, (F, F): F, (F, U): F,
    (U, T): U, (U, F): F, (U, U): U,
}  # fmt: skip
KLEENE_OR = {
    (T, T): T, (T, F): T, (T, U): T,
    (F, T): T, (F, F): F, (F, U): U,
    (U, T): T, (U, F): U, (U, U): U,
}  # fmt: skip
KLEENE_NOT = {T: F, F: T, U: U}


@pytest.mark.parametrize("a, b", list(itertools.product(TRUTHS, TRUTHS)))
def test_logic_functions_follow_kleene_tables(a: Optional[bool], b: Optional[bool]) -> None:
    assert all3([a, b]) is KLEENE_AND[(a, b)]
    assert any3([a, b]) is KLEENE_OR[(a, b)]


def test_logic_not_and_empty_cases() -> None:
    for value, expected in KLEENE_NOT.items():
        assert not3(value) is expected
    assert all3([]) is True
    assert any3([]) is False


def two_flags(a: Optional[bool], b: Optional[bool]) -> Env:
    return env_for({"harm": {"left_alone": flag_value(a), "sexual_abuse_concern": flag_value(b)}})


@pytest.mark.parametrize("a, b", list(itertools.product(TRUTHS, TRUTHS)))
def test_compiled_and_or_follow_kleene_tables(a: Optional[bool], b: Optional[bool]) -> None:
    env = two_flags(a, b)
    assert run("child.harm.left_alone and child.harm.sexual_abuse_concern", env) is KLEENE_AND[(a, b)]
    assert run("child.harm.left_alone or child.harm.sexual_abuse_concern", env) is KLEENE_OR[(a, b)]


@pytest.mark.parametrize("a", TRUTHS)
def test_compiled_not_keeps_unknown_unknown(a: Optional[bool]) -> None:
    env = two_flags(a, False)
    assert run("not child.harm.left_alone", env) is KLEENE_NOT[a]
    assert run("child.harm.left_alone == true", env) is a
    assert run("child.harm.left_alone != true", env) is KLEENE_NOT[a]


def test_unknown_is_not_treated_as_no_concern() -> None:
    """An absent fact, `unknown` and `null` are all unknown, never false."""
    for child in ({}, {"harm": {"left_alone": "unknown"}}, {"harm": {"left_alone": None}}, {"harm": {}}):
        assert run("child.harm.left_alone", env_for(child)) is None
    assert run("child.education.attendance_percent < 90", env_for({})) is None


def carers_with(values: tuple[Optional[bool], ...]) -> Env:
    carers = [{"id": f"k{i}", "under_18": flag_value(v)} for i, v in enumerate(values)]
    return env_for(carers=carers)


@pytest.mark.parametrize(
    "values, any_, all_",
    [
        ((T,), T, T),
        ((F,), F, F),
        ((U,), U, U),
        ((T, F), T, F),
        ((T, U), T, U),
        ((F, U), U, F),
        ((F, F), F, F),
        ((T, T), T, T),
        ((U, U), U, U),
        ((F, F, U), U, F),
        ((T, T, U), T, U),
    ],
)
def test_carer_quantifiers_are_three_valued(values: tuple[Optional[bool], ...], any_: Any, all_: Any) -> None:
    env = carers_with(values)
    assert run("any_carer(carer.under_18)", env) is any_
    assert run("all_carers(carer.under_18)", env) is all_


@pytest.mark.parametrize(
    "values, at_least_2, exactly_1, below_2",
    [
        ((T, T, F), T, F, F),
        ((T, F, F), F, T, T),
        ((T, U, F), U, U, U),
        ((U, U, U), U, U, U),
        ((F, F, U), F, U, T),
        ((F, F, F), F, F, T),
        ((T, T, U), T, F, F),
    ],
)
def test_count_carers_uses_the_range_of_possible_counts(
    values: tuple[Optional[bool], ...], at_least_2: Any, exactly_1: Any, below_2: Any
) -> None:
    env = carers_with(values)
    assert run("count_carers(carer.under_18) >= 2", env) is at_least_2
    assert run("count_carers(carer.under_18) == 1", env) is exactly_1
    assert run("count_carers(carer.under_18) < 2", env) is below_2


@pytest.mark.parametrize(
    "values, expected",
    [
        ((T, T, F), T),
        ((T, T, U), T),
        ((T, U, F), U),
        ((U, U, F), U),
        ((T, F, F), F),
        ((F, F, U), F),
        ((U, U, U), U),
    ],
)
def test_count_of_conditions_at_least(values: tuple[Optional[bool], ...], expected: Any) -> None:
    a, b, c = values
    env = env_for(
        {"harm": {"left_alone": flag_value(a), "sexual_abuse_concern": flag_value(b), "disclosure_of_abuse": flag_value(c)}}
    )
    text = "count(child.harm.left_alone, child.harm.sexual_abuse_concern, child.harm.disclosure_of_abuse) >= 2"
    assert run(text, env) is expected


@pytest.mark.parametrize(
    "low, high, op, bound, expected",
    [
        (2, 2, ">=", 2, T),
        (1, 3, ">=", 2, U),
        (2, 3, ">=", 2, T),
        (0, 1, ">=", 2, F),
        (1, 1, "==", 1, T),
        (0, 2, "==", 3, F),
        (0, 2, "==", 1, U),
        (0, 2, "!=", 3, T),
        (0, 2, "!=", 1, U),
        (3, 3, "!=", 3, F),
        (0, 1, "<", 2, T),
        (1, 2, "<", 2, U),
        (2, 4, "<", 2, F),
        (0, 2, "<=", 2, T),
        (2, 4, ">", 1, T),
    ],
)
def test_span_compare_is_decided_only_when_every_count_agrees(low: int, high: int, op: str, bound: int, expected: Any) -> None:
    assert Span(low, high).compare(op, bound) is expected


def test_span_of_counts_true_as_both_bounds_and_unknown_as_upper_only() -> None:
    assert Span.of([T, F, U, U, T]) == Span(2, 4)
    assert Span.of([]) == Span(0, 0)


@pytest.mark.parametrize("age, expected", [(4, F), (5, T), (11, T), (12, F), (None, U)])
def test_chained_comparison_is_a_band(age: Optional[int], expected: Any) -> None:
    env = env_for({"age_months": age} if age is not None else {"age_months": None})
    assert run("5 <= child.age_months < 12", env) is expected


@pytest.mark.parametrize(
    "value, at_least_unstable",
    [("none", F), ("mild", F), ("diagnosed_stable", F), ("diagnosed_unstable", T), ("crisis", T), ("unknown", U)],
)
def test_ordinal_compares_by_rank_not_alphabet(value: str, at_least_unstable: Any) -> None:
    env = env_for(carers=[{"id": "m", "mental_health": value}])
    assert run("any_carer(carer.mental_health >= 'diagnosed_unstable')", env) is at_least_unstable
    below = None if at_least_unstable is None else not at_least_unstable
    assert run("any_carer(carer.mental_health < 'diagnosed_unstable')", env) is below


def test_ordinal_equality_and_strict_order() -> None:
    env = env_for({"harm": {"injury": "explained_minor"}})
    assert run("child.harm.injury == 'explained_minor'", env) is True
    assert run("child.harm.injury > 'none'", env) is True
    assert run("child.harm.injury > 'explained_minor'", env) is False
    assert run("child.harm.injury != 'none'", env) is True


@pytest.mark.parametrize(
    "role, inside",
    [("mother", T), ("father", T), ("grandparent", F), ("mothers_partner", F), ("unknown", U)],
)
def test_membership_on_carer_role(role: str, inside: Any) -> None:
    env = env_for(carers=[{"id": "m", "role": role}])
    assert run("any_carer(carer.role in ['mother', 'father'])", env) is inside
    outside = None if inside is None else not inside
    assert run("any_carer(carer.role not in ['mother', 'father'])", env) is outside
    assert run("any_carer(carer.role in ('mother', 'father'))", env) is inside


def test_number_comparisons_with_floats_and_negatives() -> None:
    env = env_for({"education": {"attendance_percent": 89.5}})
    assert run("child.education.attendance_percent < 90", env) is True
    assert run("child.education.attendance_percent <= 89.5", env) is True
    assert run("child.education.attendance_percent > 89.5", env) is False
    assert run("child.education.attendance_percent > -1", env) is True


def test_sibling_quantifiers_skip_the_child_being_assessed() -> None:
    env = env_for({"harm": {"left_alone": True}}, siblings=[{"id": "c2", "age_months": 30, "harm": {"left_alone": False}}])
    assert run("any_sibling(sibling.harm.left_alone)", env) is False
    assert run("count_siblings(sibling.harm.left_alone) >= 1", env) is False
    alone = env_for({"harm": {"left_alone": True}})
    assert run("any_sibling(sibling.harm.left_alone)", alone) is False  # no siblings: no sibling is left alone


def test_household_and_home_and_strengths_roots() -> None:
    env = env_for(
        immediate_danger=True,
        consent="refused",
        home={"domestic_abuse": {"incidents_12m": 3}},
        strengths={"protective_adult": True},
    )
    assert run("household.immediate_danger", env) is True
    assert run("household.consent == 'refused'", env) is True
    assert run("home.domestic_abuse.incidents_12m >= 3", env) is True
    assert run("strengths.protective_adult and not strengths.engages_with_support", env) is None


def test_unborn_fact() -> None:
    assert run("child.unborn", env_for({"age_months": None, "unborn_weeks": 20})) is True
    assert run("child.unborn", env_for({"age_months": 3})) is False
    assert run("child.unborn", env_for({"age_months": None})) is None


# --- age bands (Applicable) ------------------------------------------------------------------

BABY = AgeBand(max_months=11, unborn="include")
UNDER_ONE_BORN = AgeBand(max_months=11)
TEN_PLUS = AgeBand(min_months=120)
UNBORN_ONLY = AgeBand(unborn="only")

BORN_4 = {"age_months": 4}
BORN_12 = {"age_months": 12}
BORN_130 = {"age_months": 130}
UNBORN = {"age_months": None, "unborn_weeks": 20}
AGE_UNKNOWN = {"age_months": None}


@pytest.mark.parametrize(
    "band, child, expected",
    [
        (None, BORN_4, T),
        (None, UNBORN, T),
        (None, AGE_UNKNOWN, T),
        (BABY, BORN_4, T),
        (BABY, BORN_12, F),
        (BABY, UNBORN, T),
        (BABY, AGE_UNKNOWN, U),
        (UNDER_ONE_BORN, BORN_4, T),
        (UNDER_ONE_BORN, UNBORN, F),
        (UNDER_ONE_BORN, AGE_UNKNOWN, U),
        (TEN_PLUS, BORN_130, T),
        (TEN_PLUS, BORN_12, F),
        (TEN_PLUS, UNBORN, F),
        (UNBORN_ONLY, UNBORN, T),
        (UNBORN_ONLY, BORN_4, F),
        (UNBORN_ONLY, AGE_UNKNOWN, U),
    ],
)
def test_age_band_restricts_a_true_condition(band: Optional[AgeBand], child: dict[str, Any], expected: Any) -> None:
    applies = Applicable(compile_condition("household.immediate_danger"), band)
    env = env_for(child, immediate_danger=True)
    assert applies.fast(env) is expected
    assert applies.trace(env)[0] is expected


def test_age_band_inclusive_edges() -> None:
    band = AgeBand(min_months=60, max_months=215)
    applies = Applicable(compile_condition("household.immediate_danger"), band)
    for age, expected in ((59, F), (60, T), (215, T), (216, F)):
        assert applies.fast(env_for({"age_months": age}, immediate_danger=True)) is expected


@pytest.mark.parametrize("child", [BORN_4, UNBORN, AGE_UNKNOWN, BORN_130])
def test_age_band_never_makes_a_false_condition_true_or_unknown(child: dict[str, Any]) -> None:
    applies = Applicable(compile_condition("household.immediate_danger"), BABY)
    assert applies.fast(env_for(child, immediate_danger=False)) is False


def test_unknown_condition_in_band_stays_unknown_and_out_of_band_is_false() -> None:
    applies = Applicable(compile_condition("household.immediate_danger"), BABY)
    assert applies.fast(env_for(BORN_4)) is None
    assert applies.fast(env_for(BORN_130)) is False


def test_unknown_age_is_reported_as_a_fact_read() -> None:
    applies = Applicable(compile_condition("household.immediate_danger"), BABY)
    value, reads = applies.trace(env_for(AGE_UNKNOWN, immediate_danger=True))
    assert value is None
    assert ("child:c1", "child.age_months", None) in {(r.subject, r.spec.dotted, r.value) for r in reads}


# --- trace: the facts that decided -----------------------------------------------------------


def decided(text: str, env: Env) -> tuple[Optional[bool], set[tuple[str, str, Any]]]:
    value, reads = compile_condition(text).trace(env)
    return value, {(r.subject, r.spec.dotted, getattr(r.value, "value", r.value)) for r in reads}


def test_trace_of_or_keeps_only_the_true_part() -> None:
    env = env_for({"harm": {"left_alone": True}, "education": {"attendance_percent": 95}})
    value, reads = decided("child.education.attendance_percent < 90 or child.harm.left_alone", env)
    assert value is True
    assert reads == {("child:c1", "child.harm.left_alone", True)}


def test_trace_of_and_keeps_only_the_false_part() -> None:
    env = env_for({"harm": {"left_alone": True}, "education": {"attendance_percent": 95}})
    value, reads = decided("child.education.attendance_percent < 90 and child.harm.left_alone", env)
    assert value is False
    assert reads == {("child:c1", "child.education.attendance_percent", 95)}


def test_trace_of_unknown_names_the_unknown_fact() -> None:
    env = env_for({"harm": {"left_alone": True}})
    value, reads = decided("child.harm.left_alone and child.harm.fgm >= 'at_risk'", env)
    assert value is None
    assert reads == {("child:c1", "child.harm.fgm", None)}


def test_trace_through_a_quantifier_names_the_carer() -> None:
    carers = [
        {"id": "m", "mental_health": "none"},
        {"id": "p", "mental_health": "crisis"},
        {"id": "g", "mental_health": "unknown"},
    ]
    value, reads = decided("any_carer(carer.mental_health >= 'diagnosed_unstable')", env_for(carers=carers))
    assert value is True
    assert reads == {("carer:p", "carer.mental_health", "crisis")}


def test_trace_of_unknown_count_names_the_unknown_parts() -> None:
    env = env_for(
        home={"domestic_abuse": {"incidents_12m": 2}},
        carers=[{"id": "m", "mental_health": "mild", "substance_misuse": "unknown"}],
    )
    text = (
        "count(home.domestic_abuse.incidents_12m >= 1, any_carer(carer.mental_health >= 'diagnosed_unstable'),"
        " any_carer(carer.substance_misuse >= 'problematic')) >= 2"
    )
    value, reads = decided(text, env)
    assert value is None
    assert reads == {("carer:m", "carer.substance_misuse", None)}


def test_every_catalogue_fact_compiles() -> None:
    """Each fact the model defines can be named in a condition (guards the catalogue walk)."""
    for root, facts in facts_by_root().items():
        if root in ("carer", "sibling"):
            continue
        for spec in facts.values():
            if spec.kind == "flag":
                compile_condition(spec.dotted)
            elif spec.kind == "number":
                compile_condition(f"{spec.dotted} >= 1")
            else:
                assert spec.choices is not None
                compile_condition(f"{spec.dotted} == '{list(spec.choices)[0].value}'")
            assert spec.ask.endswith("?"), spec.dotted
