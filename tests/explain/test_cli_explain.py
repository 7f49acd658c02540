"""`needs explain`, `needs what-if`, `needs train` and the HTML report, as their users run them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.cli.app import app

from .conftest import EXAMPLES, SCENARIOS, document, edited

BABY = EXAMPLES / "baby-domestic-abuse-mental-health.yaml"
TEENAGER = EXAMPLES / "mixed-levels-self-harming-teenager-and-toddler.yaml"
runner = CliRunner()


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=stdin)


def plain(text: str) -> str:
    for border in "│╭╮╰╯─":
        text = text.replace(border, " ")
    return " ".join(text.split())


def test_explain_says_why_in_words_and_what_would_change_it() -> None:
    result = run("explain", str(BABY), "--child", "c2")
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    for phrase in (
        "Targeted Early Help",
        "m (mother)'s mental health is 'diagnosed unstable'",
        "domestic abuse incidents in the last 12 months is 2 (at least 1)",
        "Escalation to Targeted Early Help",
        "What would lower it",
        "What would raise it",
        "would be Early Help instead of Targeted Early Help",
    ):
        assert phrase in text, phrase


def test_explain_json_and_markdown() -> None:
    data = json.loads(run("explain", str(BABY), "--format", "json").stdout)
    assert data["assessment"]["level"] == "safeguarding"
    assert {c["child_id"] for c in data["children"]} == {"c1", "c2"}
    markdown = run("explain", str(BABY), "--format", "markdown").stdout
    assert markdown.startswith("# Explanation: Safeguarding") and "### What would lower it" in markdown


def test_explain_unknown_child_is_one_clear_error() -> None:
    result = run("explain", str(BABY), "--child", "c9")
    assert result.exit_code == 2
    assert "no child with id 'c9'" in plain(result.output) and "c1, c2" in result.output


def test_what_if_before_and_after_match_two_independent_assessments() -> None:
    sets = ["carers.m.mental_health=diagnosed_stable", "home.domestic_abuse.incidents_12m=0"]
    result = run("what-if", str(BABY), *[a for s in sets for a in ("--set", s)], "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    doc = document(BABY.name)
    before = assess(doc, "knowsley")
    after = assess(
        edited(edited(doc, "carers.m.mental_health", "diagnosed_stable"), "home.domestic_abuse.incidents_12m", 0), "knowsley"
    )
    assert data["before_level"] == before.level.value and data["after_level"] == after.level.value
    assert {c["child_id"]: c["after"] for c in data["children"]} == {c.child_id: c.level.value for c in after.children}
    assert {c["child_id"]: c["before"] for c in data["children"]} == {c.child_id: c.level.value for c in before.children}
    baby = next(c for c in data["children"] if c["child_id"] == "c1")
    assert "escalation.parental_risks_baby" in baby["escalations_cleared"]
    # A baby's carer with unstable mental health fires the library's baby rung (CROY-PREBIRTH 5.2, LON-PREBIRTH 1.3).
    assert "family_functioning.carer_mental_health_unstable_baby" in baby["cleared"]


def test_what_if_terminal_view_and_unknown_values() -> None:
    result = run(
        "what-if",
        str(TEENAGER),
        "--set",
        "children.c1.emotional.self_harm=unknown",
        "--set",
        "strengths.supportive_wider_family=true",
    )
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    # The self-harm need is reported by its highest fired rung (lower rungs are folded into it).
    assert "Before and after" in text and "now unknown: emotional_behavioural.self_harmed_once" in text
    assert "cleared: emotional_behavioural.self_harm" not in text  # unknown is not resolved
    assert "lowered" in text
    data = json.loads(run("what-if", str(TEENAGER), "--set", "children.c1.emotional.self_harm=unknown", "-f", "json").stdout)
    teenager = next(c for c in data["children"] if c["child_id"] == "c1")
    assert "emotional_behavioural.self_harmed_once" in teenager["now_unknown"]
    assert not [rung for rung in teenager["cleared"] if rung.startswith("emotional_behavioural.self_harm")]


@pytest.mark.parametrize(
    ("setting", "phrases"),
    [
        ("children.c3.education.attendance_percent=84", ["no child with id 'c3'", "c1, c2"]),
        ("children.c1.education.attendence_percent=84", ["unknown fact", "children.c1.education.attendance_percent"]),
        ("carers.m.mental_health=diagnosed_unstabel", ["not a value of carers.m.mental_health", "diagnosed_unstable"]),
        ("home.domestic_abuse.incidents_12m=lots", ["not a value of home.domestic_abuse.incidents_12m", "whole number"]),
        ("children.c1.education.attendance_percent=140", ["out of range", "0 to 100"]),
        ("strengths.supportive_wider_family=maybe", ["true, false or unknown"]),
        ("immediate_danger", ["expected PATH=VALUE"]),
        ("children.c1.education.attendance_percent=nan", ["not a value of children.c1.education.attendance_percent", "0 to 100"]),
    ],
)
def test_bad_set_paths_and_values_exit_2_with_one_message(setting: str, phrases: list[str]) -> None:
    result = run("what-if", str(BABY), "--set", setting)
    assert result.exit_code == 2, result.output
    text = plain(result.output)
    assert text.count("Error") == 1 and "Traceback" not in text
    for phrase in phrases:
        assert phrase in text, (phrase, text)


def test_quiz_runs_end_to_end_from_an_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("1\nnot a level\nsafeguarding\nTargeted Early Help\nearly help\n")
    args = ("train", str(SCENARIOS), "--seed", "3", "--answers", str(answers))
    first, second = run(*args), run(*args)
    assert first.exit_code == 0, first.output
    assert first.output == second.output  # the seed fixes the order
    titles = re.findall(r"Scenario \d of 4: ([^│\n]+?)\s*─", first.output)
    assert len(titles) == 4
    assert "is not a level" in first.output and "Rationale:" in first.output
    assert re.search(r"Score: \d/4 \(\d+%\)", first.output)


def test_quiz_reads_piped_answers_and_stops_when_they_run_out() -> None:
    result = run("train", str(SCENARIOS), "--seed", "1", "--count", "3", stdin="2\n")
    assert result.exit_code == 0, result.output
    assert "Score: " in result.output and "stopped after 1 of 3" in result.output


def test_quiz_score_counts_matches() -> None:
    # Answer every scenario with the engine's own level: a perfect score.
    from needs_engine.scenarios.library import load_scenarios
    from needs_engine.workflows.training import quiz_order

    ordered = quiz_order(load_scenarios(SCENARIOS), seed=5, count=None)
    answers = "\n".join(str(assess(s.situation, "knowsley").level.rank + 1) for s in ordered) + "\n"
    result = run("train", str(SCENARIOS), "--seed", "5", stdin=answers)
    assert "Score: 4/4 (100%)" in result.output


def test_quiz_without_scenarios_folder_is_one_clear_error(tmp_path: Path) -> None:
    result = run("train", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and "not a folder of scenarios" in plain(result.output)


@pytest.mark.parametrize("command", ["assess", "explain"])
def test_html_is_self_contained_printable_and_labels_levels_in_words(command: str) -> None:
    result = run(command, str(BABY), "--format", "html")
    assert result.exit_code == 0, result.output
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert "@media print" in page
    for label in ("Safeguarding", "Targeted Early Help", "EXAMPLE-11", "sha256:"):
        assert label in page
    assert '<span class="level"' in page


def test_html_escapes_text(tmp_path: Path) -> None:
    doc = edited(document(BABY.name), "reference", "<b>R&D</b>")
    (tmp_path / "s.json").write_text(json.dumps(doc))
    page = run("explain", str(tmp_path / "s.json"), "--format", "html").stdout
    assert "<b>R&D</b>" not in page and "&lt;b&gt;R&amp;D&lt;/b&gt;" in page


def test_what_if_reports_questions_resolved_by_learning_an_unknown() -> None:
    from needs_engine.explain.addresses import Address
    from needs_engine.formats.inputs import read_situation
    from needs_engine.workflows.whatif import what_if

    household = read_situation(EXAMPLES / "unknown-heavy-school-concern-teenager.yaml").household
    asked = assess(household, "knowsley").questions[0]
    address = Address(asked.subject, asked.fact)
    spec = address.spec
    calm = list(spec.choices)[0] if spec.choices else (False if spec.kind == "flag" else spec.minimum)
    result = what_if(household, {address: calm}, load_rulebook("knowsley"))
    assert (asked.subject, asked.fact) in {(q.subject, q.fact) for q in result.questions_resolved}
    assert result.changes[0].learned


def test_explain_json_is_byte_identical_between_runs() -> None:
    assert run("explain", str(TEENAGER), "--format", "json").stdout == run("explain", str(TEENAGER), "--format", "json").stdout


def test_what_if_offers_only_rich_and_json() -> None:
    result = run("what-if", str(BABY), "--set", "immediate_danger=true", "--format", "html")
    assert result.exit_code == 2
