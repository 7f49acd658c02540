"""The published situation schema is a contract: it accepts exactly what the engine accepts.

Every shipped example and scenario situation validates against `needs schema` with jsonschema;
`unknown` validates wherever the engine reads it; and for every fact, a wide range of values
(typed, text, `unknown` in odd spellings, out of range) gets the same verdict from the schema
as from the engine. The rules a JSON Schema cannot state (one age field per child, unique ids,
a fact that cannot describe a child of that age) are listed in the schema's own description and
checked here as the only differences.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from needs_engine.cli.app import app
from needs_engine.formats.yamlfile import read_file
from needs_engine.model.catalogue import FactSpec, all_facts
from needs_engine.model.situation import Situation
from needs_engine.scenarios.library import scenario_paths

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "expected.yaml")
SCENARIOS = scenario_paths(ROOT / "scenarios")


@cache
def validator() -> jsonschema.protocols.Validator:
    """The schema exactly as `needs schema` prints it."""
    result = CliRunner().invoke(app, ["schema"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def schema_accepts(document: Any) -> bool:
    return validator().is_valid(document)


def engine_accepts(document: Any) -> bool:
    try:
        Situation.model_validate(document)
    except ValidationError:
        return False
    return True


def test_every_example_validates_against_the_schema() -> None:
    assert len(EXAMPLES) >= 12
    for path in EXAMPLES:
        errors = [e.message for e in validator().iter_errors(read_file(path))]
        assert errors == [], f"{path.name}: {errors[:3]}"


def test_every_scenario_situation_validates_against_the_schema() -> None:
    assert len(SCENARIOS) >= 40
    for path in SCENARIOS:
        errors = [e.message for e in validator().iter_errors(read_file(path)["situation"])]
        assert errors == [], f"{path.name}: {errors[:3]}"


def household(**fields: Any) -> dict[str, Any]:
    return {"household": {"children": [{"id": "c1"}], "carers": [{"id": "m"}], **fields}}


def with_fact(spec: FactSpec, value: Any) -> dict[str, Any]:
    """The smallest situation holding `value` at the fact `spec` names."""
    document = household()
    place = {
        "child": document["household"]["children"][0],
        "carer": document["household"]["carers"][0],
        "household": document["household"],
    }.get(spec.root)
    if place is None:
        place = document["household"].setdefault(spec.root, {})
    for part in spec.path[:-1]:
        place = place.setdefault(part, {})
    place[spec.path[-1]] = value
    return document


FACTS = [spec for spec in all_facts() if spec.path != ("unborn",)]


def test_unknown_validates_where_the_engine_reads_it() -> None:
    # The two the issue found refused: consent and an age in months.
    assert schema_accepts(household(consent="unknown"))
    assert schema_accepts({"household": {"children": [{"id": "c1", "age_months": "unknown"}], "carers": [{"id": "m"}]}})
    for spec in FACTS:
        for written in ("unknown", "Unknown", " UNKNOWN\n", None):
            document = with_fact(spec, written)
            assert engine_accepts(document) and schema_accepts(document), f"{spec.dotted}: {written!r}"


def test_the_schema_refuses_what_the_engine_refuses() -> None:
    # A yes/no as text, a number as text, a misspelt unknown, a value of no scale, an unknown key.
    flag = next(s for s in FACTS if s.kind == "flag")
    number = next(s for s in FACTS if s.kind == "number" and s.integer)
    ordinal = next(s for s in FACTS if s.kind == "ordinal")
    refused = [with_fact(flag, "yes"), with_fact(number, "5"), with_fact(ordinal, "unknwn"), with_fact(ordinal, "NONE")]
    refused.append(household(consent="maybe"))
    refused.append({"household": {"children": [{"id": "c1", "colour": "blue"}], "carers": [{"id": "m"}]}})
    refused.append({"household": {"children": [], "carers": [{"id": "m"}]}})
    for document in refused:
        assert not engine_accepts(document) and not schema_accepts(document), document


def candidate_values(spec: FactSpec) -> st.SearchStrategy[Any]:
    """Values around each kind's edges: typed values in and out of range, the same as text, and
    `unknown` spelt well and badly; shrinks towards a small integer."""
    choices = [member.value for member in spec.choices] if spec.choices is not None else ["none"]
    words = st.sampled_from(["unknown", "Unknown ", "\tUNKNOWN\n", "unknowns", "un known", "", "yes", "no", "true", "5", "84.5"])
    spelt = st.sampled_from(choices) | st.sampled_from(choices).map(str.upper) | st.sampled_from(choices).map(lambda v: v + " ")
    numbers = st.integers(-3, 400) | st.floats(-3, 400, allow_nan=False) | st.sampled_from([0.0, 5.0, 100.0, 228.0])
    return numbers | st.booleans() | st.none() | words | spelt | st.text(alphabet="unkowNUKOW 0519-\n", max_size=9)


@given(st.sampled_from(FACTS).flatmap(lambda spec: st.tuples(st.just(spec), candidate_values(spec))))
def test_schema_and_engine_agree_on_every_value_of_every_fact(case: tuple[FactSpec, Any]) -> None:
    spec, value = case
    document = with_fact(spec, value)
    assert schema_accepts(document) == engine_accepts(document), f"{spec.dotted} = {value!r}"


AGE_YEARS = [14, 14.0, 19, 20, -1, "14", "0014", " 13-15 ", "13 to 15", "13–15", "15-13", "13-20", "07-09", "14\n", "1 4"]
AGE_YEARS += ["unknown", None, True, [13, 15], "٥", "13-15-17", "teen"]


@pytest.mark.parametrize("value", AGE_YEARS, ids=repr)
def test_schema_and_engine_agree_on_age_in_years(value: Any) -> None:
    document = {"household": {"children": [{"id": "c1", "age_years": value}], "carers": [{"id": "m"}]}}
    assert schema_accepts(document) == engine_accepts(document)


@pytest.mark.parametrize("value", ["c1", "C-1_a", "c1\n", " c1", "", "x" * 32, "x" * 33, "ç1", 1], ids=repr)
def test_schema_and_engine_agree_on_ids(value: Any) -> None:
    document = {"household": {"children": [{"id": value}], "carers": [{"id": "m"}]}}
    assert schema_accepts(document) == engine_accepts(document)


def test_what_a_schema_cannot_say_is_said_in_its_description() -> None:
    """Rules across fields: the schema accepts these, the engine refuses them, and the schema's
    description names each one so a form builder can check it."""
    two_ages = {"household": {"children": [{"id": "c1", "age_months": 4, "age_years": 1}], "carers": [{"id": "m"}]}}
    same_ids = {"household": {"children": [{"id": "c1"}, {"id": "c1"}], "carers": [{"id": "m"}]}}
    cannot_apply = {
        "household": {
            "children": [{"id": "c1", "unborn_weeks": 20, "education": {"attendance_percent": 80}}],
            "carers": [{"id": "m"}],
        }
    }
    for document in (two_ages, same_ids, cannot_apply):
        assert schema_accepts(document) and not engine_accepts(document)
    description = validator().schema["description"]
    for words in ("one of age_months, age_years, age_band or unborn_weeks", "unique", "cannot describe"):
        assert words in description


def test_every_value_has_a_title_and_a_description() -> None:
    definitions = validator().schema["$defs"]
    enums = {name: d for name, d in definitions.items() if "enum" in d}
    assert len(enums) >= 40
    for name, schema in enums.items():
        listed = schema["oneOf"]
        assert [item["const"] for item in listed] == schema["enum"], name
        for item in listed:
            assert item["title"] and item["description"] and "_" not in item["title"], (name, item)


def test_every_fact_has_a_plain_title_and_a_description() -> None:
    definitions = validator().schema["$defs"]
    for spec in FACTS:
        model = {"child": "Child", "carer": "Carer", "household": "Household", "home": "Home", "strengths": "Strengths"}[
            spec.root
        ]
        schema = definitions[model]
        for part in spec.path[:-1]:
            ref = schema["properties"][part]
            schema = definitions[ref["$ref"].rsplit("/", 1)[1]] if "$ref" in ref else ref
        field = schema["properties"][spec.path[-1]]
        assert field["title"] and "_" not in field["title"] and field["description"], spec.dotted


def test_value_labels_are_the_values_in_words() -> None:
    definitions = validator().schema["$defs"]
    consent = {item["const"]: item["title"] for item in definitions["Consent"]["oneOf"]}
    assert consent == {"given": "Given", "refused": "Refused", "not_sought": "Not sought"}
    assert any(item["title"] == "16 or 17" for item in definitions["AgeBandName"]["oneOf"])
    roles = {item["const"]: item["title"] for item in definitions["CarerRole"]["oneOf"]}
    assert roles["mothers_partner"] == "Mother's partner"
