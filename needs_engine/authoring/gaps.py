"""Silent gaps: a concern the screener recorded that no descriptor acknowledges.

The worst answer the engine can give is Universal for a child whose record names a concern,
because no descriptor was written for that value at that age. Nothing about such a rulebook is
wrong on its own terms (every descriptor loads and can fire), so the other lint checks cannot
see it. This check probes the rulebook directly: for every concern fact in the catalogue and
every value of concern, at one age in each part of childhood that the rulebook's own age bands
tell apart (and an unborn baby), wherever the model says the fact can apply (`APPLIES` in
model/ages.py), it assesses a household where that fact has that value and every other fact is
at its best, and classifies the probed fact exactly as the run-time unassessed list does
(`engine/unassessed.py`).

It reports:

- `unacknowledged_concern`: the run-time list would show the fact as `outside_age_band` or
  `not_covered` (nothing read it: no descriptor, whatever its level, no condition escalation and
  not the urgent response), unless the rules file lists the value under `not_a_concern:` for
  that age with a reason and a source;
- `non_monotone_ladder`: a value puts the child at a lower level than a less worrying value of
  the same fact at the same age (the property tests should make this impossible);
- `not_a_concern_fires`: a value listed under `not_a_concern:` that a descriptor does
  acknowledge at an age the entry covers, so the entry contradicts the descriptors.

The values probed are those `rulebook/thresholds.py` calls of concern: numbers at their worst
bound and just past every threshold the rulebook compares them with (on the worrying side), so a
ladder with a hole in it shows up; every grade of a graded scale. Everything is deterministic:
ages from the rulebook, fixed values, one household per probe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Optional

from ..engine.evaluate import evaluate_child
from ..engine.unassessed import covers, unassessed_for
from ..model.ages import APPLIES, BAND_MONTHS, MAX_AGE_MONTHS, AgeSpan, applies_span, months_words
from ..model.ages import UNBORN_ONLY as UNBORN_SPAN
from ..model.assessment import UnassessedFact
from ..model.catalogue import FactSpec, all_facts, spec_of
from ..model.levels import Level
from ..model.situation import Household
from ..rulebook.book import Rulebook
from ..rulebook.schema import NotAConcernEntry
from ..rulebook.thresholds import worse_values
from .strategies import best_value, entity_path, put, set_path

PROBED_ROOTS = ("child", "carer", "home", "household")
"""Where concern facts live. Siblings are children (each is assessed as the child); strengths are not concerns."""

GAP_REASONS = frozenset({"outside_age_band", "not_covered"})
"""The run-time unassessed reasons that are a gap in the rulebook. `not_a_concern` is the rulebook's
declared silence; `waiting_on_unknown` would be decided by a fact the probe left unknown."""

PROBE_SUBJECTS = {"child": "child:c", "carer": "carer:a01", "home": "household", "household": "household"}
"""How the run-time list names the probed child, carer and home."""


@dataclass(frozen=True)
class Age:
    """One age a probe is made at: an unborn baby (`months` None) or a child of `months`."""

    label: str
    months: Optional[int]

    @property
    def unborn(self) -> bool:
        return self.months is None

    @property
    def span(self) -> AgeSpan:
        return UNBORN_SPAN if self.months is None else AgeSpan(False, True, self.months, self.months)

    def fields(self) -> dict[str, int]:
        return {"unborn_weeks": UNBORN_WEEKS} if self.months is None else {"age_months": self.months}


UNBORN = "unborn"
UNBORN_WEEKS = 20
NON_MOBILE_BELOW_MONTHS = 6
"""Babies younger than this are probed as not yet mobile (the model's `non_mobile` is descriptive)."""


@cache
def concern_facts() -> tuple[FactSpec, ...]:
    """Every fact with a worse direction, in catalogue order (the catalogue is fixed: made once)."""
    return tuple(spec for spec in all_facts() if spec.is_concern and spec.root in PROBED_ROOTS)


def probe_ages(book: Rulebook) -> list[Age]:
    """An unborn baby and one born age (the youngest) in each part of childhood that the
    rulebook's age bands (descriptors, escalations, `not_a_concern`), the model's named bands
    and the ages at which facts can apply (`APPLIES`) tell apart: nothing else can change what
    a descriptor says, so a fact recorded at an age no descriptor covers is found."""
    bands = [d.applies.age for d in book.descriptors]
    bands += [e.applies.age for e in book.escalations if e.applies is not None]
    bands += [entry.age for entry in book.not_a_concern]
    cuts = {0, NON_MOBILE_BELOW_MONTHS}
    for band in bands:
        if band is not None and band.unborn != "only":
            cuts.update(m for m in (band.min_months, None if band.max_months is None else band.max_months + 1) if m is not None)
    for months in BAND_MONTHS.values():
        if months is not None:
            cuts.update((months[0], months[1] + 1))
    for span in APPLIES.values():
        if span.may_be_born:
            cuts.update((span.low, span.high + 1))
    born = [Age(months_words(m), m) for m in sorted(cuts) if 0 <= m <= MAX_AGE_MONTHS]
    return [Age(UNBORN, None), *born]


def occurs_at(spec: FactSpec, age: Age) -> bool:
    """Whether `spec` can describe a child of `age` (`APPLIES`; facts of carers and the home always can)."""
    if spec.root != "child":
        return True
    span = applies_span(".".join(spec.path))
    if age.months is None:
        return span.may_be_unborn
    return span.may_be_born and span.low <= age.months <= span.high


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
            if not occurs_at(spec, age):
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
    unassessed: Optional[UnassessedFact]
    """How the run-time assessment lists the probed fact (None: a descriptor read it)."""

    @property
    def acknowledged(self) -> bool:
        return self.unassessed is None

    @property
    def gap(self) -> bool:
        return self.unassessed is not None and self.unassessed.reason in GAP_REASONS


@dataclass(frozen=True)
class Outcome:
    """What `probe_rulebook` found, before it is turned into lint findings."""

    probes: tuple[Probe, ...]


def probe_rulebook(book: Rulebook) -> Outcome:
    """Assess one household per concern fact, value of concern and age the fact can apply at
    (`probe_ages`), and classify the probed fact as the run-time unassessed list does."""
    ages = probe_ages(book)
    probes: list[Probe] = []
    bases: dict[Age, tuple[dict[str, Any], set[str]]] = {}
    for spec in concern_facts():
        subject = PROBE_SUBJECTS[spec.root]
        for age in ages:
            if not occurs_at(spec, age):
                continue
            if age not in bases:
                document = baseline(age)
                bases[age] = (document, _assess(document, book)[0])
            base_document, base = bases[age]
            for value in worse_values(spec, book.thresholds.get(spec.dotted, frozenset())):
                fired, level, listed = _assess(with_value(base_document, spec, value), book)
                found = next((u for u in listed if (u.subject, u.fact) == (subject, spec.dotted)), None)
                probes.append(Probe(spec.dotted, value, age, tuple(sorted(fired - base)), level, found))
    return Outcome(tuple(probes))


def _assess(document: dict[str, Any], book: Rulebook) -> tuple[set[str], Level, list[UnassessedFact]]:
    household = Household.model_validate(document)
    result = evaluate_child(household.children[0], household, book)
    fired = {d.id for d in result.fired}
    fired |= {f"escalation {e.id}" for e in result.known.escalations}
    if book.urgent_condition.fast(result.env) is True:
        fired.add("the urgent response")
    return fired, result.known.level, unassessed_for(result, household, book)


def _covers(entry: NotAConcernEntry, probe: Probe) -> bool:
    """An entry covers a probe of its fact at its value (for a number: at that value or less worrying) and age."""
    return covers(entry, spec_of(probe.fact), probe.value, probe.age.span)


# --- from probes to findings ----------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A fact at a value that nothing acknowledges, at the ages listed."""

    fact: str
    value: Any
    ages: tuple[str, ...]
    reasons: tuple[str, ...] = ()
    """How the run-time assessment lists it: `outside_age_band`, `not_covered` or both."""

    def message(self) -> str:
        return (
            f"{self.fact} = {shown(self.value)} fires no descriptor for {_who(self.ages)}: a screener "
            f"who records it gets it listed as unassessed ({', '.join(self.reasons)}) and no level for it. Add a "
            f"descriptor for it, widen a descriptor's age band, or list it under `not_a_concern:` in the rules file "
            f"with a reason and a source"
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


def gaps(outcome: Outcome) -> list[Gap]:
    """The probes the run-time list would show as outside an age band or not covered, by fact and value."""
    grouped: dict[tuple[str, Any], list[Probe]] = defaultdict(list)
    for probe in outcome.probes:
        if probe.gap:
            grouped[(probe.fact, probe.value)].append(probe)
    return [
        Gap(
            fact,
            value,
            tuple(p.age.label for p in found),
            tuple(dict.fromkeys(p.unassessed.reason for p in found if p.unassessed)),
        )
        for (fact, value), found in grouped.items()
    ]


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
        covered = [p for p in outcome.probes if p.fired and p.acknowledged and _covers(entry, p)]
        if covered:
            fired = tuple(sorted({name for p in covered for name in p.fired}))
            found.append(Contradiction(entry, fired, tuple(dict.fromkeys(p.age.label for p in covered))))
    return found


def _who(labels: tuple[str, ...]) -> str:
    """`an unborn baby or a child aged 3 months, 2 y or 8 y`, from age labels."""
    born = [label for label in labels if label != UNBORN]
    ages = born[0] if len(born) == 1 else ", ".join(born[:-1]) + " or " + born[-1] if born else ""
    parts = (["an unborn baby"] if len(born) < len(labels) else []) + ([f"a child aged {ages}"] if born else [])
    return " or ".join(parts)
