"""Lint a rulebook: every load error at once, plus what loads but cannot be right.

Load errors come from the loader itself (`load_rulebook` collects them all, with file, line and
the closest valid name); lint adds what a rulebook can get wrong and still load:

- descriptors, escalations and mitigations that can never fire (no household satisfies the
  condition within its age band: see `satisfy.py`), escalations that can never apply or never
  change a level, mitigations whose `lowers_from` level nothing reaches;
- citations that are placeholders, or that cite a key (`KN-EHPS-2021, ...`) the rules file's
  `sources:` does not define;
- duplicate escalation or mitigation ids (the loader checks descriptor ids across files);
- descriptors in one domain with the same condition and age band;
- descriptors in one domain that read the same facts but are not declared one need (`need:`):
  an undeclared ladder, whose rungs would each count in a count escalation;
- silent gaps (`gaps.py`): a value of a concern fact that no descriptor acknowledges at an age it
  can occur at, a value that makes a lower level than a less worrying one, and `not_a_concern`
  entries that a descriptor contradicts. These need the rulebook to load.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Optional, Union

from ..errors import Problem, RulebookError
from ..model.levels import Level
from ..plural import plural
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook, locate
from . import gaps
from .draft import Draft, Entry, read_draft
from .satisfy import Search, satisfying_household

Severity = Literal["error", "warning"]

# A citation key as the rules files write them: capitals and digits, with a dash or a digit
# (KN-EHPS-2021, WT2023, GCP2). Words such as "NSPCC" or "HM Government" are titles, not keys.
_KEY = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$|^[A-Z]+[0-9][A-Z0-9]*$")
_PLACEHOLDERS = {"tbc", "tbd", "todo", "fixme", "n/a", "na", "none", "unknown", "source", "citation", "xxx", "?", "-"}


@dataclass(frozen=True)
class Finding:
    """One thing lint found: how bad, what kind, where, and what to do about it."""

    severity: Severity
    code: str
    file: str
    line: Optional[int]
    message: str
    subject: Optional[str] = None
    suggestion: Optional[str] = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class LintReport:
    """All findings for one rulebook, and whether it loaded."""

    rulebook: str
    loaded: bool
    findings: tuple[Finding, ...]
    searched: int
    probed: int = 0
    """Households assessed by the silent-gap check (0 when the rulebook does not load)."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def by_file(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            grouped[finding.file].append(finding)
        return dict(sorted(grouped.items()))

    def exit_code(self, *, strict: bool) -> int:
        """0 clean, 2 on errors (a rulebook that does not load included), 1 on warnings with strict."""
        if self.errors or not self.loaded:
            return 2
        return 1 if strict and self.warnings else 0

    def to_json(self) -> dict[str, Any]:
        return {
            "rulebook": self.rulebook,
            "loaded": self.loaded,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "conditions_searched": self.searched,
            "households_probed": self.probed,
            "findings": [asdict(f) for f in self.findings],
        }


def lint_rulebook(name_or_path: Union[str, Path]) -> LintReport:
    """Lint a rulebook by id, rules file or directory. Raises RulebookError only if it cannot be found."""
    rules_file, descriptors_dir = (path.resolve() for path in locate(name_or_path))
    findings: list[Finding] = []
    loaded = True
    draft = read_draft(rules_file, descriptors_dir)
    book: Optional[Rulebook] = None
    try:
        book = load_rulebook(rules_file)
    except RulebookError as exc:
        loaded = False
        findings += [_load_finding(problem, draft) for problem in exc.problems]
    probed = 0
    if book is not None:
        outcome = gaps.probe_rulebook(book)
        probed = len(outcome.probes)
        findings += _silent_gaps(outcome, book, draft)
    searches = {entry: satisfying_household(entry.condition, entry.age) for entry in draft.entries if entry.condition}
    findings += _never_fire(searches)
    findings += _escalations(draft, searches)
    findings += _mitigations(draft, searches)
    findings += _citations(draft)
    findings += _unused_sources(rules_file, draft)
    findings += _duplicate_rule_ids(draft)
    findings += _same_conditions(draft)
    findings += _undeclared_ladders(draft)
    ordered = sorted(findings, key=lambda f: (f.file, f.line or 0, f.severity, f.code, f.message))
    return LintReport(str(rules_file), loaded, tuple(ordered), len(searches), probed)


