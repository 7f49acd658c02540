"""Issue 14, section 3: `needs assess` fits one screen by default; `--full` still shows everything.

Every shipped example and every scenario's situation, under both shipped rulebooks, printed at
100 columns (COLUMNS set explicitly, so the terminal the tests run in does not matter): at most
40 lines, and still the family level, what to do now, each child's level, the checks, every
recorded concern that was not assessed and the questions that matter most. What each view must
show is read from the assessment itself (the library's `assess`), not from the view.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from needs_engine import assess, shipped_rulebooks
from needs_engine.cli.app import app
from needs_engine.model.assessment import Assessment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "expected.yaml")
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
WIDTH = 100
SCREEN = 40
runner = CliRunner()


def _situation(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document["situation"] if path.parent.name == "scenarios" else document


CASES = [pytest.param(p, id=f"examples/{p.stem}") for p in EXAMPLES] + [
    pytest.param(p, id=f"scenarios/{p.stem}") for p in SCENARIOS
]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Each case as a situation file `needs assess` can read (a scenario holds its situation under `situation:`)."""
    folder = tmp_path_factory.mktemp("situations")
    files = {}
    for path in EXAMPLES + SCENARIOS:
        target = folder / f"{path.parent.name}-{path.name}"
        target.write_text(yaml.safe_dump(_situation(path)), encoding="utf-8")
        files[path] = target
    return files


def _shown(path: Path, rulebook: str, *extra: str) -> str:
    result = runner.invoke(app, ["assess", str(path), "-r", rulebook, *extra], env={"COLUMNS": str(WIDTH)})
    assert result.exit_code == 0, result.output
    return result.stdout


def _plain(text: str) -> str:
    """The view's words without line wrapping, rules or panel borders, for phrase checks."""
    for border in "│╭╮╰╯─┃┏┓┗┛━┡┩╇┳┻└┘┌┐┬┴├┤┼":
        text = text.replace(border, " ")
    return " ".join(text.split())


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("case", CASES)
def test_the_default_view_fits_one_screen_and_keeps_what_a_screener_needs(
    case: Path, rulebook: str, written: dict[Path, Path]
) -> None:
    out = _shown(written[case], rulebook)
    lines = out.splitlines()
    assert len(lines) <= SCREEN, f"{len(lines)} lines at {WIDTH} columns:\n{out}"
    assert max(len(line) for line in lines) <= WIDTH
    assessment = assess(_situation(case), rulebook)
    text = _plain(out)
    assert f"Family level: {assessment.label}" in text
    assert f"What to do now: {assessment.response.summary}" in text
    assert _plain(assessment.consent.guidance) in text
    for child in assessment.children:
        assert f"{child.child_id}, {child.age}: {child.label.split(' (')[0]}" in text
        for item in child.unassessed:
            assert f"{item.fact} = " in text and f"({item.subject})" in text
    for check in assessment.checks:
        assert check.message in text
    assert "could be as high as" not in text.lower()
    _questions_shown(assessment, text)


def _questions_shown(assessment: Assessment, text: str) -> None:
    """The red-flag screens as one checklist, then the five most consequential other questions, in order."""
    if not assessment.questions:
        assert "No unknown fact could raise the level." in text
        return
    screens = [q for q in assessment.questions if q.group == "red_flags"]
    assert ("rule out the red flags (yes / no / don't know)" in text) == bool(screens)
    # The other questions as rows to ask: a child's fact asked of several children is one row.
    rows: list[tuple[str, str]] = []
    for question in assessment.questions:
        row = (question.fact, "child" if question.subject.startswith("child:") else question.subject)
        if question.group is None and row not in rows:
            rows.append(row)
    asks = {q.fact: q.ask for q in assessment.questions}
    for screen in screens:
        # A screen is an item of the checklist, never a numbered question of its own.
        if screen.fact not in {fact for fact, _ in rows}:
            assert not re.search(rf"\b\d\. [^:]+: {re.escape(screen.ask)}", text), screen.ask
    at = -1
    for number, (fact, _) in enumerate(rows[:5], 1):
        found = re.compile(rf"\b{number}\. [^:]+: {re.escape(asks[fact])}").search(text, at + 1)
        assert found, (number, asks[fact], text)
        at = found.start()
    assert not re.search(r"\b6\. ", text)
    if len(rows) > 5:
        assert f"and {len(rows) - 5} more question" in text


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("case", CASES)
def test_the_could_rise_line_says_how_many_facts_and_the_most_consequential(
    case: Path, rulebook: str, written: dict[Path, Path]
) -> None:
    assessment = assess(_situation(case), rulebook)
    text = _plain(_shown(written[case], rulebook))
    raising = [q for q in assessment.questions if q.could_raise_to > assessment.computed_level]
    if assessment.possible_level <= assessment.computed_level:
        assert "Could rise to" not in text
        return
    noun = "unknown fact" if len(raising) == 1 else "unknown facts"
    line = text[text.index("Could rise to") : text.index("What to do now")]
    assert f"{assessment.possible_label.split(' (')[0]} {len(raising)} {noun} could raise the family level" in line
    others = [q for q in raising if q.group is None]
    if others:
        assert others[0].ask in line
    screens = len(raising) - len(others)
    if screens and others:
        assert f"{screens} of them red-flag screens" in line


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("case", CASES)
def test_full_still_shows_every_reason_and_its_facts(case: Path, rulebook: str, written: dict[Path, Path]) -> None:
    assessment = assess(_situation(case), rulebook)
    text = _plain(_shown(written[case], rulebook, "--full"))
    for child in assessment.children:
        for fired in child.fired:
            assert f"[{fired.id}]" in text
            for rung in fired.also_meets:
                assert f"[{rung.id}]" in text
        for escalation in child.escalations:
            assert _plain(escalation.text) in text
    assert "could be as high as" not in text.lower()


