"""Decision records and replay, as `needs assess --record` and `needs replay` use them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine import assess, input_hash, load_rulebook, make_record, replay
from needs_engine.cli.app import app
from needs_engine.formats.inputs import read_situation

from ..authoring.conftest import copy_rulebook, descriptor_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "early-help-separation-school-attendance.yaml"
runner = CliRunner()


def record_with_cli(tmp_path: Path, *extra: str) -> Path:
    result = runner.invoke(app, ["assess", str(EXAMPLE), "--format", "json", "--record", str(tmp_path / "records"), *extra])
    assert result.exit_code == 0, result.output
    [written] = re.findall(r"decision record: (\S+\.json)", result.stderr)
    assert json.loads(result.stdout)["level"]  # stdout stays the assessment alone
    return Path(written)


def test_a_record_holds_the_decision_and_the_input_only_when_asked(tmp_path: Path) -> None:
    path = record_with_cli(tmp_path)
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{12}\.json", path.name)
    record = json.loads(path.read_text())
    situation = read_situation(EXAMPLE)
    assessment = assess(situation, "knowsley")
    assert record["input_hash"] == input_hash(situation) and record["input"] is None
    assert "Ash" not in path.read_text()  # the child's name stays out unless the input is kept
    assert record["rulebook"]["content_hash"] == load_rulebook("knowsley").content_hash
    assert (record["computed_level"], record["level"]) == (assessment.computed_level.value, assessment.level.value)
    assert record["children"][0]["fired"] == assessment.children[0].fired_ids()
    kept = json.loads(record_with_cli(tmp_path, "--include-input").read_text())
    assert kept["input"]["household"]["children"][0]["name"] == "Ash" and kept["input_hash"] == record["input_hash"]


def test_input_hash_ignores_order_and_unknown_spelling() -> None:
    from needs_engine import Situation

    base = {
        "household": {
            "children": [{"id": "b", "age_months": 30}, {"id": "a", "age_months": 3}],
            "carers": [{"id": "m", "role": "mother"}],
        }
    }
    reordered = {"household": {**base["household"], "children": list(reversed(base["household"]["children"]))}}
    spelled = {"household": {**base["household"], "consent": "unknown"}}
    hashes = {input_hash(Situation.model_validate(document)) for document in (base, reordered, spelled)}
    assert len(hashes) == 1
    changed = {"household": {**base["household"], "consent": "given"}}
    assert input_hash(Situation.model_validate(changed)) not in hashes


def test_replay_of_an_unchanged_decision_is_identical(tmp_path: Path) -> None:
    path = record_with_cli(tmp_path)
    result = runner.invoke(app, ["replay", str(path), "--input", str(EXAMPLE)])
    assert result.exit_code == 0 and result.stdout.startswith("identical")
    as_json = runner.invoke(app, ["replay", str(path), "--input", str(EXAMPLE), "--format", "json"])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["differences"] == []


def test_replay_reports_a_descriptor_whose_level_changed(tmp_path: Path) -> None:
    path = record_with_cli(tmp_path)
    record = json.loads(path.read_text())
    changed_id = next(i for i in record["children"][0]["fired"] if load_rulebook("knowsley").by_id[i].level.value == "early_help")
    copy = tmp_path / "book"
    copy.mkdir()
    rules = copy_rulebook(copy)
    # The descriptor is common: its library entry states a tier (multi-agency, Early Help here).
    domain_file = descriptor_file(rules, changed_id)
    # Raised to child protection (Safeguarding here), the descriptor leaves its ladder (a rung above
    # the next is a load error).
    text, count = re.subn(
        rf"(- id: {re.escape(changed_id)}\n)(?:\s+need: \S+\n)?(\s+tier: )multi_agency",
        r"\1\2child_protection",
        domain_file.read_text(),
    )
    assert count == 1
    domain_file.write_text(text)

    result = runner.invoke(app, ["replay", str(path), "--input", str(EXAMPLE), "--rulebook", str(copy), "--format", "json"])
    assert result.exit_code == 1, result.output
    kinds = {(d["kind"], d.get("child_id"), d.get("was"), d.get("now")) for d in json.loads(result.stdout)["differences"]}
    assert ("child_level", "c1", record["children"][0]["level"], "safeguarding") in kinds
    assert ("family_level", None, record["level"], "safeguarding") in kinds
    assert any(kind == "rulebook_hash" for kind, *_ in kinds)
    assert not any(kind == "input_hash" for kind, *_ in kinds)
    text_report = runner.invoke(app, ["replay", str(path), "--input", str(EXAMPLE), "--rulebook", str(copy)])
    assert text_report.exit_code == 1 and f"child c1 level: {record['children'][0]['level']} → safeguarding" in text_report.stdout


def test_replay_reports_other_input_and_an_override_no_longer_allowed(tmp_path: Path) -> None:
    situation = read_situation(EXAMPLE)
    up = assess(situation, "knowsley", override={"level": "targeted", "reason": "absence is getting worse"})
    record = make_record(situation, up, now=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    assert record.created_at == "2026-01-05T09:30:00Z" and record.override and record.override.direction == "up"
    assert replay(record, situation).identical

    worse = read_situation(EXAMPLES / "baby-domestic-abuse-mental-health.yaml")
    report = replay(record, worse)
    kinds = {d.kind for d in report.differences}
    assert {"input_hash", "override", "computed_level"} <= kinds and not report.identical
    [override] = [d for d in report.differences if d.kind == "override"]
    assert "no longer allowed" in override.message and "second person" in override.message


def test_replay_of_a_file_that_is_not_a_record_is_bad_input(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-record.json"
    bogus.write_text('{"input_hash": 3}')
    result = runner.invoke(app, ["replay", str(bogus), "--input", str(EXAMPLE)])
    assert result.exit_code == 2 and "not a decision record" in result.output


def _corrupt_record(path: Path) -> str:
    """A record whose child appears twice, the second time at another level: tampered or corrupted."""
    document = json.loads(path.read_text())
    first = document["children"][0]
    document["children"].append({**first, "level": "safeguarding"})
    path.write_text(json.dumps(document))
    return "appears twice"


def _binary_record(path: Path) -> str:
    path.write_bytes(b"\xff\xfe{" + bytes(range(256)))
    return "not UTF-8"


def _record_of_a_rulebook_not_shipped(path: Path) -> str:
    document = json.loads(path.read_text())
    document["rulebook"]["id"] = "records"  # the name of the folder beside it: never to be read as a path
    path.write_text(json.dumps(document))
    return "not a shipped rulebook"


@pytest.mark.parametrize("spoil", [_corrupt_record, _binary_record, _record_of_a_rulebook_not_shipped])
def test_replay_of_a_spoilt_record_is_bad_input_never_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil: Callable[[Path], str]
) -> None:
    path = record_with_cli(tmp_path)
    phrase = spoil(path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["replay", str(path), "--input", str(EXAMPLE)])
    assert result.exit_code == 2, result.output
    assert phrase in " ".join(result.output.replace("│", " ").split()) and "internal error" not in result.output
