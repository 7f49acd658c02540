"""Each defect of issue 10 put back by hand: `needs rules check` (and so the matching property) fails.

A defect is re-introduced either by a small edit to a copy of the Knowsley rulebook in tmp_path
(content defects), or, where the loader now refuses the rulebook or the defect lived in engine
code, by testing the refusal or by monkeypatching the engine function back to the old behaviour.
Every test here also shows the same invariant holding on the unbroken rulebook or engine, so it
is the defect, not the search, that makes it fail.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from needs_engine import Level, load_rulebook
from needs_engine.authoring import check
from needs_engine.authoring.check import Probe, Violation, check_rulebook
from needs_engine.engine import evaluate
from needs_engine.errors import RulebookError
from needs_engine.model.ages import AgeSpan
from needs_engine.rulebook.schema import AgeBand

from ..authoring.conftest import copy_rulebook, descriptor_file, edit

DISCLOSURE_UNKNOWN_AGE = {
    "household": {"children": [{"id": "c1", "harm": {"disclosure_of_abuse": True}}], "carers": [{"id": "m"}]}
}
"""Issue 10, item 1: a child whose age is not recorded, with a disclosure of abuse."""

FOURTEEN_YEAR_OLD = {
    "household": {
        "children": [
            {"id": "c1", "age_years": 14, "emotional": {"self_harm": "serious_or_attempt"}, "education": {"send": "ehcp"}}
        ],
        "carers": [{"id": "m", "mental_health": "diagnosed_unstable"}],
    }
}
"""Issue 10, item 2: reached Safeguarding under Knowsley through 'four needs in three domains' by counting rungs."""


@pytest.fixture(autouse=True)
def quick_shrinking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "SHRINK_SECONDS", 2)


def run(rulebook: Any, invariant_id: str, document: dict[str, Any]) -> None:
    """Judge one case the way `needs rules check` judges a generated one (raises Violation)."""
    invariant = check.INVARIANTS[[i.id for i in check.INVARIANTS].index(invariant_id)]
    probe = Probe(rulebook)
    drawn: Any = document
    if invariant_id in ("red-flags-any-age",):
        drawn = (document, probe.rulebook.by_id["red_flags.disclosure_of_abuse"])
    elif invariant_id in ("needs-count-once", "never-mitigable", "resolving-strength"):
        drawn = (document, None)
    invariant.run(probe, drawn)


# --- (a) a red flag not decided for a child of unknown age ---------------------------------------


def test_a_red_flag_restricted_by_an_age_band_fails_red_flags_any_age(tmp_path: Path) -> None:
    """A red flag whose band leaves some born ages out is unknown for an unknown-age child, so the
    child with a disclosure is not Safeguarding (Semantics 11: red flags carry no age restriction)."""
    rules = copy_rulebook(tmp_path)
    edit(
        descriptor_file(rules, "red_flags.disclosure_of_abuse"),
        "    age: {unborn: exclude}   # cannot apply before birth (see the note above)\n"
        "    when: child.harm.disclosure_of_abuse\n",
        "    age: {min_months: 0, max_months: 215}\n    when: child.harm.disclosure_of_abuse\n",
    )
    broken = load_rulebook(rules)
    with pytest.raises(Violation, match="red flag red_flags.disclosure_of_abuse holds for child c1"):
        run(broken, "red-flags-any-age", DISCLOSURE_UNKNOWN_AGE)
    # The search draws one of the rulebook's red flags per case: enough cases that the disclosure
    # flag is drawn many times over (13 red flags since issue 12).
    [result] = check_rulebook(broken, examples=200, seed=5, only=["red-flags-any-age"])
    assert not result.passed
    run(load_rulebook("knowsley"), "red-flags-any-age", DISCLOSURE_UNKNOWN_AGE)


def _old_in_age_band(band: AgeBand | None, span: AgeSpan) -> Any:
    """The band test before issue 10: any band is unknown for a child whose age is not exact."""
    if band is None:
        return True
    if not span.exact:
        return None
    return _NEW_IN_AGE_BAND(band, span)


_NEW_IN_AGE_BAND = evaluate.in_age_band


@pytest.mark.parametrize("name", ["knowsley", "st-helens"])
def test_bands_evaluated_the_old_way_fail_red_flags_any_age(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The old evaluation: a band starting at 0 months is 'unknown' when the age is, so every red
    flag only moved the possible level (the child came out Universal)."""
    monkeypatch.setattr(evaluate, "in_age_band", _old_in_age_band)
    monkeypatch.setattr(evaluate._Plan, "ages_to_try", lambda self, span: [])  # the whole span at once, as before
    rulebook = dataclasses.replace(load_rulebook(name))  # a copy: its plan built afresh, with the old band test
    with pytest.raises(Violation, match="but the level is universal"):
        run(rulebook, "red-flags-any-age", DISCLOSURE_UNKNOWN_AGE)
    [result] = check_rulebook(rulebook, examples=40, seed=5, only=["red-flags-any-age"])
    assert not result.passed


