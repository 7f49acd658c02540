"""HTML pages from Jinja2 templates: the case record (`assess --format html`) and the full report
(`explain --format html`).

The case record is what a screener attaches to a case: it prints on one or two A4 pages (the
decision and response, the reasons per child, checks, the questions that matter most, the facts
recorded, the decision record's input hash, and a box for the screener's name, role and
judgement). The report is the long form, with near misses and counterfactuals.

Both are self-contained: inline CSS, no scripts, fonts, images or anything else from the network,
and `@page` / `@media print` rules for A4. Levels are shown as text labels as well as colour, so
the page reads the same in black and white. Every value is escaped (autoescape) and stripped of
control characters; names appear only where the screener gave them.

The layout lives in `templates/`, not in Python strings, so an authority can put its own header
on every page: a folder named by NEEDS_HTML_TEMPLATES holding `header.html.j2` is searched before
the shipped templates (docs/html-report.md). This module only prepares what the templates show.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ..errors import InputError, Problem
from ..explain.results import ChildExplanation, Explanation
from ..explain.words import fact_name, fact_sentence, subject_name, value_text
from ..formats.text import terminal_safe
from ..model.assessment import Assessment, ChildAssessment, FiredDescriptor, UnassessedFact
from ..model.catalogue import facts_by_root, known_facts
from ..model.levels import Level
from ..model.situation import Household, Situation
from ..plural import plural
from ..rulebook.book import Rulebook
from .text import check_lines
from .theme import (
    UNASSESSED_HEADING,
    age_cases_words,
    also_meets_words,
    cin_factors_line,
    group_by_domain,
    tier_words,
    unassessed_line,
)

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).with_name("templates")
"""The shipped templates (package data)."""

TEMPLATES_ENV = "NEEDS_HTML_TEMPLATES"
"""An authority's folder of templates, searched first: its `header.html.j2` replaces the shipped header."""

QUESTIONS_ON_RECORD = 5
"""The case record lists this many questions, the most consequential first (the report lists all)."""

# Ink and paper per level; the label and rank ("3/4") are always printed beside the colour.
COLOURS = {
    Level.universal.value: ("#1b5e20", "#e8f5e9"),
    Level.early_help.value: ("#6d5300", "#fff8e1"),
    Level.targeted.value: ("#8a3c00", "#fff0e0"),
    Level.safeguarding.value: ("#8e0000", "#ffebee"),
}


@dataclass(frozen=True)
class Reason:
    """One fired descriptor, at the highest rung of its need, in words."""

    level: Level
    label: str
    text: str
    id: str
    red_flag: bool
    because: str
    also: Optional[str]


@dataclass(frozen=True)
class EscalationView:
    """An escalation the child's level rose by: to which level, and the rule in words."""

    to: Level
    label: str
    text: str


@dataclass(frozen=True)
class ChildView:
    """What a page shows of one child."""

    id: str
    who: str
    age: str
    assessment: ChildAssessment
    groups: list[tuple[str, list[Reason]]]
    escalations: list[tuple[EscalationView, str]]
    notes: list[str]
    unassessed: list[str]
    explained: Optional[ChildExplanation] = None


@dataclass(frozen=True)
class FactGroup:
    """The known facts of one person, the home, the strengths or the household."""

    who: str
    notable: list[tuple[str, str]] = field(default_factory=list)
    """(fact, value) for the values worth reading out (FactSpec.notable), in the model's order."""
    fine: list[str] = field(default_factory=list)
    """The facts known to be at their no-concern value ("no", the first grade), by name."""


def record_html(assessment: Assessment, rulebook: Rulebook, situation: Situation, *, generated: Optional[dt.date] = None) -> str:
    """The case record: one or two A4 pages to attach to the case (`needs assess --format html`)."""
    from ..workflows.records import input_hash

    household = situation.household
    children = [child_view(child, rulebook, household) for child in assessment.children]
    shared = _shared_reasons(children) if len(children) > 1 else []
    shared_ids = {reason.id for _, reasons in shared for reason in reasons}
    shared_unassessed = _shared_unassessed(assessment.children) if len(children) > 1 else []
    for child in children:
        _drop_shared(child, shared_ids, set(shared_unassessed))
    return _render(
        "record.html.j2",
        assessment,
        rulebook,
        generated,
        household=household,
        input_hash=input_hash(situation),
        children=children,
        shared=shared,
        shared_unassessed=shared_unassessed,
        questions=assessment.questions[:QUESTIONS_ON_RECORD],
        facts=_fact_groups(household),
    )


