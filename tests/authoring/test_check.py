"""`needs rules check`: shipped rulebooks keep every invariant; broken copies give a small counterexample."""

from __future__ import annotations

from pathlib import Path

import pytest

from needs_engine import load_rulebook, shipped_rulebooks
from needs_engine.authoring import check
from needs_engine.authoring.check import INVARIANTS, check_rulebook

from .conftest import copy_rulebook, edit


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_every_shipped_rulebook_keeps_every_invariant(name: str) -> None:
    results = check_rulebook(load_rulebook(name), examples=4, seed=11)
    assert [r.id for r in results] == [inv.id for inv in INVARIANTS]
    for result in results:
        assert result.passed, (result.id, result.crash, result.counterexample)
        assert result.examples >= 1


def test_an_escalation_that_needs_a_concern_absent_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "SHRINK_SECONDS", 2)  # pruning still takes it to the facts that matter
    # Peer isolation: a fact that gives Universal at some ages (none is expected of a child under
    # four). Permanent exclusion, used before, now fires a Targeted descriptor at every age it can
    # apply, so the escalation below could no longer make worsening it lower a level.
    rules = copy_rulebook(tmp_path)
    # (The escalation on three incidents goes to Safeguarding since the library: SafeLives Marac criteria.)
    edit(
        rules,
        "    to: safeguarding\n    when: home.domestic_abuse.incidents_12m >= 3\n",
        "    to: safeguarding\n    when: home.domestic_abuse.incidents_12m >= 3 or not child.relationships.peer_isolation\n",
    )
    [result] = check_rulebook(load_rulebook(rules), examples=25, seed=3, only=["worsening"])
    found = result.counterexample
    assert found is not None and found.after is not None
    assert found.change is not None and "relationships.peer_isolation: false -> true" in found.change
    assert (found.level_before, found.level_after) == ("safeguarding", "universal")
    # Pruned to what matters: one child, whose only fact is the one that changed.
    [child] = found.before["household"]["children"]
    assert {key: value for key, value in child.items() if key != "id"} == {"relationships": {"peer_isolation": False}}
    assert found.after["household"]["children"][0]["relationships"] == {"peer_isolation": True}
