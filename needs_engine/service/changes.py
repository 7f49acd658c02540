"""`POST /v1/what-if` and `POST /v1/review`: the CLI's what-if and review over JSON.

Each route calls the library function (`needs_engine.what_if`, `needs_engine.review`) that
`needs what-if` and `needs review` call, and returns its model as JSON, so the body is what
`--format json` prints. Both assess two situations, never more, so they need no budget.
"""

from __future__ import annotations

from typing import Annotated, Optional

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from ..errors import InputError
from ..model.situation import Identifier, Situation
from ..workflows.functions import ChangeValue, review, what_if
from ..workflows.review import Review
from ..workflows.whatif import WhatIf
from .explanations import in_request_terms
from .rulebooks import shipped_rulebook
from .wire import RULEBOOK_ID, Wire

MAX_CHANGES = 40
"""Changes one what-if request may make (a situation has far fewer facts a person would vary at once)."""
FactPath = Annotated[str, StringConstraints(min_length=3, max_length=200)]


class WhatIfRequest(Wire):
    """A situation, the facts to change in it, and under which rulebook to compare the two."""

    situation: Situation = Field(description="The household as it is.")
    changes: dict[FactPath, ChangeValue] = Field(
        min_length=1,
        max_length=MAX_CHANGES,
        description="Fact path, as `needs what-if --set` writes it (children.<id>.…, carers.<id>.…, home.…, "
        "strengths.…), → its new value; null or 'unknown' makes the fact unknown.",
        examples=[{"children.c1.education.attendance_percent": 97, "carers.m.mental_health": "unknown"}],
    )
    rulebook: str = Field(default="knowsley", pattern=RULEBOOK_ID, description="A shipped rulebook id (see GET /v1/rulebooks).")
    child: Optional[Identifier] = Field(default=None, description="Show only the child with this id (default: every child).")


class ReviewRequest(Wire):
    """One family at two dates, and the rulebook to review it under."""

    before: Situation = Field(description="The family at the earlier date.")
    after: Situation = Field(description="The family at the later date; children are matched to the earlier date by id.")
    rulebook: str = Field(default="knowsley", pattern=RULEBOOK_ID, description="A shipped rulebook id (see GET /v1/rulebooks).")


def add_change_routes(api: APIRouter) -> None:
    @api.post(
        "/what-if",
        response_model=WhatIf,
        tags=["explain"],
        operation_id="what_if",
        summary="Change some facts and compare",
    )
    def what_if_household(request: WhatIfRequest) -> JSONResponse:
        """The levels before and after changing some facts, and what changed in the reasons: `needs what-if --format json`."""
        book = shipped_rulebook(request.rulebook)
        try:
            result = what_if(request.situation, request.changes, book, child=request.child)
        except InputError as error:
            raise in_request_terms(error, {"--child": "child"}) from None
        return JSONResponse(result.model_dump(mode="json"))

    @api.post(
        "/review",
        response_model=Review,
        tags=["explain"],
        operation_id="review",
        summary="Review a family at two dates",
    )
    def review_family(request: ReviewRequest) -> JSONResponse:
        """Each child steps up, steps down or stays between two dates, and why: `needs review --format json`."""
        result = review(request.before, request.after, shipped_rulebook(request.rulebook))
        return JSONResponse(result.model_dump(mode="json"))
