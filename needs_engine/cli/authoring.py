"""`needs rules lint`, `check` and `agreement`: tools for the policy lead who writes a rulebook.

lint reads the rulebook and reports everything wrong with it at once; check searches it with
generated households for breaches of the engine's invariants. Both accept a shipped rulebook
id, a rules file (`rules/<id>.yaml`, descriptors found beside it) or a rulebook directory.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..plural import plural
from .options import FormatOption, RichOrJson, guarded

app = typer.Typer()


RulebookPath = Annotated[
    str,
    typer.Argument(metavar="PATH", help="A rules file (rules/<id>.yaml), a rulebook directory, or a shipped rulebook id."),
]


@app.command("lint")
def rules_lint(
    path: RulebookPath,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there are warnings (errors always exit 2).")] = False,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Report every problem in a rulebook at once: load errors, descriptors that can never fire, bad citations.

    Exit 0 when clean, 2 on errors (including a rulebook that does not load), 1 on warnings with --strict.
    """

    def run() -> int:
        from ..authoring.lint import lint_rulebook

        report = lint_rulebook(path)
        if output is RichOrJson.json:
            sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
        else:
            from ..render.authoring import render_lint
            from ..render.console import console

            render_lint(report, console())
        return report.exit_code(strict=strict)

    code = guarded(run, hint="needs rules lint --help")
    raise typer.Exit(code=code)


@app.command("check")
def rules_check(
    path: RulebookPath,
    examples: Annotated[
        Optional[int],
        typer.Option("--examples", "-n", min=1, max=100_000, help="Generated households per invariant (default 25)."),
    ] = None,
    seed: Annotated[
        Optional[int], typer.Option("--seed", help="Make the search repeatable (the seed used is always printed).")
    ] = None,
    invariant: Annotated[
        Optional[list[str]], typer.Option("--invariant", "-i", help="Check only this invariant (repeatable).")
    ] = None,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Search a rulebook for households that break the engine's guarantees, and show the smallest one.

    Exit 0 when every invariant held, 1 when one broke, 2 when the rulebook does not load.
    """

    def run() -> int:
        import random

        from ..authoring.check import DEFAULT_EXAMPLES, INVARIANTS, check_rulebook
        from ..errors import InputError, Problem
        from ..rulebook.load import load_rulebook

        names = [inv.id for inv in INVARIANTS]
        unknown = [name for name in invariant or [] if name not in names]
        if unknown:
            raise InputError([Problem("--invariant", f"no invariant called '{unknown[0]}'", expected=", ".join(names))])
        book = load_rulebook(path)
        count = examples or DEFAULT_EXAMPLES
        run_seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
        results = check_rulebook(book, examples=count, seed=run_seed, only=invariant or None)
        passed = all(result.passed for result in results)
        if output is RichOrJson.json:
            document = {
                "rulebook": {"id": book.id, "version": book.version, "path": book.path, "content_hash": book.content_hash},
                "seed": run_seed,
                "examples": count,
                "passed": passed,
                "invariants": [result.to_json() for result in results],
            }
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
        else:
            from ..render.authoring import render_check
            from ..render.console import console

            header = (
                f"needs rules check: {book.name} {book.version} (seed {run_seed}, {plural(count, 'household')} per invariant)"
            )
            render_check(results, header, console())
        return 0 if passed else 1

    code = guarded(run, hint="needs rules check --help")
    raise typer.Exit(code=code)


@app.command("agreement")
def rules_agreement(
    folder: Annotated[
        Optional[Path],
        typer.Argument(metavar="[FOLDER]", help="A folder of practice files (default: tests/practice of this checkout)."),
    ] = None,
    rulebook: Annotated[
        Optional[list[str]],
        typer.Option("--rulebook", "-r", help="A rulebook to score (repeatable; default: every shipped one)."),
    ] = None,
    misses: Annotated[bool, typer.Option("--misses", help="List every agreed line a rulebook does not match.")] = False,
    by_rule: Annotated[
        bool, typer.Option("--by-rule", help="Group the missed lines by the descriptor or escalation that decided them.")
    ] = False,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Score rulebooks against published thresholds: exact and within-one agreement on response tiers, and the safety figure.

    Exit 0 when no rulebook places a line its publishers agree is child protection below its own
    child-protection level, 1 when one does, 2 when a practice file or rulebook does not load.
    """

    def run() -> int:
        from ..authoring.agreement import measure
        from ..authoring.practice import default_folder, read_practice
        from ..rulebook.load import load_rulebook, shipped_rulebooks

        probes = read_practice(folder or default_folder())
        reports = [measure(probes, load_rulebook(name)) for name in rulebook or shipped_rulebooks()]
        if output is RichOrJson.json:
            sys.stdout.write(json.dumps([report.to_json() for report in reports], indent=2) + "\n")
        else:
            from ..render.authoring import render_agreement
            from ..render.console import console

            render_agreement(reports, console(), misses=misses, by_rule=by_rule)
        return 1 if any(report.safety for report in reports) else 0

    code = guarded(run, hint="needs rules agreement --help")
    raise typer.Exit(code=code)
