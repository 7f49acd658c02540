"""`needs compare` and `needs review` as a screener or a review meeting uses them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from needs_engine.cli.app import app
from needs_engine.rulebook.load import shipped_rulebooks

from .test_cli import EXAMPLES, plain

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
ATTENDANCE = EXAMPLES / "early-help-separation-school-attendance.yaml"
wide = CliRunner(env={"COLUMNS": "200"})


def run(*args: str):  # type: ignore[no-untyped-def]
    """Invoke `needs` on a wide terminal, so labels and descriptor ids are not wrapped."""
    return wide.invoke(app, list(args))


RAISE_ABSENCE = """
  - descriptor: education.persistent_absence
    level: targeted
    source: "A policy lead's edit (test)"
    reason: Persistent absence raised to Targeted, to see what changes.
"""


def with_absence_raised(rules: str) -> str:
    """A rulebook's text with one more override: persistent absence at Targeted (how a policy lead
    changes a common descriptor in a rulebook that extends the library)."""
    return rules.replace("\noverrides:\n", "\noverrides:" + RAISE_ABSENCE, 1)


@pytest.fixture(scope="module")
def stricter_rulebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Knowsley, renamed, with persistent absence raised to Targeted and a Level-3 style label."""
    root = tmp_path_factory.mktemp("book")
    (root / "rules").mkdir()
    shutil.copytree(ROOT / "descriptors", root / "descriptors")
    rules = (ROOT / "rules" / "knowsley.yaml").read_text()
    rules = rules.replace("id: knowsley", "id: stricter").replace("label: Targeted Early Help", "label: Level 3 Child in Need")
    (root / "rules" / "stricter.yaml").write_text(with_absence_raised(rules))
    return root / "rules" / "stricter.yaml"


