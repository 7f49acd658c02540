"""Issue 10, item 2: needs, not rungs (Semantics 12)."""

from __future__ import annotations

from needs_engine import Level, assess

FOURTEEN_YEAR_OLD = {
    "household": {
        "children": [
            {"id": "c1", "age_years": 14, "emotional": {"self_harm": "serious_or_attempt"}, "education": {"send": "ehcp"}}
        ],
        "carers": [{"id": "m", "mental_health": "diagnosed_unstable"}],
    }
}


def test_the_fourteen_year_old_is_not_safeguarding_by_counting_rungs() -> None:
    """Issue 10 item 2 reproduction: Safeguarding under Knowsley via 'four needs in three domains',
    though there are three needs (self-harm, SEND, a carer's mental health): Semantics 12."""
    child = assess(FOURTEEN_YEAR_OLD, "knowsley").children[0]
    assert "escalation.complex_needs" not in str(child.model_dump()["escalations"])
    # He is Safeguarding now, but by the suicide attempt alone: issue 13 names a suicide attempt as
    # significant harm on its own (child protection in the library, emotional_behavioural.yaml).
    # Before the library serious self-harm was Targeted and the level stayed there.
    assert child.level is Level.safeguarding
    top = [d for d in child.fired if d.level is Level.safeguarding]
    assert [d.id for d in top] == ["emotional_behavioural.serious_self_harm_or_attempt"]


def test_the_rung_view_folds_lower_rungs_into_the_highest() -> None:
    """Semantics 12: explanations show the highest fired rung of each need, the lower ones folded."""
    fired = [d["id"] for d in assess(FOURTEEN_YEAR_OLD, "knowsley").children[0].model_dump()["fired"]]
    assert "emotional_behavioural.serious_self_harm_or_attempt" in fired
    assert "emotional_behavioural.self_harm_thoughts" not in fired
    assert "family_functioning.carer_mental_health_mild" not in fired
