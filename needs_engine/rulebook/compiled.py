"""A cache of compiled rulebooks, so a fresh `needs` process does not load a rulebook from its YAML again.

Loading a rulebook reads two dozen files, validates them against the schema, parses and checks
every condition, applies the library's overrides and runs the load-time checks; a screener's
`needs assess` paid for all of it in every process (issue 16, section 4). What the load produces
is plain data apart from each condition's closures, and those are derived from the condition's
typed tree (`language/tree.py`), which is data too. So an entry here holds the loaded rulebook
with each condition as its tree, and reading one builds the closures from the trees again.

- Where: the cache folder of `cachedir.cache_dir()` (`NEEDS_ENGINE_CACHE_DIR`, else the user's
  cache folder), in `compiled/`; `NEEDS_ENGINE_NO_CACHE=1` turns it off too.
- Keyed by content: a SHA-256 of the bytes and path of every file the rulebook is made from (its
  rules file, its own descriptor files and the library it extends), the engine version, this
  entry format, the pydantic version and the source of the modules that shape a loaded rulebook
  (`rulebook/`, `language/`, `model/`). An edit to any of them makes a new entry.
- Data only: JSON (never pickle or marshal, so reading the cache cannot run code). Schema models
  are stored as their fields and validated again on reading; only the schema classes named in
  `_MODELS` can be built from an entry.
- Never trusted when wrong: an entry that is missing, cut short, altered (its body's SHA-256 is
  in its header), for another key or format, or that does not decode is ignored; the rulebook is
  loaded from its YAML, and the entry written again. A rulebook that does not load is never
  stored (its problems are found, with their lines, each time).
- Written whole (a temporary file, then `os.replace`); at most `MAX_ENTRIES` are kept.

The census mapping (`rulebook/census.py`) is kept the same way, as its own kind of entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, Optional, TypeVar, Union

import pydantic
from pydantic import BaseModel

from .._version import __version__
from ..language.compile import Condition, fast_of, trace_of
from ..language.tree import And, Count, Fact, FlagTest, MemberTest, Node, Not, NumberTest, Or, OrdinalTest, Quantified
from ..model.catalogue import facts_by_root
from ..model.facts import Choices, Ordinal
from ..model.levels import Level
from ..model.tiers import Tier
from . import schema
from .book import Rulebook
from .cachedir import cache_dir, entry, entry_body, write_entry
from .library import LOCAL, Origin
from .parts import Applicable, Descriptor, Escalation, Mitigation, readers_of
from .tiers import TierMap

FORMAT = 1
"""The layout of an entry; a change of layout changes every key."""
MAX_ENTRIES = 32
SUFFIX = ".json"
FOLDER = "compiled"

_MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        schema.AgeBand,
        schema.CommonDescriptorEntry,
        schema.ConsentGuidance,
        schema.DescriptorCount,
        schema.DescriptorEntry,
        schema.DomainEntry,
        schema.ExclusionEntry,
        schema.LevelEntry,
        schema.NotAConcernEntry,
        schema.OverrideEntry,
        schema.StepDown,
        schema.Urgent,
    )
}
"""The only classes an entry can name: the schema models a loaded rulebook holds."""

_SHAPING_PACKAGES = ("rulebook", "language", "model")
"""The engine's packages whose code decides what a loaded rulebook holds."""


class Unstorable(Exception):
    """Something in a rulebook this format cannot hold exactly; the rulebook is then not stored."""


# --- the key ------------------------------------------------------------------------------------


@cache
def engine_fingerprint() -> bytes:
    """What a compiled rulebook depends on besides its files: versions and the shaping code."""
    digest = hashlib.sha256(f"needs-engine {__version__} compiled {FORMAT} pydantic {pydantic.VERSION}\0".encode())
    package = Path(__file__).resolve().parent.parent
    for name in _SHAPING_PACKAGES:
        for source in sorted((package / name).glob("*.py")):
            digest.update(source.name.encode() + b"\0")
            try:
                digest.update(source.read_bytes())
            except OSError:
                digest.update(b"unreadable")
    return digest.digest()


