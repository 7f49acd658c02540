"""For each rule that decides practice probes, the tiers their publishers give: a calibration aid.

    python scripts/tier_evidence.py [-r RULEBOOK] [--only-misses]

For every descriptor or escalation that fires at a probe child's level, it prints the rule's
tier under the rulebook and, for each response tier, how many of the probes it decides have a
publisher who gave that tier (each probe counts for its own publisher, agreed or not), so a
policy lead sees where publishers place the lines a rule decides before changing its tier. It
never changes anything; a tier is changed in the library with a citation, by hand.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from needs_engine.authoring.practice import default_folder, read_practice
from needs_engine.engine.assess import assess
from needs_engine.model.tiers import TIERS
from needs_engine.rulebook.load import load_rulebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--rulebook", default="st-helens")
    parser.add_argument("--only-misses", action="store_true", help="Only rules whose tier is not the one most publishers give.")
    args = parser.parse_args()
    book = load_rulebook(args.rulebook)
    escalations = {escalation.id: escalation for escalation in book.escalations}
    decided: dict[str, list[tuple[str, frozenset]]] = defaultdict(list)
    tier_of: dict[str, str] = {}
    for probe in read_practice(default_folder()):
        assessment = assess(probe.situation, book)
        child = next(child for child in assessment.children if child.child_id == probe.child)
        for fired in child.fired:
            if fired.level == child.level:
                decided[fired.id].append((probe.id, probe.tiers))
                tier_of[fired.id] = book.by_id[fired.id].tier.value
        for applied in child.escalations:
            if applied.to == child.level:
                decided[applied.id].append((probe.id, probe.tiers))
                tier_of[applied.id] = escalations[applied.id].tier.value
    for rule, rows in sorted(decided.items()):
        counts = {tier.value: sum(tier in tiers for _, tiers in rows) for tier in TIERS}
        best = max(counts.values())
        winners = [name for name, count in counts.items() if count == best]
        if args.only_misses and tier_of[rule] in winners:
            continue
        shown = ", ".join(f"{name} {count}" for name, count in counts.items() if count)
        print(f"{rule} [{tier_of[rule]}] {len(rows)} probes: {shown}; most: {'/'.join(winners)}")
        for probe_id, tiers in rows:
            print(f"    {probe_id}: {'/'.join(sorted(t.value for t in tiers))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
