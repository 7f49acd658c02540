"""Explanations for people: the rich terminal view and Markdown.

Each child: the level (with the rulebook's label), the fired descriptors with the facts behind
them in words, the escalations and why, a mitigation if one applied, near misses, and the
smallest changes that would move the level down or up.
"""

from __future__ import annotations

from typing import Union

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from ..explain.results import ChildExplanation, CounterfactualSearch, Explanation, TargetSearch
from ..formats.text import markdown_safe, terminal_safe
from ..model.assessment import UnassessedFact
from ..plural import plural
from ..rulebook.book import Rulebook
from .text import check_lines
from .theme import LEVEL_STYLE, UNASSESSED_HEADING, also_meets_words, level_badge, provenance, tier_words, unassessed_line


def render_explanation(explanation: Explanation, rulebook: Rulebook, console: Console) -> None:
    """Print every explained child, then the rulebook line."""
    assessment = explanation.assessment
    if assessment.checks:
        console.print(
            Panel(Text("\n".join(check_lines(assessment.checks))), title="Check these values", border_style="bold yellow")
        )
    head = Text("Family level: ", style="bold")
    head.append_text(level_badge(assessment.level, assessment.label))
    head.append(tier_words(assessment.tier))
    title = f"needs explain · {assessment.rulebook.name}" + (
        f" · {terminal_safe(assessment.reference)}" if assessment.reference else ""
    )
    console.print(Panel(head, title=Text(title), title_align="left"))
    unassessed = {child.child_id: child.unassessed for child in assessment.children}
    tiers = {child.child_id: child.tier for child in assessment.children}
    for child in explanation.children:
        console.print(_child_panel(child, unassessed.get(child.child_id, []), tier_words(tiers[child.child_id])))
    console.print(Text(provenance(assessment, "Counterfactuals describe other situations; they are not advice."), style="dim"))


def _child_panel(child: ChildExplanation, unassessed: list[UnassessedFact], tier: str) -> Panel:
    parts: list[Text] = []
    headline = Text("Level: ", style="bold")
    headline.append_text(level_badge(child.level, child.label))
    if child.possible_level > child.level:
        headline.append("   could be as high as ")
        headline.append_text(level_badge(child.possible_level, child.possible_label))
        headline.append(" once unknowns are checked")
    parts.append(headline)
    if unassessed:
        parts.append(Text(f"{UNASSESSED_HEADING} ({len(unassessed)})", style="bold yellow"))
        parts += [Text(f"  ! {unassessed_line(item)}", style="yellow") for item in unassessed]
    parts.append(Text("\nWhy", style="bold underline"))
    if not child.fired:
        parts.append(Text("  No descriptor fired on the known facts.", style="italic"))
    for fired in child.fired:
        line = Text("  • ")
        line.append_text(level_badge(fired.level, fired.label))
        line.append(f" {fired.text}")
        if fired.red_flag:
            line.append("  RED FLAG", style="bold red")
        line.append(f"  [{fired.id}]", style="dim")
        parts.append(line)
        if fired.because:
            parts.append(Text(f"      because {'; '.join(fact.words for fact in fired.because)}", style="dim"))
        if fired.also_meets:
            parts.append(Text(f"      also meets: {also_meets_words(fired.also_meets)}", style="dim"))
    for escalation in child.escalations:
        parts.append(Text(f"  ↑ Escalation to {escalation.label}: {escalation.words}", style="bold magenta"))
        if escalation.counted:
            parts.append(Text(f"      counted: {', '.join(escalation.counted)}", style="dim"))
    if child.mitigation:
        m = child.mitigation
        parts.append(Text(f"  ↓ Mitigation {m.from_level.value} → {m.to_level.value}: {m.text}", style="bold green"))
    if child.nearly_fired:
        parts.append(Text("\nNearly fired (one change away)", style="bold underline"))
        for miss in child.nearly_fired:
            effect = f"→ {miss.level_after.value}" if miss.level_after != child.level else "(level unchanged)"
            parts.append(Text(f"  • [{miss.label}] {miss.text}  if {miss.change.words} {effect}"))
    if child.target is not None:
        parts += _search_lines(f"What would make it {child.target.target_label}", child.target)
    parts += _search_lines("What would lower it", child.down)
    parts += _search_lines("What would raise it", child.up)
    who = f"{terminal_safe(child.name)} ({child.child_id})" if child.name else child.child_id
    title = f"Child {who} ({child.age}): {child.label}{tier}"
    return Panel(Group(*parts), title=Text(title), title_align="left", border_style=LEVEL_STYLE[child.level].split()[-1])