def report_html(
    assessment: Assessment,
    rulebook: Rulebook,
    *,
    explanation: Optional[Explanation] = None,
    household: Optional[Household] = None,
    generated: Optional[dt.date] = None,
) -> str:
    """The full report: every reason, near misses and counterfactuals (`needs explain --format html`)."""
    explained = {c.child_id: c for c in explanation.children} if explanation else {}
    children = [child_view(c, rulebook, household, explained.get(c.child_id)) for c in assessment.children]
    return _render(
        "report.html.j2", assessment, rulebook, generated, household=household, children=children, questions=assessment.questions
    )


def _render(template: str, assessment: Assessment, rulebook: Rulebook, generated: Optional[dt.date], **context: Any) -> str:
    import jinja2

    day = (generated or dt.datetime.now(dt.UTC).date()).isoformat()
    folder = os.environ.get(TEMPLATES_ENV) or None
    try:
        page = _environment(folder).get_template(template)
        return page.render(
            assessment=assessment,
            rulebook=assessment.rulebook,
            levels=rulebook.levels,
            generated=day,
            checks=check_lines(assessment.checks),
            gap=_gap(assessment, context.get("household")),
            **context,
        )
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}:{exc.lineno}"
        raise InputError([Problem(where, f"template error: {exc.message}", code="template")]) from None
    except jinja2.TemplateError as exc:
        raise InputError(
            [Problem(_template_line(exc) or folder or str(TEMPLATES), f"template error: {exc}", code="template")]
        ) from None


def _template_line(exc: BaseException) -> Optional[str]:
    """`file:line` of the template that failed while rendering (Jinja puts template frames in the
    traceback), so an authority's mistake is reported where it is, as a rule file's would be."""
    found = None
    frame = exc.__traceback__
    while frame is not None:
        name = frame.tb_frame.f_code.co_filename
        if name.endswith((".j2", ".css")):
            found = f"{name}:{frame.tb_lineno}"
        frame = frame.tb_next
    return found


@cache
def _environment(folder: Optional[str]) -> jinja2.Environment:
    """The record's templates, an authority's folder first."""
    search = [str(TEMPLATES)]
    if folder is not None:
        if not Path(folder).is_dir():
            raise InputError(
                [Problem(TEMPLATES_ENV, f"{folder} is not a folder", expected="a folder holding header.html.j2", code="template")]
            )
        search.insert(0, folder)
    return template_environment(search)


