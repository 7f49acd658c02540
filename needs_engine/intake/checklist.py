"""The red-flag checklist: every red-flag screen for every child on one screen.

A red flag settles Safeguarding on its own, so the interview asks them first, together: one row
per fact the rulebook's red flags read, one column per child (and one for the household, for
immediate danger), each cell yes / no / don't know (or, for a graded fact, any of its values).
Every cell starts as "don't know", and a cell that cannot apply to a child (an unborn baby's
disclosure) is left out. The grid itself is plain data (`Grid`), so it is tested without a
terminal; `ask_checklist` shows it with prompt_toolkit.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

from ..model.ages import applies_span
from ..model.catalogue import FactSpec, all_facts, facts_by_root
from ..model.facts import field_title, plain_label
from ..rulebook.book import Rulebook

if TYPE_CHECKING:  # prompt_toolkit loads only when the checklist is shown
    from prompt_toolkit.formatted_text import StyleAndTextTuples

UNKNOWN_CELL = -1
"""A cell's index when the answer is "don't know"."""


@dataclass(frozen=True)
class Row:
    """One red-flag fact: its label, its values (as written, with labels) and the one red flag's value."""

    spec: FactSpec
    label: str
    options: tuple[tuple[Any, str], ...]
    yes: int
    """The index of the least serious value a red flag fires on (what `y` sets)."""


@dataclass
class Grid:
    """The checklist's answers and cursor. `cells[row][column]` is an option index,
    UNKNOWN_CELL for don't know, or None where the fact cannot apply to that column's subject."""

    rows: list[Row]
    columns: list[tuple[str, str]]
    """(subject, heading): 'household' or 'child:<id>', and how the column is headed."""
    cells: list[list[Optional[int]]]
    cursor: tuple[int, int] = (0, 0)
    done: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.cells and self.cells[self.cursor[0]][self.cursor[1]] is None:
            self.step(+1)

    def _places(self) -> list[tuple[int, int]]:
        return [(r, c) for r, row in enumerate(self.cells) for c, cell in enumerate(row) if cell is not None]

    def step(self, by: int) -> None:
        """Move to the next (+1) or previous (-1) cell that can be answered, row by row."""
        places = self._places()
        if not places:
            return
        here = self.cursor
        after = [p for p in places if (p > here if by > 0 else p < here)]
        self.cursor = (after[0] if by > 0 else after[-1]) if after else here

    def move(self, rows: int, columns: int) -> None:
        """Move up/down or left/right to the nearest cell that can be answered."""
        r, c = self.cursor
        while True:
            r, c = r + rows, c + columns
            if not (0 <= r < len(self.rows) and 0 <= c < len(self.columns)):
                return
            if self.cells[r][c] is not None:
                self.cursor = (r, c)
                return

    def set(self, index: int) -> None:
        """Answer the current cell (an option index or UNKNOWN_CELL) and move on."""
        r, c = self.cursor
        self.cells[r][c] = index
        self.step(+1)

    def yes(self) -> None:
        self.set(self.rows[self.cursor[0]].yes)

    def no(self) -> None:
        self.set(0)

    def cycle(self, by: int = 1) -> None:
        """Show the next value of the current cell (don't know, then each value in turn)."""
        r, c = self.cursor
        count = len(self.rows[r].options)
        current = self.cells[r][c]
        assert current is not None
        self.cells[r][c] = (current + 1 + by) % (count + 1) - 1

    def answers(self) -> list[tuple[str, FactSpec, Any]]:
        """(subject, fact, value) of every cell: the value as written, `unknown` for don't know."""
        found = []
        for row, cells in zip(self.rows, self.cells, strict=True):
            for (subject, _heading), cell in zip(self.columns, cells, strict=True):
                if cell is not None:
                    found.append((subject, row.spec, "unknown" if cell == UNKNOWN_CELL else row.options[cell][0]))
        return found

    def cell_text(self, r: int, c: int) -> str:
        cell = self.cells[r][c]
        if cell is None:
            return ""
        return "?" if cell == UNKNOWN_CELL else self.rows[r].options[cell][1]


