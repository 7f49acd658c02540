"""`needs new` end to end in a pseudo-terminal: the real prompts (questionary, and the
prompt_toolkit red-flag grid), typed at as a screener types, key by key.

A scripted session answers a fictional referral (a scenario's situation) and the file it writes
must assess to the levels the scenario expects; a session answering "don't know" throughout
must write a valid file. The driver reads which fact each question is about from the line the
interview prints before it ("Question 3 · c1 · child.health.growth"), so it follows the
engine's order whatever that order is.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from needs_engine import assess, load_rulebook
from needs_engine.formats.inputs import read_situation
from needs_engine.intake.answers import fact_spec, read_age
from needs_engine.intake.checklist import build_grid
from needs_engine.model.situation import CarerRole, Consent

from .referral import Referral, referral_from_scenario

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the interview in a pseudo-terminal")

ROOT = Path(__file__).resolve().parents[2]
KNOWSLEY = load_rulebook("knowsley")
DOWN, ENTER, TAB = "\x1b[B", "\r", "\t"
QUESTION = r"Question \d+ · (\S+) · (\S+)"
SAVED = r"Saved (\S+)\. Next: needs assess"


def spawn(path: Path) -> Any:
    # PROMPT_TOOLKIT_NO_CPR: a pseudo-terminal does not answer "where is the cursor?"; without it
    # prompt_toolkit waits for each answer before drawing.
    env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "needs_engine", "new", str(path)],
        env=env,
        dimensions=(40, 100),
        encoding="utf-8",
        timeout=60,
        cwd=str(path.parent),
    )


def pick(index: int) -> str:
    """Keys to choose the option at `index` of a questionary list."""
    return DOWN * index + ENTER


def grid_keys(referral: Referral, children: list[dict[str, Any]]) -> str:
    """Keys answering the red-flag grid cell by cell, in its order: n / y, a value by cycling
    (space, then tab to move on), or ? for don't know; then Enter."""
    grid = build_grid(KNOWSLEY, children, {})
    keys = []
    for r, row in enumerate(grid.rows):
        for c, (subject, _heading) in enumerate(grid.columns):
            if grid.cells[r][c] is None:
                continue
            values = [option for option, _label in row.options]
            known = referral.answer(subject, row.spec.dotted)
            if known not in values:
                keys.append("?")
            elif values.index(known) == 0:
                keys.append("n")
            elif values.index(known) == row.yes:
                keys.append("y")
            else:
                keys.append(" " * (values.index(known) + 1) + TAB)
    return "".join(keys) + ENTER


def answer_keys(referral: Referral, subject: str, fact: str) -> str:
    spec = fact_spec(fact)
    known = referral.answer(subject, fact)
    if spec.kind == "number":
        return ("?" if known is None else str(known)) + ENTER
    values = [True, False] if spec.kind == "flag" else [member.value for member in spec.choices or ()]
    return pick(len(values) if known is None else values.index(known))  # "Don't know" follows the values


def run_session(tmp_path: Path, referral: Referral) -> tuple[Path, list[tuple[str, str]]]:
    """Drive one interview to its end; returns the file and the questions put, in order.

    The household's questions come in a fixed order and are answered in turn (each prompt is
    redrawn as it is typed at, so each is waited for once); then the grid; then the engine's
    questions, each announced by its own numbered line, until the file is saved."""
    path = tmp_path / "case.yaml"
    child = spawn(path)
    children: list[dict[str, Any]] = []
    asked: list[tuple[str, str]] = []
    try:
        child.expect(r"How many children are in the household")
        child.send(f"{len(referral.ages)}{ENTER}")
        for number, typed in enumerate(referral.ages, start=1):
            child.expect(rf"How old is c{number}\?")
            answer = read_age(typed)
            children.append({"id": f"c{number}", **({answer[0]: answer[1]} if answer else {})})
            child.send(typed + ENTER)
        child.expect(r"How many adults care for the children\?")
        child.send(f"{len(referral.roles)}{ENTER}")
        for number, role in enumerate(referral.roles, start=1):
            child.expect(rf"Carer {number}: how are they related to the children\?")
            child.send(pick([member.value for member in CarerRole].index(role)))
        child.expect(r"Has the family consented")
        values = [member.value for member in Consent]
        child.send(pick(values.index(referral.consent) if referral.consent in values else len(values)))
        child.expect(r"Red flags, for every child at once")
        child.send(grid_keys(referral, children))
        while child.expect([QUESTION, SAVED]) == 0:
            who, fact = child.match.group(1), child.match.group(2)
            subject = {"child": f"child:{who}", "carer": f"carer:{who}"}.get(fact.split(".")[0], "household")
            asked.append((subject, fact))
            child.send(answer_keys(referral, subject, fact))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    return path, asked


def test_a_scripted_interview_in_a_terminal_writes_the_case_the_referral_describes(tmp_path: Path) -> None:
    referral = referral_from_scenario(ROOT / "scenarios" / "targeted-school-age-domestic-abuse-and-parental-drinking.yaml")
    path, asked = run_session(tmp_path, referral)
    result = assess(read_situation(path), KNOWSLEY)
    expected = referral.expected["knowsley"]
    assert result.level.value == expected["level"], expected["why"]
    assert {c.child_id: c.level.value for c in result.children} == expected["children"]
    assert asked and len(asked) == len(set(asked))
    # Every known fact the interview asked about is in the file, each value with its meaning beside it.
    text = path.read_text()
    for subject, fact in asked:
        known = referral.answer(subject, fact)
        if known is not None and not isinstance(known, (bool, int, float)):
            assert re.search(rf"\b{fact.rsplit('.', 1)[1]}: {known}  # \S", text), fact


def test_dont_know_to_everything_in_a_terminal_writes_a_valid_file(tmp_path: Path) -> None:
    nothing = Referral(ages=["?"], roles=["other"], consent=None, known={}, expected={})
    path, asked = run_session(tmp_path, nothing)
    situation = read_situation(path)  # valid: read as `needs assess` reads it
    result = assess(situation, KNOWSLEY)
    assert result.level.value == "universal" and result.possible_level.value == "safeguarding"
    assert len(asked) >= 20
    text = path.read_text()
    for _subject, fact in asked:
        assert re.search(rf"\b{fact.rsplit('.', 1)[1]}: unknown  # not known yet", text), fact
    assert "consent: unknown" in text
