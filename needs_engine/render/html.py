"""One self-contained HTML page for a case record: an assessment, and its explanation if given.

No scripts, fonts, images or anything else from the network: the CSS is inline and the page
prints cleanly (@media print). Levels are shown as text labels as well as colour, so the page
reads the same in black and white. Every piece of text is escaped. The page carries the
reference, the date, the rulebook id, version and content hash and the engine version, so it can
be attached to a case record; names appear only where the screener gave them.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Optional

from ..explain.results import ChildExplanation, CounterfactualSearch, Explanation
from ..explain.words import fact_sentence, subject_name
from ..model.assessment import Assessment, ChildAssessment
from ..model.catalogue import facts_by_root
from ..model.levels import Level
from ..model.situation import Household
from ..plural import plural
from ..rulebook.load import Rulebook
from .text import check_lines, terminal_safe
from .theme import UNASSESSED_HEADING, age_cases_words, also_meets_words, cin_factors_line, group_by_domain, unassessed_line

# Colour and a pattern-free border weight per level; the label is always printed beside it.
_COLOURS = {
    Level.universal: ("#1b5e20", "#e8f5e9"),
    Level.early_help: ("#6d5300", "#fff8e1"),
    Level.targeted: ("#8a3c00", "#fff0e0"),
    Level.safeguarding: ("#8e0000", "#ffebee"),
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;margin:0;background:#f4f4f4;line-height:1.45}
main{max-width:60rem;margin:0 auto;background:#fff;padding:1.5rem 2rem 2rem}
h1{font-size:1.5rem;margin:.2rem 0 .6rem}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.85rem;color:#444;margin:.4rem 0 1rem}
.meta dt{font-weight:600}.meta dd{margin:0;word-break:break-all}
.level{display:inline-block;padding:.1rem .55rem;border-radius:.3rem;font-weight:700;border:2px solid;white-space:nowrap}
.level::before{content:attr(data-rank);font-size:.75em;margin-right:.35em;opacity:.85}
.family{font-size:1.25rem;margin:.4rem 0 1rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f0f0f0}.nowrap{white-space:nowrap}td .level{white-space:normal}
.family .small{display:block;margin-top:.3rem}
.child{border:1px solid #ccc;border-left-width:8px;border-radius:.3rem;padding:.4rem 1rem .8rem;margin:1rem 0;break-inside:avoid-page}
ul{margin:.2rem 0 .4rem;padding-left:1.3rem}li{margin:.15rem 0}
.because{color:#444;font-size:.88rem}.id{color:#666;font-size:.8rem;font-family:ui-monospace,Consolas,monospace}
.flag{font-weight:700;color:#8e0000;border:1px solid #8e0000;padding:0 .3rem;border-radius:.2rem;font-size:.8rem}
.banner{border:3px solid #8e0000;background:#ffebee;padding:.6rem 1rem;margin:1rem 0;font-weight:600}
.note{font-style:italic;color:#444}.small{font-size:.8rem;color:#555}
footer{margin-top:2rem;font-size:.8rem;color:#555;border-top:1px solid #ddd;padding-top:.5rem}
@media print{body{background:#fff}main{max-width:none;padding:0}.child{break-inside:avoid}
.level,.flag,.banner{-webkit-print-color-adjust:exact;print-color-adjust:exact}a{color:inherit;text-decoration:none}}
"""


def escape(text: str) -> str:
    """HTML-escaped, without control characters (free text may hold escape sequences)."""
    return html.escape(terminal_safe(text))


def report_html(
    assessment: Assessment,
    rulebook: Rulebook,
    *,
    explanation: Optional[Explanation] = None,
    household: Optional[Household] = None,
    generated: Optional[dt.date] = None,
) -> str:
    """The whole page as a string."""
    day = (generated or dt.datetime.now(dt.UTC).date()).isoformat()
    title = f"Level of need: {assessment.label}" + (f" — {assessment.reference}" if assessment.reference else "")
    body = [
        *(f'<div class="banner">{escape(line)}</div>' for line in check_lines(assessment.checks)),
        f"<h1>{escape(title)}</h1>",
        _meta(assessment, day),
        f'<p class="family">Family level: {_badge(assessment.level, assessment.label)}'
        + (
            f' &nbsp; <span class="small">could be as high as {_badge(assessment.possible_level, assessment.possible_label)}'
            f" once {plural(len(assessment.questions), 'unknown fact is', 'unknown facts are')} checked</span>"
            if assessment.possible_level > assessment.computed_level
            else ""
        )
        + "</p>",
        *_banners(assessment),
        _children_table(assessment, household),
    ]
    explained = {c.child_id: c for c in explanation.children} if explanation else {}
    for child in assessment.children:
        body.append(_child_section(child, explained.get(child.child_id), rulebook, household))
    body += [_questions(assessment, rulebook, household), _response(assessment), _footer(assessment)]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>\n<body><main>\n"
        + "\n".join(body)
        + "\n</main></body></html>\n"
    )


