"""The CLI against odd input and odd surroundings: a closed pipe, binary answer files, an empty
scenario folder, a folder named like a rulebook. Each must end in one clear message and the
right exit code, never an 'internal error' and never a result that looks whole when it is not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine.cli.app import BROKEN_PIPE_EXIT, app

from .test_cli import plain

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "universal-two-parents-school-age.yaml"
SCENARIOS = ROOT / "scenarios"
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("output", ["json", "rich"])
def test_a_reader_that_goes_away_ends_the_command_quietly(output: str) -> None:
    """`needs assess ... | head -1`: no 'internal error', no traceback, the shell's SIGPIPE status."""
    process = subprocess.Popen(
        [sys.executable, "-m", "needs_engine", "assess", str(EXAMPLE), "--format", output],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first byte is written
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == BROKEN_PIPE_EXIT
    assert stderr == ""


@pytest.mark.parametrize("content", [b"\xff\xfe2\n", bytes(range(256))])
def test_train_answers_that_are_not_text_exit_2_before_any_question(tmp_path: Path, content: bytes) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_bytes(content)
    result = run("train", str(SCENARIOS), "--answers", str(answers), "--count", "1", "--seed", "1")
    assert result.exit_code == 2, result.output
    assert "not UTF-8" in plain(result.output) and "internal error" not in result.output
    assert "Scenario 1 of 1" not in result.output


def test_train_answers_from_dev_null_is_no_answers_not_a_missing_file() -> None:
    result = run("train", str(SCENARIOS), "--answers", os.devnull, "--count", "1", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "Stopping here" in result.output


def test_train_answers_that_are_a_folder_say_so(tmp_path: Path) -> None:
    result = run("train", str(SCENARIOS), "--answers", str(tmp_path), "--count", "1")
    assert result.exit_code == 2
    assert "is a folder" in plain(result.output)


def test_scenarios_run_on_an_empty_folder_is_an_error_not_a_pass(tmp_path: Path) -> None:
    result = run("scenarios", "run", "--folder", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "no scenario files" in plain(result.output)


def test_scenarios_run_that_runs_nothing_for_a_rulebook_is_an_error(tmp_path: Path) -> None:
    scenario = SCENARIOS / "universal-new-baby-thriving.yaml"
    text = scenario.read_text(encoding="utf-8")
    (tmp_path / "only-knowsley.yaml").write_text(text.split("  st-helens:")[0], encoding="utf-8")
    result = run("scenarios", "run", "--folder", str(tmp_path), "--rulebook", "st-helens")
    assert result.exit_code == 2, result.output
    assert "expects nothing of rulebook 'st-helens'" in plain(result.output)


def test_a_folder_named_like_a_shipped_rulebook_does_not_shadow_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A screener's case folder called `knowsley/` must not replace the default rulebook."""
    (tmp_path / "knowsley").mkdir()
    (tmp_path / "st-helens").write_text("not a rulebook\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for rulebook in ("knowsley", "st-helens"):
        result = run("assess", str(EXAMPLE), "--rulebook", rulebook, "--format", "json")
        assert result.exit_code == 0, result.output
        assert f'"id": "{rulebook}"' in result.stdout


def test_override_by_without_an_override_is_an_error_not_ignored() -> None:
    result = run("assess", str(EXAMPLE), "--by", "TL", "--format", "json")
    assert result.exit_code == 2
    assert "--override-level" in plain(result.output)


def test_rules_list_with_a_misspelt_domain_is_an_error_not_an_empty_table() -> None:
    result = run("rules", "list", "--domain", "educaton")
    assert result.exit_code == 2
    assert "no domain 'educaton'" in plain(result.output) and "'education'" in plain(result.output)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    "args", [["assess", "/dev/zero"], ["replay", "/dev/zero", "--input", str(EXAMPLE)], ["compare", "/dev/zero"]]
)
def test_an_endless_input_is_refused_at_the_size_limit_not_read_into_memory(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "/dev/zero: cannot read file: it is a device or socket, not a regular file" in plain(result.output)


def test_endless_stdin_is_refused_at_the_size_limit() -> None:
    result = runner.invoke(app, ["assess", "-"], input="#" * 3_000_000)
    assert result.exit_code == 2, result.output
    assert "-: file is larger than 2 MB" in plain(result.output)


MARKUP = "[/]"  # rich reads square brackets as markup: '[/]' alone crashed every terminal view


@pytest.mark.parametrize(
    "command",
    [
        ["assess", "{f}"],
        ["assess", "{f}", "--override-level", "safeguarding", "--reason", "[/] raised [bold]by hand"],
        ["explain", "{f}"],
        ["compare", "{f}"],
        ["review", "{f}", "{f}"],
        ["what-if", "{f}", "--set", "children.c1.education.attendance_percent=80"],
    ],
    ids=["assess", "assess-override", "explain", "compare", "review", "what-if"],
)
def test_brackets_in_a_reference_a_name_or_a_reason_are_shown_as_written(tmp_path: Path, command: list[str]) -> None:
    import yaml

    document = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    document["household"]["reference"] = f"REF{MARKUP}"
    document["household"]["children"][0]["name"] = f"Ash {MARKUP}[bold]"
    situation = tmp_path / "brackets.yaml"
    situation.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, [part.format(f=situation) for part in command])
    assert result.exit_code == 0, result.output
    assert f"REF{MARKUP}" in result.output or f"Ash {MARKUP}[bold]" in result.output


def test_brackets_in_a_scenario_title_and_story_are_shown_as_written(tmp_path: Path) -> None:
    text = (SCENARIOS / "universal-new-baby-thriving.yaml").read_text(encoding="utf-8")
    import yaml

    document = yaml.safe_load(text)
    document["title"] = f"Baby {MARKUP} thriving"
    document["story"] = f"A [bold]story{MARKUP}"
    (tmp_path / "brackets.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    for args in (["scenarios", "show", "brackets"], ["scenarios", "list"]):
        result = CliRunner(env={"COLUMNS": "200"}).invoke(app, [*args, "--folder", str(tmp_path)])
        assert result.exit_code == 0, result.output
        assert f"Baby {MARKUP} thriving" in result.output
    answers = tmp_path / "answers.txt"
    answers.write_text("1\n", encoding="utf-8")
    quiz = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["train", str(tmp_path), "--answers", str(answers)])
    assert quiz.exit_code == 0, quiz.output
    assert f"A [bold]story{MARKUP}" in quiz.output
