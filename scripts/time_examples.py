"""Assessments per second over the shipped examples (a simple timing loop; the real benchmark
with peers is benchmarks/, issue 4). Run: python scripts/time_examples.py [rounds]"""

import sys
import time
from pathlib import Path

from needs_engine import assess, load_rulebook
from needs_engine.engine.evaluate import household_levels
from needs_engine.formats.inputs import read_situation

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 50
examples = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.yaml"))
situations = [read_situation(p) for p in examples if p.name != "expected.yaml"]
rulebook = load_rulebook("knowsley")
for label, run in (
    ("full assessment (explanations, questions)", lambda s: assess(s, rulebook)),
    ("levels only (fast path)", lambda s: household_levels(s.household, rulebook)),
):
    start = time.perf_counter()
    for _ in range(rounds):
        for situation in situations:
            run(situation)
    elapsed = time.perf_counter() - start
    print(f"{label}: {rounds * len(situations) / elapsed:,.0f} households/s over {len(situations)} examples")
