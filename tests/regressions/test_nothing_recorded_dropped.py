"""Issue 10, item 4: no recorded concern is ignored (Semantics 14).

A 6-year-old with medium sexual-exploitation indicators and a 4-year-old reported missing
fired nothing and came out Universal, as if nothing had been recorded. Every recorded value of
concern must now fire a descriptor or be listed in `unassessed` with the reason; a fact that
cannot apply to the child is an input error naming both fields.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook, shipped_rulebooks
from needs_engine.cli.app import app
from needs_engine.engine.evaluate import evaluate_child
from needs_engine.engine.unassessed import unassessed_for
from needs_engine.model.situation import Situation
from needs_engine.model.tiers import Tier

from ..authoring.conftest import copy_rulebook, descriptor_file

runner = CliRunner()


def _family(child: dict[str, Any], **carer: Any) -> dict[str, Any]:
    return {
        "household": {"consent": "given", "children": [{"id": "c1", **child}], "carers": [{"id": "m", "role": "mother", **carer}]}
    }


def _plain(text: str) -> str:
    for border in "│╭╮╰╯─┃┏┓┗┛━┡┩╇┳┻└┘┌┐┬┴├┤┼":
        text = text.replace(border, " ")
    return " ".join(text.split())


def _write(tmp_path: Path, situation: dict[str, Any]) -> Path:
    path = tmp_path / "situation.yaml"
    path.write_text(yaml.safe_dump(situation), encoding="utf-8")
    return path


REPRODUCTIONS = {
    "6-year-old, medium sexual-exploitation indicators": (
        {"age_years": 6, "extra_familial": {"sexual_exploitation": "medium"}},
        "child.extra_familial.sexual_exploitation",
    ),
    "4-year-old reported missing": (
        {"age_years": 4, "extra_familial": {"missing_episodes_12m": 1}},
        "child.extra_familial.missing_episodes_12m",
    ),
    "3-year-old self-harming (unusual for the age, still assessed)": (
        {"age_months": 36, "emotional": {"self_harm": "self_harming"}},
        "child.emotional.self_harm",
    ),
}


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("case", list(REPRODUCTIONS))
def test_a_recorded_concern_fires_a_descriptor_or_is_listed_with_its_reason(case: str, rulebook: str) -> None:
    child, fact = REPRODUCTIONS[case]
    assessment = assess(_family(child), rulebook)
    [assessed] = assessment.children
    read = {f.fact for d in assessed.fired for f in d.facts}
    listed = {u.fact: u for u in assessed.unassessed}
    assert fact in read or fact in listed, f"{fact} was dropped: level {assessed.level.value}, nothing listed"
    if fact in listed:
        assert listed[fact].reason in {"outside_age_band", "not_a_concern", "not_covered", "waiting_on_unknown"}
        assert listed[fact].words
    else:
        # Fired, so the concern calls for more than universal services: a tier above universal.
        # (The level may still be Universal where a rulebook's Universal covers single-agency help,
        # as Knowsley's and St Helens' do: a 4-year-old's one missing episode is single-agency early
        # help, Level 2 Early Help in Brighton and Hove, Hampshire and Kent: tests/practice.)
        assert assessed.tier > Tier.universal
        shown = [d for d in assessed.fired if fact in {f.fact for f in d.facts}]
        assert assessed.level >= max(d.level for d in shown)


@pytest.mark.parametrize("case", list(REPRODUCTIONS))
def test_the_terminal_and_json_show_the_concern(tmp_path: Path, case: str) -> None:
    child, fact = REPRODUCTIONS[case]
    path = _write(tmp_path, _family(child))
    shown = runner.invoke(app, ["assess", str(path), "--full"])
    summary = runner.invoke(app, ["assess", str(path)])
    as_json = runner.invoke(app, ["assess", str(path), "--format", "json"])
    assert shown.exit_code == 0 and summary.exit_code == 0 and as_json.exit_code == 0, shown.output
    [assessed] = json.loads(as_json.stdout)["children"]
    fired_facts = {f["fact"] for d in assessed["fired"] for f in d["facts"]}
    listed = {u["fact"] for u in assessed["unassessed"]}
    assert fact in fired_facts | listed
    # The full view names the fact either as the reason a descriptor fired or under "Recorded but
    # not assessed"; the one-screen view shows every unassessed fact too (issue 14: it keeps the list).
    assert fact in _plain(shown.stdout)
    if fact in listed:
        assert fact in _plain(summary.stdout)


def test_a_concern_outside_every_band_is_listed_with_the_band_and_descriptor(tmp_path: Path) -> None:
    # A 4-month-old's speech delay where every speech descriptor starts at one year (the shipped
    # rulebooks' now start at birth, so a copy is narrowed back to show the mechanism).
    rules = copy_rulebook(tmp_path)
    health = descriptor_file(rules, "health.speech_some_delay")
    text = health.read_text(encoding="utf-8")
    narrowed = re.sub(
        r"age: \{min_months: 0(, max_months: 228\}\n    when: child\.development\.speech_language)",
        r"age: {min_months: 12\1",
        text,
    )
    assert narrowed.count("min_months: 12, max_months: 228}\n    when: child.development.speech_language") == 2
    health.write_text(narrowed, encoding="utf-8")
    assessment = assess(_family({"age_months": 4, "development": {"speech_language": "some_delay"}}), str(rules))
    [item] = assessment.children[0].unassessed
    assert (item.subject, item.fact, item.value, item.reason) == (
        "child:c1",
        "child.development.speech_language",
        "some_delay",
        "outside_age_band",
    )
    assert item.descriptors and "1 year or older" in item.words and "4 months" in item.words


def test_a_carer_fact_is_listed_for_the_carer() -> None:
    # A carer's past offending is declared no concern by both rulebooks, with its reason.
    assessment = assess(_family({"age_months": 30}, offending="past"), "knowsley")
    [item] = assessment.children[0].unassessed
    assert (item.subject, item.fact, item.reason) == ("carer:m", "carer.offending", "not_a_concern")
    assert "current risk" in item.words


def test_a_value_on_the_safe_side_of_every_threshold_is_not_listed() -> None:
    # 95% attendance: every attendance descriptor starts below 90%, so it is no concern by the rulebook's own line.
    assessment = assess(_family({"age_years": 9, "education": {"attendance_percent": 95}}), "knowsley")
    assert assessment.children[0].unassessed == []


def test_a_descriptor_still_unknown_is_waiting_not_dropped() -> None:
    # A 3-month-old with a minor explained injury, mobility not recorded: the non-mobile-baby red
    # flag reads the injury and is unknown until mobility is known, so the injury is waiting.
    situation = Situation.model_validate(_family({"age_months": 3, "harm": {"injury": "explained_minor"}}))
    household = situation.household
    book = load_rulebook("knowsley")
    result = evaluate_child(household.children[0], household, book)
    [item] = unassessed_for(result, household, book)
    assert (item.fact, item.reason, item.descriptors) == (
        "child.harm.injury",
        "waiting_on_unknown",
        ["red_flags.injury_non_mobile_baby"],
    )
    assert assess(situation, book).children[0].unassessed == [item]


@pytest.mark.parametrize(
    ("child", "fields"),
    [
        ({"unborn_weeks": 20, "harm": {"disclosure_of_abuse": True}}, ("harm.disclosure_of_abuse", "unborn_weeks")),
        ({"age_years": 1, "education": {"attendance_percent": 60}}, ("education.attendance_percent", "age_years")),
        ({"age_years": 15, "harm": {"sexual_activity_under_13": True}}, ("harm.sexual_activity_under_13", "age_years")),
    ],
    ids=["unborn disclosure", "attendance at 1", "sexual activity under 13 at 15"],
)
def test_a_fact_that_cannot_apply_at_the_age_exits_2_naming_both_fields(
    tmp_path: Path, child: dict[str, Any], fields: tuple[str, str]
) -> None:
    result = runner.invoke(app, ["assess", str(_write(tmp_path, _family(child)))])
    assert result.exit_code == 2, result.output
    message = _plain(result.stderr)
    for field in fields:
        assert field in message, message
    assert result.stdout == ""
