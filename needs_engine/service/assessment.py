"""`POST /assess` and the reference routes (`/rulebooks`, a rulebook's descriptors, the
situation's schema, `/health`): the library's assessment and what a caller needs to build a request.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import Field, model_validator
from starlette.exceptions import HTTPException

from .._version import __version__
from ..model.assessment import Assessment, Override
from ..model.situation import Situation
from ..workflows.records import DecisionRecord, make_record
from .rulebooks import find_rulebook, loaded_rulebooks, rulebook_info, shipped_rulebook
from .wire import RULEBOOK_ID, DescriptorInfo, RulebookInfo, Wire


class AssessRequest(Wire):
    """What to assess, under which rulebook, and what to return besides the assessment."""

    situation: Situation
    rulebook: str = Field(default="knowsley", pattern=RULEBOOK_ID, description="A shipped rulebook id (see GET /v1/rulebooks).")
    override: Optional[Override] = Field(default=None, description="Professional judgement: the level to use instead.")
    record: bool = Field(default=False, description="Also return a decision record under 'record'.")
    include_input: bool = Field(default=False, description="Keep the situation in the decision record (needs record: true).")

    @model_validator(mode="after")
    def _input_goes_with_record(self) -> AssessRequest:
        if self.include_input and not self.record:
            raise ValueError("include_input needs record: true")
        return self


class AssessResponse(Assessment):
    """The assessment, exactly as the library gives it, plus the decision record when asked for."""

    record: Optional[DecisionRecord] = Field(default=None, description="Present only when the request had record: true.")


class ServiceHealth(Wire):
    """The service's liveness and the engine version it runs."""

    status: str
    engine_version: str


def add_assessment_routes(api: APIRouter) -> None:
    @api.post(
        "/assess",
        response_model=AssessResponse,
        tags=["assess"],
        operation_id="assess",
        summary="Assess one household",
    )
    def assess_household(request: AssessRequest) -> JSONResponse:
        """Assess one household: the same assessment JSON the library and `needs assess --format json` give."""
        from ..engine.assess import assess

        assessment = assess(request.situation, shipped_rulebook(request.rulebook), override=request.override)
        body = assessment.model_dump(mode="json")
        if request.record:
            record = make_record(request.situation, assessment, include_input=request.include_input)
            body["record"] = record.model_dump(mode="json")
        return JSONResponse(body)

    @api.get(
        "/rulebooks",
        response_model=list[RulebookInfo],
        tags=["rulebooks"],
        operation_id="list_rulebooks",
        summary="List the shipped rulebooks",
    )
    def rulebooks() -> list[RulebookInfo]:
        """The shipped rulebooks: id, name, version, content hash and level labels."""
        return [rulebook_info(book) for book in loaded_rulebooks().values()]

    @api.get(
        "/rulebooks/{rulebook_id}/descriptors",
        response_model=list[DescriptorInfo],
        tags=["rulebooks"],
        operation_id="list_descriptors",
        summary="List a rulebook's descriptors",
    )
    def descriptors(rulebook_id: str = Path(max_length=64, description="A shipped rulebook id.")) -> list[DescriptorInfo]:
        """Every descriptor of a rulebook: id, level, tier, domain, text, source and origin."""
        book = find_rulebook(rulebook_id)
        if book is None:
            raise HTTPException(404, f"no shipped rulebook called '{rulebook_id[:64]}'; see GET /rulebooks")
        return [
            DescriptorInfo(
                id=d.id, level=d.level, tier=d.tier, domain=d.domain, text=d.text, source=d.source, origin=d.origin.kind
            )
            for d in book.descriptors
        ]

    @api.get(
        "/schema/situation",
        response_model=dict[str, Any],
        tags=["schema"],
        operation_id="situation_schema",
        summary="The JSON Schema of a situation",
    )
    def situation_schema() -> dict[str, Any]:
        """The JSON Schema of a situation: every fact, its values and their definitions."""
        return Situation.model_json_schema()

    @api.get("/health", response_model=ServiceHealth, tags=["health"], operation_id="health", summary="Liveness")
    def health() -> ServiceHealth:
        """Liveness: the service is up."""
        return ServiceHealth(status="ok", engine_version=__version__)
