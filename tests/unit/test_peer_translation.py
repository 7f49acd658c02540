"""The benchmark's mechanical translation to peer engines agrees with ours (skipped without the peers)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from needs_engine import load_rulebook
from needs_engine.engine.evaluate import screen_household
from needs_engine.model.situation import Situation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from generate import household  # noqa: E402
from translate import flat_facts, translate  # noqa: E402

BOOK = load_rulebook("knowsley")
# A plain comparison, an ordinal with an age band, and an any_carer quantifier with 'or' inside.
CHOSEN = ("education.persistent_absence", "family_functioning.carer_mental_health_unstable", "red_flags.injury_non_mobile_baby")


def _cases() -> list[tuple[dict[str, object], set[str]]]:
    """First children of fully-known households with many concerns, and what fires for them in our engine."""
    cases = []
    for seed in range(25):
        situation = Situation.model_validate(household(random.Random(seed), seed, known=True, carers=2, concern=0.3))
        child = sorted(situation.household.children, key=lambda c: c.id)[0]
        ours = set(screen_household(situation.household, BOOK)[0].fired) & set(CHOSEN)
        cases.append((flat_facts(child, situation.household), ours))
    return cases


@pytest.mark.parametrize("way", ["zen", "zen-json-text", "zen-batch", "durable", "durable-session"])
def test_translated_descriptors_fire_as_ours_do(way: str) -> None:
    pytest.importorskip("zen" if way.startswith("zen") else "durable.lang")
    import run  # noqa: E402  (benchmarks/run.py: the peer runners)

    translated = {d: translate(BOOK.by_id[d]) for d in CHOSEN}
    cases = _cases()
    assert any(ours for _, ours in cases) and not all(ours for _, ours in cases)  # the check is not vacuous
    if way == "zen-batch":
        got = run.zen_batch_runner(translated)([facts for facts, _ in cases])
    else:
        evaluate = {
            "zen": lambda: run.zen_runner(translated),
            "zen-json-text": lambda: run.zen_runner(translated, precompiled=False),
            "durable": lambda: run.durable_runner(translated),
            "durable-session": lambda: run.durable_runner(translated, way="session"),
        }[way]()
        got = [evaluate(facts) for facts, _ in cases]
    assert [set(fired) for fired in got] == [ours for _, ours in cases]