def _search_lines(heading: str, result: Union[CounterfactualSearch, TargetSearch]) -> list[Text]:
    lines = [Text(f"\n{heading}", style="bold underline")]
    if result.note:
        lines.append(Text(f"  {result.note}", style="italic"))
    for item in result.found:
        lines.append(Text(f"  • {item.sentence}"))
    if result.more and result.changes_needed is not None:  # more than shown: some were found
        lines.append(
            Text(f"  … and {result.more} more of {plural(result.changes_needed, 'change')} (see --format json)", style="dim")
        )
    return lines


def explanation_markdown(explanation: Explanation, rulebook: Rulebook) -> str:
    """The explanation as Markdown, for a case record or a training handout."""
    a = explanation.assessment
    out = [f"# Explanation: {a.label}", ""]
    out += [f"> **{markdown_safe(line)}**" for line in check_lines(a.checks)] + ([""] if a.checks else [])
    out.append(f"- **Family level:** {a.label} (`{a.level.value}`){tier_words(a.tier)}")
    out.append(f"- **Rulebook:** {a.rulebook.name} {a.rulebook.version} (`{a.rulebook.content_hash}`)")
    if a.reference:
        out.append(f"- **Reference:** {markdown_safe(a.reference)}")
    unassessed = {child.child_id: child.unassessed for child in a.children}
    tiers = {child.child_id: child.tier for child in a.children}
    for child in explanation.children:
        name = f"{markdown_safe(child.name)} ({child.child_id})" if child.name else child.child_id
        out += ["", f"## {name} ({child.age}): {child.label}{tier_words(tiers[child.child_id])}", ""]
        if unassessed.get(child.child_id):
            out += [f"**{UNASSESSED_HEADING}:**", ""]
            out += [f"- {unassessed_line(item)}" for item in unassessed[child.child_id]] + [""]
        out += ["### Why", ""]
        if not child.fired:
            out.append("No descriptor fired on the known facts.")
        for fired in child.fired:
            red = " **RED FLAG**" if fired.red_flag else ""
            facts = "; ".join(f.words for f in fired.because)
            also = f" Also meets: {also_meets_words(fired.also_meets)}." if fired.also_meets else ""
            out.append(f"- **{fired.label}**{red}: {fired.text} (`{fired.id}`) — because {facts}.{also}")
        for e in child.escalations:
            counted = f" Counted: {', '.join(f'`{i}`' for i in e.counted)}." if e.counted else ""
            out.append(f"- Escalation to **{e.label}** (`{e.id}`): {e.words}{counted}")
        if child.mitigation:
            m = child.mitigation
            out.append(f"- Mitigation `{m.id}`: {m.text} ({m.from_level.value} → {m.to_level.value})")
        if child.nearly_fired:
            out += ["", "### Nearly fired", ""]
            out += [
                f"- [{m.label}] {m.text} (`{m.id}`): if {m.change.words}"
                + (f" → {m.level_after.value}" if m.level_after != child.level else " (level unchanged)")
                for m in child.nearly_fired
            ]
        searches: list[tuple[str, Union[CounterfactualSearch, TargetSearch]]] = [
            ("What would lower it", child.down),
            ("What would raise it", child.up),
        ]
        if child.target is not None:
            searches.insert(0, (f"What would make it {child.target.target_label}", child.target))
        for heading, result in searches:
            out += ["", f"### {heading}", ""]
            if result.note:
                out.append(f"_{result.note}_")
            out += [f"- {item.sentence}" for item in result.found]
            if result.more:
                out.append(f"- … and {result.more} more")
    out.append("")
    return "\n".join(out)
