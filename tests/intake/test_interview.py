"""The `needs new` interview, run in process with scripted answers (the terminal is reached only
through `Prompts`): household first, red flags on one screen, then the engine's questions in
its order, until none could change a level. The pseudo-terminal test (test_new_in_a_terminal.py)
drives the real prompts end to end; these cover the flow's cases quickly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.cli.app import app
from needs_engine.formats.inputs import read_situation
from needs_engine.intake.answers import carer_ids, read_age
from needs_engine.intake.checklist import UNKNOWN_CELL, Grid, build_grid
from needs_engine.intake.interview import DONT_KNOW, SKIP, STOP, Interview, continue_document
from needs_engine.model.situation import Consent

from .referral import Referral, referral_from_scenario

ROOT = Path(__file__).resolve().parents[2]
KNOWSLEY = load_rulebook("knowsley")


class ScriptedPrompts:
    """Answers a referral's questions as a screener would: what is known, else "don't know"
    (or, with `dont_know=False`, skip). `stop_after` stops at that engine question."""

    def __init__(self, referral: Referral, *, dont_know: bool = True, stop_after: Optional[int] = None) -> None:
        self.referral = referral
        self.dont_know = dont_know
        self.stop_after = stop_after
        self.said: list[str] = []
        self.current: Optional[tuple[str, str]] = None
        self.ages = iter(referral.ages)
        self.roles = iter(referral.roles)
        self.questions: list[tuple[str, str]] = []
        self.grids: list[Grid] = []
        self.messages: list[str] = []
        self.initial: list[list[list[Optional[int]]]] = []
        """Each grid's cells as the interview showed them, before this screener answered."""

    def say(self, text: str) -> None:
        self.said.append(text)
        found = re.match(r"Question (\d+) · (\S+) · (\S+)\n", text)
        if found:
            who, fact = found.group(2), found.group(3)
            kind = fact.split(".")[0]
            subject = f"child:{who}" if kind == "child" else f"carer:{who}" if kind == "carer" else "household"
            self.current = (subject, fact)
            self.questions.append(self.current)

    def _unknown(self) -> Any:
        return DONT_KNOW if self.dont_know else SKIP

    def count(self, message: str, *, low: int, high: int, default: int) -> Any:
        return len(self.referral.ages) if message.startswith("How many children") else len(self.referral.roles)

    def text(self, message: str, *, help: str, read: Any) -> Any:
        if message.startswith("How old is"):
            return read(next(self.ages))
        if self.stop_after is not None and len(self.questions) > self.stop_after:
            return STOP
        assert self.current is not None
        value = self.referral.answer(*self.current)
        if value is None:
            return None if self.dont_know else SKIP  # `?` at a number is read as don't know
        return read(str(value))

    def choose(self, message: str, options: list[tuple[Any, str, str]], *, help: str = "") -> Any:
        self.messages.append(message)
        if "related to the children" in message:
            return next(self.roles)
        if "consented" in message:
            return self.referral.consent or self._unknown()
        if self.stop_after is not None and len(self.questions) > self.stop_after:
            return STOP
        assert self.current is not None
        value = self.referral.answer(*self.current)
        assert value is None or value in [option[0] for option in options], (self.current, value)
        return self._unknown() if value is None else value

    def checklist(self, grid: Grid) -> Optional[Grid]:
        self.grids.append(grid)
        self.initial.append([list(row) for row in grid.cells])
        for r, row in enumerate(grid.rows):
            for c, (subject, _heading) in enumerate(grid.columns):
                if grid.cells[r][c] is None:
                    continue
                value = self.referral.answer(subject, row.spec.dotted)
                values = [option for option, _label in row.options]
                grid.cells[r][c] = values.index(value) if value in values else UNKNOWN_CELL
        return grid


def interview(tmp_path: Path, referral: Referral, **options: Any) -> tuple[Interview, ScriptedPrompts]:
    prompts = ScriptedPrompts(referral, **options)
    session = Interview(tmp_path / "case.yaml", KNOWSLEY, prompts)
    session.run()
    return session, prompts


def levels(path: Path) -> tuple[str, dict[str, str]]:
    result = assess(read_situation(path), KNOWSLEY)
    return result.level.value, {child.child_id: child.level.value for child in result.children}


