"""A fictional referral as a screener holds it: what is known, fact by fact, and the answer to
each question `needs new` may put. Shared by the scripted interviews (in process and in a
pseudo-terminal), so both answer the same case the same way.

A referral is read from a scenario file: the scenario's situation is what the screener was
told, and its `expected` levels (written and reviewed with the scenario, not produced by the
interview) are what the written file must assess to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from needs_engine.formats.yamlfile import read_file
from needs_engine.model.catalogue import facts_by_root
from needs_engine.model.facts import is_unknown_word

_IDENTITY = {"id", "name", "reference", "role", "age_months", "age_years", "age_band", "unborn_weeks"}


@dataclass(frozen=True)
class Referral:
    """What the screener knows: the household's shape and (subject, fact) -> value."""

    ages: list[str]
    """Each child's age as typed: '124 months', '14', 'unborn 20 weeks'."""
    roles: list[str]
    consent: Optional[str]
    known: dict[tuple[str, str], Any]
    expected: dict[str, Any]

    def answer(self, subject: str, fact: str) -> Any:
        """The known value, or None (the screener does not know)."""
        return self.known.get((subject, fact))


def _flatten(root: str, subject: str, values: dict[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    facts = facts_by_root()[root]
    for key, value in values.items():
        if not prefix and key in _IDENTITY | {"children", "carers", "home", "strengths"}:
            continue
        if isinstance(value, dict):
            found.update(_flatten(root, subject, value, (*prefix, key)))
        elif (*prefix, key) in facts and value is not None and not is_unknown_word(value):
            found[(subject, facts[(*prefix, key)].dotted)] = value
    return found


def _typed_age(child: dict[str, Any]) -> str:
    if "age_months" in child:
        return f"{child['age_months']} months"
    if "unborn_weeks" in child:
        return f"unborn {child['unborn_weeks']} weeks"
    if "age_years" in child:
        return str(child["age_years"])
    return "?"


def referral_from_scenario(path: Path) -> Referral:
    document = read_file(path)
    household = document["situation"]["household"]
    known: dict[tuple[str, str], Any] = {}
    known.update(_flatten("household", "household", household))
    for section in ("home", "strengths"):
        known.update(_flatten(section, "household", household.get(section, {})))
    for child in household["children"]:
        known.update(_flatten("child", f"child:{child['id']}", child))
    for carer in household["carers"]:
        known.update(_flatten("carer", f"carer:{carer['id']}", carer))
    return Referral(
        ages=[_typed_age(child) for child in household["children"]],
        roles=[carer["role"] for carer in household["carers"]],
        consent=household.get("consent"),
        known=known,
        expected=document["expected"],
    )