def entry_key(files: Iterable[str]) -> Optional[str]:
    """The entry name for a rulebook made from `files` (its rules file and descriptor folder, then
    every file it reads, in the loader's order; a first item that is no path names the kind of
    entry), or None when a file cannot be read (the loader
    then reports it)."""
    digest = hashlib.sha256(engine_fingerprint())
    for name in files:
        if "\0" in name:
            digest.update(f"{name}\0".encode())
            continue
        if os.path.isdir(name) or not os.path.lexists(name):  # the descriptor folder, or a rulebook with none
            digest.update(f"{name}\0{'folder' if os.path.isdir(name) else 'missing'}\0".encode())
            continue
        try:
            raw = Path(name).read_bytes()
        except OSError:
            return None
        digest.update(f"{name}\0{len(raw)}\0".encode())
        digest.update(raw)
    return digest.hexdigest()


def cached_rulebook(files: list[str], build: Callable[[], Rulebook]) -> Rulebook:
    """The rulebook made from `files`: from its cache entry when there is a sound one, else `build()`
    (which raises RulebookError for a rulebook that does not load), stored for the next process."""
    return cached("rulebook", files, build, encode_rulebook, decode_rulebook)


T = TypeVar("T")


def cached(kind: str, files: list[str], build: Callable[[], T], encode: Callable[[T], Any], decode: Callable[[Any], T]) -> T:
    """What `build()` makes from `files`, from a sound cache entry of this `kind` or built and stored.

    `encode` turns the result into JSON data (raising Unstorable for what it cannot hold
    exactly) and `decode` turns that data back (raising on anything else)."""
    folder = cache_dir()
    key = entry_key([f"{kind}\0{FORMAT}", *files]) if folder is not None else None
    if folder is None or key is None:
        return build()
    found = _load(folder / FOLDER / f"{key}{SUFFIX}", key, decode)
    if found is not None:
        return found[0]
    made = build()
    if entry_key([f"{kind}\0{FORMAT}", *files]) == key:  # a file edited while it loaded: store nothing
        _store(folder / FOLDER, key, lambda: encode(made))
    return made


# --- encoding -----------------------------------------------------------------------------------


def encode_rulebook(book: Rulebook) -> dict[str, Any]:
    """`book` as JSON data; `decode_rulebook` gives back an equal rulebook."""
    return {
        "id": book.id,
        "name": book.name,
        "version": book.version,
        "summary": book.summary,
        "content_hash": book.content_hash,
        "path": book.path,
        "library": book.library,
        "levels": [[level.value, _model(entry)] for level, entry in book.levels.items()],
        "domains": [[name, _model(entry)] for name, entry in book.domains.items()],
        "descriptors": [_descriptor(d) for d in book.descriptors],
        "escalations": [_escalation(e) for e in book.escalations],
        "mitigations": [_mitigation(m) for m in book.mitigations],
        "consent": _model(book.consent),
        "urgent": _model(book.urgent),
        "urgent_condition": encode_condition(book.urgent_condition),
        "sources": [[key, title] for key, title in book.sources.items()],
        "not_a_concern": [_model(entry) for entry in book.not_a_concern],
        "step_down": None if book.step_down is None else _model(book.step_down),
        "needs": [[need, [rung.id for rung in rungs]] for need, rungs in book.needs.items()],
        "thresholds": [[fact, sorted([op, bound] for op, bound in lines)] for fact, lines in book.thresholds.items()],
        "tier_map": [[level.value, [tier.value for tier in tiers]] for level, tiers in book.tier_map.tiers.items()],
        "excluded": [_model(entry) for entry in book.excluded],
        "not_a_concern_at": list(book.not_a_concern_at),
    }


