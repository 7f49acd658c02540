"""The assessment as Markdown, to paste into a case record or a training handout."""

from __future__ import annotations

from ..formats.text import markdown_safe
from ..model.assessment import Assessment
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
    value_words,
)


def assessment_markdown(assessment: Assessment, rulebook: Rulebook) -> str:
    """Render every part of the assessment as Markdown text."""
    out: list[str] = [f"# Assessment: {assessment.label}", ""]
    if assessment.checks:
        out += [f"> **{markdown_safe(line)}**" for line in check_lines(assessment.checks)] + [""]
    out.append(f"- **Family level:** {assessment.label} (`{assessment.level.value}`){tier_words(assessment.tier)}")
    out.append(f"- **Possible level** (if every unknown were at its worst): {assessment.possible_label}")
    out.append(f"- **Rulebook:** {assessment.rulebook.name} {assessment.rulebook.version} (`{assessment.rulebook.content_hash}`)")
    if assessment.reference:
        out.append(f"- **Reference:** {markdown_safe(assessment.reference)}")
    if assessment.response.urgent:
        out += ["", f"> **IMMEDIATE DANGER.** {assessment.response.urgent_summary}", ""]
        out += [f"> - {a}" for a in assessment.response.urgent_actions]
    if assessment.override:
        o = assessment.override
        flag = "**DOWNWARD OVERRIDE** — " if o.flagged else ""
        out += [
            "",
            f"{flag}Computed level `{o.computed_level.value}`, final level `{o.final_level.value}` ({o.direction}). "
            f"Reason: {markdown_safe(o.reason)}. By: {markdown_safe(o.by or 'not given')}. "
            f"Second person: {markdown_safe(o.second_person or 'none')}.",
        ]
    out += ["", "| Child | Age | Level | Possible level | Red flags |", "| --- | --- | --- | --- | --- |"]
    for child in assessment.children:
        out.append(
            f"| {child.child_id} | {child.age} | {child.label} | {child.possible_label} | {', '.join(child.red_flags) or '-'} |"
        )
    for child in assessment.children:
        out += ["", f"## Child {child.child_id} ({child.age}): {child.label}{tier_words(child.tier)}", ""]
        if child.unassessed:
            out += [f"**{UNASSESSED_HEADING} ({len(child.unassessed)}):**", ""]
            out += [f"- {unassessed_line(item)}" for item in child.unassessed] + [""]
        if not child.fired:
            out.append("No descriptor fired on the known facts.")
        for domain, descriptors in group_by_domain(child.fired, rulebook):
            out += [f"### {domain}", ""]
            for d in descriptors:
                red = " **RED FLAG**" if d.red_flag else ""
                facts = "; ".join(f"`{f.fact}` = {value_words(f.value)} ({f.subject})" for f in d.facts)
                also = f" Also meets: {also_meets_words(d.also_meets)}." if d.also_meets else ""
                out.append(f"- **{rulebook.levels[d.level].label}**{red}: {d.text} (`{d.id}`) — because {facts}{also}")
            out.append("")
        for e in child.escalations:
            out.append(f"- Escalation to **{rulebook.label(e.to)}** (`{e.id}`): {e.text} Because: {', '.join(e.because)}.")
        if child.mitigation:
            m = child.mitigation
            out.append(f"- Mitigation `{m.id}`: {m.text} ({m.from_level.value} → {m.to_level.value})")
        out += [f"- Not applied: {confirm.words}." for confirm in child.if_confirmed]
        if child.age_cases:
            out.append(f"- Age not known exactly: {age_cases_words(child)}.")
        census = cin_factors_line(child.cin_factors)
        if census:
            out.append(f"- {census}")
    out += ["", f"## Information gaps ({len(assessment.questions)})", ""]
    if not assessment.questions:
        out.append("No unknown fact could raise the level.")
    for q in assessment.questions:
        out.append(f"- [{q.could_raise_to.value}] **{q.subject}**: {q.ask} (`{q.fact}`)")
    r = assessment.response
    out += ["", f"## What to do next: {r.label}", "", r.summary, ""]
    out += [f"- {a}" for a in r.actions]
    out += ["", f"**Consent ({assessment.consent.status.replace('_', ' ')}):** {assessment.consent.guidance}", ""]
    return "\n".join(out)
