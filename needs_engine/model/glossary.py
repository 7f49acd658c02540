"""The words the published JSON Schemas give each field: what an integrator reads in /docs.

A field described where it is declared (`Field(description=...)`) keeps its own words. The
others are filled in here when the schema is generated: the same field name means the same thing
in every model of the contract (a `label` is always the rulebook's name for the level beside it),
so it is described once, by name, in `FIELD_WORDS`; a name that means something particular in
one model is described for that model in `MODEL_FIELD_WORDS`; a field whose type is a described
model takes that model's own description. A model without a docstring takes `MODEL_WORDS`.
`tests/service/test_contract.py` fails on any field left undescribed, so a new field must say
what it is somewhere.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Any, Optional

from pydantic import BaseModel

LEVEL_VALUES = "universal, early_help, targeted or safeguarding"

FIELD_WORDS: dict[str, str] = {
    "level": f"A level on the Continuum of Need: {LEVEL_VALUES}.",
    "label": "The rulebook's name for the level beside it, as a person reads it, e.g. 'Early Help (Getting Help)'.",
    "possible_level": f"The level if every unknown fact took its worst value ({LEVEL_VALUES}).",
    "possible_label": "The rulebook's name for possible_level.",
    "child_id": "The child's id, as the situation gives it (children are matched by it).",
    "engine_version": "The needs-engine version that made this result.",
    "reference": "The household's case reference, if the situation gave one (null otherwise).",
    "rulebook": "The rulebook this was made under.",
    "domain": "The domain id (the Assessment Framework area) the descriptor belongs to, e.g. 'education'.",
    "domain_label": "The domain's name in the rulebook, e.g. 'Education and learning'.",
    "source": "Where the rule comes from: the rulebook's citation of the published threshold document.",
    "red_flag": "True for a red flag: a descriptor that always needs a safeguarding response, whatever else is known.",
    "floor": "True when the descriptor sets a floor: no mitigation may take the child below its level.",
    "red_flags": "Ids of the red-flag descriptors that fired for this child.",
    "fired": "The descriptors that fired, highest level first.",
    "escalations": "The escalation rules that raised the level, with what met them.",
    "mitigation": "The mitigation (strengths that lower the level one step) that applied, if any.",
    "from_level": "The level before the mitigation or change.",
    "to_level": "The level after the mitigation or change.",
    "to": "The level the escalation raises the child to.",
    "questions": "What to ask next, most consequential first: each unknown fact whose answer could raise a level.",
    "consent": "Whether the family's consent is needed at this level, and the rulebook's guidance on it.",
    "response": "What the rulebook says to do at this level.",
    "override": "A professional's override of the computed level, if one was made.",
    "children": "One entry per child, in the situation's order.",
    "summary": "The rulebook's one-paragraph summary of the response.",
    "actions": "The rulebook's actions at this level, in order.",
    "urgent_summary": "When a child is in immediate danger: what to do at once.",
    "urgent_actions": "When a child is in immediate danger: the urgent actions, first to last.",
    "subject": "Whose fact: 'child:<id>', 'carer:<id>' or 'household'.",
    "fact": "The fact's path as conditions name it, e.g. child.education.attendance_percent.",
    "path": "The same fact as `needs what-if --set` and /v1/what-if's `changes` write it.",
    "value": "The fact's value; null when it is unknown.",
    "before": "The value before.",
    "after": "The value after.",
    "words": "The same in plain words, for a person to read.",
    "because": "The facts that made it apply, each with its value in words.",
    "situation": "The household to assess, exactly as a situation file holds it (see GET /v1/schema/situation).",
    "version": "The rulebook's version, as its rules file gives it.",
    "content_hash": "sha256 of the rulebook's content: two rulebooks with the same hash decide alike.",
    "name": "The name a person reads.",
    "changes": "The fact changes, each with its value before and after.",
    "max_changes": "The largest set of fact changes the search tried.",
    "combinations_tried": "How many sets of changes the search evaluated.",
    "note": "Why the search found nothing, or stopped, in plain words (null when it needs no note).",
    "direction": "Which way: 'down' (a lower level) or 'up' (a higher one).",
    "sentence": "The whole counterfactual in one sentence a screener can read out.",
    "status": "The state, in one word.",
    "movement": "'step up', 'step down' or 'stay' (or 'new' / 'gone' for a child present at one date only).",
    "steps": "Levels moved: positive up, negative down, 0 for the same level.",
    "escalations_applied": "Escalation ids that apply after the change and did not before.",
    "escalations_cleared": "Escalation ids that applied before and do not after.",
    "escalations_appeared": "Escalations ('id → level') that apply at the later date and did not at the earlier.",
    "newly_fired": "Descriptor ids that fire after the change and did not before.",
    "record_format": "The decision record's format number (1).",
    "message": "What is wrong, in words.",
    "expected": "What the field should hold, in words (null when there is nothing to add).",
    "code": "A stable, machine-readable code for the kind of problem, e.g. 'missing' or 'enum'.",
}
"""Words for a field name that mean the same in every model that has it."""

MODEL_FIELD_WORDS: dict[str, dict[str, str]] = {
    "Assessment": {
        "rulebook": "The rulebook the household was assessed under: id, name, version and content hash.",
        "label": "The rulebook's name for the family level.",
        "possible_label": "The rulebook's name for the family's possible_level.",
        "children": "Each child's assessment, in the situation's order.",
    },
    "AssessResponse": {
        "rulebook": "The rulebook the household was assessed under: id, name, version and content hash.",
        "label": "The rulebook's name for the family level.",
        "possible_label": "The rulebook's name for the family's possible_level.",
        "children": "Each child's assessment, in the situation's order.",
    },
    "ChildAssessment": {
        "level": "The child's level: the highest fired descriptor, raised by escalations, lowered by a mitigation."
    },
    "FiredDescriptor": {
        "id": "The descriptor's id, '<domain>.<slug>' (its file in descriptors/ is the domain).",
        "level": "The level the rulebook gives this descriptor.",
        "text": "The descriptor as the threshold document words it.",
    },
    "FiredReason": {
        "id": "The descriptor's id, '<domain>.<slug>'.",
        "level": "The level the rulebook gives this descriptor.",
        "label": "The rulebook's name for that level.",
        "text": "The descriptor as the threshold document words it.",
    },
    "LowerRung": {
        "id": "The lower rung's descriptor id.",
        "level": "The level of that rung.",
        "text": "The rung as the threshold document words it.",
    },
    "NearMiss": {
        "id": "The descriptor's id.",
        "level": "The level the rulebook gives this descriptor.",
        "label": "The rulebook's name for that level.",
        "text": "The descriptor as the threshold document words it.",
        "change": "The one fact change that would make it fire.",
    },
    "AppliedEscalation": {"id": "The escalation rule's id in the rules file.", "text": "What the rule says, in words."},
    "EscalationReason": {
        "id": "The escalation rule's id in the rules file.",
        "text": "What the rule says, in words.",
        "label": "The rulebook's name for the level it raises to.",
        "words": "Why it applied, in one sentence.",
    },
    "AppliedMitigation": {"id": "The mitigation's id in the rules file.", "text": "What the mitigation says, in words."},
    "MitigationReason": {
        "id": "The mitigation's id in the rules file.",
        "text": "What the mitigation says, in words.",
        "because": "The strengths that met it.",
    },
    "AgeCase": {
        "level": "The child's level if their age is in this part of the range.",
        "possible_level": "The possible level if their age is in this part of the range.",
    },
    "IfConfirmed": {
        "mitigation": "The mitigation's id.",
        "label": "The rulebook's name for the level the child would have.",
        "words": "The same in one sentence.",
    },
    "UnassessedFact": {"reason": "Why the fact was recorded but no descriptor could assess it (a stable code)."},
    "Check": {"value": "The value as written."},
    "Question": {
        "ask": "The question to put to the family or the referrer, in plain words.",
        "fact": "The fact the answer fills in, as conditions name it.",
        "could_raise_to": "The highest level the answer could raise a child to.",
    },
    "ConsentNote": {
        "status": "The consent the situation records: given, refused, not_sought or unknown.",
        "needed": "True when the response at this level needs the family's consent.",
        "guidance": "The rulebook's guidance on consent at this level.",
    },
    "ResponsePlan": {"level": "The family level the plan is for.", "label": "The rulebook's name for that level."},
    "Response": {"level": "The family's level at the later date.", "label": "The rulebook's name for that level."},
    "OverrideRecord": {
        "computed_level": "The family level the rules gave.",
        "final_level": "The family level after the override.",
        "direction": "'up', 'down' or 'same': which way the override moved the level.",
        "reason": "Why the professional overrode the level.",
        "by": "Who made the override (role or initials), if given.",
        "second_person": "Who agreed a downward override, if given (required to lower).",
    },
    "Override": {
        "level": "The level to use instead of the computed one.",
        "reason": "Why: raising needs a reason; lowering also needs second_person.",
    },
    "RulebookRef": {"id": "The rulebook's id, e.g. knowsley.", "name": "The rulebook's full name."},
    "RulebookInfo": {
        "id": "The rulebook's id: what `rulebook` in a request names.",
        "name": "The rulebook's full name.",
        "levels": "The four levels, lowest first, with this rulebook's names for them.",
    },
    "LevelInfo": {"label": "The rulebook's name for the level.", "name": "Its Thrive-style name, if the rulebook has one."},
    "DescriptorInfo": {
        "id": "The descriptor's id, '<domain>.<slug>'.",
        "level": "The level the rulebook gives this descriptor.",
        "text": "The descriptor as the threshold document words it.",
    },
    "Counterfactual": {
        "from_level": "The child's level now.",
        "to_level": "The child's level with these changes.",
        "changes": "The fact changes, smallest set first.",
    },
    "CounterfactualSearch": {"found": "The smallest sets of changes found, at most a few listed."},
    "ChildExplanation": {
        "name": "The child's name, if the situation gave one.",
        "age": "Age in words, e.g. '9 years'.",
        "level": "The child's level.",
        "nearly_fired": "Descriptors that did not fire but would with one fact changed.",
        "down": "The search for the fewest changes that would lower the child's level one step.",
        "up": "The search for the fewest changes that would raise the child's level one step.",
    },
    "Explanation": {
        "assessment": "The assessment being explained, exactly as POST /v1/assess returns it.",
        "children": "One explanation per child explained.",
    },
    "FactChange": {
        "before": "The value before the change (null: unknown).",
        "after": "The value after the change (null: unknown).",
    },
    "WhatIf": {
        "before_level": "The family level as the situation is.",
        "before_label": "The rulebook's name for before_level.",
        "after_level": "The family level with the changes.",
        "after_label": "The rulebook's name for after_level.",
        "children": "Per child: the level before and after, and what fired or cleared.",
        "before": "The whole assessment as the situation is.",
        "after": "The whole assessment with the changes.",
    },
    "ChildDifference": {
        "before": "The child's level before the change.",
        "before_label": "The rulebook's name for it.",
        "after": "The child's level after the change.",
        "after_label": "The rulebook's name for it.",
        "mitigation_before": "The mitigation that applied before, if any.",
        "mitigation_after": "The mitigation that applies after, if any.",
    },
    "Review": {
        "rulebook": "The id of the rulebook both dates were assessed under.",
        "rulebook_version": "That rulebook's version.",
        "family": "The family's level at each date and the response at the later one.",
        "children": "One entry per child at either date, by id.",
    },
    "ChildReview": {
        "before": "The child's level at the earlier date (null: not in the family then).",
        "after": "The child's level at the later date (null: no longer in the family).",
        "escalations_cleared": "Escalations ('id → level') that applied at the earlier date and do not at the later.",
    },
    "FamilyReview": {
        "before": "The family's level at the earlier date.",
        "after": "The family's level at the later date.",
        "response": "What the rulebook says to do at the later level.",
    },
    "LevelAt": {"level": "The level at that date.", "label": "The rulebook's name for it."},
    "Comparison": {
        "rulebooks": "The rulebooks compared, as the columns are named (an id, or id@hash for an edited copy).",
        "family": "The family level under each rulebook.",
        "family_differs": "True when the family level is not the same under every rulebook.",
        "children": "Each child under each rulebook.",
    },
    "RulebookLevel": {"rulebook": "The rulebook (a column of the comparison)."},
    "DomainDifference": {"label": "The domain's name."},
    "RuleDifference": {"rulebook": "The rulebook under which these applied and not under every other."},
    "ChildDecision": {"possible_level": "The level if every unknown fact took its worst value."},
    "DecisionRecord": {
        "rulebook": "The rulebook decided under: id, name, version and content hash.",
        "possible_level": "The family level if every unknown fact took its worst value.",
        "children": "Each child's part of the decision.",
        "override": "The override, with its reasons, if one was made.",
    },
    "ServiceHealth": {"status": "'ok' while the service is up."},
    "ProblemDetails": {
        "type": "A URI naming the kind of problem, e.g. urn:needs-engine:problem:invalid-input.",
        "title": "The kind of problem in a few words.",
        "status": "The HTTP status code.",
        "detail": "This occurrence of the problem in one sentence.",
        "errors": "For an invalid request: every wrong field, one entry each.",
    },
}
"""Words for a field that means something particular in one model (keyed by the model's name)."""

MODEL_WORDS: dict[str, str] = {
    "AppliedEscalation": "An escalation rule that raised the child's level, and what met it.",
    "AppliedMitigation": "A mitigation that lowered the child's level one step.",
    "ChildAssessment": "One child's level, the reasons for it, and what is unknown.",
    "ChildDifference": "One child before and after a what-if's changes.",
    "ChildExplanation": "Why one child is at their level, what nearly changed it and what would.",
    "ChildReview": "One child at the two dates of a review.",
    "ConsentNote": "Consent: what the situation records and whether the response needs it.",
    "DescriptorInfo": "A descriptor of a rulebook, as GET /v1/rulebooks/{id}/descriptors lists it.",
    "EscalationReason": "An escalation that applied, explained.",
    "FamilyReview": "The family at the two dates of a review, and the response at the later one.",
    "FiredDescriptor": "A threshold descriptor that fired for the child, with the facts that made it fire.",
    "FiredReason": "A descriptor that fired, explained: the facts behind it in words.",
    "LevelAt": "A level at one date, and how high it could be.",
    "LevelInfo": "One level of a rulebook and its names.",
    "MitigationReason": "A mitigation that applied, explained.",
    "OverrideRecord": "A professional's override of the computed family level, with its reasons.",
    "ResponsePlan": "What to do at the family's level, as the rulebook says.",
    "RulebookInfo": "A shipped rulebook: what a request's `rulebook` may name.",
    "RulebookRef": "The rulebook a result was made under.",
    "FieldError": "One wrong field of a request.",
}
"""Descriptions for models that have no docstring of their own."""


def describe(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """Fill in the description of `cls`'s schema and of each of its undescribed properties.

    Used as pydantic's `json_schema_extra`, so every schema generated from a model of the
    contract (the OpenAPI document, `needs schema`, GET /v1/schema/situation) carries the words.
    """
    name = cls.__name__
    if "description" not in schema and name in MODEL_WORDS:
        schema["description"] = MODEL_WORDS[name]
    own = MODEL_FIELD_WORDS.get(name, {})
    for field, prop in schema.get("properties", {}).items():
        if not isinstance(prop, dict) or "description" in prop:
            continue
        words = own.get(field) or FIELD_WORDS.get(field) or _type_words(cls, field)
        if words:
            prop["description"] = words


def _type_words(cls: type[BaseModel], field: str) -> Optional[str]:
    """The first paragraph of the docstring (or MODEL_WORDS) of the model a field holds, if it holds one."""
    info = cls.model_fields.get(field)
    model = _model_in(info.annotation) if info is not None else None
    if model is None:
        return None
    # A class's own docstring only (`__doc__` is not inherited; inspect.getdoc would find BaseModel's).
    doc = inspect.cleandoc(model.__doc__) if model.__doc__ else None
    return doc.split("\n\n", 1)[0].replace("\n", " ") if doc else MODEL_WORDS.get(model.__name__)


def _model_in(annotation: Any) -> Optional[type[BaseModel]]:
    """The model inside `annotation`, unwrapping Optional / Union with None / list / Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        found = [_model_in(arg) for arg in typing.get_args(annotation) if arg is not type(None)]
        models = [model for model in found if model is not None]
        return models[0] if len(models) == 1 else None
    return None
