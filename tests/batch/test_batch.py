"""`needs batch` as a caseload owner relies on it: one row per line, errors named, resumable."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.batch.columns import Columns
from needs_engine.cli.app import app
from needs_engine.errors import InputError
from needs_engine.formats.inputs import situation_from_document
from needs_engine.formats.yamlfile import read_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CASELOAD = EXAMPLES / "batch"
runner = CliRunner()


def example_documents() -> list[dict]:
    return [read_file(p) for p in sorted(EXAMPLES.glob("*.yaml")) if p.name != "expected.yaml"]


def write_jsonl(path: Path, documents: list[dict], extra: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(d) for d in documents]
    for index, text in sorted((extra or {}).items()):
        lines.insert(index, text)
    path.write_text("\n".join(lines) + "\n")
    return path


def batch(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["batch", *args, "--quiet"])


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_jsonl_rows_match_a_full_assessment_of_each_line(tmp_path: Path) -> None:
    documents = example_documents()
    out = tmp_path / "out.jsonl"
    result = batch(str(write_jsonl(tmp_path / "in.jsonl", documents)), "--out", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    book = load_rulebook("knowsley")
    got = rows(out)
    assert [row["line"] for row in got] == list(range(1, len(documents) + 1))
    for document, row in zip(documents, got, strict=True):
        full = assess(document, book)
        assert row["status"] == "ok"
        assert row["level"] == full.level.value and row["possible_level"] == full.possible_level.value
        assert row["reference"] == full.reference
        assert row["tier"] == full.tier.value
        assert row["children"] == [
            {
                "id": c.child_id,
                "level": c.level.value,
                "possible_level": c.possible_level.value,
                "tier": c.tier.value,
                "fired": c.fired_ids(),
            }
            for c in full.children
        ]


def test_bad_lines_in_the_middle_give_one_error_row_each_and_the_rest_are_assessed(tmp_path: Path) -> None:
    documents = example_documents()[:6]
    bad_value = {
        "household": {"children": [{"id": "c1", "age_months": 30}, {"id": "b0", "age_months": 999}], "carers": [{"id": "m"}]}
    }
    source = write_jsonl(tmp_path / "in.jsonl", documents, {2: '{"household": {"children": [', 4: json.dumps(bad_value), 5: ""})
    out = tmp_path / "out.jsonl"
    result = batch(str(source), "--out", str(out), "--workers", "2", "--chunk-size", "2")
    assert result.exit_code == 0, result.output
    got = rows(out)
    assert len(got) == len(source.read_text().splitlines()) == 9
    assert [row["line"] for row in got] == list(range(1, 10))
    errors = {row["line"]: row for row in got if row["status"] == "error"}
    assert set(errors) == {3, 5, 6}
    assert errors[3]["error"].startswith("not valid JSON")
    # The second child as written (index 1) is the bad one, although the model sorts b0 first.
    assert errors[5]["field"] == "household.children.1.age_months"
    assert "less than or equal to 228" in errors[5]["error"]
    assert "empty" in errors[6]["error"]
    assert all(row["status"] == "ok" for row in got if row["line"] not in errors)


def test_a_repeated_json_key_is_an_error_not_a_silently_dropped_fact(tmp_path: Path) -> None:
    line = '{"household": {"children": [{"id": "c1", "age_months": 3, "age_months": 40}], "carers": [{"id": "m"}]}}'
    source = tmp_path / "in.jsonl"
    source.write_text(line + "\n")
    out = tmp_path / "out.jsonl"
    assert batch(str(source), "--out", str(out)).exit_code == 0
    (row,) = rows(out)
    assert row["status"] == "error" and row["field"] == "household.children.0.age_months"


def test_csv_caseload_gives_the_same_levels_as_its_jsonl_twin(tmp_path: Path) -> None:
    outputs = {}
    for kind in ("jsonl", "csv"):
        out = tmp_path / f"{kind}.csv"
        result = batch(str(CASELOAD / f"caseload.{kind}"), "--out", str(out))
        assert result.exit_code == 0, result.output
        outputs[kind] = list(csv.DictReader(out.open()))
    assert len(outputs["csv"]) == len(outputs["jsonl"]) == len((CASELOAD / "caseload.jsonl").read_text().splitlines())
    for from_jsonl, from_csv in zip(outputs["jsonl"], outputs["csv"], strict=True):
        assert int(from_csv["line"]) == int(from_jsonl["line"]) + 1  # the CSV header is line 1
        for column in ("reference", "status", "level", "possible_level", "child_levels", "fired", "error", "field"):
            assert from_csv[column] == from_jsonl[column]
    statuses = [row["status"] for row in outputs["csv"]]
    assert statuses.count("error") == 1


def test_csv_empty_cells_are_unknown_and_absent_children_are_left_out(tmp_path: Path) -> None:
    columns = Columns.from_header(
        ["household.reference", "household.children.0.age_months", "household.children.1.age_months", "household.carers.0.role"],
        where="x.csv",
    )
    document, positions = columns.document(["R1", "", "40", "mother"])
    assert document == {
        "household": {
            "reference": "R1",
            "children": [{"id": "c2", "age_months": 40}],  # a number column's cell is read as a number
            "carers": [{"id": "a1", "role": "mother"}],
        }
    }
    assert positions == {"children": [1], "carers": [0]}


def test_every_csv_row_is_accounted_for_even_odd_ones(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "household.reference,household.children.0.age_months,household.carers.0.role\r\n"
        '"two\nlines",40,mother\r\n'  # a quoted line break: one household over two lines
        "R2,12\r\n"  # a short row: the missing cell is empty, so no carer is given
        "\r\n"  # a blank row
        "R4,12,mother,surplus\r\n"  # more cells than columns
        "R5,abc,mother\r\n"
    )
    out = tmp_path / "out.jsonl"
    assert batch(str(source), "--out", str(out)).exit_code == 0
    got = {row["line"]: row for row in rows(out)}
    assert sorted(got) == [2, 4, 5, 6, 7]
    assert got[2]["status"] == "ok" and got[2]["reference"] == "two\nlines"
    assert got[4]["field"] == "household.carers"  # a household needs at least one carer, even one all unknown
    assert got[5]["error"] == "the row is empty"
    assert "4 cells" in got[6]["error"]
    assert got[7]["field"] == "household.children.0.age_months"


def test_csv_unknown_column_is_exit_2_naming_the_column(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "household.reference,household.children.0.age_months,household.children.0.educaton.attendance_percent\nR,40,80\n"
    )
    result = runner.invoke(app, ["batch", str(source), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "household.children.0.educaton.attendance_percent" in text
    assert "household.children.0.education.attendance_percent" in text  # the suggestion
    assert not (tmp_path / "out.csv").exists()


def test_unknown_format_and_existing_output_are_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("{}\n")
    assert batch(str(source), "--out", str(tmp_path / "o.jsonl")).exit_code == 2
    good = write_jsonl(tmp_path / "in.jsonl", example_documents()[:1])
    out = tmp_path / "o.jsonl"
    assert batch(str(good), "--out", str(out)).exit_code == 0
    assert batch(str(good), "--out", str(out)).exit_code == 2  # would overwrite a finished batch
    assert batch(str(good), "--out", str(out), "--overwrite").exit_code == 0
    assert batch(str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "m.jsonl")).exit_code == 2


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    documents = example_documents()
    path = tmp_path_factory.mktemp("big") / "in.jsonl"
    with path.open("w") as handle:
        for index in range(3000):
            document = json.loads(json.dumps(documents[index % len(documents)]))
            document["household"]["reference"] = f"FICT-{index:05d}"
            handle.write(json.dumps(document) + "\n")
    return path


@pytest.fixture(scope="module")
def uninterrupted(big_input: Path) -> bytes:
    out = big_input.with_name("whole.jsonl")
    assert batch(str(big_input), "--out", str(out), "--chunk-size", "50").exit_code == 0
    return out.read_bytes()


def test_killed_and_resumed_batch_equals_an_uninterrupted_one(big_input: Path, uninterrupted: bytes, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "needs_engine", "batch", str(big_input), "--out", str(out), "--chunk-size", "20", "--quiet"]
    process = subprocess.Popen(command, start_new_session=True)
    deadline = time.monotonic() + 60
    while (not out.exists() or out.stat().st_size < 20_000) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    partial = out.read_bytes()
    assert 0 < len(partial) < len(uninterrupted), "the batch should be killed part-way"
    result = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == uninterrupted


def test_resume_after_a_torn_last_line(big_input: Path, uninterrupted: bytes, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert batch(str(big_input), "--out", str(out), "--chunk-size", "50").exit_code == 0
    cut = uninterrupted.index(b"\n", len(uninterrupted) // 2) - 30  # mid-line
    with out.open("r+b") as handle:
        handle.truncate(cut)
    with Path(str(out) + ".state").open("ab") as state:
        state.write(b'{"rows": 40, "inp')  # and the state file's own last line torn
    result = batch(str(big_input), "--out", str(out), "--resume", "--chunk-size", "50")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == uninterrupted


def test_resume_refuses_a_changed_input(big_input: Path, tmp_path: Path) -> None:
    copy = tmp_path / "in.jsonl"
    copy.write_bytes(big_input.read_bytes())
    out = tmp_path / "out.jsonl"
    assert batch(str(copy), "--out", str(out), "--chunk-size", "500").exit_code == 0
    text = copy.read_text().replace("FICT-00007", "FICT-99997")
    copy.write_text(text)
    with out.open("r+b") as handle:
        handle.truncate(out.stat().st_size // 2)
    result = runner.invoke(app, ["batch", str(copy), "--out", str(out), "--resume"])
    assert result.exit_code == 2
    assert "differ" in " ".join(result.output.split())


def test_csv_cells_are_read_by_their_columns_type() -> None:
    columns = Columns.from_header(
        [
            "household.children.0.harm.left_alone",
            "household.children.0.education.attendance_percent",
            "household.children.0.age_years",
            "household.carers.0.mental_health",
            "household.home.domestic_abuse.incidents_12m",
            "household.strengths.protective_adult",
            "household.immediate_danger",
        ],
        where="x.csv",
    )
    document, _ = columns.document(["Yes", "84.5", "14", "mild", "2", "0", "unknown"])
    child = document["household"]["children"][0]
    assert child["harm"] == {"left_alone": True} and child["education"] == {"attendance_percent": 84.5}
    assert child["age_years"] == "14"  # an age in years may be a range: text, read by the model
    assert document["household"]["carers"][0]["mental_health"] == "mild"
    assert document["household"]["home"] == {"domestic_abuse": {"incidents_12m": 2}}
    assert document["household"]["strengths"] == {"protective_adult": False}
    assert document["household"]["immediate_danger"] == "unknown"
    # A cell not of its column's type stays text, and the model refuses it naming the field.
    bad, _ = columns.document(["sometimes", "lots", "", "", "", "", ""])
    with pytest.raises(InputError) as caught:
        situation_from_document(bad, where="x.csv")
    assert "left_alone" in str(caught.value) and "attendance_percent" in str(caught.value)


def test_the_summary_docs_batch_md_shows_is_what_the_shipped_caseload_gives(tmp_path: Path) -> None:
    """docs/batch.md quotes the stderr summary for examples/batch/caseload.jsonl; a descriptor that
    moves one of its households must move the quoted counts too."""
    documented = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    quoted = documented.split("8 rows in results.jsonl: ", 1)[1].split("; ...", 1)[0]
    out = tmp_path / "results.jsonl"
    result = runner.invoke(app, ["batch", str(CASELOAD / "caseload.jsonl"), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    # Compared without whitespace: the terminal may wrap the line anywhere, the temp path included.
    assert "".join(f"8 rows in {out}: {quoted};".split()) in "".join(result.output.split()), result.output
