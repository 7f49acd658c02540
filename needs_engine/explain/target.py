"""Counterfactuals to a chosen level: "what would make this Safeguarding?", up or down, any distance.

The one-step searches (`counterfactual.search`) answer "what would lower it / raise it"; a trainer
asks for a particular level instead, often two or three steps away. This runs the same bounded,
deterministic search (smallest sets first, known facts before unknown ones, then by subject and
fact) but keeps only the sets that land on the target itself, so a red flag that jumps a
Universal child to Safeguarding answers "what would make this Safeguarding?" and not "... Early
Help?". The wording rules are the one-step search's: an unknown fact is "learned", and a red flag
is said to force Safeguarding whatever strengths a family has.

Levels are named as the rulebook names them (its ids, labels, names or 1-4), because labels
differ between rulebooks (Knowsley's "Targeted Early Help" is St Helens' "Level 3").
"""

from __future__ import annotations

from typing import Any, Optional, Union

from ..engine.assess import evaluate_household, household_of
from ..engine.evaluate import ChildResult
from ..errors import InputError, Problem
from ..model.levels import LEVELS, Level
from ..model.situation import Household, Situation
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook
from .counterfactual import BUDGET, LISTED, MAX_CHANGES, Direction, red_flag_note, smallest_changes
from .results import TargetSearch
from .words import subject_name


def allowed_levels(book: Rulebook) -> str:
    """The levels of `book` as a message lists them: "universal (Universal), early_help (Early Help), ..."."""
    return ", ".join(f"{level.value} ({book.levels[level].label})" for level in LEVELS if level in book.levels)


def target_level(text: str, book: Rulebook, *, field: str = "--target") -> Level:
    """The level `text` names in `book` (an id, label, name or 1-4, any case), or one InputError listing them."""
    from .words import answer_words

    cleaned = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    words = {word.replace("_", " "): level for word, level in answer_words(book).items()}
    # "Level 3" names the third level in every rulebook (St Helens' labels read so).
    level = words.get(cleaned) or words.get(cleaned.removeprefix("level "))
    if level is None or level not in book.levels:
        raise InputError(
            [
                Problem(
                    field,
                    f"no level called '{text[:40]}' in the {book.id} rulebook",
                    code="unknown_level",
                    expected=allowed_levels(book),
                )
            ]
        )
    return level


def search_to(
    result: ChildResult,
    household: Household,
    book: Rulebook,
    target: Level,
    *,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
    listed: int = LISTED,
) -> TargetSearch:
    """The smallest sets of fact changes that bring one child (`result`) to `target` exactly."""
    level = result.known.level
    common: dict[str, Any] = dict(
        child_id=result.child.id,
        target=target,
        target_label=book.levels[target].label,
        from_level=level,
        from_label=book.levels[level].label,
        max_changes=max_changes,
    )
    if target == level:
        who = subject_name(f"child:{result.child.id}", household)
        return TargetSearch(
            **common,
            direction=None,
            found=[],
            changes_needed=None,
            combinations_tried=0,
            stopped_at_limit=False,
            note=f"{who} is already {book.levels[level].label}: no change is needed.",
        )
    direction: Direction = "up" if target > level else "down"
    found = smallest_changes(
        result, household, book, direction, target, exact=True, max_changes=max_changes, budget=budget, listed=listed
    )
    parts = [red_flag_note(result)] if direction == "down" else []
    if found.size is None:
        limit = " (the search stopped at its size limit)" if found.stopped else ""
        changes = "change" if max_changes == 1 else "changes"
        parts.append(f"No set of up to {max_changes} {changes} brings it to {book.levels[target].label}{limit}.")
    return TargetSearch(
        **common,
        direction=direction,
        found=found.sets,
        more=found.more,
        changes_needed=found.size,
        combinations_tried=found.tried,
        stopped_at_limit=found.stopped,
        note=" ".join(p for p in parts if p) or None,
    )


def check_child(household: Household, child: Optional[str]) -> None:
    """Raise one InputError when `child` names no child of the household (the CLI's `--child`)."""
    ids = sorted(c.id for c in household.children)
    if child is not None and child not in ids:
        raise InputError([Problem("--child", f"no child with id '{child}'", expected=", ".join(ids))])


def counterfactuals_to(
    situation: Union[Situation, Household, dict[str, Any]],
    target: Union[Level, str],
    rulebook: Union[Rulebook, str] = "knowsley",
    *,
    child: Optional[str] = None,
    max_changes: int = MAX_CHANGES,
    budget: int = BUDGET,
) -> list[TargetSearch]:
    """For each child (or the child with id `child`), the smallest fact changes that bring it to `target`.

    Example:
        >>> searches = counterfactuals_to(situation, "safeguarding")   # doctest: +SKIP
        >>> searches[0].found[0].sentence                              # doctest: +SKIP
        "If we learned that c1 had disclosed abuse, c1 would be Safeguarding instead of Universal."
    """
    household = household_of(situation)
    book = rulebook if isinstance(rulebook, Rulebook) else load_rulebook(rulebook)
    level = target if isinstance(target, Level) else target_level(target, book)
    check_child(household, child)
    return [
        search_to(result, household, book, level, max_changes=max_changes, budget=budget)
        for result in evaluate_household(household, book)
        if child is None or result.child.id == child
    ]
