"""`cin_factors` on the command line: in the assessment JSON, its schema and the human formats."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from needs_engine.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BABY = EXAMPLES / "baby-domestic-abuse-mental-health.yaml"
runner = CliRunner()


def test_the_assessment_json_carries_cin_factors_per_child() -> None:
    result = runner.invoke(app, ["assess", str(BABY), "--format", "json"])
    assert result.exit_code == 0
    children = json.loads(result.stdout)["children"]
    assert all(child["cin_factors"] == ["3B", "4B"] for child in children)


def test_the_assessment_schema_describes_cin_factors() -> None:
    result = runner.invoke(app, ["schema", "--assessment"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Assessment"
    field = schema["$defs"]["ChildAssessment"]["properties"]["cin_factors"]
    assert field["type"] == "array"
    assert "Children in Need census" in field["description"]
    assert json.loads(runner.invoke(app, ["schema"]).stdout)["title"] == "Situation"


def test_human_formats_show_the_census_line() -> None:
    # The terminal's one-screen view (issue 14) leaves the census codes to --full, which a case record is made from.
    for args in (["--format", "markdown"], ["--format", "html"], ["--format", "rich", "--full"]):
        result = runner.invoke(app, ["assess", str(BABY), *args])
        assert result.exit_code == 0
        assert "DfE CIN census factors: 3B, 4B" in result.stdout, args
