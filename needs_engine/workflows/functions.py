"""The library's functions beyond `assess`: what-if, compare and review, typed like `assess`.

Each takes a situation as a `Situation`, a `Household` or a plain mapping (validated, every
problem an `InputError`), and a rulebook as a loaded `Rulebook` or a shipped id or path, and
returns the same frozen pydantic model that `needs <command> --format json` prints and the HTTP
service returns. `explain` (in `explain/why.py`) already has this shape and is exported as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Optional, Union

from ..engine.assess import household_of
from ..errors import InputError
from ..model.situation import Household, Situation
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook
from .compare import Comparison
from .compare import compare as compare_rulebooks
from .review import Review
from .review import review as review_dates
from .whatif import WhatIf, parse_changes
from .whatif import what_if as what_if_household

SituationLike = Union[Situation, Household, Mapping[str, Any]]
"""A situation as every function here takes it: validated, or a mapping to validate."""
RulebookLike = Union[Rulebook, str]
"""A loaded rulebook, or a shipped rulebook id or a path to load (cached)."""
ChangeValue = Union[str, int, float, bool, None]
"""A fact's new value: a value as a situation file writes it; None (or 'unknown') makes it unknown."""


def what_if(
    situation: SituationLike,
    changes: Mapping[str, ChangeValue],
    rulebook: RulebookLike = "knowsley",
    *,
    child: Optional[str] = None,
) -> WhatIf:
    """Assess the situation as it is and with `changes`, and say what moved.

    `changes` maps a fact's path, as `needs what-if --set` writes it, to its new value::

        what_if(situation, {"children.c1.education.attendance_percent": 97, "carers.m.mental_health": "unknown"})

    A bad path or value raises InputError naming `changes.<path>`.
    """
    household = _household(situation)
    book = _rulebook(rulebook)
    items = [f"{path}={_as_text(value)}" for path, value in changes.items()]
    try:
        parsed = parse_changes(items, household)
        return what_if_household(household, parsed, book, child=child)
    except InputError as error:
        raise _named_as_changes(error) from None


def compare(situation: SituationLike, rulebooks: Sequence[RulebookLike] = ()) -> Comparison:
    """Place the situation under each rulebook (every shipped one if none given), side by side,
    with the descriptors and rules that differ for each child, even where the levels agree."""
    household = _household(situation)
    comparison, _ = compare_rulebooks(Situation(household=household), rulebooks)
    return comparison


def review(before: SituationLike, after: SituationLike, rulebook: RulebookLike = "knowsley") -> Review:
    """One family at two dates under one rulebook: each child steps up, steps down or stays, and why."""
    return review_dates(Situation(household=_household(before)), Situation(household=_household(after)), _rulebook(rulebook))


def _household(situation: SituationLike) -> Household:
    if isinstance(situation, (Situation, Household)):
        return household_of(situation)
    return household_of(dict(situation))


def _rulebook(rulebook: RulebookLike) -> Rulebook:
    return rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)


def _as_text(value: ChangeValue) -> str:
    """A value as `--set PATH=VALUE` writes it (the one parser checks it against the fact)."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)


def _named_as_changes(error: InputError) -> InputError:
    """The CLI names a change `--set PATH=VALUE`; a caller of this function wrote `changes[PATH]`."""
    problems = [replace(problem, loc=_change_loc(problem.loc)) for problem in error.problems]
    return InputError(problems, source=error.source)


def _change_loc(loc: str) -> str:
    if loc == "--set":
        return "changes"
    if loc.startswith("--set "):
        return "changes." + loc.removeprefix("--set ").split("=", 1)[0].strip()
    return loc


__all__ = ["ChangeValue", "RulebookLike", "SituationLike", "compare", "review", "what_if"]
