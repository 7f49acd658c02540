"""Seeded, fictional households generated from the fact catalogue, for benchmarks.

Two kinds: `caseload` households are sparse like real referrals (many facts left out, a few
explicitly unknown, mostly no concern, some concerns), and `fully_known` households give every
fact a known value, so two-valued rule engines can be compared with ours on them.
Run as a script to write a JSON Lines caseload:

    python benchmarks/generate.py 100000 caseload.jsonl [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any, Optional

from needs_engine.authoring.strategies import best_value, set_path
from needs_engine.model.ages import UNBORN_ONLY, AgeSpan, applies_span
from needs_engine.model.catalogue import FactSpec, facts_by_root

_AGES = (("child", ("age_months",)), ("child", ("unborn_weeks",)), ("child", ("unborn",)))
CARER_SLOTS_DEFAULT = 2
ROLES = ["mother", "father", "step_parent", "mothers_partner", "grandparent"]


def settable(root: str) -> list[FactSpec]:
    """The facts of `root` a document sets (ages are set by the generator, `unborn` is derived)."""
    return [spec for spec in facts_by_root()[root].values() if (root, spec.path) not in _AGES and spec.path != ("role",)]


def _any(spec: FactSpec, rng: random.Random) -> Any:
    if spec.kind == "flag":
        return rng.random() < 0.5
    if spec.choices is not None:
        return rng.choice(list(spec.choices)).value
    low, high = spec.minimum or 0, spec.maximum if spec.maximum is not None else 100
    return rng.randint(int(low), int(high)) if spec.integer else round(rng.uniform(low, high), 1)


def _fill(
    root: str, entity: dict[str, Any], rng: random.Random, *, known: bool, concern: float, age: Optional[AgeSpan] = None
) -> dict[str, Any]:
    """Set the facts of `root` on `entity`. A child fact that cannot describe a child of `age` (a
    pregnancy's facts for a born child, a school's for a baby: `model/ages.py`) keeps its
    no-concern value where another would be drawn, since the model refuses it (Semantics 14)."""
    for spec in settable(root):
        roll = rng.random()
        if known:
            worry = roll < concern
        elif roll < 0.65:
            continue  # left out: unknown
        elif roll < 0.67:
            set_path(entity, spec.path, "unknown")
            continue
        else:
            worry = roll < 0.67 + concern
        if worry and age is not None and age.intersect(applies_span(".".join(spec.path))).empty:
            worry = False
        set_path(entity, spec.path, _any(spec, rng) if worry else best_value(spec))
    return entity


def _age(rng: random.Random) -> dict[str, int]:
    return {"unborn_weeks": rng.randint(8, 40)} if rng.random() < 0.06 else {"age_months": rng.randint(0, 215)}


def _span(age: dict[str, int]) -> AgeSpan:
    months = age.get("age_months")
    return UNBORN_ONLY if months is None else AgeSpan(False, True, months, months)


def _child(index: int, rng: random.Random, *, known: bool, concern: float) -> dict[str, Any]:
    age = _age(rng)
    return _fill("child", {"id": f"c{index + 1}", **age}, rng, known=known, concern=concern, age=_span(age))


def household(rng: random.Random, index: int, *, known: bool = False, carers: int = 0, concern: float = 0.0) -> dict[str, Any]:
    """One household document. `known` sets every fact; `carers` fixes the number of carers (0: one or two);
    `concern` is the chance that a fact takes a random value rather than its least worrying one."""
    concern = concern or (0.04 if known else 0.03)
    n_carers = carers or rng.choice((1, 2, 2))
    document = {
        "reference": f"FICT-{index:07d}",
        "children": [_child(i, rng, known=known, concern=concern) for i in range(rng.choice((1, 1, 2, 2, 3, 4)))],
        "carers": [
            _fill("carer", {"id": f"a{i + 1}", "role": rng.choice(ROLES)}, rng, known=known, concern=concern)
            for i in range(n_carers)
        ],
        "home": _fill("home", {}, rng, known=known, concern=concern),
        "strengths": _fill("strengths", {}, rng, known=known, concern=0.5),
    }
    _fill("household", document, rng, known=known, concern=0.01)
    if known:
        document["consent"] = "given"
    return {"household": document}


def write_caseload(path: Path, count: int, *, seed: int = 7, distinct: int = 100_000) -> int:
    """Write `count` caseload households as JSON Lines; returns the bytes written.

    At most `distinct` different households are generated (Python generates a few thousand a
    second); beyond that they repeat, each with its own reference. The engine keeps nothing
    between households, so repeats cost it exactly what new ones would.
    """
    rng = random.Random(seed)
    lines: list[str] = []
    with path.open("w") as handle:
        for index in range(count):
            if index < distinct:
                line = json.dumps(household(rng, index), separators=(",", ":"))
                lines.append(line)
            else:
                line = lines[index % distinct].replace(f'"FICT-{index % distinct:07d}"', f'"FICT-{index:07d}"', 1)
            handle.write(line + "\n")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    size = write_caseload(arguments.path, arguments.count, seed=arguments.seed)
    print(f"{arguments.count:,} households, {size / 1e6:,.1f} MB: {arguments.path}")


if __name__ == "__main__":
    main()
