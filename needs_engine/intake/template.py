"""`needs template`: a situation with every fact present as `unknown`, as a form to fill in.

A screener who prefers a form to an interview opens it in an editor and replaces `unknown`
wherever they know the answer. Every fact is there, grouped as the model groups them, with its
values and their definitions in comments; a fact left `unknown` is exactly what it says, never
"no concern", so the form assesses as it stands (to everything it could still be).
"""

from __future__ import annotations

from typing import Any

from ..model.facts import UNKNOWN
from ..model.layout import Fact, People, Section, situation_layout
from .document import situation_yaml

FORM_HEADER = """\
A needs-engine situation: every fact is `unknown` until you know it.
Replace `unknown` with a value from the list above it wherever you know the answer; leave the
rest `unknown` (never guess "no": unknown is never read as no concern). Give each child one
age (age_months, age_years, age_band or unborn_weeks) and leave the other three unknown.
Names are optional and never needed. When done: needs assess FILE"""


def _blank(section: Section, counts: dict[str, int]) -> dict[str, Any]:
    """Every fact of `section` as `unknown`; `counts` says how many of each kind of person."""
    blank: dict[str, Any] = {}
    for item in section.items:
        if isinstance(item, Fact):
            if item.is_fact:
                blank[item.key] = UNKNOWN
        elif isinstance(item, Section):
            blank[item.key] = _blank(item, counts)
        elif isinstance(item, People):
            prefix = "c" if item.key == "children" else "a"
            blank[item.key] = [{"id": f"{prefix}{n}", **_blank(item.person, counts)} for n in range(1, counts[item.key] + 1)]
    return blank


def form_document(*, children: int = 1, carers: int = 1) -> dict[str, Any]:
    """A situation with `children` children (c1, c2, ...) and `carers` carers (a1, a2, ...), every fact unknown."""
    return {"household": _blank(situation_layout(), {"children": children, "carers": carers})}


def form_yaml(*, children: int = 1, carers: int = 1) -> str:
    """The form as commented YAML."""
    return situation_yaml(form_document(children=children, carers=carers), form=True, header=FORM_HEADER)
