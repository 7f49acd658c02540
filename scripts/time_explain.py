"""Seconds per child for a full explanation (reasons, near misses, counterfactuals down and up)
over the shipped examples, with the combinations each search tried. A timing loop that prints
figures, not a test. Run: python scripts/time_explain.py [rounds]"""

import sys
import time
from pathlib import Path

from needs_engine import load_rulebook
from needs_engine.engine.evaluate import evaluate_child
from needs_engine.explain.counterfactual import BUDGET, MAX_CHANGES
from needs_engine.explain.why import explain_child
from needs_engine.formats.inputs import read_situation

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
examples = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.yaml"))
rulebook = load_rulebook("knowsley")
print(f"search bounds: up to {MAX_CHANGES} changed facts, at most {BUDGET} combinations per direction per child")
timings = []
for path in examples:
    if path.name == "expected.yaml":
        continue
    household = read_situation(path).household
    for child in sorted(household.children, key=lambda c: c.id):
        start = time.perf_counter()
        for _ in range(rounds):
            result = explain_child(evaluate_child(child, household, rulebook), household, rulebook)
        seconds = (time.perf_counter() - start) / rounds
        timings.append(seconds)
        print(
            f"{seconds * 1000:7.1f} ms  {path.stem} {child.id}: {result.level.value}; "
            f"down {result.down.combinations_tried} tried, size {result.down.changes_needed}; "
            f"up {result.up.combinations_tried} tried, size {result.up.changes_needed}"
        )
timings.sort()
print(
    f"{len(timings)} children: median {timings[len(timings) // 2] * 1000:.1f} ms, slowest {timings[-1] * 1000:.1f} ms per child"
)
