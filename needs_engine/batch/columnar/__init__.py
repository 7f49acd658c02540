"""The columnar batch: a chunk of households screened as numpy array operations over the condition trees.

One row per child; a fact is a column of floats (NaN: unknown; a yes/no as 1/0, a named value
as its place in the fact's list of values); household and carer facts are broadcast to the
children. Every condition node is evaluated once per chunk from its tree (`language/tree.py`)
as two boolean masks, *known* and *true* (three-valued, Kleene), so a descriptor fires where it
is known and true and is unknown where it is not known. Quantifiers over carers and
`count_carers(...)` are reductions over (child, carer) pairs; `count(...)` adds masks; age
bands are comparisons of the children's ages. The level, `possible_level` and tier follow
`engine/evaluate.py` (Semantics 2-7, 12-13) as array operations; a child a declared mitigation
could apply to is decided by `evaluate.outcome` itself.

What is covered, and what is not: a line msgspec decodes strictly (`fastdecode.py`) whose
children each give an exact age (`age_months` or `unborn_weeks`). Anything else (a rough or
missing age, a repeated id, a fact that cannot describe the child, a line msgspec refuses) goes
through the per-record path (`screen.py`), as does every line under a rulebook whose trees use
something this module does not evaluate (a sibling quantifier, a quantifier inside another).
So every row is byte for byte the row the per-record batch writes (`tests/batch/test_columnar.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Optional

import numpy as np

from ...engine.evaluate import ChildScreening
from ...model.levels import LEVELS
from ...model.tiers import TIERS
from ..fastdecode import decode
from ..screen import Row
from .build import plan_of
from .levels import _levels
from .masks import _build_chunk, _prepare_children, _unique_ids
from .plan import NotCovered, Plan
from .tables import _STRING

__all__ = ["NotCovered", "Plan", "Screened", "jsonl_text", "plan_of", "row_of", "screen_households", "screen_lines"]


class Screened(NamedTuple):
    """A household the columnar path screened: what its output row says."""

    line: int
    reference: Optional[str]
    level: int
    """The family's level (rank), the highest child's."""
    possible: int
    tier: int
    """The family's tier (its place in TIERS), the highest child's."""
    children: list[tuple[str, int, int, int, list[int]]]
    """(id, level, possible level, tier, fired descriptors' places in report order), in id order."""


def screen_lines(plan: Plan, lines: Sequence[tuple[int, bytes]]) -> list[Optional[Screened]]:
    """The households among the (line number, bytes) JSON Lines records that the columnar path
    covers, screened; None for the others (the per-record path writes their rows)."""
    decoded: list[Any] = []
    where: list[int] = []
    for position, (_, raw) in enumerate(lines):
        document = decode(raw.strip())
        if document is not None:
            decoded.append(document.household)
            where.append(position)
    found: list[Optional[Screened]] = [None] * len(lines)
    screened = screen_households(plan, decoded, [lines[position][0] for position in where])
    for position, household in zip(where, screened, strict=True):
        found[position] = household
    return found


def screen_households(plan: Plan, households: Sequence[Any], numbers: Sequence[int]) -> list[Optional[Screened]]:
    """Decoded households (`fastdecode.decode(...).household`), with their line numbers, screened;
    None for those the columnar path leaves to the per-record one (a repeated id, an age not
    exact, a recorded fact that cannot describe its child)."""
    taken = [h for h, household in enumerate(households) if _unique_ids(household)]
    found: list[Optional[Screened]] = [None] * len(households)
    if not taken:
        return found
    chosen = [households[h] for h in taken]
    chunk, ids = _build_chunk(plan, chosen)
    refused = _prepare_children(plan, chunk)
    results = _levels(plan, chunk)
    first = np.cumsum([0] + [len(child_ids) for child_ids in ids[:-1]])
    families = [np.maximum.reduceat(found_, first).tolist() for found_ in (results.level, results.possible, results.tier)]
    whole = (~np.logical_or.reduceat(refused, first)).tolist()
    level, possible, tier, fired = results.level.tolist(), results.possible.tolist(), results.tier.tolist(), results.fired
    for k, (h, household, child_ids) in enumerate(zip(taken, chosen, ids, strict=True)):
        if whole[k]:
            row = int(first[k])
            reference = household.reference if isinstance(household.reference, str) else None
            children = [(child_id, level[r], possible[r], tier[r], fired[r]) for r, child_id in enumerate(child_ids, start=row)]
            found[h] = Screened(numbers[h], reference, families[0][k], families[1][k], families[2][k], children)
    return found


def row_of(plan: Plan, screened: Screened) -> Row:
    """The writer's Row for a screened household (for CSV output)."""
    ids = plan.report_ids
    children = tuple(
        ChildScreening(child_id, LEVELS[level], LEVELS[possible], tuple(ids[i] for i in fired), TIERS[tier])
        for child_id, level, possible, tier, fired in screened.children
    )
    return Row(screened.line, reference=screened.reference, children=children)


def jsonl_text(plan: Plan, screened: Screened) -> str:
    """The JSON Lines row of a screened household: the bytes `writer.row_text` writes for its Row
    (`json.dumps` with the writer's separators), put together from strings encoded once per rulebook."""
    levels, tiers, ids = plan.level_strings, plan.tier_strings, plan.report_strings
    children = ", ".join(
        f'{{"id": {_STRING(child_id)}, "level": {levels[level]}, "possible_level": {levels[possible]}, '
        f'"tier": {tiers[tier]}, "fired": [{", ".join([ids[i] for i in fired])}]}}'
        for child_id, level, possible, tier, fired in screened.children
    )
    reference = "null" if screened.reference is None else _STRING(screened.reference)
    return (
        f'{{"line": {screened.line}, "reference": {reference}, "status": "ok", "level": {levels[screened.level]}, '
        f'"possible_level": {levels[screened.possible]}, "tier": {tiers[screened.tier]}, "children": [{children}]}}\n'
    )
