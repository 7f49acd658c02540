"""The engine's semantics (DESIGN.md, Semantics 1-10), each with a purpose-built tiny rulebook
so the test controls the rules, plus a few checks against the shipped Knowsley rulebook.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from pydantic import ValidationError

from needs_engine import Assessment, InputError, Level, Override, Rulebook, assess, load_rulebook
from needs_engine.formats.inputs import read_situation_text
from needs_engine.model.catalogue import facts_by_root
from needs_engine.rulebook.tiers import PLAIN_TIERS

U, E, T, S = Level.universal, Level.early_help, Level.targeted, Level.safeguarding

CONSENT = {
    "needed_from": "early_help",
    "not_needed_from": "safeguarding",
    "given": "Consent given: go ahead.",
    "refused": {"early_help": "Refused at early help: keep offering.", "targeted": "Refused at targeted: talk to the DSL."},
    "not_sought": "Seek consent first.",
    "unknown": "Find out about consent.",
    "not_needed": "Consent is not needed for a safeguarding referral.",
}
LEFT_ALONE = {"id": "red_flags.left_alone", "level": "safeguarding", "when": "child.harm.left_alone"}


# --- builders --------------------------------------------------------------------------------


def D(id_: str, level: str, when: str, **extra: Any) -> dict[str, Any]:
    """A descriptor entry; its domain is the part of the id before the dot."""
    return {"id": id_, "level": level, "text": f"Descriptor {id_}.", "source": "Test source", "when": when, **extra}


def count_rule(to: str, min_level: str, min_count: int, min_domains: int = 1, id_: str = "escalation.count") -> dict[str, Any]:
    return {
        "id": id_,
        "text": "Enough needs escalate.",
        "source": "Test source",
        "tier": lowest_tier(to),
        "to": to,
        "descriptors": {"min_level": min_level, "min_count": min_count, "min_domains": min_domains},
    }


def when_rule(id_: str, to: str, when: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "text": f"Escalation {id_}.",
        "source": "Test source",
        "tier": lowest_tier(to),
        "to": to,
        "when": when,
        **extra,
    }


def lowest_tier(level: str) -> str:
    """The least response `level` means in the test rulebooks (an escalation's tier)."""
    return PLAIN_TIERS.tiers_of(Level(level))[0].value


def mitigation(id_: str, lowers_from: list[str], when: str, lowers: Optional[list[str]] = None) -> dict[str, Any]:
    """A mitigation; without `lowers` it names every domain and escalation of the rulebook it is written into."""
    made = {"id": id_, "text": f"Mitigation {id_}.", "source": "Test source", "lowers_from": lowers_from, "when": when}
    return made if lowers is None else {**made, "lowers": lowers}


def write_rulebook(
    root: Path,
    descriptors: list[dict[str, Any]],
    *,
    escalations: tuple[dict[str, Any], ...] = (),
    mitigations: tuple[dict[str, Any], ...] = (),
    reverse: bool = False,
) -> Path:
    """Write a rulebook holding `descriptors` (plus the left-alone red flag) under `root`."""
    entries = [*descriptors, LEFT_ALONE]
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_domain.setdefault(entry["id"].split(".")[0], []).append(
            {"text": f"Descriptor {entry['id']}.", "source": "Test source", **entry}
        )
    levels = {
        level.value: {
            "label": f"L-{level.value}",
            "tiers": [tier.value for tier in PLAIN_TIERS.tiers_of(level)],
            "meaning": f"Meaning of {level.value}.",
            "response": {"summary": f"Respond at {level.value}.", "actions": [f"Act at {level.value}."]},
            "source": "Test source",
        }
        for level in Level
    }
    rules = {
        "id": "tiny",
        "name": "Tiny",
        "version": "0.1.0",
        "summary": "Tiny rulebook for engine tests.",
        "levels": levels,
        "domains": {domain: {"label": domain.title(), "group": "child_development"} for domain in by_domain},
        "red_flags": ["red_flags.left_alone"],
        "escalations": list(escalations),
        "mitigations": [
            {"lowers": sorted(by_domain) + [e["id"] for e in escalations], **m} if "lowers" not in m else m for m in mitigations
        ],
        "consent": CONSENT,
        "urgent": {"when": "household.immediate_danger", "summary": "Call 999.", "actions": ["Call 999."], "source": "Test"},
    }
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "tiny.yaml").write_text(yaml.safe_dump(rules, sort_keys=False, width=1000))
    folder = root / "descriptors" / "tiny"
    folder.mkdir(parents=True)
    for domain, items in by_domain.items():
        items = list(reversed(items)) if reverse else items
        (folder / f"{domain}.yaml").write_text(yaml.safe_dump({"domain": domain, "descriptors": items}, width=1000))
    return root


@pytest.fixture
def make_book(tmp_path: Path) -> Callable[..., Rulebook]:
    """`make_book(descriptors, escalations=..., mitigations=..., reverse=...)` -> a loaded Rulebook."""
    made = iter(range(1000))

    def make(descriptors: list[dict[str, Any]], **options: Any) -> Rulebook:
        return load_rulebook(write_rulebook(tmp_path / f"book{next(made)}", descriptors, **options))

    return make


@pytest.fixture(scope="module")
def knowsley() -> Rulebook:
    return load_rulebook("knowsley")


def kid(id_: str = "c1", age: Optional[int] = 96, **facts: Any) -> dict[str, Any]:
    """A child of `age` months (None: age unknown) with nested facts, e.g. education={...}.

    The red flag every tiny rulebook carries (left alone) is known false unless a test sets it,
    so that possible levels are about the descriptors under test.
    """
    harm = {"left_alone": False, **facts.pop("harm", {})}
    return {"id": id_, "age_months": age, "harm": harm, **facts}


def unborn(id_: str = "u", weeks: int = 20, **facts: Any) -> dict[str, Any]:
    harm = {"left_alone": False, **facts.pop("harm", {})}
    return {"id": id_, "unborn_weeks": weeks, "harm": harm, **facts}


