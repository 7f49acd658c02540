"""`engine/cin.py` gives each child the census codes `CensusMapping.matches` gives, in the same order.

The engine arranges the national mapping once per rulebook (codes that read a child's facts apart
from those read once per household); here every child of generated households, sparse and fully
known, is checked against the mapping's own `matches`, evaluated afresh for each child.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from needs_engine import load_rulebook
from needs_engine.engine.assess import evaluate_household
from needs_engine.engine.cin import cin_factors
from needs_engine.model.situation import Situation
from needs_engine.rulebook.census import census_mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from generate import household  # noqa: E402


@pytest.mark.parametrize("rulebook", ["knowsley", "st-helens"])
def test_codes_are_the_mappings_own(rulebook: str) -> None:
    book, mapping = load_rulebook(rulebook), census_mapping()
    matched = 0
    for concern, known in ((0.15, True), (0.3, False), (0.04, True)):
        rng = random.Random(17)
        for index in range(150):
            document = household(rng, index, known=known, carers=2 if known else 0, concern=concern)
            results = evaluate_household(Situation.model_validate(document).household, book)
            kept: dict[str, list[str]] = {}
            for result in results:
                codes = cin_factors(result.env, book, kept)
                assert codes == mapping.matches(result.env), (index, result.child.id)
                matched += bool(codes)
    assert matched > 300  # most children match some code: the comparison is not between empty lists
