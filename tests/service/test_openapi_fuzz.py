"""schemathesis against the published OpenAPI: no request, valid or not, gets a server error,
and every response matches the schema the OpenAPI promises (problem documents included).

Bounded for CI. The fuzzing phase runs SCHEMATHESIS_EXAMPLES (default 40) examples per operation,
and a quarter of that (at least 5) for POST /explain, whose counterfactual searches make a valid
request cost tens to hundreds of milliseconds. The coverage phase (schema boundaries and each kind
of wrong value) runs in full for POST /assess; POST /explain and POST /compare take the same
situation, so their coverage keeps only what they add: /explain every boundary-valued valid
request (the explanation code on edge values), /compare every wrong value (its rulebook list).
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from needs_engine.service.app import create_app  # noqa: E402

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
EXPLAIN_EXAMPLES = max(5, EXAMPLES // 4)
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": EXAMPLES},
        "operations": [
            {
                "include-path": "/v1/explain",
                "generation": {"max-examples": EXPLAIN_EXAMPLES},
                "phases": {"coverage": {"generation": {"mode": "positive"}}},
            },
            {"include-path": "/v1/compare", "phases": {"coverage": {"generation": {"mode": "negative"}}}},
        ],
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(), config=CONFIG)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_keeps_to_its_schema(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        checks=[not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
    )
