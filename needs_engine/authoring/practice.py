"""Practice probes: published threshold lines, each with the response its publisher gave.

`tests/practice/<publisher>.yaml` holds, for one published threshold document, the publisher's
own levels and the response tiers each level means in that publisher's scheme, then single-
indicator probes and worked examples paraphrased from it, each as the smallest situation that
states it. `needs rules agreement` assesses every probe under a rulebook and scores the response
tier it reaches against the publishers' (docs/agreement.md). The files are data about publishers,
never about our rulebooks: a probe records what its publisher said, whatever the engine says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from ..errors import InputError, Problem
from ..formats.inputs import situation_from_document
from ..formats.validation import problems_from_validation
from ..formats.yamlfile import YAMLProblem, read_file
from ..model.situation import Situation
from ..model.tiers import Tier

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3)]
ProbeId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SchemeLevel(_Strict):
    """One of the publisher's levels and the response tiers it means in the publisher's own words."""

    level: Text
    tiers: list[Tier] = Field(min_length=1)
    meaning: Text


class Probe(_Strict):
    """One published line (or worked example) as a situation, with the publisher's level."""

    id: ProbeId
    says: Text
    """Our paraphrase of the publisher's line, never its text."""
    section: Text
    """Where in the document: the level, the domain or table, the page or paragraph."""
    level: Text
    """The publisher's own level for it, as named in `scheme`."""
    tiers: Optional[list[Tier]] = None
    """Only when the line names its own response (for example 'refer for s47 enquiries')."""
    situation: dict[str, Any]
    child: str = "c1"
    indicator: Optional[str] = None
    """Probes of several publishers with the same indicator are one line, scored together; by
    default the indicator is the set of concern facts the situation records (ages aside)."""
    note: Optional[str] = None


class NotExpressible(_Strict):
    """A published line the situation model cannot state, kept so the gap is visible."""

    says: Text
    section: Text
    level: Text
    missing: Text


class PracticeFile(_Strict):
    """`tests/practice/<publisher>.yaml`."""

    publisher: Text
    document: Text
    edition: Text
    address: Text
    scheme_source: Text
    scheme: list[SchemeLevel] = Field(min_length=2)
    probes: list[Probe] = Field(default_factory=list)
    worked_examples: list[Probe] = Field(default_factory=list)
    not_expressible: list[NotExpressible] = Field(default_factory=list)

    @model_validator(mode="after")
    def _levels_named(self) -> PracticeFile:
        names = {entry.level for entry in self.scheme}
        every: list[Union[Probe, NotExpressible]] = [*self.probes, *self.worked_examples, *self.not_expressible]
        for probe in every:
            if probe.level not in names:
                raise ValueError(f"level '{probe.level}' is not one of the scheme's levels ({', '.join(sorted(names))})")
        return self

    def tiers_of(self, probe: Probe) -> frozenset[Tier]:
        """The tiers the publisher's level for this probe means (the probe's own, if it names one)."""
        if probe.tiers:
            return frozenset(probe.tiers)
        return frozenset(next(entry.tiers for entry in self.scheme if entry.level == probe.level))


class LoadedProbe(BaseModel):
    """A probe ready to assess: its publisher, its situation and the tiers its publisher gave."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    publisher: str
    file: str
    kind: str
    says: str
    section: str
    level: str
    tiers: frozenset[Tier]
    situation: Situation
    child: str
    indicator: str


def default_folder() -> Path:
    """`tests/practice` of the working directory, else of the source checkout the package runs from."""
    here = Path("tests/practice")
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "tests" / "practice"


def read_practice(folder: Path) -> list[LoadedProbe]:
    """Every probe and worked example under `folder`, validated, or one InputError naming them all."""
    problems: list[Problem] = []
    probes: list[LoadedProbe] = []
    seen: dict[str, str] = {}
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise InputError([Problem(str(folder), "no practice files found", code="missing", expected="*.yaml files")])
    for path in paths:
        try:
            document = read_file(path)
        except YAMLProblem as exc:
            problems.append(exc.problem)
            continue
        try:
            parsed = PracticeFile.model_validate(document)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, document, str(path)))
            continue
        for kind, entries in (("probe", parsed.probes), ("worked example", parsed.worked_examples)):
            for probe in entries:
                where = f"{path}: {probe.id}"
                if probe.id in seen:
                    problems.append(Problem(where, f"duplicate probe id '{probe.id}'", found=f"also in {seen[probe.id]}"))
                    continue
                seen[probe.id] = str(path)
                try:
                    situation = situation_from_document(probe.situation, where=where)
                except InputError as exc:
                    problems.extend(exc.problems)
                    continue
                if probe.child not in {child.id for child in situation.household.children}:
                    problems.append(Problem(where, f"child '{probe.child}' is not in the situation", code="reference"))
                    continue
                probes.append(
                    LoadedProbe(
                        id=probe.id,
                        publisher=parsed.publisher,
                        file=path.name,
                        kind=kind,
                        says=probe.says,
                        section=probe.section,
                        level=probe.level,
                        tiers=parsed.tiers_of(probe),
                        situation=situation,
                        child=probe.child,
                        indicator=probe.indicator or indicator_of(probe.situation),
                    )
                )
    if problems:
        raise InputError(problems)
    return probes


_DESCRIPTIVE = {"id", "age_months", "age_years", "age_band", "unborn_weeks", "role", "reference", "name"}


def indicator_of(document: dict[str, Any]) -> str:
    """The concern facts a probe's situation records, as sorted `path=value` pairs, ages and ids aside."""
    pairs: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key not in _DESCRIPTIVE:
                    walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        elif value is not None and value != "unknown":
            pairs.append(f"{path}={value}")

    walk(document.get("household", {}), "")
    return " & ".join(sorted(set(pairs)))