def household(*children: dict[str, Any], carers: Optional[list[dict[str, Any]]] = None, **facts: Any) -> dict[str, Any]:
    return {
        "household": {
            "children": list(children) or [kid()],
            "carers": carers if carers is not None else [{"id": "m", "role": "mother"}],
            **facts,
        }
    }


def by_child(assessment: Assessment) -> dict[str, Level]:
    return {child.child_id: child.level for child in assessment.children}


def fired_ids(assessment: Assessment, child_id: str = "c1") -> list[str]:
    return [d.id for d in child_of(assessment, child_id).fired]


def child_of(assessment: Assessment, child_id: str) -> Any:
    return next(child for child in assessment.children if child.child_id == child_id)


def asked(assessment: Assessment) -> list[str]:
    return [question.fact for question in assessment.questions]


# Descriptors reused across tests: one need per domain, so count escalations are controllable.
ABSENCE = D("education.absence", "early_help", "child.education.attendance_percent < 90")
MISSED = D("health.missed", "early_help", "child.health.missed_appointments_12m >= 3")
OVERCROWDED = D("housing.overcrowded", "early_help", "home.housing.overcrowded")
FOOD_BANK = D("income.food_bank", "early_help", "home.finances.food_bank_use")
UNSTABLE_CARER = D("parenting.unstable_carer", "targeted", "any_carer(carer.mental_health >= 'diagnosed_unstable')")
FALTERING = D("health.faltering", "targeted", "child.health.growth >= 'faltering'")
PROTECTIVE = mitigation("mitigation.protective", ["targeted"], "strengths.protective_adult")


# --- 1. per child ------------------------------------------------------------------------------


def test_household_descriptor_applies_to_every_child(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([OVERCROWDED])
    result = assess(household(kid("c1", 4), kid("c2", 150), unborn("c3"), home={"housing": {"overcrowded": True}}), book)
    assert by_child(result) == {"c1": E, "c2": E, "c3": E}
    for child in result.children:
        assert [d.id for d in child.fired] == ["housing.overcrowded"]
        assert [(f.subject, f.fact, f.value) for f in child.fired[0].facts] == [("household", "home.housing.overcrowded", True)]


def test_carer_descriptor_applies_to_every_child_and_names_the_carer(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([UNSTABLE_CARER])
    carers = [{"id": "m", "mental_health": "mild"}, {"id": "p", "mental_health": "crisis"}]
    result = assess(household(kid("c1", 10), kid("c2", 100), carers=carers), book)
    assert by_child(result) == {"c1": T, "c2": T}
    facts = child_of(result, "c2").fired[0].facts
    assert [(f.subject, f.value) for f in facts] == [("carer:p", "crisis")]


def test_child_descriptor_applies_only_to_that_child(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE])
    result = assess(
        household(kid("c1", education={"attendance_percent": 80}), kid("c2", education={"attendance_percent": 98})), book
    )
    assert by_child(result) == {"c1": E, "c2": U}
    assert result.level is E


def test_age_restricted_descriptor_applies_only_to_the_right_ages(make_book: Callable[..., Rulebook]) -> None:
    baby = D(
        "family.abuse_baby", "targeted", "home.domestic_abuse.incidents_12m >= 1", age={"max_months": 11, "unborn": "include"}
    )
    school = D("family.abuse_school", "early_help", "home.domestic_abuse.incidents_12m >= 1", age={"min_months": 60})
    unborn_only = D("family.abuse_pregnancy", "early_help", "home.domestic_abuse.incidents_12m >= 1", age={"unborn": "only"})
    book = make_book([baby, school, unborn_only])
    situation = household(kid("b", 11), kid("t", 12), kid("s", 60), unborn("u"), home={"domestic_abuse": {"incidents_12m": 1}})
    result = assess(situation, book)
    assert by_child(result) == {"b": T, "t": U, "s": E, "u": T}
    assert fired_ids(result, "u") == ["family.abuse_baby", "family.abuse_pregnancy"]
    assert fired_ids(result, "b") == ["family.abuse_baby"]
    assert fired_ids(result, "t") == []


def test_unborn_child_counts_as_a_child(make_book: Callable[..., Rulebook]) -> None:
    exposure = D("health.prenatal_exposure", "targeted", "child.health.prenatal_substance_exposure", age={"unborn": "only"})
    book = make_book([exposure])
    result = assess(household(unborn("u", health={"prenatal_substance_exposure": True})), book)
    assert result.level is T
    assert [c.age for c in result.children] == ["unborn (20 weeks)"]
    with_sibling = assess(household(kid("c1", 30), unborn("u", health={"prenatal_substance_exposure": True})), book)
    assert by_child(with_sibling) == {"c1": U, "u": T}
    assert with_sibling.level is T


def test_sibling_quantifier_reads_the_other_children(make_book: Callable[..., Rulebook]) -> None:
    sibling_harmed = D("family.sibling_left_alone", "targeted", "any_sibling(sibling.harm.left_alone)")
    book = make_book([sibling_harmed])
    result = assess(household(kid("a", harm={"left_alone": True}), kid("b", harm={"left_alone": False})), book)
    assert by_child(result) == {"a": S, "b": T}


def test_a_child_is_never_counted_as_its_own_sibling(make_book: Callable[..., Rulebook]) -> None:
    """A baby's facts that cannot apply at his age are filled in on a copy of him; the sibling
    binding must still leave him out, by id, or a sibling rule would read his own growth."""
    growth = D("family.sibling_faltering", "targeted", "count_siblings(sibling.health.growth == 'faltering') >= 1")
    book = make_book([growth])
    result = assess(household(kid("a", 6, health={"growth": "faltering"}), kid("b", 96, health={"growth": "on_track"})), book)
    assert by_child(result) == {"a": U, "b": T}


# --- 2. max ----------------------------------------------------------------------------------


def test_level_is_the_highest_fired_descriptor(make_book: Callable[..., Rulebook]) -> None:
    universal = D("health.note", "universal", "child.health.missed_appointments_12m >= 1")
    book = make_book([universal, MISSED, FALTERING, ABSENCE])
    child = kid(health={"missed_appointments_12m": 5, "growth": "faltering"}, education={"attendance_percent": 80})
    result = assess(household(child), book)
    assert result.level is T
    # fired descriptors are reported most serious first, then by id
    assert fired_ids(result) == ["health.faltering", "education.absence", "health.missed", "health.note"]


def test_nothing_fired_is_universal_with_its_response(make_book: Callable[..., Rulebook]) -> None:
    result = assess(household(kid(education={"attendance_percent": 99}, harm={"left_alone": False})), make_book([ABSENCE]))
    assert result.level is U and result.possible_level is U
    assert result.label == "L-universal"
    assert result.response.summary == "Respond at universal."
    assert result.questions == []


# --- 3. escalation ------------------------------------------------------------------------------

THREE_ACROSS_THREE = count_rule("targeted", "early_help", 3, 3)


def facts_for(*needs: str) -> dict[str, Any]:
    """Household facts that make the named early-help needs fire for child c1."""
    child = kid("c1", 96)
    home: dict[str, Any] = {}
    if "absence" in needs:
        child["education"] = {"attendance_percent": 80}
    if "missed" in needs:
        child["health"] = {"missed_appointments_12m": 4}
    if "overcrowded" in needs:
        home.setdefault("housing", {})["overcrowded"] = True
    if "food_bank" in needs:
        home.setdefault("finances", {})["food_bank_use"] = True
    return household(child, home=home)


def test_count_escalation_across_domains(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE, MISSED, OVERCROWDED, FOOD_BANK], escalations=(THREE_ACROSS_THREE,))
    result = assess(facts_for("absence", "missed", "overcrowded"), book)
    assert result.level is T
    (escalation,) = result.children[0].escalations
    assert escalation.id == "escalation.count" and escalation.to is T
    assert escalation.because == ["education.absence", "health.missed", "housing.overcrowded"]
    assert assess(facts_for("absence", "missed"), book).level is E


