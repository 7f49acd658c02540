"""`needs new`: an interview that builds a situation file as the screener answers.

The order is the one a front door works in: who is in the household (children with an age,
carers with a role, consent), then every red flag on one screen, then the remaining facts in the
order the engine ranks its questions (`Assessment.questions`, most consequential first), asked
afresh after every answer because each answer changes what matters next. After each answer the
screener sees the level now and how high it could still go. "Don't know" is always an answer
(written as `unknown`), and skipping is always allowed (nothing is written). It stops when no
question it has not asked could change any child's level, or when the screener says so.

The file is written after every answer, so an interview cut short loses nothing, and
`needs new --continue FILE` takes it up again. The terminal is reached only through `Prompts`,
so the flow runs in tests with scripted answers; prompts.py is the terminal implementation.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Protocol

from ..engine.assess import assess
from ..errors import InputError
from ..explain.addresses import Address, parse_value
from ..formats.inputs import situation_from_document
from ..model.assessment import Assessment, Question
from ..model.catalogue import FactSpec
from ..model.facts import is_unknown_word
from ..model.situation import CarerRole, Consent
from ..rulebook.book import Rulebook
from .answers import AGE_HELP, carer_ids, fact_spec, read_age, record, recorded, set_age
from .checklist import Grid, build_grid, columns_that_fit, red_flag_facts
from .document import situation_yaml

DONT_KNOW = "unknown"
SKIP = object()
"""The answer that writes nothing."""
STOP = object()
"""The answer that ends the interview (what was answered is kept)."""

HEADER = "Written by `needs new`. Each value's comment says what it means; `unknown` means not known yet.\nAssess it with: needs assess FILE    Go on with the interview: needs new --continue FILE"


class Prompts(Protocol):
    """What the interview asks of a terminal. Each question returns the answer, SKIP or STOP."""

    def say(self, text: str) -> None: ...

    def count(self, message: str, *, low: int, high: int, default: int) -> Any: ...

    def text(self, message: str, *, help: str, read: Callable[[str], Any]) -> Any:
        """Free text, read by `read` (which raises ValueError with a message to show)."""
        ...

    def choose(self, message: str, options: list[tuple[Any, str, str]], *, help: str = "") -> Any:
        """One of `options` (value, label, definition), or DONT_KNOW, SKIP or STOP."""
        ...

    def checklist(self, grid: Grid) -> Optional[Grid]: ...


@dataclass
class Interview:
    """One interview: the document so far, where it is saved, and what has been asked."""

    path: Path
    book: Rulebook
    prompts: Prompts
    document: dict[str, Any] = field(default_factory=lambda: {"household": {}})
    asked: set[tuple[str, str]] = field(default_factory=set)
    numbered: int = 0
    """How many of the engine's questions have been put so far."""

    # --- the flow ---------------------------------------------------------------------------

    def run(self, *, continuing: bool = False) -> Assessment:
        """The whole interview; returns the assessment of the file as finally written."""
        if not continuing and not self.household():
            return self.assessment()
        if continuing:
            self.prompts.say(self.status(self.assessment()))
            if not self.consent_if_unknown():
                return self.assessment()
        if not self.red_flags():
            return self.assessment()
        self.ranked_questions()
        return self.assessment()

    def household(self) -> bool:
        """Children with their ages, carers with their roles, and consent. False if the screener
        stopped (what was answered is saved, with a carer of unknown role if none was given yet)."""
        household = self.document["household"]
        number = self.prompts.count("How many children are in the household, unborn babies included?", low=1, high=20, default=1)
        if number is STOP:
            return False
        household["children"] = [{"id": f"c{n}"} for n in range(1, number + 1)]
        stopped = False
        for child in household["children"]:
            answer = self.prompts.text(f"How old is {child['id']}?", help=AGE_HELP, read=read_age)
            if answer is STOP:
                stopped = True
                break
            if answer is not SKIP:
                set_age(child, answer)
            self.asked.add((f"child:{child['id']}", "child.age_months"))
        roles: list[Optional[str]] = []
        carers: Any = STOP if stopped else self.prompts.count("How many adults care for the children?", low=1, high=12, default=1)
        stopped = carers is STOP
        for n in range(1, 1 if stopped else carers + 1):
            role = self.prompts.choose(f"Carer {n}: how are they related to the children?", _options(CarerRole))
            if role is STOP:
                stopped = True
                break
            roles.append(role if isinstance(role, str) and role != DONT_KNOW else None)
        roles = roles or [None]  # a household has a carer: one whose role is not known yet says so
        household["carers"] = [
            {"id": carer_id, "role": role or DONT_KNOW} for carer_id, role in zip(carer_ids(roles), roles, strict=True)
        ]
        self.save()
        return not stopped and self.consent_if_unknown()

    def consent_if_unknown(self) -> bool:
        """Ask for consent unless the file has it. It never changes a level, so the engine never
        asks it, but the response depends on it (Early Help needs it). False if stopped."""
        household = self.document["household"]
        if household.get("consent") is not None and not is_unknown_word(household["consent"]):
            return True
        consent = self.prompts.choose(CONSENT_QUESTION, _options(Consent))
        if consent is STOP:
            return False
        if consent is not SKIP:
            household["consent"] = consent
            self.save()
        return True

    def red_flags(self) -> bool:
        """Every red flag on one screen (in groups of children as wide as the terminal). False if stopped."""
        children = self.document["household"]["children"]
        size = columns_that_fit()
        for start in range(0, len(children), size):
            group = children[start : start + size]
            subjects = ["household", *(f"child:{child['id']}" for child in group)]
            answered = {
                (subject, spec.dotted): recorded(self.document, subject, spec.dotted)
                for spec, _passes in red_flag_facts(self.book)
                for subject in subjects
                if (spec.root == "household") == (subject == "household")
            }
            # The household's own red flags (immediate danger) are on the first screen only.
            grid = build_grid(self.book, group, answered, household=start == 0)
            if not grid.rows:
                continue
            answered_grid = self.prompts.checklist(grid)
            if answered_grid is None:
                return False
            for subject, spec, value in answered_grid.answers():
                record(self.document, subject, spec.dotted, value)
                self.asked.add((subject, spec.dotted))
            self.save()
        self.prompts.say(self.status(self.assessment()))
        return True

    def ranked_questions(self) -> None:
        """Ask the engine's questions, most consequential first, until none is left or the screener stops.

        The ranking is read afresh after every answer (an answer changes what matters next);
        a question skipped leaves the case, and so the ranking, as it was."""
        result = self.assessment()
        while True:
            question = next((q for q in result.questions if (q.subject, q.fact) not in self.asked), None)
            if question is None:
                self.prompts.say(self.closing(result))
                return
            self.asked.add((question.subject, question.fact))
            answer = self.ask(question, result)
            if answer is STOP:
                self.prompts.say("Stopped; everything answered so far is saved.")
                return
            if answer is not SKIP:
                self.save()
                result = self.assessment()
                self.prompts.say(self.status(result))

    # --- one question -------------------------------------------------------------------------

    def ask(self, question: Question, result: Assessment) -> Any:
        """Ask one of the engine's questions and record the answer; returns it (or SKIP/STOP)."""
        spec = fact_spec(question.fact)
        left = sum(1 for q in result.questions if (q.subject, q.fact) not in self.asked)
        message = f"{self.who(question.subject, result)}: {question.ask}"
        hint = f"could raise the level to {self.book.label(question.could_raise_to)}; {left} more after this"
        # The fact's place in the file, so the screener can find it there later.
        self.numbered += 1
        self.prompts.say(
            f"Question {self.numbered} · {question.subject.partition(':')[2] or 'household'} · {question.fact}\n  {hint}"
        )
        if question.fact == "child.age_months":
            answer = self.prompts.text(message, help=AGE_HELP, read=read_age)
            if answer is not SKIP and answer is not STOP:
                child, _key = self._child(question.subject)
                set_age(child, answer)
                if answer is None:
                    child["age_months"] = DONT_KNOW
            return answer
        if spec.kind == "number":
            address = Address(question.subject, question.fact)
            answer = self.prompts.text(
                message,
                help=_number_help(spec),
                read=lambda text: _read_number(address, text),
            )
            if answer is None:
                answer = DONT_KNOW
        else:
            answer = self.prompts.choose(message, _fact_options(spec))
        if answer is not SKIP and answer is not STOP:
            record(self.document, question.subject, question.fact, answer)
        return answer

    def _child(self, subject: str) -> tuple[dict[str, Any], str]:
        wanted = subject.partition(":")[2]
        return next(c for c in self.document["household"]["children"] if c["id"] == wanted), wanted

    def who(self, subject: str, result: Assessment) -> str:
        """The subject as the screener knows it: 'c1 (4 months)', 'm (mother)', 'The household'."""
        kind, _, wanted = subject.partition(":")
        if kind == "household":
            return "The household"
        if kind == "child":
            child = next((c for c in result.children if c.child_id == wanted), None)
            return f"{wanted} ({child.age})" if child is not None else wanted
        carer: dict[str, Any] = next((c for c in self.document["household"]["carers"] if c["id"] == wanted), {})
        role = carer.get("role")
        return f"{wanted} ({role.replace('_', ' ')})" if isinstance(role, str) and not is_unknown_word(role) else wanted

    # --- the case so far ------------------------------------------------------------------------

    def assessment(self) -> Assessment:
        """The assessment of the document as it stands (it is always a valid situation)."""
        return assess(situation_from_document(self.document, where=str(self.path)), self.book)

    def status(self, result: Assessment) -> str:
        """The level now and how high it could still go, for the family and each child."""
        label = self.book.label
        if result.possible_level > result.level:
            head = f"Family level now: {label(result.level)}; could still be as high as {label(result.possible_level)}."
        else:
            head = f"Family level now: {label(result.level)}; no unknown fact can raise it."
        parts = []
        for child in result.children:
            reach = f", up to {label(child.possible_level)}" if child.possible_level > child.level else ", settled"
            parts.append(f"{child.child_id} {label(child.level)}{reach}")
        return head + "\n  " + "; ".join(parts)

    def closing(self, result: Assessment) -> str:
        """What the interview leaves behind: every child settled, or the unknowns still open."""
        if not result.questions:
            return f"Every child's level is settled: no unknown fact can change it.\n{self.status(result)}"
        first = result.questions[0]
        return (
            f"No question left that has not been asked. {len(result.questions)} fact(s) answered "
            f"don't know or skipped could still raise a level; the most consequential: "
            f"{self.who(first.subject, result)}: {first.ask}\n{self.status(result)}"
        )

    def save(self) -> None:
        """Write the document, atomically: a reader never sees half a file."""
        situation_from_document(self.document, where=str(self.path))  # never write a file `assess` refuses
        text = situation_yaml(self.document, header=HEADER.replace("FILE", self.path.name))
        folder = self.path.parent if str(self.path.parent) else Path(".")
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


