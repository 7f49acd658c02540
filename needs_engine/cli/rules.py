"""`needs rules list` and `needs rules show`: a rulebook's descriptors, one in full, and where each comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..model.levels import Level
from .options import DEFAULT_RULEBOOK, RulebookOption, guarded

if TYPE_CHECKING:
    from ..rulebook.book import Rulebook

app = typer.Typer()


@app.command("list")
def rules_list(
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    level: Annotated[Optional[Level], typer.Option("--level", help="Only descriptors at this level.")] = None,
    domain: Annotated[Optional[str], typer.Option("--domain", help="Only descriptors in this domain.")] = None,
) -> None:
    """List a rulebook's descriptors: id, level, origin (common, overridden or local) and text."""

    def run() -> None:
        from ..render.console import print_renderables
        from ..render.rulebook import descriptors_table
        from ..rulebook.load import load_rulebook

        book = load_rulebook(rulebook)
        if domain is not None and domain not in book.domains:
            import difflib

            from ..errors import InputError, Problem

            close = difflib.get_close_matches(domain, list(book.domains), n=1)
            raise InputError(
                [
                    Problem(
                        "--domain",
                        f"no domain '{domain}' in {book.id}",
                        expected=", ".join(sorted(book.domains)),
                        suggestion=close[0] if close else None,
                    )
                ]
            )
        chosen = [d for d in book.descriptors if (level is None or d.level is level) and (domain is None or d.domain == domain)]
        print_renderables([descriptors_table(book, chosen)])

    guarded(run, hint="needs rules list --help")


@app.command("show")
def rules_show(
    name: Annotated[
        Optional[str],
        typer.Argument(
            metavar="ID|RULEBOOK",
            help="A descriptor id of --rulebook (e.g. education.persistent_absence), or a rulebook to summarise.",
        ),
    ] = None,
    rulebook: RulebookOption = DEFAULT_RULEBOOK,
    explain_origin: Annotated[
        Optional[str],
        typer.Option(
            "--explain-origin",
            metavar="ID",
            help="Say where descriptor ID comes from: the common library, an override of it (what it changed, "
            "its source and reason) or the rulebook's own files.",
        ),
    ] = None,
) -> None:
    """Show one descriptor in full, a rulebook's summary, or where a descriptor comes from.

    `needs rules show ID -r RULEBOOK` shows the descriptor: level, tier, origin, text, source,
    condition, age band and where it is defined. `needs rules show RULEBOOK` summarises the
    rulebook: the tiers each level covers and how many descriptors are common, overridden, local
    and excluded. `needs rules show RULEBOOK --explain-origin ID` explains one descriptor's origin.
    """

    def run() -> None:
        from ..render.console import print_renderables
        from ..render.origin import origin_lines, summary_lines
        from ..render.rulebook import descriptor_panel, lines_text
        from ..rulebook.load import load_rulebook

        if explain_origin is not None:
            book = load_rulebook(name or rulebook)
            if explain_origin not in book.by_id and not any(e.descriptor == explain_origin for e in book.excluded):
                raise _no_such_descriptor(book, explain_origin)
            print_renderables([lines_text(origin_lines(book, explain_origin))])
            return
        book = load_rulebook(rulebook)
        if name is None or (name not in book.by_id and _is_rulebook(name)):
            summarised = book if name is None else load_rulebook(name)
            print_renderables([lines_text(summary_lines(summarised))])
            return
        descriptor = book.by_id.get(name)
        if descriptor is None:
            raise _no_such_descriptor(book, name)
        print_renderables([descriptor_panel(book, descriptor)])

    guarded(run, hint="needs rules show --help")


def _is_rulebook(name: str) -> bool:
    """Whether `name` names a rulebook (a shipped id, or a path to one)."""
    from ..errors import RulebookError
    from ..rulebook.load import locate

    try:
        locate(name)
    except RulebookError:
        return False
    return True


def _no_such_descriptor(book: Rulebook, descriptor_id: str) -> Exception:
    """The InputError for an id that names no descriptor of `book`, with the closest id."""
    import difflib

    from ..errors import InputError, Problem

    close = difflib.get_close_matches(descriptor_id, list(book.by_id), n=1)
    return InputError([Problem("ID", f"no descriptor '{descriptor_id}' in {book.id}", suggestion=close[0] if close else None)])