def scenarios_an_interview_can_reproduce() -> list[Path]:
    """Scenarios whose household the interview would name the same way (children c1..cN,
    carers m / f / a1...), with no strengths (an interview asks only what could raise a level,
    and a strength only lowers one) and an expectation under Knowsley."""
    chosen = []
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        from needs_engine.formats.yamlfile import read_file

        document = read_file(path)
        household = document["situation"]["household"]
        children = [child["id"] for child in household["children"]]
        carers = [carer["id"] for carer in household["carers"]]
        roles = [carer.get("role") for carer in household["carers"]]
        if (
            children == [f"c{n}" for n in range(1, len(children) + 1)]
            and carers == carer_ids(roles)
            and not household.get("strengths")
            and "knowsley" in document["expected"]
            and all(read_age(age) is not None or age == "?" for age in referral_from_scenario(path).ages)
        ):
            chosen.append(path)
    return chosen


REPRODUCIBLE = scenarios_an_interview_can_reproduce()


def test_enough_scenarios_are_reproducible_to_mean_something() -> None:
    assert len(REPRODUCIBLE) >= 8


@pytest.mark.parametrize("path", REPRODUCIBLE, ids=lambda p: p.stem)
def test_a_scripted_interview_writes_a_case_that_assesses_as_the_scenario_expects(tmp_path: Path, path: Path) -> None:
    referral = referral_from_scenario(path)
    session, prompts = interview(tmp_path, referral)
    expected = referral.expected["knowsley"]
    family, children = levels(session.path)
    assert family == expected["level"], f"{path.stem}: {expected['why']}"
    for child_id, level in expected.get("children", {}).items():
        assert children[child_id] == level
    # The interview ended on its own: no question it had not put could still change a level.
    result = session.assessment()
    assert all((q.subject, q.fact) in session.asked for q in result.questions)
    closing = "Every child's level is settled" if not result.questions else "No question left that has not been asked"
    assert prompts.said[-1].startswith(closing)


def test_questions_come_in_the_engines_order_and_each_only_once(tmp_path: Path) -> None:
    referral = referral_from_scenario(ROOT / "scenarios" / "targeted-school-age-domestic-abuse-and-parental-drinking.yaml")
    prompts = ScriptedPrompts(referral)
    session = Interview(tmp_path / "case.yaml", KNOWSLEY, prompts)
    assert session.household() and session.red_flags()
    first = next(q for q in session.assessment().questions if (q.subject, q.fact) not in session.asked)
    session.ranked_questions()
    assert prompts.questions[0] == (first.subject, first.fact)
    assert len(prompts.questions) == len(set(prompts.questions))
    # Red flags were asked on the grid, not again one by one.
    grid_facts = {(subject, row.spec.dotted) for grid in prompts.grids for row in grid.rows for subject, _h in grid.columns}
    assert not grid_facts & set(prompts.questions)


def test_dont_know_to_everything_writes_a_valid_file_of_unknowns(tmp_path: Path) -> None:
    nothing = Referral(ages=["?", "?"], roles=[DONT_KNOW], consent=None, known={}, expected={})
    session, prompts = interview(tmp_path, nothing)
    situation = read_situation(session.path)
    result = assess(situation, KNOWSLEY)
    assert result.level.value == "universal" and result.possible_level.value == "safeguarding"
    assert [child.id for child in situation.household.children] == ["c1", "c2"]
    text = session.path.read_text()
    assert text.count(": unknown") >= len(prompts.questions) + sum(len(g.rows) for g in prompts.grids)
    assert "consent: unknown" in text and "role: unknown" in text
    assert "answered don't know or skipped could still raise a level" in prompts.said[-1]


def test_skipping_writes_nothing_and_stopping_keeps_what_was_answered(tmp_path: Path) -> None:
    referral = referral_from_scenario(ROOT / "scenarios" / "targeted-school-age-domestic-abuse-and-parental-drinking.yaml")
    session, prompts = interview(tmp_path, referral, dont_know=False, stop_after=3)
    assert len(prompts.questions) == 4  # the fourth was answered "stop"
    assert prompts.said[-1].startswith("Stopped")
    text = session.path.read_text()
    for subject, fact in prompts.questions[:3]:
        leaf = fact.rsplit(".", 1)[1]
        known = referral.answer(subject, fact)
        assert (f"{leaf}:" in text) == (known is not None), fact


