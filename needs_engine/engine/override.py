"""Professional judgement (Semantics 9): an override of the computed family level.

Raising needs a reason; lowering needs a reason and a second person and is flagged in every
output. Both levels are kept. A red flag cannot be overridden below Safeguarding: red flags
are the one thing the design says nothing may mitigate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Union

from pydantic import ValidationError

from ..errors import InputError, Problem
from ..model.assessment import Override, OverrideRecord
from ..model.levels import Level


def checked_override(override: Union[Override, Mapping[str, Any]]) -> Override:
    """An Override from its fields, raising InputError (naming `override.<field>`) when one is wrong.

    `Override(...)` itself is a pydantic model and raises pydantic's ValidationError; library
    callers who want needs-engine's InputError everywhere pass the fields as a mapping instead.
    """
    if isinstance(override, Override):
        return override
    if not isinstance(override, Mapping):
        raise InputError(
            [Problem("override", "an override must be a mapping of its fields", found=type(override).__name__, code="shape")]
        )
    try:
        return Override.model_validate(dict(override))
    except ValidationError as exc:
        raise InputError(
            [
                Problem(
                    ".".join(["override", *(str(part) for part in error["loc"])]),
                    error["msg"].lower(),
                    code=error["type"],
                    expected=_OVERRIDE_EXPECTED.get(str(error["loc"][0]) if error["loc"] else ""),
                )
                for error in exc.errors()
            ]
        ) from None


_OVERRIDE_EXPECTED = {
    "level": ", ".join(level.value for level in Level),
    "reason": "a sentence explaining the judgement (3 to 2000 characters)",
    "by": "a role or initials (up to 100 characters)",
    "second_person": "the name or role of the person who agreed the decision (up to 100 characters)",
}


def _same_person(override: Override) -> bool:
    """The one who lowers the level named again as the one who agreed: that is not a second person."""
    if not override.by or not override.second_person:
        return False
    return " ".join(override.by.split()).casefold() == " ".join(override.second_person.split()).casefold()


def apply_override(computed: Level, override: Override, *, red_flag: bool) -> OverrideRecord:
    """Check an override against the computed level and record it, or raise InputError."""
    direction: Literal["up", "down", "same"] = (
        "up" if override.level > computed else "down" if override.level < computed else "same"
    )
    if direction == "down":
        if not override.second_person or not override.second_person.strip() or _same_person(override):
            raise InputError(
                [
                    Problem(
                        "override.second_person",
                        f"lowering the level from {computed.value} to {override.level.value} needs a second person",
                        code="second_person_required",
                        expected="the name or role of the person, other than the one who made it, who agreed the decision",
                    )
                ]
            )
        if red_flag and computed is Level.safeguarding:
            raise InputError(
                [
                    Problem(
                        "override.level",
                        "a red flag has fired: the level cannot be overridden below safeguarding",
                        code="red_flag_floor",
                        found=override.level.value,
                        expected="safeguarding",
                    )
                ]
            )
    return OverrideRecord(
        computed_level=computed,
        final_level=override.level,
        direction=direction,
        reason=override.reason,
        by=override.by,
        second_person=override.second_person,
        flagged=direction == "down",
    )
