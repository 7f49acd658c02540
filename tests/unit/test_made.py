"""`Out.made` builds assessment models without validation: it must give exactly what validation gives."""

from __future__ import annotations

import pytest

from needs_engine import assess
from needs_engine.model.assessment import Assessment, ChildAssessment, FactValue, FiredDescriptor, Question, ResponsePlan
from needs_engine.model.levels import Level


def test_made_equals_validated_model_and_json() -> None:
    fields = {"subject": "child:c1", "fact": "child.health.growth", "value": "faltering"}
    made, validated = FactValue.made(**fields), FactValue(**fields)
    assert made == validated
    assert made.model_dump_json() == validated.model_dump_json()
    assert made.model_fields_set == validated.model_fields_set


def test_made_keeps_declared_field_order_whatever_the_keyword_order() -> None:
    made = Question.made(
        descriptors=["d1"], children=["c1"], could_raise_to=Level.targeted, subject="household", fact="home.x", ask="Is it?"
    )
    validated = Question(
        ask="Is it?", fact="home.x", subject="household", could_raise_to=Level.targeted, children=["c1"], descriptors=["d1"]
    )
    assert made.model_dump_json() == validated.model_dump_json()
    assert list(made.model_dump()) == list(Question.model_fields)


def test_made_fills_defaults_and_records_only_given_fields() -> None:
    fields = {"level": Level.early_help, "label": "Early Help", "summary": "s", "actions": ["a"]}
    made, validated = ResponsePlan.made(**fields), ResponsePlan(**fields)
    assert made == validated
    assert made.model_dump_json() == validated.model_dump_json()
    assert made.model_fields_set == validated.model_fields_set == set(fields)
    other = ResponsePlan.made(**fields)
    assert other.urgent_actions == [] and other.urgent_actions is not made.urgent_actions  # a fresh default list


def test_made_refuses_an_unknown_or_missing_field() -> None:
    with pytest.raises(TypeError, match="no field 'colour'"):
        FactValue.made(subject="household", fact="home.x", colour="red")
    with pytest.raises(TypeError, match="needs 'fact'"):
        FactValue.made(subject="household", value=None)


def test_an_assessment_built_with_made_round_trips_through_validation() -> None:
    """Every model in a real assessment holds values validation accepts unchanged."""
    situation = {
        "household": {
            "children": [{"id": "c1", "age_months": 7, "health": {"growth": "faltering"}}],
            "carers": [{"id": "a1", "role": "mother", "mental_health": "unknown"}],
            "home": {"domestic_abuse": {"incidents_12m": 2}},
        }
    }
    result = assess(situation, "knowsley")
    again = Assessment.model_validate_json(result.model_dump_json())
    assert again == result
    assert again.model_dump_json() == result.model_dump_json()
    assert isinstance(result.children[0], ChildAssessment)
    assert all(isinstance(fired, FiredDescriptor) for fired in result.children[0].fired)


def test_whole_equals_validated_model_and_refuses_fields_out_of_order() -> None:
    """`Out.whole` keeps the engine's dict as the model's: only a dict of every field in declared order."""
    fields = {
        "id": "health.faltering_growth",
        "level": Level.early_help,
        "tier": "single_agency",
        "domain": "health",
        "text": "Faltering growth.",
        "source": "Fictional source, section 1",
        "origin": "common",
        "red_flag": False,
        "floor": False,
        "facts": [FactValue.made(subject="child:c1", fact="child.health.growth", value="faltering")],
        "need": None,
        "also_meets": [],
    }
    validated = FiredDescriptor.model_validate(fields)
    made = FiredDescriptor.whole(dict(fields, tier=validated.tier))
    assert made == validated
    assert made.model_dump_json() == validated.model_dump_json()
    assert made.model_fields_set == validated.model_fields_set
    with pytest.raises(TypeError, match="every field in declared order"):
        FiredDescriptor.whole({"level": Level.early_help, **fields})
    with pytest.raises(TypeError, match="every field in declared order"):
        FiredDescriptor.whole({k: v for k, v in fields.items() if k != "need"})