def test_count_escalation_needs_enough_domains(make_book: Callable[..., Rulebook]) -> None:
    second_health = D("health.growth_below", "early_help", "child.health.growth >= 'below_expected'")
    book = make_book([MISSED, second_health, ABSENCE], escalations=(THREE_ACROSS_THREE,))
    child = kid(health={"missed_appointments_12m": 4, "growth": "below_expected"}, education={"attendance_percent": 80})
    result = assess(household(child), book)
    assert len(result.children[0].fired) == 3
    assert result.level is E  # three needs, but only two domains


def test_count_escalation_ignores_descriptors_below_its_min_level(make_book: Callable[..., Rulebook]) -> None:
    note = D("housing.overcrowded", "universal", "home.housing.overcrowded")
    book = make_book([ABSENCE, MISSED, note], escalations=(THREE_ACROSS_THREE,))
    assert assess(facts_for("absence", "missed", "overcrowded"), book).level is E


def test_condition_escalation(make_book: Callable[..., Rulebook]) -> None:
    repeated = when_rule("escalation.repeated_abuse", "targeted", "home.domestic_abuse.incidents_12m >= 3")
    book = make_book([ABSENCE], escalations=(repeated,))
    two = assess(household(kid(), home={"domestic_abuse": {"incidents_12m": 2}}), book)
    three = assess(household(kid(), home={"domestic_abuse": {"incidents_12m": 3}}), book)
    assert two.level is U
    assert three.level is T
    (escalation,) = three.children[0].escalations
    assert escalation.because == ["home.domestic_abuse.incidents_12m = 3 (household)"]


def test_condition_escalation_with_an_age_band(make_book: Callable[..., Rulebook]) -> None:
    baby = when_rule(
        "escalation.abuse_baby",
        "safeguarding",
        "home.domestic_abuse.incidents_12m >= 3",
        age={"max_months": 11, "unborn": "include"},
    )
    everyone = when_rule("escalation.abuse", "targeted", "home.domestic_abuse.incidents_12m >= 3")
    book = make_book([ABSENCE], escalations=(everyone, baby))
    result = assess(household(kid("b", 3), kid("o", 120), unborn("u"), home={"domestic_abuse": {"incidents_12m": 3}}), book)
    assert by_child(result) == {"b": S, "o": T, "u": S}
    assert result.level is S
    assert [e.id for e in child_of(result, "b").escalations] == ["escalation.abuse_baby", "escalation.abuse"]


def test_escalation_raises_but_never_lowers(make_book: Callable[..., Rulebook]) -> None:
    to_early = when_rule("escalation.weak", "early_help", "home.housing.overcrowded")
    book = make_book([FALTERING], escalations=(to_early,))
    result = assess(household(kid(health={"growth": "faltering"}), home={"housing": {"overcrowded": True}}), book)
    assert result.level is T


# --- 4. red flags -------------------------------------------------------------------------------


def test_red_flag_alone_forces_safeguarding(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE])
    result = assess(household(kid("c1", harm={"left_alone": True}), kid("c2")), book)
    child = child_of(result, "c1")
    assert child.level is S and child.red_flags == ["red_flags.left_alone"]
    assert child.fired[0].red_flag and child.fired[0].floor
    assert result.level is S
    assert result.response.summary == "Respond at safeguarding."


def test_red_flag_cannot_be_mitigated(make_book: Callable[..., Rulebook]) -> None:
    everything = "strengths.protective_adult"
    book = make_book(
        [FALTERING],
        mitigations=(
            mitigation("mitigation.a", ["targeted"], everything),
            mitigation("mitigation.b", ["early_help"], everything),
        ),
    )
    result = assess(household(kid(harm={"left_alone": True}), strengths={"protective_adult": True}), book)
    assert result.level is S
    assert result.children[0].mitigation is None


def test_safeguarding_by_escalation_is_not_mitigated(make_book: Callable[..., Rulebook]) -> None:
    to_safeguarding = when_rule("escalation.severe", "safeguarding", "home.domestic_abuse.dash_score >= 14")
    protective = mitigation("mitigation.protective", ["targeted"], "strengths.protective_adult", lowers=["health"])
    book = make_book([FALTERING], escalations=(to_safeguarding,), mitigations=(protective,))
    situation = household(kid(), home={"domestic_abuse": {"dash_score": 20}}, strengths={"protective_adult": True})
    assert assess(situation, book).level is S


# --- 5. mitigations -----------------------------------------------------------------------------