# --- load errors ---------------------------------------------------------------------------------

_LOC = re.compile(r"^(?P<file>.*?):(?P<line>\d+)$")


def _load_finding(problem: Problem, draft: Draft) -> Finding:
    match = _LOC.match(problem.loc)
    file, line = (match["file"], int(match["line"])) if match else (problem.loc, None)
    file = str(Path(file).resolve()) if Path(file).exists() else file
    message = problem.msg
    code = problem.code
    subject = next((e.id for e in draft.entries if e.file == file and e.line == line), None)
    if re.search(r"\.source: (Field required|String should have at least)", message):
        code = "citation"
        named = f"'{subject}' has " if subject else ""
        message = f"missing or empty citation: {named}no `source` naming the document and section it is modelled on ({message})"
    extra = [f"found {problem.found}"] if problem.found else []
    extra += [f"expected {problem.expected}"] if problem.expected else []
    if extra:
        message = f"{message}; {'; '.join(extra)}"
    return Finding("error", f"load.{code}", file, line, message, subject=subject, suggestion=problem.suggestion)


# --- conditions that can never be true -----------------------------------------------------------


def _band(entry: Entry) -> str:
    if entry.age is None:
        return "any child, born or unborn"
    if entry.age.unborn == "only":
        return "an unborn baby"
    low, high = entry.age.min_months, entry.age.max_months
    months = f"{low if low is not None else 0}-{high if high is not None else 228} months"
    return months + (" or unborn" if entry.age.unborn == "include" else "")


def _never_fire(searches: dict[Entry, Search]) -> list[Finding]:
    findings = []
    for entry, search in searches.items():
        if search.satisfiable:
            continue
        severity: Severity = "error" if search.exhaustive else "warning"
        what = {"descriptor": "can never fire", "escalation": "can never apply", "mitigation": "can never apply"}[entry.kind]
        findings.append(
            Finding(
                severity,
                "never_fires",
                entry.file,
                entry.condition_line or entry.line,
                f"{entry.kind} '{entry.id}' {what}: no household makes its condition true for {_band(entry)} "
                f"({search.describe()}): {entry.condition.text if entry.condition else ''}",
                subject=entry.id,
            )
        )
    return findings


def _reachable(draft: Draft, searches: dict[Entry, Search]) -> list[Entry]:
    return [e for e in draft.of("descriptor") if e.level is not None and e.condition and searches[e].satisfiable]


def _escalations(draft: Draft, searches: dict[Entry, Search]) -> list[Finding]:
    findings = []
    reachable = _reachable(draft, searches)
    for entry in draft.of("escalation"):
        if entry.level is Level.universal:
            findings.append(
                _finding("warning", "never_raises", entry, f"escalation '{entry.id}' raises to universal, which changes nothing")
            )
        rule = entry.count
        if rule is None:
            continue
        counted = [d for d in reachable if d.level is not None and d.level >= rule.min_level]
        domains = {d.domain for d in counted}
        if len(counted) < rule.min_count or len(domains) < rule.min_domains:
            findings.append(
                _finding(
                    "error",
                    "never_applies",
                    entry,
                    f"escalation '{entry.id}' can never apply: it needs {plural(rule.min_count, 'descriptor')} at "
                    f"{rule.min_level.value} or above in {plural(rule.min_domains, 'domain')}, and only {len(counted)} "
                    f"that can fire {'exists' if len(counted) == 1 else 'exist'}, in {plural(len(domains), 'domain')}",
                )
            )
        elif entry.level is not None and entry.level <= rule.min_level:
            findings.append(
                _finding(
                    "warning",
                    "never_raises",
                    entry,
                    f"escalation '{entry.id}' raises to {entry.level.value}, but the descriptors it counts are "
                    f"already at {rule.min_level.value} or above, so it never changes a level",
                )
            )
    return findings


