"""The API as a case system adopts it: versioned paths, described models, examples from examples/,
the situation schema the CLI prints, and each endpoint answering what the library and CLI give."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import needs_engine  # noqa: E402
from needs_engine.cli.app import app as cli  # noqa: E402
from needs_engine.model.assessment import FORMAT_VERSION  # noqa: E402
from needs_engine.service.app import create_app  # noqa: E402
from needs_engine.service.versions import FIRST_PATHS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEPARATION = EXAMPLES / "early-help-separation-school-attendance.yaml"
CASE = yaml.safe_load(SEPARATION.read_text())
EXAMPLE_SITUATIONS = {
    path.name: yaml.safe_load(path.read_text()) for path in EXAMPLES.glob("*.yaml") if path.name != "expected.yaml"
}
runner = CliRunner()


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, methods in document["paths"].items() for method, op in methods.items()]


def test_every_published_path_is_under_v1_and_every_operation_is_named_and_summarised(document: dict[str, Any]) -> None:
    found = operations(document)
    assert {path for path, _, _ in found} >= {"/v1/assess", "/v1/explain", "/v1/compare", "/v1/what-if", "/v1/review"}
    assert all(path.startswith("/v1/") for path, _, _ in found)
    ids = [op.get("operationId") for _, _, op in found]
    assert None not in ids and len(set(ids)) == len(ids)
    for path, _, op in found:
        assert op.get("summary") and op.get("description"), path
        assert re.fullmatch(r"[a-z_]+", op["operationId"]), op["operationId"]


def test_every_model_and_every_field_is_described(document: dict[str, Any]) -> None:
    undescribed = []
    for name, schema in document["components"]["schemas"].items():
        if "description" not in schema:
            undescribed.append(name)
        for field, prop in (schema.get("properties") or {}).items():
            if not str(prop.get("description", "")).strip():
                undescribed.append(f"{name}.{field}")
    assert undescribed == []
    # No Input/Output split and no module-qualified name: each model is published once, by its own name.
    assert not [name for name in document["components"]["schemas"] if "-" in name or "__" in name]


def test_each_operation_has_an_example_and_each_request_example_is_from_examples(
    client: TestClient, document: dict[str, Any]
) -> None:
    for path, method, op in operations(document):
        answer = op["responses"]["200"]["content"]["application/json"]
        assert answer.get("examples"), f"{method} {path} has no response example"
        if method != "post":
            continue
        [(name, request)] = op["requestBody"]["content"]["application/json"]["examples"].items()
        body = request["value"]
        situations = [body[key] for key in ("situation", "before") if key in body]
        assert situations and all(s in EXAMPLE_SITUATIONS.values() for s in situations), name
        assert "examples/" in request["summary"]
        # The response example is what the service answers to the request example.
        [(_, shown)] = answer["examples"].items()
        assert client.post(path, json=body).json() == shown["value"], path


def _refs_as(schema: Any, prefix: str) -> Any:
    text = json.dumps(schema, sort_keys=True).replace('"#/$defs/', f'"{prefix}')
    return json.loads(text)


def test_the_situation_schema_in_the_openapi_is_needs_schema(client: TestClient, document: dict[str, Any]) -> None:
    printed = runner.invoke(cli, ["schema"])
    assert printed.exit_code == 0
    cli_schema = json.loads(printed.stdout)
    components = document["components"]["schemas"]
    definitions = _refs_as(cli_schema.pop("$defs"), "#/components/schemas/")
    assert _refs_as(cli_schema, "#/components/schemas/") == components["Situation"]
    for name, definition in definitions.items():
        assert components[name] == definition, name
    served = client.get("/v1/schema/situation").json()
    assert json.loads(printed.stdout) == served
    assert components["AssessRequest"]["properties"]["situation"]["$ref"] == "#/components/schemas/Situation"


@pytest.mark.parametrize("path", sorted(FIRST_PATHS))
def test_the_first_paths_answer_as_v1_does_and_name_their_successor(client: TestClient, path: str) -> None:
    concrete = path.replace("{rulebook_id}", "knowsley")
    if concrete in ("/assess", "/explain", "/compare"):
        body: dict[str, Any] = {"situation": CASE}
        if concrete == "/explain":
            body["max_changes"] = 1
        old, new = client.post(concrete, json=body), client.post("/v1" + concrete, json=body)
    else:
        old, new = client.get(concrete), client.get("/v1" + concrete)
    assert old.status_code == new.status_code == 200
    assert old.json() == new.json()
    assert old.headers["link"] == f'</v1{concrete}>; rel="successor-version"'
    assert "link" not in new.headers


def test_new_operations_exist_only_under_v1(client: TestClient) -> None:
    assert client.post("/what-if", json={"situation": CASE, "changes": {"x": 1}}).status_code == 404
    assert client.post("/review", json={"before": CASE, "after": CASE}).status_code == 404


def test_every_assessment_carries_its_format_version(client: TestClient) -> None:
    assert re.fullmatch(r"\d+\.\d+", FORMAT_VERSION)
    assessed = client.post("/v1/assess", json={"situation": CASE}).json()
    assert assessed["format_version"] == FORMAT_VERSION
    assert list(assessed)[0] == "format_version"  # first, so a reader sees it before anything it may not know
    printed = runner.invoke(cli, ["assess", str(SEPARATION), "--format", "json"])
    assert json.loads(printed.stdout)["format_version"] == FORMAT_VERSION
    rule = (ROOT / "docs" / "embedding.md").read_text()
    assert f"`format_version` is `{FORMAT_VERSION}`" in rule and "minor version" in rule


def _cli_json(*arguments: str) -> Any:
    result = runner.invoke(cli, list(arguments))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_what_if_answers_what_the_cli_prints(client: TestClient) -> None:
    changes = {"children.c1.education.attendance_percent": 97, "carers.m.mental_health": None}
    answer = client.post("/v1/what-if", json={"situation": CASE, "changes": changes})
    assert answer.status_code == 200
    printed = _cli_json(
        "what-if",
        str(SEPARATION),
        "--set",
        "children.c1.education.attendance_percent=97",
        "--set",
        "carers.m.mental_health=unknown",
        "--format",
        "json",
    )
    assert answer.json() == printed
    assert answer.json() == needs_engine.what_if(CASE, changes).model_dump(mode="json")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"children.c1.education.attendance_percent": 970}, "changes.children.c1.education.attendance_percent"),
        ({"children.c9.education.attendance_percent": 90}, "changes.children.c9.education.attendance_percent"),
        ({"children.c1.education.attendence": 90}, "changes.children.c1.education.attendence"),
        ({"home.housing.status": "castle"}, "changes.home.housing.status"),
        ({}, "changes"),
    ],
)
def test_a_bad_change_is_a_422_naming_it(client: TestClient, changes: dict[str, Any], field: str) -> None:
    answer = client.post("/v1/what-if", json={"situation": CASE, "changes": changes})
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in answer.json()["errors"]] == [field]


def test_what_if_for_a_child_not_in_the_household_names_child(client: TestClient) -> None:
    answer = client.post("/v1/what-if", json={"situation": CASE, "changes": {"home.housing.status": "settled"}, "child": "c9"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "child"


def test_review_answers_what_the_cli_prints(client: TestClient, tmp_path: Path) -> None:
    later = yaml.safe_load(SEPARATION.read_text())
    later["household"]["children"][0]["education"]["attendance_percent"] = 97
    (tmp_path / "later.yaml").write_text(yaml.safe_dump(later))
    answer = client.post("/v1/review", json={"before": CASE, "after": later})
    assert answer.status_code == 200
    assert answer.json() == _cli_json("review", str(SEPARATION), str(tmp_path / "later.yaml"), "--format", "json")
    assert answer.json() == needs_engine.review(CASE, later).model_dump(mode="json")
    wrong = client.post("/v1/review", json={"before": CASE, "after": later, "rulebook": "nowhere"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "rulebook"


def test_the_docs_pages_load_nothing_from_another_host(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        sources = re.findall(r"""(?:src|href)=["']([^"']+)""", html) + re.findall(r"""url: ?['"]([^'"]+)""", html)
        assert sources, page
        assert [s for s in sources if re.match(r"(https?:)?//", s)] == [], page
        for source in sources:
            if source.startswith("/docs-assets/"):
                assert client.get(source).status_code == 200, source
