"""Issue 10, item 3: mitigations only where declared (Semantics 13), and consent never read (Semantics 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from needs_engine import assess, load_rulebook
from needs_engine.errors import RulebookError

from ..authoring.conftest import copy_rulebook, edit

STRENGTHS = {
    "protective_adult": True,
    "engages_with_support": True,
    "supportive_wider_family": True,
    "trusted_adult_for_child": True,
    "community_network": True,
}


def situation(child: dict[str, Any], home: dict[str, Any] | None = None, carer: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "household": {
            "children": [{"id": "c1", "age_years": 14, **child}],
            "carers": [{"id": "m", **(carer or {})}],
            "home": home or {},
        }
    }


def with_strengths(document: dict[str, Any]) -> dict[str, Any]:
    return {"household": {**document["household"], "strengths": STRENGTHS}}


CASES = [
    ("both", situation({"extra_familial": {"criminal_exploitation": "medium"}})),
    ("both", situation({"extra_familial": {"online_harm": "harmful_contact"}})),
    ("both", situation({"extra_familial": {"missing_episodes_12m": 4}})),
    ("st-helens", situation({}, home={"domestic_abuse": {"incidents_12m": 4}})),
    ("knowsley", situation({}, carer={"previous_children_removed": True})),
    ("knowsley", situation({"emotional": {"self_harm": "serious_or_attempt"}})),
]


@pytest.mark.parametrize(
    ("book", "document"),
    [(book, doc) for which, doc in CASES for book in (["knowsley", "st-helens"] if which == "both" else [which])],
)
def test_strengths_do_not_lower_a_never_mitigable_concern(book: str, document: dict[str, Any]) -> None:
    """Issue 10 item 3 reproductions (were lowered to Early Help): extra-familial harm at Targeted,
    Marac-level domestic abuse, previous children removed and a suicide attempt are never mitigable."""
    without = assess(document, book).children[0].level
    assert assess(with_strengths(document), book).children[0].level == without


def test_a_condition_reading_consent_is_a_load_error(tmp_path: Path) -> None:
    """Semantics 8: consent never changes a level, so no condition may read it."""
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "    when: home.domestic_abuse.incidents_12m >= 3\n",
        "    when: home.domestic_abuse.incidents_12m >= 3 and household.consent == 'given'\n",
        count=1,
    )
    with pytest.raises(RulebookError, match="may not read household.consent"):
        load_rulebook(rules)
