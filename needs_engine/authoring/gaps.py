"""Silent gaps: a concern the screener recorded that no descriptor acknowledges.

The worst answer the engine can give is Universal for a child whose record names a concern,
because no descriptor was written for that value at that age. Nothing about such a rulebook is
wrong on its own terms (every descriptor loads and can fire), so the other lint checks cannot
see it. This check probes the rulebook directly: for every concern fact in the catalogue and
every value worse than its best one, at each age the fact can occur at (six fixed ages, plus the
month just outside each age band of a descriptor that reads the fact, up to 18), it assesses a
household where that fact has that value and every other fact is at its best, and records which
descriptors fire.

It reports:

- `unacknowledged_concern`: no descriptor fires at all (a Universal descriptor counts; so do
  the rulebook's urgent response and a condition escalation), unless the rules file lists the
  value under `not_a_concern:` with a reason and a source;
- `non_monotone_ladder`: a value puts the child at a lower level than a less worrying value of
  the same fact at the same age (the property tests should make this impossible);
- `not_a_concern_fires`: a value listed under `not_a_concern:` that a descriptor does
  acknowledge at an age the entry covers, so the entry contradicts the descriptors.

Numbers are probed at their worst bound and just past every threshold the rulebook compares
them with (on the worrying side), so a band that stops at an age, or a ladder with a hole in
it, shows up. Values on the safe side of the rulebook's lowest threshold are the rulebook's own
definition of "not a concern" and are not probed. Everything is deterministic: fixed ages,
fixed values, one household per probe.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from ..engine.evaluate import evaluate_child
from ..model.catalogue import FactSpec, all_facts
from ..model.levels import Level
from ..model.situation import Household
from ..rulebook.load import Rulebook
from ..rulebook.schema import AgeBand, NotAConcernEntry
from .satisfy import constant_values, dotted_fact
from .strategies import best_value, entity_path, put, set_path, worseness

PROBED_ROOTS = ("child", "carer", "home", "household")
"""Where concern facts live. Siblings are children (each is assessed as the child); strengths are not concerns."""


@dataclass(frozen=True)
class Age:
    """One age a probe is made at: an unborn baby (`months` None) or a child of `months`."""

    label: str
    months: Optional[int]

    @property
    def unborn(self) -> bool:
        return self.months is None

    def fields(self) -> dict[str, int]:
        return {"unborn_weeks": UNBORN_WEEKS} if self.months is None else {"age_months": self.months}


AGES = (Age("unborn", None), Age("3 months", 3), Age("2 y", 24), Age("8 y", 96), Age("14 y", 168), Age("17 y", 204))
"""One age in each stage a threshold document distinguishes: pre-birth, baby, toddler, primary, secondary, post-16."""
UNBORN_WEEKS = 20
NON_MOBILE_BELOW_MONTHS = 6
"""Babies younger than this are probed as not yet mobile (the model's `non_mobile` is descriptive)."""

UNBORN_ONLY = frozenset({"child.health.antenatal_care", "child.health.prenatal_substance_exposure"})
"""Child facts that describe a pregnancy. Every other child fact describes a born child."""

OCCURS: dict[str, tuple[int, Optional[int]]] = {
    # Facts of a born child that can only occur within an age range (months, inclusive). A child
    # fact not listed here can occur at any age from birth (injury, neglect, FGM, trafficking...).
    "child.health.immunisations": (2, None),  # the first routine immunisations are at eight weeks
    "child.health.substance_use": (96, None),  # a younger child given substances is a safety concern about the carer
    "child.health.sexual_health": (156, None),  # under 13, sexual activity is `harm.sexual_activity_under_13`
    "child.health.teenage_pregnancy": (144, None),
    "child.development.speech_language": (12, None),  # before first words there is nothing to grade
    "child.education.attendance_percent": (60, None),  # absence measures are for pupils of compulsory school age
    "child.education.suspensions_12m": (48, None),
    "child.education.permanently_excluded": (48, None),
    "child.education.send": (24, None),
    "child.education.send_needs_unmet": (24, None),
    "child.education.missing_education": (60, 203),  # compulsory school age, 5 to 16
    "child.education.neet": (192, None),  # 16 and over
    "child.education.early_years_place_not_taken": (24, 59),  # funded places from two until school
    "child.emotional.mental_health": (24, None),
    "child.emotional.self_harm": (60, None),
    "child.emotional.behaviour": (24, None),
    "child.emotional.harmful_sexual_behaviour": (48, None),
    "child.identity.self_esteem": (48, None),
    "child.identity.bullying": (48, None),
    "child.identity.discrimination": (48, None),
    "child.relationships.young_carer": (60, None),
    "child.relationships.private_fostering": (0, 191),  # the notification duty is for children under 16
    "child.relationships.relationship_with_carers": (48, None),
    "child.relationships.peer_isolation": (48, None),
    "child.youth_offending.antisocial_behaviour": (96, None),
    "child.youth_offending.offending": (120, None),  # the age of criminal responsibility
    "child.youth_offending.carries_weapon": (96, None),
    "child.self_care_skills.self_care": (24, None),
    "child.harm.disclosure_of_abuse": (24, None),  # a child old enough to tell
    "child.harm.sexual_activity_under_13": (96, 155),  # younger, it is `harm.sexual_abuse_concern`
    "child.harm.forced_marriage": (96, None),
    "child.extra_familial.missing_episodes_12m": (96, None),
    "child.extra_familial.sexual_exploitation": (96, None),
    "child.extra_familial.criminal_exploitation": (96, None),
    "child.extra_familial.gang_association": (96, None),
    "child.extra_familial.drug_debt": (96, None),
    "child.extra_familial.radicalisation": (96, None),
    "child.extra_familial.online_harm": (60, None),
}


def concern_facts() -> list[FactSpec]:
    """Every fact with a worse direction, in catalogue order."""
    return [spec for spec in all_facts() if spec.is_concern and spec.root in PROBED_ROOTS]


def occurs_at(spec: FactSpec, age: Age) -> bool:
    """Whether `spec` can describe a child of `age` (facts of carers and the home always can)."""
    if spec.root != "child":
        return True
    if age.unborn or spec.dotted in UNBORN_ONLY:
        return age.unborn and spec.dotted in UNBORN_ONLY
    assert age.months is not None
    low, high = OCCURS.get(spec.dotted, (0, None))
    return age.months >= low and (high is None or age.months <= high)


# --- values ---------------------------------------------------------------------------------------


def thresholds(book: Rulebook) -> dict[str, set[tuple[str, float]]]:
    """Every number fact the rulebook compares with a constant: `{dotted: {(op, constant)}}`, the fact on the left."""
    texts = [d.applies.condition.text for d in book.descriptors]
    texts += [e.applies.condition.text for e in book.escalations if e.applies is not None]
    found: dict[str, set[tuple[str, float]]] = defaultdict(set)
    for text in texts:
        for node in ast.walk(ast.parse(text, mode="eval")):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                for left, op, right in zip(operands, node.ops, operands[1:], strict=False):
                    found_pair = _fact_and_constants(left, right)
                    flipped = _fact_and_constants(right, left)
                    symbol = _SYMBOLS.get(type(op))
                    if symbol is None:
                        continue
                    if found_pair is not None:
                        found[found_pair[0]].update((symbol, c) for c in found_pair[1])
                    elif flipped is not None:
                        found[flipped[0]].update((_FLIPPED[symbol], c) for c in flipped[1])
    return dict(found)


_SYMBOLS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _fact_and_constants(fact: ast.expr, constant: ast.expr) -> Optional[tuple[str, list[float]]]:
    if not isinstance(fact, ast.Attribute):
        return None
    name = dotted_fact(fact)
    numbers = [c for c in constant_values(constant) if isinstance(c, (int, float)) and not isinstance(c, bool)]
    if name is None or not numbers:
        return None
    root, path = name
    return ".".join(("child" if root == "sibling" else root, *path)), numbers


def worse_values(spec: FactSpec, compared: set[tuple[str, float]]) -> list[Any]:
    """The values to probe, least worrying first: every value worse than the best, or for a number
    its worst bound and the first value past each threshold on the worrying side."""
    if spec.kind == "flag":
        return [True]
    if spec.choices is not None:
        return [member.value for member in list(spec.choices)[1:]]
    step = 1 if spec.integer else 0.5
    points = {spec.worst()}
    for op, constant in compared:
        # The first value on the worrying side of `fact <op> constant` (for == and != the constant itself).
        past = {">": constant + step, "<=": constant + step, "<": constant - step, ">=": constant - step}
        if spec.direction == "higher_is_worse":
            points.add(constant if op in (">=", "<", "==", "!=") else past[op])
        else:
            points.add(constant if op in ("<=", ">", "==", "!=") else past[op])
    low, high = spec.minimum, spec.maximum
    kept = {p for p in points if p is not None and (low is None or p >= low) and (high is None or p <= high)}
    kept = {int(p) if spec.integer else float(p) for p in kept if worseness(spec, p) > worseness(spec, best_value(spec))}
    return sorted(kept, key=lambda p: worseness(spec, p))


def shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else f"{value:g}"


# --- households -----------------------------------------------------------------------------------


def baseline(age: Age) -> dict[str, Any]:
    """One child of `age`, one carer and the home, every concern fact at its best value."""
    child: dict[str, Any] = {"id": "c", **age.fields()}
    carer: dict[str, Any] = {"id": "a01", "role": "mother"}
    home: dict[str, Any] = {}
    household: dict[str, Any] = {"consent": "given", "children": [child], "carers": [carer], "home": home}
    for spec in concern_facts():
        if spec.root == "child":
            if age.unborn != (spec.dotted in UNBORN_ONLY):
                continue  # an unborn baby has no school record; a born child no antenatal care
            set_path(child, spec.path, best_value(spec))
        else:
            set_path({"carer": carer, "home": home, "household": household}[spec.root], spec.path, best_value(spec))
    if not age.unborn:
        set_path(child, ("development", "non_mobile"), (age.months or 0) < NON_MOBILE_BELOW_MONTHS)
    return household


def with_value(document: dict[str, Any], spec: FactSpec, value: Any) -> dict[str, Any]:
    """A copy of a baseline household with `spec` (of the first child or carer) at `value`."""
    return put(document, (*entity_path(spec.root)[1:], *spec.path), value)


# --- probing --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One household assessed: a fact at a value, for a child of an age, and what it made."""

    fact: str
    value: Any
    age: Age
    fired: tuple[str, ...]
    """Descriptors (and, marked so, escalations or the urgent response) that fired beyond the baseline."""
    level: Level

    @property
    def acknowledged(self) -> bool:
        return bool(self.fired)


@dataclass(frozen=True)
class Outcome:
    """What `probe_rulebook` found, before it is turned into lint findings."""

    probes: tuple[Probe, ...]

    def gaps(self, allowed: tuple[NotAConcernEntry, ...]) -> list[Probe]:
        return [p for p in self.probes if not p.acknowledged and not _allowed(allowed, p)]


def probe_rulebook(book: Rulebook) -> Outcome:
    """Assess one household per concern fact, worse value and age the fact can occur at: the fixed
    `AGES`, and just outside each age band of a descriptor that reads the fact (where a band that
    stops short leaves a hole)."""
    compared = thresholds(book)
    edges = band_edges(book)
    probes: list[Probe] = []
    bases: dict[Age, tuple[dict[str, Any], set[str]]] = {}
    for spec in concern_facts():
        for age in sorted({*AGES, *edges.get(spec.dotted, ())}, key=_age_order):
            if not occurs_at(spec, age):
                continue
            if age not in bases:
                document = baseline(age)
                bases[age] = (document, _assess(document, book)[0])
            base_document, base = bases[age]
            for value in worse_values(spec, compared.get(spec.dotted, set())):
                fired, level = _assess(with_value(base_document, spec, value), book)
                probes.append(Probe(spec.dotted, value, age, tuple(sorted(fired - base)), level))
    return Outcome(tuple(probes))


def band_edges(book: Rulebook) -> dict[str, set[Age]]:
    """For each fact, the ages just outside the age band of each descriptor that reads it (under 18)."""
    edges: dict[str, set[Age]] = defaultdict(set)
    for descriptor in book.descriptors:
        band = descriptor.age
        if band is None or band.unborn == "only":
            continue
        outside = [m for m in (band.min_months - 1 if band.min_months else None, _after(band.max_months)) if m is not None]
        for fact in descriptor.applies.condition.facts:
            edges[fact].update(_age(months) for months in outside if 0 <= months <= LAST_CHILD_MONTH)
    return dict(edges)


LAST_CHILD_MONTH = 215
"""Band edges are probed up to 18: a child in law is under 18 (Children Act 1989, s105)."""


def _after(max_months: Optional[int]) -> Optional[int]:
    return None if max_months is None else max_months + 1


def _age(months: int) -> Age:
    fixed = next((age for age in AGES if age.months == months), None)
    return fixed or Age(f"{months} months", months)


def _age_order(age: Age) -> int:
    return -1 if age.months is None else age.months


def _assess(document: dict[str, Any], book: Rulebook) -> tuple[set[str], Level]:
    household = Household.model_validate(document)
    result = evaluate_child(household.children[0], household, book)
    fired = {d.id for d in result.fired}
    fired |= {f"escalation {e.id}" for e in result.known.escalations}
    if book.urgent_condition.fast(result.env) is True:
        fired.add("the urgent response")
    return fired, result.known.level


def _allowed(entries: tuple[NotAConcernEntry, ...], probe: Probe) -> bool:
    return any(_covers(entry, probe) for entry in entries)


def _covers(entry: NotAConcernEntry, probe: Probe) -> bool:
    """An entry covers a probe of its fact at its value (for a number: at that value or less worrying) and age."""
    if entry.fact != probe.fact or not _in_band(entry.age, probe.age):
        return False
    if isinstance(probe.value, (int, float)) and not isinstance(probe.value, bool):
        spec = next(s for s in concern_facts() if s.dotted == probe.fact)
        return worseness(spec, probe.value) <= worseness(spec, entry.value)
    return entry.value == probe.value


def _in_band(band: Optional[AgeBand], age: Age) -> bool:
    if band is None:
        return True
    if age.unborn:
        return band.unborn != "exclude"
    assert age.months is not None
    return (
        band.unborn != "only"
        and (band.min_months is None or age.months >= band.min_months)
        and (band.max_months is None or age.months <= band.max_months)
    )


# --- from probes to findings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A fact at a value that nothing acknowledges, at the ages listed."""

    fact: str
    value: Any
    ages: tuple[str, ...]

    def message(self) -> str:
        return (
            f"{self.fact} = {shown(self.value)} fires no descriptor for {_who(self.ages)}: a screener "
            f"who records it gets Universal, as if nothing had been said. Add a descriptor for it, or list it under "
            f"`not_a_concern:` in the rules file with a reason and a source"
        )


@dataclass(frozen=True)
class Inversion:
    """A value that makes a lower level than a less worrying value of the same fact, at one age."""

    fact: str
    value: Any
    level: Level
    milder: Any
    milder_level: Level
    ages: tuple[str, ...]

    def message(self) -> str:
        return (
            f"{self.fact} = {shown(self.value)} puts {_who(self.ages)} at {self.level.value}, below the "
            f"{self.milder_level.value} that the less worrying {shown(self.milder)} gives: the ladder is not monotone"
        )


@dataclass(frozen=True)
class Contradiction:
    """A `not_a_concern` entry for a value that a descriptor does acknowledge."""

    entry: NotAConcernEntry
    fired: tuple[str, ...]
    ages: tuple[str, ...]


def gaps(outcome: Outcome, allowed: tuple[NotAConcernEntry, ...]) -> list[Gap]:
    grouped: dict[tuple[str, Any], list[str]] = defaultdict(list)
    for probe in outcome.gaps(allowed):
        grouped[(probe.fact, probe.value)].append(probe.age.label)
    return [Gap(fact, value, tuple(ages)) for (fact, value), ages in grouped.items()]


def inversions(outcome: Outcome) -> list[Inversion]:
    by_fact_age: dict[tuple[str, str], list[Probe]] = defaultdict(list)
    for probe in outcome.probes:
        by_fact_age[(probe.fact, probe.age.label)].append(probe)
    grouped: dict[tuple[str, Any, Level, Any, Level], list[str]] = defaultdict(list)
    for probes in by_fact_age.values():
        for milder, worse in _pairs(probes):
            grouped[(worse.fact, worse.value, worse.level, milder.value, milder.level)].append(worse.age.label)
    return [Inversion(*key, ages=tuple(ages)) for key, ages in grouped.items()]


def _pairs(probes: list[Probe]) -> Iterator[tuple[Probe, Probe]]:
    """Each probe below the highest level reached by a less worrying one (probes come least worrying first)."""
    highest: Optional[Probe] = None
    for probe in probes:
        if highest is not None and probe.level < highest.level:
            yield highest, probe
        if highest is None or probe.level > highest.level:
            highest = probe


def contradictions(outcome: Outcome, allowed: tuple[NotAConcernEntry, ...]) -> list[Contradiction]:
    found = []
    for entry in allowed:
        covered = [p for p in outcome.probes if p.acknowledged and _covers(entry, p)]
        if covered:
            fired = tuple(sorted({name for p in covered for name in p.fired}))
            found.append(Contradiction(entry, fired, tuple(dict.fromkeys(p.age.label for p in covered))))
    return found


def _who(labels: tuple[str, ...]) -> str:
    """`an unborn baby or a child aged 3 months, 2 y or 8 y`, from age labels."""
    born = [label for label in labels if label != "unborn"]
    ages = born[0] if len(born) == 1 else ", ".join(born[:-1]) + " or " + born[-1] if born else ""
    parts = (["an unborn baby"] if len(born) < len(labels) else []) + ([f"a child aged {ages}"] if born else [])
    return " or ".join(parts)
