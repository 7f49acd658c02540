"""Issue 16, section 4: a command imports only what it needs.

Each check runs the `needs` entry point (`needs_engine.cli.main`), which registers only the
command modules the first word names; `needs --help` registers them all.

`needs --help` lists the commands; it must not import the engine, the rulebook loader, the
situation and assessment models (pydantic), YAML, the HTTP service, the templates or numpy.
Each check runs a fresh interpreter (the test process has imported everything already) and
looks at `sys.modules` once the command is done.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import needs_engine
from needs_engine import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "universal-two-parents-school-age.yaml"
NOT_FOR_HELP = (
    "needs_engine.engine",
    "needs_engine.rulebook",
    "needs_engine.language",
    "needs_engine.explain",
    "needs_engine.render",
    "needs_engine.model.situation",
    "needs_engine.model.assessment",
    "needs_engine.records",
    "needs_engine.service",
    "pydantic",
    "yaml",
    "fastapi",
    "jinja2",
    "numpy",
)
"""Modules (and their submodules) that `needs --help` has no use for."""
HELP_MAY_IMPORT = frozenset({"needs_engine.rulebook", "needs_engine.rulebook.cachedir"})
"""Where the help cache lives (an empty package and a module of the standard library's calls only)."""

RUN = """
import json, sys
from needs_engine.cli import main
sys.argv = ["needs", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.__stdout__.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def imported_by(*arguments: str, cache: bool = True) -> list[str]:
    """The modules loaded once `needs ARGUMENTS` has run in a fresh interpreter (without the
    engine's caches if not `cache`: help is then rendered, never printed from the help cache)."""
    env = {**os.environ, "COLUMNS": "100", **({} if cache else {"NEEDS_ENGINE_NO_CACHE": "1"})}
    done = subprocess.run([sys.executable, "-c", RUN, *arguments], capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.rsplit("\nMODULES ", 1)[1])  # type: ignore[no-any-return]


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes) and m not in HELP_MAY_IMPORT]


@pytest.mark.parametrize("arguments", [["--help"], ["--version"]])
def test_help_and_version_import_no_engine(arguments: list[str]) -> None:
    modules = imported_by(*arguments, cache=False)
    assert "needs_engine.cli.app" in modules  # the command did run
    assert loaded(modules, NOT_FOR_HELP) == []


@pytest.mark.parametrize("arguments", [["rules", "--help"], ["assess", "--help"], ["batch", "--help"], ["serve", "--help"]])
def test_a_command_s_help_imports_no_engine(arguments: list[str]) -> None:
    """A command's own help shows its options' defaults, which typer (0.29) works out with
    pydantic's TypeAdapter: pydantic is typer's there, not ours; the engine is still not loaded."""
    modules = imported_by(*arguments, cache=False)
    assert "needs_engine.cli.app" in modules
    assert loaded(modules, tuple(name for name in NOT_FOR_HELP if name != "pydantic")) == []


def test_assess_imports_the_engine_but_not_the_service_or_templates() -> None:
    """The check above can fail: the same script sees the engine when a command uses it."""
    modules = imported_by("assess", str(EXAMPLE), "--format", "json")
    assert {"needs_engine.engine.assess", "needs_engine.rulebook.load", "pydantic"} <= set(modules)
    assert loaded(modules, ("fastapi", "jinja2", "numpy", "needs_engine.service")) == []


def test_importing_the_package_imports_none_of_its_public_names_until_used() -> None:
    script = (
        "import sys, needs_engine\n"
        "before = 'needs_engine.engine.assess' in sys.modules\n"
        "from needs_engine import assess, Level\n"
        "print(before, 'needs_engine.engine.assess' in sys.modules, assess.__module__, Level.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True", "needs_engine.engine.assess", "needs_engine.model.levels"]


def test_the_package_lists_its_public_names_and_refuses_others() -> None:
    assert set(needs_engine.__all__) <= set(dir(needs_engine))
    with pytest.raises(AttributeError, match="no attribute 'asses'"):
        needs_engine.asses  # noqa: B018 - the attribute access is the test