def _shared_reasons(assessment: Assessment) -> list[str]:
    """Texts of descriptors that fired for every child on home and carer facts alone."""
    per_child = [{d.id: d for d in child.fired} for child in assessment.children]
    common = set.intersection(*(set(fired) for fired in per_child))
    texts = []
    for descriptor_id in sorted(common):
        descriptor = per_child[0][descriptor_id]
        if not any(fact.subject.startswith("child:") for fact in descriptor.facts):
            texts.append(_plain(descriptor.text))
    return texts


def test_home_and_carer_reasons_that_apply_to_every_child_are_shown_once(written: dict[Path, Path]) -> None:
    """The family's history of domestic abuse fires for both children: --full shows it under each
    child, the default view once, under "Every child". (The carer's unstable mental health, used
    here before the library, now fires a baby's own descriptor for the baby, so it is no longer one
    reason shared by both children.)"""
    case = ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml"
    assessment = assess(_situation(case), "knowsley")
    shared = _shared_reasons(assessment)
    carer = next(t for t in shared if "There has been domestic abuse in the family in the past" in t)
    full = _plain(_shown(written[case], "knowsley", "--full"))
    short = _plain(_shown(written[case], "knowsley"))
    assert full.count(carer) == len(assessment.children) == 2
    assert short.count(carer) == 1
    assert short.index("Every child (from the home and carers)") < short.index(carer) < short.index("c1, 3 months:")


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("case", [c for c in CASES if len(_situation(c.values[0])["household"]["children"]) > 1])
def test_no_shared_reason_is_repeated_per_child(case: Path, rulebook: str, written: dict[Path, Path]) -> None:
    assessment = assess(_situation(case), rulebook)
    text = _plain(_shown(written[case], rulebook))
    for shared in _shared_reasons(assessment):
        assert text.count(shared) <= 1, shared


def test_a_child_s_top_reason_is_the_one_that_sets_the_level(written: dict[Path, Path]) -> None:
    """The baby is at Safeguarding: the first reason in the baby's block is one at Safeguarding,
    before any lower need. (Before the library the baby reached Safeguarding only by an escalation;
    now the carer's unstable mental health and domestic abuse with a baby under one are
    Safeguarding descriptors of their own, as the London and Croydon pre-birth procedures treat
    them, so a descriptor or an escalation at that level may lead.)"""
    case = ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml"
    assessment = assess(_situation(case), "knowsley")
    baby = next(child for child in assessment.children if child.child_id == "c1")
    at_level = [_plain(e.text) for e in baby.escalations if e.to == baby.level]
    at_level += [_plain(d.text) for d in baby.fired if d.level == baby.level]
    below = [_plain(d.text) for d in baby.fired if d.level < baby.level]
    assert at_level and below
    text = _plain(_shown(written[case], "knowsley"))
    block = text[text.index("c1, 3 months:") : text.index("c2, 6 years")]
    shown_at_level = [block.index(t) for t in at_level if t in block]
    shown_below = [block.index(t) for t in below if t in block]
    assert shown_at_level and all(min(shown_at_level) < b for b in shown_below)


def test_only_the_highest_rung_of_a_need_is_a_reason(written: dict[Path, Path]) -> None:
    """Needs, not rungs (Semantics 12): a lower rung folded into a fired need is never shown as a reason of its own."""
    case = ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml"
    assessment = assess(_situation(case), "knowsley")
    tops = {_plain(d.text) for child in assessment.children for d in child.fired}
    lower = {_plain(r.text) for child in assessment.children for d in child.fired for r in d.also_meets} - tops
    assert lower  # the example has folded rungs (the carer's mental health has three)
    text = _plain(_shown(written[case], "knowsley"))
    full = _plain(_shown(written[case], "knowsley", "--full"))
    for rung in lower:
        assert rung not in text
        assert rung in full