# --- (b) rungs of one need counted as several needs -----------------------------------------------


CURRENT_PLAN_NEED = "    need: family_functioning.current_plan\n"


def _undeclare_current_plan_ladder(rules: Path) -> None:
    """Take the `need:` lines off the library's ladder of a child's current plan (the content
    defect): each of its rungs tests that one fact alone, as the invariant reads a ladder. (Before
    the library this took them off a carer's mental health; that ladder has one rung at Targeted
    or above in Knowsley now, so undeclaring it changes no count.)"""
    path = descriptor_file(rules, "family_functioning.open_child_protection_plan")
    text = path.read_text()
    assert text.count(CURRENT_PLAN_NEED) >= 3, "the library declares the ladder"
    path.write_text(text.replace(CURRENT_PLAN_NEED, ""))


# The 14-year-old with the carer in crisis: in the library a carer's unstable mental health
# is multi-agency (Early Help in Knowsley), below the Targeted needs 'four needs in three domains'
# counts, so the carer's third need at Targeted or above is now a crisis (child protection).
FOURTEEN_YEAR_OLD_CARER_IN_CRISIS = check.put(FOURTEEN_YEAR_OLD, ("household", "carers", 0, "mental_health"), "crisis")


def test_counting_rungs_fails_needs_count_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine before issue 10 counted every fired rung; put back, the issue's 14-year-old is
    counted 'four needs' from one self-harm ladder, and the invariant names the rungs."""
    rulebook = load_rulebook("knowsley")
    run(rulebook, "needs-count-once", FOURTEEN_YEAR_OLD_CARER_IN_CRISIS)  # holds with needs counted once
    monkeypatch.setattr(evaluate, "_top_rungs", lambda fired: {d.id: d for d in fired})
    with pytest.raises(Violation, match="emotional_behavioural.self_harm"):
        run(rulebook, "needs-count-once", FOURTEEN_YEAR_OLD_CARER_IN_CRISIS)


def test_two_rungs_of_one_fact_not_declared_as_one_need_fail_needs_count_once(tmp_path: Path) -> None:
    """Content defect: a current plan's rungs without `need:` are counted as separate needs by the
    engine; the invariant reads one fact tested alone by each as one need and catches it."""
    declared = load_rulebook("knowsley")
    undeclared_rules = copy_rulebook(tmp_path)
    _undeclare_current_plan_ladder(undeclared_rules)
    undeclared = load_rulebook(undeclared_rules)
    # A child protection plan fires the plan's child-in-need and child-protection rungs, both
    # Safeguarding here: counted as needs, they make 'four needs at Targeted in three domains'
    # with the child's serious self-harm and EHCP.
    on_a_plan = check.put(FOURTEEN_YEAR_OLD, ("household", "children", 0, "case"), {"current_plan": "child_protection_plan"})
    run(declared, "needs-count-once", on_a_plan)
    with pytest.raises(Violation, match="counting rungs of one need"):
        run(undeclared, "needs-count-once", on_a_plan)


# --- (c) a mitigation lowering a never-mitigable concern ------------------------------------------


def test_a_mitigation_naming_a_never_mitigable_concern_is_a_load_error(tmp_path: Path) -> None:
    """The defect can no longer be written: naming Marac-level domestic abuse is refused at load."""
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "    lowers: [escalation.multiple_needs, family_functioning.carer_mental_health_unstable]\n",
        "    lowers: [escalation.multiple_needs, escalation.repeated_domestic_abuse]\n",
    )
    with pytest.raises(RulebookError) as raised:
        load_rulebook(rules)
    message = str(raised.value)
    assert "may not lower 'escalation.repeated_domestic_abuse'" in message
    assert "Marac" in message and "Semantics 13" in message


DA_FOUR_INCIDENTS = {
    "household": {
        "children": [{"id": "c1", "age_months": 96}],
        "carers": [{"id": "m"}],
        "home": {"domestic_abuse": {"incidents_12m": 4}},
        "strengths": {
            "protective_adult": True,
            "engages_with_support": True,
            "supportive_wider_family": True,
            "trusted_adult_for_child": True,
            "community_network": True,
        },
    }
}

# Four Early Help needs in four domains (Targeted by escalation.multiple_needs), one of them a
# child protection plan within two years: never mitigable (Semantics 13), though only Early Help.
RECENT_PLAN_AND_THREE_NEEDS = {
    "household": {
        "children": [
            {
                "id": "c1",
                "age_months": 96,
                "education": {"attendance_percent": 85},
                "emotional": {"behaviour": "persistent_difficulties"},
                "relationships": {"relationship_with_carers": "strained"},
                "case": {"previous_cp_plan": "within_two_years"},
            }
        ],
        "carers": [{"id": "m"}],
        "strengths": DA_FOUR_INCIDENTS["household"]["strengths"],
    }
}


def test_a_mitigation_over_broad_targets_cannot_lower_marac_level_domestic_abuse(tmp_path: Path) -> None:
    """A mitigation naming whole domains and every escalation it may loads, but a never-mitigable
    concern stays where it is with every strength present (Semantics 13). Marac-level domestic
    abuse (four incidents in 12 months) is Safeguarding since the library (SafeLives Marac
    criteria; Buckinghamshire Level 4), which no mitigation lowers; the Targeted case is now a
    recent child protection plan among three other Early Help needs."""
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "    lowers: [escalation.multiple_needs, family_functioning.carer_mental_health_unstable]\n",
        "    lowers: [escalation.multiple_needs, escalation.two_parental_risks, family_functioning, ensuring_safety]\n",
    )
    rulebook = load_rulebook(rules)
    without = check.put(DA_FOUR_INCIDENTS, ("household", "strengths"), {})
    assert Probe(rulebook).levels(DA_FOUR_INCIDENTS)[0]["c1"] == Probe(rulebook).levels(without)[0]["c1"] == Level.safeguarding
    run(rulebook, "never-mitigable", DA_FOUR_INCIDENTS)
    without = check.put(RECENT_PLAN_AND_THREE_NEEDS, ("household", "strengths"), {})
    levels = Probe(rulebook).levels
    assert levels(RECENT_PLAN_AND_THREE_NEEDS)[0]["c1"] == levels(without)[0]["c1"] == Level.targeted
    run(rulebook, "never-mitigable", RECENT_PLAN_AND_THREE_NEEDS)
    # Without the plan, the other three needs still escalate to Targeted and the strengths lower
    # them: it is the never-mitigable concern that holds the level.
    no_plan = check.put(RECENT_PLAN_AND_THREE_NEEDS, ("household", "children", 0, "case"), {})
    assert levels(check.put(no_plan, ("household", "strengths"), {}))[0]["c1"] == Level.targeted
    assert levels(no_plan)[0]["c1"] == Level.early_help


def _outcome_without_the_guard(original: Any) -> Any:
    """`outcome` as before issue 10: fired never-mitigable concerns do not stop a mitigation."""

    def outcome(fired: Any, escalation_truth: Any, mitigations: Any, rulebook: Any, *, possible: bool) -> Any:
        fired = [dataclasses.replace(d, never_mitigable=None) for d in fired]
        escalations = tuple(dataclasses.replace(e, never_mitigable=None) for e in rulebook.escalations)
        return original(
            fired, escalation_truth, mitigations, dataclasses.replace(rulebook, escalations=escalations), possible=possible
        )

    return outcome


def test_mitigating_past_a_fired_never_mitigable_concern_fails_never_mitigable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "    lowers: [escalation.multiple_needs, family_functioning.carer_mental_health_unstable]\n",
        "    lowers: [escalation.multiple_needs, family_functioning]\n",
    )
    rulebook = load_rulebook(rules)
    document = check.put(DA_FOUR_INCIDENTS, ("household", "home", "domestic_abuse", "incidents_12m"), 2)
    document = check.put(document, ("household", "carers", 0, "previous_children_removed"), True)
    document = check.put(document, ("household", "children", 0, "education"), {"send": "sen_support"})
    document = check.put(document, ("household", "children", 0, "health"), {"missed_appointments_12m": 6})
    run(rulebook, "never-mitigable", document)
    # The engine before issue 10: a mitigation lowered the whole level, whatever had fired.
    monkeypatch.setattr(evaluate, "outcome", _outcome_without_the_guard(evaluate.outcome))
    monkeypatch.setattr(evaluate, "_lowered", lambda level, fired, applied, mitigation: level.step(-1))
    [result] = check_rulebook(rulebook, examples=40, seed=5, only=["never-mitigable"])
    assert not result.passed and result.counterexample is not None
    assert "which no strength may lower, fired" in result.counterexample.message


# --- (d) a mitigation applying to something it does not name --------------------------------------


def test_a_mitigation_lowering_what_it_does_not_name_fails_resolving_strength(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before issue 10 a mitigation lowered the whole level by a step; put back, confirming a strength
    lowers a child below what any declared mitigation allows."""
    rulebook = load_rulebook("knowsley")
    [held] = check_rulebook(rulebook, examples=30, seed=5, only=["resolving-strength"])
    assert held.passed
    monkeypatch.setattr(evaluate, "_lowered", lambda level, fired, applied, mitigation: level.step(-1))
    [result] = check_rulebook(rulebook, examples=30, seed=5, only=["resolving-strength"])
    assert not result.passed and result.counterexample is not None
    assert "a declared mitigation allows" in result.counterexample.message
