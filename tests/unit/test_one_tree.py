"""Only `language/` reads a condition's text: everything else reads its tree (issue 16, section 1).

A grep-style check over the package source: outside `needs_engine/language/`, no module imports
`ast` or the language's parser and checker, and no regular expression is run over a condition's
text. Turning text into a condition goes through `compile_condition`, which parses it once.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "needs_engine"
LANGUAGE = PACKAGE / "language"
OUTSIDE = sorted(path for path in PACKAGE.rglob("*.py") if LANGUAGE not in path.parents)
PARSERS = {"ast", "needs_engine.language.parse", "needs_engine.language.check"}
# A regular expression function given something that names a condition's text (`condition.text`, `.when`).
REGEX_ON_TEXT = re.compile(r"\bre\.(?:search|match|fullmatch|findall|finditer|sub|split)\([^)]*(?:condition\.text|\.when\b)")


def _imports(path: Path) -> set[str]:
    """The modules `path` imports, relative imports resolved against the package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_the_check_sees_the_package() -> None:
    assert len(OUTSIDE) > 50
    assert PACKAGE / "explain" / "counterfactual.py" in OUTSIDE
    assert not any(LANGUAGE in path.parents for path in OUTSIDE)
    # The check itself can fail: the language's own checker imports ast and its parser.
    assert {"ast", "needs_engine.language.parse"} <= _imports(LANGUAGE / "check.py")


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_no_module_outside_language_parses_condition_text(path: Path) -> None:
    imported = _imports(path) & PARSERS
    assert not imported, f"{path.relative_to(PACKAGE)} imports {sorted(imported)}: read the condition's tree instead"
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\bast\.[a-z_A-Z]", source), f"{path.relative_to(PACKAGE)} uses the ast module"
    hit = REGEX_ON_TEXT.search(source)
    assert hit is None, f"{path.relative_to(PACKAGE)} runs a regular expression over condition text: {hit.group(0)}"
