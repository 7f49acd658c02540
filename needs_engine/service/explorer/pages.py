"""`/explorer`: the threshold explorer and the room's quiz, as HTML pages `needs serve` serves.

Plain HTML from Jinja2 templates, with htmx (vendored under `static/`, nothing from a CDN) to
re-assess as soon as a control changes and swap the results in. Every page also works as plain
links and forms (a scenario loads with `?scenario=NAME`), so a keyboard, a screen reader and the
tests reach everything.

Nothing about a family is kept on the server: each request carries the situation (the form) and
the last step's state, is assessed with the shipped rulebooks, and is forgotten. Only shipped
scenarios and rulebooks can be named, so a request never makes the server read a file of its
choosing. Bodies are form-encoded, read by the standard library (no multipart parser needed) and
capped by the service's gate like every other request.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

from ...errors import InputError, Problem
from ...explain.target import allowed_levels, counterfactuals_to, target_level
from ...model.levels import LEVELS
from ...rulebook.book import Rulebook
from ...scenarios.library import Scenario
from ..explanations import search_budget
from ..rulebooks import loaded_rulebooks
from .form import form_of, situation_from_form
from .steps import step

if TYPE_CHECKING:
    import jinja2

HERE = Path(__file__).parent
STATIC = HERE / "static"
HTMX = "htmx-2.0.11.min.js"
"""The vendored htmx (htmx.org 2.0.11 from npm, Zero-Clause BSD; licence in static/htmx-LICENSE.txt)."""
STATIC_FILES = {HTMX: "text/javascript", "explorer.css": "text/css", "htmx-LICENSE.txt": "text/plain"}
MAX_FIELDS = 5000
"""More form fields than any situation's controls (20 children x ~90 facts, carers, the home)."""

router = APIRouter(prefix="/explorer", include_in_schema=False)


# --- what the pages may name: shipped rulebooks and scenarios only ----------------------------


def _book(rulebook_id: Optional[str]) -> Rulebook:
    """The shipped rulebook asked for (Knowsley when none is): an unknown id is refused, never
    swapped silently for another authority's rulebook."""
    books = loaded_rulebooks()
    book = books.get(rulebook_id or "knowsley")
    if book is None:
        problem = Problem(
            "rulebook",
            f"no shipped rulebook called '{(rulebook_id or '')[:40]}'",
            code="unknown_rulebook",
            expected=", ".join(books),
        )
        raise InputError([problem])
    return book


def _page_book(rulebook_id: Optional[str]) -> Rulebook:
    """`_book` for a whole page, where an unknown rulebook is a 404 naming the shipped ones."""
    try:
        return _book(rulebook_id)
    except InputError as error:
        problem = error.problems[0]
        raise HTTPException(404, f"{problem.msg}; the shipped rulebooks are {problem.expected}") from None


@cache
def scenarios() -> dict[str, Scenario]:
    """The shipped scenario library by name, loaded once per process."""
    from ...scenarios.library import load_scenarios, shipped_scenarios

    return {s.name: s for s in load_scenarios(shipped_scenarios())}


def _scenario(name: Optional[str]) -> Optional[Scenario]:
    return scenarios().get(name or "")


# --- templates -------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    """The explorer's templates, then the HTML record's (for its level badge and reasons macros)."""
    from ...render.html import TEMPLATES, template_environment

    env = template_environment([str(HERE / "templates"), str(TEMPLATES)])
    env.globals.update(LEVELS=LEVELS, htmx=HTMX)
    return env


def _html(template: str, **context: Any) -> HTMLResponse:
    page = _environment().get_template(template).render(**context)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


def _problems(error: InputError) -> HTMLResponse:
    return _html("problems.html.j2", problems=error.problems)


