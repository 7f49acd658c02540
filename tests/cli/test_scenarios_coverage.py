"""`needs scenarios list|show|run` and `needs rules coverage`."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from needs_engine.cli.app import app
from needs_engine.model.levels import Level
from needs_engine.rulebook.load import load_rulebook
from needs_engine.scenarios.coverage import AGE_BANDS, unreachable_levels

from .test_cli import plain

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
ONE = "early-help-toddler-one-domestic-abuse-incident-standard-risk"
runner = CliRunner(env={"COLUMNS": "200"})


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def _folder(tmp_path: Path, *names: str) -> Path:
    for name in names:
        shutil.copy(SCENARIOS / f"{name}.yaml", tmp_path)
    return tmp_path


def test_list_and_show(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ONE, "differ-family-made-homeless")
    listed = plain(run("scenarios", "list", "--folder", str(folder)).output)
    assert "2 scenarios" in listed and ONE in listed and "knowsley: early_help" in listed
    shown = run("scenarios", "show", ONE, "--folder", str(folder))
    assert shown.exit_code == 0
    text = plain(shown.output)
    assert "police notification" in text and "dash_score: 4" in text and "knowsley: early_help" in text
    missing = run("scenarios", "show", ONE[:-2], "--folder", str(folder))
    assert missing.exit_code == 2 and f"did you mean '{ONE}'" in plain(missing.output)


def test_run_passes_then_fails_with_the_descriptor_difference(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ONE)
    ok = run("scenarios", "run", "--folder", str(folder), "-r", "knowsley")
    assert ok.exit_code == 0, ok.output
    assert "1 passed, 0 failed" in ok.output
    path = folder / f"{ONE}.yaml"
    path.write_text(
        path.read_text().replace("level: early_help, children: {c1: early_help}", "level: universal, children: {c1: universal}")
    )
    failed = run("scenarios", "run", "--folder", str(folder), "-r", "knowsley")
    assert failed.exit_code == 1
    text = plain(failed.output)
    assert "FAIL" in text and "c1: expected universal, got early_help" in text
    assert "family_functioning.domestic_abuse_incident (early_help)" in text


def test_run_bad_scenario_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("title: x\nstory: y\nsituation: {household: {children: []}}\n")
    result = run("scenarios", "run", "--folder", str(tmp_path))
    assert result.exit_code == 2
    assert "broken.yaml" in plain(result.output)


def test_coverage_counts_what_fired_and_lists_the_rest(tmp_path: Path) -> None:
    folder = _folder(tmp_path, ONE)
    result = run("rules", "coverage", "-r", "knowsley", "--folder", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    book = load_rulebook("knowsley")
    fired = {
        "family_functioning.domestic_abuse_incident",
        "family_functioning.family_breakdown",
        "family_functioning.parental_conflict_occasional",
        "family_functioning.carer_mental_health_mild",
        "guidance_boundaries.some_gaps",
        "income.some_hardship",
        "emotional_behavioural.some_behaviour_difficulties",
    }
    assert report["descriptors"] == {
        "exercised": len(fired),
        "total": len(book.descriptors),
        "percent": round(100 * len(fired) / len(book.descriptors), 1),
    }
    assert "red_flags.fgm" in report["unexercised_descriptors"]
    assert not fired & set(report["unexercised_descriptors"])
    assert "escalation.multiple_needs" in report["unexercised_escalations"]
    # Two of the seven are Early Help in Knowsley since the library (domestic abuse incident, family
    # breakdown: multi-agency); the other five are single-agency, Universal here.
    assert sorted(i for i in fired if book.by_id[i].level is Level.early_help) == [
        "family_functioning.domestic_abuse_incident",
        "family_functioning.family_breakdown",
    ]
    assert report["by_level"]["early_help"]["exercised"] == 2
    text = plain(run("rules", "coverage", "-r", "knowsley", "--folder", str(folder)).output)
    assert "red_flags.fgm" in text and f"descriptors 7/{len(book.descriptors)}" in text


def test_unreachable_levels_come_from_age_bands_not_scenarios() -> None:
    book = load_rulebook("knowsley")
    antenatal_only = replace(
        book,
        descriptors=tuple(d for d in book.descriptors if d.id.startswith("health.antenatal")),
        escalations=(),
        mitigations=(),
    )
    unreachable = {band.name: unreachable_levels(antenatal_only, band) for band in AGE_BANDS}
    # The antenatal descriptors are Early Help (late or missed care: multi-agency) and Safeguarding
    # (concealment: child protection) in Knowsley; none is Targeted since the library, so an unborn
    # baby cannot reach Targeted from them alone.
    assert unreachable["unborn"] == [Level.targeted]
    assert unreachable["1-4 years"] == [Level.early_help, Level.targeted, Level.safeguarding]
    assert all(unreachable_levels(book, band) == [] for band in AGE_BANDS)


def test_coverage_of_an_empty_folder_is_an_error_not_zero_percent(tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "coverage", "--folder", str(tmp_path)])
    assert result.exit_code == 2
    assert "no scenario files here" in plain(result.output)
