"""The facts of a situation in words: every fact, its values and their definitions, as Markdown.

`needs schema --format markdown` prints it and docs/facts.md is that output, so a screener, a
trainer or a form builder can read the schema without reading JSON. It is laid out as the model
groups the facts (model/layout.py), in the model's order.
"""

from __future__ import annotations

from ..model.layout import Fact, People, Section, situation_layout

INTRO = """\
# The facts of a situation

Every fact a situation file can record, grouped as the model groups them, with the values each
one allows and what every value means. This page is the output of `needs schema --format
markdown`; `needs schema` prints the same contract as a JSON Schema.

Every fact may be `unknown` (any case), `null` or left out, and none of these is read as "no
concern". A yes/no fact is `true` or `false`; a number is a number. The rules across fields,
which the engine checks and a JSON Schema cannot state: a child gives at most one of
`age_months`, `age_years`, `age_band` and `unborn_weeks`; child ids are unique, and so are
carer ids; a range of years gives the younger age first; and a fact recorded as a concern must
be able to describe the child at their age (an unborn baby has no school attendance).

To start a case: `needs new FILE` (an interview) or `needs template > FILE` (a form to fill in).
"""


def _fact_lines(path: str, fact: Fact) -> list[str]:
    head = f"- **{fact.title}** (`{path}`)" + (f": {fact.description}" if fact.description else "")
    lines = [head]
    if fact.ask:
        lines.append(f"  Ask: *{fact.ask}*")
    if fact.choices is not None:
        order = " (least worrying first)" if fact.direction == "higher_is_worse" else ""
        lines.append(f"  Values{order}:")
        lines += [f"  - `{value}` ({label}): {definition}" for value, label, definition in fact.values()]
    else:
        lines.append(f"  Values: {fact.allowed()}.")
    return lines


def _section_lines(section: Section, prefix: str, depth: int) -> list[str]:
    lines: list[str] = []
    facts = [item for item in section.items if isinstance(item, Fact)]
    if facts:
        for fact in facts:
            lines += _fact_lines(prefix + fact.key, fact)
        lines.append("")
    for item in section.items:
        if isinstance(item, Section):
            lines += [f"{'#' * min(depth, 6)} {item.title}", "", item.description, ""]
            lines += _section_lines(item, f"{prefix}{item.key}.", depth + 1)
        elif isinstance(item, People):
            title = "Each child" if item.key == "children" else "Each carer"
            lines += [f"{'#' * min(depth, 6)} {title} (`household.{item.key}`)", "", item.description, ""]
            lines += _section_lines(item.person, "", depth + 1)
    return lines


def facts_markdown() -> str:
    """Every fact of a situation, its values and their definitions, as one Markdown page."""
    household = situation_layout()
    lines = [INTRO, "## Household", "", household.description, ""]
    lines += _section_lines(household, "", 2)
    return "\n".join(lines).rstrip() + "\n"
