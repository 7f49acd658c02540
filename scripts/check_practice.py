"""Validate practice files and count them, without assessing anything.

    python scripts/check_practice.py [FOLDER]

Prints each file's probes and worked examples, the publishers and any problem (exit 2). It never
runs the engine, so whoever writes probes records what the publisher said, not what we say.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from needs_engine.authoring.practice import read_practice
from needs_engine.errors import InputError


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/practice")
    try:
        probes = read_practice(folder)
    except InputError as exc:
        for problem in exc.problems:
            print(problem)
        return 2
    files = Counter((p.file, p.kind) for p in probes)
    for (name, kind), count in sorted(files.items()):
        print(f"{name:40} {kind:15} {count:4}")
    print(
        f"{sum(p.kind == 'probe' for p in probes)} probes, {sum(p.kind != 'probe' for p in probes)} worked examples, "
        f"{len({p.publisher for p in probes})} publishers"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
