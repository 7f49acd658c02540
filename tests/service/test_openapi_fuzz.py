"""schemathesis against the published OpenAPI: no request, valid or not, gets a server error,
and every response matches the schema the OpenAPI promises (problem documents included).

Bounded for CI: SCHEMATHESIS_EXAMPLES (default 40) examples per operation and generation mode.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from needs_engine.service.app import create_app  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_keeps_to_its_schema(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
    )
