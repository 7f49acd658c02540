"""Facts in words: who the fact is about, what it is called, its value and the test it met.

Explanations are read by screeners, trainers and families' case records, so a fact is never
shown as a dotted path alone: "m (mother)'s mental health is 'diagnosed unstable'",
"c1's school attendance is 84% (below 90%)". Names come from the catalogue's paths, values
from the ordinal scales (whose definitions travel with them), subjects from the household
(names only when the screener gave them).
"""

from __future__ import annotations

from collections import Counter
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, Optional

from ..formats.text import terminal_safe
from ..model.catalogue import FactSpec, all_facts
from ..model.facts import Ordinal
from ..model.levels import LEVELS, Level
from ..model.situation import Household

if TYPE_CHECKING:
    from ..rulebook.book import Rulebook

_OPERATORS = {
    "<": "below",
    "<=": "at most",
    ">": "above",
    ">=": "at least",
    "==": "exactly",
    "!=": "not",
    "in": "one of",
    "not in": "none of",
}
_RENAMED = {
    "attendance_percent": "school attendance",
    "gcp2_grade": "Graded Care Profile 2 grade",
    "dash_score": "DASH score",
    "dvrim_scale": "DVRIM risk scale",
    "send": "special educational needs",
    "fgm": "FGM",
    "non_mobile": "not yet mobile",
    "honour_based_abuse": "honour-based abuse",
}


@cache
def _ambiguous_leaves() -> frozenset[tuple[str, str]]:
    """Leaf names used twice under one root: those need their section to be understood."""
    counts = Counter((spec.root, spec.path[-1]) for spec in all_facts())
    return frozenset(key for key, n in counts.items() if n > 1)


def fact_name(spec: FactSpec) -> str:
    """What a screener calls the fact: 'mental health', 'domestic abuse incidents in the last 12 months'."""
    leaf = spec.path[-1]
    words = _RENAMED.get(leaf) or leaf.replace("_12m", " in the last 12 months").replace("_", " ")
    sections = spec.path[:-1]
    if sections and (
        (spec.root, leaf) in _ambiguous_leaves()
        or leaf in ("status", "conditions", "history", "isolation", "hardship", "incidents_12m")
    ):
        words = f"{sections[-1].replace('_', ' ')} {words}"
    if spec.root == "strengths":
        return f"strength '{words}'"
    return words


def subject_name(subject: str, household: Optional[Household] = None) -> str:
    """'c1', 'Sky (c1)', 'm (mother)' or 'the household'."""
    kind, _, wanted = subject.partition(":")
    if kind == "household" or not wanted:
        return "the household"
    if household is not None:
        people = household.children if kind == "child" else household.carers
        person = next((p for p in people if p.id == wanted), None)
        if person is not None and person.name:
            # A name goes into sentences every format shows: no control characters in it.
            return f"{terminal_safe(person.name)} ({wanted})"
        role = getattr(person, "role", None) if person is not None else None
        if role is not None:
            return f"{wanted} ({role.value.replace('_', ' ')})"
    return wanted


def possessive(name: str) -> str:
    return "the household's" if name == "the household" else f"{name}'s"


def value_text(spec: FactSpec, value: Any) -> str:
    """A value as a screener would say it: quoted scale values, yes/no, 84%."""
    if value is None:
        return "unknown"
    if spec.kind == "flag":
        return "yes" if value else "no"
    if spec.kind == "number":
        number = f"{value:g}" if isinstance(value, float) else str(value)
        return f"{number}%" if spec.path[-1].endswith("percent") else number
    raw = value.value if isinstance(value, Enum) else str(value)
    return "'" + raw.replace("_", " ") + "'"


def definition(spec: FactSpec, value: Any) -> Optional[str]:
    """The ordinal scale's plain-language definition of the value, if it has one."""
    choices = spec.choices
    if choices is None or value is None or not issubclass(choices, Ordinal):
        return None
    member = value if isinstance(value, Ordinal) else choices(value)
    return member.definition


def test_text(spec: FactSpec, test: Optional[tuple[str, Any]]) -> Optional[str]:
    """The comparison a condition made, in words: 'below 90%', "at least 'problematic'"."""
    if test is None:
        return None
    op, bound = test
    if spec.kind == "flag":
        return None
    if isinstance(bound, tuple):
        shown = ", ".join(value_text(spec, item) for item in bound)
    else:
        shown = value_text(spec, bound)
    return f"{_OPERATORS.get(op, op)} {shown}"


def fact_sentence(
    subject: str, spec: FactSpec, value: Any, test: Optional[tuple[str, Any]] = None, household: Optional[Household] = None
) -> str:
    """One fact in words: "c1's school attendance is 84% (below 90%)"."""
    who = possessive(subject_name(subject, household))
    if value is None:
        return f"{who} {fact_name(spec)} is not known"
    compared = test_text(spec, test)
    shown = value_text(spec, value)
    if spec.kind == "flag" and spec.root != "strengths":
        return f"{who} '{fact_name(spec)}' is {shown}"
    return f"{who} {fact_name(spec)} is {shown}" + (f" ({compared})" if compared and spec.kind == "number" else "")


def change_clause(subject: str, spec: FactSpec, before: Any, after: Any, household: Optional[Household] = None) -> str:
    """One change in a counterfactual: "m (mother)'s mental health were 'diagnosed stable'"."""
    who = possessive(subject_name(subject, household))
    if before is None:
        return f"we learned that {who} {fact_name(spec)} is {value_text(spec, after)}"
    if after is None:
        return f"{who} {fact_name(spec)} were not known"
    if spec.kind == "flag" and spec.direction != "strength":
        return f"{who} '{fact_name(spec)}' were {value_text(spec, after)} (not {value_text(spec, before)})"
    return f"{who} {fact_name(spec)} were {value_text(spec, after)} (not {value_text(spec, before)})"


def answer_words(book: Rulebook) -> dict[str, Level]:
    """Every way a learner may name a level: 1-4, its id, label and name (lower case)."""
    words: dict[str, Level] = {}
    for level in LEVELS:
        entry = book.levels[level]
        for word in (
            str(level.rank + 1),
            level.value,
            level.value.replace("_", " "),
            entry.label,
            entry.name or "",
            book.label(level),
        ):
            if word:
                words[" ".join(word.lower().replace("-", " ").split())] = level
    return words
