"""Every recorded value of every example and scenario, blanked one at a time: the columnar batch
still writes what the per-record path writes (issue 16 §2).

A screener's record is rarely whole: a fact is left out, written `null`, or marked "unknown",
and the age is the fact most often missing. Each variant here takes one example or scenario
and blanks exactly one value (a fact, a section, an age, an id) in one of those three ways, so
every field the shipped situations use is met blank at least once, in every household shape
they cover. The columnar path must then either screen the line to the same bytes or hand it to
the per-record path; a child whose facts it silently drops (as it once did for an
age written `null` or `"unknown"`) shows here as a differing row.

The sweep is exhaustive over the shipped situations rather than random, so a failure names one
line that can be re-run by hand with `needs batch` and `needs batch --per-record`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from needs_engine.batch.writer import OutputFormat
from needs_engine.rulebook.book import Rulebook

from ..batch.test_columnar import assert_identical, both, covered, situation_lines

_DELETE = object()
BLANKS = (None, "unknown", _DELETE)
"""The three ways a value is left blank: written null, marked unknown, left out."""

Path = tuple[str | int, ...]


def _paths(node: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every value's path below `household` (objects and lists as well as leaves)."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key)
        yield from _paths(value, (*prefix, key))


def _blanked(document: dict[str, Any], path: Path, blank: object) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(document))
    parent: Any = copy
    for key in path[:-1]:
        parent = parent[key]
    if blank is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = blank
    return copy


def blanked_lines() -> list[bytes]:
    """Each shipped situation with one value blanked, for every value and every way of blanking it."""
    lines: list[bytes] = []
    for text in situation_lines():
        document = json.loads(text)
        for path in _paths(document["household"], ("household",)):
            for blank in BLANKS:
                lines.append(json.dumps(_blanked(document, path, blank), separators=(",", ":")).encode())
    return lines


def test_the_sweep_blanks_every_age_and_reaches_the_columnar_path(book: Rulebook) -> None:
    lines = blanked_lines()
    null_ages = [line for line in lines if b'"age_months":null' in line]
    assert len(null_ages) > 50  # every exactly aged child of every situation, given a null age
    assert covered(lines, book) > len(lines) // 3  # most variants are still plainly valid


def test_one_blank_value_never_changes_what_the_batch_says(book: Rulebook) -> None:
    lines = blanked_lines()
    for start in range(0, len(lines), 500):  # in pieces, so a failure's line number is small
        assert_identical(lines[start : start + 500], book, formats=(OutputFormat.jsonl,))


@pytest.mark.parametrize("blank", BLANKS, ids=["null", "unknown", "left-out"])
def test_a_blank_age_sends_the_child_per_record_and_its_concern_still_fires(book: Rulebook, blank: object) -> None:
    """The regression the sweep was built for, spelled out: a child of unknown age whose recorded
    mental health difficulty is moderate is screened per record, and the difficulty counts."""
    document = {
        "household": {
            "children": [{"id": "c1", "age_months": 30, "emotional": {"mental_health": "moderate"}}],
            "carers": [{"id": "m"}],
        }
    }
    line = json.dumps(_blanked(document, ("household", "children", 0, "age_months"), blank)).encode()
    assert covered([line], book) == 0
    assert_identical([line], book)
    (text, *_), _ = both([line], book)
    assert "emotional_behavioural.moderate_mental_health" in json.loads(text)["children"][0]["fired"]
