"""A rulebook's columnar plan with its program, built once by the first batch chunk and kept on the
rulebook (`Rulebook.derive`).

The plan (plan.py) lays out a chunk's columns; the program (program.py) evaluates the trees over a
chunk's arrays (masks.py), which are laid out by the plan. Putting the two together here keeps
plan.py below both, so no module of the columnar path imports one that imports it back.
"""

from __future__ import annotations

from typing import Optional

from ...rulebook.book import Derivation, Rulebook
from .plan import NotCovered, Plan, build_plan
from .program import Program


def plan_of(rulebook: Rulebook) -> Optional[Plan]:
    """The rulebook's columnar plan, or None if its trees use something not covered (kept on the rulebook)."""
    return rulebook.derive(COLUMNAR)


def _build_or_none(rulebook: Rulebook) -> Optional[Plan]:
    try:
        plan = build_plan(rulebook)
        plan.program = Program.of(rulebook, {"child": plan.child, "carer": plan.carer, "household": plan.household})
    except NotCovered:
        return None
    return plan


COLUMNAR: Derivation[Optional[Plan]] = Derivation("columnar plan", _build_or_none)
"""Built by the first batch chunk that uses it: only `needs batch` does."""
