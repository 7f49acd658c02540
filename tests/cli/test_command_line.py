"""The command line's manners (issue 14, section 6): --version, -h, standard input, completion,
NO_COLOR, counted nouns, and the checkout's cli.py."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.text import Text
from typer.testing import CliRunner

from needs_engine import __version__
from needs_engine.cli.app import app
from needs_engine.plural import plural

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BABY = EXAMPLES / "baby-domestic-abuse-mental-health.yaml"
SCHOOL = EXAMPLES / "early-help-separation-school-attendance.yaml"
CASELOAD = EXAMPLES / "batch" / "caseload.jsonl"
runner = CliRunner(env={"COLUMNS": "100"})


def run(*args: str, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def command_paths(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under `command` (a click command, as typer builds it), as the words
    that name it (the root is ())."""
    paths = [path]
    if hasattr(command, "commands"):  # a group
        for name, sub in sorted(command.commands.items()):
            paths += command_paths(sub, (*path, name))
    return paths


ALL_COMMANDS = command_paths(typer.main.get_command(app))


# --- --version and -h ------------------------------------------------------------------------


def test_version_names_the_engine_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"needs-engine {__version__}\n"


def test_the_command_tree_is_the_one_documented() -> None:
    # A guard on the walk below: if it found only the root, "-h works everywhere" would be vacuous.
    names = {" ".join(path) for path in ALL_COMMANDS}
    assert {"assess", "explain", "batch", "rules lint", "scenarios run", "schema"} <= names
    assert len(ALL_COMMANDS) > 15


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=lambda path: " ".join(path) or "needs")
def test_dash_h_is_help_on_every_command(path: tuple[str, ...]) -> None:
    short, long = run(*path, "-h"), run(*path, "--help")
    assert short.exit_code == 0 and long.exit_code == 0, short.output
    assert short.stdout == long.stdout
    assert " ".join(("Usage: needs", *path)) in " ".join(short.stdout.split())


def _commands(command: Any) -> list[Any]:
    """`command` and every command and group under it."""
    found = [command]
    for sub in getattr(command, "commands", {}).values():
        found += _commands(sub)
    return found


def test_no_help_text_is_eaten_as_rich_markup() -> None:
    # typer renders help through rich markup, where "[default: 25]" is a style tag and vanishes: the
    # screener reading `needs rules check -h` was shown "Generated households per invariant ." with
    # the default gone. Every help text must read the same after markup as it was written.
    eaten = []
    for command in _commands(typer.main.get_command(app)):
        texts = [command.help or ""] + [getattr(param, "help", None) or "" for param in command.params]
        eaten += [text for text in texts if Text.from_markup(text).plain != text]
    assert not eaten, eaten


# --- standard input --------------------------------------------------------------------------


def test_assess_explain_compare_read_a_situation_from_standard_input() -> None:
    text = BABY.read_bytes()
    for command in (
        ["assess", "--format", "json"],
        ["explain", "--format", "json", "--max-changes", "1"],
        ["compare", "-f", "json"],
    ):
        from_file, from_stdin = run(*command, str(BABY)), run(*command, "-", stdin=text)
        assert from_file.exit_code == 0 and from_stdin.exit_code == 0, from_stdin.output
        assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_what_if_and_review_read_standard_input() -> None:
    text = BABY.read_bytes()
    change = ["--set", "carers.m.mental_health=diagnosed_stable", "-f", "json"]
    assert run("what-if", "-", *change, stdin=text).stdout == run("what-if", str(BABY), *change).stdout
    piped = run("review", "-", str(BABY), "-f", "json", stdin=text)
    assert piped.exit_code == 0 and piped.stdout == run("review", str(BABY), str(BABY), "-f", "json").stdout


def test_replay_reads_the_record_or_the_situation_from_standard_input(tmp_path: Path) -> None:
    made = run("assess", str(BABY), "--record", str(tmp_path), "--format", "json")
    assert made.exit_code == 0
    [record] = tmp_path.glob("*.json")
    assert run("replay", "-", "--input", str(BABY), stdin=record.read_bytes()).exit_code == 0
    situation_piped = run("replay", str(record), "--input", "-", stdin=BABY.read_bytes())
    assert situation_piped.exit_code == 0 and situation_piped.stdout.startswith("identical:")


def test_standard_input_is_refused_twice_in_one_command(tmp_path: Path) -> None:
    result = run("review", "-", "-", stdin=BABY.read_bytes())
    assert result.exit_code == 2
    assert "BEFORE and AFTER: standard input (-) can be read only once" in " ".join(result.stderr.split())


