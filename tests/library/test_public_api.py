"""The library as an integrator embeds it: the public surface, shared rulebooks, threads, overrides."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pydantic
import pytest
import yaml
from typer.testing import CliRunner

import needs_engine
from needs_engine import InputError, Override, assess, load_rulebook
from needs_engine.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SITUATIONS = [yaml.safe_load(path.read_text()) for path in sorted(EXAMPLES.glob("*.yaml")) if path.name != "expected.yaml"]


def test_public_names_are_exported_typed_and_documented() -> None:
    for name in needs_engine.__all__:
        assert getattr(needs_engine, name) is not None, name
    assert {"assess", "load_rulebook", "make_record", "replay", "DecisionRecord", "Situation"} <= set(needs_engine.__all__)
    assert (Path(needs_engine.__file__).parent / "py.typed").is_file()
    assert "assess(" in (needs_engine.__doc__ or "") and "replay(" in (needs_engine.__doc__ or "")


def test_a_rulebook_loads_once_and_is_shared() -> None:
    assert load_rulebook("knowsley") is load_rulebook("knowsley")


def test_concurrent_assessments_equal_sequential_ones() -> None:
    rulebook = load_rulebook("knowsley")
    jobs = SITUATIONS * 6
    sequential = [assess(situation, rulebook).model_dump_json() for situation in jobs]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to shake out shared state
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            concurrent = list(pool.map(lambda situation: assess(situation, rulebook).model_dump_json(), jobs))
    finally:
        sys.setswitchinterval(interval)
    assert concurrent == sequential


def test_override_fields_as_a_mapping_raise_input_error_naming_the_field() -> None:
    with pytest.raises(InputError) as caught:
        assess(SITUATIONS[0], "knowsley", override={"level": "targeted", "reason": "   "})
    assert [problem.loc for problem in caught.value.problems] == ["override.reason"]
    with pytest.raises(pydantic.ValidationError):  # documented: the model itself is pydantic's
        Override(level="targeted", reason=" ")
    assert (
        assess(SITUATIONS[0], "knowsley", override={"level": "safeguarding", "reason": "seen at the visit"}).level.value
        == "safeguarding"
    )


def test_cli_override_with_an_overlong_field_is_bad_input_not_a_crash() -> None:
    example = str(EXAMPLES / "universal-two-parents-school-age.yaml")
    result = CliRunner().invoke(
        app, ["assess", example, "--override-level", "early_help", "--reason", "worried", "--by", "x" * 120]
    )
    assert result.exit_code == 2 and "override.by" in result.output


def test_explain_what_if_compare_and_review_are_exported_typed_and_give_what_the_cli_prints(tmp_path: Path) -> None:
    import json
    import typing

    from needs_engine import Comparison, Explanation, Review, WhatIf, compare, explain, review, what_if

    expected = {explain: Explanation, what_if: WhatIf, compare: Comparison, review: Review}
    for function, model in expected.items():
        assert function.__name__ in needs_engine.__all__ and getattr(needs_engine, function.__name__) is function
        assert typing.get_type_hints(function)["return"] is model, function.__name__
        assert function.__doc__ and function.__name__ + "(" in (needs_engine.__doc__ or "")
    path = sorted(EXAMPLES.glob("*.yaml"))[0]
    situation = yaml.safe_load(path.read_text())
    runner = CliRunner()

    def printed(*arguments: str) -> object:
        result = runner.invoke(app, list(arguments))
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)

    assert explain(situation, "knowsley", max_changes=1).model_dump(mode="json") == printed(
        "explain", str(path), "--max-changes", "1", "--format", "json"
    )
    assert compare(situation).model_dump(mode="json") == printed("compare", str(path), "--format", "json")
    assert review(situation, situation).model_dump(mode="json") == printed("review", str(path), str(path), "--format", "json")
    first_child = situation["household"]["children"][0]["id"]
    change = {f"children.{first_child}.harm.left_alone": True}
    assert what_if(situation, change).model_dump(mode="json") == printed(
        "what-if", str(path), "--set", f"children.{first_child}.harm.left_alone=true", "--format", "json"
    )
