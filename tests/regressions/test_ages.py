"""Issue 10, item 1: ages unknown or approximate (Semantics 11)."""

from __future__ import annotations

import pytest

from needs_engine import Level, assess
from needs_engine.errors import InputError

BOOKS = ["knowsley", "st-helens"]


def household(child: dict) -> dict:
    return {"household": {"children": [{"id": "c1", **child}], "carers": [{"id": "m"}]}}


@pytest.mark.parametrize("book", BOOKS)
@pytest.mark.parametrize(
    "harm",
    [{"disclosure_of_abuse": True}, {"injury": "unexplained_or_suspicious"}, {"sexual_abuse_concern": True}],
)
def test_a_red_flag_for_a_child_whose_age_is_not_recorded_is_safeguarding(book: str, harm: dict) -> None:
    """Issue 10 item 1 reproduction: was Universal. Semantics 4 and 11: a red flag fires at any age."""
    assessment = assess(household({"harm": harm}), book)
    assert assessment.children[0].level is Level.safeguarding


@pytest.mark.parametrize("book", BOOKS)
@pytest.mark.parametrize("age", [{"age_years": 14}, {"age_years": "13-15"}, {"age_band": "secondary_school_age"}])
def test_an_age_in_years_a_range_or_a_band_is_accepted_and_decides_a_band_it_lies_inside(book: str, age: dict) -> None:
    """Semantics 11: a range wholly inside a descriptor's band decides it (self-harm descriptors start at 5)."""
    assessment = assess(household({**age, "emotional": {"self_harm": "self_harming"}}), book)
    child = assessment.children[0]
    assert child.level > Level.universal
    assert child.level == child.possible_level or child.possible_level >= child.level


@pytest.mark.parametrize("book", BOOKS)
def test_a_band_outside_a_descriptor_band_decides_it(book: str) -> None:
    """Semantics 11: an under-1 child lies wholly outside the peer-isolation descriptor's band (4 and
    over), so it neither fires nor could fire, and the recorded value is listed as unassessed with
    the rulebook's reason (Semantics 14: friendships are not expected of a baby); an 8-year-old lies
    wholly inside, and it fires."""
    facts = {"relationships": {"peer_isolation": True}}
    young = assess(household({"age_band": "under_1", **facts}), book).children[0]
    older = assess(household({"age_years": 8, **facts}), book).children[0]
    descriptor = "family_social_relationships.peer_isolation"
    assert descriptor in [d.id for d in older.fired]
    assert descriptor not in [d.id for d in young.fired] + young.could_fire
    assert [(u.fact, u.reason) for u in young.unassessed] == [("child.relationships.peer_isolation", "not_a_concern")]


@pytest.mark.parametrize("book", BOOKS)
def test_a_babys_sexual_health_is_an_input_error_naming_both_fields(book: str) -> None:
    """Semantics 14: sexual health describes a young person of 13 or over (model/ages.py APPLIES);
    a younger child's sexual activity is harm.sexual_activity_under_13."""
    with pytest.raises(InputError) as raised:
        assess(household({"age_band": "under_1", "health": {"sexual_health": "risky_behaviour"}}), book)
    assert "health.sexual_health" in str(raised.value) and "age_band" in str(raised.value)


@pytest.mark.parametrize("book", BOOKS)
def test_a_straddling_range_gives_the_lowest_level_and_the_highest_possible_level(book: str) -> None:
    """Semantics 11: level is the lowest over the ages the range allows, possible the highest."""
    facts = {"extra_familial": {"missing_episodes_12m": 4}}
    ranged = assess(household({"age_years": "2-10", **facts}), book).children[0]
    levels = [assess(household({"age_months": months, **facts}), book).children[0] for months in (24, 59, 60, 96, 131)]
    assert ranged.level == min(c.level for c in levels)
    assert ranged.possible_level == max(c.possible_level for c in levels)


@pytest.mark.parametrize("book", BOOKS)
def test_a_born_child_is_not_asked_weeks_of_pregnancy_nor_an_unborn_one_its_age(book: str) -> None:
    """Issue 10 item 1: facts that cannot apply to a child are not its unknowns."""
    born = assess(household({"age_months": 30}), book)
    unborn = assess(household({"unborn_weeks": 20}), book)
    assert not any("weeks pregnant" in q.ask for q in born.questions)
    assert not any("unborn_weeks" in q.fact for q in born.questions)
    assert not any(q.fact.endswith("age_months") for q in unborn.questions)
