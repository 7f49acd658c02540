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
    assert child.level is Level.targeted  # serious self-harm is Targeted; no count escalation reaches Safeguarding


def test_the_rung_view_folds_lower_rungs_into_the_highest() -> None:
    """Semantics 12: explanations show the highest fired rung of each need, the lower ones folded."""
    fired = [d["id"] for d in assess(FOURTEEN_YEAR_OLD, "knowsley").children[0].model_dump()["fired"]]
    assert "emotional_behavioural.serious_self_harm_or_attempt" in fired
    assert "emotional_behavioural.self_harm_thoughts" not in fired
    assert "family_functioning.carer_mental_health_mild" not in fired
