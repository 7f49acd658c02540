"""`needs ... --help` printed from the help cache is what rendering it prints (issue 16, section 4).

A screener's terminal, colour settings and width all change the rendered text, so each case runs
three fresh processes: the cache off, a miss that renders and keeps the text, and a hit that
prints it without importing typer. The three must agree byte for byte, exit code included.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from needs_engine.cli import helpcache

RUN = """
import sys
from needs_engine.cli import main
sys.argv = ["needs", *sys.argv[1:]]
try:
    main()
finally:
    sys.stderr.write("\\nTYPER " + str("typer" in sys.modules))
"""


def needs(arguments: list[str], cache: Path, **environment: str) -> tuple[int, bytes, str, bool]:
    """(exit code, stdout, stderr without the probe, whether typer was imported) of a fresh `needs`."""
    env = {**os.environ, "NEEDS_ENGINE_CACHE_DIR": str(cache), **environment}
    env.pop("NEEDS_ENGINE_NO_CACHE", None)
    env.update(environment)
    done = subprocess.run([sys.executable, "-c", RUN, *arguments], capture_output=True, env=env, check=False)
    err, _, probe = done.stderr.decode().rpartition("\nTYPER ")
    return done.returncode, done.stdout, err, probe == "True"


CASES = [
    (["--help"], {"COLUMNS": "80"}),
    (["assess", "--help"], {"COLUMNS": "60", "NO_COLOR": "1"}),
    (["rules", "check", "-h"], {"COLUMNS": "120", "FORCE_COLOR": "1", "TERM": "xterm-256color"}),
    (["batch", "--help"], {"COLUMNS": "100", "TERM": "dumb"}),
]


@pytest.mark.parametrize(
    ("arguments", "environment"), CASES, ids=lambda value: " ".join(value) if isinstance(value, list) else None
)
def test_help_from_the_cache_is_the_rendered_help(tmp_path: Path, arguments: list[str], environment: dict[str, str]) -> None:
    off = needs(arguments, tmp_path, NEEDS_ENGINE_NO_CACHE="1", **environment)
    miss = needs(arguments, tmp_path, **environment)
    assert list((tmp_path / helpcache.FOLDER).glob(f"*{helpcache.SUFFIX}")), "the rendered help was not kept"
    hit = needs(arguments, tmp_path, **environment)
    assert off[0] == miss[0] == hit[0] == 0
    assert off[1] == miss[1] == hit[1] and b"Usage" in off[1]
    assert off[2] == miss[2] == hit[2] == ""
    assert (off[3], miss[3], hit[3]) == (True, True, False), "a hit should print without importing typer"


def test_another_width_is_another_entry(tmp_path: Path) -> None:
    narrow = needs(["--help"], tmp_path, COLUMNS="60")
    wide = needs(["--help"], tmp_path, COLUMNS="110")
    again = needs(["--help"], tmp_path, COLUMNS="110")
    assert narrow[1] != wide[1] and wide[1] == again[1] and not again[3]
    assert len(list((tmp_path / helpcache.FOLDER).glob("*.txt"))) == 2


def test_help_that_fails_is_never_kept(tmp_path: Path) -> None:
    """An unknown command with --help is click's "No such command" on stderr and exit 2, every time."""
    first = needs(["asess", "--help"], tmp_path)
    second = needs(["asess", "--help"], tmp_path)
    assert first[0] == second[0] == 2 and "No such command" in first[2] and first == second
    assert not list((tmp_path / helpcache.FOLDER).glob("*.txt"))


def test_an_altered_entry_is_rendered_again(tmp_path: Path) -> None:
    rendered = needs(["--help"], tmp_path, COLUMNS="80")
    (entry,) = (tmp_path / helpcache.FOLDER).glob("*.txt")
    head, _, body = entry.read_bytes().partition(b"\n")
    entry.write_bytes(head + b"\n" + body.replace(b"Usage", b"Usurp"))
    again = needs(["--help"], tmp_path, COLUMNS="80")
    assert again[1] == rendered[1] and again[3], "an altered entry was trusted"
    assert b"Usurp" not in entry.read_bytes()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--help"], True),
        (["-h"], True),
        (["rules", "check", "--help"], True),
        (["assess", "family.yaml", "--help"], True),
        ([], False),
        (["assess", "family.yaml"], False),
        (["--help", "assess"], False),
        (["assess", "--format", "json", "--help"], False),
        (["assess", "", "--help"], False),
    ],
)
def test_what_counts_as_a_help_request(arguments: list[str], expected: bool) -> None:
    assert helpcache.is_help_request(arguments) is expected


def test_completion_is_never_a_help_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_NEEDS_COMPLETE", "complete_bash")
    assert not helpcache.is_help_request(["--help"])


def test_the_key_follows_the_libraries_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upgraded typer, click or rich (or an edited engine file) renders help anew."""
    library = tmp_path / "typer"
    library.mkdir()
    (library / "core.py").write_text("x = 1\n")
    monkeypatch.setattr(helpcache, "_library_roots", lambda: iter([library]))
    before = helpcache.help_key(["needs", "--help"])
    assert helpcache.help_key(["needs", "--help"]) == before
    (library / "core.py").write_text("x = 22\n")
    assert helpcache.help_key(["needs", "--help"]) != before
    assert helpcache.help_key(["needs", "assess", "--help"]) != helpcache.help_key(["needs", "--help"])
    narrow = helpcache.help_key(["needs", "--help"])
    monkeypatch.setenv("COLUMNS", "77")
    assert helpcache.help_key(["needs", "--help"]) != narrow


def test_the_libraries_are_found() -> None:
    assert {root.name for root in helpcache._library_roots()} >= {"typer", "rich"}
