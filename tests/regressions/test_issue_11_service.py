"""Issue 11, the service: bodies through the one reader, 415, bounded explanations, read
timeouts, and rulebooks loaded once per process."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from needs_engine.service import explanations, gate, rulebooks  # noqa: E402
from needs_engine.service.app import create_app  # noqa: E402
from needs_engine.service.gate import Gate  # noqa: E402

from ..service.conftest import free_port  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CASE = yaml.safe_load((EXAMPLES / "universal-two-parents-school-age.yaml").read_text())


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


def post(client: TestClient, path: str, body: str, content_type: str = "application/json") -> Any:
    return client.post(path, content=body.encode(), headers={"Content-Type": content_type})


def test_a_repeated_key_over_http_is_refused_with_its_field_path(client: TestClient) -> None:
    household = json.dumps(CASE["household"])[1:]
    body = '{"situation": {"household": {"immediate_danger": true, "immediate_danger": false, ' + household + "}}"
    response = post(client, "/assess", body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"][0]["field"] == "situation.household.immediate_danger"
    assert "duplicate key 'immediate_danger'" in problem["detail"]


@pytest.mark.parametrize("number", ["014", "0x10", "NaN", "9" * 5000])
def test_a_body_is_parsed_as_strict_json(client: TestClient, number: str) -> None:
    response = post(client, "/assess", '{"situation": {"household": {"children": [{"id": "c1", "age_months": ' + number + "}]}}}")
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert len(response.text) < 1000  # a long bad value is never quoted back


def test_a_deep_body_is_refused(client: TestClient) -> None:
    response = post(client, "/assess", '{"situation": ' + "[" * 500 + "]" * 500 + "}")
    assert response.status_code == 422 and "nested more than 64 levels deep" in response.json()["detail"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_a_wrong_content_type_is_415(client: TestClient, content_type: str) -> None:
    response = post(client, "/assess", json.dumps({"situation": CASE}), content_type)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert post(client, "/assess", json.dumps({"situation": CASE}), "application/json; charset=utf-8").status_code == 200


def test_explanations_over_the_bound_are_503_with_retry_after(client: TestClient) -> None:
    held = [explanations._EXPLAINING.acquire(blocking=False) for _ in range(explanations.MAX_CONCURRENT_EXPLANATIONS)]
    try:
        assert all(held)
        response = post(client, "/explain", json.dumps({"situation": CASE}))
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == str(explanations.RETRY_AFTER_SECONDS)
    finally:
        for _ in held:
            explanations._EXPLAINING.release()
    assert post(client, "/explain", json.dumps({"situation": CASE})).status_code == 200


def twenty_children() -> dict[str, Any]:
    children = [
        {"id": f"c{i}", "age_months": 60 + i * 7, "education": {"attendance_percent": 88}, "health": {"growth": "faltering"}}
        for i in range(20)
    ]
    carers = [{"id": "m", "role": "mother", "mental_health": "diagnosed_unstable"}]
    return {"household": {"children": children, "carers": carers, "home": {"domestic_abuse": {"incidents_12m": 1}}}}


def test_an_explanation_does_a_bounded_amount_of_work_in_all(client: TestClient) -> None:
    response = post(client, "/explain", json.dumps({"situation": twenty_children(), "max_changes": 3}))
    assert response.status_code == 200, response.text
    tried = sum(child[way]["combinations_tried"] for child in response.json()["children"] for way in ("down", "up"))
    assert tried <= explanations.REQUEST_BUDGET + 40 * explanations.MIN_SEARCH_BUDGET


def test_rulebooks_are_loaded_once_per_process_not_per_request(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    post(client, "/assess", json.dumps({"situation": CASE}))  # loaded (here or earlier)

    def no_files(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a request looked at the rulebook's files")

    monkeypatch.setattr(rulebooks, "load_rulebook", no_files)
    monkeypatch.setattr(rulebooks, "shipped_rulebooks", no_files)
    for path in ("/assess", "/explain", "/compare"):
        assert post(client, path, json.dumps({"situation": CASE})).status_code == 200
    assert client.get("/rulebooks").status_code == 200


def test_reload_reads_the_rulebooks_again() -> None:
    before = rulebooks.loaded_rulebooks()["knowsley"]
    rulebooks.reload_rulebooks()
    assert rulebooks.loaded_rulebooks()["knowsley"].content_hash == before.content_hash


def test_a_slow_body_gets_408(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gate, "BODY_TIMEOUT", 0.2)
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not be reached")

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(5)
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/assess", "headers": []}
    started = time.perf_counter()
    asyncio.run(Gate(app)(scope, receive, send))
    assert time.perf_counter() - started < 2
    assert sent[0]["status"] == 408


def test_a_half_sent_request_head_is_closed_after_the_header_timeout() -> None:
    import threading

    import uvicorn

    from needs_engine.service.protocol import HeadTimeoutProtocol

    class Quick(HeadTimeoutProtocol):
        header_timeout = 0.5

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, http=Quick, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as half:
            half.sendall(b"POST /assess HTTP/1.1\r\nHost: x\r\nContent-")
            started = time.monotonic()
            assert half.recv(100) == b""  # closed by the server, not by our 5 s timeout
            assert time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", port), timeout=5) as whole:
            whole.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert whole.recv(100).startswith(b"HTTP/1.1 200")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
