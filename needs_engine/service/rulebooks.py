"""The shipped rulebooks as the service holds them: loaded once per process, by id, and shared
by every request, so a request never looks at the files and can only name a shipped rulebook.
"""

from __future__ import annotations

import threading
from typing import Optional

from ..errors import InputError, Problem
from ..rulebook.book import Rulebook
from ..rulebook.load import load_rulebook, shipped_rulebooks
from .wire import LevelInfo, RulebookInfo

_LOADED: dict[str, Rulebook] = {}
"""Rulebook id → the rulebook loaded from the shipped files."""
_LOADING = threading.Lock()


def loaded_rulebooks() -> dict[str, Rulebook]:
    """The shipped rulebooks, loaded once per process: a request never looks at the files.

    They are read again only by `reload_rulebooks()` (`needs serve` calls it on SIGHUP) or a restart.
    """
    if not _LOADED:
        with _LOADING:
            if not _LOADED:
                _LOADED.update({rulebook_id: load_rulebook(rulebook_id) for rulebook_id in shipped_rulebooks()})
    return _LOADED


def reload_rulebooks() -> None:
    """Read the shipped rulebooks again (all or nothing: a broken edit keeps the loaded ones)."""
    fresh = {rulebook_id: load_rulebook(rulebook_id) for rulebook_id in shipped_rulebooks()}
    with _LOADING:
        _LOADED.clear()
        _LOADED.update(fresh)


def find_rulebook(rulebook_id: str) -> Optional[Rulebook]:
    """The shipped rulebook with this id, or None: for a route that answers an unknown id itself."""
    return loaded_rulebooks().get(rulebook_id)


def shipped_rulebook(rulebook_id: str, field: str = "rulebook") -> Rulebook:
    """The shipped rulebook with this id, or an InputError naming the request `field` that gave it."""
    book = find_rulebook(rulebook_id)
    if book is None:
        raise InputError(
            [
                Problem(
                    field,
                    f"no shipped rulebook called '{rulebook_id}'",
                    code="unknown_rulebook",
                    expected=", ".join(loaded_rulebooks()),
                )
            ]
        )
    return book


def rulebook_info(book: Rulebook) -> RulebookInfo:
    """What `GET /rulebooks` says of one rulebook: its identity and each level's label and tiers."""
    return RulebookInfo(
        id=book.id,
        name=book.name,
        version=book.version,
        content_hash=book.content_hash,
        levels=[
            LevelInfo(level=level, label=entry.label, name=entry.name, tiers=list(book.tiers_of(level)))
            for level, entry in sorted(book.levels.items())
        ],
        library=book.library,
    )
