"""Issue 16, section 4: the cache of compiled rulebooks (needs_engine/rulebook/compiled.py).

A rulebook taken from the cache is the rulebook loaded from its YAML: every field of every
descriptor, escalation, mitigation, threshold table, level, domain and guidance entry compares
equal (conditions by their text and tree, since their closures are derived from the tree), and
every shipped example is assessed to the same JSON, byte for byte. An edited file (the
rulebook's or its library's) or another engine makes a new entry; a corrupt or mismatched entry
is loaded again from the YAML and rewritten, never trusted. Every test has a cache of its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from needs_engine import assess
from needs_engine.errors import RulebookError
from needs_engine.language.compile import Condition
from needs_engine.rulebook import compiled, load
from needs_engine.rulebook.book import Rulebook
from needs_engine.rulebook.load import _Loader, load_rulebook, locate, shipped_rulebooks
from tests.authoring.conftest import copy_rulebook, edit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p for p in sorted((ROOT / "examples").glob("*.yaml")) if p.name != "expected.yaml"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEEDS_ENGINE_CACHE_DIR", str(folder))
    monkeypatch.delenv("NEEDS_ENGINE_NO_CACHE", raising=False)
    load._load_cached.cache_clear()
    yield folder / compiled.FOLDER
    load._load_cached.cache_clear()


def from_yaml(name_or_path: str | Path) -> Rulebook:
    """The rulebook loaded from its YAML, whatever any cache holds."""
    return _Loader(*(p.resolve() for p in locate(name_or_path))).load()


def load_again(name_or_path: str | Path) -> Rulebook:
    """`load_rulebook` as a fresh process calls it (the per-process memory forgotten)."""
    load._load_cached.cache_clear()
    return load_rulebook(name_or_path)


def count_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the loads from YAML from now on."""
    built: list[int] = []
    real = _Loader.load

    def counted(self: _Loader) -> Rulebook:
        built.append(1)
        return real(self)

    monkeypatch.setattr(_Loader, "load", counted)
    return built


