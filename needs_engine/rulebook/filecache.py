"""A cache of parsed rulebook files, so a fresh `needs` process does not parse 24 YAML files again.

Parsing a rulebook's YAML (libyaml, then the reader's own checks: `formats/yamlfile.py`) is the largest
part of loading one that can be stored as plain data; the rest (compiling conditions into
functions) cannot. So `read_file` here is `yamlfile.read_file` with a memory: the first time it
reads a file's bytes it parses them and stores the document; the next process that reads the
same bytes takes the document from the store.

- Where: `NEEDS_ENGINE_CACHE_DIR` if set, else `$XDG_CACHE_HOME/needs-engine`, else
  `~/.cache/needs-engine`. `NEEDS_ENGINE_NO_CACHE=1` turns the cache off (nothing read or written).
- Keyed by content: one entry per file, named by a SHA-256 of the file's bytes, the engine
  version and the reader's own source (`formats/yamlfile.py` and this module), so an edited file, another
  engine version or a changed reader makes a new entry, never a stale document.
- Data only: each entry is JSON (never pickle or marshal: reading the cache cannot run code),
  holding the document with the line of every key and list item, which error messages and
  `line_of` use, under a header with the SHA-256 of the document's text, so an entry cut short
  or altered is noticed. A document JSON cannot hold exactly (a date, an infinite number) is
  not stored.
- Never an error: an entry that is missing, unreadable, corrupt or for other bytes is ignored
  and the file parsed as usual; a cache folder that cannot be written is left alone. Entries are
  written whole (a temporary file, then `os.replace`), so a reader never sees half of one.
- Bounded: past `MAX_ENTRIES` entries the least recently written are removed.

What is never cached: a file that does not parse (its error is found, with its line, each time)
and a JSON document (already fast; its lines are found in its text on demand).
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import cache
from pathlib import Path
from typing import Any, Optional

from .._version import __version__
from ..formats import yamlfile
from ..formats.yamlfile import Located, Syntax, parse_bytes, read_bounded, syntax_of
from .cachedir import cache_dir, entry, entry_body, write_entry

FORMAT = 1
"""The layout of an entry; a change of layout changes every key."""
MAX_ENTRIES = 512
"""At most this many entries are kept (a few hundred kilobytes each at most)."""
SUFFIX = ".json"


@cache
def _reader_fingerprint() -> bytes:
    """The engine version and the source of the reader and of this module: what a parsed
    document depends on besides the file's bytes."""
    digest = hashlib.sha256(f"needs-engine {__version__} cache {FORMAT}\0".encode())
    for source in (yamlfile.__file__, __file__):
        try:
            digest.update(Path(source).read_bytes())
        except OSError:
            digest.update(b"unreadable " + source.encode())
    return digest.digest()


def entry_key(raw: bytes, syntax: Syntax) -> str:
    """The name of the entry for a file with these bytes."""
    return hashlib.sha256(_reader_fingerprint() + syntax.encode() + b"\0" + raw).hexdigest()


def read_file(path: Path, *, syntax: Optional[Syntax] = None) -> Any:
    """`yamlfile.read_file`, taking the parsed document from the cache when these bytes were parsed before."""
    raw = read_bounded(path)
    syntax = syntax or syntax_of(path)
    folder = cache_dir()
    if folder is None or syntax != "yaml":
        return parse_bytes(raw, where=str(path), syntax=syntax)
    key = entry_key(raw, syntax)
    found = _load(folder / f"{key}{SUFFIX}", key)
    if found is not None:
        return found[0]
    document = parse_bytes(raw, where=str(path), syntax=syntax)  # a file that does not parse raises here, uncached
    _store(folder, key, document)
    return document


# --- entries: JSON, with the lines --------------------------------------------------------------


class _Unstorable(Exception):
    """A value JSON cannot carry exactly; the document is then not stored."""


def encode(value: Any) -> Any:
    """`value` as JSON data: a mapping as {"line", "keys": [[key, line, value], ...], "items"},
    a list as a list, a string, whole number, finite number, true/false or null as itself."""
    if isinstance(value, Located):
        if getattr(value, "source_text", None) is not None:
            raise _Unstorable("a JSON document")
        return {
            "line": value.line,
            "keys": [[key, value.key_lines.get(key), encode(item)] for key, item in value.items()],
            "items": value.item_lines,
        }
    if isinstance(value, list):
        return [encode(item) for item in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise _Unstorable(type(value).__name__)


def decode(data: Any) -> Any:
    """The document `encode` made `data` from (raises ValueError, TypeError or KeyError on anything else)."""
    if isinstance(data, dict):
        mapping = Located()
        mapping.line = int(data["line"])
        mapping.key_lines = {}
        items = data["items"]
        if not isinstance(items, dict):
            raise TypeError("items")
        mapping.item_lines = {str(key): [int(line) for line in lines] for key, lines in items.items()}
        for key, line, item in data["keys"]:
            if not isinstance(key, str):
                raise TypeError("key")
            mapping[key] = decode(item)
            if line is not None:
                mapping.key_lines[key] = int(line)
        return mapping
    if isinstance(data, list):
        return [decode(item) for item in data]
    if data is None or isinstance(data, (str, bool, int, float)):
        return data
    raise TypeError(type(data).__name__)


def _load(path: Path, key: str) -> Optional[tuple[Any]]:
    """The document of the entry at `path`, as a one-item tuple (a document may be None), or
    None when there is no usable entry (`cachedir.entry_body`) or its body does not decode."""
    body = entry_body(path, FORMAT, key)
    if body is None:
        return None
    try:
        return (decode(json.loads(body)),)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _store(folder: Path, key: str, document: Any) -> None:
    """Write the entry for `key` whole, or not at all (best effort: the cache is never an error)."""
    try:
        body = json.dumps(encode(document), ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (_Unstorable, ValueError, RecursionError):
        return
    write_entry(folder, f"{key}{SUFFIX}", entry(FORMAT, key, body), MAX_ENTRIES)
