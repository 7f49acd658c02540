"""Load a rulebook: read its YAML, validate it, compile every condition, and hash its content.

Every problem in every file is collected before anything is raised, each with file, line,
the offending text and (for names) the closest valid one. A rulebook that loads is immutable
and safe to share between threads.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ValidationError

from ..errors import ConditionError, Problem, RulebookError, unknown_name
from ..formats.yamlfile import YAMLProblem, line_of
from ..language.compile import Condition, compile_condition
from ..language.tree import negates
from ..model.catalogue import FactSpec, all_facts
from ..model.levels import Level
from ..model.tiers import Tier
from .book import Rulebook
from .filecache import read_file  # yamlfile.read_file, with parsed files kept between processes
from .library import LIBRARY_FILE, LOCAL, Origin, Placed, RulesPlace, descriptor_files, extend, find_library
from .parts import Applicable, Descriptor, Escalation, Mitigation, readers_of
from .schema import (
    CommonDescriptorFile,
    DescriptorFile,
    DomainEntry,
    LibraryFile,
    NotAConcernEntry,
    RulesFile,
)
from .thresholds import comparisons
from .tiers import PLAIN_TIERS, TierMap, mapping_problems, statutory

PACKAGE_DIR = Path(__file__).resolve().parent.parent


# --- locating rulebooks ---------------------------------------------------------------------


def content_roots() -> list[Path]:
    """Where shipped rulebooks live: inside the installed package, or the source checkout."""
    return [root for root in (PACKAGE_DIR / "_content", PACKAGE_DIR.parent) if (root / "rules").is_dir()]


def shipped_rulebooks() -> list[str]:
    """The ids of the rulebooks shipped with needs-engine."""
    names: set[str] = set()
    for root in content_roots()[:1]:
        names.update(path.stem for path in (root / "rules").glob("*.yaml"))
    return sorted(names)


def locate(name_or_path: Union[str, Path]) -> tuple[Path, Path]:
    """Resolve a rulebook id, a rules file, or a directory holding rules/ and descriptors/.

    A shipped id given as a plain string wins over a file or folder of the same name in the
    working directory (a screener's `knowsley/` case folder must not replace the rulebook);
    write `./knowsley` to mean the folder.
    """
    if isinstance(name_or_path, str) and name_or_path in shipped_rulebooks():
        root = content_roots()[0]
        return root / "rules" / f"{name_or_path}.yaml", root / "descriptors" / name_or_path
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate, candidate.parent.parent / "descriptors" / candidate.stem
    if candidate.is_dir():
        rules = sorted((candidate / "rules").glob("*.yaml"))
        if len(rules) != 1:
            raise RulebookError(
                [
                    Problem(
                        str(candidate), "a rulebook directory must hold exactly one rules/<id>.yaml", found=f"{len(rules)} files"
                    )
                ]
            )
        return rules[0], candidate / "descriptors" / rules[0].stem
    for root in content_roots():
        rules_file = root / "rules" / f"{name_or_path}.yaml"
        if rules_file.is_file():
            return rules_file, root / "descriptors" / str(name_or_path)
    raise RulebookError(
        [
            Problem(
                "rulebook",
                f"no rulebook called '{name_or_path}'",
                expected=", ".join(shipped_rulebooks()) or "a path to a rulebook",
            )
        ]
    )


@lru_cache(maxsize=16)
def _load_cached(rules_file: Path, descriptors_dir: Path, stamp: tuple[tuple[str, int, int], ...]) -> Rulebook:
    """Load once per process while the files are unchanged; between processes the compiled rulebook
    is kept in the user's cache, keyed by the bytes of every file in `stamp` (`rulebook/compiled.py`)."""
    from .compiled import cached_rulebook

    # Real paths: a loaded rulebook names its files by them, so two checkouts never share an entry.
    files = [str(rules_file), str(descriptors_dir), *(os.path.realpath(name) for name, _, _ in stamp)]
    return cached_rulebook(files, lambda: _Loader(rules_file, descriptors_dir).load())


def load_rulebook(name_or_path: Union[str, Path] = "knowsley") -> Rulebook:
    """Load (once, then from cache while the files are unchanged) a rulebook by id or path."""
    rules_file, descriptors_dir = locate(name_or_path)
    rules_stamp = _stamp(rules_file)
    library_id = _extends(rules_file, rules_stamp)
    library = find_library(rules_file, library_id, content_roots()) if library_id else None
    # The library's files are part of the stamp, so editing the library reloads every rulebook built on it.
    stamp = (rules_stamp, *_yaml_stamps(descriptors_dir), *(_yaml_stamps(library) if library else ()))
    return _load_cached(rules_file.resolve(), descriptors_dir.resolve(), stamp)


def _yaml_stamps(folder: Path) -> list[tuple[str, int, int]]:
    """The stamps of a folder's YAML files, in name order (none for a missing folder).

    Read with `os.scandir` on every `load_rulebook` call, cached or not: building and sorting a
    `Path` for each file cost more than the stats themselves."""
    try:
        with os.scandir(folder) as found:
            files = sorted((entry for entry in found if entry.name.endswith(".yaml")), key=lambda entry: entry.name)
    except OSError:
        return []
    return [_stamp_of(entry.path, entry) for entry in files]


@lru_cache(maxsize=64)
def _extends(rules_file: Path, stamp: tuple[str, int, int]) -> Optional[str]:
    """The `extends:` of a rules file, read again only when the file changes (the loader reports any problem)."""
    try:
        document = read_file(rules_file)
    except YAMLProblem:
        return None
    value = document.get("extends") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


def _stamp(path: Path) -> tuple[str, int, int]:
    """What identifies a file's version; a dangling symlink or a loop gets none, and the reader
    then refuses it naming the path."""
    return _stamp_of(str(path), None)


def _stamp_of(name: str, entry: Optional[os.DirEntry[str]]) -> tuple[str, int, int]:
    try:
        found = entry.stat() if entry is not None else os.stat(name)
    except OSError:
        return name, -1, -1
    return name, found.st_mtime_ns, found.st_size


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Library:
    """A library as read: its file, its model and its descriptors."""

    file: Path
    model: LibraryFile
    document: Any
    entries: list[Placed]


class _Loader:
    def __init__(self, rules_file: Path, descriptors_dir: Path) -> None:
        self.rules_file = rules_file
        self.descriptors_dir = descriptors_dir
        self.problems: list[Problem] = []
        self.tiers_sound = True

    def load(self) -> Rulebook:
        rules, rules_doc = self.read_model(self.rules_file, RulesFile)
        library = self.read_library(rules.extends) if rules is not None and rules.extends else None
        domains = {**(library.model.domains if library else {}), **(rules.domains if rules else {})}
        local = self.read_descriptor_files(self.descriptors_dir, DescriptorFile, domains, required=library is None)
        if rules is None:
            raise RulebookError(self.problems, source=str(self.rules_file))
        where = RulesPlace(str(self.rules_file), lambda loc: line_of(rules_doc, loc))
        placed, excluded = extend(library.entries, local, rules, where, self.problems) if library else (local, ())
        tier_map = self.check_tiers(rules, where)
        descriptors = self.compile_descriptors(placed, rules, where, tier_map)
        needs = self.check_needs(descriptors, placed)
        ranked = {rung.id: replace(rung, rung=index) for rungs in needs.values() for index, rung in enumerate(rungs)}
        descriptors = tuple(ranked.get(d.id, d) for d in descriptors)
        needs = {need: tuple(ranked[rung.id] for rung in rungs) for need, rungs in needs.items()}
        escalations = tuple(
            e
            for e in (self.compile_escalation(index, entry, where, tier_map) for index, entry in enumerate(rules.escalations))
            if e
        )
        targets = _Targets(descriptors, needs, escalations, set(domains))
        mitigations = tuple(
            self.compile_mitigation(index, entry, rules_doc, targets) for index, entry in enumerate(rules.mitigations)
        )
        urgent = self.compile(rules.urgent.when, self.rules_file, line_of(rules_doc, ("urgent", "when")))
        not_a_concern, not_a_concern_at = self.check_not_a_concern(library, rules, rules_doc)
        sources = self.merge_sources(library, rules, where)
        if self.problems:
            raise RulebookError(self.problems, source=str(self.rules_file))
        assert urgent is not None
        by_id = {descriptor.id: descriptor for descriptor in descriptors}
        readers: list[Union[Descriptor, Escalation]] = [*descriptors, *(e for e in escalations if e.applies is not None)]
        return Rulebook(
            id=rules.id,
            name=rules.name,
            version=rules.version,
            summary=rules.summary,
            content_hash=_content_hash(rules, placed, library.model if library else None),
            levels={
                level: entry.model_copy(update={"statutory": statutory(entry.tiers)}) for level, entry in rules.levels.items()
            },
            domains=domains,
            descriptors=descriptors,
            escalations=escalations,
            mitigations=tuple(m for m in mitigations if m is not None),
            consent=rules.consent,
            urgent=rules.urgent,
            urgent_condition=urgent,
            sources=sources,
            path=str(self.rules_file),
            by_id=by_id,
            not_a_concern=not_a_concern,
            step_down=rules.step_down,
            needs={need: rungs for need, rungs in needs.items() if len(rungs) > 1},
            thresholds=comparisons(item.applies.condition for item in readers if item.applies is not None),
            readers=readers_of(readers),
            tier_map=tier_map,
            library=f"{library.model.id} {library.model.version}" if library else None,
            excluded=excluded,
            not_a_concern_at=not_a_concern_at,
        )

    def read_model(self, path: Path, model: type[BaseModel]) -> tuple[Any, Any]:
        try:
            document = read_file(path)
        except YAMLProblem as exc:
            self.problems.append(exc.problem)
            return None, None
        if not isinstance(document, dict):
            self.problems.append(Problem(str(path), "expected a mapping at the top of the file", code="shape"))
            return None, document
        try:
            return model.model_validate(document), document
        except ValidationError as exc:
            for error in exc.errors():
                loc = tuple(error["loc"])
                line = line_of(document, loc)
                where = f"{path}:{line}" if line else str(path)
                dotted = ".".join(str(part) for part in loc)
                self.problems.append(Problem(where, f"{dotted}: {error['msg']}" if dotted else error["msg"], code=error["type"]))
            return None, document

    def read_library(self, library_id: str) -> Optional[_Library]:
        """The library the rules file extends, with its descriptors, or None (a problem says why)."""
        folder = find_library(self.rules_file, library_id, content_roots())
        if folder is None:
            self.problems.append(
                Problem(
                    str(self.rules_file),
                    f"extends: no library called '{library_id}'",
                    code="reference",
                    expected=f"descriptors/{library_id}/{LIBRARY_FILE} beside the rulebook or among the shipped rulebooks",
                )
            )
            return None
        model, document = self.read_model(folder / LIBRARY_FILE, LibraryFile)
        if model is None:
            return None
        if model.id != library_id:
            self.problems.append(
                Problem(
                    f"{folder / LIBRARY_FILE}:{line_of(document, ('id',))}",
                    f"library id '{model.id}' must match its folder '{library_id}'",
                )
            )
        entries = self.read_descriptor_files(folder, CommonDescriptorFile, model.domains, required=True, common=True)
        return _Library(folder / LIBRARY_FILE, model, document, entries)

    def read_descriptor_files(
        self,
        folder: Path,
        file_model: type[BaseModel],
        domains: dict[str, DomainEntry],
        *,
        required: bool,
        common: bool = False,
    ) -> list[Placed]:
        """Every descriptor of a folder's domain files. A rulebook extending a library may have none of its own."""
        if not folder.is_dir():
            if required:
                self.problems.append(Problem(str(folder), "descriptor directory not found", code="missing"))
            return []
        entries: list[Placed] = []
        seen: dict[str, str] = {}
        for path in descriptor_files(folder):
            parsed, document = self.read_model(path, file_model)
            if parsed is None:
                continue
            self.check_domain(path, parsed.domain, document, domains)
            for index, entry in enumerate(parsed.descriptors):
                line = line_of(document, ("descriptors", index)) or 0
                where = f"{path}:{line}"
                if entry.id.split(".")[0] != parsed.domain:
                    self.problems.append(
                        Problem(where, f"descriptor id '{entry.id}' must start with its domain '{parsed.domain}.'")
                    )
                if entry.id in seen:
                    self.problems.append(
                        Problem(where, f"duplicate descriptor id '{entry.id}'", found=f"also at {seen[entry.id]}")
                    )
                seen[entry.id] = where
                when_line = line_of(document, ("descriptors", index, "when")) or line
                entries.append(Placed(parsed.domain, entry, str(path), when_line, Origin(entry, where) if common else LOCAL))
        if not entries and not self.problems and required:
            self.problems.append(Problem(str(folder), "no descriptor files found", code="missing"))
        return entries

    def check_domain(self, path: Path, domain: str, document: Any, domains: dict[str, DomainEntry]) -> None:
        """A descriptor file is named for its domain, and the domain is declared."""
        line = line_of(document, ("domain",))
        where = f"{path}:{line}" if line else str(path)
        if domain != path.stem:
            self.problems.append(Problem(where, f"domain '{domain}' must match the file name '{path.stem}'"))
        if domains and domain not in domains:
            message = f"domain '{domain}' is not declared in the rules file"
            self.problems.append(unknown_name(where, message, domain, domains, expected=", ".join(domains)))

    def check_tiers(self, rules: RulesFile, where: RulesPlace) -> TierMap:
        """The levels' tier mapping, each problem at its level's `tiers:` line."""
        tiers = {level: tuple(entry.tiers) for level, entry in rules.levels.items()}
        stated = {level: entry.statutory for level, entry in rules.levels.items()}
        found = mapping_problems(tiers, stated)
        for level, messages in found.items():
            for message in messages:
                self.problems.append(
                    Problem(where.at(("levels", level.value, "tiers")), f"levels.{level.value}: {message}", code="tiers")
                )
        # With a broken mapping the load fails anyway; the rest is checked against a sound one so
        # that every other problem is still found, and none is reported twice.
        self.tiers_sound = not found
        return TierMap(tiers) if not found else PLAIN_TIERS

    def compile(self, text: str, path: Path | str, line: Optional[int]) -> Optional[Condition]:
        try:
            condition = compile_condition(text)
        except ConditionError as exc:
            self.problems.append(
                Problem(
                    f"{path}:{line}" if line else str(path),
                    str(exc),
                    code="condition",
                    expected=exc.expected,
                    suggestion=exc.suggestion,
                )
            )
            return None
        where = f"{path}:{line}" if line else str(path)
        if "household.consent" in condition.facts:
            self.problems.append(
                Problem(where, "a condition may not read household.consent: consent never changes a level", code="consent")
            )
            return None
        if "child.age_months" in condition.facts:
            self.problems.append(
                Problem(
                    where,
                    "a condition may not read child.age_months: restrict by age with an `age:` band, "
                    "which also decides children whose age is known only roughly",
                    code="age",
                )
            )
            return None
        return condition

    def compile_descriptors(
        self, placed: list[Placed], rules: RulesFile, where: RulesPlace, tier_map: TierMap
    ) -> tuple[Descriptor, ...]:
        red_flags = set(rules.red_flags)
        compiled = []
        for item in placed:
            entry = item.entry
            condition = self.compile(entry.when, item.file, item.line)
            placement = self.place(item, tier_map, red_flag=entry.id in red_flags)
            if condition is None or placement is None:
                continue
            level, tier = placement
            compiled.append(
                Descriptor(
                    id=entry.id,
                    level=level,
                    domain=item.domain,
                    text=entry.text,
                    source=entry.source,
                    applies=Applicable(condition, entry.age),
                    floor=entry.floor or entry.id in red_flags,
                    red_flag=entry.id in red_flags,
                    file=item.file,
                    line=item.line,
                    need=entry.need or entry.id,
                    never_mitigable=never_mitigable_reason(
                        level, item.domain, entry.text, condition, red_flag=entry.id in red_flags
                    ),
                    tier=tier,
                    origin=item.origin,
                )
            )
        by_id = {d.id: d for d in compiled}
        known_ids = {item.entry.id for item in placed}
        for index, flag_id in enumerate(rules.red_flags):
            at = where.at(("red_flags", index))
            if flag_id not in known_ids:
                self.problems.append(unknown_name(at, f"red flag '{flag_id}' is not a descriptor id", flag_id, sorted(known_ids)))
            elif flag_id in by_id and by_id[flag_id].level is not Level.safeguarding:
                self.problems.append(
                    Problem(
                        at,
                        f"red flag '{flag_id}' must be a safeguarding descriptor",
                        found=by_id[flag_id].level.value,
                    )
                )
        return tuple(sorted(compiled, key=lambda d: d.id))

    def place(self, item: Placed, tier_map: TierMap, *, red_flag: bool) -> Optional[tuple[Level, Tier]]:
        """A descriptor's level and tier here (None, with a problem, when they disagree).

        The level is the one stated (a local descriptor's, or an override's), else the lowest
        level covering the tier. The tier is the one stated, else the lowest its level covers, and
        always one its level covers: a common descriptor kept at another level by an override
        reports the nearest tier of that level. A red flag is child protection at least."""
        entry, override = item.entry, item.origin.override
        level = entry.level or tier_map.level_for(entry.tier)  # type: ignore[arg-type]
        stated_both = override.level and override.tier if override else entry.level and entry.tier
        if stated_both and self.tiers_sound and entry.tier not in tier_map.tiers_of(level):
            at = item.origin.override_at if override else f"{item.file}:{item.line}"
            self.problems.append(
                Problem(
                    at,
                    f"descriptor '{entry.id}': level {level.value} does not cover tier {entry.tier.value}",  # type: ignore[union-attr]
                    code="tiers",
                    expected=f"one of {', '.join(t.value for t in tier_map.tiers_of(level))}, or give only one of level and tier",
                )
            )
            return None
        tier = entry.tier or tier_map.tiers_of(level)[0]
        if red_flag:
            tier = max(tier, Tier.child_protection)
        return level, tier_map.clamp(tier, level)

    def compile_escalation(self, index: int, entry: Any, where: RulesPlace, tier_map: TierMap) -> Optional[Escalation]:
        if self.tiers_sound and entry.tier not in tier_map.tiers_of(entry.to):
            self.problems.append(
                Problem(
                    where.at(("escalations", index, "tier")),
                    f"escalation '{entry.id}': to {entry.to.value} does not cover tier {entry.tier.value}",
                    code="tiers",
                    expected=f"one of {', '.join(t.value for t in tier_map.tiers_of(entry.to))}",
                )
            )
        applies = None
        if entry.when is not None:
            condition = self.compile(entry.when, self.rules_file, where.line(("escalations", index, "when")))
            if condition is None:
                return None
            applies = Applicable(condition, entry.age)
        reason = (
            never_mitigable_reason(entry.to, "", entry.text, applies.condition, red_flag=False) if applies is not None else None
        )
        if reason is None and RE_SOCIAL_CARE.search(entry.text):
            reason = NEVER_MITIGABLE["social_care"]
        return Escalation(entry.id, entry.text, entry.source, entry.to, applies, entry.descriptors, reason, entry.tier)

    def compile_mitigation(self, index: int, entry: Any, document: Any, targets: _Targets) -> Optional[Mitigation]:
        line = line_of(document, ("mitigations", index, "when"))
        condition = self.compile(entry.when, self.rules_file, line)
        if condition is None:
            return None
        not_strengths = sorted(name for name in condition.facts if not name.startswith("strengths."))
        if not_strengths:
            # A mitigation that read a concern could lower a level when that concern worsened.
            self.problems.append(
                Problem(f"{self.rules_file}:{line}", "a mitigation may only name strengths", found=", ".join(not_strengths))
            )
            return None
        if negates(condition.tree):
            # Negating a strength would let adding a strength raise a level.
            self.problems.append(
                Problem(f"{self.rules_file}:{line}", "a mitigation may not negate a strength (no 'not', '!=' or 'not in')")
            )
            return None
        lowers_line = line_of(document, ("mitigations", index, "lowers")) or line
        where = f"{self.rules_file}:{lowers_line}"
        lowered: set[str] = set()
        for name in entry.lowers:
            found = targets.expand(name)
            if found is None:
                close = difflib.get_close_matches(name, targets.names(), n=1, cutoff=0.6)
                self.problems.append(
                    Problem(
                        where,
                        f"mitigation '{entry.id}' lowers '{name}', which is no descriptor, need, escalation or domain",
                        code="reference",
                        suggestion=close[0] if close else None,
                    )
                )
                continue
            named_directly = len(found) == 1 and found[0][0] == name
            for item_id, reason in found:
                if reason is not None and not named_directly:
                    continue  # a need or domain covers only what may be lowered in it
                if reason is not None:
                    self.problems.append(
                        Problem(
                            where,
                            f"mitigation '{entry.id}' may not lower '{item_id}' (named by '{name}'): {reason}, "
                            "which no strength may lower (Semantics 13)",
                            code="never_mitigable",
                        )
                    )
                lowered.add(item_id)
        return Mitigation(entry.id, entry.text, entry.source, condition, frozenset(entry.lowers_from), frozenset(lowered))

    def check_needs(self, descriptors: tuple[Descriptor, ...], placed: list[Placed]) -> dict[str, tuple[Descriptor, ...]]:
        """Group descriptors into needs, rungs in file order, and check each ladder: levels and
        tiers that never go down a rung within a file, and rungs that read the fact the lowest
        rung reads."""
        by_id = {d.id: d for d in descriptors}
        needs: dict[str, list[Descriptor]] = {}
        for item in placed:
            if item.entry.id in by_id:
                needs.setdefault(item.entry.need or item.entry.id, []).append(by_id[item.entry.id])
        for need, rungs in needs.items():
            if len(rungs) == 1 and rungs[0].id == need:
                continue
            if need in by_id and by_id[need] not in rungs:
                self.problems.append(Problem(_at(rungs[0]), f"need '{need}' is the id of a descriptor outside the need"))
            domains = sorted({rung.domain for rung in rungs})
            if need.split(".")[0] not in domains:
                self.problems.append(
                    Problem(
                        _at(rungs[0]),
                        f"need '{need}' must be named for the domain of one of its rungs",
                        found=", ".join(domains),
                    )
                )
            for lower, higher in zip(rungs, rungs[1:], strict=False):
                if higher.file == lower.file and _severity(higher) < _severity(lower):
                    self.problems.append(
                        Problem(
                            _at(higher),
                            f"need '{need}': rung '{higher.id}' ({higher.level.value}, {higher.tier.value}) comes after "
                            f"'{lower.id}' ({lower.level.value}, {lower.tier.value}); rungs go from least to most severe, "
                            "in level and in tier, in file order",
                            code="ladder",
                        )
                    )
            # A need's rungs may sit in more than one file (a risk in its own domain, the
            # occurrence among the red flags; a common ladder with a local rung): across files
            # they are ranked by level, then tier, the library's first where those are equal.
            rungs.sort(key=_severity)
            first = rungs[0].applies.condition.facts
            for rung in rungs[1:]:
                if not first & rung.applies.condition.facts:
                    self.problems.append(
                        Problem(
                            _at(rung),
                            f"need '{need}': rung '{rung.id}' reads none of the facts of its first rung '{rungs[0].id}'",
                            expected=", ".join(sorted(first)),
                            code="ladder",
                        )
                    )
        return {need: tuple(rungs) for need, rungs in needs.items()}

    def check_not_a_concern(
        self, library: Optional[_Library], rules: RulesFile, rules_doc: Any
    ) -> tuple[tuple[NotAConcernEntry, ...], tuple[str, ...]]:
        """The library's `not_a_concern` entries then the rules file's, each checked, with where each is written."""
        written = [(library.file, library.document, library.model.not_a_concern)] if library else []
        written.append((self.rules_file, rules_doc, rules.not_a_concern))
        entries: list[NotAConcernEntry] = []
        places: list[str] = []
        for file, document, found in written:
            for index, entry in enumerate(found):
                line = line_of(document, ("not_a_concern", index, "fact"))
                places.append(f"{file}:{line}" if line else str(file))
                entries.append(entry)
                self.check_allowance(entry, file, document, index)
        return tuple(entries), tuple(places)

    def check_allowance(self, entry: NotAConcernEntry, file: Path, document: Any, index: int) -> None:
        """A `not_a_concern` entry must name a concern fact and one of its worse values."""
        line = line_of(document, ("not_a_concern", index, "fact"))
        where = f"{file}:{line}" if line else str(file)
        concerns = {spec.dotted: spec for spec in all_facts() if spec.is_concern and spec.root != "strengths"}
        spec = concerns.get(entry.fact)
        if spec is None:
            expected = "a fact of child, carer, home or household with a worse value (see `needs schema`)"
            message = f"not_a_concern: '{entry.fact}' is not a concern fact"
            self.problems.append(unknown_name(where, message, entry.fact, concerns, expected=expected))
            return
        expected = _worse_values_expected(spec)
        if not _is_worse_value(spec, entry.value):
            line = line_of(document, ("not_a_concern", index, "value")) or line
            self.problems.append(
                Problem(
                    f"{file}:{line}" if line else str(file),
                    f"not_a_concern: {entry.value!r} is not a value of '{entry.fact}' worse than its best",
                    code="value",
                    found=repr(entry.value),
                    expected=expected,
                )
            )

    def merge_sources(self, library: Optional[_Library], rules: RulesFile, where: RulesPlace) -> dict[str, str]:
        """The library's citation keys and the rules file's; a local key may add a document, never
        give a library key another one."""
        merged = dict(library.model.sources) if library else {}
        for key, title in rules.sources.items():
            if key in merged and merged[key] != title:
                assert library is not None
                self.problems.append(
                    Problem(
                        where.at(("sources", key)),
                        f"sources: '{key}' is defined by the library ({library.file}:{line_of(library.document, ('sources', key))}) "
                        "as another document; use the library's key or a new one",
                        code="redefined",
                        found=title,
                        expected=merged[key],
                    )
                )
            merged[key] = title
        return merged


def _severity(descriptor: Descriptor) -> tuple[int, int]:
    """How a rung ranks on its need's ladder: by level, then by tier."""
    return descriptor.level.rank, descriptor.tier.rank


def _at(descriptor: Descriptor) -> str:
    return f"{descriptor.file}:{descriptor.line}"


class _Targets:
    """What a mitigation's `lowers` names may be: descriptor, need, escalation or domain ids."""

    def __init__(
        self,
        descriptors: tuple[Descriptor, ...],
        needs: dict[str, tuple[Descriptor, ...]],
        escalations: tuple[Escalation, ...],
        domains: set[str],
    ) -> None:
        self.items: dict[str, list[tuple[str, Optional[str]]]] = {}
        for descriptor in descriptors:
            self.items[descriptor.id] = [(descriptor.id, descriptor.never_mitigable)]
            self.items.setdefault(f"domain:{descriptor.domain}", []).append((descriptor.id, descriptor.never_mitigable))
        for need, rungs in needs.items():
            self.items.setdefault(need, [(rung.id, rung.never_mitigable) for rung in rungs])
        for escalation in escalations:
            self.items[escalation.id] = [(escalation.id, escalation.never_mitigable)]
        self.domains = domains

    def expand(self, name: str) -> Optional[list[tuple[str, Optional[str]]]]:
        if name in self.items:
            return self.items[name]
        if name in self.domains:
            return self.items.get(f"domain:{name}", [])
        return None

    def names(self) -> list[str]:
        return [name for name in self.items if not name.startswith("domain:")] + sorted(self.domains)


RE_SOCIAL_CARE = re.compile(r"social care", re.IGNORECASE)

NEVER_MITIGABLE = {
    "red_flag": "a red flag",
    "extra_familial": "extra-familial harm at Targeted or above (contextual safeguarding)",
    "marac": "domestic abuse meeting Marac criteria (three or more incidents in 12 months, or a DASH score of 14 or more)",
    "previous_removal": "previous children removed or a previous child protection plan",
    "suicide": "a suicide attempt or serious self-harm",
    "social_care": "its text says Children's Social Care must act",
}
"""What no strength may lower, whatever a rules file says (Semantics 13)."""

MARAC_LEAST = {"home.domestic_abuse.incidents_12m": 3, "home.domestic_abuse.dash_score": 14}
"""SafeLives Marac criteria: 'potential escalation' (three or more incidents in 12 months) and
high risk on the Dash checklist (14 or more ticks)."""


def never_mitigable_reason(level: Level, domain: str, text: str, condition: Condition, *, red_flag: bool) -> Optional[str]:
    """Why a descriptor (or an escalation: `domain` "") may never be lowered, or None.

    Read from what the item is and what its condition tests: a test that passes only at Marac
    levels, only for a suicide attempt or serious self-harm, or for previous children removed."""
    if red_flag:
        return NEVER_MITIGABLE["red_flag"]
    efh = domain == "extra_familial_harm" or (not domain and any(f.startswith("child.extra_familial.") for f in condition.facts))
    if efh and level >= Level.targeted:
        return NEVER_MITIGABLE["extra_familial"]
    for leaf in condition.leaves:
        least = MARAC_LEAST.get(leaf.fact)
        if least is not None:
            passing = [v for v in range(int(leaf.spec.minimum or 0), int(leaf.spec.maximum or 0) + 1) if leaf.passes(v)]
            if passing and min(passing) >= least:
                return NEVER_MITIGABLE["marac"]
        if leaf.fact == "carer.previous_children_removed" and leaf.passes(True):
            return NEVER_MITIGABLE["previous_removal"]
        if leaf.fact == "child.case.previous_cp_plan" and leaf.spec.choices is not None:
            if any(leaf.passes(m) for m in list(leaf.spec.choices)[1:]):
                return NEVER_MITIGABLE["previous_removal"]
        if leaf.fact == "child.emotional.self_harm" and leaf.spec.choices is not None:
            passing = [m.value for m in leaf.spec.choices if leaf.passes(m)]
            if passing and set(passing) <= {"serious_or_attempt"}:
                return NEVER_MITIGABLE["suicide"]
        if leaf.fact == "child.emotional.suicidality" and leaf.spec.choices is not None:
            passing = [m.value for m in leaf.spec.choices if leaf.passes(m)]
            if passing and set(passing) <= {"attempt"}:
                return NEVER_MITIGABLE["suicide"]
    if domain and RE_SOCIAL_CARE.search(text):
        return NEVER_MITIGABLE["social_care"]
    return None


def _is_worse_value(spec: FactSpec, value: Any) -> bool:
    """Whether `value` is a value of `spec` other than its best (no-concern) one."""
    if spec.kind == "flag":
        return value is True
    if spec.choices is not None:
        names = [member.value for member in spec.choices]
        return isinstance(value, str) and value in names[1:]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    low, high = spec.minimum, spec.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return False
    if spec.direction == "higher_is_worse":
        return low is None or value > low
    return high is None or value < high


def _worse_values_expected(spec: FactSpec) -> str:
    if spec.kind == "flag":
        return "true"
    if spec.choices is not None:
        return "one of " + ", ".join(member.value for member in list(spec.choices)[1:])
    side = "above" if spec.direction == "higher_is_worse" else "below"
    best = spec.minimum if spec.direction == "higher_is_worse" else spec.maximum
    return f"a number from {spec.minimum:g} to {spec.maximum:g}, {side} {best:g}"


def _content_hash(rules: RulesFile, placed: list[Placed], library: Optional[LibraryFile]) -> str:
    """A hash of the rulebook's meaning, independent of file layout and descriptor order: the rules
    file, the library it extends, and every descriptor as this rulebook uses it."""
    canonical = {
        "rules": rules.model_dump(mode="json"),
        "library": library.model_dump(mode="json") if library else None,
        "descriptors": sorted(
            ({"domain": item.domain, "origin": item.origin.kind, **item.entry.model_dump(mode="json")} for item in placed),
            key=lambda item: item["id"],
        ),
    }
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()
