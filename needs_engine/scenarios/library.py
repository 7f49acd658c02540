"""Scenarios: fictional situations with the level each rulebook is expected to give, and why.

A scenario file is YAML a policy lead can read:

    title: Pregnant mother, toddler, housing and low mood
    story: >
      Plain words for a trainer or a quiz: what a screener was told.
    source: seeds/004 case study 1      # optional: where the case comes from
    situation:
      household: {...}                  # exactly what `needs assess` reads
    expected:
      knowsley:
        level: targeted                 # the family level
        children: {c1: targeted}        # optional: level per child id
        why: one line of rationale
        source: seeds/004, case study 'Pregnancy and a toddler'   # what the level rests on
      st-helens:
        level: targeted
        why: ...
        source: "LON-PREBIRTH, 1.1 and 1.3"

Every expectation cites a `source`: a seed section, a public document (the one the deciding
descriptor or escalation cites, by its source key and section), or "judgement: <the reason>"
where the level rests on a practitioner's call rather than a document.

Scenarios live in `scenarios/`; they run as tests, feed `needs scenarios`, the trainer's quiz and
`needs rules coverage`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, Problem
from ..formats.inputs import situation_from_document
from ..formats.validation import problems_from_validation
from ..formats.yamlfile import YAMLProblem, read_file
from ..model.levels import Level
from ..model.situation import Situation


class Expectation(BaseModel):
    """What one rulebook is expected to decide for a scenario."""

    model_config = ConfigDict(extra="forbid")

    level: Level = Field(description="The expected family level.")
    children: dict[str, Level] = Field(default_factory=dict, description="Expected level per child id (optional).")
    why: str = Field(min_length=3, description="One line of rationale a trainer can read out.")
    source: str = Field(
        min_length=3,
        description=(
            "What the expected level rests on: a seed section, a public document (by its source key and section, "
            "as the deciding descriptor or escalation cites it), or 'judgement: <the reason>'."
        ),
    )


class ScenarioFile(BaseModel):
    """The shape of a scenario file, before its situation is validated."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3)
    story: str = Field(min_length=3, description="The situation in plain words, as a screener heard it.")
    source: Optional[str] = Field(default=None, description="Where the case comes from, e.g. a seed case study.")
    situation: dict[str, Any]
    expected: dict[str, Expectation] = Field(min_length=1, description="Rulebook id → expected levels.")


class Scenario(BaseModel):
    """A loaded scenario: its name (the file stem), where it came from, and a validated situation."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    path: Path
    title: str
    story: str
    source: Optional[str]
    situation: Situation
    expected: dict[str, Expectation]


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file; every problem is reported with the file and field."""
    where = str(path)
    try:
        document = read_file(path)
    except YAMLProblem as exc:
        raise InputError([exc.problem]) from None
    if not isinstance(document, dict):
        raise InputError([Problem(where, "a scenario must be a mapping", expected="title, story, situation, expected")])
    try:
        shape = ScenarioFile.model_validate(document)
    except ValidationError as exc:
        raise InputError([_scenario_problem(p) for p in problems_from_validation(exc, document, where)]) from None
    situation = situation_from_document(document["situation"], where=f"{where}: situation")
    return Scenario(
        name=path.stem,
        path=path,
        title=shape.title,
        story=shape.story,
        source=shape.source,
        situation=situation,
        expected=shape.expected,
    )


def _scenario_problem(problem: Problem) -> Problem:
    """Name the scenario file's own keys (not a situation's) when an unknown key is found."""
    if problem.code != "extra_forbidden":
        return problem
    model = Expectation if "'expected." in problem.msg else ScenarioFile
    return replace(problem, expected="one of: " + ", ".join(model.model_fields))


DEFAULT_FOLDER = Path("scenarios")


def shipped_scenarios() -> Path:
    """The scenario library shipped with needs-engine (inside the installed package, or the checkout)."""
    from ..rulebook.load import content_roots

    return content_roots()[0] / "scenarios"


def scenario_paths(folder: Path = DEFAULT_FOLDER) -> list[Path]:
    """Scenario files in a folder, in name order (so runs and quizzes are reproducible).

    The default folder, `scenarios`, is the one in the working directory when there is one, else
    the shipped library: a trainer who installed needs-engine can run `needs train` anywhere.
    """
    if folder == DEFAULT_FOLDER and not folder.is_dir():
        folder = shipped_scenarios()
    if not folder.is_dir():
        raise InputError([Problem(str(folder), "not a folder of scenarios", expected="a folder of .yaml files")])
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


def load_scenarios(folder: Path = DEFAULT_FOLDER) -> list[Scenario]:
    """Load every scenario in a folder, collecting all problems before raising."""
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for path in scenario_paths(folder):
        try:
            scenarios.append(load_scenario(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return scenarios