def _mitigations(draft: Draft, searches: dict[Entry, Search]) -> list[Finding]:
    """A mitigation lowers from a level only if something not a floor can put a child there."""
    reached = {d.level for d in _reachable(draft, searches) if not d.floor and d.id not in draft.red_flags}
    for entry in draft.of("escalation"):
        satisfiable = entry.condition is None or searches[entry].satisfiable
        if entry.level is not None and satisfiable:
            reached.add(entry.level)
    findings = []
    for entry in draft.of("mitigation"):
        for level in entry.lowers_from:
            if level not in reached:
                findings.append(
                    _finding(
                        "warning",
                        "never_lowers",
                        entry,
                        f"mitigation '{entry.id}' lowers from {level.value}, but no descriptor (other than a floor) "
                        f"or escalation can put a child at {level.value}",
                    )
                )
    return findings


# --- citations -----------------------------------------------------------------------------------


def _citations(draft: Draft) -> list[Finding]:
    findings = []
    cited: list[tuple[Entry, Any]] = [(entry, entry.source) for entry in draft.entries]
    for entry, source in cited:
        if not isinstance(source, str) or not source.strip():
            continue  # missing or empty: a load error already says so
        text = source.strip()
        if text.lower().strip(" .") in _PLACEHOLDERS:
            findings.append(_finding("warning", "citation", entry, f"{entry.kind} '{entry.id}' cites a placeholder ('{text}')"))
            continue
        findings += _unknown_keys(draft, entry, text)
    return findings


def _strings(value: object) -> list[str]:
    """Every string in a parsed YAML value (keys of mappings included), depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings(key), *_strings(item))]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _strings(item)]
    return []


def _unused_sources(rules_file: Path, draft: Draft) -> list[Finding]:
    """A key in the rules file's own `sources:` that nothing cites: a document the rulebook claims
    to rest on and does not (the library's keys are shared by every rulebook, so only the file's own).
    A citation is a value of the rulebook (a level's, an escalation's or an override's `source:`,
    for instance) or of a descriptor; a mention in a YAML comment is not one."""
    document = draft.rules_document
    own = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(own, dict):
        return []
    lines = rules_file.read_text(encoding="utf-8").splitlines()
    rest = {key: value for key, value in document.items() if key != "sources"}
    cited = " ".join([*(str(entry.source) for entry in draft.entries), *_strings(rest)])
    findings = []
    for key in own:
        word = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(str(key))}(?![A-Za-z0-9-])")
        declared = [number for number, line in enumerate(lines, 1) if line.lstrip().startswith(f"{key}:")]
        if word.search(cited):
            continue
        findings.append(
            Finding(
                "warning",
                "unused_source",
                str(rules_file),
                declared[0] if declared else None,
                f"source '{key}' is declared in `sources:` but nothing in the rulebook cites it: cite it where it is the source, or remove it",
                subject=str(key),
            )
        )
    return findings


def _unknown_keys(draft: Draft, entry: Entry, text: str) -> list[Finding]:
    """Each `;`-separated part of a citation may open with a key; a key must be in `sources:`."""
    findings = []
    for part in text.split(";"):
        token = re.split(r"[\s,(]", part.strip(), maxsplit=1)[0].strip("\"'")
        if not token or token in draft.sources or not _KEY.match(token):
            continue
        close = difflib.get_close_matches(token, list(draft.sources), n=1, cutoff=0.6)
        findings.append(
            _finding(
                "warning",
                "citation_key",
                entry,
                f"{entry.kind} '{entry.id}' cites '{token}', which the rules file's `sources:` does not define",
                suggestion=close[0] if close else None,
            )
        )
    return findings


# --- duplicates ----------------------------------------------------------------------------------


def _duplicate_rule_ids(draft: Draft) -> list[Finding]:
    """Escalation and mitigation ids must be unique: the engine keys escalation results by id."""
    findings = []
    for kind in ("escalation", "mitigation"):
        first: dict[str, Entry] = {}
        for entry in draft.of(kind):
            if entry.id in first:
                findings.append(
                    _finding(
                        "error", "duplicate_id", entry, f"duplicate {kind} id '{entry.id}' (also at line {first[entry.id].line})"
                    )
                )
            first.setdefault(entry.id, entry)
    return findings


def _same_conditions(draft: Draft) -> list[Finding]:
    groups: dict[tuple[Any, ...], list[Entry]] = defaultdict(list)
    for entry in draft.of("descriptor"):
        if entry.condition is not None and entry.level is not None:
            # The tree, not the text: `x` and `x == true`, or `2 <= x` and `x >= 2`, are one condition.
            band = entry.age.model_dump_json() if entry.age else None
            groups[(entry.domain, entry.condition.tree, band)].append(entry)
    findings = []
    for group in groups.values():
        for entry in group[1:]:
            other = group[0]
            if entry.level is other.level:
                text = f"descriptor '{entry.id}' has the same condition, age band and level as '{other.id}'"
            else:
                text = (
                    f"descriptor '{entry.id}' ({entry.level.value if entry.level else '?'}) has the same condition and age "
                    f"band as '{other.id}' ({other.level.value if other.level else '?'}): whenever one fires so does the other, so the lower one never decides a level"
                )
            findings.append(_finding("warning", "same_condition", entry, text))
    return findings


def _undeclared_ladders(draft: Draft) -> list[Finding]:
    """Descriptors in one domain reading the same facts are rungs of one need unless declared so.

    Two descriptors on the same fact(s) at different severities are one need (Semantics 12); left
    undeclared, each fired rung counts as a separate need in every count escalation and each is
    shown, so the lower rung talks over the higher. Warn for each descriptor whose domain and facts
    match an earlier one's while the two sit in different needs."""
    groups: dict[tuple[Any, ...], list[Entry]] = defaultdict(list)
    for entry in draft.of("descriptor"):
        if entry.condition is not None:
            groups[(entry.domain, entry.condition.facts)].append(entry)
    findings = []
    for (_, facts), group in groups.items():
        first = group[0]
        for entry in group[1:]:
            if (entry.need or entry.id) == (first.need or first.id):
                continue
            findings.append(
                _finding(
                    "warning",
                    "not_a_ladder",
                    entry,
                    f"descriptor '{entry.id}' reads the same facts as '{first.id}' ({', '.join(sorted(facts))}) in the "
                    f"same domain, but the two are not declared one need: give both the same `need: <domain>.<name>` "
                    f"(rungs in file order, least severe first), or make their conditions say how they differ",
                )
            )
    return findings


