"""`needs review BEFORE AFTER`: one family at two dates; step up, step down or stay."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .options import DEFAULT_RULEBOOK, FormatOption, RichOrJson, RulebookOption, emit, guarded, stdin_once

app = typer.Typer()


@app.command()
def review(
    before: Annotated[
        Path, typer.Argument(help="The family at the earlier date: a situation or a scenario file; - reads standard input.")
    ],
    after: Annotated[
        Path, typer.Argument(help="The family at the later date: a situation or a scenario file; - reads standard input.")
    ],
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Review a family at two dates: each child steps up, steps down or stays, and why."""

    def run() -> None:
        from ..render.review import review_renderables
        from ..workflows.review import read_situation_or_scenario
        from ..workflows.review import review as review_family

        stdin_once(BEFORE=before, AFTER=after)
        result = review_family(read_situation_or_scenario(before), read_situation_or_scenario(after), rulebook)
        emit(result, output, review_renderables)

    guarded(run, hint="needs review --help")
