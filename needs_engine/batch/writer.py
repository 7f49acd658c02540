"""Write result and error rows as JSON Lines or CSV, one output line per input record.

A row's text is a pure function of the row, so an interrupted batch resumed later writes
exactly the bytes an uninterrupted one would have written.

JSON Lines, a result:
    {"line": 2, "reference": "CASE-1", "status": "ok", "level": "targeted", "possible_level": "safeguarding",
     "tier": "multi_agency", "children": [{"id": "c1", "level": "targeted", "possible_level": "safeguarding",
     "tier": "multi_agency", "fired": ["..."]}]}
and an error:
    {"line": 3, "reference": null, "status": "error", "error": "household.children.0.age_months: ...",
     "field": "household.children.0.age_months"}

CSV: the columns in `CSV_COLUMNS`; per-child values read `c1=targeted; c2=early_help`, fired
ids `c1: id id; c2: id`. `tier` and `child_tiers` (the response tiers) come last.
"""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from pathlib import Path
from typing import Optional

from .reader import format_of
from .screen import Row


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


CSV_COLUMNS = (
    "line",
    "reference",
    "status",
    "level",
    "possible_level",
    "child_levels",
    "child_possible_levels",
    "fired",
    "error",
    "field",
    "tier",
    "child_tiers",
)
"""Columns are only ever added at the end, so a reader that goes by position keeps working."""


def output_format_of(path: Path, given: Optional[str]) -> OutputFormat:
    return OutputFormat(format_of(path, given, what="output").value)


def header(kind: OutputFormat) -> str:
    """Text written before the first row."""
    return _csv_line(list(CSV_COLUMNS)) if kind is OutputFormat.csv else ""


def row_text(row: Row, kind: OutputFormat) -> str:
    """One output line, newline included."""
    if kind is OutputFormat.jsonl:
        return json.dumps(_row_document(row), ensure_ascii=True, separators=(", ", ": ")) + "\n"
    if row.error is not None:
        return _csv_line([str(row.line), row.reference or "", "error", "", "", "", "", "", row.error, row.field or "", "", ""])
    level, possible, tier = row.level, row.possible_level, row.tier
    assert level is not None and possible is not None and tier is not None
    return _csv_line(
        [
            str(row.line),
            row.reference or "",
            "ok",
            level.value,
            possible.value,
            "; ".join(f"{c.child_id}={c.level.value}" for c in row.children),
            "; ".join(f"{c.child_id}={c.possible_level.value}" for c in row.children),
            "; ".join(f"{c.child_id}: {' '.join(c.fired)}" for c in row.children if c.fired),
            "",
            "",
            tier.value,
            "; ".join(f"{c.child_id}={c.tier.value}" for c in row.children),
        ]
    )


def _row_document(row: Row) -> dict[str, object]:
    if row.error is not None:
        return {"line": row.line, "reference": row.reference, "status": "error", "error": row.error, "field": row.field}
    level, possible, tier = row.level, row.possible_level, row.tier
    assert level is not None and possible is not None and tier is not None
    return {
        "line": row.line,
        "reference": row.reference,
        "status": "ok",
        "level": level.value,
        "possible_level": possible.value,
        "tier": tier.value,
        "children": [
            {
                "id": c.child_id,
                "level": c.level.value,
                "possible_level": c.possible_level.value,
                "tier": c.tier.value,
                "fired": list(c.fired),
            }
            for c in row.children
        ],
    }


def _csv_line(cells: list[str]) -> str:
    # One physical line per row, even if a reference or message held a line break.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([" ".join(cell.splitlines()) for cell in cells])
    return buffer.getvalue()
