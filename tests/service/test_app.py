"""The service in-process (no socket): what each endpoint returns and how it refuses."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    # starlette's TestClient warns that it will move from httpx to httpx2; nothing to do here yet.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from needs_engine import load_rulebook  # noqa: E402
from needs_engine.service.app import create_app  # noqa: E402
from needs_engine.workflows.records import input_hash  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASE = yaml.safe_load((EXAMPLES / "early-help-separation-school-attendance.yaml").read_text())


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(max_body=50_000), raise_server_exceptions=False)


def test_record_true_adds_a_decision_record_and_input_only_when_asked(client: TestClient) -> None:
    from needs_engine import Assessment, Situation

    plain = client.post("/assess", json={"situation": CASE, "record": True}).json()
    record = plain.pop("record")
    assert plain == client.post("/assess", json={"situation": CASE}).json()
    assert record["input_hash"] == input_hash(Situation.model_validate(CASE)) and record["input"] is None
    assert record["level"] == plain["level"] and record["rulebook"] == plain["rulebook"]
    # A record keeps every fired rung, the lower rungs folded into a need too (ChildAssessment.fired_ids).
    assert [c["fired"] for c in record["children"]] == [c.fired_ids() for c in Assessment.model_validate(plain).children]
    kept = client.post("/assess", json={"situation": CASE, "record": True, "include_input": True}).json()["record"]
    assert kept["input"]["household"]["children"][0]["id"] == CASE["household"]["children"][0]["id"]
    refused = client.post("/assess", json={"situation": CASE, "include_input": True})
    assert refused.status_code == 422 and "include_input needs record" in refused.text


def test_override_checks_come_back_as_problems(client: TestClient) -> None:
    blank = client.post("/assess", json={"situation": CASE, "override": {"level": "targeted", "reason": "  "}})
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "override.reason"
    down = client.post("/assess", json={"situation": CASE, "override": {"level": "universal", "reason": "knows the family"}})
    assert down.status_code == 422 and down.json()["errors"][0]["field"] == "override.second_person"
    up = client.post("/assess", json={"situation": CASE, "override": {"level": "targeted", "reason": "pattern of absence"}})
    assert up.json()["level"] == "targeted" and up.json()["override"]["direction"] == "up"


def test_rulebooks_and_descriptors(client: TestClient) -> None:
    book = load_rulebook("knowsley")
    [listed] = [b for b in client.get("/rulebooks").json() if b["id"] == "knowsley"]
    assert listed["content_hash"] == book.content_hash and [lv["level"] for lv in listed["levels"]] == [
        "universal",
        "early_help",
        "targeted",
        "safeguarding",
    ]
    descriptors = client.get("/rulebooks/knowsley/descriptors").json()
    assert len(descriptors) == len(book.descriptors)
    assert set(descriptors[0]) == {"id", "level", "tier", "domain", "text", "source", "origin"}
    by_id = {d["id"]: d for d in descriptors}
    # Knowsley's one override since the library: an EHCP, Targeted there (KN-EHPS-2021), child in need in the library.
    ehcp = book.by_id["education.ehcp"]
    assert (by_id[ehcp.id]["tier"], by_id[ehcp.id]["origin"], by_id[ehcp.id]["level"]) == (
        ehcp.tier.value,
        "overridden",
        "targeted",
    )
    assert by_id["health.missed_appointments"]["origin"] == "common"
    assert [lv["tiers"] for lv in listed["levels"]][1:3] == [["multi_agency"], ["multi_agency"]] and listed["library"]
    for unknown in ("/rulebooks/nowhere/descriptors", "/rulebooks/..%2F..%2Frules/descriptors"):
        response = client.get(unknown)
        assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    wrong = client.post("/assess", json={"situation": CASE, "rulebook": "nowhere"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "rulebook"


def test_openapi_publishes_the_real_models(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert {"AssessRequest", "AssessResponse", "Situation", "Override", "DecisionRecord", "ProblemDetails"} <= schemas.keys()
    assert "HTTPValidationError" not in schemas  # every 422 is a problem document
    assert client.get("/schema/situation").json()["title"] == "Situation"


def test_chunked_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/assess", content=(b"x" * 10_000 for _ in range(10)), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["status"] == 413


def test_internal_error_is_a_bare_500_problem_and_logs_no_input(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import needs_engine.engine.assess as engine

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"boom with {args[0]!r}")

    monkeypatch.setattr(engine, "assess", broken)
    case = yaml.safe_load(yaml.safe_dump(CASE))
    case["household"]["children"][0]["name"] = "Ottoline Fictional"
    with caplog.at_level(logging.INFO, logger="needs_engine"):
        response = client.post("/assess", json={"situation": case})
    assert response.status_code == 500 and response.headers["content-type"] == "application/problem+json"
    assert "boom" not in response.text and "Traceback" not in response.text
    assert "RuntimeError" in caplog.text and "Ottoline" not in caplog.text and "boom" not in caplog.text


def test_cli_and_library_never_import_fastapi() -> None:
    code = "import sys, needs_engine, needs_engine.cli.app; assert 'fastapi' not in sys.modules and 'uvicorn' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_serve_without_fastapi_is_a_clear_exit_2() -> None:
    code = (
        "import sys; sys.modules['fastapi'] = None; sys.modules['uvicorn'] = None; "
        "sys.argv = ['needs', 'serve']; from needs_engine.cli.app import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"COLUMNS": "200", "PATH": "/usr/bin"}
    )
    assert result.returncode == 2
    assert "pip install 'needs-engine[serve]'" in result.stderr and "Traceback" not in result.stderr