def red_flag_facts(book: Rulebook) -> list[tuple[FactSpec, tuple[Any, ...]]]:
    """Each concern fact a red flag (or the urgent condition) reads, once, in the model's order,
    with every test a red flag makes of it (to find the value `y` means)."""
    seen: dict[str, tuple[FactSpec, tuple[Any, ...]]] = {}
    conditions = [book.urgent_condition] + [d.applies.condition for d in book.descriptors if d.red_flag]
    for condition in conditions:
        for leaf in condition.leaves:
            root = "child" if leaf.spec.root == "sibling" else leaf.spec.root  # a sibling's fact is a child's
            if leaf.spec.is_concern and root in ("child", "household"):
                spec, tests = seen.get(leaf.fact, (facts_by_root()[root][leaf.spec.path], ()))
                seen[leaf.fact] = (spec, (*tests, leaf.passes))
    # In the model's order, the household's first: the order a screener meets them in the facts list.
    order = {spec.dotted: n for n, spec in enumerate(sorted(all_facts(), key=lambda spec: spec.root != "household"))}
    return sorted(seen.values(), key=lambda item: order[item[0].dotted])


def _options(spec: FactSpec) -> Optional[tuple[tuple[Any, str], ...]]:
    """A fact's values for a cell, least worrying first; None for a number too wide to list."""
    if spec.kind == "flag":
        return ((False, "no"), (True, "yes"))
    if spec.choices is not None:
        return tuple((member.value, plain_label(member.value)) for member in spec.choices)
    if spec.kind == "number" and spec.integer and spec.minimum is not None and spec.maximum is not None:
        if spec.maximum - spec.minimum <= 9:
            return tuple((n, str(n)) for n in range(int(spec.minimum), int(spec.maximum) + 1))
    return None


def build_grid(
    book: Rulebook, children: list[dict[str, Any]], answered: dict[tuple[str, str], Any], *, household: bool = True
) -> Grid:
    """The checklist for these children (documents with an `id` and maybe an age), with the
    household's own red flags unless `household` is false; `answered` holds values already in
    the file, by (subject, fact), to start from."""
    from ..model.situation import Child

    columns = [("household", "household")] if household else []
    spans = {}
    for child in children:
        model = Child.model_validate({key: child[key] for key in ("id", *_AGE_KEYS) if key in child})
        columns.append((f"child:{child['id']}", f"{child['id']} ({_age_words(model)})"))
        spans[f"child:{child['id']}"] = model.age_span()
    rows: list[Row] = []
    cells: list[list[Optional[int]]] = []
    for spec, passes in red_flag_facts(book):
        options = _options(spec)
        if options is None:
            continue
        # `y` is the value a red flag fires on by itself: the most serious of each test's least
        # serious passing value (an injury is a red flag alone when unexplained, not when minor).
        lowest = [
            next((i for i, (value, _l) in enumerate(options) if _passes(test, spec, value)), len(options) - 1) for test in passes
        ]
        yes = max(lowest, default=len(options) - 1)
        row_cells: list[Optional[int]] = []
        for subject, _heading in columns:
            fits = subject == "household" if spec.root == "household" else subject != "household"
            if fits and subject in spans:
                fits = not spans[subject].intersect(applies_span(".".join(spec.path))).empty
            value = answered.get((subject, spec.dotted))
            known = next((i for i, (option, _label) in enumerate(options) if option == value), UNKNOWN_CELL)
            row_cells.append(known if fits else None)
        if any(cell is not None for cell in row_cells):
            rows.append(Row(spec, _row_label(spec), options, yes))
            cells.append(row_cells)
    used = [c for c in range(len(columns)) if any(row[c] is not None for row in cells)]
    return Grid(rows, [columns[c] for c in used], [[row[c] for c in used] for row in cells])


