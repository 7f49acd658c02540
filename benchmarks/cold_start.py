"""Cold start: how long a screener waits for a whole `needs` process, against `python -c pass`.

Each figure is the median of 10 runs of a fresh process (issue 16, section 4), the runs of the
six processes interleaved (one of each a round, in the order below):

- `python -c pass`: the interpreter alone, the floor every figure is divided by;
- `needs --help` with the help text kept from an earlier run, as a screener meets it (budget
  150 ms), and rendered afresh (the help cache emptied before every run: typer, rich and the
  command modules imported);
- `needs assess <example>` with a warm cache of compiled rulebooks and parsed files (budget 300 ms);
- the same with a cold cache: the cache folder emptied before every run, so every rulebook and
  census file is loaded from its YAML and written to the cache each time;
- the same with the cache turned off (NEEDS_ENGINE_NO_CACHE=1).

Beside each median wall time is the median CPU time of the process (user + system): on a shared
machine the wall time includes waiting for a core, and the CPU time is close to what the wall
time would be on an idle one. The budgets are for an idle machine, so the load average is
printed at the start and at the end of the run; read the figures with it.

The cache is a temporary folder (NEEDS_ENGINE_CACHE_DIR), so the user's own cache is never touched.
Python's bytecode goes to another temporary folder (PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE
is dropped), written by the untimed first run: an installed package has its bytecode compiled by
pip, and a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module of
the engine from source in every process. `--bytecode-as-is` keeps the environment's setting.

    python benchmarks/cold_start.py [--runs 10] [--example examples/<name>.yaml]

The output is figures; nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    return [sys.executable, "-c", "from needs_engine.cli import main; main()"]


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


Measured = tuple[list[str], dict[str, str], Callable[[], None]]
"""A process to time: its command, its environment, and what runs untimed before each run of it."""


def _once(command: list[str], env: dict[str, str], before: Callable[[], None]) -> tuple[float, float]:
    """One run of `command`: its wall and CPU times in milliseconds (`before` runs untimed first)."""
    before()
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode(errors='replace')[-400:]}")
    return wall, (_children_cpu() - cpu) * 1000


def medians_ms(processes: dict[str, Measured], runs: int) -> dict[str, tuple[float, float]]:
    """The median wall and CPU times of `runs` runs of each process, in milliseconds.

    The runs are interleaved, one of each process a round, so that a change in how busy a
    shared machine is (another job starting or ending) falls on every figure alike rather than
    on the ones measured in that minute: measured one block after another, a warm-cache
    `needs assess` could come out slower than the same command without the cache."""
    walls: dict[str, list[float]] = {name: [] for name in processes}
    cpus: dict[str, list[float]] = {name: [] for name in processes}
    for _ in range(runs):
        for name, (command, env, before) in processes.items():
            wall, cpu = _once(command, env, before)
            walls[name].append(wall)
            cpus[name].append(cpu)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in processes}


def cold_start(runs: int = 10, example: Path = EXAMPLE, *, bytecode_as_is: bool = False) -> list[str]:
    """Measure, and return the lines of the report (for `benchmarks/run.py` as well as this script)."""
    cache = Path(tempfile.mkdtemp(prefix="needs-cold-start-"))
    bytecode = Path(tempfile.mkdtemp(prefix="needs-cold-start-pycache-"))
    env = {**os.environ, "NEEDS_ENGINE_CACHE_DIR": str(cache), "COLUMNS": "100"}
    env.pop("NEEDS_ENGINE_NO_CACHE", None)
    if not bytecode_as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    needs = needs_command()
    assess = [*needs, "assess", str(example)]
    load_before = os.getloadavg()

    def empty_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def no_kept_help() -> None:
        shutil.rmtree(cache / "help", ignore_errors=True)

    try:
        subprocess.run(assess, env=env, stdout=subprocess.DEVNULL, check=True)  # fills the cache and the bytecode
        subprocess.run([*needs, "--help"], env=env, stdout=subprocess.DEVNULL, check=True)
        subprocess.run([sys.executable, "-c", "pass"], env=env, stdout=subprocess.DEVNULL, check=True)

        def nothing() -> None:
            pass

        def kept_help() -> None:  # the last round's cold-cache run emptied the cache, help included
            subprocess.run([*needs, "--help"], env=env, stdout=subprocess.DEVNULL, check=True)

        def warm() -> None:
            subprocess.run(assess, env=env, stdout=subprocess.DEVNULL, check=True)

        figures = medians_ms(
            {
                "python -c pass": ([sys.executable, "-c", "pass"], env, nothing),
                "needs --help": ([*needs, "--help"], env, kept_help),
                "needs --help, rendered": ([*needs, "--help"], env, no_kept_help),
                "needs assess, warm cache": (assess, env, warm),
                "needs assess, cold cache": (assess, env, empty_cache),
                "needs assess, no cache": (assess, {**env, "NEEDS_ENGINE_NO_CACHE": "1"}, nothing),
            },
            runs,
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(bytecode, ignore_errors=True)
    load_after = os.getloadavg()
    floor = figures["python -c pass"][0]

    def load(figures: tuple[float, ...]) -> str:
        return ", ".join(f"{x:.2f}" for x in figures)

    lines = [
        f"cold start, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, median of {runs} whole processes, "
        f"{os.cpu_count()} cores, {example.name}, "
        + ("bytecode as the environment has it" if bytecode_as_is else "bytecode compiled (as pip installs it)"),
        f"  load average (1, 5, 15 min): {load(load_before)} before, {load(load_after)} after",
        f"  {'':<26} {'wall':>9} {'CPU':>9} {'wall / python -c pass':>22}",
    ]
    for name, (wall, cpu) in figures.items():
        budget = BUDGETS_MS.get(name)
        verdict = ""
        if budget is not None:
            verdict = f"  budget {budget:.0f} ms: wall {'met' if wall < budget else 'NOT met'}, CPU {'met' if cpu < budget else 'NOT met'}"
        lines.append(f"  {name:<26} {wall:6.0f} ms {cpu:6.0f} ms {wall / floor:21.1f}x{verdict}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--example", type=Path, default=EXAMPLE)
    parser.add_argument(
        "--bytecode-as-is", action="store_true", help="keep PYTHONDONTWRITEBYTECODE and the usual bytecode folders"
    )
    args = parser.parse_args()
    print("\n".join(cold_start(args.runs, args.example.resolve(), bytecode_as_is=args.bytecode_as_is)))


if __name__ == "__main__":
    main()