# --- silent gaps ---------------------------------------------------------------------------------


def _silent_gaps(outcome: gaps.Outcome, book: Rulebook, draft: Draft) -> list[Finding]:
    """Findings for concerns nothing acknowledges, inverted ladders and contradicted `not_a_concern` entries."""
    file = str(draft.rules_file)
    findings = [
        Finding(
            "warning",
            "unacknowledged_concern",
            file,
            None,
            gap.message(),
            subject=f"{gap.fact}={gap.value}",
        )
        for gap in gaps.gaps(outcome)
    ]
    findings += [
        Finding("warning", "non_monotone_ladder", file, None, inversion.message(), subject=f"{inversion.fact}={inversion.value}")
        for inversion in gaps.inversions(outcome)
    ]
    entries = list(book.not_a_concern)
    for contradiction in gaps.contradictions(outcome, book.not_a_concern):
        entry = contradiction.entry
        written = _LOC.match(book.not_a_concern_at[entries.index(entry)])
        findings.append(
            Finding(
                "warning",
                "not_a_concern_fires",
                written["file"] if written else file,
                int(written["line"]) if written else None,
                f"not_a_concern lists {entry.fact} = {gaps.shown(entry.value)}, but "
                f"{', '.join(contradiction.fired)} fires for it at {', '.join(contradiction.ages)}: "
                f"remove the entry, narrow its age band, or change the descriptor",
                subject=f"{entry.fact}={entry.value}",
            )
        )
    return findings


def _finding(severity: Severity, code: str, entry: Entry, message: str, suggestion: Optional[str] = None) -> Finding:
    return Finding(severity, code, entry.file, entry.line, message, subject=entry.id, suggestion=suggestion)
