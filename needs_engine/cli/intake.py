"""`needs template`: a form with every fact `unknown`, to fill in an editor."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .app import app, guarded


@app.command()
def template(
    children: Annotated[int, typer.Option("--children", min=1, max=20, help="How many children (c1, c2, ...).")] = 1,
    carers: Annotated[int, typer.Option("--carers", min=1, max=12, help="How many carers (a1, a2, ...).")] = 1,
) -> None:
    """Print a situation with every fact as `unknown`, each with its values explained: a form to fill in."""

    def run() -> None:
        from ..intake.template import form_yaml

        sys.stdout.write(form_yaml(children=children, carers=carers))

    guarded(run, hint="needs template --help")
