"""Terminal views for rulebook authors: lint findings grouped by file, and invariant check results."""

from __future__ import annotations

import os
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..authoring.check import Counterexample, InvariantResult
from ..authoring.lint import LintReport
from ..plural import plural

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow"}


def shown_path(path: str) -> str:
    """A path relative to the working directory when it is below it (shorter to read and to click)."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return relative if not relative.startswith("..") else path


def render_lint(report: LintReport, console: Console) -> None:
    """Findings grouped by file, errors before warnings within a file, then a one-line summary."""
    console.print(Text(f"needs rules lint {shown_path(report.rulebook)}", style="bold"))
    for file, findings in report.by_file().items():
        table = Table(title=Text(shown_path(file)), title_justify="left", show_header=False, box=None, padding=(0, 1))
        table.add_column("severity", no_wrap=True)
        table.add_column("line", justify="right", no_wrap=True)
        table.add_column("finding", overflow="fold")
        for finding in sorted(findings, key=lambda f: (f.severity != "error", f.line or 0)):
            message = finding.message + (f"; did you mean '{finding.suggestion}'?" if finding.suggestion else "")
            table.add_row(Text(finding.severity, style=SEVERITY_STYLE[finding.severity]), str(finding.line or ""), Text(message))
        console.print(table)
    loaded = "loads" if report.loaded else "does not load"
    summary = f"{plural(len(report.errors), 'error')}, {plural(len(report.warnings), 'warning')}; the rulebook {loaded}; "
    summary += f"{plural(report.searched, 'condition')} searched for a household that satisfies them"
    style = "bold red" if report.errors or not report.loaded else "yellow" if report.warnings else "green"
    console.print(Text(summary, style=style))


def render_check(results: list[InvariantResult], header: str, console: Console) -> None:
    """Each invariant: held (over how many situations) or the smallest counterexample found."""
    console.print(Text(header, style="bold"))
    for result in results:
        if result.passed:
            console.print(
                Text("  held   ", style="green"),
                Text(f"{result.text} ({plural(result.examples, 'situation')}, {result.seconds:.1f} s)"),
            )
        elif result.crash is not None:
            console.print(Text("  CRASH  ", style="bold red"), Text(f"{result.text}: {result.crash}"))
        else:
            console.print(
                Text("  BROKEN ", style="bold red"),
                Text(f"{result.text} (found in situation {result.examples}, {result.seconds:.1f} s with shrinking)"),
            )
            assert result.counterexample is not None
            _counterexample(result.counterexample, console)
    held = sum(1 for result in results if result.passed)
    console.print(
        Text(f"{held} of {plural(len(results), 'invariant')} held", style="green" if held == len(results) else "bold red")
    )


def _counterexample(found: Counterexample, console: Console) -> None:
    lines = ["counterexample (the smallest found):"]
    if found.change:
        lines.append(f"changed: {found.change}")
    else:
        lines.append(found.message)
    if found.subject and found.level_before and found.level_after:
        lines.append(f"{found.subject}: {found.measure} {found.level_before} -> {found.level_after}")
    lines.append("before:" if found.after is not None else "situation:")
    lines.append(_yaml(found.before))
    if found.after is not None:
        lines += ["after:", _yaml(found.after)]
    console.print(Text("\n".join("    " + line for block in lines for line in block.splitlines()), style="none"))


def _yaml(document: dict[str, Any]) -> str:
    text = yaml.safe_dump({"household": document["household"]}, sort_keys=False, width=100)
    return "\n".join("  " + line for line in text.splitlines())


def render_agreement(reports: list[Any], console: Console, *, misses: bool, by_rule: bool = False) -> None:
    """Per rulebook: the agreement figures, then (with `misses`) every agreed line it misses, or
    (with `by_rule`) those lines grouped by the rule that decided them."""
    from ..authoring.agreement import Agreement
    from ..authoring.agreement import by_rule as grouped

    for report in reports:
        assert isinstance(report, Agreement)
        probes = sum(row.probe.kind == "probe" for row in report.rows)
        examples = len(report.rows) - probes
        console.print(Text(f"needs rules agreement: {report.rulebook}", style="bold"))
        console.print(
            Text(
                f"  {probes} probes and {examples} worked examples from {report.publishers} publishers; "
                f"{len(report.agreed)} on lines where publishers agree, {len(report.rows) - len(report.agreed)} where they differ"
            )
        )
        console.print(
            Text(f"  exact on agreed tiers:  {report.exact} of {len(report.agreed)} ({report.share(report.exact):.1f} %)")
        )
        console.print(
            Text(
                f"  within one tier:        {report.within_one} of {len(report.agreed)} ({report.share(report.within_one):.1f} %)"
            )
        )
        style = "bold red" if report.safety else "green"
        console.print(
            Text(f"  safety (agreed child protection placed below its child-protection level): {len(report.safety)}", style=style)
        )
        console.print(Text(f"  statutory lines placed below its Child in Need level: {len(report.statutory_under)}"))
        if by_rule:
            for rule, rows in grouped(report):
                console.print(Text(f"  {rule}: {len(rows)} missed", style="bold"))
                for row in rows:
                    flag = " SAFETY" if row.safety else ""
                    wanted = "/".join(sorted(t.value for t in row.agreed))
                    console.print(Text(f"    {row.tier.value} not {wanted}{flag}  {row.probe.id}: {row.probe.says}"))
        if not misses:
            continue
        table = Table(show_header=True, box=None, padding=(0, 1))
        for column in ("probe", "engine", "publishers", "says"):
            table.add_column(column, overflow="fold")
        for row in report.agreed:
            if row.exact:
                continue
            flag = " SAFETY" if row.safety else ""
            table.add_row(
                row.probe.id,
                f"{row.tier.value} ({row.level.value}){flag}",
                "/".join(sorted(t.value for t in row.agreed)),
                row.probe.says,
            )
        console.print(table)