CONSENT_QUESTION = "Has the family consented to early help and to information being shared?"


def _options(choices: Any) -> list[tuple[Any, str, str]]:
    return [(member.value, member.label, member.definition) for member in choices]


def _fact_options(spec: FactSpec) -> list[tuple[Any, str, str]]:
    if spec.kind == "flag":
        return [(True, "Yes", spec.description), (False, "No", "")]
    assert spec.choices is not None
    return _options(spec.choices)


def _number_help(spec: FactSpec) -> str:
    whole = "a whole number" if spec.integer else "a number"
    return (
        f"{whole} from {spec.minimum:g} to {spec.maximum:g}" if spec.minimum is not None and spec.maximum is not None else whole
    )


def _read_number(address: Address, text: str) -> Any:
    """A number typed for `address`, via the same reader `what-if --set` uses."""
    if text.strip() in ("?", ""):
        return None
    try:
        return parse_value(address, text)
    except InputError as exc:
        raise ValueError(exc.problems[0].msg) from None


def continue_document(path: Path) -> dict[str, Any]:
    """A saved case, read and checked as `needs assess` reads it, to take the interview up again."""
    from ..formats.inputs import read_situation
    from ..formats.yamlfile import plain_document, read_file

    read_situation(path)  # one clear message (file, line, field) if it is not a valid situation
    document: dict[str, Any] = plain_document(read_file(path))
    return document


__all__ = ["DONT_KNOW", "SKIP", "STOP", "Interview", "Prompts", "continue_document"]
