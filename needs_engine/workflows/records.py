"""Decision records: what was decided, under which rules, so the decision can be checked later.

A record holds the sha256 of the validated situation (its canonical JSON), the rulebook's id,
version and content hash, the engine version, the UTC time, the computed and final levels of
the family and of each child, their response tiers, the descriptors that fired for each child and
any override with its reasons. The situation itself is kept only when asked (`include_input`), because it may hold
personal details; the hash is enough to prove, later, that a given file is the one assessed.

`replay` re-assesses the situation under the current (or another) rulebook and lists every
difference from the record: a different input, a changed rulebook, a child's level moving,
descriptors that now fire or no longer fire, an override whose status changed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Final, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .._version import __version__
from ..errors import EnvironmentFault, InputError, Problem
from ..model.assessment import Assessment, Override, OverrideRecord, RulebookRef
from ..model.glossary import describe
from ..model.levels import Level
from ..model.situation import Situation
from ..model.tiers import Tier

RECORD_FORMAT: Final = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_extra=describe)


class ChildDecision(_Frozen):
    """One child's part of a decision."""

    child_id: str
    level: Level = Field(description="The level the rules gave this child (overrides apply to the family level).")
    possible_level: Level
    fired: list[str] = Field(description="Ids of the descriptors that fired, by level then id.")
    tier: Optional[Tier] = Field(
        default=None, description="The child's response tier (ChildAssessment.tier); absent from records made before tiers."
    )


class DecisionRecord(_Frozen):
    """A saved decision: enough to prove what was assessed, under which rules, with what result."""

    record_format: Literal[1] = RECORD_FORMAT
    created_at: str = Field(description="UTC time the record was made, ISO 8601, e.g. 2026-11-23T18:00:00Z.")
    engine_version: str
    input_hash: str = Field(description="sha256 of the canonical JSON of the validated situation.")
    input: Optional[dict[str, Any]] = Field(default=None, description="The validated situation; only when asked for.")
    reference: Optional[str] = Field(default=None, description="The household's case reference, if it had one.")
    rulebook: RulebookRef
    computed_level: Level = Field(description="The family level the rules gave.")
    level: Level = Field(description="The final family level (the override's, if there is one).")
    possible_level: Level
    children: list[ChildDecision]
    override: Optional[OverrideRecord] = None
    tier: Optional[Tier] = Field(
        default=None,
        description="The family's response tier (Assessment.tier); absent from records made before tiers.",
    )

    @model_validator(mode="after")
    def _each_child_once(self) -> DecisionRecord:
        # Replay compares children by id: a repeated id would hide one of the recorded levels.
        ids = [child.child_id for child in self.children]
        repeated = sorted({child_id for child_id in ids if ids.count(child_id) > 1})
        if repeated:
            raise ValueError(f"child {', '.join(repeated)} appears twice; a record holds each child once")
        return self


# --- making and saving records ---------------------------------------------------------------


def canonical_situation(situation: Situation) -> dict[str, Any]:
    """The validated situation as plain JSON data, children and carers in id order.

    The engine's result does not depend on input order (Semantics 10), so neither does the hash.
    """
    data = situation.model_dump(mode="json")
    household = data["household"]
    household["children"] = sorted(household["children"], key=lambda child: child["id"])
    household["carers"] = sorted(household["carers"], key=lambda carer: carer["id"])
    return data


