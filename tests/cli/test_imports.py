"""Issue 16, section 4: a command imports only what it needs.

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

import pytest

import needs_engine

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

RUN = """
import json, sys
from needs_engine.cli.app import main
sys.argv = ["needs", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.__stdout__.write("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


def imported_by(*arguments: str) -> list[str]:
    """The modules loaded once `needs ARGUMENTS` has run in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, *arguments], capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "100"}
    )
    return json.loads(done.stdout.rsplit("\nMODULES ", 1)[1])  # type: ignore[no-any-return]


def loaded(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


@pytest.mark.parametrize("arguments", [["--help"], ["--version"]])
def test_help_and_version_import_no_engine(arguments: list[str]) -> None:
    modules = imported_by(*arguments)
    assert "needs_engine.cli.app" in modules  # the command did run
    assert loaded(modules, NOT_FOR_HELP) == []


@pytest.mark.parametrize("arguments", [["rules", "--help"], ["assess", "--help"], ["batch", "--help"], ["serve", "--help"]])
def test_a_command_s_help_imports_no_engine(arguments: list[str]) -> None:
    """A command's own help shows its options' defaults, which typer (0.29) works out with
    pydantic's TypeAdapter: pydantic is typer's there, not ours; the engine is still not loaded."""
    modules = imported_by(*arguments)
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
