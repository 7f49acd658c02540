"""Load a rulebook: read its YAML, validate it, compile every condition, and hash its content.

Every problem in every file is collected before anything is raised, each with file, line,
the offending text and (for names) the closest valid one. A rulebook that loads is immutable
and safe to share between threads.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import BaseModel, ValidationError

from ..errors import ConditionError, Problem, RulebookError
from ..language.compile import Condition, Env, FactRead, compile_condition
from ..language.logic import Truth
from ..model.ages import MAX_AGE_MONTHS, AgeSpan
from ..model.catalogue import FactSpec, all_facts, facts_by_root
from ..model.levels import Level
from ..yamlfile import YAMLProblem, line_of
from .filecache import read_file  # yamlfile.read_file, with parsed files kept between processes
from .schema import (
    AgeBand,
    ConsentGuidance,
    DescriptorCount,
    DescriptorEntry,
    DescriptorFile,
    DomainEntry,
    LevelEntry,
    NotAConcernEntry,
    RulesFile,
    Urgent,
)
from .tables import RuleTables, rule_tables
from .thresholds import Comparisons, comparisons

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Applicable:
    """A condition restricted to an age band: what descriptors and escalations evaluate."""

    condition: Condition
    age: Optional[AgeBand]

    def fast(self, env: Env) -> Truth:
        in_band = in_age_band(self.age, env.span)
        if in_band is False:
            return False
        value = self.condition.fast(env)
        if value is False:
            return False
        return None if (in_band is None or value is None) else True

    def trace(self, env: Env) -> tuple[Truth, tuple[FactRead, ...]]:
        in_band = in_age_band(self.age, env.span)
        if in_band is False:
            return False, ()
        value, reads = self.condition.trace(env)
        if value is False:
            return False, reads
        if in_band is None:
            return None, (*reads, FactRead(f"child:{env.child.id}", facts_by_root()["child"][("age_months",)], None))
        return value, reads


def in_age_band(band: Optional[AgeBand], span: AgeSpan) -> Truth:
    """Whether a child whose age is `span` is in `band` (None: any age): True when every age the
    span allows is inside, False when every one is outside, unknown only when it straddles (Semantics 11)."""
    if band is None:
        return True
    inside = outside = False
    if span.may_be_unborn:
        if band.unborn == "exclude":
            outside = True
        else:
            inside = True
    if span.may_be_born and span.low <= span.high:
        if band.unborn == "only":
            outside = True
        else:
            low = band.min_months if band.min_months is not None else 0
            high = band.max_months if band.max_months is not None else MAX_AGE_MONTHS
            if span.low >= low and span.high <= high:
                inside = True
            elif span.high < low or span.low > high:
                outside = True
            else:
                inside = outside = True
    if inside and outside:
        return None
    return inside


@dataclass(frozen=True)
class Descriptor:
    """A compiled threshold descriptor."""

    id: str
    level: Level
    domain: str
    text: str
    source: str
    applies: Applicable
    floor: bool
    red_flag: bool
    file: str
    line: int
    need: str = ""
    """The need this descriptor is a rung of (its own id when it stands alone)."""
    rung: int = 0
    """Its place on the need's ladder, 0 the least severe (rungs of one level are told apart by it)."""
    never_mitigable: Optional[str] = None
    """Why no strength may lower it (Semantics 13), or None when a rules file may name it in a mitigation."""

    @property
    def age(self) -> Optional[AgeBand]:
        """The age band the descriptor applies to (None: any age), as its `applies` checks it."""
        return self.applies.age


@dataclass(frozen=True)
class Escalation:
    """A compiled escalation rule: a condition, or a count of fired descriptors."""

    id: str
    text: str
    source: str
    to: Level
    applies: Optional[Applicable]
    count: Optional[DescriptorCount]
    never_mitigable: Optional[str] = None


@dataclass(frozen=True)
class Mitigation:
    """A compiled mitigation: strengths that may lower the level one step."""

    id: str
    text: str
    source: str
    condition: Condition
    lowers_from: frozenset[Level]
    lowers: frozenset[str] = frozenset()
    """The descriptor and escalation ids it may lower (its `lowers` names, expanded)."""


