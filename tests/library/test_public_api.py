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