def test_mitigation_lowers_one_step_from_a_declared_level(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([FALTERING], mitigations=(PROTECTIVE,))
    child = kid(health={"growth": "faltering"})
    without = assess(household(child, strengths={"protective_adult": False}), book)
    with_strength = assess(household(child, strengths={"protective_adult": True}), book)
    assert without.level is T
    assert with_strength.level is E
    record = with_strength.children[0].mitigation
    assert record is not None
    assert (record.id, record.from_level, record.to_level) == ("mitigation.protective", T, E)
    assert fired_ids(with_strength) == ["health.faltering"]  # the descriptor still shows


def test_mitigation_does_not_apply_from_an_undeclared_level(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE], mitigations=(PROTECTIVE,))
    result = assess(household(kid(education={"attendance_percent": 80}), strengths={"protective_adult": True}), book)
    assert result.level is E
    assert result.children[0].mitigation is None


def test_mitigation_never_goes_below_a_floor(make_book: Callable[..., Rulebook]) -> None:
    floored = D("health.faltering", "targeted", "child.health.growth >= 'faltering'", floor=True)
    book = make_book([floored], mitigations=(PROTECTIVE,))
    result = assess(household(kid(health={"growth": "faltering"}), strengths={"protective_adult": True}), book)
    assert result.level is T
    assert result.children[0].mitigation is None


def test_a_lower_floor_still_allows_one_step(make_book: Callable[..., Rulebook]) -> None:
    early_floor = D("education.absence", "early_help", "child.education.attendance_percent < 90", floor=True)
    book = make_book([early_floor, FALTERING], mitigations=(PROTECTIVE,))
    child = kid(health={"growth": "faltering"}, education={"attendance_percent": 80})
    assert assess(household(child, strengths={"protective_adult": True}), book).level is E


def test_several_mitigations_still_lower_only_one_step(make_book: Callable[..., Rulebook]) -> None:
    book = make_book(
        [FALTERING],
        mitigations=(
            mitigation("mitigation.from_targeted", ["targeted"], "strengths.protective_adult"),
            mitigation("mitigation.from_early", ["early_help"], "strengths.engages_with_support"),
            mitigation("mitigation.both", ["targeted", "early_help"], "strengths.community_network"),
        ),
    )
    strengths = {"protective_adult": True, "engages_with_support": True, "community_network": True}
    result = assess(household(kid(health={"growth": "faltering"}), strengths=strengths), book)
    assert result.level is E


def test_mitigation_applies_to_an_escalated_level(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE, MISSED, OVERCROWDED], escalations=(THREE_ACROSS_THREE,), mitigations=(PROTECTIVE,))
    situation = facts_for("absence", "missed", "overcrowded")
    situation["household"]["strengths"] = {"protective_adult": True}
    result = assess(situation, book)
    assert result.level is E
    assert result.children[0].mitigation is not None


@pytest.mark.parametrize("value", ["unknown", False])
def test_unknown_or_absent_strength_does_not_mitigate(make_book: Callable[..., Rulebook], value: Any) -> None:
    book = make_book([FALTERING], mitigations=(PROTECTIVE,))
    result = assess(household(kid(health={"growth": "faltering"}), strengths={"protective_adult": value}), book)
    assert result.level is T
    assert result.possible_level is T


# --- 6. family level -------------------------------------------------------------------------


def test_family_level_is_the_highest_child_level(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE, FALTERING])
    result = assess(
        household(
            kid("a", education={"attendance_percent": 80}, health={"growth": "on_track"}),
            kid("b", education={"attendance_percent": 99}, health={"growth": "faltering"}),
            kid("c", education={"attendance_percent": 99}, health={"growth": "on_track"}),
        ),
        book,
    )
    assert by_child(result) == {"a": E, "b": T, "c": U}
    assert result.level is T and result.computed_level is T
    assert result.label == "L-targeted"
    assert result.possible_level is max(child.possible_level for child in result.children)


# --- 7. unknowns --------------------------------------------------------------------------------


def spec_ask(dotted: str) -> str:
    root, *path = dotted.split(".")
    return facts_by_root()[root][tuple(path)].ask


def test_unknown_fact_sets_possible_level_and_a_question_not_the_level(make_book: Callable[..., Rulebook]) -> None:
    result = assess(household(kid()), make_book([ABSENCE]))
    child = result.children[0]
    assert child.level is U and child.possible_level is E
    assert child.fired == [] and child.could_fire == ["education.absence"]
    absence = next(q for q in result.questions if q.fact == "child.education.attendance_percent")
    assert absence.ask == spec_ask("child.education.attendance_percent")
    assert absence.subject == "child:c1" and absence.children == ["c1"]
    assert absence.could_raise_to is E and absence.descriptors == ["education.absence"]


@pytest.mark.parametrize(
    "attendance, level",
    [("unknown", U), (99, U), (90, U), (89.9, E), (40, E)],
)
def test_unknown_never_lowers_a_level_below_a_known_no_concern(
    make_book: Callable[..., Rulebook], attendance: Any, level: Level
) -> None:
    book = make_book([ABSENCE, FALTERING])
    result = assess(household(kid(education={"attendance_percent": attendance}, health={"growth": "faltering"})), book)
    assert result.level is T  # a known need is never hidden by another fact being unknown
    lone = assess(household(kid(education={"attendance_percent": attendance})), book)
    assert lone.level is level
    assert lone.level <= lone.possible_level


def test_unknown_in_a_count_escalation_does_not_cancel_known_needs(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE, MISSED, OVERCROWDED, FOOD_BANK], escalations=(THREE_ACROSS_THREE,))
    known = facts_for("absence", "missed", "overcrowded")  # food bank unknown
    result = assess(known, book)
    assert result.level is T
    partly = facts_for("absence", "missed")  # overcrowded and food bank unknown
    partly_result = assess(partly, book)
    assert partly_result.level is E and partly_result.possible_level is T


