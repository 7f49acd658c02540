"""Hypothesis strategies for situations, derived from the fact catalogue (not a hand-kept list).

A fact added to the model is generated, worsened and resolved here automatically.
They live in the package, not only beside the tests, because `needs rules check` searches an
author's rulebook with them too.

Situations are mostly benign (facts at their least worrying value or unknown) with a few
concerns, so that one more worsening can matter: a situation already at Safeguarding proves
nothing about monotonicity.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from needs_engine.model.ages import AgeBandName, AgeSpan, applies_span
from needs_engine.model.catalogue import FactSpec, facts_by_root
from needs_engine.model.situation import Child

ENTITY_ROOTS = ("child", "carer", "home", "household", "strengths")
# Facts the generator sets itself (age) or that are derived (unborn).
_SPECIAL = {("child", ("age_months",)), ("child", ("unborn_weeks",)), ("child", ("unborn",))}
_AGE_KEYS = ("age_months", "age_years", "age_band", "unborn_weeks")


def child_span(child: dict[str, Any]) -> AgeSpan:
    """The ages a child document allows: its age fields, narrowed by the concerns recorded for it."""
    ages = {key: child[key] for key in _AGE_KEYS if key in child}
    span = Child.model_validate({"id": "c", **ages}).stated_age_span()
    for spec in settable("child"):
        value = get(child, spec.path)
        if value is not None and spec.is_concern and value != best_value(spec):
            span = span.intersect(applies_span(".".join(spec.path)))
    return span


def can_record(child: dict[str, Any], spec: FactSpec) -> bool:
    """Whether a value of concern of child fact `spec` can describe the child (Semantics 14)."""
    return _recordable(child_span(child), spec)


def _recordable(span: AgeSpan, spec: FactSpec) -> bool:
    return not span.intersect(applies_span(".".join(spec.path))).empty


def settable(root: str) -> list[FactSpec]:
    """Facts of `root` that a situation document sets directly."""
    return [spec for spec in facts_by_root()[root].values() if (root, spec.path) not in _SPECIAL]


def best_value(spec: FactSpec) -> Any:
    """The least worrying value: what a family with no concern in this area would have."""
    return spec.best()


def values(spec: FactSpec) -> st.SearchStrategy[Any]:
    """Any valid known value of a fact; shrinks towards the least worrying."""
    if spec.kind == "flag":
        return st.booleans()
    if spec.kind in ("ordinal", "choice"):
        assert spec.choices is not None
        return st.sampled_from([member.value for member in spec.choices])
    low, high = spec.minimum or 0, spec.maximum if spec.maximum is not None else 100
    if spec.integer:
        ints = st.integers(int(low), int(high))
        return ints.map(lambda v: int(high) - v + int(low)) if spec.direction == "lower_is_worse" else ints
    return st.floats(low, high, allow_nan=False).map(lambda v: round(v, 1))


@dataclass(frozen=True)
class Place:
    """Where a fact sits in a situation document: the entity's key path, and the fact's spec."""

    entity: tuple[Any, ...]
    spec: FactSpec

    @property
    def key(self) -> tuple[Any, ...]:
        return (*self.entity, *self.spec.path)


def entity_path(root: str, index: int = 0) -> tuple[Any, ...]:
    return {
        "child": ("household", "children", index),
        "carer": ("household", "carers", index),
        "home": ("household", "home"),
        "household": ("household",),
        "strengths": ("household", "strengths"),
    }[root]


def places(situation: dict[str, Any]) -> list[Place]:
    """Every fact of every entity in the situation."""
    household = situation["household"]
    found = []
    for root in ENTITY_ROOTS:
        count = len(household["children"]) if root == "child" else len(household["carers"]) if root == "carer" else 1
        for i in range(count):
            specs = settable(root)
            if root == "child":
                span = child_span(household["children"][i])  # once per child, not once per fact
                specs = [spec for spec in specs if not spec.is_concern or _recordable(span, spec)]
            found += [Place(entity_path(root, i), spec) for spec in specs]
    return found


def get(situation: dict[str, Any], key: tuple[Any, ...]) -> Any:
    node: Any = situation
    for part in key:
        if isinstance(node, list):
            node = node[part]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return None if node == "unknown" else node


def put(situation: dict[str, Any], key: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A copy of the situation with the fact at `key` set to `value`.

    Only the containers on the path to `key` are copied; every other part is shared with
    `situation`, which is never changed. A sweep puts thousands of values into one situation, and a
    deep copy of the whole document for each was a fifth of its time. Callers treat situations as
    values (they put, never change in place), so the sharing cannot be seen."""
    changed: Any = copy.copy(situation)
    node: Any = changed
    for part in key[:-1]:
        inner = node[part] if isinstance(node, list) else node.get(part, {})
        node[part] = copy.copy(inner)
        node = node[part]
    node[key[-1]] = value
    return changed  # type: ignore[no-any-return]


