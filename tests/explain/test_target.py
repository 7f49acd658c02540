"""Counterfactuals to a chosen level (`needs explain --target`, `counterfactuals_to`): every set
offered lands on the target when the situation is edited and assessed again from scratch, no
smaller part of it does, and the wording rules of the one-step search hold."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.cli.app import app
from needs_engine.errors import InputError
from needs_engine.explain.target import counterfactuals_to, target_level
from needs_engine.explain.why import explain
from needs_engine.formats.yamlfile import read_file
from needs_engine.model.levels import LEVELS, Level

from .conftest import EXAMPLES, document, edited

runner = CliRunner()
EXPECTED: dict[str, Any] = read_file(EXAMPLES / "expected.yaml")
UNIVERSAL = sorted(name for name, expected in EXPECTED.items() if expected["level"] == "universal")
SPREAD = [
    "universal-two-parents-school-age.yaml",
    "baby-domestic-abuse-mental-health.yaml",
    "red-flag-explained-bruise-non-mobile-baby.yaml",
    "targeted-multiple-needs-housing-debt-absence.yaml",
    "unknown-heavy-school-concern-teenager.yaml",
]


def _level_after(doc: dict[str, Any], changes: list[dict[str, Any]], child_id: str, rulebook: str) -> Level:
    for change in changes:
        doc = edited(doc, change["path"], change["after"])
    return next(c for c in assess(doc, rulebook).children if c.child_id == child_id).level


def plain(text: str) -> str:
    for border in "│╭╮╰╯─":
        text = text.replace(border, " ")
    return " ".join(text.split())


@pytest.mark.parametrize("rulebook", ["knowsley", "st-helens"])
@pytest.mark.parametrize("name", SPREAD)
def test_every_set_lands_on_the_target_and_no_smaller_part_of_it_does(name: str, rulebook: str) -> None:
    doc = document(name)
    offered = 0
    for target in LEVELS:
        for search in counterfactuals_to(doc, target, rulebook):
            data = search.model_dump(mode="json")
            if search.from_level == target:
                assert search.direction is None and not search.found and "already" in (search.note or "")
                continue
            assert search.direction == ("up" if target > search.from_level else "down")
            for item in data["found"]:
                assert len(item["changes"]) == search.changes_needed
                assert item["to_level"] == target.value
                assert _level_after(doc, item["changes"], search.child_id, rulebook) is target, item["sentence"]
                for size in range(1, len(item["changes"])):
                    for part in itertools.combinations(item["changes"], size):
                        assert _level_after(doc, list(part), search.child_id, rulebook) is not target, (item["sentence"], part)
                offered += 1
            if not search.found:
                assert "No set of up to" in (search.note or "")
    assert offered > 0


def test_a_red_flag_is_never_said_to_be_lowered_by_anything_else() -> None:
    doc = document("red-flag-explained-bruise-non-mobile-baby.yaml")
    baby = next(c for c in assess(doc, "knowsley").children if any(d.red_flag for d in c.fired))
    for target in (Level.universal, Level.early_help, Level.targeted):
        (search,) = counterfactuals_to(doc, target, "knowsley", child=baby.child_id)
        assert "no strength or mitigation can lower it" in (search.note or "")
        red_flag_facts = {f.fact for d in baby.fired if d.red_flag for f in d.facts}
        assert all(change.fact in red_flag_facts for item in search.found for change in item.changes)


def test_unknown_facts_are_learned_not_changed() -> None:
    learned = []
    for name in ("unknown-heavy-school-concern-teenager.yaml", "unknown-heavy-anonymous-neighbour-call.yaml"):
        for search in counterfactuals_to(document(name), "safeguarding", "knowsley"):
            learned += [(item, c) for item in search.found for c in item.changes if c.learned]
    assert learned, "expected a set that finds out an unknown fact"
    assert all(c.before is None and c.words.startswith("we learned that") for _, c in learned)
    assert all("we learned that" in item.sentence for item, _ in learned)


def test_the_same_question_gives_the_same_answer() -> None:
    doc = document("baby-domestic-abuse-mental-health.yaml")
    first = [s.model_dump(mode="json") for s in counterfactuals_to(doc, "universal", "knowsley")]
    again = [s.model_dump(mode="json") for s in counterfactuals_to(doc, "universal", "knowsley")]
    assert first == again


def test_the_search_stays_within_its_budget() -> None:
    doc = document("teenager-criminal-exploitation-county-lines.yaml")
    for search in counterfactuals_to(doc, "universal", "knowsley", budget=40):
        assert search.combinations_tried <= 40
        if search.stopped_at_limit and not search.found:
            assert "size limit" in (search.note or "")


@pytest.mark.parametrize("rulebook", ["knowsley", "st-helens"])
def test_a_level_is_named_by_its_id_label_or_number(rulebook: str) -> None:
    book = load_rulebook(rulebook)
    for level in LEVELS:
        label = book.levels[level].label
        for word in (level.value, level.value.upper(), label, label.lower(), str(level.rank + 1), f"Level {level.rank + 1}"):
            assert target_level(word, book) is level, word


@pytest.mark.parametrize("rulebook", ["knowsley", "st-helens"])
def test_an_unknown_level_names_the_rulebooks_own_levels(rulebook: str) -> None:
    book = load_rulebook(rulebook)
    with pytest.raises(InputError) as raised:
        target_level("level five", book)
    (problem,) = raised.value.problems
    assert problem.loc == "--target" and rulebook in problem.msg
    assert problem.expected is not None
    for level in LEVELS:
        assert f"{level.value} ({book.levels[level].label})" in problem.expected


# --- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("name", UNIVERSAL)
def test_explain_target_safeguarding_finds_a_counterfactual_for_a_universal_example(name: str) -> None:
    result = runner.invoke(app, ["explain", str(EXAMPLES / name), "--target", "safeguarding", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    doc = document(name)
    assert data["assessment"]["level"] == "universal"
    for child in data["children"]:
        search = child["target"]
        assert search["target"] == "safeguarding" and search["direction"] == "up" and search["found"], child["child_id"]
        first = search["found"][0]
        assert _level_after(doc, first["changes"], child["child_id"], "knowsley") is Level.safeguarding
        assert "would be Safeguarding instead of Universal" in first["sentence"]


def test_explain_target_in_words_heads_its_own_section() -> None:
    result = runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "--target", "safeguarding"])
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    assert "What would make it Safeguarding" in text and "would be Safeguarding instead of Universal" in text
    markdown = runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "--target", "safeguarding", "-f", "markdown"])
    assert "### What would make it Safeguarding" in markdown.stdout
    page = runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "--target", "safeguarding", "-f", "html"])
    assert "What would make this Safeguarding" in page.stdout


def test_explain_target_equal_to_the_level_says_so() -> None:
    result = runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "--target", "universal"])
    assert result.exit_code == 0, result.output
    assert "is already Universal: no change is needed" in plain(result.output)
    data = json.loads(runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "--target", "universal", "-f", "json"]).stdout)
    assert all(c["target"]["direction"] is None and c["target"]["found"] == [] for c in data["children"])


def test_explain_without_target_has_a_null_target() -> None:
    data = json.loads(runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "-f", "json"]).stdout)
    assert all(c["target"] is None for c in data["children"])


@pytest.mark.parametrize("rulebook", ["knowsley", "st-helens"])
def test_explain_unknown_target_is_exit_2_naming_the_rulebooks_levels(rulebook: str) -> None:
    result = runner.invoke(app, ["explain", str(EXAMPLES / UNIVERSAL[0]), "--target", "critical", "--rulebook", rulebook])
    assert result.exit_code == 2
    text = plain(result.output)
    assert "Traceback" not in text and "no level called 'critical'" in text
    book = load_rulebook(rulebook)
    for level in LEVELS:
        assert level.value in text and " ".join(book.levels[level].label.split()) in text


def test_explain_target_matches_the_library() -> None:
    doc = document("baby-domestic-abuse-mental-health.yaml")
    via_explain = {c.child_id: c.target for c in explain(doc, "knowsley", target="universal").children}
    direct = {s.child_id: s for s in counterfactuals_to(doc, Level.universal, "knowsley")}
    assert via_explain == direct