def _model(model: BaseModel) -> dict[str, Any]:
    """A schema model as its class name and the fields it was given (so `model_fields_set` survives)."""
    name = type(model).__name__
    if _MODELS.get(name) is not type(model):
        raise Unstorable(name)
    return {"model": name, "fields": model.model_dump(mode="json", exclude_unset=True)}


def _descriptor(d: Descriptor) -> dict[str, Any]:
    origin = d.origin
    return {
        "id": d.id,
        "level": d.level.value,
        "domain": d.domain,
        "text": d.text,
        "source": d.source,
        "applies": _applicable(d.applies),
        "floor": d.floor,
        "red_flag": d.red_flag,
        "file": d.file,
        "line": d.line,
        "need": d.need,
        "rung": d.rung,
        "never_mitigable": d.never_mitigable,
        "tier": d.tier.value,
        "origin": None
        if origin == LOCAL
        else {
            "common": None if origin.common is None else _model(origin.common),
            "common_at": origin.common_at,
            "override": None if origin.override is None else _model(origin.override),
            "override_at": origin.override_at,
        },
    }


def _escalation(e: Escalation) -> dict[str, Any]:
    return {
        "id": e.id,
        "text": e.text,
        "source": e.source,
        "to": e.to.value,
        "applies": None if e.applies is None else _applicable(e.applies),
        "count": None if e.count is None else _model(e.count),
        "never_mitigable": e.never_mitigable,
        "tier": e.tier.value,
    }


def _mitigation(m: Mitigation) -> dict[str, Any]:
    return {
        "id": m.id,
        "text": m.text,
        "source": m.source,
        "condition": encode_condition(m.condition),
        "lowers_from": sorted(level.value for level in m.lowers_from),
        "lowers": sorted(m.lowers),
    }


def _applicable(applies: Applicable) -> dict[str, Any]:
    return {"condition": encode_condition(applies.condition), "age": None if applies.age is None else _model(applies.age)}


def encode_condition(condition: Condition) -> dict[str, Any]:
    return {"text": condition.text, "tree": encode_tree(condition.tree)}


def encode_tree(node: Node) -> list[Any]:
    """A condition tree as nested lists, its node type first (only the types `check.py` builds)."""
    if isinstance(node, FlagTest):
        return ["flag", _fact(node.subject), node.wanted]
    if isinstance(node, NumberTest):
        return ["number", _fact(node.subject), node.op, _number(node.bound)]
    if isinstance(node, OrdinalTest):
        return ["ordinal", _fact(node.subject), node.op, node.value.value]
    if isinstance(node, MemberTest):
        return ["member", _fact(node.subject), node.op, [v.value for v in node.values]]
    if isinstance(node, (And, Or)):
        return ["and" if isinstance(node, And) else "or", [encode_tree(item) for item in node.items]]
    if isinstance(node, Not):
        return ["not", encode_tree(node.item)]
    if isinstance(node, Quantified):
        return ["quantified", node.binder, node.every, encode_tree(node.body)]
    if isinstance(node, Count):
        return ["count", node.binder, [encode_tree(i) for i in node.items], node.op, _number(node.bound)]
    raise Unstorable(type(node).__name__)


def _fact(fact: Fact) -> list[Any]:
    if facts_by_root()[fact.root].get(fact.path) is not fact.spec:
        raise Unstorable(f"fact {fact.name} is not the catalogue's")
    return [fact.root, list(fact.path)]


def _number(value: Any) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value in (float("inf"), float("-inf")):
        raise Unstorable(repr(value))
    return value


# --- decoding -----------------------------------------------------------------------------------