def set_path(entity: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set a fact in an entity's document in place, making the sections on its path as needed."""
    for part in path[:-1]:
        entity = entity.setdefault(part, {})
    entity[path[-1]] = value


def _fill(draw: st.DrawFn, root: str, base: dict[str, Any], known_share: float) -> dict[str, Any]:
    entity = copy.deepcopy(base)
    for spec in settable(root):
        roll = draw(st.integers(0, 99))
        if roll < known_share * 100:
            value: Any = best_value(spec)
        elif roll < known_share * 100 + 10:
            value = "unknown"
        else:
            continue
        set_path(entity, spec.path, value)
    return entity


@st.composite
def ages(draw: st.DrawFn) -> dict[str, Any]:
    """An age: months (0-19 years), unborn weeks, years, a range of years, a band, or unknown. Shrinks towards a newborn."""
    kind = draw(st.sampled_from(["months", "months", "unborn", "unknown", "years", "range", "band"]))
    if kind == "months":
        return {"age_months": draw(st.integers(0, 228))}
    if kind == "unborn":
        return {"unborn_weeks": draw(st.integers(1, 42))}
    if kind == "years":
        return {"age_years": draw(st.integers(0, 19))}
    if kind == "range":
        low = draw(st.integers(0, 18))
        return {"age_years": f"{low}-{draw(st.integers(low, 19))}"}
    if kind == "band":
        return {"age_band": draw(st.sampled_from([band.value for band in AgeBandName]))}
    return {}


@st.composite
def approximate_ages(draw: st.DrawFn) -> dict[str, Any]:
    """An age known only roughly or not at all: unknown, years, a range of years, or a band.

    For the properties about ages (Semantics 11), whose branch runs only when the age is not
    exact. Shrinks towards an unknown age."""
    kind = draw(st.sampled_from(["unknown", "range", "band", "years"]))
    if kind == "years":
        return {"age_years": draw(st.integers(0, 18))}
    if kind == "range":
        low = draw(st.integers(0, 17))
        return {"age_years": f"{low}-{draw(st.integers(low + 1, 19))}"}
    if kind == "band":
        return {"age_band": draw(st.sampled_from([band.value for band in AgeBandName]))}
    return {}


@st.composite
def children(
    draw: st.DrawFn,
    *,
    child_id: str = "c1",
    known_share: float = 0.8,
    age: st.SearchStrategy[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One child; facts mostly at their least worrying value, some unknown or absent.

    `age` draws the age fields (default `ages()`: any way an age can be given)."""
    return _fill(draw, "child", {"id": child_id, **draw(age if age is not None else ages())}, known_share)


@st.composite
def situations(
    draw: st.DrawFn,
    *,
    max_children: int = 3,
    max_carers: int = 2,
    max_concerns: int = 4,
    age: st.SearchStrategy[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A household document. Shrinks towards one child, one carer, no concerns.

    `age` draws each child's age fields (default `ages()`; `approximate_ages()` for ages known roughly)."""
    share = draw(st.sampled_from([0.9, 0.6, 0.3]))
    n_children = draw(st.integers(1, max_children))
    n_carers = draw(st.integers(1, max_carers))
    household: dict[str, Any] = {
        "children": [draw(children(child_id=f"c{i + 1}", known_share=share, age=age)) for i in range(n_children)],
        "carers": [_fill(draw, "carer", {"id": f"a{i + 1}"}, share) for i in range(n_carers)],
        "home": _fill(draw, "home", {}, share),
        "strengths": _fill(draw, "strengths", {}, share),
    }
    household.update(_fill(draw, "household", {}, share))
    situation = {"household": household}
    for _ in range(draw(st.integers(0, max_concerns))):
        place = draw(st.sampled_from(places(situation)))
        situation = put(situation, place.key, draw(values(place.spec)))
    return situation


def worseness(spec: FactSpec, value: Any) -> float:
    """A number that grows as a known value of a concern fact gets more worrying (for ordering and comparing values)."""
    return spec.worseness(value)


def is_worse(spec: FactSpec, new: Any, old: Any) -> bool:
    """True if `new` is strictly more worrying than `old` (both known values of a concern fact)."""
    return worseness(spec, new) > worseness(spec, old)


@st.composite
def worsenings(draw: st.DrawFn, situation: dict[str, Any]) -> tuple[Place, Any]:
    """A concern fact of the situation and a strictly worse known value for it (known or unknown before)."""
    concerns = [p for p in places(situation) if p.spec.is_concern]
    place = draw(st.sampled_from(concerns))
    old = get(situation, place.key)
    if old is None:
        # From unknown the "worsening" starts at the least worrying value, made explicit first.
        old = best_value(place.spec)
    new = draw(values(place.spec).filter(lambda v: is_worse(place.spec, v, old)) | st.just(None))
    if new is None:
        new = place.spec.worst()
        new = new.value if hasattr(new, "value") else new
        if not is_worse(place.spec, new, old):
            return place, old  # already at its worst: no change
    return place, new