def test_unknown_escalation_condition_sets_possible_level_and_asks(make_book: Callable[..., Rulebook]) -> None:
    repeated = when_rule("escalation.repeated_abuse", "targeted", "home.domestic_abuse.incidents_12m >= 3")
    book = make_book([ABSENCE], escalations=(repeated,))
    result = assess(household(kid(education={"attendance_percent": 99})), book)
    assert result.level is U and result.possible_level is T
    question = result.questions[0]
    assert question.fact == "home.domestic_abuse.incidents_12m" and question.subject == "household"
    assert question.could_raise_to is T and question.descriptors == ["escalation.repeated_abuse"]


def test_unknown_age_cannot_set_the_level_but_can_set_possible(make_book: Callable[..., Rulebook]) -> None:
    baby = D("family.abuse_baby", "targeted", "home.domestic_abuse.incidents_12m >= 1", age={"max_months": 11})
    book = make_book([baby])
    result = assess(household(kid(age=None), home={"domestic_abuse": {"incidents_12m": 2}}), book)
    assert result.level is U and result.possible_level is T
    assert result.children[0].age == "unknown"
    assert asked(result) == ["child.age_months"]


def test_questions_only_for_facts_that_could_raise_the_level(make_book: Callable[..., Rulebook]) -> None:
    abuse = D("family.severe_abuse", "safeguarding", "home.domestic_abuse.dash_score >= 14")
    book = make_book([FALTERING, ABSENCE, abuse])
    result = assess(household(kid(health={"growth": "faltering"}, harm={"left_alone": False})), book)
    assert result.level is T
    # attendance is unknown but could only make early help: not worth asking at targeted
    assert asked(result) == ["home.domestic_abuse.dash_score"]
    assert result.questions[0].could_raise_to is S
    assert result.questions[0].ask == spec_ask("home.domestic_abuse.dash_score")


@pytest.mark.parametrize("reverse", [False, True], ids=["named-first", "named-last"])
def test_a_question_s_level_is_its_own_when_a_mitigation_names_one_of_two_alike_descriptors(
    make_book: Callable[..., Rulebook], reverse: bool
) -> None:
    """Two unknown Targeted health descriptors, alike in level, domain and floor; a mitigation that
    holds names only one of them. Semantics 5 (DESIGN.md): a mitigation lowers only what it names,
    and what it does not name stands. Faltering growth alone would be lowered back to Early Help
    (the child's level now: nothing to gain by asking); obesity alone would stand at Targeted. So
    only the weight is asked, in either file order (the questions once shared one level between
    descriptors alike in level, domain and floor, so the first one met decided for both)."""
    obese = D("health.obese", "targeted", "child.health.weight >= 'obese'")
    protective = mitigation("mitigation.protective", ["targeted"], "strengths.protective_adult", lowers=["health.faltering"])
    book = make_book([FALTERING, obese, ABSENCE], mitigations=(protective,), reverse=reverse)
    family = household(kid(education={"attendance_percent": 80}), strengths={"protective_adult": True})
    result = assess(family, book)
    assert result.level is E and result.possible_level is T
    assert [(q.fact, q.could_raise_to, q.descriptors) for q in result.questions] == [("child.health.weight", T, ["health.obese"])]


@pytest.mark.parametrize("reverse", [False, True], ids=["plain-first", "plain-last"])
def test_a_question_s_level_is_its_own_when_one_of_two_alike_descriptors_is_never_mitigable(
    make_book: Callable[..., Rulebook], reverse: bool
) -> None:
    """As above, with the difference in the descriptor itself: domestic abuse at the Marac line
    (three or more incidents in 12 months) is never mitigable (Semantics 13), so it stands at
    Targeted whatever the strengths; parental conflict, alike in level, domain and floor, would be
    lowered back to Early Help. Only the incidents are asked, in either file order."""
    plain = D("family.conflict", "targeted", "home.parental_conflict >= 'frequent'")
    abuse = D("family.abuse", "targeted", "home.domestic_abuse.incidents_12m >= 3")
    book = make_book([plain, abuse, ABSENCE], mitigations=(PROTECTIVE,), reverse=reverse)
    assert book.by_id["family.abuse"].never_mitigable and not book.by_id["family.conflict"].never_mitigable
    family = household(kid(education={"attendance_percent": 80}), strengths={"protective_adult": True})
    result = assess(family, book)
    assert result.level is E
    assert [(q.fact, q.could_raise_to) for q in result.questions] == [("home.domestic_abuse.incidents_12m", T)]


def test_knowsley_asks_about_a_past_cp_plan_when_a_mitigation_holds(knowsley: Rulebook) -> None:
    """The shipped case of the two tests above. The scenario's Knowsley expectation (it cites
    KN-EHPS-2021, Signs of Safety, and Hampshire's preamble): Early Help needs in four domains make
    Targeted, lowered one step by mitigation.protective_engaged_family to Early Help. A child
    protection plan that ended more than two years ago is a Universal descriptor, but never
    mitigable (Semantics 13): if it is the answer, the mitigation no longer applies and the child is
    Targeted. So the question about a previous plan lists that descriptor too."""
    path = Path(__file__).resolve().parents[2] / "scenarios" / "mitigation-multiple-needs-met-by-a-strong-family.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))["situation"]
    result = assess(document, knowsley)
    assert by_child(result) == {"c1": E}
    assert result.children[0].mitigation is not None
    long_ago = "family_functioning.previous_cp_plan_long_ago"
    assert knowsley.by_id[long_ago].level is U and knowsley.by_id[long_ago].never_mitigable
    question = next(q for q in result.questions if q.fact == "child.case.previous_cp_plan" and q.subject == "child:c1")
    assert long_ago in question.descriptors
    for child in document["household"]["children"]:
        child.setdefault("case", {})["previous_cp_plan"] = "more_than_two_years_ago"
    answered = assess(document, knowsley)
    assert by_child(answered) == {"c1": T}
    assert all(child.mitigation is None for child in answered.children)


def test_no_questions_once_the_level_is_safeguarding(make_book: Callable[..., Rulebook]) -> None:
    result = assess(household(kid(harm={"left_alone": True})), make_book([ABSENCE, FALTERING]))
    assert result.level is S and result.questions == []


