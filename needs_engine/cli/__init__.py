"""The `needs` command line; `main` is its entry point.

A screener runs `needs assess` many times a day, each a fresh process (issue 16, section 4), so
`main` registers only the commands the first word names before the command tree is built: typer
makes a click command, with its option types, for every registered command, and importing and
building the dozen command modules `needs assess` never uses cost a fresh process about as much
as loading a rulebook from the cache. `needs`, `needs --help`, an unknown word and shell completion
register every command, so the list of commands, the "No such command" message with its closest
name and completion are what they were. Importing `needs_engine.cli.app` directly (tests, embedding)
registers every command too.

This module imports nothing heavy: it runs before typer is imported.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable

from . import commands
from .commands import COMMAND_MODULES as COMMAND_MODULES
from .commands import MODULES_OF as MODULES_OF
from .commands import modules_for

ONE_SHOT: frozenset[str] = frozenset({"assess"})
"""Commands that assess one household and end: they run without the cyclic garbage collector
(`without_collector`). Commands that run long or assess many households (batch, scenarios, serve,
explain's searches) keep it."""

PLUGINS_OFF = "PYDANTIC_DISABLE_PLUGINS"
"""`main` sets this to `__all__` unless the caller has set it: a `needs` process loads no pydantic
plugin. A plugin installed in the same environment (an observability tool, say) would be handed
every household the engine validates, and nothing personal may leave the process or reach a log;
finding plugins also means reading every installed package's metadata, about a twentieth of a
warm `needs assess`. A program that embeds the library decides for itself."""


def main() -> None:
    """Console entry point: register the commands `sys.argv` names, then run `needs`.

    A help request prints the text kept from the last time it was rendered, when nothing it
    depends on has changed (`helpcache.py`), without importing typer at all."""
    os.environ.setdefault(PLUGINS_OFF, "__all__")
    fresh = "needs_engine.cli.app" not in sys.modules  # else every command is registered already
    if fresh:
        commands.wanted = modules_for(sys.argv[1:])
    if fresh and sys.argv[1:2] and sys.argv[1] in ONE_SHOT:
        without_collector(_run)
    else:
        _run(fresh)


def _run(fresh: bool = True) -> None:
    if fresh and sys.argv[1:2] == ["assess"]:
        from .quick import run_plain_assess

        if run_plain_assess(sys.argv[2:]):  # a plain `needs assess FILE`, run without typer
            return
    if not (fresh and _help_from_cache()):
        from .app import main as run

        run()


def without_collector(run: Callable[[], None]) -> None:
    """Run a one-household command with the cyclic garbage collector off, and keep the
    collector from walking the process's objects at exit.

    Almost everything such a process makes lives until it ends: typer's command, pydantic's
    validators (about 60 models), the rulebook's conditions. The collector nonetheless walked
    them over and over while they were made (about 150 collections), and again at exit; a
    pydantic-core validator is slow to walk, so collecting took about a quarter of a warm
    `needs assess` (issue 16 section 4; docs/speed.md has the figures). Objects are still freed
    the moment their last reference goes; only reference cycles are left for the end of the
    process, and one assessment makes few (its peak memory grew by under 1 MB)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        run()
    finally:
        gc.freeze()  # the exit's collections then skip everything made so far
        if was_on:
            gc.enable()  # for a caller that goes on (a test, an embedding program)


def _help_from_cache() -> bool:
    """Print `needs ... --help` from the help cache, or render it and keep it; False when
    the arguments ask for something other than help (the caller then runs the command)."""
    from ..rulebook.cachedir import cache_dir
    from . import helpcache

    if not helpcache.is_help_request(sys.argv[1:]) or cache_dir() is None:
        return False
    key = helpcache.help_key(sys.argv)
    text = helpcache.cached_help(key)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    from .app import main as run

    out, err = helpcache.Recorder(sys.stdout), helpcache.Recorder(sys.stderr)  # type: ignore[arg-type]
    sys.stdout, sys.stderr = out, err
    try:
        run()
    except SystemExit as done:
        if done.code in (0, None) and not err.parts and out.parts:
            sys.stdout, sys.stderr = out.stream, err.stream
            helpcache.keep_help(key, out.text())
        raise
    finally:
        sys.stdout, sys.stderr = out.stream, err.stream
    return True