def template_environment(search: list[str]) -> jinja2.Environment:
    """Templates from the `search` folders, in order: autoescaped, strict about undefined names,
    every value stripped of control characters, and the level colours and helpers every page uses."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=True,
        extensions=["jinja2.ext.do"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=without_control_characters,
    )
    env.globals.update(
        colours=COLOURS, tier_words=tier_words, plural=plural, subject_name=subject_name, UNASSESSED_HEADING=UNASSESSED_HEADING
    )
    return env


def without_control_characters(value: Any) -> Any:
    """Free text as the page may show it (a reference or a name may hold escape sequences).
    Markup is already page text: what a macro made from values that passed through here."""
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return terminal_safe(value)
    return value


@dataclass(frozen=True)
class Gap:
    """What "could be higher" means: how many unknown facts could raise the level, and the first to ask."""

    count: int
    ask: str
    about: str


def _gap(assessment: Assessment, household: Optional[Household]) -> Optional[Gap]:
    if assessment.possible_level <= assessment.computed_level or not assessment.questions:
        return None
    first = assessment.questions[0]
    return Gap(len(assessment.questions), first.ask, subject_name(first.subject, household))


def child_view(
    child: ChildAssessment, rulebook: Rulebook, household: Optional[Household], explained: Optional[ChildExplanation] = None
) -> ChildView:
    words = {f.id: [w.words for w in f.because] for f in explained.fired} if explained else {}
    groups = [
        (domain, [_reason(d, rulebook, words.get(d.id)) for d in descriptors])
        for domain, descriptors in group_by_domain(child.fired, rulebook)
    ]
    reasons = {x.id: x.words for x in explained.escalations} if explained else {}
    fired = {d.id for d in child.fired}
    escalations = []
    for e in child.escalations:
        because = reasons.get(e.id)
        if because and e.because and e.because[0] in fired:
            because += " Counted: " + ", ".join(e.because) + "."
        escalations.append((EscalationView(e.to, rulebook.levels[e.to].label, e.text), because or _counted(e.because, rulebook)))
    notes = [f"Not applied: {confirm.words}" for confirm in child.if_confirmed]
    if child.age_cases:
        notes.append(f"Age not known exactly: {age_cases_words(child)}")
    census = cin_factors_line(child.cin_factors)
    if census:
        notes.append(census)
    return ChildView(
        id=child.child_id,
        who=subject_name(f"child:{child.child_id}", household),
        age=child.age,
        assessment=child,
        groups=groups,
        escalations=escalations,
        notes=notes,
        unassessed=[unassessed_line(item) for item in child.unassessed],
        explained=explained,
    )


def _counted(because: list[str], rulebook: Rulebook) -> str:
    """What an escalation counted, short: "6 needs in 4 domains" for a count of descriptors (the
    needs themselves are the reasons listed above it), else the facts that met its condition as
    the assessment records them."""
    counted = [rulebook.by_id[i] for i in because if i in rulebook.by_id]
    if not counted or len(counted) != len(because):
        return ", ".join(because)
    domains = {d.domain for d in counted}
    return f"it counted {plural(len(counted), 'need')} in {plural(len(domains), 'domain')}"


def _reason(d: FiredDescriptor, rulebook: Rulebook, explained: Optional[list[str]]) -> Reason:
    because = explained or [_plain_fact(f.subject, f.fact, f.value) for f in d.facts]
    also = also_meets_words(d.also_meets) if d.also_meets else None
    return Reason(d.level, rulebook.levels[d.level].label, d.text, d.id, d.red_flag, "; ".join(because), also)


def _plain_fact(subject: str, fact: str, value: object) -> str:
    root, *path = fact.split(".")
    spec = facts_by_root()[root].get(tuple(path))
    return fact_sentence(subject, spec, value) if spec is not None else f"{fact} = {value} ({subject})"


def _shared_reasons(children: list[ChildView]) -> list[tuple[str, list[Reason]]]:
    """The reasons every child has, from household or carer facts alone: shown once, for all.

    A descriptor counts as shared only when it fired for every child with the very same words
    (the same facts), so nothing about one child is presented as being about all of them.
    """
    per_child = [{r.id: r for _, reasons in c.groups for r in reasons} for c in children]
    first = children[0]
    shared = []
    for domain, reasons in first.groups:
        common = [r for r in reasons if all(other.get(r.id) == r for other in per_child[1:]) and _about_the_household(r, first)]
        if common:
            shared.append((domain, common))
    return shared


def _about_the_household(reason: Reason, child: ChildView) -> bool:
    fired = next(d for d in child.assessment.fired if d.id == reason.id)
    return bool(fired.facts) and all(not f.subject.startswith("child:") for f in fired.facts)


def _shared_unassessed(children: list[ChildAssessment]) -> list[str]:
    """Unassessed household or carer facts listed for every child, with the same reason: shown once."""

    def lines(child: ChildAssessment) -> list[str]:
        return [unassessed_line(item) for item in child.unassessed if _household_fact(item)]

    first = lines(children[0])
    return [line for line in first if all(line in lines(other) for other in children[1:])]


def _household_fact(item: UnassessedFact) -> bool:
    return not item.subject.startswith("child:")


def _drop_shared(child: ChildView, shared_ids: set[str], shared_unassessed: set[str]) -> None:
    """Leave in the child's block only what is not already shown for every child."""
    child.groups[:] = [
        (domain, kept) for domain, reasons in child.groups if (kept := [r for r in reasons if r.id not in shared_ids])
    ]
    child.unassessed[:] = [line for line in child.unassessed if line not in shared_unassessed]


def _fact_groups(household: Household) -> list[FactGroup]:
    """Every known fact, grouped by whose it is; what the page lists as "the facts recorded"."""
    groups: dict[tuple[str, str], FactGroup] = {}
    for known in known_facts(household):
        if known.spec.path in _SHOWN_ELSEWHERE.get(known.root, ()):
            continue
        key = (known.subject, known.root)
        if key not in groups:
            groups[key] = FactGroup(_owner_words(known.subject, known.root, household, known.owner))
        name = fact_name(known.spec).removeprefix("strength ").strip("'")
        if known.spec.notable(known.value) or known.spec.kind == "choice":
            groups[key].notable.append((name, value_text(known.spec, known.value).strip("'")))
        else:
            groups[key].fine.append(name)
    return list(groups.values())


_SHOWN_ELSEWHERE = {"child": {("age_months",), ("unborn_weeks",)}, "carer": {("role",)}}
"""Facts the page already shows beside the person (a child's age, a carer's role)."""


def _owner_words(subject: str, root: str, household: Household, owner: Any) -> str:
    if root == "child":
        from ..engine.assess import age_words

        return f"{subject_name(subject, household)}, {age_words(owner)}"
    return {"home": "The home", "strengths": "Strengths", "household": "The household"}.get(root) or subject_name(
        subject, household
    )
