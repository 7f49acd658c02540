"""The service's wire models that more than one group of routes shares: the base every request
and response model extends, the rulebook id a request may name, and the problem document.

Kept apart from `app.py` so a route module can use them without importing the application that
composes it.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from ..model.glossary import describe
from ..model.levels import Level
from ..model.tiers import Tier

RULEBOOK_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"


class Wire(BaseModel):
    """A model that refuses unknown fields and describes each field from the glossary."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=describe)


class LevelInfo(Wire):
    level: Level
    label: str
    name: Optional[str] = None
    tiers: list[Tier] = Field(description="The response tiers the level covers in this rulebook, lowest first.")


class RulebookInfo(Wire):
    id: str
    name: str
    version: str
    content_hash: str
    levels: list[LevelInfo]
    library: Optional[str] = Field(default=None, description="The common library it extends, as '<id> <version>'.")


class DescriptorInfo(Wire):
    id: str
    level: Level
    tier: Tier = Field(description="The response tier it calls for in this rulebook.")
    domain: str
    text: str
    source: str
    origin: Literal["common", "overridden", "local"] = Field(
        description="The common library as written, the library changed by this rulebook's override, or the rulebook's own."
    )


class FieldError(Wire):
    field: str = Field(description="Dotted path of the field in the request, e.g. situation.household.children.0.age_months.")
    message: str
    expected: Optional[str] = None
    code: str


class ProblemDetails(Wire):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] = Field(default_factory=list)
