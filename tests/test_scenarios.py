"""Every scenario in scenarios/ gets the levels it expects under every rulebook it names.

A failure prints the scenario, its rationale, and the descriptor difference child by child, so
an author sees at once whether the scenario or the rulebook is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from needs_engine.errors import InputError
from needs_engine.model.levels import Level
from needs_engine.rulebook.load import load_rulebook
from needs_engine.scenarios.library import Expectation, load_scenario, load_scenarios
from needs_engine.scenarios.run import check_scenario, failure_message, run_scenarios

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
LIBRARY = {s.name: s for s in load_scenarios(SCENARIOS)}
RUNS = sorted((name, rid) for name, s in LIBRARY.items() for rid in s.expected)


@pytest.mark.parametrize(("name", "rulebook"), RUNS, ids=[f"{n}[{r}]" for n, r in RUNS])
def test_scenario_gets_its_expected_levels(name: str, rulebook: str) -> None:
    result = check_scenario(LIBRARY[name], load_rulebook(rulebook))
    assert result.ok, failure_message(result)


def test_library_spans_every_level_under_every_rulebook_it_names() -> None:
    assert len(LIBRARY) >= 30
    for rulebook in {rid for _, rid in RUNS}:
        levels = {s.expected[rulebook].level for s in LIBRARY.values() if rulebook in s.expected}
        assert levels == set(Level), f"{rulebook} scenarios cover only {sorted(lv.value for lv in levels)}"


def _wrong(name: str, level: Level, **children: Level) -> str:
    """The failure message for scenario `name` given a deliberately wrong Knowsley expectation."""
    expectation = Expectation(
        level=level, children=children, why="a deliberately wrong expectation", source="judgement: a test of the message"
    )
    wrong = LIBRARY[name].model_copy(update={"expected": {"knowsley": expectation}})
    result = check_scenario(wrong, load_rulebook("knowsley"))
    assert not result.ok
    return failure_message(result)


def test_an_expectation_too_low_names_the_descriptors_that_pushed_the_level_up() -> None:
    message = _wrong("safeguarding-domestic-abuse-high-risk-marac", Level.early_help, c1=Level.early_help)
    assert "c1: expected early_help, got safeguarding" in message
    assert "pushed above early_help by" in message
    assert "family_functioning.dash_high_risk (safeguarding)" in message
    assert "family: expected early_help, got safeguarding" in message


def test_an_expectation_too_high_names_what_fired_and_what_is_missing() -> None:
    message = _wrong("unknown-heavy-police-notification-domestic-incident", Level.targeted)
    assert "nothing at targeted or above fired" in message
    assert "highest fired: family_functioning.domestic_abuse_incident (early_help)" in message
    assert "unknown, so not fired:" in message


def test_a_mitigation_that_lowered_the_level_is_named() -> None:
    message = _wrong("mitigation-multiple-needs-met-by-a-strong-family", Level.targeted)
    assert "mitigation.protective_engaged_family lowered it targeted → early_help" in message


def test_an_expectation_for_a_child_the_situation_lacks_is_bad_input(tmp_path: Path) -> None:
    text = (SCENARIOS / "differ-family-made-homeless.yaml").read_text().replace("children: {c1:", "children: {c9:")
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(InputError, match="no child 'c9' in the situation"):
        run_scenarios([load_scenario(tmp_path / "bad.yaml")])


def test_every_expectation_cites_a_source() -> None:
    """A seed section, a public document (by source key and section) or 'judgement: <the reason>'."""
    for name, scenario in LIBRARY.items():
        for rid, expectation in scenario.expected.items():
            assert len(expectation.source.strip()) >= 3, f"{name} [{rid}]: no source"
            if expectation.source.startswith("judgement"):
                assert expectation.source.startswith("judgement: ") and len(expectation.source) > len("judgement: ") + 3, (
                    f"{name} [{rid}]: a judgement says its reason"
                )


def test_an_expectation_without_a_source_is_bad_input(tmp_path: Path) -> None:
    document = yaml.safe_load((SCENARIOS / "differ-family-made-homeless.yaml").read_text())
    del document["expected"]["knowsley"]["source"]
    (tmp_path / "unsourced.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(InputError) as raised:
        load_scenario(tmp_path / "unsourced.yaml")
    assert any("expected.knowsley.source" in str(problem) for problem in raised.value.problems), raised.value.problems


def test_the_default_folder_is_the_shipped_library_away_from_a_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trainer who installed needs-engine runs `needs train` from any folder."""
    from needs_engine.scenarios.library import scenario_paths, shipped_scenarios

    monkeypatch.chdir(tmp_path)
    assert scenario_paths() == scenario_paths(shipped_scenarios())
    assert len(scenario_paths()) >= 30
