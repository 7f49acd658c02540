"""Screen one record: validate it as a situation and place it, or say exactly what is wrong.

Every record gives exactly one row: a result (levels per child and for the family, fired
descriptor ids) or an error naming the line and the field, with the same messages `needs
assess` gives. This is the work the batch's worker processes do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from pydantic import ValidationError

from ..engine.evaluate import ChildScreening, screen_household
from ..formats.validation import problems_from_validation
from ..formats.yamlfile import YAMLProblem, parse_bytes
from ..model.levels import Level
from ..model.situation import Situation
from ..model.tiers import Tier
from ..rulebook.book import Rulebook
from .columns import Columns
from .reader import Record


@dataclass(frozen=True)
class Row:
    """The outcome for one input record: `children` for a result, `error` (and `field`) otherwise."""

    line: int
    reference: Optional[str] = None
    children: tuple[ChildScreening, ...] = ()
    error: Optional[str] = None
    field: Optional[str] = None

    @property
    def level(self) -> Optional[Level]:
        return max((c.level for c in self.children), default=None)

    @property
    def possible_level(self) -> Optional[Level]:
        return max((c.possible_level for c in self.children), default=None)

    @property
    def tier(self) -> Optional[Tier]:
        """The family's tier: the highest child tier (a batch applies no override, so it lies in the family level)."""
        return max((c.tier for c in self.children), default=None)


def screen_record(record: Record, rulebook: Rulebook, columns: Optional[Columns]) -> Row:
    """The row for one record."""
    if record.problem is not None:
        return Row(record.line, error=record.problem)
    positions: dict[str, list[int]] = {}
    if isinstance(record.data, list):
        assert columns is not None
        if not any(cell.strip() for cell in record.data):
            return Row(record.line, error="the row is empty", field=None)
        try:
            document, positions = columns.document(record.data)
        except ValueError as exc:
            return Row(record.line, error=str(exc))
    else:
        text = record.data.strip()
        if not text:
            return Row(record.line, error="the line is empty; expected a JSON object with a 'household' key")
        try:
            document = parse_bytes(text, where="", syntax="json")
        except YAMLProblem as exc:
            return Row(record.line, error=exc.problem.msg, field=exc.field)
        if not isinstance(document, dict):
            return Row(record.line, error=f"expected a JSON object with a 'household' key, found {type(document).__name__}")
    reference = _reference(document)
    try:
        situation = Situation.model_validate(document)
    except ValidationError as exc:
        problems = problems_from_validation(exc)
        first = tuple(exc.errors()[0]["loc"])
        return Row(
            record.line,
            reference=reference,
            error="; ".join(str(problem) for problem in problems),
            field=_field_name(first, document, positions),
        )
    return Row(record.line, reference=reference, children=tuple(screen_household(situation.household, rulebook)))


def _reference(document: dict[str, Any]) -> Optional[str]:
    household = document.get("household")
    reference = household.get("reference") if isinstance(household, dict) else None
    return reference if isinstance(reference, str) and len(reference) <= 64 else None


def _field_name(loc: tuple[Any, ...], document: dict[str, Any], positions: dict[str, list[int]]) -> Optional[str]:
    """The dotted field (or CSV column) of a validation error, numbered as the input numbers it.

    Error locations count children and carers in input order (the model sorts them by id only
    after validating); for CSV input this maps the list index to the column number.
    """
    if not loc:
        return None
    parts = list(loc)
    if len(parts) >= 3 and parts[0] == "household" and parts[1] in ("children", "carers") and isinstance(parts[2], int):
        numbering = positions.get(str(parts[1]))
        if numbering and parts[2] < len(numbering):
            parts[2] = numbering[parts[2]]
    return ".".join(str(part) for part in parts)