def _badge(level: Level, label: str) -> str:
    ink, paper = _COLOURS[level]
    return (
        f'<span class="level" data-rank="{level.rank + 1}/4" style="color:{ink};background:{paper};border-color:{ink}">'
        f"{escape(label)}</span>"
    )


def _meta(assessment: Assessment, day: str) -> str:
    rows = [
        ("Reference", assessment.reference or "not given"),
        ("Date", day),
        ("Rulebook", f"{assessment.rulebook.name} ({assessment.rulebook.id} {assessment.rulebook.version})"),
        ("Content hash", assessment.rulebook.content_hash),
        ("Engine", f"needs-engine {assessment.engine_version}"),
    ]
    return '<dl class="meta">' + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>"


def _banners(assessment: Assessment) -> list[str]:
    out = []
    if assessment.response.urgent:
        actions = "".join(f"<li>{escape(a)}</li>" for a in assessment.response.urgent_actions)
        out.append(
            f'<div class="banner">IMMEDIATE DANGER. {escape(assessment.response.urgent_summary or "")}<ul>{actions}</ul></div>'
        )
    if assessment.override:
        o = assessment.override
        kind = "DOWNWARD OVERRIDE" if o.flagged else "Override"
        out.append(
            f'<div class="banner">{kind}: computed level {escape(o.computed_level.value)}, final level {escape(o.final_level.value)}. '
            f"Reason: {escape(o.reason)}. By: {escape(o.by or 'not given')}; agreed by: {escape(o.second_person or 'none')}.</div>"
        )
    return out


def _child_name(child_id: str, household: Optional[Household]) -> str:
    if household is not None:
        person = next((c for c in household.children if c.id == child_id), None)
        if person is not None and person.name:
            return f"{person.name} ({child_id})"
    return child_id


def _children_table(assessment: Assessment, household: Optional[Household]) -> str:
    rows = "".join(
        f'<tr><td>{escape(_child_name(c.child_id, household))}</td><td class="nowrap">{escape(c.age)}</td>'
        f"<td>{_badge(c.level, c.label)}</td>"
        f"<td>{_badge(c.possible_level, c.possible_label)}</td><td>{escape(', '.join(c.red_flags) or '-')}</td></tr>"
        for c in assessment.children
    )
    return (
        '<h2 id="children">Children</h2><table><thead><tr><th>Child</th><th>Age</th><th>Level</th><th>Possible level</th>'
        f'<th class="nowrap">Red flags</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _child_section(
    child: ChildAssessment, explained: Optional[ChildExplanation], rulebook: Rulebook, household: Optional[Household]
) -> str:
    ink, _ = _COLOURS[child.level]
    parts = [
        f'<section class="child" id="child-{escape(child.child_id)}" style="border-left-color:{ink}">',
        f"<h2>{escape(_child_name(child.child_id, household))} ({escape(child.age)}): {_badge(child.level, child.label)}</h2>",
    ]
    if child.unassessed:
        items = "".join(f"<li>{escape(unassessed_line(item))}</li>" for item in child.unassessed)
        parts.append(f'<div class="unassessed"><h3>{UNASSESSED_HEADING} ({len(child.unassessed)})</h3><ul>{items}</ul></div>')
    parts.append(_reasons(child, explained, rulebook))
    if explained is not None:
        parts.append(_near(explained))
        parts.append(_search("What would lower the level", explained.down))
        parts.append(_search("What would raise the level", explained.up))
    parts.append("</section>")
    return "\n".join(parts)