def canonical_json(data: Any) -> str:
    """Compact JSON with sorted keys: equal data gives equal text, so equal hashes."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def input_hash(situation: Situation) -> str:
    """sha256 of the canonical JSON of the validated situation, as 'sha256:<hex>'."""
    return "sha256:" + hashlib.sha256(canonical_json(canonical_situation(situation)).encode()).hexdigest()


def make_record(
    situation: Situation, assessment: Assessment, *, include_input: bool = False, now: Optional[datetime] = None
) -> DecisionRecord:
    """Record `assessment` of `situation` (keeping the situation itself only if `include_input`)."""
    when = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    return DecisionRecord(
        created_at=when.isoformat().replace("+00:00", "Z"),
        engine_version=assessment.engine_version,
        input_hash=input_hash(situation),
        input=canonical_situation(situation) if include_input else None,
        reference=assessment.reference,
        rulebook=assessment.rulebook,
        computed_level=assessment.computed_level,
        level=assessment.level,
        possible_level=assessment.possible_level,
        children=[
            ChildDecision(
                child_id=child.child_id,
                level=child.level,
                possible_level=child.possible_level,
                # Every rung that fired, the folded lower rungs too: a replay must see a rung move.
                fired=child.fired_ids(),
                tier=child.tier,
            )
            for child in assessment.children
        ],
        override=assessment.override,
        tier=assessment.tier,
    )


def write_record(record: DecisionRecord, directory: Path) -> Path:
    """Write `record` into `directory` as <UTC time>-<short input hash>.json and return the path.

    Never overwrites: a second record of the same input in the same second gets a suffix.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError([Problem(str(directory), f"cannot make the record directory: {exc.strerror or exc}")]) from None
    stamp = record.created_at.replace("-", "").replace(":", "")
    stem = f"{stamp}-{record.input_hash.removeprefix('sha256:')[:12]}"
    text = record.model_dump_json(indent=2) + "\n"
    for attempt in range(1, 1000):
        path = directory / (f"{stem}.json" if attempt == 1 else f"{stem}-{attempt}.json")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise EnvironmentFault.of(path, exc) from None
    raise InputError([Problem(str(directory), "too many records with the same name", code="exists")])


def read_record(path: Path) -> DecisionRecord:
    """Read a record file, or raise InputError naming the file and the field."""
    from ..formats.yamlfile import YAMLProblem, read_file

    try:
        document = read_file(path, syntax="json")
    except YAMLProblem as exc:
        raise InputError([exc.problem], source="not a decision record") from None
    try:
        return DecisionRecord.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            dotted = ".".join(str(part) for part in error["loc"])
            problems.append(
                Problem(str(path), f"{dotted}: {error['msg'].lower()}" if dotted else error["msg"].lower(), code=error["type"])
            )
        raise InputError(problems, source="not a decision record") from None


# --- replay ----------------------------------------------------------------------------------


class Difference(_Frozen):
    """One way a replayed decision differs from its record."""

    kind: Literal[
        "input_hash",
        "rulebook_id",
        "rulebook_version",
        "rulebook_hash",
        "family_level",
        "family_tier",
        "computed_level",
        "possible_level",
        "child_added",
        "child_removed",
        "child_level",
        "child_possible_level",
        "child_tier",
        "descriptor_now_fires",
        "descriptor_no_longer_fires",
        "override",
    ]
    child_id: Optional[str] = None
    was: Optional[str] = None
    now: Optional[str] = None
    message: str


class ReplayReport(_Frozen):
    """The result of replaying a record: identical, or every difference found."""

    identical: bool
    differences: list[Difference]
    recorded_engine_version: str
    engine_version: str
    rulebook: RulebookRef = Field(description="The rulebook the replay used.")


def replay(record: DecisionRecord, situation: Situation, rulebook: Union[str, Path, None] = None) -> ReplayReport:
    """Re-assess `situation` under `rulebook` (by default the record's rulebook id) and compare.

    The record's override, if any, is applied again; if it is no longer allowed (say, the level it
    raised to is now below the computed level and no second person was recorded), that is reported
    as an override difference rather than raised.
    """
    from ..engine.assess import assess
    from ..rulebook.load import load_rulebook

    book = load_rulebook(rulebook if rulebook is not None else _shipped_id(record))
    differences: list[Difference] = []
    new_hash = input_hash(situation)
    if new_hash != record.input_hash:
        differences.append(
            Difference(
                kind="input_hash",
                was=record.input_hash,
                now=new_hash,
                message="the situation is not the one recorded (its hash differs)",
            )
        )
    override = _recorded_override(record)
    override_problem: Optional[str] = None
    try:
        assessment = assess(situation, book, override=override)
    except InputError as exc:
        if override is None:
            raise
        override_problem = exc.describe()
        assessment = assess(situation, book)
    replayed = make_record(situation, assessment)
    differences += _rulebook_differences(record.rulebook, replayed.rulebook)
    differences += _level_differences(record, replayed)
    differences += _override_differences(record.override, replayed.override, override_problem)
    return ReplayReport(
        identical=not differences,
        differences=differences,
        recorded_engine_version=record.engine_version,
        engine_version=__version__,
        rulebook=replayed.rulebook,
    )


