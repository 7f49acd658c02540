"""Compare: one situation under several rulebooks, side by side, and why the levels differ.

Rulebooks share the canonical levels and the domain ids (the Assessment Framework triangle), so
a difference is explained domain by domain: where one rulebook's highest fired descriptor in a
domain is higher than another's, those descriptors account for the difference. Escalations and
mitigations are rulebook-specific rules and are listed by rulebook where they differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional, Union

from pydantic import Field

from ..engine.assess import assess
from ..errors import InputError, Problem
from ..model.assessment import Assessment, ChildAssessment, Out
from ..model.levels import Level
from ..model.situation import Situation
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook, shipped_rulebooks


class RulebookLevel(Out):
    """A level as one rulebook names it."""

    rulebook: str
    level: Level
    label: str
    possible_level: Level
    possible_label: str


class DomainDifference(Out):
    """A domain whose highest fired level is not the same under every rulebook."""

    domain: str
    label: str
    top: dict[str, Optional[Level]] = Field(description="Rulebook id → highest level fired in the domain (null: none).")
    fired: dict[str, list[str]] = Field(
        description="Rulebook id → descriptors fired in the domain under it and not, at that level, under every other."
    )


class RuleDifference(Out):
    """Escalations or a mitigation applied under some rulebooks and not others."""

    rulebook: str
    escalations: list[str] = Field(description="Escalations applied here and not under every rulebook, as 'id → level'.")
    mitigation: Optional[str] = Field(default=None, description="A mitigation applied here and not under every rulebook.")


class ChildComparison(Out):
    """One child under each rulebook: the levels, and the reasons that differ between them."""

    child_id: str = Field(description="The child's id in the situation.")
    age: str = Field(description="Age in words, e.g. '9 years'.")
    levels: list[RulebookLevel] = Field(description="The child's level under each rulebook, in the order compared.")
    differs: bool = Field(description="True when the child's level is not the same under every rulebook.")
    reasons_differ: bool = Field(
        default=False,
        description="True when the descriptors, escalations or mitigation behind the level are not the same under every "
        "rulebook, whether or not the levels agree.",
    )
    domains: list[DomainDifference] = Field(
        default_factory=list,
        description="Where the levels differ: the domains that account for it; where they agree: the domains whose "
        "fired descriptors differ.",
    )
    rules: list[RuleDifference] = Field(
        default_factory=list, description="Escalations and mitigations applied under some rulebooks and not others."
    )


class Comparison(Out):
    """One situation under several rulebooks."""

    reference: Optional[str]
    rulebooks: list[str]
    family: list[RulebookLevel]
    family_differs: bool
    children: list[ChildComparison]


def compare(situation: Situation, rulebooks: Sequence[Union[Rulebook, str]] = ()) -> tuple[Comparison, dict[str, Assessment]]:
    """Assess `situation` under each rulebook (every shipped one if none given) and line them up.

    Returns the comparison and the assessments it was built from, keyed by rulebook id (or
    `id@hash`, when two rulebooks share an id but not their content, e.g. an edited copy).
    """
    books = [b if isinstance(b, Rulebook) else load_rulebook(b) for b in (rulebooks or shipped_rulebooks())]
    assessments: dict[str, Assessment] = {}
    for book in books:
        assessments[_column(book, books)] = assess(situation, book)
    domain_labels = {d: entry.label for book in reversed(books) for d, entry in book.domains.items()}
    family = [
        RulebookLevel(
            rulebook=rid, level=a.level, label=a.label, possible_level=a.possible_level, possible_label=a.possible_label
        )
        for rid, a in assessments.items()
    ]
    child_ids = [c.child_id for c in next(iter(assessments.values())).children]
    children = [_child(cid, assessments, domain_labels) for cid in child_ids]
    return (
        Comparison(
            reference=situation.household.reference,
            rulebooks=list(assessments),
            family=family,
            family_differs=len({row.level for row in family}) > 1,
            children=children,
        ),
        assessments,
    )


def _column(book: Rulebook, books: Sequence[Rulebook]) -> str:
    """The name a rulebook's column goes by: its id, or `id@hash` when an author compares an edited
    copy with the rulebook it came from (same id, different content)."""
    same_id = [other for other in books if other.id == book.id]
    if len({other.content_hash for other in same_id}) < len(same_id):
        raise InputError([Problem("--rulebook", f"rulebook '{book.id}' is named twice", expected="distinct rulebooks")])
    if len(same_id) == 1:
        return book.id
    return f"{book.id}@{book.content_hash.removeprefix('sha256:')[:8]}"


def _child(child_id: str, assessments: dict[str, Assessment], domain_labels: dict[str, str]) -> ChildComparison:
    per_book = {rid: next(c for c in a.children if c.child_id == child_id) for rid, a in assessments.items()}
    levels = [
        RulebookLevel(
            rulebook=rid, level=c.level, label=c.label, possible_level=c.possible_level, possible_label=c.possible_label
        )
        for rid, c in per_book.items()
    ]
    differs = len({c.level for c in per_book.values()}) > 1
    first = next(iter(per_book.values()))
    # Where the levels agree, every difference in the reasons is shown (a rulebook change that keeps
    # the level but changes why is still a change); where they differ, those that account for it.
    lowest = min(c.level for c in per_book.values()) if differs else None
    domains = _domain_differences(per_book, lowest, domain_labels)
    rules = _rule_differences(per_book, lowest)
    return ChildComparison(
        child_id=child_id,
        age=first.age,
        levels=levels,
        differs=differs,
        reasons_differ=bool(domains or rules),
        domains=domains,
        rules=rules,
    )


def _domain_differences(
    per_book: dict[str, ChildAssessment], lowest: Optional[Level], domain_labels: dict[str, str]
) -> list[DomainDifference]:
    """Domains whose highest fired level differs and reaches the lowest child level somewhere
    (`lowest` None: the levels agree, and every domain whose fired descriptors differ).

    For each, the descriptors that fired under one rulebook and not (at that level) under all the
    others: a descriptor fired in both at the same level explains nothing.
    """
    tops: dict[str, dict[str, Level]] = {}
    fired: dict[str, dict[str, set[str]]] = {}
    for rid, child in per_book.items():
        for d in child.fired:
            domain_tops = tops.setdefault(d.domain, {})
            domain_tops[rid] = max(domain_tops.get(rid, d.level), d.level)
            fired.setdefault(d.domain, {}).setdefault(rid, set()).add(f"{d.id} ({d.level.value})")
    differences = []
    for domain in sorted(tops, key=lambda d: (-max(lv.rank for lv in tops[d].values()), d)):
        top = {rid: tops[domain].get(rid) for rid in per_book}
        own = {rid: fired[domain].get(rid, set()) for rid in per_book}
        everywhere = set.intersection(*own.values())
        if lowest is None:
            if everywhere == set.union(*own.values()):
                continue
        elif len(set(top.values())) < 2 or not any(lv is not None and lv >= lowest for lv in top.values()):
            continue
        differences.append(
            DomainDifference(
                domain=domain,
                label=domain_labels.get(domain, domain),
                top=top,
                fired={rid: sorted(own[rid] - everywhere) for rid in per_book},
            )
        )
    return differences


def _rule_differences(per_book: dict[str, ChildAssessment], lowest: Optional[Level]) -> list[RuleDifference]:
    """Escalations (by id and target; above `lowest`, when given) and mitigations that applied
    under some rulebooks only."""
    applied = {
        rid: {f"{e.id} → {e.to.value}" for e in c.escalations if lowest is None or e.to > lowest} for rid, c in per_book.items()
    }
    mitigations = {
        rid: f"{c.mitigation.id} ({c.mitigation.from_level.value} → {c.mitigation.to_level.value})" if c.mitigation else None
        for rid, c in per_book.items()
    }
    everywhere = set.intersection(*applied.values())
    same_mitigation = len(set(mitigations.values())) == 1
    rows = []
    for rid in per_book:
        own = sorted(applied[rid] - everywhere)
        mitigation = None if same_mitigation else mitigations[rid]
        if own or mitigation:
            rows.append(RuleDifference(rulebook=rid, escalations=own, mitigation=mitigation))
    return rows
