"""One-off (issue 13): fold the descriptors each shipped rulebook still held locally into the library.

After scripts/migrate_to_library.py, descriptors whose conditions differed between Knowsley and
St Helens, or that only one had, stayed local. A third authority extending the library would
have none of them (no severe absence, no daily substance use), so they are folded in:
- every St Helens local descriptor moves to descriptors/england (its level read as a tier, as
  the migration read St Helens levels);
- a Knowsley local descriptor with the same id, or one that states the same concern under
  another id (DUPLICATES), is dropped: Knowsley follows the library entry;
- the other Knowsley-only descriptors move to the library with the tier their text calls for
  (KNOWSLEY_TIERS).
Entries are moved as text, comments with them, so nothing written about them is lost.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ST_HELENS_TIER = {
    "universal": "single_agency",
    "early_help": "multi_agency",
    "targeted": "child_in_need",
    "safeguarding": "child_protection",
}
DUPLICATES = {
    "basic_care.gcp2_grade_2": "red_flags.gcp2_grade_2",
    "basic_care.gcp2_grade_3": "red_flags.gcp2_grade_3",
    "basic_care.gcp2_grade_4": "red_flags.gcp2_grade_4",
    "ensuring_safety.breast_ironing_risk": "red_flags.breast_ironing_risk",
    "ensuring_safety.fgm_risk": "red_flags.fgm_risk",
    "ensuring_safety.honour_based_abuse_risk": "red_flags.honour_based_abuse_risk",
    "health.immunisations_catching_up": "health.immunisations_behind",
    "health.substance_dependent": "health.substance_daily",
}
KNOWSLEY_TIERS = {
    "universal": "single_agency",
    "early_help": "multi_agency",
    "targeted": "multi_agency",
    "safeguarding": "child_in_need",
}


def entries(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The file's head (domain and comments) and its entries as (id, text with leading comments)."""
    head, _, body = text.partition("descriptors:\n")
    blocks: list[tuple[str, str]] = []
    pending = ""
    current: list[str] = []
    ident = None
    for line in body.splitlines(keepends=True):
        if line.startswith("  - id:"):
            if ident is not None:
                blocks.append((ident, "".join(current)))
            ident = line.split(":", 1)[1].strip()
            current = [pending, line]
            pending = ""
        elif line.startswith("  #") or not line.strip():
            if ident is not None and current and not line.strip():
                current.append(line)
            else:
                pending += line
        else:
            current.append(line)
    if ident is not None:
        blocks.append((ident, "".join(current) + pending))
    return head + "descriptors:\n", blocks


def as_tier(block: str, mapping: dict[str, str]) -> str:
    return re.sub(r"^    level: (\w+)$", lambda m: f"    tier: {mapping[m.group(1)]}", block, count=1, flags=re.M)


def main() -> None:
    england = ROOT / "descriptors" / "england"
    moved: dict[str, list[str]] = {}
    st_ids: set[str] = set()
    for path in sorted((ROOT / "descriptors" / "st-helens").glob("*.yaml")):
        _, blocks = entries(path.read_text(encoding="utf-8"))
        for ident, block in blocks:
            st_ids.add(ident)
            moved.setdefault(path.stem, []).append(as_tier(block, ST_HELENS_TIER))
        path.unlink()
    for path in sorted((ROOT / "descriptors" / "knowsley").glob("*.yaml")):
        _, blocks = entries(path.read_text(encoding="utf-8"))
        for ident, block in blocks:
            if ident in st_ids or ident in DUPLICATES:
                continue
            moved.setdefault(path.stem, []).append(as_tier(block, KNOWSLEY_TIERS))
        path.unlink()
    for domain, blocks in moved.items():
        target = england / f"{domain}.yaml"
        if not target.exists():
            target.write_text(f"domain: {domain}\ndescriptors:\n", encoding="utf-8")
        text = target.read_text(encoding="utf-8").rstrip("\n") + "\n"
        text += "\n  # --- folded in from the shipped rulebooks' own files (scripts/unify_library.py) ---\n"
        text += "".join(block if block.endswith("\n") else block + "\n" for block in blocks)
        target.write_text(text, encoding="utf-8")
    for folder in ("st-helens", "knowsley"):
        path = ROOT / "descriptors" / folder
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()


TIER_RANK = {
    name: rank
    for rank, name in enumerate(["universal", "single_agency", "multi_agency", "child_in_need", "child_protection", "emergency"])
}


def order_rungs(path: Path) -> None:
    """Put each need's rungs in tier order within the file (stable), where the need first appears."""
    head, blocks = entries(path.read_text(encoding="utf-8"))
    groups: dict[str, list[str]] = {}
    for ident, block in blocks:
        need = re.search(r"^    need: (\S+)$", block, flags=re.M)
        groups.setdefault(need.group(1) if need else ident, []).append(block)

    def rank(block: str) -> int:
        tier = re.search(r"^    tier: (\w+)$", block, flags=re.M)
        return TIER_RANK[tier.group(1)] if tier else 0

    ordered = [block for rungs in groups.values() for block in sorted(rungs, key=rank)]
    path.write_text(head + "".join(b if b.endswith("\n") else b + "\n" for b in ordered), encoding="utf-8")


if __name__ == "__main__":
    main()
    for path in sorted((ROOT / "descriptors" / "england").glob("*.yaml")):
        if path.name != "library.yaml":
            order_rungs(path)