def _reasons(child: ChildAssessment, explained: Optional[ChildExplanation], rulebook: Rulebook) -> str:
    if not child.fired:
        return '<p class="note">No descriptor fired on the known facts.</p>'
    words = {f.id: [w.words for w in f.because] for f in explained.fired} if explained else {}
    out = ["<h3>Why</h3>"]
    for domain, descriptors in group_by_domain(child.fired, rulebook):
        items = []
        for d in descriptors:
            because = words.get(d.id) or [_plain_fact(f.subject, f.fact, f.value) for f in d.facts]
            flag = ' <span class="flag">RED FLAG</span>' if d.red_flag else ""
            also = f'<div class="because">also meets: {escape(also_meets_words(d.also_meets))}</div>' if d.also_meets else ""
            items.append(
                f'<li>{_badge(d.level, rulebook.levels[d.level].label)} {escape(d.text)}{flag} <span class="id">{escape(d.id)}</span>'
                f'<div class="because">because {escape("; ".join(because))}</div>{also}</li>'
            )
        out.append(f"<p><strong>{escape(domain)}</strong></p><ul>{''.join(items)}</ul>")
    escalations = explained.escalations if explained else None
    for e in child.escalations:
        reason = next((x.words for x in escalations if x.id == e.id), None) if escalations else None
        if reason and e.because and e.because[0] in {d.id for d in child.fired}:
            reason += " Counted: " + ", ".join(e.because) + "."
        out.append(
            f"<p>Escalation to {_badge(e.to, rulebook.levels[e.to].label)}: {escape(e.text)}"
            f'<br><span class="because">because {escape(reason or ", ".join(e.because))}</span></p>'
        )
    if child.mitigation:
        m = child.mitigation
        out.append(
            f"<p>Mitigation: {escape(m.text)} ({_badge(m.from_level, rulebook.levels[m.from_level].label)} → "
            f"{_badge(m.to_level, rulebook.levels[m.to_level].label)})</p>"
        )
    out += [f'<p class="note">Not applied: {escape(confirm.words)}</p>' for confirm in child.if_confirmed]
    if child.age_cases:
        out.append(f'<p class="note">Age not known exactly: {escape(age_cases_words(child))}</p>')
    census = cin_factors_line(child.cin_factors)
    if census:
        out.append(f'<p class="note">{escape(census)}</p>')
    return "\n".join(out)


def _plain_fact(subject: str, fact: str, value: object) -> str:
    root, *path = fact.split(".")
    spec = facts_by_root()[root].get(tuple(path))
    return fact_sentence(subject, spec, value) if spec is not None else f"{fact} = {value} ({subject})"


def _near(explained: ChildExplanation) -> str:
    if not explained.nearly_fired:
        return ""
    items = "".join(
        f"<li>{_badge(m.level, m.label)} {escape(m.text)} — if {escape(m.change.words)}"
        f"{'' if m.level_after == explained.level else ' the level would be ' + escape(m.level_after.value.replace('_', ' '))}</li>"
        for m in explained.nearly_fired
    )
    return f"<h3>Nearly fired (one change away)</h3><ul>{items}</ul>"


def _search(heading: str, result: CounterfactualSearch) -> str:
    out = [f"<h3>{escape(heading)}</h3>"]
    if result.note:
        out.append(f'<p class="note">{escape(result.note)}</p>')
    if result.found:
        out.append("<ul>" + "".join(f"<li>{escape(c.sentence)}</li>" for c in result.found) + "</ul>")
    if result.more:
        out.append(f'<p class="small">… and {result.more} more of the same size.</p>')
    return "\n".join(out)


def _questions(assessment: Assessment, rulebook: Rulebook, household: Optional[Household]) -> str:
    if not assessment.questions:
        return '<h2 id="questions">Information gaps</h2><p>No unknown fact could raise the level.</p>'
    rows = "".join(
        f"<tr><td>{escape(rulebook.levels[q.could_raise_to].label)}</td><td>{escape(subject_name(q.subject, household))}</td>"
        f"<td>{escape(q.ask)}</td></tr>"
        for q in assessment.questions
    )
    return (
        f'<h2 id="questions">Information gaps: {plural(len(assessment.questions), "question")}, most consequential first</h2>'
        f"<table><thead><tr><th>Could raise to</th><th>About</th><th>Question</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _response(assessment: Assessment) -> str:
    r = assessment.response
    actions = "".join(f"<li>{escape(a)}</li>" for a in r.actions)
    consent = assessment.consent
    return (
        f'<h2 id="response">What to do next: {_badge(r.level, r.label)}</h2>'
        f"<p>{escape(r.summary)}</p><ul>{actions}</ul>"
        f"<p><strong>Consent ({escape(consent.status.replace('_', ' '))}):</strong> {escape(consent.guidance)}</p>"
    )


def _footer(assessment: Assessment) -> str:
    return (
        "<footer>Produced by needs-engine, decision support for the Continuum of Need: it informs professional "
        "judgement and never replaces it. Counterfactuals describe other situations, not advice. "
        f"Rulebook {escape(assessment.rulebook.id)} {escape(assessment.rulebook.version)}, "
        f"{escape(assessment.rulebook.content_hash)}.</footer>"
    )
