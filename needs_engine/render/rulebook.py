"""A rulebook in the terminal: `needs rules list`'s table of descriptors and `needs rules show`'s views."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..plural import plural
from ..rulebook.book import Rulebook
from ..rulebook.parts import Descriptor
from .origin import origin_counts_line
from .theme import level_badge


def descriptors_table(book: Rulebook, chosen: Sequence[Descriptor]) -> Table:
    """One row per chosen descriptor: id, level, origin and text, under how many of the rulebook's these are."""
    table = Table(
        title=f"{book.name} {book.version}: {len(chosen)} of {plural(len(book.descriptors), 'descriptor')}",
        caption=origin_counts_line(book),
    )
    table.add_column("id", no_wrap=True)
    table.add_column("level", no_wrap=True)
    table.add_column("origin", no_wrap=True)
    table.add_column("text", overflow="fold")
    for d in chosen:
        table.add_row(d.id, level_badge(d.level, book.levels[d.level].label), d.origin.kind, Text(d.text))
    return table


def lines_text(lines: list[str]) -> RenderableType:
    """Plain lines (render/origin.py's), printed as they are: no markup, no highlighting of their words."""
    return Text("\n".join(lines))


def descriptor_panel(book: Rulebook, descriptor: Descriptor) -> Panel:
    """One descriptor in full: level, tier, origin, text, source, condition, age band and where it is defined."""
    age = descriptor.age.model_dump(exclude_none=True) if descriptor.age else "any age, born or unborn"
    body = "\n".join(
        [
            f"level:    {book.label(descriptor.level)} ({descriptor.level.value})",
            f"tier:     {descriptor.tier.value}",
            f"origin:   {descriptor.origin.kind} (needs rules show {book.id} --explain-origin {descriptor.id})",
            f"domain:   {book.domains[descriptor.domain].label} ({descriptor.domain})",
            f"text:     {descriptor.text}",
            f"when:     {descriptor.applies.condition.text}",
            f"age:      {age}",
            f"red flag: {'yes' if descriptor.red_flag else 'no'}; floor: {'yes' if descriptor.floor else 'no'}",
            f"source:   {descriptor.source}",
            f"defined:  {descriptor.file}:{descriptor.line}",
        ]
    )
    return Panel(Text(body), title=descriptor.id, title_align="left")
