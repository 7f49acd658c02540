"""Translate the rulebook's descriptor conditions, mechanically, into two peer rule engines' formats.

Each descriptor's condition tree (`language/tree.py`, built once when the rulebook loaded) is
walked into a small neutral form (and / or / comparison of a flat field with a
constant); that form is then rendered as a zen-engine expression and as a durable-rules
condition. The age band is translated into comparisons on the child's age and is ANDed in.

What the peers cannot say, and how the translation treats it:
- unknown values: neither engine has three-valued logic, so the comparison runs only on
  households in which every fact is known (`generate.household(known=True)`);
- quantifiers: `any_carer(...)` / `all_carers(...)` are expanded over a fixed number of carer
  slots (households in the comparison have exactly that many carers); sibling quantifiers and
  `count(...)` would need a variable number of slots and are not translated (descriptors using
  them are reported as excluded);
- ordinal and choice values are compared by their position in the scale (an integer), so
  `carer.mental_health >= 'diagnosed_unstable'` becomes `carer1__mental_health >= 3`.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Optional, Union

from needs_engine.language import tree as t
from needs_engine.model.catalogue import FactSpec, facts_by_root
from needs_engine.model.situation import Child, Household
from needs_engine.rulebook.parts import Descriptor
from needs_engine.rulebook.schema import AgeBand

CARER_SLOTS = 2


class Untranslatable(Exception):
    """A condition a two-valued, flat-fact engine cannot express."""


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: Union[int, float, bool]


@dataclass(frozen=True)
class Junction:
    op: str  # "and" | "or"
    parts: tuple[Node, ...]


Node = Union[Compare, Junction]

_ROOT_FIELD = {"child": "child", "home": "home", "household": "household", "strengths": "strengths"}


def field_name(root: str, path: tuple[str, ...]) -> str:
    """The flat field a fact becomes: `child__education__attendance_percent`, `carer1__mental_health`."""
    return "__".join((root, *path))


def _flat(node: t.Node, carer: Optional[str]) -> Node:
    """The neutral form of a condition tree, with `carer` the carer slot a quantifier has bound."""
    if isinstance(node, (t.And, t.Or)):
        return Junction("and" if isinstance(node, t.And) else "or", tuple(_flat(part, carer) for part in node.parts))
    if isinstance(node, t.Quantified) and node.binder == "carer":
        slots = tuple(_flat(node.body, f"carer{i + 1}") for i in range(CARER_SLOTS))
        return Junction("and" if node.every else "or", slots)
    if isinstance(node, (t.Quantified, t.Count)):
        raise Untranslatable(f"{type(node).__name__.lower()} over {node.binder or 'conditions'} needs a variable number of items")
    if isinstance(node, t.Test):
        return _test(node, _field(node.subject, carer))
    raise Untranslatable(f"{type(node).__name__} has no flat two-valued form")


def _field(fact: t.Fact, carer: Optional[str]) -> str:
    if fact.root == "carer":
        if carer is None:
            raise Untranslatable("carer outside a quantifier")
        return field_name(carer, fact.path)
    if fact.root not in _ROOT_FIELD:
        raise Untranslatable(f"'{fact.root}' facts need a quantifier over a variable number of items")
    return field_name(fact.root, fact.path)


def _test(test: t.Test, field: str) -> Node:
    """A leaf: ordinal and choice values by their position in the scale."""
    if isinstance(test, t.FlagTest):
        return Compare(field, "==", test.wanted)
    if isinstance(test, t.NumberTest):
        return Compare(field, test.op, test.bound)
    if isinstance(test, t.OrdinalTest):
        return Compare(field, test.op, _rank(test.spec, test.value))
    assert isinstance(test, t.MemberTest)
    ranks = [_rank(test.spec, member) for member in test.values]
    if test.op in ("==", "in"):
        return Junction("or", tuple(Compare(field, "==", r) for r in ranks)) if len(ranks) > 1 else Compare(field, "==", ranks[0])
    return Junction("and", tuple(Compare(field, "!=", r) for r in ranks)) if len(ranks) > 1 else Compare(field, "!=", ranks[0])


def _rank(spec: FactSpec, member: Any) -> int:
    assert spec.choices is not None
    return list(spec.choices).index(member)


def _band(band: Optional[AgeBand]) -> Optional[Node]:
    """The age band as comparisons on `child__unborn` and `child__age_months` (-1 for the unborn)."""
    if band is None:
        return None
    options: list[Node] = []
    if band.unborn != "exclude":
        options.append(Compare("child__unborn", "==", True))
    if band.unborn != "only":
        born: list[Node] = [Compare("child__unborn", "==", False)]
        if band.min_months is not None:
            born.append(Compare("child__age_months", ">=", band.min_months))
        if band.max_months is not None:
            born.append(Compare("child__age_months", "<=", band.max_months))
        options.append(Junction("and", tuple(born)))
    return options[0] if len(options) == 1 else Junction("or", tuple(options))


def translate(descriptor: Descriptor) -> Node:
    """The descriptor's condition (and age band) in neutral form; Untranslatable if a flat engine cannot say it."""
    node = _flat(descriptor.applies.condition.tree, None)
    band = _band(descriptor.applies.age)
    return node if band is None else Junction("and", (band, node))