def test_compare_defaults_to_every_shipped_rulebook() -> None:
    result = run("compare", str(ATTENDANCE), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["rulebooks"] == shipped_rulebooks()
    assert [row["rulebook"] for row in document["family"]] == shipped_rulebooks()


def test_compare_explains_a_difference_by_domain(stricter_rulebook: Path) -> None:
    result = run("compare", str(ATTENDANCE), "-r", "knowsley", "-r", str(stricter_rulebook))
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    for phrase in ("Early Help (Getting Help)", "Level 3 Child in Need (Getting More Help)", "Why child c1 differs"):
        assert phrase in text
    document = json.loads(run("compare", str(ATTENDANCE), "-r", "knowsley", "-r", str(stricter_rulebook), "-f", "json").stdout)
    assert document["family_differs"] is True
    [child] = document["children"]
    [domain] = child["domains"]
    assert domain["domain"] == "education"
    assert domain["fired"] == {
        "knowsley": ["education.persistent_absence (early_help)"],
        "stricter": ["education.persistent_absence (targeted)"],
    }


def test_compare_same_level_reports_no_difference(stricter_rulebook: Path) -> None:
    baby = EXAMPLES / "red-flag-explained-bruise-non-mobile-baby.yaml"
    result = run("compare", str(baby), "-r", "knowsley", "-r", str(stricter_rulebook), "-f", "json")
    document = json.loads(result.stdout)
    assert document["family_differs"] is False
    assert all(not child["differs"] and not child["domains"] for child in document["children"])


def test_compare_rejects_the_same_rulebook_twice() -> None:
    result = run("compare", str(ATTENDANCE), "-r", "knowsley", "-r", "knowsley")
    assert result.exit_code == 2
    assert "named twice" in result.output


def _write(path: Path, document: dict) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_review_steps_down_when_housing_is_settled_and_reports_children_added_and_gone(tmp_path: Path) -> None:
    scenario = yaml.safe_load((SCENARIOS / "differ-temporary-accommodation-and-debt.yaml").read_text())
    household = scenario["situation"]["household"]
    later = json.loads(json.dumps(household))
    later["home"]["housing"] = {"status": "settled", "conditions": "adequate", "overcrowded": False}
    later["children"][0]["education"]["attendance_percent"] = 95
    later["children"].append({"id": "c2", "unborn_weeks": 20})
    before = tmp_path / "before.yaml"
    shutil.copy(SCENARIOS / "differ-temporary-accommodation-and-debt.yaml", before)  # a scenario file is read too
    after = _write(tmp_path / "after.yaml", {"household": later})
    result = run("review", str(before), str(after), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    child = {c["child_id"]: c for c in document["children"]}
    assert child["c1"]["movement"] == "step down"
    assert (child["c1"]["before"]["level"], child["c1"]["after"]["level"]) == ("targeted", "early_help")
    assert (
        "housing.temporary_accommodation (early_help)" in child["c1"]["cleared"]
    )  # multi-agency early help: Knowsley Early Help
    assert "education.persistent_absence (early_help)" in child["c1"]["cleared"]
    assert child["c2"]["movement"] == "new" and child["c2"]["before"] is None
    assert document["family"]["movement"] == "step down"
    assert document["family"]["response"]["summary"].startswith("Start the early help process")
    gone = run("review", str(after), str(before), "--format", "json")
    assert {c["child_id"]: c["movement"] for c in json.loads(gone.stdout)["children"]} == {"c1": "step up", "c2": "gone"}


WORKED_BEFORE = SCENARIOS / "st-helens-case-pregnancy-toddler.yaml"
WORKED_AFTER = SCENARIOS / "st-helens-case-pregnancy-toddler-later.yaml"


def test_review_worked_example_steps_down_from_level_3_to_level_2() -> None:
    result = run("review", str(WORKED_BEFORE), str(WORKED_AFTER), "-r", "st-helens")
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    assert "Family: step down" in text
    assert "Level 3 Child in Need → Level 2 Early Help" in text
    assert "Stepping down" in text and "Partnership Coordinator" in text


@pytest.mark.parametrize("rulebook", ["knowsley", "st-helens"])
def test_review_gives_the_rulebooks_step_down_guidance_only_when_the_family_steps_down(rulebook: str) -> None:
    """Both seeds ask for step-down arrangements; the review hands the plan on instead of closing it."""
    down = json.loads(run("review", str(WORKED_BEFORE), str(WORKED_AFTER), "-r", rulebook, "--format", "json").stdout)
    assert down["family"]["movement"] == "step down"
    guidance = down["family"]["step_down"]
    assert guidance["actions"] and guidance["source"].startswith(("KN-EHS-2017", "SH-EHS-2019"))
    up = json.loads(run("review", str(WORKED_AFTER), str(WORKED_BEFORE), "-r", rulebook, "--format", "json").stdout)
    assert up["family"]["movement"] == "step up" and up["family"]["step_down"] is None


def test_review_bad_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.yaml", {"situation": {"household": {"children": [{"id": "c1", "age_months": -3}]}}})
    result = run("review", str(bad), str(ATTENDANCE))
    assert result.exit_code == 2
    assert "bad.yaml: situation" in plain(result.output)


def test_review_never_calls_a_descriptor_cleared_when_its_facts_became_unknown(tmp_path: Path) -> None:
    """A later report that simply lacks a fact has not resolved the concern: it must be asked again."""
    document = yaml.safe_load(ATTENDANCE.read_text())
    child = document["household"]["children"][0]
    assert child["education"]["attendance_percent"] < 90  # persistent absence fires before
    later = json.loads(json.dumps(document))
    later["household"]["children"][0]["education"]["attendance_percent"] = "unknown"
    after = _write(tmp_path / "after.yaml", later)
    result = run("review", str(ATTENDANCE), str(after), "--format", "json")
    assert result.exit_code == 0, result.output
    reviewed = {c["child_id"]: c for c in json.loads(result.stdout)["children"]}[child["id"]]
    assert not any(d.startswith("education.persistent_absence ") for d in reviewed["cleared"])
    assert "education.persistent_absence (early_help)" in reviewed["now_unknown"]
    assert "now unknown (ask again): education.persistent_absence" in plain(run("review", str(ATTENDANCE), str(after)).output)


def test_review_says_how_high_the_level_could_be_when_the_later_report_left_facts_unknown(tmp_path: Path) -> None:
    """'stay at Early Help' alone reads as settled; with most facts unknown it could be Safeguarding."""
    document = yaml.safe_load(ATTENDANCE.read_text())
    later = {
        "household": {"children": [{"id": c["id"], "age_months": c["age_months"]} for c in document["household"]["children"]]}
    }
    later["household"]["carers"] = [{"id": c["id"]} for c in document["household"]["carers"]]
    after = _write(tmp_path / "after.yaml", later)
    result = run("review", str(ATTENDANCE), str(after), "--format", "json")
    assert result.exit_code == 0, result.output
    family = json.loads(result.stdout)["family"]
    assert family["after"]["possible_level"] == "safeguarding"
    assert family["after"]["possible_level"] != family["after"]["level"]
    assert "could be as high as Safeguarding" in plain(run("review", str(ATTENDANCE), str(after)).output)


def test_review_warns_when_the_files_may_not_be_one_family_in_date_order(tmp_path: Path) -> None:
    before = tmp_path / "before.yaml"
    after = tmp_path / "after.yaml"
    family = "household:\n  reference: {ref}\n  children:\n    - {{id: c1, age_months: {age}}}\n  carers:\n    - {{id: m, role: mother}}\n"
    before.write_text(family.format(ref="FICT-1", age=40))
    after.write_text(family.format(ref="FICT-2", age=30))
    result = wide.invoke(app, ["review", str(before), str(after), "--format", "json"])
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any("different references (FICT-1, FICT-2)" in w for w in warnings)
    assert any("child c1 is younger in the later file" in w for w in warnings)
    same = wide.invoke(app, ["review", str(before), str(before), "--format", "json"])
    assert json.loads(same.stdout)["warnings"] == []
    shown = wide.invoke(app, ["review", str(before), str(after)])
    assert "Check: the files name different references" in plain(shown.output)


def test_compare_an_edited_copy_with_the_rulebook_it_came_from(tmp_path: Path) -> None:
    """A policy lead's natural check: the shipped rulebook against their edited copy of it."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "descriptors", tmp_path / "descriptors")
    copy = tmp_path / "rules" / "knowsley.yaml"
    copy.write_text(with_absence_raised(copy.read_text()))
    document = json.loads(run("compare", str(ATTENDANCE), "-r", "knowsley", "-r", str(copy), "-f", "json").stdout)
    shipped, edited = document["rulebooks"]
    assert shipped.startswith("knowsley@") and edited.startswith("knowsley@") and shipped != edited
    [child] = document["children"]
    assert child["domains"][0]["fired"] == {
        shipped: ["education.persistent_absence (early_help)"],
        edited: ["education.persistent_absence (targeted)"],
    }
    unchanged = tmp_path / "same"
    shutil.copytree(ROOT / "rules", unchanged / "rules")
    shutil.copytree(ROOT / "descriptors", unchanged / "descriptors")
    twice = run("compare", str(ATTENDANCE), "-r", "knowsley", "-r", str(unchanged / "rules" / "knowsley.yaml"))
    assert twice.exit_code == 2 and "named twice" in twice.output
