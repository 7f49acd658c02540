"""Shared presentation choices: level colours (always beside the label) and grouping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from ..model.assessment import Assessment, ChildAssessment, FactValueType, FiredDescriptor, LowerRung, RulebookRef, UnassessedFact
from ..model.levels import Level
from ..model.tiers import TIER_LABELS, Tier
from ..plural import plural
from ..rulebook.book import Rulebook

if TYPE_CHECKING:
    from rich.text import Text

LEVEL_STYLE = {
    Level.universal: "bold black on green",
    Level.early_help: "bold black on yellow",
    Level.targeted: "bold white on dark_orange3",
    Level.safeguarding: "bold white on red",
}


def level_badge(level: Level, label: str) -> Text:
    """A level's label in its colour, padded so the colour reads as a badge (rich views only)."""
    from rich.text import Text  # imported here: the Markdown and HTML views use this module without rich

    return Text(f" {label} ", style=LEVEL_STYLE[level])


def short_label(label: str) -> str:
    """A level's label without its parenthesis ("Targeted Early Help", "Level 3 Child in Need"),
    for a line that names several levels; the full label heads the block it is in."""
    return label.split(" (", 1)[0]


def subject_words(subject: str) -> str:
    """Whom a question is about, as short as a line allows: "c1", "carer m", "household"."""
    kind, _, who = subject.partition(":")
    return who if kind == "child" else f"carer {who}" if kind == "carer" else "household"


def rise_words(assessment: Assessment) -> Optional[str]:
    """What "could rise to" means for this family, or None when nothing unknown could raise it.

    "Could be as high as Safeguarding" alone says the same of almost every family (an unknown red
    flag is Safeguarding on its own); this says how many unknown facts could raise the family
    level, how many of them are red-flag screens, and the most consequential question besides."""
    if assessment.possible_level <= assessment.computed_level:
        return None
    raising = [q for q in assessment.questions if q.could_raise_to > assessment.computed_level]
    if not raising:
        return "once the unknown facts are checked"
    screens = [q for q in raising if q.group == "red_flags"]
    others = [q for q in raising if q.group != "red_flags"]
    words = f"{plural(len(raising), 'unknown fact')} could raise the family level"
    if screens:
        words += f", {len(screens)} of them red-flag screens" if others else ", all of them red-flag screens"
    if others:
        top = others[0]
        words += f"; {'beyond those, ' if screens else ''}the most consequential: {top.ask} ({subject_words(top.subject)})"
    return words


def tier_words(tier: Tier) -> str:
    """What follows a level's label wherever a view shows a child's or the family's level: the
    response tier it means, e.g. " — Child in Need (s17)" (the label says the local level, the tier
    the response every scheme shares)."""
    return f" — {TIER_LABELS[tier]}"


def rulebook_stamp(rulebook: RulebookRef) -> str:
    """Which rulebook, version and content decided: enough to reproduce a level, short enough for one line."""
    return f"{rulebook.id} {rulebook.version} ({rulebook.content_hash[:19]}…)"


def provenance(assessment: Assessment, caveat: str) -> str:
    """The closing line of a rich view: rulebook and engine that decided, then what the view is not."""
    return f"Rulebook {rulebook_stamp(assessment.rulebook)}, needs-engine {assessment.engine_version}. {caveat}"


def group_by_domain(fired: Sequence[FiredDescriptor], rulebook: Rulebook) -> list[tuple[str, list[FiredDescriptor]]]:
    """Fired descriptors grouped under their domain label, in the rulebook's domain order."""
    order = list(rulebook.domains)
    groups: dict[str, list[FiredDescriptor]] = {}
    for descriptor in fired:
        groups.setdefault(descriptor.domain, []).append(descriptor)
    ranked = sorted(groups, key=lambda d: order.index(d) if d in order else len(order))
    return [(rulebook.domains[d].label if d in rulebook.domains else d, groups[d]) for d in ranked]


def value_words(value: FactValueType) -> str:
    """A fact value as a screener would say it."""
    if value is None:
        return "unknown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_", " ")


def also_meets_words(rungs: Sequence[LowerRung]) -> str:
    """The lower rungs of a need folded into its highest fired rung, in words (Semantics 12)."""
    return "; ".join(f"{rung.text} [{rung.id}]" for rung in rungs)


def age_cases_words(child: ChildAssessment) -> str:
    """How the level depends on an approximate age: "unborn: Targeted; 0 to 4 years: Safeguarding"."""
    return "; ".join(f"{case.ages}: {case.level.value}" for case in child.age_cases) + (
        f" (level {child.level.value} is the lowest of these; knowing the age settles it)"
    )


UNASSESSED_HEADING = "Recorded but not assessed"
"""The heading every human format gives a child's unassessed list (Semantics 14: nothing recorded is dropped)."""


def cin_factors_line(codes: list[str]) -> Optional[str]:
    """The child's DfE CIN census factor codes as every human format shows them; None when no code
    matched (which is not code 21, "no factors identified")."""
    return f"DfE CIN census factors: {', '.join(codes)}" if codes else None


REASON_WORDS = {
    "outside_age_band": "outside the age band",
    "not_a_concern": "not a concern in this rulebook",
    "not_covered": "not covered by this rulebook",
    "waiting_on_unknown": "waiting on unknown facts",
}


def unassessed_brief(item: UnassessedFact) -> str:
    """One unassessed fact and the kind of reason, without the reason's words: `child.x = medium (child:c1), outside the age band`."""
    return f"{item.fact} = {value_words(item.value)} ({item.subject}), {REASON_WORDS[item.reason]}"


def unassessed_line(item: UnassessedFact) -> str:
    """One unassessed fact as a line: `child.x = medium (child:c1), outside the age band: <words>`."""
    return f"{unassessed_brief(item)}: {item.words}"
