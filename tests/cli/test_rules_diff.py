"""`needs rules diff OLD NEW` and `compare`'s reasons: what changed between two versions of a
rulebook, compared as loaded, and the scenarios whose levels move, with the reason.

The small rulebook is the one tests/unit/test_rulebook.py writes; nothing here pins a level of a
shipped rulebook (those change with every calibration): the shipped ones are only checked for
consistency with the engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from needs_engine import assess, compare, load_rulebook, shipped_rulebooks
from needs_engine.cli.app import app
from needs_engine.scenarios.library import load_scenarios, shipped_scenarios
from needs_engine.workflows.rulesdiff import FieldChange, RuleChange, diff_rulebooks
from tests.unit.test_rulebook import base_descriptors, base_rules, desc, write_book

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SEPARATION = yaml.safe_load((EXAMPLES / "early-help-separation-school-attendance.yaml").read_text())
"""A 9-year-old at 86% attendance: the small rulebook's persistent absence fires, nothing else."""
runner = CliRunner()


def edited(root: Path) -> Path:
    """The small rulebook, version 2: one descriptor moved up, one removed, one added, the
    escalation made stricter and the mitigation reworded."""
    rules, descriptors = base_rules(), base_descriptors()
    rules["version"] = "2.0.0"
    rules["escalations"][0]["descriptors"]["min_count"] = 3
    rules["mitigations"][0]["text"] = "A protective adult lowers targeted one step."
    descriptors["education"][0]["level"] = "targeted"
    descriptors["education"].append(desc("education.severe_absence", "targeted", "child.education.attendance_percent < 50"))
    descriptors["health"] = [d for d in descriptors["health"] if d["id"] != "health.faltering_growth"]
    return write_book(root, rules, descriptors)


def scenario_folder(root: Path, situation: dict[str, Any]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a-nine-year-old-at-86-percent.yaml").write_text(
        yaml.safe_dump(
            {
                "title": "A nine-year-old at 86% attendance",
                "story": "School reports attendance of 86% since the parents separated.",
                "situation": situation,
                "expected": {
                    "tiny": {
                        "level": "targeted",
                        "why": "Persistent absence is targeted in version 2.",
                        # The test's own invented rulebook is the source of this expectation.
                        "source": "judgement: version 2 of the test's rulebook places persistent absence at targeted",
                    }
                },
            }
        )
    )
    return root


def test_the_rules_added_removed_and_changed_and_the_scenario_they_move(tmp_path: Path) -> None:
    old, new = load_rulebook(write_book(tmp_path / "v1")), load_rulebook(edited(tmp_path / "v2"))
    diff = diff_rulebooks(old, new, load_scenarios(scenario_folder(tmp_path / "scenarios", SEPARATION)))
    assert [(c.id, c.change) for c in diff.descriptors] == [
        ("education.persistent_absence", "changed"),
        ("education.severe_absence", "added"),
        ("health.faltering_growth", "removed"),
    ]
    # The small rulebook has no tier map of its own, so a descriptor's tier is its level's plain
    # tier (rulebook/tiers.py): moving it up a level moves its tier with it, and the diff says both.
    assert diff.descriptors[0].fields == [
        FieldChange(field="level", before="early_help", after="targeted"),
        FieldChange(field="tier", before="multi_agency", after="child_in_need"),
    ]
    assert diff.escalations == [
        RuleChange(
            kind="escalation",
            id="escalation.multiple_needs",
            change="changed",
            text="Two early help needs in two domains make targeted.",
            fields=[
                FieldChange(
                    field="count",
                    before="min_level=early_help, min_count=2, min_domains=2",
                    after="min_level=early_help, min_count=3, min_domains=2",
                )
            ],
        )
    ]
    assert [(c.id, [f.field for f in c.fields]) for c in diff.mitigations] == [("mitigation.protective", ["text"])]
    assert diff.scenarios_checked == 1
    [move] = diff.scenarios
    assert (move.scenario, move.before.value, move.after.value, move.expected.value if move.expected else None) == (
        "a-nine-year-old-at-86-percent",
        "early_help",
        "targeted",
        "targeted",
    )
    [child] = move.children
    assert child.reasons == [
        "education.persistent_absence now counts at targeted (was early_help): descriptor changed: level early_help → targeted; "
        "tier multi_agency → child_in_need"
    ]


