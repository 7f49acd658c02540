"""A real `needs serve` over HTTP: the library's answer, problem documents, size limit, quiet logs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from needs_engine import assess, load_rulebook

from .conftest import Server

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HERE = Path(__file__).resolve().parent
# Invented for this test; it must never reach a log.
CHILD_NAME = "Zebedee Quillfeather-Fictional"


def situation(example: str) -> dict:
    return yaml.safe_load((EXAMPLES / example).read_text())


def test_assessment_over_http_is_the_library_one_and_logs_hold_no_names(server: Server) -> None:
    case = situation("baby-domestic-abuse-mental-health.yaml")
    case["household"]["children"][0]["name"] = CHILD_NAME
    status, content_type, body = server.post("/assess", json.dumps({"situation": case}).encode())
    assert (status, content_type) == (200, "application/json")
    assert body == json.loads(assess(case, load_rulebook("knowsley")).model_dump_json())

    # A rejected request's body must not be logged either.
    case["household"]["children"][0]["age_months"] = -1
    assert server.post("/assess", json.dumps({"situation": case}).encode())[0] == 422
    logs = server.logs()
    assert "POST /assess 200" in logs and "POST /assess 422" in logs
    assert CHILD_NAME not in logs and "Quillfeather" not in logs
    assert "domestic_abuse" not in logs and "127.0.0.1:" not in logs.replace("http://127.0.0.1:", "")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_gets_the_library_assessment(server: Server, tmp_path: Path) -> None:
    request = tmp_path / "situation.json"
    request.write_text(json.dumps(situation("mixed-levels-self-harming-teenager-and-toddler.yaml")))
    result = subprocess.run(
        ["sh", str(HERE / "curl_matches_library.sh"), server.url, str(request)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "same assessment" in result.stdout


def test_bad_request_is_a_problem_document_naming_the_field(server: Server) -> None:
    case = situation("universal-two-parents-school-age.yaml")
    case["household"]["consent"] = "maybe"
    status, content_type, body = server.post("/assess", json.dumps({"situation": case}).encode())
    assert (status, content_type) == (422, "application/problem+json")
    assert {"type", "title", "status", "detail", "errors"} <= body.keys() and body["status"] == 422
    [error] = body["errors"]
    assert error["field"] == "situation.household.consent"
    assert "given" in error["expected"] and "refused" in error["expected"]
    assert "Traceback" not in json.dumps(body)


def test_oversized_request_is_413(server: Server) -> None:
    status, content_type, body = server.post("/assess", b'{"situation": "' + b"x" * 1_100_000 + b'"}')
    assert (status, content_type, body["status"]) == (413, "application/problem+json", 413)


def test_a_port_already_in_use_is_exit_2_with_one_message() -> None:
    """uvicorn's own status for a failed start is 3; the CLI's contract is 2 for bad input."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "needs_engine", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},
        )
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
