"""The text of `needs ... --help`, kept from the last process that rendered it (issue 16, section 4).

Rendering help imports typer, click and rich's help formatter with its Markdown parser, about
three quarters of a `needs --help` process, to print text that changes only when the engine,
those libraries or the terminal change. So a help request looks here first, before anything
heavy is imported, and on a miss the help is rendered as always while what it prints is kept.

What the text depends on is the key, and nothing outside it can change the text:
- the command line, program name included, and the working folder;
- the whole environment (colour, width and terminal variables, and anything else), less the
  few a shell changes on its own between commands;
- for each of stdin, stdout and stderr, whether it is a terminal and its size;
- the Python and engine versions, and the size and modification time of every file of the
  engine and of typer, click and rich.

An entry is plain text under a header carrying its key and the SHA-256 of the text; a short,
altered or mismatched entry is ignored and written again. Help that exits other than 0 or
writes to stderr is never kept. `NEEDS_ENGINE_NO_CACHE=1` turns this off with the other caches.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Optional

from .._version import __version__
from ..rulebook.cachedir import cache_dir, entry, entry_body, write_entry

FOLDER = "help"
FORMAT = "help 1"
SUFFIX = ".txt"
MAX_ENTRIES = 256
HELP_OPTIONS = frozenset({"-h", "--help"})
LIBRARIES = ("typer", "click", "rich")
"""The installed packages whose code renders help; typer may carry its own click."""
SHELL_VARIABLES = frozenset({"PWD", "OLDPWD", "SHLVL", "_"})
"""Variables a shell sets by itself between commands; the working folder is keyed separately."""


def is_help_request(arguments: list[str]) -> bool:
    """`needs [WORD ...] --help`: command words, then a help option, and no shell completion.

    Anything else (an option before the help option, an argument after it) goes through the
    command line as usual, whose answer may depend on what the words mean."""
    if not arguments or arguments[-1] not in HELP_OPTIONS:
        return False
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return False
    return all(word and not word.startswith("-") for word in arguments[:-1])


def _files(root: Path) -> Iterator[tuple[str, int, int]]:
    """(path, size, modification time) of every file under `root`, compiled bytecode aside."""
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                status = os.stat(path)
            except OSError:
                continue
            yield path, status.st_size, status.st_mtime_ns


def _library_roots() -> Iterator[Path]:
    for name in LIBRARIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            yield Path(spec.origin).parent


def _terminal(descriptor: int) -> str:
    try:
        terminal = os.isatty(descriptor)
    except OSError:
        terminal = False
    try:
        size = os.get_terminal_size(descriptor)
    except (OSError, ValueError):
        return f"{terminal}:-"
    return f"{terminal}:{size.columns}x{size.lines}"


def help_key(argv: list[str]) -> str:
    """The key of the help `argv` asks for: everything the rendered text depends on."""
    digest = hashlib.sha256(f"needs-engine {__version__} help 1 {sys.version}\0{sys.executable}\0".encode())
    digest.update(json.dumps(argv).encode() + b"\0")
    try:
        digest.update(os.getcwd().encode("utf-8", "surrogateescape") + b"\0")
    except OSError:
        digest.update(b"no working folder\0")
    environment = sorted((name, value) for name, value in os.environ.items() if name not in SHELL_VARIABLES)
    digest.update(json.dumps(environment).encode("utf-8", "surrogateescape") + b"\0")
    digest.update(" ".join(_terminal(descriptor) for descriptor in (0, 1, 2)).encode() + b"\0")
    for root in (Path(__file__).resolve().parent.parent, *_library_roots()):
        for path, size, modified in _files(root):
            digest.update(f"{path}\0{size}\0{modified}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def cached_help(key: str) -> Optional[str]:
    """The help text kept under `key`, or None when there is no sound entry."""
    folder = cache_dir()
    body = None if folder is None else entry_body(folder / FOLDER / f"{key}{SUFFIX}", FORMAT, key)
    try:
        return None if body is None else body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def keep_help(key: str, text: str) -> None:
    """Write the entry for `key` whole, or not at all (the cache is never an error)."""
    folder = cache_dir()
    if folder is not None:
        body = text.encode("utf-8", "surrogateescape")
        write_entry(folder / FOLDER, f"{key}{SUFFIX}", entry(FORMAT, key, body), MAX_ENTRIES)


class Recorder(io.TextIOBase):
    """A stream that passes everything to `stream` and remembers it: the rendered help.

    It answers `isatty`, `fileno` and `encoding` as `stream` does, so what is rendered through
    it (colour, width, characters) is exactly what would be rendered without it."""

    def __init__(self, stream: io.TextIOBase) -> None:
        super().__init__()
        self.stream = stream
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        # Passed on first: click probes a stream with a write of bytes, which a text stream refuses.
        written = self.stream.write(text)
        self.parts.append(text)
        return written

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    @property
    def errors(self) -> Optional[str]:  # type: ignore[override]
        return self.stream.errors

    def text(self) -> str:
        return "".join(self.parts)
