"""Issue 16, section 4: `needs assess` runs without the cyclic garbage collector.

A one-household command makes objects that live until the process ends, so the entry point
turns the collector off for it and freezes what it made before the exit's collections
(`needs_engine.cli.without_collector`). These tests hold that to the commands named in
`ONE_SHOT`, and the collector's state to what it was for a caller that goes on.
"""

from __future__ import annotations

import gc
import sys

import pytest

from needs_engine import cli
from needs_engine.cli import commands


def collector_during(monkeypatch: pytest.MonkeyPatch, *arguments: str) -> list[bool]:
    """Whether the collector was on while `needs ARGUMENTS` ran (the command itself not run)."""
    seen: list[bool] = []
    monkeypatch.setattr(cli, "_run", lambda fresh=True: seen.append(gc.isenabled()))
    monkeypatch.setattr(commands, "wanted", None)
    monkeypatch.setattr(sys, "argv", ["needs", *arguments])
    monkeypatch.delitem(sys.modules, "needs_engine.cli.app", raising=False)  # a fresh process's entry
    try:
        cli.main()
    finally:
        gc.unfreeze()  # give this test process's objects back to the collector
    return seen


def test_assess_runs_without_the_collector_and_gives_it_back(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gc.isenabled()
    assert collector_during(monkeypatch, "assess", "family.yaml") == [False]
    assert gc.isenabled()


@pytest.mark.parametrize("command", ["batch", "scenarios", "serve", "explain", "rules"])
def test_commands_that_run_long_keep_the_collector(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    assert collector_during(monkeypatch, command, "x") == [True]


def test_a_failing_command_gives_the_collector_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(fresh: bool = True) -> None:
        raise SystemExit(2)

    monkeypatch.setattr(cli, "_run", fails)
    monkeypatch.setattr(commands, "wanted", None)
    monkeypatch.setattr(sys, "argv", ["needs", "assess", "missing.yaml"])
    monkeypatch.delitem(sys.modules, "needs_engine.cli.app", raising=False)
    try:
        with pytest.raises(SystemExit):
            cli.main()
    finally:
        gc.unfreeze()
    assert gc.isenabled()