async def _fields(request: Request) -> dict[str, str]:
    """The form's fields (the last value of a repeated name), from a form-encoded body."""
    kind = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(415, "the explorer's forms are sent form-encoded")
    text = (await request.body()).decode("utf-8", errors="replace")
    try:
        return dict(parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except ValueError:
        raise HTTPException(413, f"more than {MAX_FIELDS} form fields") from None


# --- the pages -------------------------------------------------------------------------------


def _common(book: Rulebook, large: bool) -> dict[str, Any]:
    return dict(book=book, books=loaded_rulebooks(), scenarios=scenarios(), levels=book.levels, large=large)


@router.get("", response_class=HTMLResponse)
def explorer(scenario: Optional[str] = None, rulebook: Optional[str] = None, large: bool = False) -> HTMLResponse:
    """The explorer: pick a scenario or paste a situation, then change facts and watch the levels."""
    book = _page_book(rulebook)
    chosen = _scenario(scenario)
    workspace = _workspace(chosen.situation.model_dump(mode="json", exclude_none=True), book, chosen) if chosen else None
    return _html("explorer.html.j2", chosen=chosen, workspace=workspace, **_common(book, large))


def _workspace(document: dict[str, Any], book: Rulebook, chosen: Optional[Scenario]) -> dict[str, Any]:
    form = form_of(document)
    _, situation = situation_from_form({"document": form.document_json, **{c.name: c.value for c in form.controls}})
    return dict(form=form, step=step(situation, form, book, None), book=book, levels=book.levels, chosen=chosen)


@router.post("/load", response_class=HTMLResponse)
async def load(request: Request) -> HTMLResponse:
    """A scenario from the library, or a pasted situation (YAML or JSON), as a fresh workspace."""
    from ...formats.inputs import read_situation_text

    fields = await _fields(request)
    try:
        book = _book(fields.get("rulebook"))
        chosen = _scenario(fields.get("scenario")) if not fields.get("text", "").strip() else None
        if chosen is not None:
            situation = chosen.situation
        elif fields.get("text", "").strip():
            text = fields["text"]
            situation = read_situation_text(
                text, where="the pasted situation", syntax="json" if text.lstrip()[:1] == "{" else "yaml"
            )
        else:
            raise InputError([Problem("scenario", "choose a scenario or paste a situation first")])
        return _html("workspace.html.j2", **_workspace(situation.model_dump(mode="json", exclude_none=True), book, chosen))
    except InputError as error:
        return _problems(error)


@router.post("/assess", response_class=HTMLResponse)
async def reassess(request: Request) -> HTMLResponse:
    """Assess what the form says now, and say what changed since the last step."""
    fields = await _fields(request)
    try:
        book = _book(fields.get("rulebook"))
        document, situation = situation_from_form(fields)
    except InputError as error:
        return _problems(error)
    form = form_of(document)
    return _html("results.html.j2", step=step(situation, form, book, fields.get("state")), book=book, levels=book.levels)


@router.post("/target", response_class=HTMLResponse)
async def target(request: Request) -> HTMLResponse:
    """ "What would make this ...?": the smallest changes that bring each child to the level asked for."""
    fields = await _fields(request)
    try:
        book = _book(fields.get("rulebook"))
        level = target_level(fields.get("target", ""), book, field="target")
        _, situation = situation_from_form(fields)
        # The same share of the service's search budget as POST /v1/explain gives one search a child.
        budget = search_budget(len(situation.household.children), searches=1)
        searches = counterfactuals_to(situation, level, book, budget=budget)
    except InputError as error:
        return _problems(error)
    household = situation.household
    return _html("target.html.j2", searches=searches, level=level, book=book, levels=book.levels, household=household)


# --- the quiz --------------------------------------------------------------------------------


@router.get("/quiz", response_class=HTMLResponse)
def quiz(scenario: Optional[str] = None, rulebook: Optional[str] = None, large: bool = False) -> HTMLResponse:
    """The room's quiz: the story and the known facts of one scenario; the room decides, then reveals."""
    from ...workflows.training import known_fact_lines

    book = _page_book(rulebook)
    names = sorted(scenarios())
    chosen = _scenario(scenario) or scenarios()[names[0]]
    following = names[(names.index(chosen.name) + 1) % len(names)]
    return _html(
        "quiz.html.j2",
        chosen=chosen,
        facts=known_fact_lines(chosen.situation.household),
        following=following,
        **_common(book, large),
    )


@router.post("/reveal", response_class=HTMLResponse)
async def reveal(request: Request) -> HTMLResponse:
    """The engine's level with its reasons, and the scenario's own rationale, after the room decided."""
    from ...workflows.training import parse_answer

    fields = await _fields(request)
    try:
        book = _book(fields.get("rulebook"))
    except InputError as error:
        return _problems(error)
    chosen = _scenario(fields.get("scenario"))
    if chosen is None:
        return _problems(InputError([Problem("scenario", "no such scenario in the library")]))
    situation = chosen.situation
    document = situation.model_dump(mode="json", exclude_none=True)
    form = form_of(document)
    answer = parse_answer(fields.get("answer", ""), book)
    return _html(
        "reveal.html.j2",
        step=step(situation, form, book, None),
        chosen=chosen,
        expected=chosen.expected.get(book.id),
        answer=answer,
        book=book,
        levels=book.levels,
        allowed=allowed_levels(book),
    )


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The page's own assets (htmx, the stylesheet): shipped in the package, never fetched elsewhere."""
    if name not in STATIC_FILES:
        raise HTTPException(404, "no such file")
    return FileResponse(STATIC / name, media_type=STATIC_FILES[name], headers={"Cache-Control": "max-age=3600"})