def test_batch_reads_a_caseload_from_standard_input_like_the_file(tmp_path: Path) -> None:
    from_file = run("batch", str(CASELOAD), "--out", str(tmp_path / "file.jsonl"), "-w", "1")
    piped = run(
        "batch", "-", "--input-format", "jsonl", "--out", str(tmp_path / "piped.jsonl"), "-w", "1", stdin=CASELOAD.read_bytes()
    )
    assert from_file.exit_code == 0 and piped.exit_code == 0, piped.output
    rows = (tmp_path / "piped.jsonl").read_text().splitlines()
    assert rows == (tmp_path / "file.jsonl").read_text().splitlines()
    assert len(rows) == len(CASELOAD.read_text().splitlines())


def test_batch_from_standard_input_needs_the_format_named() -> None:
    result = run("batch", "-", "--out", "never-written.jsonl", stdin=CASELOAD.read_bytes())
    assert result.exit_code == 2
    assert "--input-format: standard input has no file name" in " ".join(result.stderr.split())
    assert not Path("never-written.jsonl").exists()


# --- shell completion ------------------------------------------------------------------------


def test_shell_completion_is_typers_own() -> None:
    help_text = run("--help").stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text
    env = {"_NEEDS_COMPLETE": "complete_bash", "COMP_WORDS": "needs ass", "COMP_CWORD": "1"}
    assert runner.invoke(app, [], prog_name="needs", env=env).stdout.split() == ["assess"]
    env = {"_NEEDS_COMPLETE": "complete_bash", "COMP_WORDS": "needs assess --for", "COMP_CWORD": "2"}
    assert runner.invoke(app, [], prog_name="needs", env=env).stdout.split() == ["--format"]
    env = {"_NEEDS_COMPLETE": "complete_bash", "COMP_WORDS": "needs rules l", "COMP_CWORD": "2"}
    assert sorted(runner.invoke(app, [], prog_name="needs", env=env).stdout.split()) == ["lint", "list"]


def test_show_completion_prints_the_script_for_the_shell_it_runs_in() -> None:
    needs = Path(sys.executable).with_name("needs")
    if shutil.which("bash") is None or not needs.is_file():
        pytest.skip("needs bash and the installed `needs` script (typer detects the shell from the parent process)")
    # `; true` keeps bash as the parent process, which is how typer tells which shell to write for.
    shown = subprocess.run(
        ["bash", "-c", '"$0" --show-completion; true', str(needs)], capture_output=True, text=True, timeout=120
    )
    assert "complete -o default -F _needs_completion needs" in shown.stdout, shown.stderr
    assert "_NEEDS_COMPLETE=complete_bash" in shown.stdout


# --- NO_COLOR --------------------------------------------------------------------------------

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> set[int]:
    """The SGR parameters in `text` that set a colour (foreground, background, 256 or true colour)."""
    found = set()
    for params in _SGR.findall(text):
        for number in (int(p) for p in params.split(";") if p):
            if 30 <= number <= 49 or 90 <= number <= 107:
                found.add(number)
    return found


def needs_in_a_terminal(*args: str, no_color: bool) -> subprocess.CompletedProcess[str]:
    """Run `needs` as a separate process with colour forced on, as in a terminal, and NO_COLOR set or not."""
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "TERM"}}
    env.update(FORCE_COLOR="1", COLUMNS="100", TERM="xterm-256color")
    if no_color:
        env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "needs_engine", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "args", [("assess", str(BABY)), ("assess", str(ROOT / "no-such-file.yaml")), ("--help",)], ids=["assess", "error", "help"]
)
def test_no_color_removes_every_colour(args: tuple[str, ...]) -> None:
    coloured = needs_in_a_terminal(*args, no_color=False)
    plain = needs_in_a_terminal(*args, no_color=True)
    # Forced colour really colours (else the second check proves nothing)...
    assert colour_codes(coloured.stdout + coloured.stderr)
    # ...and NO_COLOR takes every colour away while the words stay the same.
    assert colour_codes(plain.stdout + plain.stderr) == set()
    assert plain.returncode == coloured.returncode
    assert _SGR.sub("", plain.stdout + plain.stderr) == _SGR.sub("", coloured.stdout + coloured.stderr)


# --- counted nouns ---------------------------------------------------------------------------


