"""Response tiers on levels: the mapping, its load checks, and where a tier sits (rulebook/tiers.py)."""

from __future__ import annotations

import pytest

from needs_engine import Level, load_rulebook
from needs_engine.model.tiers import TIERS, Tier
from needs_engine.rulebook.tiers import PLAIN_TIERS, TierMap, mapping_problems, statutory

U, S, M, CIN, CP, E = TIERS
KNOWSLEY = {
    Level.universal: (U, S),
    Level.early_help: (M,),
    Level.targeted: (M,),
    Level.safeguarding: (CIN, CP, E),
}
ST_HELENS = {Level.universal: (U, S), Level.early_help: (M,), Level.targeted: (CIN,), Level.safeguarding: (CP, E)}


def problems(tiers: dict[Level, tuple[Tier, ...]], **stated: bool) -> dict[Level, list[str]]:
    return mapping_problems(tiers, {Level(name): value for name, value in stated.items()})


@pytest.mark.parametrize("tiers", [KNOWSLEY, ST_HELENS, PLAIN_TIERS.tiers], ids=["knowsley", "st-helens", "plain"])
def test_the_shipped_mappings_are_sound(tiers: dict[Level, tuple[Tier, ...]]) -> None:
    assert problems(tiers) == {}


def test_a_tier_sits_at_the_lowest_level_covering_it() -> None:
    knowsley = TierMap(KNOWSLEY)
    assert [knowsley.level_for(tier) for tier in TIERS] == [
        Level.universal,
        Level.universal,
        Level.early_help,  # shared with Targeted: the lower of the two
        Level.safeguarding,
        Level.safeguarding,
        Level.safeguarding,
    ]
    st_helens = TierMap(ST_HELENS)
    assert [st_helens.level_for(tier) for tier in (M, CIN, CP, E)] == [
        Level.early_help,
        Level.targeted,
        Level.safeguarding,
        Level.safeguarding,
    ]


def test_clamp_moves_a_tier_into_the_range_of_a_level() -> None:
    st_helens = TierMap(ST_HELENS)
    assert st_helens.clamp(CIN, Level.early_help) is M  # mitigated from Level 3 to Level 2
    assert st_helens.clamp(M, Level.safeguarding) is CP  # an override up to Level 4
    assert st_helens.clamp(U, Level.universal) is U and st_helens.clamp(E, Level.safeguarding) is E


def test_a_gap_is_a_problem_naming_the_uncovered_tier() -> None:
    found = problems({**ST_HELENS, Level.targeted: (CP,), Level.safeguarding: (E,)})
    assert any("no level covers child_in_need" in message for message in found[Level.targeted])
    assert any("no level covers universal" in m for m in problems({**ST_HELENS, Level.universal: (S,)})[Level.universal])
    assert any("no level covers emergency" in m for m in problems({**ST_HELENS, Level.safeguarding: (CP,)})[Level.safeguarding])


def test_neighbours_may_share_one_tier_but_not_more_and_not_three_levels() -> None:
    assert problems(KNOWSLEY) == {}  # Early Help and Targeted share multi-agency early help
    overlap = problems({**ST_HELENS, Level.early_help: (M, CIN), Level.targeted: (M, CIN)})
    assert any("only neighbouring levels may share one tier" in m for m in overlap[Level.targeted])
    three = problems({**KNOWSLEY, Level.safeguarding: (M, CIN, CP, E)}, safeguarding=True)
    assert any("multi_agency is covered by early_help, targeted, safeguarding" in m for m in three[Level.safeguarding])


def test_tiers_must_increase_within_and_across_levels() -> None:
    within = problems({**ST_HELENS, Level.safeguarding: (E, CP)})
    assert any("contiguous and increasing" in m for m in within[Level.safeguarding])
    across = problems({**ST_HELENS, Level.early_help: (CIN,), Level.targeted: (M,)})
    assert across  # Early Help above Targeted: reported, whichever level it names


@pytest.mark.parametrize(
    ("tiers", "stated", "level"),
    [
        (ST_HELENS, {"targeted": False}, Level.targeted),  # St Helens Level 3 is s17: statutory
        (KNOWSLEY, {"targeted": True}, Level.targeted),  # Knowsley's Targeted is voluntary early help
    ],
)
def test_statutory_must_say_what_the_tiers_say(
    tiers: dict[Level, tuple[Tier, ...]], stated: dict[str, bool], level: Level
) -> None:
    [message] = problems(tiers, **stated)[level]
    assert "statutory is" in message and "child_in_need" in message


def test_statutory_follows_from_the_tiers_when_left_out() -> None:
    assert problems(ST_HELENS) == {}
    assert [statutory(ST_HELENS[level]) for level in Level] == [False, False, True, True]
    assert [statutory(KNOWSLEY[level]) for level in Level] == [False, False, False, True]


@pytest.mark.parametrize(("name", "mapping"), [("knowsley", KNOWSLEY), ("st-helens", ST_HELENS)])
def test_the_shipped_rulebooks_declare_the_mapping_of_their_seeds(name: str, mapping: dict[Level, tuple[Tier, ...]]) -> None:
    book = load_rulebook(name)
    assert {level: book.tiers_of(level) for level in Level} == mapping
    assert book.child_protection_level is Level.safeguarding
    assert [book.levels[level].statutory for level in Level] == [statutory(mapping[level]) for level in Level]
    # Every descriptor and escalation reports a tier its level covers; red flags are child protection or emergency.
    assert all(d.tier in book.tiers_of(d.level) for d in book.descriptors)
    assert all(e.tier in book.tiers_of(e.to) for e in book.escalations)
    assert {d.tier for d in book.descriptors if d.red_flag} <= {CP, E}
    assert book.by_id["red_flags.immediate_danger"].tier is E