_AGE_KEYS = ("age_months", "age_years", "age_band", "unborn_weeks")


def _passes(passes: Any, spec: FactSpec, value: Any) -> bool:
    try:
        return bool(passes(spec.choices(value) if spec.choices is not None else value))
    except (TypeError, ValueError):
        return False


def _age_words(child: Any) -> str:
    from ..engine.assess import age_words

    return age_words(child)


def _row_label(spec: FactSpec) -> str:
    return field_title(spec.path[-1])


# --- on the terminal -----------------------------------------------------------------------

LABEL_WIDTH = 32
CELL_WIDTH = 16
KEYS = "y yes · n no · ? don't know · space other values · tab or arrows move · Enter done"


def columns_that_fit(width: Optional[int] = None) -> int:
    """How many child columns fit beside the labels at this terminal width (at least one)."""
    width = width or shutil.get_terminal_size((100, 24)).columns
    return max(1, (width - LABEL_WIDTH - CELL_WIDTH) // CELL_WIDTH)


def _screen(grid: Grid) -> StyleAndTextTuples:
    """The grid as prompt_toolkit formatted text: heading, one line per row, then the focused cell in full."""
    parts: StyleAndTextTuples = [("bold", "Red flags, for every child at once\n"), ("", f"{KEYS}\n\n")]
    parts.append(("bold", " " * LABEL_WIDTH + "".join(h[: CELL_WIDTH - 1].ljust(CELL_WIDTH) for _s, h in grid.columns) + "\n"))
    for r, row in enumerate(grid.rows):
        parts.append(("", row.label[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH)))
        for c in range(len(grid.columns)):
            text = grid.cell_text(r, c)
            shown = f"[{text[: CELL_WIDTH - 4]}]" if grid.cells[r][c] is not None else ""
            cell = grid.cells[r][c]
            flagged = cell is not None and cell >= row.yes  # at or past the red flag's own value
            style = "reverse" if (r, c) == grid.cursor else ("fg:ansired bold" if flagged else "")
            parts.append((style, shown))
            parts.append(("", " " * (CELL_WIDTH - len(shown))))
        parts.append(("", "\n"))
    r, c = grid.cursor
    if grid.rows:
        row = grid.rows[r]
        parts.append(("", f"\n{grid.columns[c][1]}: {row.spec.ask}\n"))
        now = grid.cell_text(r, c).replace("?", "don't know")
        parts.append(("italic", f"now: {now}\n"))
    return parts


def ask_checklist(grid: Grid) -> Optional[Grid]:
    """Show the grid until Enter (the grid, answered) or Ctrl-C (None)."""
    from prompt_toolkit.application import Application
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.layout import Layout, Window
    from prompt_toolkit.layout.controls import FormattedTextControl

    keys = KeyBindings()
    actions = {
        "y": grid.yes,
        "n": grid.no,
        "?": lambda: grid.set(UNKNOWN_CELL),
        "d": lambda: grid.set(UNKNOWN_CELL),
        " ": grid.cycle,
        "up": lambda: grid.move(-1, 0),
        "down": lambda: grid.move(+1, 0),
        "left": lambda: grid.move(0, -1),
        "right": lambda: grid.move(0, +1),
        "tab": lambda: grid.step(+1),
        "s-tab": lambda: grid.step(-1),
    }
    for key, action in actions.items():
        keys.add(key)(lambda _event, action=action: action())

    @keys.add("enter")
    def _finish(event: Any) -> None:
        grid.done = True
        event.app.exit(result=grid)

    @keys.add("c-c")
    def _abandon(event: Any) -> None:
        event.app.exit(result=None)

    control = FormattedTextControl(lambda: _screen(grid), focusable=True, show_cursor=False)
    app: Application[Optional[Grid]] = Application(layout=Layout(Window(control)), key_bindings=keys, full_screen=False)
    return app.run()
