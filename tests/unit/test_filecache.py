"""Issue 16, section 4: the cache of parsed rulebook files (needs_engine/rulebook/filecache.py).

A rulebook loaded from the cache is the rulebook loaded from its YAML: the same descriptors,
lines and content hash, and the same assessment of every shipped example. An edited file, a
new engine version or a corrupt entry is parsed again; NEEDS_ENGINE_NO_CACHE=1 reads and
writes nothing; a cache that cannot be written is no error. Every test has a cache folder
of its own in tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from needs_engine import assess
from needs_engine.errors import RulebookError
from needs_engine.formats.yamlfile import Located, line_of
from needs_engine.formats.yamlfile import read_file as parse_file
from needs_engine.rulebook import filecache
from needs_engine.rulebook.book import Rulebook
from needs_engine.rulebook.load import _Loader, load_rulebook, locate
from tests.authoring.conftest import copy_rulebook, edit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p for p in sorted((ROOT / "examples").glob("*.yaml")) if p.name != "expected.yaml"]
BABY = ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEEDS_ENGINE_CACHE_DIR", str(folder))
    monkeypatch.delenv("NEEDS_ENGINE_NO_CACHE", raising=False)
    return folder


def fresh(name_or_path: str | Path = "knowsley") -> Rulebook:
    """The rulebook loaded afresh (load_rulebook keeps one per process while its files stand)."""
    return _Loader(*(p.resolve() for p in locate(name_or_path))).load()


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any parse of a file's bytes fail, so a load that succeeds took every file from the cache."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed a file the cache should have held")

    monkeypatch.setattr(filecache, "parse_bytes", refuse)


def same_rulebook(a: Rulebook, b: Rulebook) -> None:
    assert a.content_hash == b.content_hash
    assert [(d.id, d.level, d.file, d.line, d.applies.condition.text) for d in a.descriptors] == [
        (d.id, d.level, d.file, d.line, d.applies.condition.text) for d in b.descriptors
    ]
    assert [(e.id, e.to) for e in a.escalations] == [(e.id, e.to) for e in b.escalations]
    assert [(m.id, m.lowers) for m in a.mitigations] == [(m.id, m.lowers) for m in b.mitigations]


def test_a_rulebook_from_the_cache_assesses_every_example_as_from_its_yaml(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rules_file, descriptors_dir = locate("knowsley")
    # Knowsley extends the common library: its own descriptor files (if any) and the library's.
    sources = [rules_file, *descriptors_dir.glob("*.yaml"), *(descriptors_dir.parent / "england").glob("*.yaml")]
    built = fresh()
    assert len(entries(cache)) == len(sources)  # one entry a file
    with monkeypatch.context() as patched:
        no_parsing(patched)
        cached = fresh()
    monkeypatch.setenv("NEEDS_ENGINE_NO_CACHE", "1")
    uncached = fresh()
    same_rulebook(cached, uncached)
    same_rulebook(built, uncached)
    for path in EXAMPLES:
        situation = parse_file(path)
        expected = assess(situation, uncached).model_dump_json()
        assert assess(situation, cached).model_dump_json() == expected, path.name
        assert assess(situation, built).model_dump_json() == expected, path.name


def test_a_cached_document_keeps_every_line(cache: Path) -> None:
    """What the loader and its error messages read of a document: values, and the line of every
    key and list item (`line_of`), for every file of both shipped rulebooks and the census."""

    def walk(document: Any, loc: tuple[Any, ...] = ()) -> Any:
        yield loc
        if isinstance(document, dict):
            for key, value in document.items():
                yield from walk(value, (*loc, key))
        elif isinstance(document, list):
            for index, value in enumerate(document):
                yield from walk(value, (*loc, index))

    files = [ROOT / "census" / "cin-factors.yaml"]
    for name in ("knowsley", "st-helens"):
        rules_file, descriptors_dir = locate(name)
        files += [rules_file, *sorted(descriptors_dir.glob("*.yaml"))]
    for path in files:
        parsed = parse_file(path)
        filecache.read_file(path)  # stores it
        cached = filecache.read_file(path)  # reads it back
        assert cached == parsed and isinstance(cached, Located)
        locs = list(walk(parsed))
        assert len(locs) > 20
        assert [line_of(cached, loc) for loc in locs] == [line_of(parsed, loc) for loc in locs], path.name
        assert filecache.decode(json.loads(json.dumps(filecache.encode(parsed)))) == parsed


def test_editing_a_descriptor_file_rebuilds_it(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (cache.parent / "book").mkdir()
    rules = copy_rulebook(cache.parent / "book")
    before = fresh(rules.parent.parent)
    housing = rules.parent.parent / "descriptors" / "england" / "housing.yaml"  # the library Knowsley extends
    old_text = (
        "The family's housing is insecure, at the least at risk through rent arrears or a notice to leave, "
        "and housing and money advice need to work together."
    )
    assert before.by_id["housing.at_risk"].text == old_text
    # A new first line moves every descriptor of the file down one line; the text changes too.
    housing.write_text("# edited for the test\n" + housing.read_text(encoding="utf-8"), encoding="utf-8")
    edit(housing, old_text, "The family has been told to leave their home.")
    count = len(entries(cache))
    after = load_rulebook(rules.parent.parent)
    assert after.by_id["housing.at_risk"].text == "The family has been told to leave their home."
    assert after.by_id["housing.at_risk"].line == before.by_id["housing.at_risk"].line + 1
    assert after.by_id["housing.hazardous"].line == before.by_id["housing.hazardous"].line + 1
    assert after.by_id["education.persistent_absence"].line == before.by_id["education.persistent_absence"].line
    assert after.content_hash != before.content_hash
    assert len(entries(cache)) == count + 1  # the edited file's new entry; the others were hits
    monkeypatch.setenv("NEEDS_ENGINE_NO_CACHE", "1")
    same_rulebook(after, fresh(rules.parent.parent))


def test_a_new_engine_version_parses_every_file_again(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh()
    count = len(entries(cache))
    monkeypatch.setattr(filecache, "__version__", "999.0.0")
    filecache._reader_fingerprint.cache_clear()
    try:
        with monkeypatch.context() as patched:
            no_parsing(patched)
            with pytest.raises(AssertionError, match="parsed a file"):
                fresh()
        fresh()
        assert len(entries(cache)) == 2 * count
    finally:
        filecache._reader_fingerprint.cache_clear()


def _level_changed(text: bytes) -> bytes:
    """Valid JSON still, of the same length or near it, with a level changed (or a key renamed)."""
    if b'"early_help"' in text:
        return text.replace(b'"early_help"', b'"targeted"', 1)
    return text.replace(b'"targeted"', b'"early_help"', 1)


CORRUPTIONS = {
    "empty": lambda text: b"",
    "cut short": lambda text: text[: len(text) // 2],
    "not JSON": lambda text: b"\x00\xffnot json at all",
    "header only": lambda text: text.partition(b"\n")[0],
    "body altered": _level_changed,
    "body swapped": lambda text: text.partition(b"\n")[0] + b'\n{"line":1,"keys":[],"items":{}}',
    "wrong shape, checksum right": None,  # made below: valid JSON with a matching checksum, not a document
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_corrupt_cache_entry_is_ignored_and_rebuilt(cache: Path, corruption: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = fresh()
    for entry in entries(cache):
        text = entry.read_bytes()
        make = CORRUPTIONS[corruption]
        if make is None:
            header = json.loads(text.partition(b"\n")[0])
            body = b'{"line": "nine", "keys": 3}'
            text = json.dumps({**header, "body": hashlib.sha256(body).hexdigest()}).encode() + b"\n" + body
        else:
            text = make(text)
        entry.write_bytes(text)
    same_rulebook(fresh(), expected)  # parsed again, not an error
    with monkeypatch.context() as patched:  # and the entries were written anew
        no_parsing(patched)
        same_rulebook(fresh(), expected)


def test_an_unreadable_entry_or_an_unwritable_folder_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("in the way")
    monkeypatch.setenv("NEEDS_ENGINE_CACHE_DIR", str(blocked))
    monkeypatch.delenv("NEEDS_ENGINE_NO_CACHE", raising=False)
    expected = fresh()
    folder = tmp_path / "cache"
    monkeypatch.setenv("NEEDS_ENGINE_CACHE_DIR", str(folder))
    fresh()
    for entry in entries(folder):  # each entry replaced by a folder of the same name: unreadable as a file
        entry.unlink()
        entry.mkdir()
    same_rulebook(fresh(), expected)
    assert blocked.read_text() == "in the way" and [p.is_dir() for p in entries(folder)] == [True] * len(entries(folder))


def test_no_cache_reads_and_writes_nothing(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEEDS_ENGINE_NO_CACHE", "1")
    fresh()
    assert not cache.exists()
    monkeypatch.setenv("NEEDS_ENGINE_NO_CACHE", "0")  # "0" (or empty) leaves the cache on
    fresh()
    assert entries(cache)
    monkeypatch.setenv("NEEDS_ENGINE_NO_CACHE", "1")
    with monkeypatch.context() as patched:
        parsed = []
        real = filecache.parse_bytes
        patched.setattr(filecache, "parse_bytes", lambda *a, **k: parsed.append(1) or real(*a, **k))
        fresh()
    assert len(parsed) == len(entries(cache))  # every file parsed, though the cache holds them all


def test_a_file_that_does_not_parse_is_refused_with_its_line_every_time(cache: Path) -> None:
    (cache.parent / "book").mkdir()
    rules = copy_rulebook(cache.parent / "book")
    housing = rules.parent.parent / "descriptors" / "england" / "housing.yaml"  # the library Knowsley extends
    housing.write_text(housing.read_text(encoding="utf-8") + "  - id: [unclosed\n", encoding="utf-8")
    lines = housing.read_text(encoding="utf-8").count("\n")
    for _ in range(2):
        with pytest.raises(RulebookError) as caught:
            fresh(rules.parent.parent)
        assert f"housing.yaml:{lines + 1}" in str(caught.value) or f"housing.yaml:{lines}" in str(caught.value)
    # Every file that parsed is kept (the rules file, the library's and Knowsley's own), never the broken one.
    descriptors = rules.parent.parent / "descriptors"
    parsed = [rules, *(descriptors / "knowsley").glob("*.yaml"), *(descriptors / "england").glob("*.yaml")]
    assert len(entries(cache)) == len(parsed) - 1


def test_the_default_folder_follows_xdg_cache_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEEDS_ENGINE_CACHE_DIR", raising=False)
    monkeypatch.delenv("NEEDS_ENGINE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert filecache.cache_dir() == tmp_path / "xdg" / "needs-engine"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec: a relative path is ignored
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert filecache.cache_dir() == tmp_path / "home" / ".cache" / "needs-engine"
    monkeypatch.setenv("NEEDS_ENGINE_CACHE_DIR", str(tmp_path / "mine"))
    assert filecache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("NEEDS_ENGINE_CACHE_DIR")

    def homeless() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", homeless)  # no HOME and no password entry: no cache, and no error
    assert filecache.cache_dir() is None
    monkeypatch.setenv("NEEDS_ENGINE_CACHE_DIR", str(tmp_path / "mine"))
    assert fresh().id == "knowsley" and entries(tmp_path / "mine")
    monkeypatch.delenv("NEEDS_ENGINE_CACHE_DIR")
    assert fresh().id == "knowsley"


def test_a_warm_cache_gives_the_same_command_output_as_none(cache: Path) -> None:
    """Whole processes, as a screener runs them: the first fills the cache, the second reads it."""
    command = [sys.executable, "-m", "needs_engine", "assess", str(BABY), "--format", "json"]
    env = {**os.environ, "COLUMNS": "100"}
    cold = subprocess.run(command, capture_output=True, check=True, env=env).stdout
    assert entries(cache)
    warm = subprocess.run(command, capture_output=True, check=True, env=env).stdout
    none = subprocess.run(command, capture_output=True, check=True, env={**env, "NEEDS_ENGINE_NO_CACHE": "1"}).stdout
    assert cold == warm == none
    assert json.loads(warm)["level"] == "safeguarding"  # the example's expected level (examples/expected.yaml)