def test_questions_are_ordered_most_consequential_first(make_book: Callable[..., Rulebook]) -> None:
    abuse = D("family.severe_abuse", "safeguarding", "home.domestic_abuse.dash_score >= 14")
    book = make_book([ABSENCE, FALTERING, abuse])
    result = assess(household(kid(harm={"left_alone": False})), book)
    assert [(q.fact, q.could_raise_to) for q in result.questions] == [
        ("home.domestic_abuse.dash_score", S),
        ("child.health.growth", T),
        ("child.education.attendance_percent", E),
    ]
    assert all(q.ask == spec_ask(q.fact) for q in result.questions)


def test_household_question_is_asked_once_for_all_children(make_book: Callable[..., Rulebook]) -> None:
    result = assess(household(kid("c1", 20), kid("c2", 100)), make_book([OVERCROWDED]))
    overcrowded = [q for q in result.questions if q.fact == "home.housing.overcrowded"]
    assert len(overcrowded) == 1 and overcrowded[0].children == ["c1", "c2"]


def test_carer_question_names_the_carer_with_the_unknown(make_book: Callable[..., Rulebook]) -> None:
    carers = [{"id": "m", "mental_health": "none"}, {"id": "p", "mental_health": "unknown"}]
    result = assess(household(kid(harm={"left_alone": False}), carers=carers), make_book([UNSTABLE_CARER]))
    assert [(q.fact, q.subject) for q in result.questions] == [("carer.mental_health", "carer:p")]


def test_every_raise_of_possible_level_comes_with_a_question(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE, MISSED, OVERCROWDED], escalations=(THREE_ACROSS_THREE,))
    # absence is known; missed appointments and overcrowding are unknown. Either alone keeps early
    # help; together they make targeted, so possible_level is targeted and both should be asked.
    result = assess(household(kid(education={"attendance_percent": 80}, harm={"left_alone": False})), book)
    assert result.level is E and result.possible_level is T
    assert {"child.health.missed_appointments_12m", "home.housing.overcrowded"} <= set(asked(result))


# --- 8. consent ---------------------------------------------------------------------------------

CONSENT_CASES = {
    U: household(kid(education={"attendance_percent": 99}, health={"growth": "on_track"})),
    E: household(kid(education={"attendance_percent": 80}, health={"growth": "on_track"})),
    T: household(kid(education={"attendance_percent": 99}, health={"growth": "faltering"})),
    S: household(kid(harm={"left_alone": True})),
}


def with_consent(situation: dict[str, Any], consent: Optional[str]) -> dict[str, Any]:
    copy = json.loads(json.dumps(situation))
    if consent is not None:
        copy["household"]["consent"] = consent
    return copy


@pytest.mark.parametrize("level", list(CONSENT_CASES))
def test_consent_never_changes_the_level(make_book: Callable[..., Rulebook], level: Level) -> None:
    book = make_book([ABSENCE, FALTERING])
    results = {c: assess(with_consent(CONSENT_CASES[level], c), book) for c in (None, "given", "refused", "not_sought")}
    assert {(r.level, r.possible_level) for r in results.values()} == {(level, results[None].possible_level)}


@pytest.mark.parametrize(
    "level, text", [(E, "Refused at early help: keep offering."), (T, "Refused at targeted: talk to the DSL.")]
)
def test_refused_consent_reports_the_rulebook_guidance(make_book: Callable[..., Rulebook], level: Level, text: str) -> None:
    result = assess(with_consent(CONSENT_CASES[level], "refused"), make_book([ABSENCE, FALTERING]))
    assert result.level is level
    assert (result.consent.status, result.consent.needed, result.consent.guidance) == ("refused", True, text)


@pytest.mark.parametrize(
    "consent, status, guidance",
    [
        ("given", "given", CONSENT["given"]),
        ("not_sought", "not_sought", CONSENT["not_sought"]),
        (None, "unknown", CONSENT["unknown"]),
    ],
)
def test_consent_status_at_early_help(make_book: Callable[..., Rulebook], consent: Any, status: str, guidance: str) -> None:
    result = assess(with_consent(CONSENT_CASES[E], consent), make_book([ABSENCE, FALTERING]))
    assert (result.consent.status, result.consent.needed, result.consent.guidance) == (status, True, guidance)


@pytest.mark.parametrize("consent", [None, "refused", "not_sought", "given"])
def test_consent_not_needed_at_safeguarding(make_book: Callable[..., Rulebook], consent: Any) -> None:
    result = assess(with_consent(CONSENT_CASES[S], consent), make_book([ABSENCE, FALTERING]))
    assert result.level is S
    assert result.consent.needed is False
    assert result.consent.guidance == CONSENT["not_needed"]


def test_consent_not_needed_at_universal(make_book: Callable[..., Rulebook]) -> None:
    result = assess(with_consent(CONSENT_CASES[U], "refused"), make_book([ABSENCE, FALTERING]))
    assert result.consent.needed is False


# --- 9. professional judgement ------------------------------------------------------------------


@pytest.fixture
def targeted_case(make_book: Callable[..., Rulebook]) -> tuple[dict[str, Any], Rulebook]:
    return CONSENT_CASES[T], make_book([ABSENCE, FALTERING])


def test_override_up_with_a_reason_keeps_both_levels(targeted_case: Any) -> None:
    situation, book = targeted_case
    result = assess(situation, book, override=Override(level=S, reason="Disclosure at school this morning.", by="DSL"))
    assert result.computed_level is T and result.level is S
    assert result.label == "L-safeguarding" and result.response.level is S
    assert result.override is not None
    assert (result.override.direction, result.override.flagged) == ("up", False)
    assert (result.override.computed_level, result.override.final_level) == (T, S)
    assert result.consent.needed is False  # consent follows the final level


@pytest.mark.parametrize("reason", [None, "", "no"])
def test_override_needs_a_reason(reason: Any) -> None:
    with pytest.raises(ValidationError):
        Override(level=S, **({} if reason is None else {"reason": reason}))  # type: ignore[arg-type]


def test_override_reason_of_only_spaces_is_not_a_reason(targeted_case: Any) -> None:
    situation, book = targeted_case
    with pytest.raises((ValidationError, InputError)):
        assess(situation, book, override=Override(level=S, reason="      "))


