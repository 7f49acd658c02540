"""The batch tests' shared fixture: each shipped rulebook in turn."""

from __future__ import annotations

import pytest

from needs_engine.rulebook.book import Rulebook
from needs_engine.rulebook.load import load_rulebook

RULEBOOKS = ("knowsley", "st-helens", "east-sussex")


@pytest.fixture(scope="module", params=RULEBOOKS)
def book(request: pytest.FixtureRequest) -> Rulebook:
    """A shipped rulebook (every test that takes it runs under each)."""
    return load_rulebook(request.param)