def test_plural() -> None:
    assert [plural(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]
    assert plural(1, "question") == "1 question" and plural(12, "question") == "12 questions"
    assert plural(1, "child") == "1 child" and plural(2, "child") == "2 children"
    assert plural(2, "unknown fact is", "unknown facts are") == "2 unknown facts are"
    assert plural(1_000_000, "row") == "1,000,000 rows"


def test_one_question_is_one_question_in_the_terminal() -> None:
    from rich.console import Console

    from needs_engine import assess, load_rulebook
    from needs_engine.formats.inputs import read_situation
    from needs_engine.render.terminal import render_assessment

    book = load_rulebook("knowsley")
    assessment = assess(read_situation(BABY), book)
    assert len(assessment.questions) > 1
    one = assessment.model_copy(update={"questions": assessment.questions[:1]})
    out = io.StringIO()
    render_assessment(one, book, Console(file=out, width=100), all_questions=False)
    text = " ".join(out.getvalue().split())
    assert re.search(r"\b1 question\b(?!s)", text) and "(s)" not in text


def test_one_change_one_difference_one_error_row(tmp_path: Path) -> None:
    nothing = run("explain", str(SCHOOL), "--max-changes", "1")
    assert "None found within 1 change." in " ".join(nothing.stdout.split())
    one_row = tmp_path / "one.jsonl"
    one_row.write_text("{}\n")
    batch = run("batch", str(one_row), "--out", str(tmp_path / "out.jsonl"), "-w", "1")
    assert batch.exit_code == 0
    assert re.search(r"^1 row in .*: 0 assessed \(none\), 1 error row;", " ".join(batch.stderr.split()))


def test_one_difference_in_a_replay(tmp_path: Path) -> None:
    assert run("assess", str(SCHOOL), "--record", str(tmp_path), "-f", "json").exit_code == 0
    [record] = tmp_path.glob("*.json")
    document = json.loads(record.read_text())
    document["computed_level"] = "targeted"  # a record that says the rules gave another family level
    record.write_text(json.dumps(document))
    result = run("replay", str(record), "--input", str(SCHOOL))
    lines = result.stdout.splitlines()
    differences = [line for line in lines if line.startswith("  - ")]
    assert result.exit_code == 1 and len(differences) == 1, result.stdout
    assert lines[0].startswith("1 difference replaying ")


def test_one_scenario_run_and_one_problem_over_http(tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "toddler-thriving.yaml").write_bytes((ROOT / "tests/fixtures/scenarios/toddler-thriving.yaml").read_bytes())
    ran = run("scenarios", "run", "--folder", str(folder), "-r", "knowsley")
    assert ran.exit_code == 0 and "1 passed, 0 failed: 1 run of 1 scenario" in ran.stdout
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from needs_engine.service.app import create_app

    body = {
        "situation": {"household": {"consent": "maybe", "children": [{"id": "c1"}], "carers": [{"id": "m", "role": "mother"}]}}
    }
    response = TestClient(create_app()).post("/assess", json=body)
    assert response.status_code == 422 and response.json()["detail"].startswith("1 problem in: ")


@pytest.mark.parametrize("example", sorted(p for p in EXAMPLES.glob("*.yaml") if p.name != "expected.yaml"), ids=lambda p: p.stem)
def test_no_output_hedges_a_count_with_s_in_brackets(example: Path) -> None:
    for args in (["assess", str(example)], ["assess", str(example), "-f", "markdown"], ["assess", str(example), "-f", "html"]):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "(s)" not in result.stdout, args
        assert not re.search(r"\b1 (questions|facts|errors|needs|domains|changes|rows)\b", result.stdout), args


# --- cli.py in the checkout ------------------------------------------------------------------


def test_cli_py_runs_the_same_command_from_a_checkout(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "100"}
    checkout = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "assess", str(BABY), "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,  # not the checkout: cli.py finds its package beside itself
        timeout=120,
    )
    assert checkout.returncode == 0, checkout.stderr
    assert json.loads(checkout.stdout) == json.loads(run("assess", str(BABY), "--format", "json").stdout)
    bad = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "assess", str(tmp_path / "missing.yaml")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "missing.yaml" in bad.stderr and "Traceback" not in bad.stderr
    usage = subprocess.run([sys.executable, str(ROOT / "cli.py"), "-h"], capture_output=True, text=True, env=env, timeout=120)
    assert usage.returncode == 0 and "Usage: cli.py [OPTIONS] COMMAND" in usage.stdout
