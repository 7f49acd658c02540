"""The DfE Children in Need census "factors identified at the end of assessment", mapped to facts.

The mapping is national, not per rulebook: one data file, `census/cin-factors.yaml`, lists every
census code with its DfE description and either a `when:` condition in the rule language or a
`not_applicable:` reason. It is read and compiled once; a problem in it is reported with file and
line, like a rulebook's. A child's `cin_factors` are the codes whose condition is true on the
recorded facts: unknown is no match (Semantics 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from ..errors import ConditionError, Problem, RulebookError
from ..formats.yamlfile import YAMLProblem, line_of
from ..language.compile import Condition, Env, compile_condition, reads_child
from .filecache import read_file  # yamlfile.read_file, with parsed files kept between processes

PACKAGE_DIR = Path(__file__).resolve().parent.parent
CENSUS_FILE_NAME = "cin-factors.yaml"

Code = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,2}[A-F]?$")]


class _Entry(BaseModel):
    # Built on first use: only a load from the YAML validates (a compiled mapping from the cache does not).
    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: Code
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
    when: Optional[str] = None
    not_applicable: Optional[Annotated[str, StringConstraints(strip_whitespace=True, min_length=10)]] = None

    @model_validator(mode="after")
    def _one_of(self) -> _Entry:
        if (self.when is None) == (self.not_applicable is None):
            raise ValueError("give exactly one of `when:` (the facts that match) or `not_applicable:` (why none do)")
        return self


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    codes: list[_Entry] = Field(min_length=1)


@dataclass(frozen=True)
class CensusFactor:
    """One census code: mapped (`condition`) or not applicable (`not_applicable`, the reason)."""

    code: str
    description: str
    condition: Optional[Condition]
    not_applicable: Optional[str]
    line: int

    @property
    def kind(self) -> Literal["mapped", "not_applicable"]:
        return "mapped" if self.condition is not None else "not_applicable"


@dataclass(frozen=True)
class CensusMapping:
    path: Path
    factors: tuple[CensusFactor, ...]

    @property
    def codes(self) -> list[str]:
        return [factor.code for factor in self.factors]

    def matches(self, env: Env, shared: Optional[dict[str, bool]] = None) -> list[str]:
        """The codes whose condition is true on the child's known facts, in census code order.

        `shared`, a dict kept across the children of one household, holds the conditions that
        read no fact of a child (only carers and the home), evaluated once per household."""
        found = []
        for factor in self.factors:
            condition = factor.condition
            if condition is None:
                continue
            if shared is None or reads_child(condition.facts):
                true = condition.fast(env) is True
            else:
                held = shared.get(factor.code)
                if held is None:
                    held = shared[factor.code] = condition.fast(env) is True
                true = held
            if true:
                found.append(factor.code)
        return sort_codes(found)


def code_key(code: str) -> tuple[int, str]:
    """Census order: by number, then letter ('2A' < '10A' < '20' < '21' < '22A')."""
    digits = code.rstrip("ABCDEF")
    return int(digits), code[len(digits) :]


def sort_codes(codes: Iterable[str]) -> list[str]:
    return sorted(codes, key=code_key)


def census_file() -> Path:
    """The shipped mapping: inside the installed package, or the source checkout."""
    for root in (PACKAGE_DIR / "_content", PACKAGE_DIR.parent):
        path = root / "census" / CENSUS_FILE_NAME
        if path.is_file():
            return path
    return PACKAGE_DIR.parent / "census" / CENSUS_FILE_NAME


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> CensusMapping:
    """Read and compile once per process; between processes the compiled mapping is kept in the
    user's cache, keyed by the file's bytes and real path (`rulebook/compiled.py`)."""
    import os

    from .compiled import cached

    return cached("census", [os.path.realpath(path)], lambda: load_census(path), _encode, _decode(path))


def _encode(mapping: CensusMapping) -> list[dict[str, object]]:
    """The mapping's factors as JSON data, each condition as its text and tree."""
    from .compiled import encode_condition

    return [
        {
            "code": factor.code,
            "description": factor.description,
            "condition": None if factor.condition is None else encode_condition(factor.condition),
            "not_applicable": factor.not_applicable,
            "line": factor.line,
        }
        for factor in mapping.factors
    ]


def _decode(path: Path) -> Callable[[list[dict[str, Any]]], CensusMapping]:
    """What turns `_encode`'s data back into the mapping of `path` (raising on anything else)."""
    from .compiled import check_int, check_str, decode_condition

    def decode(data: list[dict[str, Any]]) -> CensusMapping:
        return CensusMapping(
            path,
            tuple(
                CensusFactor(
                    check_str(item["code"]),
                    check_str(item["description"]),
                    None if item["condition"] is None else decode_condition(item["condition"]),
                    None if item["not_applicable"] is None else check_str(item["not_applicable"]),
                    check_int(item["line"]),
                )
                for item in data
            ),
        )

    return decode


@cache
def census_mapping() -> CensusMapping:
    """The shipped mapping, read and compiled once (looked up once too: every child of every
    assessment asks for it)."""
    return _load_cached(census_file())


def load_census(path: Path) -> CensusMapping:
    """Read and compile a census mapping; raise RulebookError with every problem, by file:line."""
    problems: list[Problem] = []
    try:
        document = read_file(path)
    except YAMLProblem as exc:
        raise RulebookError([exc.problem], source=str(path)) from None
    try:
        parsed = _File.model_validate(document)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = line_of(document, loc)
            dotted = ".".join(str(part) for part in loc)
            problems.append(
                Problem(
                    f"{path}:{line}" if line else str(path),
                    f"{dotted}: {error['msg']}" if dotted else error["msg"],
                    code=error["type"],
                )
            )
        raise RulebookError(problems, source=str(path)) from None
    factors: list[CensusFactor] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(parsed.codes):
        line = line_of(document, ("codes", index)) or 0
        where = f"{path}:{line}" if line else str(path)
        if entry.code in seen:
            problems.append(
                Problem(where, f"code {entry.code} is listed twice", found=f"also on line {seen[entry.code]}", code="duplicate")
            )
            continue
        seen[entry.code] = line
        condition: Optional[Condition] = None
        if entry.when is not None:
            when_line = line_of(document, ("codes", index, "when")) or line
            try:
                condition = compile_condition(entry.when)
            except ConditionError as exc:
                problems.append(
                    Problem(
                        f"{path}:{when_line}",
                        f"{entry.code}: {exc}",
                        code="condition",
                        expected=exc.expected,
                        suggestion=exc.suggestion,
                    )
                )
                continue
            if "household.consent" in condition.facts or "child.age_months" in condition.facts:
                problems.append(
                    Problem(f"{path}:{when_line}", f"{entry.code}: a census factor reads what happened, not consent or age")
                )
                continue
        factors.append(CensusFactor(entry.code, entry.description, condition, entry.not_applicable, line))
    if problems:
        raise RulebookError(problems, source=str(path))
    return CensusMapping(path, tuple(sorted(factors, key=lambda f: code_key(f.code))))
