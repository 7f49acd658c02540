"""What keys a place in the situation accepts, for "unknown field" messages."""

from __future__ import annotations

import typing
from typing import Any, Optional

from pydantic import BaseModel

from .catalogue import _inner_type
from .situation import Situation


def _model_at(loc: tuple[Any, ...]) -> Optional[type[BaseModel]]:
    model: Any = Situation
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        inner = _inner_type(model.model_fields[part].annotation)
        if typing.get_origin(inner) is list:
            inner = typing.get_args(inner)[0]
        model = inner
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def allowed_keys(loc: tuple[Any, ...]) -> Optional[str]:
    """The fields allowed beside the unknown key at `loc`, with the closest first if any."""
    import difflib

    parent = _model_at(loc[:-1])
    if parent is None:
        return None
    names = list(parent.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    listing = ", ".join(names)
    return f"'{close[0]}' (allowed here: {listing})" if close else f"one of: {listing}"