@pytest.mark.parametrize(
    ("second_person", "by"), [(None, None), ("", None), ("   ", None), ("Team manager", "team manager "), ("JB", "JB")]
)
def test_override_down_needs_a_second_person(targeted_case: Any, second_person: Optional[str], by: Optional[str]) -> None:
    """The person who lowers the level cannot also be the second person who agrees it."""
    situation, book = targeted_case
    with pytest.raises(InputError) as info:
        assess(situation, book, override=Override(level=E, reason="Family engaging well.", by=by, second_person=second_person))
    (problem,) = info.value.problems
    assert problem.loc == "override.second_person" and problem.code == "second_person_required"


def test_override_down_with_a_second_person_is_flagged(targeted_case: Any) -> None:
    situation, book = targeted_case
    override = Override(level=E, reason="Family engaging well.", by="EH worker", second_person="Team manager")
    result = assess(situation, book, override=override)
    assert result.computed_level is T and result.level is E
    assert result.override is not None
    assert (result.override.direction, result.override.flagged) == ("down", True)
    assert result.override.second_person == "Team manager"
    assert result.children[0].level is T  # the child's computed level is kept
    assert '"flagged":true' in result.model_dump_json()


def test_override_to_the_same_level_is_not_flagged(targeted_case: Any) -> None:
    situation, book = targeted_case
    result = assess(situation, book, override=Override(level=T, reason="Agreed at triage."))
    assert result.override is not None and result.override.direction == "same" and not result.override.flagged


