"""Where the engine's caches live, one folder chosen by the environment, and how an entry is written.

A module of its own, importing only the standard library, because `needs --help` looks here
before anything else is imported (`cli/helpcache.py`)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

from .._version import __version__


def cache_dir() -> Optional[Path]:
    """The cache folder, or None when `NEEDS_ENGINE_NO_CACHE=1` turns the cache off."""
    if os.environ.get("NEEDS_ENGINE_NO_CACHE", "").strip() not in ("", "0"):
        return None
    chosen = os.environ.get("NEEDS_ENGINE_CACHE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "needs-engine"
    try:
        return Path.home() / ".cache" / "needs-engine"
    except (RuntimeError, KeyError, OSError):  # no HOME and no password entry: no cache, not an error
        return None


def entry(format: Any, key: str, body: bytes) -> bytes:
    """An entry's bytes: a header line (format, key, engine version, SHA-256 of the body), then the body."""
    header = {"format": format, "key": key, "engine": __version__, "body": hashlib.sha256(body).hexdigest()}
    return json.dumps(header).encode("ascii") + b"\n" + body


def entry_body(path: Path, format: Any, key: str) -> Optional[bytes]:
    """The body of the entry at `path`, or None when there is no sound one: missing, unreadable,
    cut short, altered, or of another key or format."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head, newline, body = raw.partition(b"\n")
    try:
        header = json.loads(head)
    except (ValueError, RecursionError):
        return None
    if not newline or not isinstance(header, dict) or header.get("format") != format or header.get("key") != key:
        return None
    if header.get("body") != hashlib.sha256(body).hexdigest():
        return None
    return body


def write_entry(folder: Path, name: str, payload: bytes, keep: int) -> None:
    """Write `payload` as `folder/name` whole (a temporary file, then `os.replace`) or not at all,
    then keep only the `keep` most recently written entries of the same suffix. Best effort: a
    folder that cannot be written is left alone, since a cache is never an error."""
    suffix = Path(name).suffix
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, folder / name)
        except BaseException:
            remove(Path(temporary))
            raise
        prune(folder, suffix, keep)
    except OSError:
        return


def prune(folder: Path, suffix: str, keep: int) -> None:
    """Keep the `keep` most recently written entries of `folder` named `*suffix`."""
    entries = [p for p in folder.glob(f"*{suffix}") if not p.name.startswith(".")]
    if len(entries) <= keep:
        return
    dated = []
    for entry in entries:
        try:
            dated.append((entry.stat().st_mtime_ns, entry))
        except OSError:
            continue
    dated.sort()
    for _, entry in dated[: max(0, len(dated) - keep)]:
        remove(entry)


def remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
