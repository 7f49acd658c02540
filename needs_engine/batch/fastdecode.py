"""Decode a JSON Lines household with msgspec, strictly, or say "not sure" and leave it to the model.

The columnar batch (`columnar/`) reads thousands of households a second; pydantic's validation
of each one is most of what a per-record batch costs. Here msgspec structs are derived from the
situation model (`model/situation.py`) field by field, and they are *narrower* than the model:
they accept a line only when the model would accept it with the same values, and refuse
anything else (a rough age, `Unknown` in capitals, `5.0` for a count, a repeated key, a fact that
cannot describe a child of its age, a repeated id). A refused line is not an error here: it goes
through today's per-record path (`screen.py`), which writes exactly the row it always wrote.
So the structs may refuse too much, never too little.

What a struct field accepts, by the model's type:
- a yes/no fact: `true`, `false`, `null` or `"unknown"` (the model's strict bool, unknown as None);
- a whole-number fact: an integer within the model's bounds (the model reads 5.0 as 5: refused here);
- a measure (a float): a number within the bounds, `null` or `"unknown"`;
- an ordinal or a choice: one of its values exactly, `null` or `"unknown"`;
- ids: the model's identifier pattern, ending at the end of the text (`\\Z`, as pydantic's `$`);
- `age_years` and `age_band` are left out, so a child with a rough age is refused.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from functools import cache
from typing import Any, Literal, Optional, Union

import msgspec
from annotated_types import Ge, Le
from pydantic import BaseModel

from ..formats.yamlfile import MAX_NUMBER_CHARS
from ..model.situation import Carer, Child, Situation

_ROUGH_AGES = frozenset({"age_years", "age_band"})
"""Child fields a struct leaves out: a child whose age is a span is evaluated at several ages (per record)."""

_IDENTIFIER = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}\Z"
_STRINGS: dict[str, Any] = {
    "id": typing.Annotated[str, msgspec.Meta(pattern=_IDENTIFIER)],
    "name": Optional[typing.Annotated[str, msgspec.Meta(min_length=1, max_length=100)]],
    "reference": Optional[typing.Annotated[str, msgspec.Meta(max_length=64)]],
}
_LISTS = {"children": (Child, 1, 20), "carers": (Carer, 1, 12)}


class NotCovered(Exception):
    """The model has a field whose type the structs do not mirror: the columnar batch is off."""


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, Ge):
            found["ge"] = item.ge
        elif isinstance(item, Le):
            found["le"] = item.le
    return found


def _value_type(model: type[BaseModel], name: str) -> Any:
    """The msgspec type of one field of `model`, as narrow as the model's or narrower."""
    field = model.model_fields[name]
    if name in _STRINGS:
        return _STRINGS[name]
    if name in _LISTS:
        item, low, high = _LISTS[name]
        return typing.Annotated[list[struct_of(item)], msgspec.Meta(min_length=low, max_length=high)]  # type: ignore[misc]
    annotation = field.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return struct_of(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) not in (Union, types.UnionType) or len(args) != 1:
        raise NotCovered(f"{model.__name__}.{name}: {annotation!r}")
    inner = args[0]
    if typing.get_origin(inner) is typing.Annotated:  # StrictBool, StrictInt, StrictFloat
        inner = typing.get_args(inner)[0]
    unknown = Literal["unknown"]
    if isinstance(inner, type) and issubclass(inner, Enum):
        return Union[Literal[tuple(member.value for member in inner)], None, unknown]
    if inner is bool:
        return Union[bool, None, unknown]
    if inner in (int, float):
        bounds = _bounds(field.metadata)
        number = typing.Annotated[inner, msgspec.Meta(**bounds)] if bounds else inner
        return Union[number, None, unknown]
    raise NotCovered(f"{model.__name__}.{name}: {annotation!r}")


@cache
def struct_of(model: type[BaseModel]) -> type[msgspec.Struct]:
    """The msgspec struct mirroring `model`: a field the model requires is required, a section
    (a struct) left out is one shared empty instance (every field UNSET: its facts unknown, so
    `operator.attrgetter` reads through it in C), every other field defaults to UNSET (so a key
    given can be told from one left out); unknown keys refused.

    `gc=False`: a decoded tree cannot hold a cycle, and a chunk's thousands of structs tracked by
    the cycle collector made it run over and over while decoding (a decode took 40 µs, not 22).
    `frozen`: msgspec shares a default instance only if it cannot change. `omit_defaults`: the
    encoder leaves out what was left out (UNSET, and the empty instance by identity; a section
    written `{}` is written again), as `decode`'s count of quotes needs."""
    fields: list[Any] = []
    for name, field in model.model_fields.items():
        if model is Child and name in _ROUGH_AGES:
            continue
        kind = _value_type(model, name)
        if field.is_required():
            fields.append((name, kind))
        elif isinstance(kind, type) and issubclass(kind, msgspec.Struct):
            fields.append((name, kind, kind()))
        else:
            fields.append((name, Union[kind, msgspec.UnsetType], msgspec.UNSET))
    return msgspec.defstruct(
        f"Fast{model.__name__}", fields, forbid_unknown_fields=True, kw_only=True, gc=False, frozen=True, omit_defaults=True
    )


@cache
def situation_decoder() -> msgspec.json.Decoder[Any]:
    """The strict decoder of a whole line (`{"household": {...}}`)."""
    return msgspec.json.Decoder(struct_of(Situation), strict=True)


_NUMBER_CHARS = bytes.maketrans(b"-+.eE0123456789", b"#" * 15)
_LONG_NUMBER = b"#" * (MAX_NUMBER_CHARS + 1)
"""A run of number characters longer than the per-record reader reads (`yamlfile.MAX_NUMBER_CHARS`):
its line is left to it (found with `bytes.translate`, a tenth of a regular expression's time)."""
_ENCODER = msgspec.json.Encoder()
_ENCODED = bytearray()
"""One buffer the decoded tree is encoded into again (no new bytes object a line)."""


def decode(raw: bytes) -> Any:
    """The decoded struct tree of a line, or None when msgspec refuses it or cannot be sure it
    holds no repeated key (then the per-record path reads it and writes its row).

    A repeated key is found by counting quotes. A line with a backslash (an escape, in a key or
    a string) is left to the per-record path, so every quote in the line opens or closes a
    string: the line has two for each key and each string value it holds. The decoded tree,
    encoded again, has two for each key it kept (what was left out is not written) and each
    string value it kept, and no others: its strings are the line's, which hold no quote or
    backslash, and strict decoding keeps a string a string and anything else not a string. A
    repeated key is one key more in the line than in the tree: equal counts mean none.
    (Counting `":` instead, as this did before, missed a repeated key beside a name written
    `"a\\"\\u003a"`: the name, encoded again, gained the `":` the key had lost.)
    """
    if b"\\" in raw:
        return None
    try:
        document = situation_decoder().decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if _LONG_NUMBER in raw.translate(_NUMBER_CHARS):
        return None
    encoded = _ENCODED
    _ENCODER.encode_into(document, encoded)  # the buffer is cut to what is written
    if raw.count(b'"') != encoded.count(b'"'):
        return None
    return document
