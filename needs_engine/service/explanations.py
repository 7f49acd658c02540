"""`POST /explain` and `POST /compare`: the CLI's explanation and comparison over JSON.

Each route calls the same library function as `needs explain` and `needs compare` and returns its
model dumped as JSON, so the body is exactly what `--format json` prints. The library names a bad
option as the CLI spells it (`--child`, `--rulebook`); here it is renamed to the request field.

The work per request is bounded: at most 20 children (the situation model's limit), two
counterfactual searches per child of at most `max_changes` facts (1-3 here; the CLI allows 4),
and `REQUEST_BUDGET` combinations for the whole request, shared between the searches (each stops
there and says so). At most `MAX_CONCURRENT_EXPLANATIONS` explanations run at once; another gets
503 with `Retry-After`, so explanations cannot crowd out `/assess`.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Annotated, Optional

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints
from starlette.exceptions import HTTPException

from ..errors import InputError
from ..explain.counterfactual import BUDGET, MAX_CHANGES
from ..explain.results import Explanation
from ..model.situation import Identifier, Situation
from ..rulebook.book import Rulebook
from ..workflows.compare import Comparison
from .rulebooks import shipped_rulebook
from .wire import RULEBOOK_ID, Wire

RulebookId = Annotated[str, StringConstraints(pattern=RULEBOOK_ID)]
MAX_RULEBOOKS = 16
REQUEST_BUDGET = 12_000
"""Combinations one /explain request may evaluate in all (the CLI's is BUDGET per search)."""
MIN_SEARCH_BUDGET = 150
MAX_CONCURRENT_EXPLANATIONS = 2
"""One per core: more would only queue inside the process and slow every other request."""
RETRY_AFTER_SECONDS = 2
_EXPLAINING = threading.BoundedSemaphore(MAX_CONCURRENT_EXPLANATIONS)


def search_budget(children: int, *, searches: int = 2) -> int:
    """Each counterfactual search's share of the request's budget (`searches` per child: down and up,
    and one more when a target is asked for)."""
    return max(MIN_SEARCH_BUDGET, min(BUDGET, REQUEST_BUDGET // (searches * max(children, 1))))


class ExplainRequest(Wire):
    """What to explain, under which rulebook, for which child, and how far to search."""

    situation: Situation
    rulebook: RulebookId = Field(default="knowsley", description="A shipped rulebook id (see GET /v1/rulebooks).")
    child: Optional[Identifier] = Field(default=None, description="Explain only the child with this id (default: every child).")
    max_changes: int = Field(
        default=MAX_CHANGES,
        ge=1,
        le=MAX_CHANGES,
        description=f"Largest set of fact changes the counterfactual search tries; the request stops after "
        f"{REQUEST_BUDGET:,} combinations in all.",
    )
    target: Optional[str] = Field(
        default=None,
        max_length=40,
        description="Also find, for each child, the smallest sets of fact changes that bring it to this level, "
        "up or down: a level id (`safeguarding`), the rulebook's label, or 1-4 (`needs explain --target`).",
        examples=["safeguarding"],
    )


class CompareRequest(Wire):
    """A situation and the shipped rulebooks to place it under."""

    situation: Situation
    rulebooks: Optional[list[RulebookId]] = Field(
        default=None,
        min_length=1,
        max_length=MAX_RULEBOOKS,
        description="Shipped rulebook ids, each once (see GET /v1/rulebooks); default every shipped rulebook.",
    )


def in_request_terms(error: InputError, fields: dict[str, str]) -> InputError:
    """The same error with each CLI option name (`--child`) replaced by the request field it came from."""
    return InputError([replace(p, loc=fields.get(p.loc, p.loc)) for p in error.problems], source=error.source)


def _rulebooks(ids: list[str]) -> list[Rulebook]:
    """The shipped rulebooks named, or one InputError naming every unknown id by its position."""
    books, problems = [], []
    for position, rulebook_id in enumerate(ids):
        try:
            books.append(shipped_rulebook(rulebook_id, field=f"rulebooks.{position}"))
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    return books


def add_explanation_routes(api: APIRouter) -> None:
    @api.post(
        "/explain",
        response_model=Explanation,
        tags=["explain"],
        operation_id="explain",
        summary="Explain each child's level",
    )
    def explain_household(request: ExplainRequest) -> JSONResponse:
        """Why each child is at their level, near misses and counterfactuals: `needs explain --format json`."""
        from ..explain.why import explain

        book = shipped_rulebook(request.rulebook)
        if not _EXPLAINING.acquire(blocking=False):
            raise HTTPException(
                503,
                f"{MAX_CONCURRENT_EXPLANATIONS} explanations are already running; try again shortly",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        try:
            children = 1 if request.child is not None else len(request.situation.household.children)
            result = explain(
                request.situation,
                book,
                child=request.child,
                max_changes=request.max_changes,
                budget=search_budget(children, searches=2 if request.target is None else 3),
                target=request.target,
            )
        except InputError as error:
            raise in_request_terms(error, {"--child": "child", "--target": "target"}) from None
        finally:
            _EXPLAINING.release()
        return JSONResponse(result.model_dump(mode="json"))

    @api.post(
        "/compare",
        response_model=Comparison,
        tags=["compare"],
        operation_id="compare",
        summary="Compare rulebooks on one household",
    )
    def compare_household(request: CompareRequest) -> JSONResponse:
        """One situation under several shipped rulebooks, side by side: `needs compare --format json`."""
        from ..workflows.compare import compare

        books = _rulebooks(request.rulebooks) if request.rulebooks is not None else ()
        try:
            comparison, _ = compare(request.situation, books)
        except InputError as error:
            raise in_request_terms(error, {"--rulebook": "rulebooks"}) from None
        return JSONResponse(comparison.model_dump(mode="json"))
