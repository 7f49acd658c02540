"""Issue 11, what comes out: checks listed first, free text made safe, values quoted briefly and
names never, the error panel unbroken at any width."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.cli.app import app
from needs_engine.formats.inputs import read_situation_text

from ..cli.test_cli import plain

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
IMPLAUSIBLE = """household:
  children:
    - {id: c1, age_months: 40, education: {attendance_percent: 0.84}}
  carers: [{id: m}]
  home: {domestic_abuse: {incidents_12m: 0, dash_score: 14}}
"""


# --- item 3: checks ------------------------------------------------------------------------------


def test_implausible_values_are_assessed_as_written_and_listed_as_checks() -> None:
    situation = read_situation_text(IMPLAUSIBLE)
    book = load_rulebook("knowsley")
    assessment = assess(situation, book)
    # Attendance for a three-year-old can apply (a nursery class) but is unusual: a check, as is
    # the fraction; a DASH score with no incident is a check too.
    assert sorted((c.subject, c.fact, c.value) for c in assessment.checks) == [
        ("child:c1", "education.attendance_percent", 0.84),
        ("child:c1", "education.attendance_percent", 0.84),
        ("household", "home.domestic_abuse.dash_score", 14),
    ]
    assert "attendance 0.84 % — did you mean 84 %?" in [c.message for c in assessment.checks]
    # A check never changes a level: the same household without the checked values' oddness.
    plausible = read_situation_text(IMPLAUSIBLE.replace("age_months: 40", "age_months: 108"))
    assert [c.fact for c in assess(plausible, book).checks] == ["education.attendance_percent", "home.domestic_abuse.dash_score"]
    assert assessment.level == assess(situation, book).level


def test_an_age_in_months_that_looks_like_years_with_school_facts_is_refused_with_a_hint(tmp_path: Path) -> None:
    # School attendance cannot describe a nine-month-old (Semantics 14): an input error naming
    # both fields, with the likely slip (years written as months) suggested.
    path = tmp_path / "situation.yaml"
    path.write_text(IMPLAUSIBLE.replace("age_months: 40", "age_months: 9"))
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 2
    text = plain(result.output)
    assert "education.attendance_percent" in text and "age_months" in text and "did you mean 9 years" in text


def test_a_plausible_household_has_no_checks() -> None:
    situation = read_situation_text(
        IMPLAUSIBLE.replace("0.84", "84")
        .replace("age_months: 40", "age_months: 108")
        .replace("incidents_12m: 0", "incidents_12m: 1")
    )
    assert assess(situation, "knowsley").checks == []


@pytest.mark.parametrize("fmt", ["rich", "markdown", "html"])
def test_checks_come_first_in_every_human_format(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "situation.yaml"
    path.write_text(IMPLAUSIBLE)
    result = runner.invoke(app, ["assess", str(path), "--format", fmt])
    assert result.exit_code == 0, result.output
    text = plain(result.stdout)
    check = text.find("check: child:c1: attendance 0.84 % — did you mean 84 %?")
    assert check >= 0, text
    assert check < text.find("Family level") or check < text.find("Assessment:") or check < text.find("<h1>")


def test_checks_are_in_the_json() -> None:
    result = runner.invoke(app, ["assess", "-", "--format", "json"], input=IMPLAUSIBLE)
    assert result.exit_code == 0, result.output
    assert [c["fact"] for c in json.loads(result.stdout)["checks"]][1] == "education.attendance_percent"


# --- item 4: control characters and markup ------------------------------------------------------

HOSTILE = 'household:\n  reference: "EX\\e[31m-1\\e]0;owned\\a <script>alert(1)</script> **x**"\n  children: [{id: c1, age_months: 40, name: "Zed\\e[2J"}]\n  carers: [{id: m}]\n'


def test_terminal_output_strips_control_characters() -> None:
    for command in (["assess", "-"], ["explain", "-"]):
        result = runner.invoke(app, command, input=HOSTILE)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "EX[31m-1" in plain(result.stdout)


def test_markdown_and_html_escape_free_text() -> None:
    for command in (
        ["assess", "-", "--format", "markdown"],
        ["explain", "-", "--format", "markdown"],
        ["assess", "-", "--format", "html"],
    ):
        result = runner.invoke(app, command, input=HOSTILE)
        assert result.exit_code == 0, result.output
        assert "<script>" not in result.stdout and "\x1b" not in result.stdout
        assert "&lt;script&gt;" in result.stdout


# --- item 14: quote at most ~80 characters, never a name ----------------------------------------


def test_errors_quote_at_most_80_characters_and_never_a_name(tmp_path: Path) -> None:
    # A run of a character no temp path holds (pytest names them from letters, digits, _ and -), so
    # the check cannot match the file's own path.
    long_value = "#" * 5000
    name = "Zebedee Quillfeather-Fictional " * 10
    source = tmp_path / "in.jsonl"
    lines = [
        {"household": {"children": [{"id": "c1", "age_months": long_value}], "carers": [{"id": "m"}]}},
        {"household": {"children": [{"id": "c1", "name": name}], "carers": [{"id": "m"}]}},
    ]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert runner.invoke(app, ["batch", str(source), "--out", str(out), "--workers", "1"]).exit_code == 0
    rows = out.read_text()
    assert "#" * 81 not in rows and "Quillfeather" not in rows
    for document in lines:
        path = tmp_path / "situation.json"
        path.write_text(json.dumps(document))
        result = runner.invoke(app, ["assess", str(path)])
        assert result.exit_code == 2
        assert "#" * 81 not in result.stderr and "Quillfeather" not in result.stderr


def test_problem_documents_never_quote_a_name() -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from needs_engine.service.app import create_app

    name = "Zebedee Quillfeather-Fictional " * 10
    response = TestClient(create_app()).post(
        "/assess", json={"situation": {"household": {"children": [{"id": "c1", "name": name}], "carers": [{"id": "m"}]}}}
    )
    assert response.status_code == 422 and "Quillfeather" not in response.text


# --- items 17 and 18: the error panel at any width and any temp-path length ----------------------

CASES = [
    (
        "household:\n  children:\n    - {id: c1, age_months: 4, helth: {}}\n  carers: [{id: m}]\n",
        ["unknown field", "helth", ":3:"],
    ),
    ("household:\n  children: [{id: c1}]\n  carers: [{id: m}]\n  carers: []\n", ["duplicate key 'carers'", ":4:"]),
    ("household:\n  children: [\n", ["not valid YAML"]),
]


@pytest.mark.parametrize("columns", ["60", "80", "200"])
@pytest.mark.parametrize("depth", [0, 3, 9])
def test_error_messages_hold_at_every_width_and_path_length(tmp_path: Path, columns: str, depth: int) -> None:
    folder = tmp_path.joinpath(*(["a-rather-long-folder-name"] * depth))
    folder.mkdir(parents=True, exist_ok=True)
    for content, phrases in CASES:
        path = folder / "situation.yaml"
        path.write_text(content)
        result = subprocess.run(
            [sys.executable, "-m", "needs_engine", "assess", str(path)],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": columns},
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert f"{path}:" in result.stderr  # the location is never split across lines
        text = plain(result.stderr)
        for phrase in phrases:
            assert phrase in text, text
