"""Sources cited at a level other than the descriptor's tier (issue 13, section 3).

For every library descriptor and every citation "<KEY>, Level N" of a publisher whose level scheme
is recorded in tests/practice (`scheme:`), either the descriptor's tier is among the tiers of that
level, or the six lines above the descriptor's `- id:` line hold a comment naming the publisher (its
key or its place name): a recorded disagreement between that publisher and the other sources.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.authoring.test_library_citations import LIBRARY, citations

PRACTICE = Path(__file__).resolve().parents[1] / "practice"
# Publisher key in library.yaml -> (its tests/practice file, its place name for comments).
PUBLISHERS = {
    "BUCKS-THR": ("buckinghamshire", "Buckinghamshire"),
    "HANTS-THR": ("hampshire", "Hampshire"),
    "ESX-LI": ("east-sussex", "East Sussex"),
    "LIV-LON": ("liverpool", "Liverpool"),
    "NORTHUMB-THR-2015": ("northumberland", "Northumberland"),
    "DEVON-ION": ("devon", "Devon"),
    "SH-EHS-2019": ("st-helens-seed", "St Helens"),
}
_CITED = re.compile(r"^(" + "|".join(map(re.escape, PUBLISHERS)) + r"),\s*Level\s*\d")
# Every level the citation names ("Level 3", "Level 3-4", "Level 3 ... and Level 4").
_LEVELS = re.compile(r"Level\s*(\d)(?:\s*[-–]\s*(\d))?\b")


@cache
def level_tiers(key: str) -> list[list[str]]:
    """The tiers of each of the publisher's levels, Level 1 first."""
    practice = yaml.safe_load((PRACTICE / f"{PUBLISHERS[key][0]}.yaml").read_text(encoding="utf-8"))
    return [entry["tiers"] for entry in practice["scheme"]]


def cited_levels() -> list[tuple[str, str, str, str, list[str], str]]:
    """(descriptor id, tier, key, level, that level's tiers, the comment lines above the id)."""
    found = []
    for path in sorted(LIBRARY.glob("*.yaml")):
        if path.name == "library.yaml":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        starts = {m.group(1): i for i, line in enumerate(lines) if (m := re.match(r"\s*- id:\s*(\S+)", line))}
        for descriptor in yaml.safe_load("\n".join(lines)).get("descriptors", []):
            above = lines[max(0, starts[descriptor["id"]] - 6) : starts[descriptor["id"]]]
            comments = "\n".join(line for line in above if line.lstrip().startswith("#"))
            for citation in citations(descriptor.get("source") or ""):
                if not (m := _CITED.match(citation)):
                    continue
                key, numbers = m.group(1), []
                for lv in _LEVELS.finditer(citation):
                    low = int(lv.group(1))
                    numbers += range(low, int(lv.group(2) or low) + 1)
                tiers = [t for n in sorted(set(numbers)) for t in level_tiers(key)[n - 1]]
                level = "/".join(str(n) for n in sorted(set(numbers)))
                found.append((descriptor["id"], descriptor["tier"], key, level, tiers, comments))
    return found


def test_schemes_are_read() -> None:
    assert level_tiers("HANTS-THR")[2] == ["multi_agency"]
    cited = {(did, key): level for did, _, key, level, _, _ in cited_levels()}
    assert cited[("health.pregnant_under_16", "HANTS-THR")] == "3/4"  # "HANTS-THR, Level 3-4"
    assert cited[("guidance_boundaries.failing", "BUCKS-THR")] == "3/4"  # "Level 3 ... and Level 4"
    assert len(cited_levels()) > 90  # 99 "<KEY>, Level N" citations when this test was written


@pytest.mark.parametrize("key", sorted(PUBLISHERS))
def test_cited_level_holds_the_tier_or_the_disagreement_is_recorded(key: str) -> None:
    unrecorded = [
        f"{did} ({tier}) cites {k}, Level {level} ({', '.join(tiers)})"
        for did, tier, k, level, tiers, comments in cited_levels()
        if k == key and tier not in tiers and key not in comments and PUBLISHERS[key][1] not in comments
    ]
    assert not unrecorded, "\n".join(unrecorded)
