"""A screener's answers, read into the situation document the interview is building.

The interview keeps the case as the plain document it will write (a dict, as the YAML holds
it), so "don't know" can be written as `unknown` and told apart from a fact never asked. This
module reads what the screener types (an age in any of its forms, a number) and puts a value at
the place in the document where a question's fact lives.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from pydantic import ValidationError

from ..model.catalogue import FactSpec, facts_by_root
from ..model.situation import AGE_FIELDS, CarerRole, Child

_MONTHS = re.compile(r"^(\d{1,3})\s*(?:m|mo|mos|months?)$")
_WEEKS = re.compile(r"^(?:unborn\s*)?(\d{1,2})\s*(?:w|wk|wks|weeks?)(?:\s*pregnant)?$|^unborn\s+(\d{1,2})$")
_BANDS = {
    "unborn": "unborn",
    "under 1": "under_1",
    "under_1": "under_1",
    "baby": "under_1",
    "under 5": "under_5",
    "under_5": "under_5",
    "primary": "primary_school_age",
    "primary school age": "primary_school_age",
    "secondary": "secondary_school_age",
    "secondary school age": "secondary_school_age",
    "16 or 17": "16_17",
}

AGE_HELP = "14, 13-15, 5 months, unborn 20 weeks, or under 5 / primary / secondary"


def read_age(text: str) -> Optional[tuple[str, Any]]:
    """The age field and value `text` gives (None: not known), or raise ValueError saying what
    forms an age takes. The model has the last word: what it refuses, this refuses too."""
    words = " ".join(text.strip().lower().split())
    if words in ("", "?", "unknown", "don't know", "dont know"):
        return None
    months, weeks = _MONTHS.match(words), _WEEKS.match(words)
    if months:
        answer: tuple[str, Any] = ("age_months", int(months.group(1)))
    elif weeks:
        answer = ("unborn_weeks", int(weeks.group(1) or weeks.group(2)))
    elif words in _BANDS:
        answer = ("age_band", _BANDS[words])
    else:
        answer = ("age_years", int(words) if words.isascii() and words.isdigit() else words)
    try:
        Child.model_validate({"id": "c1", answer[0]: answer[1]})
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ").lower()
        raise ValueError(f"{reason}; write {AGE_HELP}") from None
    return answer


def set_age(child: dict[str, Any], answer: Optional[tuple[str, Any]]) -> None:
    """Record an age on a child, replacing any age given before (a child has one)."""
    for field in AGE_FIELDS:
        child.pop(field, None)
    if answer is not None:
        child[answer[0]] = answer[1]


def carer_ids(roles: list[Optional[str]]) -> list[str]:
    """Short ids for carers by role, as the examples write them: m, f, then a1, a2, ..."""
    ids: list[str] = []
    for role in roles:
        wanted = {CarerRole.mother.value: "m", CarerRole.father.value: "f"}.get(role or "", "a")
        number = 1
        while (candidate := wanted if wanted != "a" and number == 1 else f"{wanted}{number}") in ids:
            number += 1
        ids.append(candidate)
    return ids


def fact_spec(fact: str) -> FactSpec:
    """The catalogue entry of a question's fact (`child.harm.injury`; a sibling's is a child's)."""
    root, *path = fact.split(".")
    return facts_by_root()["child" if root == "sibling" else root][tuple(path)]


def place(document: dict[str, Any], subject: str, fact: str, *, make: bool = True) -> tuple[Optional[dict[str, Any]], str]:
    """The mapping in `document` that holds `fact` of `subject` (made if missing, unless `make` is
    false: then None when it is not there), and the key in it."""
    spec = fact_spec(fact)
    household = document.setdefault("household", {})
    target: Optional[dict[str, Any]]
    if spec.root in ("child", "sibling", "carer"):
        kind, _, wanted = subject.partition(":")
        people = household["children" if kind == "child" else "carers"]
        target = next(person for person in people if person["id"] == wanted)
    elif spec.root == "household":
        target = household
    else:
        target = household.setdefault(spec.root, {}) if make else household.get(spec.root)
    for part in spec.path[:-1]:
        if target is None:
            break
        target = target.setdefault(part, {}) if make else target.get(part)
    return target, spec.path[-1]


def record(document: dict[str, Any], subject: str, fact: str, value: Any) -> None:
    """Put `value` (as the document writes it: `unknown` for don't know) at `fact` of `subject`."""
    target, key = place(document, subject, fact)
    assert target is not None
    target[key] = value


def recorded(document: dict[str, Any], subject: str, fact: str) -> Any:
    """The value written at `fact` of `subject`, or None if nothing is written there."""
    target, key = place(document, subject, fact, make=False)
    return None if target is None else target.get(key)
