"""Issue 14, section 4: questions worth asking.

A household or carer fact is asked once; the order is consequence, then the red-flag screens as
one group at the top, then what the recorded facts point to; no question assumes a child's sex.
Checked on hand-made households (where the answer is known in advance) and, for the order's
invariants, over every shipped example and scenario under both shipped rulebooks.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

from needs_engine import assess, load_rulebook, shipped_rulebooks
from needs_engine.model.assessment import Assessment
from needs_engine.model.catalogue import all_facts
from needs_engine.model.facts import Ordinal

ROOT = Path(__file__).resolve().parents[2]
SITUATIONS = {f"examples/{p.stem}": p for p in sorted((ROOT / "examples").glob("*.yaml")) if p.name != "expected.yaml"}
SITUATIONS |= {f"scenarios/{p.stem}": p for p in sorted((ROOT / "scenarios").glob("*.yaml"))}

GENDERED = re.compile(r"\b(she|her|hers|herself|he|him|his|himself|girl|girls|boy|boys|son|daughter)\b", re.IGNORECASE)


@cache
def _assessment(name: str, rulebook: str) -> Assessment:
    document = yaml.safe_load(SITUATIONS[name].read_text(encoding="utf-8"))
    return assess(document["situation"] if name.startswith("scenarios/") else document, load_rulebook(rulebook))


def _family(
    *, home: dict[str, Any] | None = None, carers: list[dict[str, Any]] | None = None, children: int = 1
) -> dict[str, Any]:
    kids = [{"id": f"c{n}", "age_months": 74 + 30 * n} for n in range(1, children + 1)]
    return {"household": {"children": kids, "carers": carers or [{"id": "m", "role": "mother"}], "home": home or {}}}


def test_no_question_or_value_assumes_a_child_s_sex() -> None:
    assert GENDERED.search("Is the child at risk of, or has she undergone, FGM?")  # the wording issue 14 found
    texts = [(spec.dotted, spec.ask) for spec in all_facts()] + [(spec.dotted, spec.description) for spec in all_facts()]
    for spec in all_facts():
        if spec.choices is not None and issubclass(spec.choices, Ordinal):
            texts += [(f"{spec.dotted}={member.value}", member.definition) for member in spec.choices]  # type: ignore[attr-defined]
    assert len(texts) > 300
    assert [(where, text) for where, text in texts if GENDERED.search(text)] == []


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("name", list(SITUATIONS))
def test_every_question_is_asked_once_for_whoever_it_is_about(name: str, rulebook: str) -> None:
    assessment = _assessment(name, rulebook)
    asked = [(q.subject, q.fact) for q in assessment.questions]
    assert len(asked) == len(set(asked))
    children = {child.child_id for child in assessment.children}
    for question in assessment.questions:
        assert question.children and set(question.children) <= children
        assert not GENDERED.search(question.ask)
        if question.subject.startswith("child:"):
            assert question.children == [question.subject.removeprefix("child:")]


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_a_household_fact_is_one_question_for_every_child_it_could_raise(rulebook: str) -> None:
    assessment = assess(_family(children=3), rulebook)
    incidents = [q for q in assessment.questions if q.fact == "home.domestic_abuse.incidents_12m"]
    assert [(q.subject, q.children) for q in incidents] == [("household", ["c1", "c2", "c3"])]
    parenting = [q for q in assessment.questions if q.fact == "carer.parenting.basic_care"]
    assert [(q.subject, q.children) for q in parenting] == [("carer:m", ["c1", "c2", "c3"])]
    fgm = [q.subject for q in assessment.questions if q.fact == "child.harm.fgm"]
    assert fgm == ["child:c1", "child:c2", "child:c3"]  # a child's own fact is asked of each child


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
@pytest.mark.parametrize("name", list(SITUATIONS))
def test_the_red_flag_screens_are_one_group_at_the_top_then_by_consequence_and_pointers(name: str, rulebook: str) -> None:
    book = load_rulebook(rulebook)
    red_flags = {d.id for d in book.descriptors if d.red_flag}
    questions = _assessment(name, rulebook).questions
    for question in questions:
        assert (question.group == "red_flags") == bool(red_flags & set(question.descriptors))
    groups = [q.group for q in questions]
    assert groups == sorted(groups, key=lambda g: g is None)  # the screens form one block, first
    for before, after in pairwise(questions):
        assert before.could_raise_to >= after.could_raise_to
        if before.could_raise_to == after.could_raise_to and before.group == after.group:
            assert bool(before.prompted_by) >= bool(after.prompted_by), (before.fact, after.fact)
    if any(q.fact == "household.immediate_danger" for q in questions):
        assert questions[0].fact == "household.immediate_danger"


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_a_domestic_abuse_history_makes_the_incident_count_the_first_question(rulebook: str) -> None:
    """Issue 14: the question the referral raises came 26th (Knowsley) and 34th (St Helens) of
    over a hundred, after the red-flag screens and a carer's every fact."""
    assessment = assess(_family(home={"domestic_abuse": {"history": True}}), rulebook)
    # The facts the history points to: since the library they include the DVRIM scale
    # (home.domestic_abuse.dvrim_scale, Barnardo's matrix, seeds/001 Priority 6), beside the
    # incident count, the DASH score and the perpetrator's access. Each could raise the child to
    # Safeguarding, so which of the four comes first is a tie; all four come before anything else.
    raised = {
        "home.domestic_abuse.incidents_12m",
        "home.domestic_abuse.dvrim_scale",
        "home.domestic_abuse.dash_score",
        "home.domestic_abuse.perpetrator_has_access",
    }
    first = next(q for q in assessment.questions if q.group is None)
    assert first.fact in raised
    assert [(f.subject, f.fact, f.value) for f in first.prompted_by] == [("household", "home.domestic_abuse.history", True)]
    pointed = [q.fact for q in assessment.questions if q.group is None][:4]
    assert set(pointed) == raised
    unprompted = assess(_family(), rulebook)
    plain_order = [q.fact for q in unprompted.questions if q.group is None]
    assert plain_order.index("home.domestic_abuse.incidents_12m") > 0  # without the history it is not first


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_a_rule_the_recorded_facts_partly_meet_points_to_its_other_facts(rulebook: str) -> None:
    """A carer's unstable mental health is one of the co-occurring parental risks: the other
    carer's drinking, and the domestic abuse, are what the escalation still waits on."""
    carers = [{"id": "m", "role": "mother", "mental_health": "diagnosed_unstable"}, {"id": "p", "role": "father"}]
    assessment = assess(_family(carers=carers), rulebook)
    by_key = {(q.subject, q.fact): q for q in assessment.questions}
    # East Sussex declares no escalation (its published pages name none: rules/east-sussex.yaml),
    # so no rule is partly met and the same questions point to nothing.
    has_rule = "escalation.two_parental_risks" in {e.id for e in load_rulebook(rulebook).escalations}
    for key in (("carer:p", "carer.substance_misuse"), ("household", "home.domestic_abuse.incidents_12m")):
        pointers = {(f.subject, f.fact) for f in by_key[key].prompted_by}
        if has_rule:
            assert ("carer:m", "carer.mental_health") in pointers, key
        else:
            assert pointers == set(), key
    assert has_rule or rulebook == "east-sussex"
    # A fact is never its own pointer, and an unrecorded fact points to nothing.
    assert all(f.value is not None and f.fact != q.fact for q in assessment.questions for f in q.prompted_by)
    assert not any(f.subject == "carer:p" for q in assessment.questions for f in q.prompted_by)