def decode_rulebook(data: dict[str, Any]) -> Rulebook:
    """The rulebook `encode_rulebook` made `data` from (raises on anything else)."""
    descriptors = tuple(_decode_descriptor(item) for item in data["descriptors"])
    by_id = {descriptor.id: descriptor for descriptor in descriptors}
    escalations = tuple(_decode_escalation(item) for item in data["escalations"])
    readers: list[Union[Descriptor, Escalation]] = [*descriptors, *(e for e in escalations if e.applies is not None)]
    return Rulebook(
        id=check_str(data["id"]),
        name=check_str(data["name"]),
        version=check_str(data["version"]),
        summary=check_str(data["summary"]),
        content_hash=check_str(data["content_hash"]),
        levels={Level(level): _decode_model(entry, schema.LevelEntry) for level, entry in data["levels"]},
        domains={check_str(name): _decode_model(entry, schema.DomainEntry) for name, entry in data["domains"]},
        descriptors=descriptors,
        escalations=escalations,
        mitigations=tuple(_decode_mitigation(item) for item in data["mitigations"]),
        consent=_decode_model(data["consent"], schema.ConsentGuidance),
        urgent=_decode_model(data["urgent"], schema.Urgent),
        urgent_condition=decode_condition(data["urgent_condition"]),
        sources={check_str(key): check_str(title) for key, title in data["sources"]},
        path=check_str(data["path"]),
        by_id=by_id,
        not_a_concern=tuple(_decode_model(entry, schema.NotAConcernEntry) for entry in data["not_a_concern"]),
        step_down=None if data["step_down"] is None else _decode_model(data["step_down"], schema.StepDown),
        needs={check_str(need): tuple(by_id[rung] for rung in rungs) for need, rungs in data["needs"]},
        thresholds={
            check_str(fact): frozenset((check_str(op), _decode_number(bound)) for op, bound in lines)
            for fact, lines in data["thresholds"]
        },
        readers=readers_of(readers),
        tier_map=TierMap({Level(level): tuple(Tier(tier) for tier in tiers) for level, tiers in data["tier_map"]}),
        library=None if data["library"] is None else check_str(data["library"]),
        excluded=tuple(_decode_model(entry, schema.ExclusionEntry) for entry in data["excluded"]),
        not_a_concern_at=tuple(check_str(at) for at in data["not_a_concern_at"]),
    )


def _decode_model(data: dict[str, Any], *expected: type[BaseModel]) -> Any:
    model = _MODELS[data["model"]]
    if expected and model not in expected:
        raise TypeError(f"{model.__name__} where {expected[0].__name__} belongs")
    return model.model_validate(data["fields"])


def _decode_descriptor(data: dict[str, Any]) -> Descriptor:
    origin = data["origin"]
    return Descriptor(
        id=check_str(data["id"]),
        level=Level(data["level"]),
        domain=check_str(data["domain"]),
        text=check_str(data["text"]),
        source=check_str(data["source"]),
        applies=_decode_applicable(data["applies"]),
        floor=_bool(data["floor"]),
        red_flag=_bool(data["red_flag"]),
        file=check_str(data["file"]),
        line=check_int(data["line"]),
        need=check_str(data["need"]),
        rung=check_int(data["rung"]),
        never_mitigable=None if data["never_mitigable"] is None else check_str(data["never_mitigable"]),
        tier=Tier(data["tier"]),
        origin=LOCAL
        if origin is None
        else Origin(
            common=None
            if origin["common"] is None
            else _decode_model(origin["common"], schema.DescriptorEntry, schema.CommonDescriptorEntry),
            common_at=check_str(origin["common_at"]),
            override=None if origin["override"] is None else _decode_model(origin["override"], schema.OverrideEntry),
            override_at=check_str(origin["override_at"]),
        ),
    )


def _decode_escalation(data: dict[str, Any]) -> Escalation:
    return Escalation(
        id=check_str(data["id"]),
        text=check_str(data["text"]),
        source=check_str(data["source"]),
        to=Level(data["to"]),
        applies=None if data["applies"] is None else _decode_applicable(data["applies"]),
        count=None if data["count"] is None else _decode_model(data["count"], schema.DescriptorCount),
        never_mitigable=None if data["never_mitigable"] is None else check_str(data["never_mitigable"]),
        tier=Tier(data["tier"]),
    )


