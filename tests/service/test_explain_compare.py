"""POST /explain and POST /compare in-process: the CLI's JSON over HTTP, and how they refuse."""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    # starlette's TestClient warns that it will move from httpx to httpx2; nothing to do here yet.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from needs_engine.cli.app import app  # noqa: E402
from needs_engine.service.app import create_app  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BABY = EXAMPLES / "baby-domestic-abuse-mental-health.yaml"
# Knowsley places the teenager at Targeted, St Helens at Early Help: the comparison has reasons.
TEENAGER = EXAMPLES / "mixed-levels-self-harming-teenager-and-toddler.yaml"
# Invented for this test; it must never reach a log.
CHILD_NAME = "Peregrine Inkwell-Fictional"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


def cli_json(*args: str) -> object:
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def situation(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_explain_over_http_is_the_cli_json(client: TestClient) -> None:
    request = {"situation": situation(BABY), "rulebook": "st-helens", "child": "c2", "max_changes": 2}
    response = client.post("/explain", json=request)
    assert response.status_code == 200, response.text
    expected = cli_json("explain", str(BABY), "--rulebook", "st-helens", "--child", "c2", "--max-changes", "2")
    assert response.json() == expected
    assert [c["child_id"] for c in response.json()["children"]] == ["c2"]
    assert response.json()["children"][0]["down"]["max_changes"] == 2

    every_child = client.post("/explain", json={"situation": situation(BABY)}).json()
    assert every_child == cli_json("explain", str(BABY))
    assert every_child["children"][0]["up"]["max_changes"] == 3


UNIVERSAL_EXAMPLE = EXAMPLES / "universal-two-parents-school-age.yaml"


def test_explain_with_a_target_over_http_finds_a_way_to_safeguarding(client: TestClient) -> None:
    # The family is Universal under Knowsley (examples/expected.yaml); the trainer asks what would
    # make it Safeguarding, and the answer is the CLI's `--target safeguarding`, set for set.
    case = situation(UNIVERSAL_EXAMPLE)
    response = client.post("/v1/explain", json={"situation": case, "target": "safeguarding"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assessment"]["level"] == "universal"
    assert body == cli_json("explain", str(UNIVERSAL_EXAMPLE), "--target", "safeguarding")
    for child in body["children"]:
        assert child["target"]["target"] == "safeguarding" and child["target"]["found"], child["child_id"]
    # "Level 4" names the top level in every rulebook, as it does on the command line.
    by_number = client.post("/v1/explain", json={"situation": case, "target": "Level 4"})
    assert by_number.status_code == 200 and by_number.json() == body
    unknown = client.post("/v1/explain", json={"situation": case, "target": "level 9"})
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"
    [error] = unknown.json()["errors"]
    assert error["field"] == "target" and error["code"] == "unknown_level" and "safeguarding" in error["expected"]


def test_compare_over_http_is_the_cli_json(client: TestClient) -> None:
    response = client.post("/compare", json={"situation": situation(TEENAGER)})
    assert response.status_code == 200, response.text
    assert response.json() == cli_json("compare", str(TEENAGER))
    assert response.json()["family_differs"] is True and response.json()["rulebooks"] == ["knowsley", "st-helens"]

    named = client.post("/compare", json={"situation": situation(TEENAGER), "rulebooks": ["st-helens", "knowsley"]})
    assert named.json() == cli_json("compare", str(TEENAGER), "--rulebook", "st-helens", "--rulebook", "knowsley")


def test_explain_names_a_bad_child_and_refuses_an_unbounded_search(client: TestClient) -> None:
    case = situation(BABY)
    missing = client.post("/explain", json={"situation": case, "child": "c9"})
    assert missing.status_code == 422 and missing.headers["content-type"] == "application/problem+json"
    [error] = missing.json()["errors"]
    assert (error["field"], error["message"], error["expected"]) == ("child", "no child with id 'c9'", "c1, c2")
    malformed = client.post("/explain", json={"situation": case, "child": "../c1"})
    assert malformed.status_code == 422 and [e["field"] for e in malformed.json()["errors"]] == ["child"]
    for too_far in (0, 4, 1000):
        refused = client.post("/explain", json={"situation": case, "max_changes": too_far})
        assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["max_changes"]
    # The search's size limit is not the caller's to set.
    budget = client.post("/explain", json={"situation": case, "budget": 10**9})
    assert budget.status_code == 422 and budget.json()["errors"][0]["code"] == "extra_forbidden"
    wrong_book = client.post("/explain", json={"situation": case, "rulebook": "nowhere"})
    assert wrong_book.status_code == 422 and wrong_book.json()["errors"][0]["field"] == "rulebook"


def test_compare_names_each_unknown_or_repeated_rulebook(client: TestClient) -> None:
    case = situation(TEENAGER)
    unknown = client.post("/compare", json={"situation": case, "rulebooks": ["nowhere", "knowsley", "elsewhere"]})
    assert unknown.status_code == 422 and unknown.headers["content-type"] == "application/problem+json"
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [
        ("rulebooks.0", "unknown_rulebook"),
        ("rulebooks.2", "unknown_rulebook"),
    ]
    assert unknown.json()["errors"][0]["expected"] == "knowsley, st-helens"
    twice = client.post("/compare", json={"situation": case, "rulebooks": ["knowsley", "knowsley"]})
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "rulebooks"
    assert "named twice" in twice.json()["errors"][0]["message"]
    empty = client.post("/compare", json={"situation": case, "rulebooks": []})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "rulebooks"


def test_openapi_describes_both_with_their_real_models(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, request, response in (
        ("/v1/explain", "ExplainRequest", "Explanation"),
        ("/v1/compare", "CompareRequest", "Comparison"),
    ):
        operation = document["paths"][path]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/" + request)
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/" + response)
        assert operation["responses"]["422"]["content"]["application/problem+json"]
    limits = document["components"]["schemas"]["ExplainRequest"]["properties"]["max_changes"]
    assert (limits["minimum"], limits["maximum"]) == (1, 3)


def test_logs_name_the_route_and_status_only(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    case = situation(BABY)
    case["household"]["children"][0]["name"] = CHILD_NAME
    with caplog.at_level(logging.DEBUG, logger="needs_engine"):
        assert client.post("/explain", json={"situation": case}).status_code == 200
        assert client.post("/explain", json={"situation": case, "child": "c9"}).status_code == 422
        assert client.post("/compare", json={"situation": case}).status_code == 200
    assert [r.getMessage() for r in caplog.records] == ["POST /explain 200", "POST /explain 422", "POST /compare 200"]
    assert "Inkwell" not in caplog.text
