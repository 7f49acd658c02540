"""The `needs` command as a screener uses it: outputs, exit codes and error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BABY = EXAMPLES / "baby-domestic-abuse-mental-health.yaml"
runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def plain(text: str) -> str:
    """Terminal output without panel borders or line wrapping, for phrase checks."""
    for border in "│╭╮╰╯─┃┏┓┗┛━┡┩╇┳┻┃└┘┌┐┬┴├┤┼":
        text = text.replace(border, " ")
    return " ".join(text.split())


def test_assess_full_prints_levels_reasons_gaps_and_response() -> None:
    result = run("assess", str(BABY), "--full")
    assert result.exit_code == 0, result.output
    for phrase in (
        "Family level",
        "Safeguarding (Getting Needs/Risk Support)",
        "Family history and functioning",
        "because",
        "Escalation",
        "What to do next",
        "MASH",
    ):
        assert phrase in result.output


def test_assess_by_default_prints_the_level_what_to_do_and_each_child() -> None:
    """The default view is the one-screen summary (issue 14); tests/cli/test_one_screen.py holds its contents."""
    result = run("assess", str(BABY))
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    for phrase in (
        "Family level: Safeguarding (Getting Needs/Risk Support)",  # the seed's Thrive name (seeds/000), issue 13
        "What to do now:",
        "MASH",
        "c1, 3 months:",
        "c2, 6 years",
    ):
        assert phrase in text
    assert "because" not in text  # the facts behind each reason are in --full


def test_assess_json_is_the_assessment_and_nothing_else() -> None:
    result = run("assess", str(BABY), "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["level"] == "safeguarding"
    assert document["rulebook"]["content_hash"].startswith("sha256:")
    assert {c["child_id"] for c in document["children"]}


def test_assess_json_is_byte_identical_between_runs() -> None:
    assert run("assess", str(BABY), "--format", "json").stdout == run("assess", str(BABY), "--format", "json").stdout


def test_assess_markdown() -> None:
    result = run("assess", str(BABY), "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Assessment: Safeguarding")
    assert "## Information gaps" in result.stdout


@pytest.mark.parametrize(
    ("content", "phrases"),
    [
        (
            "household:\n  children:\n    - {id: c1, age_months: 4, helth: {}}\n  carers: [{id: m}]\n",
            ["unknown field", "helth", "'health'", ":3"],
        ),
        (
            "household:\n  children:\n    - {id: c1, age_months: 4, education: {attendance_percent: 140}}\n  carers: [{id: m}]\n",
            ["attendance_percent", "less than or equal to 100", "140"],
        ),
        ("household:\n  children: [\n", ["not valid YAML"]),
        ("", ["empty"]),
        ("- just\n- a list\n", ["top level must be a mapping"]),
        ("household:\n  children: [{id: c1}]\n  carers: [{id: m}]\n  carers: []\n", ["duplicate key 'carers'"]),
        ("household:\n  children: []\n  carers: [{id: m}]\n", ["children", "at least 1"]),
        ("household:\n  children: [{id: c1}, {id: c1}]\n  carers: [{id: m}]\n", ["unique", "c1"]),
        (
            "household:\n  children: [{id: c1, age_months: 3, unborn_weeks: 20}]\n  carers: [{id: m}]\n",
            ["give one of age_months, age_years, age_band, unborn_weeks"],
        ),
    ],
    ids=[
        "misspelt-field",
        "out-of-range",
        "malformed-yaml",
        "empty-file",
        "not-a-mapping",
        "duplicate-key",
        "no-children",
        "repeated-id",
        "two-ages",
    ],
)
def test_bad_input_exits_2_with_one_clear_message(tmp_path: Path, content: str, phrases: list[str]) -> None:
    path = tmp_path / "situation.yaml"
    path.write_text(content)
    result = run("assess", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Error" in result.stderr
    text = plain(result.stderr)
    for phrase in phrases:
        assert phrase in text, text
    assert result.stdout == ""


@pytest.mark.parametrize("key", ["yes", "no", "on", "off"])
def test_a_misplaced_yes_key_is_named_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """YAML 1.1 reads an unquoted `yes:` as True: the message must name `household.yes`, in a
    household and in a child, never `household.True` or `household.1`."""
    content = f"household:\n  {key}: 1\n  children:\n    - id: c1\n      age_months: 4\n      {key}: 1\n  carers: [{{id: m}}]\n"
    (tmp_path / "situation.yaml").write_text(content)
    monkeypatch.chdir(tmp_path)  # a short location, whatever the temp path's length
    result = run("assess", "situation.yaml")
    assert result.exit_code == 2, result.output
    text = plain(result.stderr)
    assert f"situation.yaml:2: unknown field 'household.{key}'" in text, text
    assert f"situation.yaml:6: unknown field 'household.children.0.{key}'" in text, text
    assert "True" not in text and "False" not in text and "household.1" not in text, text


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("assess", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "cannot read file" in plain(result.stderr)


def test_unknown_rulebook_exits_2() -> None:
    result = run("assess", str(BABY), "--rulebook", "nowhere")
    assert result.exit_code == 2
    assert "no rulebook called 'nowhere'" in plain(result.stderr)


def test_override_down_needs_second_person_and_is_flagged() -> None:
    example = EXAMPLES / "targeted-repeated-domestic-abuse-ex-partner.yaml"
    refused = run("assess", str(example), "--override-level", "early_help", "--reason", "Perpetrator now in prison")
    assert refused.exit_code == 2
    assert "second person" in plain(refused.stderr)
    allowed = run(
        "assess",
        str(example),
        "--override-level",
        "early_help",
        "--reason",
        "Perpetrator now in prison",
        "--second-person",
        "Team manager",
        "--format",
        "json",
    )
    assert allowed.exit_code == 0, allowed.output
    document = json.loads(allowed.stdout)
    # Computed Safeguarding: three incidents in 12 months meet the Marac criteria (examples/expected.yaml,
    # SL-DASH; BUCKS-THR Level 4); Targeted before the library.
    assert (document["computed_level"], document["level"], document["override"]["flagged"]) == (
        "safeguarding",
        "early_help",
        True,
    )
    rich_view = run(
        "assess", str(example), "--override-level", "early_help", "--reason", "Perpetrator now in prison", "--second-person", "TM"
    )
    assert "DOWNWARD OVERRIDE" in rich_view.output


def test_override_without_reason_exits_2() -> None:
    result = run("assess", str(BABY), "--override-level", "safeguarding")
    assert result.exit_code == 2
    assert "reason" in plain(result.stderr)


def test_red_flag_cannot_be_overridden_down() -> None:
    example = EXAMPLES / "red-flag-explained-bruise-non-mobile-baby.yaml"
    result = run("assess", str(example), "--override-level", "targeted", "--reason", "Seen by GP", "--second-person", "TM")
    assert result.exit_code == 2
    assert "red flag" in plain(result.stderr)


def test_rules_list_and_show() -> None:
    listed = run("rules", "list", "--level", "safeguarding")
    assert listed.exit_code == 0
    assert "red_flags.disclosure_of_abuse" in plain(listed.output)
    shown = run("rules", "show", "education.persistent_absence")
    assert shown.exit_code == 0
    for phrase in ("attendance_percent < 90", "source", "education.yaml:"):
        assert phrase in plain(shown.output)
    missing = run("rules", "show", "education.persistent_absense")
    assert missing.exit_code == 2
    assert "education.persistent_absence" in plain(missing.stderr)


def test_schema_is_json_schema_with_fact_definitions() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Situation"
    assert "Health" in schema["$defs"]


def test_schema_carries_value_definitions_and_directions() -> None:
    schema = json.loads(run("schema").stdout)
    assert "diagnosed_unstable: A condition that is unstable" in schema["$defs"]["MentalHealthAdult"]["description"]
    attendance = schema["$defs"]["Education"]["properties"]["attendance_percent"]
    assert attendance["direction"] == "lower_is_worse" and attendance["ask"].endswith("?")
