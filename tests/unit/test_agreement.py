"""The agreement score: how publishers are compared with each other, and a rulebook with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from needs_engine.authoring.agreement import agreed_tiers, line_tiers, score
from needs_engine.authoring.practice import LoadedProbe, indicator_of, read_practice
from needs_engine.errors import InputError
from needs_engine.formats.inputs import situation_from_document
from needs_engine.model.levels import Level
from needs_engine.model.tiers import Tier

GROWTH = {
    "household": {
        "children": [{"id": "c1", "age_years": 2, "health": {"growth": "faltering"}}],
        "carers": [{"id": "m", "role": "mother"}],
    }
}
GROWTH_OLDER = {
    "household": {
        "children": [{"id": "c1", "age_years": 9, "health": {"growth": "faltering"}}],
        "carers": [{"id": "m", "role": "mother"}],
    }
}
ABSENCE = {
    "household": {
        "children": [{"id": "c1", "age_years": 9, "education": {"attendance_percent": 85}}],
        "carers": [{"id": "m", "role": "mother"}],
    }
}


def probe(pid: str, publisher: str, document: dict, tiers: set[Tier]) -> LoadedProbe:
    return LoadedProbe(
        id=pid,
        publisher=publisher,
        file=f"{publisher}.yaml",
        kind="probe",
        says="a line",
        section="Level x",
        level="Level x",
        tiers=frozenset(tiers),
        situation=situation_from_document(document, where=pid),
        child="c1",
        indicator=indicator_of(document),
    )


def scored(results, probes):
    return score(
        results,
        rulebook="test",
        protection_level=Level.safeguarding,
        statutory_level=Level.targeted,
        lines=line_tiers(probes),
    )


def test_the_indicator_is_the_recorded_concern_facts_whatever_the_age() -> None:
    assert indicator_of(GROWTH) == indicator_of(GROWTH_OLDER) == "children.health.growth=faltering"
    assert indicator_of(GROWTH) != indicator_of(ABSENCE)


def test_publishers_agree_when_their_tiers_overlap_and_disagree_when_they_do_not() -> None:
    views = [("A", frozenset({Tier.multi_agency, Tier.child_in_need})), ("B", frozenset({Tier.child_in_need}))]
    assert agreed_tiers(views) == {Tier.child_in_need}
    assert agreed_tiers([*views, ("C", frozenset({Tier.child_protection}))]) == frozenset()


def test_a_protection_line_placed_below_the_protection_level_is_a_safety_miss_and_only_then() -> None:
    a = probe("a.growth", "A", GROWTH, {Tier.child_protection})
    b = probe("b.growth", "B", GROWTH_OLDER, {Tier.child_protection, Tier.emergency})
    report = scored([(a, Level.targeted, Tier.child_in_need, ()), (b, Level.safeguarding, Tier.child_protection, ())], [a, b])
    assert [row.probe.id for row in report.safety] == ["a.growth"]
    assert report.exact == 1 and report.within_one == 2
    assert report.rows[0].direction == "below"


def test_a_line_publishers_disagree_on_is_never_scored_as_a_miss_or_a_safety_figure() -> None:
    a = probe("a.growth", "A", GROWTH, {Tier.child_protection})
    b = probe("b.growth", "B", GROWTH, {Tier.multi_agency})
    report = scored([(a, Level.early_help, Tier.multi_agency, ()), (b, Level.early_help, Tier.multi_agency, ())], [a, b])
    assert report.agreed == () and report.safety == ()
    assert report.to_json()["disagreed"] == 2
    assert {row.direction for row in report.rows} == {"disagreed"}


def test_statutory_lines_below_the_child_in_need_level_are_counted_apart_from_safety() -> None:
    a = probe("a.absence", "A", ABSENCE, {Tier.child_in_need})
    report = scored([(a, Level.early_help, Tier.multi_agency, ())], [a])
    assert len(report.statutory_under) == 1 and report.safety == ()
    assert report.share(report.exact) == 0.0 and report.within_one == 1


def test_a_practice_file_with_an_unknown_level_or_a_bad_situation_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text(
        """publisher: Exampleshire
document: Thresholds
edition: "2024"
address: https://example.org
scheme_source: Introduction
scheme:
  - {level: "Level 1", tiers: [universal], meaning: Universal needs}
  - {level: "Level 2", tiers: [single_agency], meaning: Additional needs}
probes:
  - id: x.health.growth
    says: Growth faltering
    section: Level 9
    level: Level 9
    situation: {household: {children: [{id: c1, age_years: 2}], carers: [{id: m, role: mother}]}}
""",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        read_practice(tmp_path)
    assert "level 9" in str(caught.value.problems[0]).lower()
    text = (
        (tmp_path / "x.yaml")
        .read_text(encoding="utf-8")
        .replace("Level 9", "Level 2")
        .replace("age_years: 2", "age_years: 2, health: {growth: sideways}")
    )
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_practice(tmp_path)
    assert any("growth" in str(problem) for problem in caught.value.problems)
