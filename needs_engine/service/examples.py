"""The OpenAPI document's examples: each operation's request built from a file in `examples/`,
and its response made by running the engine on that request, so neither can drift from the code.

Made once, when the OpenAPI document is first asked for (never on a request's path). The
examples folder ships with the package; in a checkout it is the top-level `examples/`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

from ..formats.yamlfile import plain_document, read_file
from ..rulebook.load import content_roots
from .rulebooks import loaded_rulebooks, rulebook_info

SEPARATION = "early-help-separation-school-attendance.yaml"
"""The example docs/embedding.md quotes: a 9-year-old (c1) whose attendance fell to 86%."""
TWO_CHILDREN = "targeted-multiple-needs-housing-debt-absence.yaml"
"""Two children whose levels differ between the shipped rulebooks."""
BETTER_ATTENDANCE = {"children.c1.education.attendance_percent": 97}


def examples_folder() -> Optional[Path]:
    for root in content_roots():
        if (root / "examples").is_dir():
            return root / "examples"
    return None


def example(name: str) -> dict[str, Any]:
    """The situation in `examples/<name>`, as a JSON body carries it."""
    folder = examples_folder()
    if folder is None:
        raise FileNotFoundError("no examples/ folder beside the rulebooks")
    return copy.deepcopy(plain_document(read_file(folder / name)))


def _with_attendance(situation: dict[str, Any], percent: int) -> dict[str, Any]:
    later = copy.deepcopy(situation)
    later["household"]["children"][0]["education"]["attendance_percent"] = percent
    return later


def request_examples() -> dict[str, tuple[str, dict[str, Any]]]:
    """Operation id → (summary, request body) for every operation that takes a body."""
    separation, two = example(SEPARATION), example(TWO_CHILDREN)
    return {
        "assess": (f"examples/{SEPARATION}", {"situation": separation, "rulebook": "knowsley"}),
        "explain": (f"examples/{SEPARATION}, child c1", {"situation": separation, "child": "c1", "max_changes": 2}),
        "compare": (
            f"examples/{TWO_CHILDREN} under both shipped rulebooks",
            {"situation": two, "rulebooks": ["knowsley", "st-helens"]},
        ),
        "what_if": (
            f"examples/{SEPARATION}: what if attendance were 97%?",
            {"situation": separation, "changes": dict(BETTER_ATTENDANCE)},
        ),
        "review": (
            f"examples/{SEPARATION} before, and with attendance back to 97% at the review",
            {"before": separation, "after": _with_attendance(separation, 97)},
        ),
    }


def response_example(operation_id: str, body: Optional[dict[str, Any]]) -> Any:
    """What the service answers to the example request (or to the GET), made by the library."""
    return _RESPONSES[operation_id](body or {})


def _assess(body: dict[str, Any]) -> Any:
    from ..engine.assess import assess

    return assess(body["situation"], body.get("rulebook", "knowsley")).model_dump(mode="json")


def _explain(body: dict[str, Any]) -> Any:
    from ..explain.why import explain

    return explain(body["situation"], child=body.get("child"), max_changes=body["max_changes"]).model_dump(mode="json")


def _compare(body: dict[str, Any]) -> Any:
    from ..workflows.functions import compare

    return compare(body["situation"], body["rulebooks"]).model_dump(mode="json")


def _what_if(body: dict[str, Any]) -> Any:
    from ..workflows.functions import what_if

    return what_if(body["situation"], body["changes"]).model_dump(mode="json")


def _review(body: dict[str, Any]) -> Any:
    from ..workflows.functions import review

    return review(body["before"], body["after"]).model_dump(mode="json")


def _rulebooks(body: dict[str, Any]) -> Any:
    return [rulebook_info(book).model_dump(mode="json") for book in loaded_rulebooks().values()]


def _descriptors(body: dict[str, Any]) -> Any:
    book = loaded_rulebooks()["knowsley"]
    return [
        {"id": d.id, "level": d.level.value, "domain": d.domain, "text": d.text, "source": d.source} for d in book.descriptors[:3]
    ]


def _schema(body: dict[str, Any]) -> Any:
    from ..model.situation import Situation

    schema = Situation.model_json_schema()
    return {key: value for key, value in schema.items() if key != "$defs"}


def _health(body: dict[str, Any]) -> Any:
    from .._version import __version__

    return {"status": "ok", "engine_version": __version__}


_RESPONSES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "assess": _assess,
    "explain": _explain,
    "compare": _compare,
    "what_if": _what_if,
    "review": _review,
    "list_rulebooks": _rulebooks,
    "list_descriptors": _descriptors,
    "situation_schema": _schema,
    "health": _health,
}
RESPONSE_NOTES = {
    "list_descriptors": "The first three descriptors of knowsley (GET /v1/rulebooks/knowsley/descriptors).",
    "situation_schema": "The top of the schema; its `$defs` are the `Situation` schemas in this document.",
}


def add_examples(document: dict[str, Any]) -> None:
    """Put each operation's request example and response example into the OpenAPI `document`."""
    if examples_folder() is None:
        return  # an install without examples/ (it ships in the wheel): the document is still complete
    requests = request_examples()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation_id = operation.get("operationId")
            if operation_id not in _RESPONSES:
                continue
            summary, body = requests.get(operation_id, (RESPONSE_NOTES.get(operation_id, "The shipped rulebooks."), None))
            if body is not None:
                content = operation["requestBody"]["content"]["application/json"]
                content["examples"] = {operation_id: {"summary": summary, "value": body}}
            answer = operation["responses"]["200"].setdefault("content", {}).setdefault("application/json", {})
            answer["examples"] = {operation_id: {"summary": summary, "value": response_example(operation_id, body)}}