def test_yaml_that_compiles_to_the_same_rules_is_no_change(tmp_path: Path) -> None:
    rules, descriptors = base_rules(), base_descriptors()
    descriptors["health"].reverse()  # another order, other spacing and a comment: the same rules
    text = "# reordered\n" + yaml.safe_dump({"domain": "health", "descriptors": descriptors["health"]}, indent=4, width=60)
    descriptors["health"] = text  # type: ignore[assignment]
    rules["mitigations"][0]["when"] = "strengths.protective_adult  "
    old, new = load_rulebook(write_book(tmp_path / "v1")), load_rulebook(write_book(tmp_path / "v2", rules, descriptors))
    diff = diff_rulebooks(old, new, load_scenarios(scenario_folder(tmp_path / "scenarios", SEPARATION)))
    assert diff.changes == [] and diff.scenarios == []


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_a_shipped_rulebook_against_itself_changes_nothing(rulebook: str) -> None:
    book = load_rulebook(rulebook)
    by_path = load_rulebook(Path(book.path))
    diff = diff_rulebooks(book, by_path, load_scenarios(shipped_scenarios()))
    assert diff.changes == [] and diff.scenarios == [] and diff.scenarios_checked > 0


def test_between_shipped_rulebooks_every_listed_move_is_real_and_every_real_move_is_listed() -> None:
    old, new = (load_rulebook(rulebook) for rulebook in shipped_rulebooks()[:2])
    scenarios = load_scenarios(shipped_scenarios())
    diff = diff_rulebooks(old, new, scenarios)
    old_ids = {d.id for d in old.descriptors}
    new_ids = {d.id for d in new.descriptors}
    assert {c.id for c in diff.descriptors if c.change == "added"} == new_ids - old_ids
    assert {c.id for c in diff.descriptors if c.change == "removed"} == old_ids - new_ids
    assert all(c.fields for c in diff.changes if c.change == "changed")
    listed = {move.scenario: move for move in diff.scenarios}
    for scenario in scenarios:
        before, after = assess(scenario.situation, old), assess(scenario.situation, new)
        moved = {
            c.child_id: (c.level, a.level) for c, a in zip(before.children, after.children, strict=True) if c.level is not a.level
        }
        if scenario.name not in listed:
            assert not moved and before.level is after.level, scenario.name
            continue
        move = listed[scenario.name]
        assert (move.before, move.after) == (before.level, after.level)
        assert {c.child_id: (c.before, c.after) for c in move.children} == moved
        assert all(child.reasons for child in move.children)


def test_the_command_prints_json_and_refuses_a_bad_rulebook_with_exit_2(tmp_path: Path) -> None:
    old, new = write_book(tmp_path / "v1"), edited(tmp_path / "v2")
    folder = scenario_folder(tmp_path / "scenarios", SEPARATION)
    result = runner.invoke(app, ["rules", "diff", str(old), str(new), "--scenarios", str(folder), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["old"]["version"], document["new"]["version"]) == ("1.0.0", "2.0.0")
    assert [move["scenario"] for move in document["scenarios"]] == ["a-nine-year-old-at-86-percent"]
    shown = runner.invoke(app, ["rules", "diff", str(old), str(new), "--scenarios", str(folder)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert "~ education.persistent_absence" in shown.stdout and "level: early_help → targeted" in shown.stdout
    assert "+ education.severe_absence" in shown.stdout and "- health.faltering_growth" in shown.stdout
    assert "1 scenario of 1 change level." in shown.stdout
    wrong = runner.invoke(app, ["rules", "diff", str(old), str(tmp_path / "nowhere")])
    assert wrong.exit_code == 2 and "Traceback" not in wrong.stderr and "Error" in wrong.stderr


def test_compare_lists_changed_reasons_when_the_levels_agree(tmp_path: Path) -> None:
    """The same level for another reason: the descriptor that fires is renamed at the same level."""
    rules, descriptors = base_rules(), base_descriptors()
    descriptors["education"][0]["id"] = "education.attendance_below_ninety"
    old, new = load_rulebook(write_book(tmp_path / "v1")), load_rulebook(write_book(tmp_path / "v2", rules, descriptors))
    [child] = compare(SEPARATION, [old, new]).children
    assert not child.differs and child.reasons_differ
    [domain] = child.domains
    assert sorted(domain.fired.values()) == [
        ["education.attendance_below_ninety (early_help)"],
        ["education.persistent_absence (early_help)"],
    ]
    [same] = compare(SEPARATION, [old]).children
    assert not same.reasons_differ and same.domains == [] and same.rules == []