def _shipped_id(record: DecisionRecord) -> str:
    """The record's rulebook id, if needs-engine ships it: an id in a record is never read as a path."""
    from ..rulebook.load import shipped_rulebooks

    if record.rulebook.id not in shipped_rulebooks():
        raise InputError(
            [
                Problem(
                    "rulebook",
                    f"the record was made under '{record.rulebook.id}', which is not a shipped rulebook",
                    code="unknown_rulebook",
                    expected="--rulebook PATH naming that rulebook, or a record made under " + ", ".join(shipped_rulebooks()),
                )
            ]
        )
    return record.rulebook.id


def _recorded_override(record: DecisionRecord) -> Optional[Override]:
    if record.override is None:
        return None
    kept = record.override
    return Override(level=kept.final_level, reason=kept.reason, by=kept.by, second_person=kept.second_person)


def _changed(kind: Any, was: Any, now: Any, message: str, child_id: Optional[str] = None) -> list[Difference]:
    if was == now:
        return []
    shown = [value.value if isinstance(value, Enum) else value for value in (was, now)]
    return [Difference(kind=kind, child_id=child_id, was=shown[0], now=shown[1], message=f"{message}: {shown[0]} → {shown[1]}")]


def _rulebook_differences(was: RulebookRef, now: RulebookRef) -> list[Difference]:
    return [
        *_changed("rulebook_id", was.id, now.id, "rulebook"),
        *_changed("rulebook_version", was.version, now.version, "rulebook version"),
        *_changed("rulebook_hash", was.content_hash, now.content_hash, "rulebook content hash"),
    ]


def _level_differences(was: DecisionRecord, now: DecisionRecord) -> list[Difference]:
    found = [
        *_changed("family_level", was.level, now.level, "family level"),
        *_changed("computed_level", was.computed_level, now.computed_level, "computed family level"),
        *_changed("possible_level", was.possible_level, now.possible_level, "possible family level"),
        *_tier_changed("family_tier", was.tier, now.tier, "family tier"),
    ]
    old_children = {child.child_id: child for child in was.children}
    new_children = {child.child_id: child for child in now.children}
    for child_id in sorted(old_children.keys() | new_children.keys()):
        old, new = old_children.get(child_id), new_children.get(child_id)
        if old is None or new is None:
            kind: Literal["child_added", "child_removed"] = "child_added" if old is None else "child_removed"
            words = "is in the situation but not the record" if old is None else "is in the record but not the situation"
            found.append(Difference(kind=kind, child_id=child_id, message=f"child {child_id} {words}"))
            continue
        found += _changed("child_level", old.level, new.level, f"child {child_id} level", child_id)
        found += _changed(
            "child_possible_level", old.possible_level, new.possible_level, f"child {child_id} possible level", child_id
        )
        found += _tier_changed("child_tier", old.tier, new.tier, f"child {child_id} tier", child_id)
        found += _fired_differences(child_id, old.fired, new.fired)
    return found


def _tier_changed(
    kind: Any, was: Optional[Tier], now: Optional[Tier], message: str, child_id: Optional[str] = None
) -> list[Difference]:
    """A tier that moved (a recalibration can move one without a level); a record made before tiers has none to compare."""
    return [] if was is None else _changed(kind, was, now, message, child_id)


def _fired_differences(child_id: str, was: list[str], now: list[str]) -> list[Difference]:
    gained = [
        Difference(kind="descriptor_now_fires", child_id=child_id, now=d, message=f"child {child_id}: {d} now fires")
        for d in sorted(set(now) - set(was))
    ]
    lost = [
        Difference(kind="descriptor_no_longer_fires", child_id=child_id, was=d, message=f"child {child_id}: {d} no longer fires")
        for d in sorted(set(was) - set(now))
    ]
    return gained + lost


def _override_differences(
    was: Optional[OverrideRecord], now: Optional[OverrideRecord], problem: Optional[str]
) -> list[Difference]:
    if was is None:
        return []
    if problem is not None:
        return [Difference(kind="override", was=was.direction, message=f"the recorded override is no longer allowed: {problem}")]
    assert now is not None
    if now.direction != was.direction:
        return _changed("override", was.direction, now.direction, f"override to {was.final_level.value} is now")
    return []