@dataclass(frozen=True)
class Rulebook:
    """A loaded rulebook, ready to assess with."""

    id: str
    name: str
    version: str
    summary: str
    content_hash: str
    levels: dict[Level, LevelEntry]
    domains: dict[str, DomainEntry]
    descriptors: tuple[Descriptor, ...]
    escalations: tuple[Escalation, ...]
    mitigations: tuple[Mitigation, ...]
    consent: ConsentGuidance
    urgent: Urgent
    urgent_condition: Condition
    sources: dict[str, str]
    path: str
    by_id: dict[str, Descriptor] = field(repr=False, default_factory=dict)
    not_a_concern: tuple[NotAConcernEntry, ...] = ()
    """Values the rulebook deliberately does not treat as concerns (read by `needs rules lint`)."""
    needs: dict[str, tuple[Descriptor, ...]] = field(repr=False, default_factory=dict)
    """Every need with more than one rung: its descriptors, lowest rung first (Semantics 12)."""
    thresholds: Comparisons = field(repr=False, default_factory=dict)
    """Where the descriptors and escalations draw lines on each number fact (`rulebook/thresholds.py`)."""
    readers: dict[str, tuple[Union[Descriptor, Escalation], ...]] = field(repr=False, default_factory=dict)
    """For each fact (siblings' as `child.…`), the descriptors and condition escalations that read it."""
    tables: RuleTables = field(init=False, repr=False, compare=False)
    """The descriptors and escalations indexed for the assessment's inner loops (`rulebook/tables.py`)."""
    derived: dict[str, Any] = field(init=False, repr=False, compare=False)
    """What the engine derives from this rulebook on first use (its generated evaluation code), kept
    with the rulebook rather than in a module-level cache, and empty again for a `replace` copy."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tables", rule_tables(self.descriptors, self.escalations))
        object.__setattr__(self, "derived", {})

    def label(self, level: Level) -> str:
        """The level's label in this rulebook, with its Thrive-style name if it has one."""
        entry = self.levels[level]
        return f"{entry.label} ({entry.name})" if entry.name else entry.label


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
    return _Loader(rules_file, descriptors_dir).load()


def load_rulebook(name_or_path: Union[str, Path] = "knowsley") -> Rulebook:
    """Load (once, then from cache while the files are unchanged) a rulebook by id or path."""
    rules_file, descriptors_dir = locate(name_or_path)
    files = [rules_file, *sorted(descriptors_dir.glob("*.yaml"))] if descriptors_dir.is_dir() else [rules_file]
    stamp = tuple(_stamp(p) for p in files)
    return _load_cached(rules_file.resolve(), descriptors_dir.resolve(), stamp)


def _stamp(path: Path) -> tuple[str, int, int]:
    """What identifies a file's version; a dangling symlink or a loop gets none, and the reader
    then refuses it naming the path."""
    try:
        found = path.stat()
    except OSError:
        return str(path), -1, -1
    return str(path), found.st_mtime_ns, found.st_size


# --- loading --------------------------------------------------------------------------------


