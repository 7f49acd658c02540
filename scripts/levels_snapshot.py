"""Print the level of every child of every shipped example and scenario under every shipped rulebook.

One JSON line per (file, rulebook, child): the level, the possible level and the fired
descriptor ids. Run it on two checkouts and compare the outputs to list what a change moved:

    python scripts/levels_snapshot.py > after.jsonl
    git stash; python scripts/levels_snapshot.py > before.jsonl; git stash pop
    python scripts/levels_snapshot.py --diff before.jsonl after.jsonl

A file that no longer validates is listed with its error, so nothing is left out silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def snapshot() -> list[dict[str, object]]:
    from needs_engine import assess, load_rulebook, shipped_rulebooks
    from needs_engine.errors import InputError
    from needs_engine.formats.inputs import read_situation
    from needs_engine.formats.yamlfile import read_file

    rows: list[dict[str, object]] = []
    files = sorted((ROOT / "examples").glob("*.yaml")) + sorted((ROOT / "scenarios").glob("*.yaml"))
    for rulebook_id in shipped_rulebooks():
        book = load_rulebook(rulebook_id)
        for path in files:
            name = str(path.relative_to(ROOT))
            try:
                if path.parent.name == "scenarios":
                    situation = read_file(path)["situation"]
                else:
                    situation = read_situation(path)
                assessment = assess(situation, book)
            except InputError as exc:
                rows.append({"file": name, "rulebook": rulebook_id, "error": str(exc).splitlines()[0]})
                continue
            for child in assessment.children:
                fired = sorted({rung.id for d in child.fired for rung in (d, *getattr(d, "also_meets", []))})
                rows.append(
                    {
                        "file": name,
                        "rulebook": rulebook_id,
                        "child": child.child_id,
                        "level": child.level.value,
                        "possible_level": child.possible_level.value,
                        "fired": fired,
                    }
                )
    return rows


def diff(before: Path, after: Path) -> None:
    def load(path: Path) -> dict[tuple[str, str, str], dict[str, object]]:
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        return {(r["file"], r["rulebook"], str(r.get("child", ""))): r for r in rows}

    old, new = load(before), load(after)
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is None or b is None or a.get("level") != b.get("level") or a.get("possible_level") != b.get("possible_level"):
            was = f"{a.get('level')}/{a.get('possible_level')}" if a else "absent"
            now = f"{b.get('level')}/{b.get('possible_level')}" if b else "absent"
            gone = sorted(set(a.get("fired", [])) - set(b.get("fired", []))) if a and b else []
            came = sorted(set(b.get("fired", [])) - set(a.get("fired", []))) if a and b else []
            print(f"{key[0]} [{key[1]}] {key[2]}: {was} -> {now}; fired -{gone} +{came}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.diff:
        diff(*args.diff)
        return
    for row in snapshot():
        sys.stdout.write(json.dumps(row, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
