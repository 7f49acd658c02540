"""Time the silent-gap probes of `needs rules lint` and the whole lint, per shipped rulebook (the
budget is under 2 s each). Run: python scripts/time_lint_gaps.py [rounds]"""

import sys
import time

from needs_engine import shipped_rulebooks
from needs_engine.authoring.gaps import probe_rulebook
from needs_engine.authoring.lint import lint_rulebook
from needs_engine.rulebook.load import load_rulebook

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
for name in shipped_rulebooks():
    book = load_rulebook(name)
    start = time.perf_counter()
    for _ in range(rounds):
        outcome = probe_rulebook(book)
    probes = (time.perf_counter() - start) / rounds
    start = time.perf_counter()
    for _ in range(rounds):
        lint_rulebook(name)
    whole = (time.perf_counter() - start) / rounds
    print(f"{name}: {len(outcome.probes)} households probed in {probes:.2f} s; whole lint {whole:.2f} s (mean of {rounds})")