class _Loader:
    def __init__(self, rules_file: Path, descriptors_dir: Path) -> None:
        self.rules_file = rules_file
        self.descriptors_dir = descriptors_dir
        self.problems: list[Problem] = []

    def load(self) -> Rulebook:
        rules, rules_doc = self.read_model(self.rules_file, RulesFile)
        entries = self.read_descriptor_files(rules)
        if rules is None:
            raise RulebookError(self.problems, source=str(self.rules_file))
        descriptors = self.compile_descriptors(entries, rules, rules_doc)
        needs = self.check_needs(descriptors, entries)
        ranked = {rung.id: replace(rung, rung=index) for rungs in needs.values() for index, rung in enumerate(rungs)}
        descriptors = tuple(ranked.get(d.id, d) for d in descriptors)
        needs = {need: tuple(ranked[rung.id] for rung in rungs) for need, rungs in needs.items()}
        escalations = tuple(
            e for e in (self.compile_escalation(index, entry, rules_doc) for index, entry in enumerate(rules.escalations)) if e
        )
        targets = _Targets(descriptors, needs, escalations, set(rules.domains))
        mitigations = tuple(
            self.compile_mitigation(index, entry, rules_doc, targets) for index, entry in enumerate(rules.mitigations)
        )
        urgent = self.compile(rules.urgent.when, self.rules_file, line_of(rules_doc, ("urgent", "when")))
        for index, allowance in enumerate(rules.not_a_concern):
            self.check_not_a_concern(index, allowance, rules_doc)
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
            content_hash=_content_hash(rules, entries),
            levels=dict(rules.levels),
            domains=dict(rules.domains),
            descriptors=descriptors,
            escalations=escalations,
            mitigations=tuple(m for m in mitigations if m is not None),
            consent=rules.consent,
            urgent=rules.urgent,
            urgent_condition=urgent,
            sources=dict(rules.sources),
            path=str(self.rules_file),
            by_id=by_id,
            not_a_concern=tuple(rules.not_a_concern),
            needs={need: rungs for need, rungs in needs.items() if len(rungs) > 1},
            thresholds=comparisons(item.applies.condition.text for item in readers),
            readers=_readers(readers),
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

    def read_descriptor_files(self, rules: Optional[RulesFile]) -> list[tuple[str, DescriptorEntry, str, int]]:
        if not self.descriptors_dir.is_dir():
            self.problems.append(Problem(str(self.descriptors_dir), "descriptor directory not found", code="missing"))
            return []
        entries: list[tuple[str, DescriptorEntry, str, int]] = []
        seen: dict[str, str] = {}
        for path in sorted(self.descriptors_dir.glob("*.yaml")):
            parsed, document = self.read_model(path, DescriptorFile)
            if parsed is None:
                continue
            if parsed.domain != path.stem:
                self.problems.append(
                    Problem(
                        f"{path}:{line_of(document, ('domain',))}",
                        f"domain '{parsed.domain}' must match the file name '{path.stem}'",
                    )
                )
            if rules is not None and parsed.domain not in rules.domains:
                line = line_of(document, ("domain",))
                close = difflib.get_close_matches(parsed.domain, list(rules.domains), n=1, cutoff=0.6)
                self.problems.append(
                    Problem(
                        f"{path}:{line}" if line else str(path),
                        f"domain '{parsed.domain}' is not declared in the rules file",
                        code="reference",
                        expected=", ".join(rules.domains),
                        suggestion=close[0] if close else None,
                    )
                )
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
                entries.append((parsed.domain, entry, str(path), when_line))
        if not entries and not self.problems:
            self.problems.append(Problem(str(self.descriptors_dir), "no descriptor files found", code="missing"))
        return entries

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
        self, entries: list[tuple[str, DescriptorEntry, str, int]], rules: RulesFile, rules_doc: Any = None
    ) -> tuple[Descriptor, ...]:
        red_flags = set(rules.red_flags)
        compiled = []
        for domain, entry, path, line in entries:
            condition = self.compile(entry.when, path, line)
            if condition is None:
                continue
            compiled.append(
                Descriptor(
                    id=entry.id,
                    level=entry.level,
                    domain=domain,
                    text=entry.text,
                    source=entry.source,
                    applies=Applicable(condition, entry.age),
                    floor=entry.floor or entry.id in red_flags,
                    red_flag=entry.id in red_flags,
                    file=path,
                    line=line,
                    need=entry.need or entry.id,
                    never_mitigable=never_mitigable_reason(
                        entry.level, domain, entry.text, condition, red_flag=entry.id in red_flags
                    ),
                )
            )
        by_id = {d.id: d for d in compiled}
        known_ids = {entry.id for _, entry, _, _ in entries}
        for index, flag_id in enumerate(rules.red_flags):
            line = line_of(rules_doc, ("red_flags", index))
            where = f"{self.rules_file}:{line}" if line else str(self.rules_file)
            if flag_id not in known_ids:
                close = difflib.get_close_matches(flag_id, sorted(known_ids), n=1, cutoff=0.6)
                self.problems.append(
                    Problem(
                        where,
                        f"red flag '{flag_id}' is not a descriptor id",
                        code="reference",
                        suggestion=close[0] if close else None,
                    )
                )
            elif flag_id in by_id and by_id[flag_id].level is not Level.safeguarding:
                self.problems.append(
                    Problem(
                        where,
                        f"red flag '{flag_id}' must be a safeguarding descriptor",
                        found=by_id[flag_id].level.value,
                    )
                )
        return tuple(sorted(compiled, key=lambda d: d.id))

    def compile_escalation(self, index: int, entry: Any, document: Any) -> Optional[Escalation]:
        applies = None
        if entry.when is not None:
            condition = self.compile(entry.when, self.rules_file, line_of(document, ("escalations", index, "when")))
            if condition is None:
                return None
            applies = Applicable(condition, entry.age)
        reason = (
            never_mitigable_reason(entry.to, "", entry.text, applies.condition, red_flag=False) if applies is not None else None
        )
        if reason is None and RE_SOCIAL_CARE.search(entry.text):
            reason = NEVER_MITIGABLE["social_care"]
        return Escalation(entry.id, entry.text, entry.source, entry.to, applies, entry.descriptors, reason)

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
        if re.search(r"\bnot\b|!=", condition.text) or any(not leaf.passes(True) for leaf in condition.leaves):
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

    def check_needs(
        self, descriptors: tuple[Descriptor, ...], entries: list[tuple[str, DescriptorEntry, str, int]]
    ) -> dict[str, tuple[Descriptor, ...]]:
        """Group descriptors into needs, rungs in file order, and check each ladder: levels that
        never go down a rung within a file, and rungs that read the fact the lowest rung reads."""
        by_id = {d.id: d for d in descriptors}
        needs: dict[str, list[Descriptor]] = {}
        for _, entry, _, _ in entries:
            if entry.id in by_id:
                needs.setdefault(entry.need or entry.id, []).append(by_id[entry.id])
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
                if higher.file == lower.file and higher.level < lower.level:
                    self.problems.append(
                        Problem(
                            _at(higher),
                            f"need '{need}': rung '{higher.id}' ({higher.level.value}) comes after '{lower.id}' "
                            f"({lower.level.value}); rungs go from least to most severe, in file order",
                            code="ladder",
                        )
                    )
            # A need's rungs may sit in more than one domain (a risk in its own domain, the
            # occurrence among the red flags): across files they are ranked by level.
            rungs.sort(key=lambda rung: rung.level.rank)
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

    def check_not_a_concern(self, index: int, entry: NotAConcernEntry, document: Any) -> None:
        """A `not_a_concern` entry must name a concern fact and one of its worse values."""
        line = line_of(document, ("not_a_concern", index, "fact"))
        where = f"{self.rules_file}:{line}" if line else str(self.rules_file)
        concerns = {spec.dotted: spec for spec in all_facts() if spec.is_concern and spec.root != "strengths"}
        spec = concerns.get(entry.fact)
        if spec is None:
            close = difflib.get_close_matches(entry.fact, list(concerns), n=1, cutoff=0.6)
            self.problems.append(
                Problem(
                    where,
                    f"not_a_concern: '{entry.fact}' is not a concern fact",
                    code="reference",
                    expected="a fact of child, carer, home or household with a worse value (see `needs schema`)",
                    suggestion=close[0] if close else None,
                )
            )
            return
        expected = _worse_values_expected(spec)
        if not _is_worse_value(spec, entry.value):
            line = line_of(document, ("not_a_concern", index, "value")) or line
            self.problems.append(
                Problem(
                    f"{self.rules_file}:{line}" if line else str(self.rules_file),
                    f"not_a_concern: {entry.value!r} is not a value of '{entry.fact}' worse than its best",
                    code="value",
                    found=repr(entry.value),
                    expected=expected,
                )
            )


def _readers(items: list[Union[Descriptor, Escalation]]) -> dict[str, tuple[Union[Descriptor, Escalation], ...]]:
    found: dict[str, list[Union[Descriptor, Escalation]]] = {}
    for item in items:
        assert item.applies is not None
        for fact in sorted(item.applies.condition.facts):
            found.setdefault(fact, []).append(item)
    return {fact: tuple(held) for fact, held in found.items()}


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


def _content_hash(rules: RulesFile, entries: list[tuple[str, DescriptorEntry, str, int]]) -> str:
    """A hash of the rulebook's meaning, independent of file layout and descriptor order."""
    canonical = {
        "rules": rules.model_dump(mode="json"),
        "descriptors": sorted(
            ({"domain": domain, **entry.model_dump(mode="json")} for domain, entry, _, _ in entries),
            key=lambda item: item["id"],
        ),
    }
    payload = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(payload.encode()).hexdigest()
