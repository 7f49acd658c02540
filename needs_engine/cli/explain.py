"""`needs explain` and `needs what-if`: why each child is at their level, and what a change would do."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from .options import (
    DEFAULT_FORMAT,
    DEFAULT_RULEBOOK,
    FormatOption,
    OutputFormat,
    RichOrJson,
    RulebookOption,
    SituationFile,
    guarded,
    write_json,
)

app = typer.Typer()


ExplainFormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="rich (terminal), json, markdown or html.")]


@app.command()
def explain(
    file: SituationFile,
    child: Annotated[Optional[str], typer.Option("--child", help="Explain only the child with this id.")] = None,
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    output: ExplainFormatOption = DEFAULT_FORMAT,
    max_changes: Annotated[
        int, typer.Option("--max-changes", min=1, max=4, help="Largest set of fact changes the counterfactual search tries.")
    ] = 3,
    target: Annotated[
        Optional[str],
        typer.Option(
            "--target",
            help="Also find the smallest fact changes that would bring each child to this level, up or down "
            "(a level id such as safeguarding, or the rulebook's label).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Explain each child's level: the facts behind it, near misses, and what would move it down, up or to --target."""

    def run() -> None:
        from ..explain.why import explain as explain_situation
        from ..formats.inputs import read_situation
        from ..rulebook.load import load_rulebook

        situation = read_situation(file)
        book = load_rulebook(rulebook)
        result = explain_situation(situation, book, child=child, max_changes=max_changes, target=target)
        if output is OutputFormat.json:
            write_json(result)
        elif output is OutputFormat.markdown:
            from ..render.explanation import explanation_markdown

            sys.stdout.write(explanation_markdown(result, book))
        elif output is OutputFormat.html:
            from ..render.html import report_html

            sys.stdout.write(report_html(result.assessment, book, explanation=result, household=situation.household))
        else:
            from ..render.console import console
            from ..render.explanation import render_explanation

            render_explanation(result, book, console())

    guarded(run, hint="needs explain --help")


@app.command("what-if")
def what_if(
    file: SituationFile,
    changes: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="PATH=VALUE, e.g. children.c1.education.attendance_percent=84, carers.m.mental_health=diagnosed_unstable, "
            "home.domestic_abuse.incidents_12m=3, strengths.supportive_wider_family=true; VALUE may be 'unknown'. Repeat for several.",
            show_default=False,
        ),
    ],
    child: Annotated[Optional[str], typer.Option("--child", help="Show only the child with this id.")] = None,
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    output: FormatOption = RichOrJson.rich,
) -> None:
    """Change some facts and show the levels before and after, and what changed in the explanation."""

    def run() -> None:
        from ..formats.inputs import read_situation
        from ..rulebook.load import load_rulebook
        from ..workflows.whatif import parse_changes
        from ..workflows.whatif import what_if as compare

        situation = read_situation(file)
        book = load_rulebook(rulebook)
        result = compare(situation.household, parse_changes(changes, situation.household), book, child=child)
        if output is RichOrJson.json:
            write_json(result)
        else:
            from ..render.console import console
            from ..render.whatif import render_what_if

            render_what_if(result, console())

    guarded(run, hint="needs what-if --help")
