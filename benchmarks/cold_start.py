"""Cold start: how long a screener waits for a whole `needs` process, against `python -c pass`.

Each figure is the median wall time of 10 runs of a fresh process (issue 16, section 4):

- `python -c pass`: the interpreter alone, the floor every figure is divided by;
- `needs --help`: must not import the engine (budget 150 ms);
- `needs assess <example>` with a warm compiled-rulebook cache (budget 300 ms);
- the same with a cold cache: the cache folder emptied before every run, so the rulebook is
  built from its YAML files and written to the cache each time.

The cache is a temporary folder (NEEDS_CACHE_DIR), so the user's own cache is never touched.
Until the compiled-rulebook cache lands (issue 16, section 4: not built yet), nothing reads
NEEDS_CACHE_DIR and the warm and cold figures measure the same thing: a rebuild on every run.
Run: python benchmarks/cold_start.py [--runs 10] [--example examples/<name>.yaml]
The output is figures, with the load average beside them; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml"
BUDGETS_MS = {"needs --help": 150.0, "needs assess, warm cache": 300.0}


def needs_command() -> list[str]:
    """The installed `needs` entry point beside this interpreter, or the same entry point through it."""
    script = Path(sys.executable).parent / "needs"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from needs_engine.cli.app import main; main()"]


def median_ms(command: list[str], env: dict[str, str], runs: int, before: Callable[[], None] = lambda: None) -> float:
    """The median wall time of `runs` runs of `command`, in milliseconds; `before` runs untimed before each."""
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        times.append((time.perf_counter() - start) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode(errors='replace')[-400:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--example", type=Path, default=EXAMPLE)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="needs-cold-start-"))
    env = {**os.environ, "NEEDS_CACHE_DIR": str(cache), "COLUMNS": "100"}
    needs = needs_command()
    assess = [*needs, "assess", str(args.example)]

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    try:
        subprocess.run(assess, env=env, stdout=subprocess.DEVNULL, check=True)  # fills the cache
        figures = {
            "python -c pass": median_ms([sys.executable, "-c", "pass"], env, args.runs),
            "needs --help": median_ms([*needs, "--help"], env, args.runs),
            "needs assess, warm cache": median_ms(assess, env, args.runs),
            "needs assess, cold cache": median_ms(assess, env, args.runs, before=empty_cache),
        }
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    floor = figures["python -c pass"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"cold start, median of {args.runs} whole processes ({args.example.name}; load average {load}):")
    for name, ms in figures.items():
        budget = BUDGETS_MS.get(name)
        verdict = "" if budget is None else f"  budget {budget:.0f} ms: {'met' if ms < budget else 'NOT met'}"
        print(f"  {name:<26} {ms:7.1f} ms  {ms / floor:5.1f}x python -c pass{verdict}")


if __name__ == "__main__":
    main()