def comparable(value: Any, path: str = "rulebook") -> Any:
    """`value` as plain data holding everything that makes it what it is: every dataclass field
    (those left out of `==` too, such as a descriptor's origin), a schema model's class, fields and
    the fields it was given, a condition's text and tree. Anything else callable is an error: a
    rulebook must hold nothing the comparison cannot see."""
    if isinstance(value, Condition):
        return ("condition", value.text, value.tree)
    if isinstance(value, BaseModel):
        return (type(value).__name__, value.model_dump(), sorted(value.model_fields_set))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        skip = {"tables", "derived"} if isinstance(value, Rulebook) else set()
        return (
            type(value).__name__,
            {
                f.name: comparable(getattr(value, f.name), f"{path}.{f.name}")
                for f in dataclasses.fields(value)
                if f.name not in skip
            },
        )
    if isinstance(value, dict):
        return ("dict", [(comparable(k, path), comparable(v, f"{path}[{k!r}]")) for k, v in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [comparable(item, f"{path}[{i}]") for i, item in enumerate(value)])
    if isinstance(value, (set, frozenset)):
        return ("set", sorted((comparable(item, path) for item in value), key=repr))
    if isinstance(value, Enum):
        return (type(value).__name__, value.value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return (type(value).__name__, value)
    raise AssertionError(f"{path}: a {type(value).__name__} the comparison cannot see into")


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_a_cached_rulebook_equals_the_one_loaded_from_yaml(name: str, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = from_yaml(name)
    load_again(name)  # fills the cache
    built = count_builds(monkeypatch)
    cached = load_again(name)
    assert built == []  # it did come from the cache
    assert len(list(cache.glob("*.json"))) == 1
    assert comparable(cached) == comparable(expected)
    # Piece by piece as well, so a failure says which table differs.
    for table in ("levels", "domains", "sources", "thresholds", "needs", "readers", "tier_map", "not_a_concern", "excluded"):
        assert comparable(getattr(cached, table)) == comparable(getattr(expected, table)), table
    for kind in ("descriptors", "escalations", "mitigations"):
        assert [comparable(item) for item in getattr(cached, kind)] == [comparable(item) for item in getattr(expected, kind)], (
            kind
        )
    assert [d.origin for d in cached.descriptors] == [d.origin for d in expected.descriptors]
    assert cached.content_hash == expected.content_hash
    assert cached.tables.__dict__.keys() == expected.tables.__dict__.keys()


def test_the_comparison_can_fail() -> None:
    """The check above is not vacuous: one changed line, origin or condition is seen."""
    book = from_yaml("knowsley")
    first = book.descriptors[0]
    other = book.descriptors[1]
    for changed in (
        dataclasses.replace(first, line=first.line + 1),
        dataclasses.replace(first, origin=other.origin if other.origin != first.origin else load.LOCAL),
        dataclasses.replace(first, applies=other.applies),
    ):
        assert comparable(dataclasses.replace(book, descriptors=(changed, *book.descriptors[1:]))) != comparable(book)


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_encoding_round_trips_through_json_text(name: str) -> None:
    book = from_yaml(name)
    text = json.dumps(compiled.encode_rulebook(book), allow_nan=False)
    assert comparable(compiled.decode_rulebook(json.loads(text))) == comparable(book)


def test_every_example_is_assessed_to_the_same_json_from_the_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from needs_engine.formats.inputs import read_situation

    for name in shipped_rulebooks():
        load_again(name)
    built = count_builds(monkeypatch)
    for name in shipped_rulebooks():
        cached, expected = load_again(name), from_yaml(name)
        for example in EXAMPLES:
            situation = read_situation(example)
            assert assess(situation, cached).model_dump_json() == assess(situation, expected).model_dump_json(), (
                name,
                example.name,
            )
    assert len(built) == len(shipped_rulebooks())  # one from_yaml per rulebook; load_again took none


def _entry(cache: Path) -> Path:
    (entry,) = cache.glob("*.json")
    return entry


def _rewrite_body(entry: Path, change: Any) -> None:
    """Change the entry's body and give it a matching checksum, as a mistaken writer would."""
    head, body = entry.read_bytes().split(b"\n", 1)
    data = change(json.loads(body))
    body = json.dumps(data).encode()
    header = json.loads(head) | {"body": hashlib.sha256(body).hexdigest()}
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)


def _corrupt(kind: str, entry: Path) -> None:
    raw = entry.read_bytes()
    if kind == "cut short":
        entry.write_bytes(raw[: len(raw) // 2])
    elif kind == "altered":
        entry.write_bytes(raw.replace(b'"line":', b'"line":1', 1))
    elif kind == "not JSON":
        entry.write_bytes(b"\x00\xff not json")
    elif kind == "another key":
        head, body = raw.split(b"\n", 1)
        entry.write_bytes(json.dumps(json.loads(head) | {"key": "0" * 64}).encode() + b"\n" + body)
    elif kind == "another format":
        head, body = raw.split(b"\n", 1)
        entry.write_bytes(json.dumps(json.loads(head) | {"format": compiled.FORMAT + 1}).encode() + b"\n" + body)
    elif kind == "a class it may not name":
        _rewrite_body(entry, lambda data: data | {"consent": {"model": "BaseModel", "fields": {}}})
    elif kind == "a fact that does not exist":

        def unknown_fact(data: dict[str, Any]) -> dict[str, Any]:
            data["descriptors"][0]["applies"]["condition"]["tree"] = ["flag", ["child", ["no_such_fact"]], True]
            return data

        _rewrite_body(entry, unknown_fact)
    elif kind == "a wrong type":

        def wrong_type(data: dict[str, Any]) -> dict[str, Any]:
            data["descriptors"][0]["line"] = "12"
            return data

        _rewrite_body(entry, wrong_type)
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "cut short",
        "altered",
        "not JSON",
        "another key",
        "another format",
        "a class it may not name",
        "a fact that does not exist",
        "a wrong type",
    ],
)
def test_a_corrupt_or_mismatched_entry_is_rebuilt_never_trusted(kind: str, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = from_yaml("knowsley")
    load_again("knowsley")
    entry = _entry(cache)
    good = entry.read_bytes()
    _corrupt(kind, entry)
    assert entry.read_bytes() != good
    built = count_builds(monkeypatch)
    book = load_again("knowsley")
    assert len(built) == 1
    assert comparable(book) == comparable(expected)
    assert _entry(cache).read_bytes() == good  # written again, whole
    load_again("knowsley")
    assert len(built) == 1


@pytest.mark.parametrize("where", ["rules", "library"])
def test_an_edited_file_makes_a_new_entry(where: str, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules_file = copy_rulebook(tmp_path)
    before = load_again(rules_file)
    built = count_builds(monkeypatch)
    if where == "rules":
        edit(rules_file, "version: ", "version: 9", count=1)
    else:
        library = tmp_path / "descriptors" / "england" / "education.yaml"
        edit(library, "text: ", "text: Edited ", count=1)
    after = load_again(rules_file)
    assert len(built) == 1
    assert len(list(cache.glob("*.json"))) == 2
    assert comparable(after) == comparable(from_yaml(rules_file))
    assert comparable(after) != comparable(before)


def test_another_engine_makes_a_new_entry(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_again("knowsley")
    built = count_builds(monkeypatch)
    compiled.engine_fingerprint.cache_clear()
    monkeypatch.setattr(compiled, "__version__", "0.0.0-other")
    try:
        load_again("knowsley")
    finally:
        compiled.engine_fingerprint.cache_clear()
    assert len(built) == 1
    assert len(list(cache.glob("*.json"))) == 2


def test_no_cache_writes_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDS_ENGINE_NO_CACHE", "1")
    built = count_builds(monkeypatch)
    load_again("knowsley")
    load_again("knowsley")
    assert len(built) == 2
    assert not cache.parent.exists()


def test_a_rulebook_that_does_not_load_is_not_stored(tmp_path: Path, cache: Path) -> None:
    rules_file = copy_rulebook(tmp_path)
    edit(
        tmp_path / "descriptors" / "england" / "education.yaml", "when: ", "when: child.education.attendence_pct < 1 or ", count=1
    )
    for _ in range(2):  # the problem, with its file and line, every time
        with pytest.raises(RulebookError, match="education.yaml:[0-9]+"):
            load_again(rules_file)
    assert list(cache.glob("*.json")) == []


def test_the_cache_holds_data_only(cache: Path) -> None:
    """An entry is a JSON header line and a JSON body: nothing in it can run code when read."""
    load_again("knowsley")
    head, body = _entry(cache).read_bytes().split(b"\n", 1)
    assert json.loads(head)["format"] == compiled.FORMAT
    assert isinstance(json.loads(body), dict)


def _census_view(mapping: Any) -> Any:
    return mapping.path, [
        (f.code, f.description, None if f.condition is None else (f.condition.text, f.condition.tree), f.not_applicable, f.line)
        for f in mapping.factors
    ]


def test_the_census_mapping_from_the_cache_equals_the_one_from_yaml(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The census codes (`rulebook/census.py`) are cached the same way, and rebuilt the same way."""
    from needs_engine.rulebook import census

    expected = census.load_census(census.census_file())
    census._load_cached.cache_clear()
    census._load_cached(census.census_file())
    built: list[int] = []
    real = census.load_census
    monkeypatch.setattr(census, "load_census", lambda path: built.append(1) or real(path))
    census._load_cached.cache_clear()
    assert _census_view(census._load_cached(census.census_file())) == _census_view(expected)
    assert built == []
    _entry(cache).write_bytes(b"{}\n[]")  # no header: not trusted
    census._load_cached.cache_clear()
    assert _census_view(census._load_cached(census.census_file())) == _census_view(expected)
    assert built == [1]
    census._load_cached.cache_clear()
