"""The rich terminal view of an assessment, for screeners and trainers.

Levels are always shown as words (the rulebook's label) as well as colour.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..formats.text import terminal_safe
from ..model.assessment import Assessment, ChildAssessment
from ..plural import plural
from ..rulebook.book import Rulebook
from .text import check_lines
from .theme import (
    LEVEL_STYLE,
    UNASSESSED_HEADING,
    age_cases_words,
    also_meets_words,
    cin_factors_line,
    group_by_domain,
    level_badge,
    provenance,
    rise_words,
    tier_words,
    unassessed_line,
    value_words,
)

MAX_QUESTIONS_SHOWN = 12


def render_assessment(assessment: Assessment, rulebook: Rulebook, console: Console, *, all_questions: bool = False) -> None:
    """Print the assessment: checks first, then level, children, reasons, escalations, gaps, consent and response."""
    if assessment.checks:
        console.print(
            Panel(Text("\n".join(check_lines(assessment.checks))), title="Check these values", border_style="bold yellow")
        )
    console.print(_headline(assessment))
    if assessment.response.urgent:
        console.print(
            Panel(
                "\n".join([assessment.response.urgent_summary or "", *(f"• {a}" for a in assessment.response.urgent_actions)]),
                title="IMMEDIATE DANGER",
                border_style="bold red",
            )
        )
    if assessment.override and assessment.override.flagged:
        o = assessment.override
        console.print(
            Panel(
                Text(
                    f"Computed level {o.computed_level.value} was LOWERED to {o.final_level.value} by professional judgement.\n"
                    f"Reason: {terminal_safe(o.reason)}\nBy: {terminal_safe(o.by or 'not given')}; "
                    f"agreed by: {terminal_safe(o.second_person or '')}"
                ),
                title="DOWNWARD OVERRIDE",
                border_style="bold yellow",
            )
        )
    console.print(_children_table(assessment))
    for child in assessment.children:
        console.print(_child_reasons(child, rulebook))
    console.print(_questions(assessment, all_questions))
    console.print(_consent_and_response(assessment))
    console.print(
        Text(provenance(assessment, "Decision support: it informs professional judgement, never replaces it."), style="dim")
    )


def _headline(assessment: Assessment) -> Panel:
    line = Text("Family level: ", style="bold")
    line.append_text(level_badge(assessment.level, assessment.label))
    line.append(tier_words(assessment.tier))
    if assessment.override and assessment.override.direction != "same":
        line.append(f"  (computed: {assessment.computed_level.value}; overridden {assessment.override.direction})")
    rise = rise_words(assessment)
    if rise is not None:
        line.append("\nCould rise to: ")
        line.append_text(level_badge(assessment.possible_level, assessment.possible_label))
        line.append(f"  {rise}")
    title = f"needs-engine · {assessment.rulebook.name}" + (
        f" · {terminal_safe(assessment.reference)}" if assessment.reference else ""
    )
    return Panel(line, title=Text(title), border_style=LEVEL_STYLE[assessment.level].split()[-1])


def _children_table(assessment: Assessment) -> Table:
    table = Table(title="Children", show_lines=False, expand=False)
    for column in ("child", "age", "level", "possible level", "red flags"):
        table.add_column(column)
    for child in assessment.children:
        table.add_row(
            child.child_id,
            child.age,
            level_badge(child.level, child.label),
            level_badge(child.possible_level, child.possible_label),
            ", ".join(flag.split(".", 1)[1] for flag in child.red_flags) or "-",
        )
    return table


def _child_reasons(child: ChildAssessment, rulebook: Rulebook) -> Panel:
    parts: list[Text | Table] = _unassessed(child)
    if not child.fired:
        parts.append(Text("No descriptor fired on the known facts.", style="italic"))
    for domain, descriptors in group_by_domain(child.fired, rulebook):
        parts.append(Text(domain, style="bold underline"))
        for d in descriptors:
            line = Text("  • ")
            line.append_text(level_badge(d.level, rulebook.levels[d.level].label))
            line.append(f" {d.text}")
            if d.red_flag:
                line.append("  RED FLAG", style="bold red")
            line.append(f"  [{d.id}]", style="dim")
            parts.append(line)
            facts = "; ".join(f"{f.fact} = {value_words(f.value)} ({f.subject})" for f in d.facts)
            parts.append(Text(f"      because {facts}", style="dim"))
            if d.also_meets:
                parts.append(Text(f"      also meets: {also_meets_words(d.also_meets)}", style="dim"))
    for e in child.escalations:
        parts.append(Text(f"Escalation → {rulebook.label(e.to)}: {e.text}", style="bold magenta"))
        parts.append(Text(f"      because {', '.join(e.because)}", style="dim"))
    if child.mitigation:
        m = child.mitigation
        parts.append(Text(f"Mitigation {m.from_level.value} → {m.to_level.value}: {m.text}", style="bold green"))
    for confirm in child.if_confirmed:
        parts.append(Text(f"Not applied: {confirm.words}", style="green"))
    if child.age_cases:
        parts.append(Text(f"Age not known exactly: {age_cases_words(child)}", style="yellow"))
    census = cin_factors_line(child.cin_factors)
    if census:
        parts.append(Text(census, style="dim"))
    title = f"Child {child.child_id} ({child.age}): {child.label}{tier_words(child.tier)}"
    return Panel(Group(*parts), title=title, title_align="left", border_style=LEVEL_STYLE[child.level].split()[-1])


def _unassessed(child: ChildAssessment) -> list[Text | Table]:
    """The recorded concerns that fired nothing, first under the child's level (Semantics 14)."""
    if not child.unassessed:
        return []
    lines: list[Text | Table] = [Text(f"{UNASSESSED_HEADING} ({len(child.unassessed)})", style="bold yellow")]
    lines += [Text(f"  ! {unassessed_line(item)}", style="yellow") for item in child.unassessed]
    return lines


def _questions(assessment: Assessment, all_questions: bool) -> Panel:
    if not assessment.questions:
        return Panel("No unknown fact could raise the level.", title="Information gaps")
    shown = assessment.questions if all_questions else assessment.questions[:MAX_QUESTIONS_SHOWN]
    table = Table(show_header=True, expand=False, box=None)
    for column in ("could raise to", "ask about", "question"):
        table.add_column(column)
    for q in shown:
        table.add_row(Text(q.could_raise_to.value, style=LEVEL_STYLE[q.could_raise_to]), q.subject, q.ask)
    rest = len(assessment.questions) - len(shown)
    footer = Text(f"… and {rest} more (use --all-questions, or --format json)", style="dim") if rest else Text("")
    return Panel(
        Group(table, footer),
        title=f"Information gaps: {plural(len(assessment.questions), 'question')} to ask, red-flag screens and most consequential first",
    )


def _consent_and_response(assessment: Assessment) -> Panel:
    r = assessment.response
    lines = Text()
    lines.append("Recommended response: ", style="bold")
    lines.append(f"{r.summary}\n")
    for action in r.actions:
        lines.append(f"  • {action}\n")
    lines.append(f"Consent ({assessment.consent.status.replace('_', ' ')}): ", style="bold")
    lines.append(assessment.consent.guidance)
    return Panel(lines, title=f"What to do next: {r.label}")
