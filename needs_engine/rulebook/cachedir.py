"""Where the engine's caches live: one folder, chosen by the environment.

A module of its own, importing only the standard library, because `needs --help` looks here
before anything else is imported (`cli/helpcache.py`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional


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