def translate_all(descriptors: tuple[Descriptor, ...]) -> tuple[dict[str, Node], dict[str, str]]:
    """Translated conditions by descriptor id, and the excluded ids with the reason."""
    done: dict[str, Node] = {}
    excluded: dict[str, str] = {}
    for descriptor in descriptors:
        try:
            done[descriptor.id] = translate(descriptor)
        except Untranslatable as exc:
            excluded[descriptor.id] = str(exc)
    return done, excluded


# --- rendering -------------------------------------------------------------------------------


def zen_expression(node: Node) -> str:
    """A zen-engine (ZEN expression language) boolean expression."""
    if isinstance(node, Compare):
        value = ("true" if node.value else "false") if isinstance(node.value, bool) else repr(node.value)
        return f"{node.field} {node.op} {value}"
    return "(" + f" {node.op} ".join(zen_expression(part) for part in node.parts) + ")"


def durable_condition(node: Node, m: Any) -> Any:
    """A durable-rules condition built with its `m` fact proxy (`&`, `|` and comparisons)."""
    if isinstance(node, Compare):
        proxy = getattr(m, node.field)
        return {
            "<": lambda: proxy < node.value,
            "<=": lambda: proxy <= node.value,
            ">": lambda: proxy > node.value,
            ">=": lambda: proxy >= node.value,
            "==": lambda: proxy == node.value,
            "!=": lambda: proxy != node.value,
        }[node.op]()
    parts = [durable_condition(part, m) for part in node.parts]
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined & part) if node.op == "and" else (combined | part)
    return combined


def python_truth(node: Node, facts: dict[str, Any]) -> bool:
    """Two-valued evaluation of the neutral form (checks the translation itself, not a peer)."""
    if isinstance(node, Compare):
        value = facts[node.field]
        return {
            "<": value < node.value,
            "<=": value <= node.value,
            ">": value > node.value,
            ">=": value >= node.value,
            "==": value == node.value,
            "!=": value != node.value,
        }[node.op]
    results = (python_truth(part, facts) for part in node.parts)
    return all(results) if node.op == "and" else any(results)


# --- facts -----------------------------------------------------------------------------------


def _plain(spec: FactSpec, value: Any) -> Any:
    if spec.choices is not None and value is not None:
        return list(spec.choices).index(value)
    return value


def flat_facts(child: Child, household: Household) -> dict[str, Any]:
    """One child's facts, flat, as the peers read them (every fact of a fully-known household is known)."""
    facts: dict[str, Any] = {}
    for root, subject in (
        ("child", child),
        ("home", household.home),
        ("household", household),
        ("strengths", household.strengths),
    ):
        for path, spec in facts_by_root()[root].items():
            facts[field_name(root, path)] = _plain(spec, attrgetter(".".join(path))(subject))
    facts["child__age_months"] = -1 if child.unborn else child.age_months
    facts["child__unborn_weeks"] = child.unborn_weeks or 0
    for index, carer in enumerate(household.carers[:CARER_SLOTS]):
        for path, spec in facts_by_root()["carer"].items():
            facts[field_name(f"carer{index + 1}", path)] = _plain(spec, attrgetter(".".join(path))(carer))
    return facts