def test_red_flag_cannot_be_overridden_below_safeguarding(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([ABSENCE])
    override = Override(level=T, reason="Parent explained it.", second_person="Team manager")
    with pytest.raises(InputError) as info:
        assess(CONSENT_CASES[S], book, override=override)
    assert info.value.problems[0].code == "red_flag_floor"
    assert "red flag" in str(info.value)


# --- 10. determinism -----------------------------------------------------------------------------


def test_same_input_gives_byte_identical_json(knowsley: Rulebook) -> None:
    situation = household(
        kid("c1", 4), kid("c2", 100, education={"attendance_percent": 70}), home={"housing": {"overcrowded": True}}
    )
    assert assess(situation, knowsley).model_dump_json() == assess(situation, knowsley).model_dump_json()


CHILDREN = [
    kid("c3", 150, harm={"left_alone": True}, education={"attendance_percent": 60}),
    kid("c1", 5, health={"growth": "faltering"}),
    unborn("c2"),
    kid("c4", 100, harm={"left_alone": True}),
]
HOME = {"domestic_abuse": {"incidents_12m": 3}, "housing": {"overcrowded": True}}


def test_children_order_does_not_change_the_assessment(make_book: Callable[..., Rulebook], knowsley: Rulebook) -> None:
    for book in (knowsley, make_book([ABSENCE, FALTERING, OVERCROWDED], escalations=(THREE_ACROSS_THREE,))):
        forward = assess(household(*CHILDREN, home=HOME), book).model_dump_json()
        backward = assess(household(*reversed(CHILDREN), home=HOME), book).model_dump_json()
        assert forward == backward
    assert [c.child_id for c in assess(household(*CHILDREN), knowsley).children] == ["c1", "c2", "c3", "c4"]


def test_children_order_does_not_change_sibling_explanations(make_book: Callable[..., Rulebook]) -> None:
    book = make_book([D("family.sibling_left_alone", "targeted", "any_sibling(sibling.harm.left_alone)")])
    forward = assess(household(*CHILDREN, home=HOME), book)
    backward = assess(household(*reversed(CHILDREN), home=HOME), book)
    assert by_child(forward) == by_child(backward)  # the levels agree; only the explanation order differs
    assert forward.model_dump_json() == backward.model_dump_json()


def test_carer_order_does_not_change_the_assessment(knowsley: Rulebook) -> None:
    carers = [
        {"id": "m", "role": "mother", "mental_health": "crisis"},
        {"id": "p", "role": "father", "mental_health": "crisis", "substance_misuse": "dependent"},
    ]
    forward = assess(household(kid("c1", 50), carers=carers), knowsley).model_dump_json()
    backward = assess(household(kid("c1", 50), carers=carers[::-1]), knowsley).model_dump_json()
    assert forward == backward


def test_carer_order_does_not_change_levels_or_questions(knowsley: Rulebook) -> None:
    carers = [
        {"id": "m", "role": "mother", "mental_health": "crisis"},
        {"id": "p", "role": "father", "substance_misuse": "unknown"},
        {"id": "g", "role": "grandparent", "offending": "unknown"},
    ]
    forward = assess(household(kid("c1", 50), carers=carers), knowsley)
    backward = assess(household(kid("c1", 50), carers=carers[::-1]), knowsley)
    assert (forward.level, forward.possible_level) == (backward.level, backward.possible_level)
    assert forward.questions == backward.questions
    assert [d.id for d in forward.children[0].fired] == [d.id for d in backward.children[0].fired]


def test_descriptor_order_in_files_does_not_change_the_assessment(make_book: Callable[..., Rulebook]) -> None:
    descriptors = [
        ABSENCE,
        MISSED,
        FALTERING,
        OVERCROWDED,
        FOOD_BANK,
        D("health.note", "universal", "child.health.growth >= 'below_expected'"),
    ]
    options = {"escalations": (THREE_ACROSS_THREE,), "mitigations": (PROTECTIVE,)}
    forward = make_book(descriptors, **options)
    backward = make_book(descriptors[::-1], reverse=True, **options)
    assert forward.content_hash == backward.content_hash
    situations = [
        facts_for("absence", "missed", "overcrowded"),
        household(kid("a", health={"growth": "faltering"}), kid("b", 3), strengths={"protective_adult": True}),
        household(kid(age=None)),
    ]
    for situation in situations:
        assert assess(situation, forward).model_dump_json() == assess(situation, backward).model_dump_json()


# --- invalid input --------------------------------------------------------------------------------


def input_problems(situation: Any, knowsley: Rulebook) -> list[str]:
    with pytest.raises(InputError) as info:
        assess(situation, knowsley)
    return [str(problem) for problem in info.value.problems]


def test_out_of_range_fact_names_the_field_path(knowsley: Rulebook) -> None:
    (problem,) = input_problems(household(kid(education={"attendance_percent": 150})), knowsley)
    assert "household.children.0.education.attendance_percent" in problem
    assert "150" in problem


def test_misspelt_field_is_rejected_with_a_suggestion(knowsley: Rulebook) -> None:
    situation = household(kid(), kid("c2", educaton={"attendance_percent": 80}))
    (problem,) = input_problems(situation, knowsley)
    assert "unknown field 'household.children.1.educaton'" in problem
    assert "'education'" in problem


def test_bad_ordinal_value_names_the_carer_field(knowsley: Rulebook) -> None:
    (problem,) = input_problems(household(kid(), carers=[{"id": "m", "mental_health": "very_bad"}]), knowsley)
    assert "household.carers.0.mental_health" in problem


@pytest.mark.parametrize(
    "situation, words",
    [
        (household(kid("c1", 10, unborn_weeks=20)), "household.children.0"),
        (household(kid("c1"), kid("c1")), "child ids must be unique"),
        ({"household": {"children": [], "carers": [{"id": "m"}]}}, "household.children"),
        ({"household": {"children": [kid()], "carers": []}}, "household.carers"),
        (household(kid(age=300)), "household.children.0.age_months"),
        (household(kid(), consent="maybe"), "household.consent"),
        ({"family": {}}, "family"),
        # A yes/no where a number belongs is not the number 1 (or 0): `age_months: true` is no age.
        (household(kid(age=True)), "household.children.0.age_months"),
        (household(kid(education={"attendance_percent": False})), "household.children.0.education.attendance_percent"),
        (household(kid(), home={"domestic_abuse": {"incidents_12m": True}}), "household.home.domestic_abuse.incidents_12m"),
    ],
)
def test_invalid_situations_raise_input_error_naming_the_field(knowsley: Rulebook, situation: Any, words: str) -> None:
    problems = input_problems(situation, knowsley)
    assert any(words in problem for problem in problems), problems


# --- the shipped Knowsley rulebook -------------------------------------------------------------


def test_knowsley_persistent_absence_is_early_help(knowsley: Rulebook) -> None:
    result = assess(household(kid("c1", 96, education={"attendance_percent": 85})), knowsley)
    assert result.level is E
    fired = child_of(result, "c1").fired
    absence = next(d for d in fired if d.id == "education.persistent_absence")
    assert [(f.fact, f.value) for f in absence.facts] == [("child.education.attendance_percent", 85.0)]
    assert assess(household(kid("c1", 96, education={"attendance_percent": 95})), knowsley).level is U


def test_knowsley_multiple_needs_escalate_and_strengths_mitigate(knowsley: Rulebook) -> None:
    situation = household(
        kid("c1", 96, education={"attendance_percent": 85}),
        home={"housing": {"overcrowded": True}, "finances": {"food_bank_use": True}},
    )
    result = assess(situation, knowsley)
    assert result.level is T
    assert "escalation.multiple_needs" in [e.id for e in result.children[0].escalations]
    situation["household"]["strengths"] = {
        "protective_adult": True,
        "engages_with_support": True,
        "supportive_wider_family": True,
    }
    mitigated = assess(situation, knowsley)
    assert mitigated.level is E
    assert mitigated.children[0].mitigation is not None
    assert mitigated.children[0].mitigation.id == "mitigation.protective_engaged_family"


def test_knowsley_red_flag_and_immediate_danger(knowsley: Rulebook) -> None:
    result = assess(household(kid("c1", 96, harm={"left_alone": True}), kid("c2", 40), immediate_danger=True), knowsley)
    assert by_child(result) == {"c1": S, "c2": S}  # immediate danger is a household red flag
    assert "red_flags.left_alone" in child_of(result, "c1").red_flags
    assert result.response.urgent and result.response.urgent_actions
    assert result.consent.needed is False


def test_knowsley_toxic_trio_is_safeguarding(knowsley: Rulebook) -> None:
    carers = [{"id": "m", "mental_health": "diagnosed_unstable"}, {"id": "p", "substance_misuse": "problematic"}]
    result = assess(household(kid("c1", 96), carers=carers, home={"domestic_abuse": {"incidents_12m": 1}}), knowsley)
    assert result.level is S
    assert "escalation.three_parental_risks" in [e.id for e in result.children[0].escalations]


def test_knowsley_repeated_abuse_escalates_further_for_a_baby(knowsley: Rulebook) -> None:
    result = assess(household(kid("b", 4), kid("o", 120), home={"domestic_abuse": {"incidents_12m": 3}}), knowsley)
    assert child_of(result, "b").level is S
    assert child_of(result, "o").level >= T
    assert "escalation.repeated_domestic_abuse_baby" not in [e.id for e in child_of(result, "o").escalations]


def test_knowsley_empty_household_is_universal_with_questions(knowsley: Rulebook) -> None:
    result = assess(household(kid("c1", 4)), knowsley)
    assert result.level is U and result.possible_level is S
    assert result.questions
    ranks = [q.could_raise_to.rank for q in result.questions]
    assert ranks == sorted(ranks, reverse=True)
    assert all(q.ask.endswith("?") for q in result.questions)


def test_knowsley_refused_consent_at_early_help(knowsley: Rulebook) -> None:
    result = assess(household(kid("c1", 96, education={"attendance_percent": 85}), consent="refused"), knowsley)
    assert result.level is E
    assert result.consent.needed and result.consent.guidance == knowsley.consent.refused[E]


def test_an_error_names_the_child_where_the_screener_wrote_it_even_out_of_id_order() -> None:
    """Children are held in id order, but an error must point at the child as written."""
    text = """household:
  children:
    - {id: zara, age_months: 30}
    - {id: adam, age_months: 400}
  carers:
    - {id: m, role: mother}
"""
    with pytest.raises(InputError) as caught:
        read_situation_text(text, where="family.yaml")
    message = caught.value.describe()
    assert "family.yaml:4" in message and "household.children.1.age_months" in message
    situation = read_situation_text(text.replace("400", "40"), where="family.yaml")
    assert [child.id for child in situation.household.children] == ["adam", "zara"]