COMMAND_MODULES = tuple(f"needs_engine.cli.{name}" for name in cli.COMMAND_MODULES)


def test_assess_registers_no_other_command_module() -> None:
    modules = imported_by("assess", str(EXAMPLE), "--format", "json")
    assert loaded(modules, COMMAND_MODULES) == []


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--help"], cli.COMMAND_MODULES),
        (["rules", "--help"], ("rules", "coverage", "rulesdiff", "authoring")),
        (["what-if", "--help"], ("explain",)),
        (["asess"], cli.COMMAND_MODULES),
    ],
)
def test_a_command_registers_the_modules_it_needs(arguments: list[str], expected: tuple[str, ...]) -> None:
    """The check above can fail: the same script sees the modules a command does register."""
    modules = imported_by(*arguments)
    assert loaded(modules, COMMAND_MODULES) == sorted(f"needs_engine.cli.{name}" for name in expected)


def _callback_modules(command: Any) -> set[str]:
    """The modules defining a click command's callback, or every one of a group's subcommands'."""
    found = {command.callback.__module__} if getattr(command, "callback", None) is not None else set()
    for sub in getattr(command, "commands", {}).values():
        found |= _callback_modules(sub)
    return found


def test_the_table_of_command_modules_matches_what_they_register() -> None:
    """Every top-level command is in MODULES_OF, and its modules are the ones defining it and its subcommands."""
    from typer.main import get_command

    from needs_engine.cli.app import app

    group = get_command(app)
    assert set(group.commands) == set(cli.MODULES_OF)  # type: ignore[attr-defined]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        defined = {module.rsplit(".", 1)[1] for module in _callback_modules(command)} - {"app"}
        assert defined == set(cli.MODULES_OF[name]), name
    assert {module for modules in cli.MODULES_OF.values() for module in modules} == set(cli.COMMAND_MODULES)


def test_no_command_module_imports_the_module_that_composes_them() -> None:
    """`app.py` imports the command modules; none of them imports it back (no cycle)."""
    import ast

    folder = Path(cli.__file__).parent
    for name in ("options", "running", "quick", "helpcache", *cli.COMMAND_MODULES):
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        imported = {(node.level, node.module) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert (1, "app") not in imported, name


def test_modules_for_reads_the_first_word() -> None:
    assert cli.modules_for(["assess", "x.yaml"], {}) == ()
    assert cli.modules_for(["rules", "lint"], {}) == ("rules", "coverage", "rulesdiff", "authoring")
    assert cli.modules_for(["new"], {}) == ("intake",)
    assert cli.modules_for([], {}) is None
    assert cli.modules_for(["--version"], {}) is None
    assert cli.modules_for(["no-such-command"], {}) is None
    assert cli.modules_for(["assess"], {"_NEEDS_COMPLETE": "bash_complete"}) is None


FULL = """
import sys
from needs_engine.cli.app import main
sys.argv = ["needs", *sys.argv[1:]]
main()
"""
LAZY = FULL.replace("from needs_engine.cli.app import main", "from needs_engine.cli import main")


@pytest.mark.parametrize(
    "arguments",
    [
        ["--help"],
        ["assess", "--help"],
        ["rules", "--help"],
        ["scenarios", "--help"],
        ["asess"],
        ["rules", "lnt"],
        ["assess", str(EXAMPLE), "--format", "json"],
        ["assess", str(EXAMPLE)],
        ["explain", str(EXAMPLE), "--format", "json"],
        ["assess", str(EXAMPLE), "--format", "yaml"],
    ],
)
def test_registering_only_what_a_command_needs_changes_nothing_it_prints(arguments: list[str]) -> None:
    """The entry point prints what the whole command tree prints, byte for byte, and exits alike."""
    env = {**os.environ, "COLUMNS": "100"}
    runs = [
        subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, env=env, check=False)
        for script in (FULL, LAZY)
    ]
    full, lazy = runs
    assert (lazy.returncode, lazy.stdout, lazy.stderr) == (full.returncode, full.stdout, full.stderr)
    assert full.stdout or full.stderr