def _decode_mitigation(data: dict[str, Any]) -> Mitigation:
    return Mitigation(
        id=check_str(data["id"]),
        text=check_str(data["text"]),
        source=check_str(data["source"]),
        condition=decode_condition(data["condition"]),
        lowers_from=frozenset(Level(level) for level in data["lowers_from"]),
        lowers=frozenset(check_str(name) for name in data["lowers"]),
    )


def _decode_applicable(data: dict[str, Any]) -> Applicable:
    age = data["age"]
    return Applicable(decode_condition(data["condition"]), None if age is None else _decode_model(age, schema.AgeBand))


def decode_condition(data: dict[str, Any]) -> Condition:
    """A condition from its text and tree, its closures derived from the tree as `compile_condition` derives them."""
    tree = decode_tree(data["tree"])
    return Condition(text=check_str(data["text"]), tree=tree, fast=fast_of(tree), trace=trace_of(tree))


def decode_tree(data: list[Any]) -> Node:
    """The tree `encode_tree` made `data` from."""
    kind = data[0]
    if kind == "flag":
        return FlagTest(_decode_fact(data[1]), _bool(data[2]))
    if kind == "number":
        return NumberTest(_decode_fact(data[1]), check_str(data[2]), _decode_number(data[3]))
    if kind == "ordinal":
        fact = _decode_fact(data[1])
        return OrdinalTest(fact, check_str(data[2]), _graded(fact, data[3]))
    if kind == "member":
        fact = _decode_fact(data[1])
        return MemberTest(fact, data[2], tuple(_choice(fact, value) for value in data[3]))
    if kind in ("and", "or"):
        items = tuple(decode_tree(item) for item in data[1])
        return And(items) if kind == "and" else Or(items)
    if kind == "not":
        return Not(decode_tree(data[1]))
    if kind == "quantified":
        return Quantified(data[1], _bool(data[2]), decode_tree(data[3]))
    if kind == "count":
        return Count(data[1], tuple(decode_tree(item) for item in data[2]), check_str(data[3]), check_int(data[4]))
    raise ValueError(f"node type {kind!r}")


def _decode_fact(data: list[Any]) -> Fact:
    root, path = check_str(data[0]), tuple(check_str(part) for part in data[1])
    return Fact(root, path, facts_by_root()[root][path])


def _graded(fact: Fact, value: Any) -> Ordinal:
    member = _choice(fact, value)
    if not isinstance(member, Ordinal):
        raise TypeError(f"{fact.name} is not graded")
    return member


def _choice(fact: Fact, value: Any) -> Choices:
    choices = fact.spec.choices
    if choices is None:
        raise TypeError(f"{fact.name} has no choices")
    return choices(value)


def _decode_number(value: Any) -> Union[int, float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(repr(value))
    return value


def check_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(repr(value))
    return value


def check_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(repr(value))
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(repr(value))
    return value


# --- entries --------------------------------------------------------------------------------------


def _load(path: Path, key: str, decode: Callable[[Any], T]) -> Optional[tuple[T]]:
    """What the entry at `path` holds, as a one-item tuple, or None when there is no sound one
    (`cachedir.entry_body`) or its body does not decode."""
    body = entry_body(path, FORMAT, key)
    if body is None:
        return None
    try:
        return (decode(json.loads(body)),)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, pydantic.ValidationError):
        return None


def _store(folder: Path, key: str, encoded: Callable[[], Any]) -> None:
    """Write the entry for `key` whole, or not at all (best effort: the cache is never an error)."""
    try:
        body = json.dumps(encoded(), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (Unstorable, ValueError, TypeError, RecursionError):
        return
    write_entry(folder, f"{key}{SUFFIX}", entry(FORMAT, key, body), MAX_ENTRIES)