def test_continue_takes_up_a_saved_case_and_keeps_its_answers(tmp_path: Path) -> None:
    referral = referral_from_scenario(ROOT / "scenarios" / "targeted-school-age-domestic-abuse-and-parental-drinking.yaml")
    first, _ = interview(tmp_path, referral, stop_after=2)
    prompts = ScriptedPrompts(referral)
    again = Interview(first.path, KNOWSLEY, prompts, document=continue_document(first.path))
    again.run(continuing=True)
    # The red flags answered the first time are shown answered: the grid starts from the file.
    grid, shown = prompts.grids[0], prompts.initial[0]
    prefilled = 0
    for r, row in enumerate(grid.rows):
        for c, (subject, _heading) in enumerate(grid.columns):
            if shown[r][c] is None:
                continue
            known = referral.answer(subject, row.spec.dotted)
            values = [option for option, _label in row.options]
            assert shown[r][c] == (values.index(known) if known in values else UNKNOWN_CELL), (subject, row.spec.dotted)
            prefilled += known in values
    assert prefilled >= 3
    assert levels(first.path)[0] == referral.expected["knowsley"]["level"]
    assert read_situation(first.path).household.consent is Consent.given
    assert sum("consented" in message for message in prompts.messages) == 0  # the file had it


def test_continue_asks_for_consent_when_the_file_does_not_have_it(tmp_path: Path) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(CliRunner().invoke(app, ["template"], env={"COLUMNS": "100"}).stdout)
    referral = Referral(ages=[], roles=[], consent="refused", known={}, expected={})
    prompts = ScriptedPrompts(referral)
    Interview(path, KNOWSLEY, prompts, document=continue_document(path)).run(continuing=True)
    assert read_situation(path).household.consent is Consent.refused


def test_needs_new_without_a_terminal_says_so_and_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["new", str(tmp_path / "case.yaml")], env={"COLUMNS": "100"})
    assert result.exit_code == 2
    assert "needs a terminal" in result.output and "needs template" in result.output
    assert not (tmp_path / "case.yaml").exists()


def test_ages_are_read_in_every_form_a_front_door_uses() -> None:
    assert read_age("14") == ("age_years", 14)
    assert read_age("13-15") == ("age_years", "13-15")
    assert read_age("5 months") == ("age_months", 5)
    assert read_age("5m") == ("age_months", 5)
    assert read_age("unborn 20 weeks") == ("unborn_weeks", 20)
    assert read_age("20 weeks pregnant") == ("unborn_weeks", 20)
    assert read_age("Under 5") == ("age_band", "under_5")
    assert read_age("?") is None
    for bad in ("fourteen", "15-13", "30", "300 months"):
        with pytest.raises(ValueError):
            read_age(bad)


def test_carer_ids_follow_the_examples() -> None:
    assert carer_ids(["mother", "father"]) == ["m", "f"]
    assert carer_ids(["mother", "mother", None, "grandparent"]) == ["m", "m2", "a1", "a2"]


def test_the_red_flag_grid_moves_over_cells_that_cannot_apply_and_y_means_the_red_flag() -> None:
    grid = build_grid(KNOWSLEY, [{"id": "c1", "unborn_weeks": 20}, {"id": "c2", "age_years": 6}], {})
    subjects = [subject for subject, _heading in grid.columns]
    assert subjects == ["household", "child:c2"]  # nothing on the grid can describe an unborn baby
    assert grid.cursor == (0, 0) and grid.rows[0].spec.dotted == "household.immediate_danger"
    injury = next(r for r, row in enumerate(grid.rows) if row.spec.dotted == "child.harm.injury")
    assert grid.rows[injury].options[grid.rows[injury].yes][0] == "unexplained_or_suspicious"
    grid.no()  # immediate danger: no; the household column has nothing more, so on to c2's first cell
    assert grid.cursor == (1, 1)
    grid.cursor = (injury, 1)
    grid.cycle()
    grid.cycle()
    assert grid.cell_text(injury, 1) == "Explained minor"
    grid.cycle()
    grid.cycle()
    assert grid.cell_text(injury, 1) == "?"  # round to don't know
    grid.yes()
    answers = {(subject, spec.dotted): value for subject, spec, value in grid.answers()}
    assert answers[("household", "household.immediate_danger")] is False
    assert answers[("child:c2", "child.harm.injury")] == "unexplained_or_suspicious"
    assert list(answers.values()).count("unknown") == len(answers) - 2


def test_the_interview_says_settled_only_when_every_child_is(tmp_path: Path) -> None:
    """A red flag settles the family at Safeguarding, but not a sibling: the closing must not
    say every level is settled while the sibling could still rise."""
    flagged = Referral(
        ages=["6", "9"], roles=["mother"], consent="given", known={("child:c1", "child.harm.left_alone"): True}, expected={}
    )
    session, prompts = interview(tmp_path, flagged)
    result = session.assessment()
    assert result.level.value == "safeguarding" and result.possible_level == result.level
    assert any(child.possible_level > child.level for child in result.children)
    assert prompts.said[-1].startswith("No question left that has not been asked")
