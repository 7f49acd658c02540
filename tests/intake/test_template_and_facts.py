"""`needs template` (a form with every fact unknown), the commented YAML writer, and the facts
list in words (`needs schema --format markdown`, kept as docs/facts.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.cli.app import app
from needs_engine.formats.inputs import read_situation_text, situation_from_document
from needs_engine.formats.yamlfile import parse_text, read_file
from needs_engine.intake.document import situation_yaml
from needs_engine.model.catalogue import all_facts
from needs_engine.model.levels import Level
from needs_engine.scenarios.library import scenario_paths

ROOT = Path(__file__).resolve().parents[2]
ENV = {"COLUMNS": "100", "NO_COLOR": "1"}


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=ENV)


def test_the_template_is_a_valid_situation_with_every_fact_unknown() -> None:
    result = run("template", "--children", "2", "--carers", "2")
    assert result.exit_code == 0, result.output
    situation = read_situation_text(result.stdout, where="template")
    household = situation.household
    assert [c.id for c in household.children] == ["c1", "c2"] and [c.id for c in household.carers] == ["a1", "a2"]
    document = read_file_text(result.stdout)
    for spec in all_facts():
        if spec.path == ("unborn",):
            continue
        owners = {
            "child": document["household"]["children"],
            "carer": document["household"]["carers"],
            "household": [document["household"]],
            "home": [document["household"]["home"]],
            "strengths": [document["household"]["strengths"]],
        }[spec.root]
        for owner in owners:
            value = owner
            for part in spec.path:
                value = value[part]
            assert value == "unknown", spec.dotted
    # Nothing is known, so nothing fires, and everything is still possible.
    for rulebook in ("knowsley", "st-helens"):
        result_of = assess(situation, load_rulebook(rulebook))
        assert result_of.level is Level.universal and result_of.possible_level is Level.safeguarding
        assert all(child.fired == [] for child in result_of.children)


def read_file_text(text: str) -> dict:  # type: ignore[type-arg]
    return parse_text(text, where="template")


def test_every_fact_in_the_template_carries_its_values_and_their_definitions_above_it() -> None:
    lines = run("template").stdout.splitlines()
    facts = [n for n, line in enumerate(lines) if re.match(r"^\s+(- )?\w+: unknown$", line)]
    assert len(facts) > 100
    for n in facts:
        key = lines[n].split(":")[0].strip().removeprefix("- ")
        notes = []
        for above in reversed(lines[:n]):
            if not above.strip().startswith("#") or above.strip().startswith("# ---"):
                break
            notes.append(above)
        assert notes, f"no comment above {key}"
        assert any("Allowed:" in note or "One of" in note for note in notes), key
    growth = lines.index("        growth: unknown")
    assert "#   faltering: Growth is faltering (crossing centiles downwards) without a medical explanation." in [
        line.strip() for line in lines[growth - 5 : growth]
    ]


def test_a_filled_in_template_is_assessed_as_filled_in() -> None:
    """A screener fills the form in an editor: replacing three unknowns makes the case."""
    text = run("template", "--children", "1", "--carers", "1").stdout
    text = text.replace("      age_months: unknown", "      age_months: 7", 1)
    text = text.replace("        left_alone: unknown", "        left_alone: true", 1)
    situation = read_situation_text(text, where="form")
    result = assess(situation, load_rulebook("knowsley"))
    assert result.level is Level.safeguarding
    assert "red_flags.left_alone" in result.children[0].red_flags


@pytest.mark.parametrize("bad", [["--children", "0"], ["--children", "21"], ["--carers", "13"]])
def test_the_template_refuses_a_household_the_model_cannot_hold(bad: list[str]) -> None:
    result = run("template", *bad)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


SITUATIONS = [p for p in sorted((ROOT / "examples").glob("*.yaml")) if p.name != "expected.yaml"]


@pytest.mark.parametrize("path", [*SITUATIONS, *scenario_paths(ROOT / "scenarios")], ids=lambda p: p.name)
def test_written_yaml_reads_back_as_the_same_situation(path: Path) -> None:
    document = read_file(path)
    document = document["situation"] if "situation" in document else document
    again = read_situation_text(situation_yaml(document), where="written")
    assert again.model_dump_json() == situation_from_document(document, where=str(path)).model_dump_json()


def test_each_written_value_says_what_it_means() -> None:
    document = {
        "household": {
            "reference": "FICTIONAL-7",
            "children": [{"id": "c1", "age_band": "16_17", "health": {"growth": "faltering"}, "harm": {"left_alone": "unknown"}}],
            "carers": [{"id": "m", "role": "mother", "name": 'Ann "Test" Example'}],
        }
    }
    lines = situation_yaml(document).splitlines()
    assert '  reference: "FICTIONAL-7"' in lines or "  reference: FICTIONAL-7" in lines
    assert '      age_band: "16_17"  # Sixteen or seventeen (192 to 215 months).' in lines  # quoted: YAML would read a number
    assert (
        "        growth: faltering  # Growth is faltering (crossing centiles downwards) without a medical explanation." in lines
    )
    assert any(line.startswith("        left_alone: unknown  # not known yet:") for line in lines)
    assert '      name: "Ann \\"Test\\" Example"' in lines
    assert read_situation_text("\n".join(lines), where="x").household.carers[0].name == 'Ann "Test" Example'


def test_the_facts_list_names_every_fact_and_every_value() -> None:
    result = run("schema", "--format", "markdown")
    assert result.exit_code == 0, result.output
    page = result.stdout
    for spec in all_facts():
        if spec.path == ("unborn",):
            continue
        assert (
            f"(`{'.'.join(spec.path if spec.root in ('child', 'carer', 'household') else (spec.root, *spec.path))}`)" in page
        ), spec.dotted
        for member in spec.choices or ():
            assert f"`{member.value}`" in page


def test_docs_facts_is_the_current_facts_list() -> None:
    """docs/facts.md is what `needs schema --format markdown` prints now: regenerate it with that command."""
    assert (ROOT / "docs" / "facts.md").read_text() == run("schema", "--format", "markdown").stdout


def test_markdown_goes_with_a_situation_not_an_assessment() -> None:
    result = run("schema", "--assessment", "--format", "markdown")
    assert result.exit_code == 2 and "markdown" in result.output
