"""`needs rules diff OLD NEW`: the rules that changed between two versions, and the scenarios they move."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import FormatOption, RichOrJson, emit, guarded

app = typer.Typer()


VersionArgument = Annotated[
    str, typer.Argument(help="A rulebook: a shipped id, a rules file, or a folder holding rules/ and descriptors/.")
]


@app.command("diff")
def rules_diff(
    old: VersionArgument,
    new: VersionArgument,
    scenarios: Annotated[
        Optional[Path],
        typer.Option(
            "--scenarios", help="A folder of scenarios to assess under both (default: scenarios/, or the shipped ones)."
        ),
    ] = None,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Show the descriptors, escalations and mitigations that changed between two versions of a
    rulebook, and which scenarios change level as a result, with the reason.

    Both are compared as loaded (every condition compiled, inherited descriptors in place), not as text.
    """

    def run() -> None:
        from ..render.rulesdiff import diff_renderables
        from ..rulebook.load import load_rulebook
        from ..scenarios.library import DEFAULT_FOLDER, load_scenarios
        from ..workflows.rulesdiff import diff_rulebooks

        before, after = load_rulebook(old), load_rulebook(new)
        emit(diff_rulebooks(before, after, load_scenarios(scenarios or DEFAULT_FOLDER)), output, diff_renderables)

    guarded(run, hint="needs rules diff --help")
