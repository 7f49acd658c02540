"""The rich view of `needs rules coverage`: headline figures, the domain × level table, what no
scenario exercises, and levels unreachable by age.

rich is imported inside the functions: the command imports this module before it knows the
format, and `--format json` loads no rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..plural import plural

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..scenarios.coverage import Coverage, Tally


def _tally(t: Tally) -> str:
    return f"{t.exercised}/{t.total} ({t.percent}%)"


def coverage_renderables(result: Coverage) -> list[RenderableType]:
    """Headline figures, the domain × level table, what is not exercised, and unreachable levels."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from ..model.levels import LEVELS

    head = Text(
        f"{plural(result.scenarios, 'scenario')} ({result.scenarios_naming_rulebook} with an expectation for {result.rulebook}) exercise\n"
        f"descriptors {_tally(result.descriptors)}, escalations {_tally(result.escalations)}, "
        f"mitigations {_tally(result.mitigations)}"
    )
    parts: list[RenderableType] = [Panel(head, title=f"Coverage of {result.rulebook}", title_align="left")]
    table = Table(title="Descriptors exercised, by domain and level")
    table.add_column("domain", no_wrap=True)
    for level in LEVELS:
        table.add_column(level.value, justify="right")
    table.add_column("all", justify="right")
    for row in result.by_domain:
        table.add_row(
            row.domain,
            *(f"{row.levels[lv].exercised}/{row.levels[lv].total}" if lv in row.levels else "" for lv in LEVELS),
            _tally(row.all),
        )
    table.add_row(Text("all", style="bold"), *(_tally(result.by_level[lv]) for lv in LEVELS), _tally(result.descriptors))
    parts.append(table)
    missing = [*result.unexercised_descriptors, *result.unexercised_escalations, *result.unexercised_mitigations]
    parts.append(
        Panel(
            "\n".join(missing) or "Every descriptor, escalation and mitigation is exercised.",
            title=f"Not exercised by any scenario ({len(missing)})",
            title_align="left",
        )
    )
    reach = Table(title="Levels no descriptor or escalation can produce, by age band (from the rulebook alone)")
    reach.add_column("age band")
    reach.add_column("unreachable levels")
    for band in result.unreachable_by_age:
        reach.add_row(band.band, ", ".join(level.value for level in band.unreachable) or "none")
    parts.append(reach)
    return parts
