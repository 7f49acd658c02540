"""Which command module declares which `needs` command: the table the entry point reads before typer
is imported (`needs_engine.cli.main`), and `app.py` composes from. It imports nothing heavy, and
nothing of the CLI's, so the entry point and `app.py` both depend on it and neither on the other.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Optional

COMMAND_MODULES: tuple[str, ...] = (
    "serve",
    "replay",
    "explain",
    "train",
    "compare",
    "review",
    "batch",
    "intake",
    "rules",
    "coverage",
    "rulesdiff",
    "authoring",
    "scenarios",
)
"""The modules of `needs_engine.cli` that declare commands, each on a Typer of its own, in the
order `app.py` composes them (the order `--help` lists them in); add a module here to add its commands."""

MODULES_OF: dict[str, tuple[str, ...]] = {
    "assess": (),
    "schema": (),
    "rules": ("rules", "coverage", "rulesdiff", "authoring"),
    "serve": ("serve",),
    "replay": ("replay",),
    "explain": ("explain",),
    "what-if": ("explain",),
    "train": ("train",),
    "compare": ("compare",),
    "scenarios": ("scenarios",),
    "review": ("review",),
    "batch": ("batch",),
    "new": ("intake",),
    "template": ("intake",),
}
"""Each top-level command and the command modules that declare it and its subcommands (`app.py`
itself defines `assess` and `schema`); the `rules` group's files in the order `app.py` merges
them. A test holds this table to what the modules declare."""

wanted: Optional[tuple[str, ...]] = None
"""The command modules `app.py` composes when imported: None for every one."""


def modules_for(arguments: list[str], environ: Optional[Mapping[str, str]] = None) -> Optional[tuple[str, ...]]:
    """The command modules `needs ARGUMENTS` needs, in registration order, or None for every one.

    The first word that is not an option names the command; before it only the group's own
    options can stand (`--version`, `--help`, completion), so an option first means the whole
    tree, as does a word that names no command (click then lists the closest) or a completion request."""
    environ = os.environ if environ is None else environ
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None
    if not arguments or arguments[0].startswith("-"):
        return None
    needed = MODULES_OF.get(arguments[0])
    if needed is None:
        return None
    return tuple(module for module in COMMAND_MODULES if module in needed)
