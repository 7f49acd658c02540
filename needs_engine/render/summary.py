"""The one-screen view of an assessment: what `needs assess` shows a screener by default.

A screener reads the answer at the front door, often with a family on the phone, so the first
view fits one terminal screen (ONE_SCREEN lines at 100 columns for every shipped example and
scenario; tests/cli/test_one_screen.py holds it): the checks, the family level and what to do
now, one block per child with its level and its top reasons in words (the highest rung of each
need, Semantics 12), every recorded concern that was not assessed (Semantics 14), the red-flag
checklist and the five questions that matter most. A reason about the home or a carer that
applies to every child is shown once, in its own block, not once per child.

The essentials always show; more reasons are added a round at a time across the blocks while
the view still fits. `--full` (render/terminal.py) shows everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.text import Text

from ..engine.questions import RED_FLAGS
from ..explain.words import fact_name
from ..formats.text import terminal_safe
from ..model.assessment import AppliedEscalation, Assessment, ChildAssessment, FiredDescriptor, Question, UnassessedFact
from ..model.catalogue import spec_of
from ..plural import plural
from ..rulebook.book import Rulebook
from .text import check_lines
from .theme import (
    LEVEL_STYLE,
    UNASSESSED_HEADING,
    age_cases_words,
    level_badge,
    provenance,
    rise_words,
    short_label,
    subject_words,
    tier_words,
    unassessed_brief,
)

ONE_SCREEN = 40
"""The most lines the default view may take at 100 columns (a laptop terminal's screen)."""

QUESTIONS_SHOWN = 5
"""The questions shown after the red-flag checklist: the ones that matter most."""

Reason = Union[FiredDescriptor, AppliedEscalation]


@dataclass
class _Block:
    """One block of reasons: a child's, or the home's and carers' that every child shares."""

    child: ChildAssessment | None
    reasons: list[Reason]
    always: list[RenderableType] = field(default_factory=list)
    """Shown whatever the space: the unassessed list, a mitigation, an approximate age."""
    optional: list[RenderableType] = field(default_factory=list)
    """Shown once all of the block's reasons are: strengths that would lower the level if confirmed."""


def render_summary(assessment: Assessment, rulebook: Rulebook, console: Console, *, all_questions: bool = False) -> None:
    """Print the one-screen view: checks, level and response, a block per child, then the questions."""
    for renderable in _View(assessment, rulebook, console, all_questions=all_questions).fitted():
        console.print(renderable)


@dataclass
class _Layout:
    """How much of each part is shown: response actions, reasons per block, a block's extras."""

    actions: int
    reasons: list[int]
    extras: list[bool]


class _View:
    """The parts of the view, each measured once, and the layout that fits them into one screen."""

    def __init__(self, assessment: Assessment, rulebook: Rulebook, console: Console, *, all_questions: bool) -> None:
        self.assessment = assessment
        self.book = rulebook
        self.console = console
        self.heights: dict[int, int] = {}
        self.head = self._head()
        self.actions = [_item("  • ", Text(action), console) for action in assessment.response.actions]
        self.more_actions = {
            n: Text(f"  … and {plural(n, 'more action')}: --full", style="dim") for n in range(1, len(self.actions) + 1)
        }
        consent = Text(f"Consent ({assessment.consent.status.replace('_', ' ')}): ", style="bold")
        consent.append(assessment.consent.guidance)
        self.consent = [consent, Text("")]
        self.blocks = _blocks(assessment, rulebook, console)
        self.reason_lines = [[self._reason(r) for r in block.reasons] for block in self.blocks]
        self.headings: dict[tuple[int, int], Text] = {}
        self.bottom = [Text(""), *self._questions(all_questions), self._footer()]

    def fitted(self) -> list[RenderableType]:
        """The view with as much as fits, added in order: every action of the response, then the
        blocks' reasons a round at a time (the first of each is always shown), then their extras."""
        layout = _Layout(0, [min(1, len(block.reasons)) for block in self.blocks], [False] * len(self.blocks))

        def fits() -> bool:
            return self._height(self._compose(layout)) <= ONE_SCREEN

        layout.actions = len(self.actions)
        while layout.actions > 1 and not fits():
            layout.actions -= 1
        grown = True
        while grown:
            grown = False
            for index, block in enumerate(self.blocks):
                if layout.reasons[index] < len(block.reasons):
                    layout.reasons[index] += 1
                    if fits():
                        grown = True
                    else:
                        layout.reasons[index] -= 1
        for index, block in enumerate(self.blocks):
            if block.optional and layout.reasons[index] == len(block.reasons):
                layout.extras[index] = True
                layout.extras[index] = fits()
        return self._compose(layout)

    def _compose(self, layout: _Layout) -> list[RenderableType]:
        parts: list[RenderableType] = [*self.head, *self.actions[: layout.actions]]
        if layout.actions < len(self.actions):
            parts.append(self.more_actions[len(self.actions) - layout.actions])
        parts += self.consent
        for index, block in enumerate(self.blocks):
            shown = layout.reasons[index]
            parts.append(self._heading(index, block, shown))
            parts += block.always
            parts += self.reason_lines[index][:shown]
            if layout.extras[index]:
                parts += block.optional
        return parts + self.bottom

    def _height(self, parts: Sequence[RenderableType]) -> int:
        total = 0
        for part in parts:
            found = self.heights.get(id(part))
            if found is None:
                found = self.heights[id(part)] = len(self.console.render_lines(part, self.console.options, pad=False))
            total += found
        return total

    def _head(self) -> list[RenderableType]:
        """The rulebook, the checks, the family level, what it could rise to, and what to do now."""
        a = self.assessment
        title = f"needs-engine · {a.rulebook.name}" + (f" · {terminal_safe(a.reference)}" if a.reference else "")
        parts: list[RenderableType] = [Rule(Text(title), style=LEVEL_STYLE[a.level].split()[-1])]
        if a.checks:
            parts.append(Text("Check these values first:", style="bold yellow"))
            parts += [_item("  ! ", Text(line, style="yellow"), self.console) for line in check_lines(a.checks)]
        family = Text("Family level: ", style="bold")
        family.append_text(level_badge(a.level, a.label))
        family.append(tier_words(a.tier))
        if a.override and a.override.direction != "same":
            family.append(f"  (computed: {a.computed_level.value}; overridden {a.override.direction})")
        parts.append(family)
        rise = rise_words(a)
        if rise is not None:
            line = Text("Could rise to: ", style="bold")
            line.append_text(level_badge(a.possible_level, short_label(a.possible_label)))
            line.append(f" {rise}")
            parts.append(line)
        if a.override and a.override.flagged:
            o = a.override
            parts.append(
                Text(
                    f"DOWNWARD OVERRIDE: computed {o.computed_level.value}, lowered to {o.final_level.value} by professional "
                    f"judgement. Reason: {terminal_safe(o.reason)}. By: {terminal_safe(o.by or 'not given')}; "
                    f"agreed by: {terminal_safe(o.second_person or '')}",
                    style="bold yellow",
                )
            )
        r = a.response
        if r.urgent:
            parts.append(Text(f"IMMEDIATE DANGER: {r.urgent_summary or ''}", style="bold red"))
            parts += [_item("  • ", Text(action, style="red"), self.console) for action in r.urgent_actions]
        todo = Text("What to do now: ", style="bold")
        todo.append(r.summary)
        parts.append(todo)
        return parts

    def _heading(self, index: int, block: _Block, shown: int) -> Text:
        found = self.headings.get((index, shown))
        if found is not None:
            return found
        if block.child is None:
            heading = Text("Every child (from the home and carers)", style="bold")
        else:
            child = block.child
            heading = Text(f"{child.child_id}, {child.age}: ", style="bold")
            heading.append_text(level_badge(child.level, short_label(child.label)))
            if child.tier is not self.assessment.tier:
                # The family line gives the family's tier; a child's heading repeats it only when it differs
                # (a child below the family level, or one whose level covers several tiers), so the
                # essentials still fit one screen.
                heading.append(tier_words(child.tier))
            if child.possible_level > child.level:
                heading.append(f" · could rise to {short_label(child.possible_label)}")
            if not child.fired and not child.escalations:
                heading.append(" · no descriptor fired on the known facts", style="italic")
        if shown < len(block.reasons):
            heading.append(f" · +{len(block.reasons) - shown} more", style="dim")
        self.headings[(index, shown)] = heading
        return heading

    def _reason(self, reason: Reason) -> RenderableType:
        level = reason.to if isinstance(reason, AppliedEscalation) else reason.level
        body = Text()
        body.append(f" {short_label(self.book.label(level))} ", style=LEVEL_STYLE[level])
        body.append(f" {self._count_words(reason) or reason.text}")
        if isinstance(reason, FiredDescriptor) and reason.red_flag:
            body.append("  RED FLAG", style="bold red")
        return _item("  ↑ " if isinstance(reason, AppliedEscalation) else "  • ", body, self.console)

    def _count_words(self, reason: Reason) -> str | None:
        """A count escalation in numbers, "6 needs at Early Help or above in 4 domains (this
        rulebook's line: 3 in 3)": its text is the same for every child, its numbers are not, and
        the needs it counted follow it."""
        if not isinstance(reason, AppliedEscalation):
            return None
        rule = next((e.count for e in self.book.escalations if e.id == reason.id), None)
        if rule is None:
            return None
        domains = {self.book.by_id[i].domain for i in reason.because if i in self.book.by_id}
        return (
            f"{plural(len(reason.because), 'need')} at {short_label(self.book.label(rule.min_level))} or above "
            f"in {plural(len(domains), 'domain')} (this rulebook's line: {rule.min_count} in {rule.min_domains})"
        )

    def _questions(self, all_questions: bool) -> list[RenderableType]:
        """The red-flag checklist, then the questions that matter most, a heading per level they could raise to."""
        questions = self.assessment.questions
        if not questions:
            return [Text("No unknown fact could raise the level.", style="bold")]
        checklist = [q for q in questions if q.group == RED_FLAGS]
        rows = _by_fact([q for q in questions if q.group != RED_FLAGS])
        shown = rows if all_questions else rows[:QUESTIONS_SHOWN]
        heading = Text(f"Questions ({len(questions)})", style="bold")
        if checklist:
            heading.append_text(_checklist(checklist))
        parts: list[RenderableType] = [heading]
        level = None
        for number, row in enumerate(shown, 1):
            if row.first.could_raise_to != level:
                level = row.first.could_raise_to
                then = "Then" if checklist and number == 1 else "Next" if number > 1 else "Most consequential"
                parts.append(Text(f"  {then}, each could raise a child to {short_label(self.book.label(level))}:", style="bold"))
            parts.append(_item(f"  {number}. ", _question_words(row), self.console))
        rest = len(rows) - len(shown)
        if rest:
            parts.append(Text(f"  … and {plural(rest, 'more question')}: --all-questions, or --format json", style="dim"))
        return parts

    def _footer(self) -> Text:
        return Text(provenance(self.assessment, "Decision support; see --full."), style="dim")


def _item(marker: str, body: Text, console: Console) -> Text:
    """A list item whose wrapped lines hang under its first word, not under the marker: `body`
    wrapped to the width the marker leaves, so the console never wraps it again."""
    lines = body.wrap(console, max(20, console.width - len(marker)))
    item = Text(marker)
    for number, line in enumerate(lines):
        if number:
            item.append("\n" + " " * len(marker))
        item.append_text(line)
    return item


def _blocks(assessment: Assessment, book: Rulebook, console: Console) -> list[_Block]:
    """A block per child; with two or more children, first a block of what applies to every child."""
    children = assessment.children
    shared, shared_unassessed = _shared(children, book) if len(children) > 1 else (set(), set())
    blocks: list[_Block] = []
    if shared or shared_unassessed:
        first = children[0]
        reasons = [r for r in _reasons(first) if _key(r) in shared]
        always = _unassessed_items([u for u in first.unassessed if _unassessed_key(u) in shared_unassessed], console)
        blocks.append(_Block(None, reasons, always))
    for child in children:
        reasons = [r for r in _reasons(child) if _key(r) not in shared]
        always = _unassessed_items([u for u in child.unassessed if _unassessed_key(u) not in shared_unassessed], console)
        if child.mitigation:
            m = child.mitigation
            words = f"Lowered from {short_label(book.label(m.from_level))} to {short_label(book.label(m.to_level))}: {m.text}"
            always.append(_item("  ↓ ", Text(words, style="green"), console))
        if child.age_cases:
            always.append(_item("  ? ", Text(f"Age not known exactly: {age_cases_words(child)}", style="yellow"), console))
        optional: list[RenderableType] = [
            _item("  ↓ ", Text(f"Not applied: {confirm.words}", style="green"), console) for confirm in child.if_confirmed
        ]
        blocks.append(_Block(child, reasons, always, optional))
    return blocks


def _reasons(child: ChildAssessment) -> list[Reason]:
    """The child's reasons, most telling first.

    By level; at a level, red flags first, then an escalation that set the child's level (no
    fired descriptor reaches it), then the needs (each fired descriptor is the highest fired
    rung of its need, Semantics 12), then escalations the needs already explain."""
    top_descriptor = max((d.level for d in child.fired), default=None)

    def rank(reason: Reason) -> tuple[int, int, str]:
        if isinstance(reason, AppliedEscalation):
            sets_level = reason.to == child.level and (top_descriptor is None or top_descriptor < reason.to)
            return -reason.to.rank, 1 if sets_level else 3, reason.id
        return -reason.level.rank, 0 if reason.red_flag else 2, reason.id

    return sorted(_all_reasons(child), key=rank)


def _all_reasons(child: ChildAssessment) -> list[Reason]:
    return [*child.fired, *child.escalations]


ReasonKey = tuple[str, str, tuple[str, ...]]


def _key(reason: Reason) -> ReasonKey:
    if isinstance(reason, AppliedEscalation):
        return "escalation", reason.id, tuple(reason.because)
    return "descriptor", reason.id, ()


def _shared(children: list[ChildAssessment], book: Rulebook) -> tuple[set[ReasonKey], set[tuple[str, ...]]]:
    """The reasons, and the unassessed concerns, that every child has on the home's and carers' facts alone.

    A descriptor is shared when it fired for every child on home and carer facts alone; an
    escalation when every child met it for the same reasons: a condition on home and carer
    facts, or a count of shared descriptors only."""
    common = set.intersection(*({_key(r) for r in _all_reasons(child)} for child in children))
    fired = {d.id: d for d in children[0].fired}
    descriptors = {
        key for key in common if key[0] == "descriptor" and not any(f.subject.startswith("child:") for f in fired[key[1]].facts)
    }
    shared_ids = {key[1] for key in descriptors}
    counts = {e.id for e in book.escalations if e.count is not None}
    escalations = {
        key
        for key in common
        if key[0] == "escalation"
        and (set(key[2]) <= shared_ids if key[1] in counts else not any("(child:" in because for because in key[2]))
    }
    unassessed = set.intersection(*({_unassessed_key(u) for u in child.unassessed} for child in children))
    return descriptors | escalations, {key for key in unassessed if not key[0].startswith("child:")}


def _unassessed_key(item: UnassessedFact) -> tuple[str, ...]:
    return item.subject, item.fact, str(item.value), item.reason, item.words


def _unassessed_items(items: list[UnassessedFact], console: Console) -> list[RenderableType]:
    return [_item("  ! ", Text(f"{UNASSESSED_HEADING}: {unassessed_brief(item)}", style="yellow"), console) for item in items]


@dataclass
class _Row:
    """A question as the view asks it: a child's fact asked of several children is one row."""

    first: Question
    subjects: list[str]


def _by_fact(questions: list[Question]) -> list[_Row]:
    """Questions in order, a child's fact asked of several children merged into its first row."""
    rows: dict[tuple[str, str], _Row] = {}
    for question in questions:
        key = (question.fact, "child" if question.subject.startswith("child:") else question.subject)
        row = rows.get(key)
        if row is None:
            rows[key] = _Row(question, [question.subject])
        else:
            row.subjects.append(question.subject)
    return list(rows.values())


def _checklist(questions: list[Question]) -> Text:
    """The red-flag screens as one list to rule out first: yes, no or don't know for each."""
    rows = _by_fact(questions)
    whose = {tuple(row.subjects) for row in rows if row.first.subject.startswith("child:")}
    same = len(whose) == 1
    items = []
    for row in rows:
        name = fact_name(spec_of(row.first.fact))
        if row.first.subject.startswith("child:") and not same:
            name += f" ({', '.join(subject_words(s) for s in row.subjects)})"
        items.append(name)
    line = Text(": first rule out the red flags (yes / no / don't know)", style="bold")
    if same:
        line.append(f" for {', '.join(subject_words(s) for s in next(iter(whose)))}", style="bold")
    line.append(": " + "; ".join(items))
    return line


def _question_words(row: _Row) -> Text:
    words = Text(", ".join(subject_words(s) for s in row.subjects), style="bold")
    words.append(f": {row.first.ask}")
    return words
