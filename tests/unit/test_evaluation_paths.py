"""The three evaluation paths decide every descriptor alike: the closures (`Condition.fast`), the
tracing closures (`Condition.trace`) and the generated straight-line code (`engine/generated.py`).
The plan's passes run through the closures for a rulebook's first households and through the
generated code after (`evaluate.GENERATE_AFTER`): both ways of the plan are compared here.

The shipped rulebooks use only part of the condition language (no `not`, no sibling quantifier,
no `count(...)`), so the comparison runs on a small fixture rulebook that uses every shape the
language accepts and every shape the code generator writes specially, including the conditions it
leaves to their closure. `test_fixture_covers_every_shape` checks that claim against the parser's
whitelist, the compiler's functions and the generator's plan nodes, so it cannot silently rot.
"""

from __future__ import annotations

import ast
import dataclasses
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from needs_engine import Level, Rulebook, load_rulebook
from needs_engine.authoring.strategies import best_value, can_record, set_path, situations, values
from needs_engine.engine.evaluate import GENERATE_AFTER, _build_plan, _evaluate, _plan, evaluate_child, reads_child
from needs_engine.language.compile import FUNCTIONS, QUANTIFIERS, Env, fast_of
from needs_engine.language.logic import COMPARISONS, Truth
from needs_engine.language.parse import ALLOWED_NODES, parse
from needs_engine.language.tree import Count, Node, Quantified, Test, Within, in_band
from needs_engine.model.catalogue import FactSpec, facts_by_root
from needs_engine.model.situation import Situation
from needs_engine.rulebook.tiers import PLAIN_TIERS

# --- the fixture rulebook --------------------------------------------------------------------

MIN_ONLY = {"min_months": 60}
MAX_ONLY = {"max_months": 59}
BOTH = {"min_months": 36, "max_months": 191}
UNBORN_INCLUDE = {"max_months": 11, "unborn": "include"}
UNBORN_EXCLUDE = {"max_months": 35, "unborn": "exclude"}
UNBORN_ONLY = {"unborn": "only"}

# (id, condition, age band or None). Ids start with their domain; the comment says what each adds.
SHAPES: list[tuple[str, str, Optional[dict[str, Any]]]] = [
    # A red flag: a bare flag, decided in one branch by the generated code.
    ("red_flags.disclosure", "child.harm.disclosure_of_abuse", None),
    # Flags: == true / == false / != (both spellings of the literals), with age bands.
    ("flags.bereaved", "child.relationships.bereavement == true", MIN_ONLY),
    ("flags.mobile", "child.development.non_mobile == false", MAX_ONLY),
    ("flags.not_excluded", "child.education.permanently_excluded != True", BOTH),
    ("flags.reversed", "False == child.relationships.peer_isolation", None),
    ("flags.prenatal", "child.health.prenatal_substance_exposure", UNBORN_ONLY),
    # Numbers: every operator, a float bound, a chained comparison, a constant on the left, a minus.
    ("numbers.attendance", "child.education.attendance_percent < 89.5", BOTH),
    ("numbers.appointments", "2 <= child.health.missed_appointments_12m <= 5", None),
    ("numbers.suspensions", "child.education.suspensions_12m > 1", MIN_ONLY),
    ("numbers.gcp2", "child.harm.gcp2_grade == 3 or child.harm.gcp2_grade >= 5", None),
    ("numbers.missing", "-1 < child.extra_familial.missing_episodes_12m != 0", None),
    ("numbers.incidents", "home.domestic_abuse.incidents_12m > 2", None),
    ("numbers.dash", "home.domestic_abuse.dash_score >= 14", UNBORN_INCLUDE),
    # Ordinals: every operator, `in` with a list, `not in` with a tuple.
    ("ordinals.growth", "child.health.growth >= 'below_expected'", UNBORN_EXCLUDE),
    ("ordinals.self_harm", "child.emotional.self_harm > 'thoughts'", None),
    ("ordinals.immunisations", "child.health.immunisations < 'not_started_or_refused_without_advice'", MAX_ONLY),
    (
        "ordinals.milestones",
        "child.development.milestones <= 'some_delay' and child.development.speech_language != 'on_track'",
        None,
    ),
    ("ordinals.antenatal", "child.health.antenatal_care == 'concealed_or_none'", UNBORN_ONLY),
    ("ordinals.cse", "child.extra_familial.sexual_exploitation in ['medium', 'high']", None),
    ("ordinals.cce", "child.extra_familial.criminal_exploitation not in ('none', 'low')", BOTH),
    ("ordinals.housing", "home.housing.status >= 'temporary_accommodation'", UNBORN_INCLUDE),
    # Household, home and strengths facts only: evaluated once per household by the generated code.
    ("family.danger", "household.immediate_danger and not strengths.protective_adult", None),
    ("family.unsupported", "strengths.engages_with_support == false or home.parental_conflict == 'frequent'", MIN_ONLY),
    # not: over a flag, a comparison, and, or, not, a quantifier and a count.
    ("negation.flag", "not child.relationships.private_fostering", None),
    ("negation.compare", "not child.identity.bullying == 'none'", MAX_ONLY),
    ("negation.and", "not (child.identity.self_esteem == 'positive' and child.identity.discrimination == 'none')", None),
    ("negation.or", "not (child.emotional.mental_health >= 'moderate' or home.finances.problem_debt)", BOTH),
    ("negation.not", "not not child.youth_offending.carries_weapon", None),
    ("negation.quantifier", "not any_sibling(sibling.education.send == 'none')", None),
    (
        "negation.count",
        "not count(child.health.growth == 'faltering', home.housing.overcrowded, household.immediate_danger) < 1",
        None,
    ),
    # Carer quantifiers: choices (==, !=, in, not in), inside and/or, counted.
    ("carers.mother_unwell", "any_carer(carer.role == 'mother' and carer.mental_health >= 'diagnosed_unstable')", None),
    ("carers.no_grandparent", "all_carers(carer.role != 'grandparent' or carer.engagement <= 'inconsistent')", None),
    ("carers.parents_offend", "any_carer(carer.role in ['father', 'step_parent'] and carer.offending >= 'current')", MIN_ONLY),
    ("carers.relatives", "all_carers(carer.role not in ('other', 'family_friend'))", UNBORN_INCLUDE),
    ("carers.negated", "not all_carers(carer.engagement == 'engaging')", None),
    ("carers.counted", "count_carers(carer.substance_misuse >= 'problematic') >= 2", None),
    ("carers.counted_aged", "count_carers(carer.in_care_as_child or carer.under_18) == 1", MAX_ONLY),
    ("carers.removed_or_conflict", "any_carer(carer.previous_children_removed) or home.wider_family_risk == 'poses_risk'", None),
    (
        "carers.with_child",
        "child.emotional.behaviour >= 'some_difficulties' and any_carer(carer.parenting.guidance_and_boundaries >= 'inconsistent')",
        None,
    ),
    (
        "carers.child_or_all",
        "child.relationships.young_carer == 'significant' or all_carers(carer.learning_disability != 'none')",
        BOTH,
    ),
    # Sibling quantifiers, alone, inside and/or, counted, and with a carer quantifier inside.
    ("siblings.any", "any_sibling(sibling.harm.disclosure_of_abuse or sibling.harm.injury == 'unexplained_or_suspicious')", None),
    ("siblings.all", "all_siblings(sibling.health.immunisations == 'up_to_date')", MIN_ONLY),
    ("siblings.and", "child.harm.injury != 'none' and any_sibling(sibling.harm.left_alone)", None),
    (
        "siblings.or",
        "child.social_presentation.hygiene_and_clothing == 'persistently_unkempt' or all_siblings(sibling.social_presentation.hygiene_and_clothing != 'appropriate')",
        UNBORN_INCLUDE,
    ),
    ("siblings.counted", "count_siblings(sibling.emotional.behaviour >= 'persistent_difficulties') >= 1", None),
    (
        "siblings.none_counted",
        "count_siblings(sibling.harm.fgm == 'suspected_or_confirmed') == 0 and child.harm.fgm != 'none'",
        None,
    ),
    ("siblings.few", "count_siblings(sibling.health.growth == 'faltering') < 2 and child.health.growth != 'on_track'", MAX_ONLY),
    ("siblings.nested", "any_sibling(sibling.harm.sexual_abuse_concern and any_carer(carer.role == 'mothers_partner'))", None),
    # A sibling read inside a carer quantifier inside a sibling quantifier: each binding stays visible.
    (
        "siblings.carer_of_sibling",
        "any_sibling(any_carer(sibling.harm.left_alone and carer.substance_misuse >= 'problematic'))",
        None,
    ),
    ("siblings.counted_range", "1 <= count_siblings(sibling.harm.medical_needs_neglected) <= 2", MIN_ONLY),
    (
        "siblings.carer_nested",
        "any_carer(carer.offending == 'risk_to_children' and any_sibling(sibling.harm.injury != 'none'))",
        BOTH,
    ),
    # count(...): every operator, over flags, comparisons and a quantifier.
    (
        "counts.two_of_three",
        "count(child.health.substance_use >= 'regular', child.youth_offending.offending >= 'out_of_court', child.extra_familial.gang_association) >= 2",
        None,
    ),
    (
        "counts.more_than",
        "count(child.extra_familial.drug_debt, any_carer(carer.substance_misuse == 'dependent'), home.finances.hardship == 'severe') > 1",
        MIN_ONLY,
    ),
    ("counts.exactly", "count(child.health.disability >= 'needs_extra_support', child.education.send == 'ehcp') == 1", None),
    (
        "counts.not_one",
        "count(child.emotional.harmful_sexual_behaviour, child.health.sexual_health == 'risky_behaviour') != 1",
        BOTH,
    ),
    (
        "counts.at_most",
        "count(home.community.isolation == 'isolated', home.finances.food_bank_use, strengths.community_network == false) <= 1",
        UNBORN_INCLUDE,
    ),
    (
        "counts.in_or",
        "child.extra_familial.online_harm == 'harmful_contact' or count(child.extra_familial.radicalisation != 'none', child.harm.forced_marriage > 'none') >= 2",
        None,
    ),
    (
        "counts.siblings_gt",
        "count_siblings(sibling.education.send_needs_unmet) > 0 or count_siblings(sibling.emotional.self_harm != 'none') <= 1 and child.emotional.self_harm == 'self_harming'",
        None,
    ),
]

# Condition escalations go through the engine's once-per-household cache (`evaluate._applies`).
ESCALATIONS = [
    {
        "id": "escalation.household_banded",
        "text": "A carer offending, or food bank use, for a child of five or more.",
        "source": "Test source",
        "to": "targeted",
        "when": "any_carer(carer.offending >= 'current') or home.finances.food_bank_use",
        "age": MIN_ONLY,
    },
    {
        "id": "escalation.child_count",
        "text": "A child or a sibling left alone.",
        "source": "Test source",
        "to": "safeguarding",
        "when": "count(child.harm.left_alone, any_sibling(sibling.harm.left_alone)) >= 1",
        "age": UNBORN_INCLUDE,
    },
    {
        "id": "escalation.negated",
        "text": "Not every carer engaging.",
        "source": "Test source",
        "to": "targeted",
        "when": "not all_carers(carer.engagement == 'engaging')",
    },
]

CONSENT = {
    "needed_from": "early_help",
    "not_needed_from": "safeguarding",
    "given": "Consent given: go ahead.",
    "refused": {"early_help": "Refused at early help: keep offering.", "targeted": "Refused at targeted: talk to the DSL."},
    "not_sought": "Seek consent first.",
    "unknown": "Find out about consent.",
    "not_needed": "Consent is not needed for a safeguarding referral.",
}
LEVEL_OF_DOMAIN = {"red_flags": "safeguarding", "family": "targeted", "carers": "targeted", "siblings": "targeted"}


def write_rulebook(root: Path) -> Path:
    """Write the fixture rulebook under `root`: one descriptor file per domain, a rules file."""
    by_domain: dict[str, list[dict[str, Any]]] = {}
    for index, (id_, when, age) in enumerate(SHAPES):
        domain = id_.split(".")[0]
        level = LEVEL_OF_DOMAIN.get(domain, ("early_help", "targeted", "safeguarding")[index % 3])
        entry: dict[str, Any] = {"id": id_, "level": level, "text": f"Descriptor {id_}.", "source": "Test source", "when": when}
        if age is not None:
            entry["age"] = dict(age)  # a fresh dict: PyYAML writes a shared one as an alias
        by_domain.setdefault(domain, []).append(entry)
    levels = {
        level.value: {
            "label": f"L-{level.value}",
            "tiers": [tier.value for tier in PLAIN_TIERS.tiers_of(level)],
            "meaning": f"Meaning of {level.value}.",
            "response": {"summary": f"Respond at {level.value}.", "actions": [f"Act at {level.value}."]},
            "source": "Test source",
        }
        for level in Level
    }
    rules = {
        "id": "shapes",
        "name": "Shapes",
        "version": "0.1.0",
        "summary": "Every shape of the condition language, for comparing the evaluation paths.",
        "levels": levels,
        "domains": {
            domain: {"label": domain.title(), "group": "red_flags" if domain == "red_flags" else "child_development"}
            for domain in by_domain
        },
        "red_flags": ["red_flags.disclosure"],
        "escalations": [
            {**e, "tier": PLAIN_TIERS.tiers_of(Level(e["to"]))[0].value, **({"age": dict(e["age"])} if "age" in e else {})}
            for e in ESCALATIONS
        ],
        "mitigations": [
            {
                "id": "strengths.family",
                "text": "Supportive wider family.",
                "source": "Test source",
                "lowers_from": ["targeted"],
                "when": "strengths.supportive_wider_family",
                "lowers": ["flags"],
            }
        ],
        "consent": CONSENT,
        "urgent": {"when": "household.immediate_danger", "summary": "Call 999.", "actions": ["Call 999."], "source": "Test"},
    }
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "shapes.yaml").write_text(yaml.safe_dump(rules, sort_keys=False, width=1000))
    folder = root / "descriptors" / "shapes"
    folder.mkdir(parents=True)
    for domain, items in by_domain.items():
        (folder / f"{domain}.yaml").write_text(yaml.safe_dump({"domain": domain, "descriptors": items}, width=1000))
    return root


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Rulebook:
    return load_rulebook(write_rulebook(tmp_path_factory.mktemp("shapes")))


# --- the shapes a rulebook uses --------------------------------------------------------------

_LITERAL_NAMES = ("true", "false", "True", "False")


def _fact_of(node: ast.expr) -> Optional[FactSpec]:
    """The fact a name such as `child.health.growth` or `sibling.harm.injury` stands for, if it is one."""
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in facts_by_root():
        return None
    return facts_by_root()[node.id].get(tuple(reversed(names)))


def _is_value(node: ast.expr) -> bool:
    return isinstance(node, (ast.Constant, ast.UnaryOp, ast.List, ast.Tuple)) or (
        isinstance(node, ast.Name) and node.id in _LITERAL_NAMES
    )


def _kind(node: ast.AST) -> str:
    """What a boolean position holds: the name `not` and the quantifiers are tagged with."""
    if isinstance(node, ast.BoolOp):
        return "and" if isinstance(node.op, ast.And) else "or"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return "not"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return "quantifier"
    if isinstance(node, ast.Compare):
        return "count" if any(isinstance(side, ast.Call) for side in (node.left, *node.comparators)) else "compare"
    return "flag"


def ast_shapes(text: str) -> set[str]:
    """The shapes of the language one condition uses, read from its syntax tree."""
    tree = parse(text)
    found = {f"node:{type(node).__name__}" for node in ast.walk(tree)}
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        parent = parents.get(node)
        if isinstance(node, ast.Name) and node.id in _LITERAL_NAMES:
            found.add(f"literal:{node.id}")
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            found.add(f"literal:{node.value}")  # `True` and `False` parse as constants
        if isinstance(node, (ast.Name, ast.Attribute)) and not isinstance(parent, ast.Attribute):
            spec = _fact_of(node)
            if spec is not None:
                found.add(f"root:{spec.root}")
                if spec.kind == "flag" and not isinstance(parent, ast.Compare):
                    found.add("flag:bare")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            found.add(f"not:{_kind(node.operand)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            found.add(f"call:{node.func.id}")
            if node.func.id in QUANTIFIERS and isinstance(parent, (ast.BoolOp, ast.Call, ast.UnaryOp)):
                inside_count = isinstance(parent, ast.Call) and getattr(parent.func, "id", "") == "count"
                found.add(f"quantifier_in:{'count' if inside_count else _kind(parent)}")
                above = parents.get(node)
                while above is not None:
                    if isinstance(above, ast.Call) and getattr(above.func, "id", "") in QUANTIFIERS:
                        found.add("quantifier_in:quantifier")
                    above = parents.get(above)
        if isinstance(node, ast.Compare):
            if len(node.ops) > 1:
                found.add("compare:chained")
            operands = [node.left, *node.comparators]
            for index, op in enumerate(node.ops):
                left, right = operands[index], operands[index + 1]
                if _is_value(left):
                    found.add("compare:value_on_left")
                    left, right = right, left
                symbol = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}.get(
                    type(op), "in" if isinstance(op, ast.In) else "not in"
                )
                if isinstance(left, ast.Call) and isinstance(left.func, ast.Name):
                    found.add(f"{left.func.id}:{symbol}")
                    continue
                spec = _fact_of(left)
                assert spec is not None, f"cannot read the fact in {ast.unparse(left)}"
                if spec.kind == "flag":
                    written = right.id if isinstance(right, ast.Name) else getattr(right, "value", None)
                    symbol = f"{symbol} {str(written).lower()}"
                found.add(f"{spec.kind}:{symbol}")
                if isinstance(right, ast.Constant) and isinstance(right.value, float):
                    found.add("number:float")
    return found


def _concrete(cls: type[Node]) -> Iterator[type[Node]]:
    """The node classes under `cls` that a tree can hold (dataclasses; `Test` and `ValuesTest` are abstract)."""
    for sub in cls.__subclasses__():
        if dataclasses.is_dataclass(sub):
            yield sub
        yield from _concrete(sub)


NODE_TYPES = sorted({cls.__name__ for cls in _concrete(Node)} - {"Within"})
"""Every node type a condition's tree can hold (age bands are `Within`, checked through the bands below)."""


def tree_shapes(tree: Node, binders: tuple[str, ...] = ()) -> Iterator[str]:
    """The node types of one condition's tree, with what each tests, binds or nests."""
    name = type(tree).__name__
    yield f"tree:{name}"
    if isinstance(tree, Test):
        yield f"leaf_of:{tree.subject.root}"
        yield f"tree:{name}:{getattr(tree, 'op', tree.written)}"
    if isinstance(tree, Count):
        yield f"tree:Count:{tree.op}"
    if isinstance(tree, (Quantified, Count)) and tree.binder is not None:
        kind = "count" if isinstance(tree, Count) else "all" if tree.every else "any"
        yield f"tree:{kind}:{tree.binder}"
        if binders:
            yield f"nested:{binders[-1]}>{tree.binder}"
        binders = (*binders, tree.binder)
    for part in tree.parts:
        yield from tree_shapes(part, binders)


def band_shape(age: Optional[dict[str, Any]]) -> str:
    if age is None:
        return "age:none"
    bounds = "+".join(bound for bound in ("min_months", "max_months") if bound in age) or "no_bounds"
    return f"age:{bounds}:unborn_{age.get('unborn', 'exclude')}"


def generated_path(book: Rulebook, descriptor_id: str) -> str:
    """Which branch of `generated.generate` a descriptor takes."""
    descriptor = book.by_id[descriptor_id]
    tree = descriptor.applies.condition.tree
    banded = "+band" if descriptor.applies.age is not None else ""
    if not reads_child(descriptor.applies.condition.facts):
        return "path:household_pass" + banded
    if isinstance(tree, Test) and tree.subject.root not in ("carer", "sibling"):
        return "path:one_branch" + banded
    return "path:child_pass" + banded


def test_fixture_covers_every_shape(book: Rulebook) -> None:
    """Every shape the parser admits, the compiler compiles and the generator writes appears in the fixture."""
    seen: set[str] = set()
    for id_, when, age in SHAPES:
        seen |= ast_shapes(when)
        seen |= set(tree_shapes(book.by_id[id_].applies.condition.tree))
        seen.add(band_shape(age))
        seen.add(generated_path(book, id_))
    ops = [*COMPARISONS]
    wanted = {f"node:{node.__name__}" for node in ALLOWED_NODES}
    wanted |= {f"call:{name}" for name in FUNCTIONS}
    wanted |= {f"root:{root}" for root in facts_by_root()}
    wanted |= {f"literal:{name}" for name in _LITERAL_NAMES}
    wanted |= {"flag:bare", "flag:== true", "flag:== false", "flag:!= true", "number:float"}
    wanted |= {f"number:{op}" for op in ops} | {f"ordinal:{op}" for op in [*ops, "in", "not in"]}
    wanted |= {f"choice:{op}" for op in ("==", "!=", "in", "not in")}
    wanted |= {f"count:{op}" for op in ops} | {"count_carers:>=", "count_carers:==", "count_siblings:>=", "count_siblings:=="}
    wanted |= {"count_siblings:<", "count_siblings:>", "count_siblings:<="}
    wanted |= {"compare:chained", "compare:value_on_left"}
    wanted |= {f"not:{kind}" for kind in ("flag", "compare", "and", "or", "not", "quantifier", "count")}
    wanted |= {f"quantifier_in:{kind}" for kind in ("and", "or", "not", "quantifier", "count")}
    wanted |= {f"tree:{name}" for name in NODE_TYPES}
    wanted |= {f"tree:FlagTest:{written}" for written in (None, ("==", False))}
    wanted |= {f"tree:NumberTest:{op}" for op in ops} | {f"tree:OrdinalTest:{op}" for op in ops}
    wanted |= {f"tree:MemberTest:{op}" for op in ("==", "!=", "in", "not in")}
    wanted |= {f"tree:Count:{op}" for op in ops}
    wanted |= {f"leaf_of:{root}" for root in facts_by_root()}
    wanted |= {f"tree:{kind}:{binder}" for kind in ("any", "all", "count") for binder in ("carer", "sibling")}
    wanted |= {"nested:carer>sibling", "nested:sibling>carer"}
    wanted |= {band_shape(age) for age in (None, MIN_ONLY, MAX_ONLY, BOTH, UNBORN_INCLUDE, UNBORN_EXCLUDE, UNBORN_ONLY)}
    wanted |= {f"path:{path}{banded}" for path in ("household_pass", "one_branch", "child_pass") for banded in ("", "+band")}
    assert not wanted - seen, f"the fixture rulebook no longer uses: {sorted(wanted - seen)}"
    assert len(book.descriptors) == len(SHAPES)


# --- households that make the fixture's facts matter ------------------------------------------


def fixture_facts(book: Rulebook) -> list[tuple[str, FactSpec]]:
    """Every fact the fixture reads, as (the root whose entities hold it, its spec); siblings are children."""
    found: dict[tuple[str, tuple[str, ...]], FactSpec] = {}
    for descriptor in book.descriptors:
        for name in descriptor.applies.condition.facts:
            root, *path = name.split(".")
            found[(root, tuple(path))] = facts_by_root()[root][tuple(path)]
    return [(root, spec) for (root, _), spec in sorted(found.items())]


@st.composite
def households(draw: st.DrawFn, facts: list[tuple[str, FactSpec]]) -> dict[str, Any]:
    """A generated household (several children and carers, many concerns), then every fact the
    fixture reads set on every entity to a value, `unknown`, or left out, so that each condition
    comes out true, false and unknown across the examples."""
    document = draw(situations(max_children=4, max_carers=3, max_concerns=10))
    household = document["household"]
    for root, spec in facts:
        if root == "child":
            entities = household["children"]
        elif root == "carer":
            entities = household["carers"]
        else:
            entities = [household if root == "household" else household.setdefault(root, {})]
        for entity in entities:
            how = draw(st.sampled_from(["value"] * 6 + ["unknown", "absent"]))
            if how == "absent":
                continue
            value = "unknown" if how == "unknown" else draw(values(spec))
            if root == "child" and spec.is_concern and value not in ("unknown", best_value(spec)):
                if not can_record(entity, spec):
                    continue  # a concern that cannot describe a child of this age is an input error
            set_path(entity, spec.path, value)
    return document


# --- the comparison --------------------------------------------------------------------------

OUTCOMES: tuple[Truth, ...] = (True, False, None)


def compare_paths(book: Rulebook, env: Env, generated: tuple[list[str], list[str]], seen: dict[str, Counter[Truth]]) -> None:
    """The generated code's fired and unknown lists agree with the closures; the tracing closures agree with both."""
    fired, unknown = generated
    closures = {d.id: d.applies.fast(env) for d in book.descriptors}
    for descriptor in book.descriptors:
        value = closures[descriptor.id]
        where = f"{descriptor.id} for {env.child.id} at {env.span}"
        assert descriptor.applies.trace(env)[0] is value, f"trace and fast differ: {where}"
        condition = descriptor.applies.condition
        assert condition.trace(env)[0] is condition.fast(env), f"trace and fast of the condition differ: {where}"
        seen[descriptor.id][value] += 1
    generated_values = {id_: True if id_ in fired else None if id_ in unknown else False for id_ in closures}
    differ = {id_: (generated_values[id_], value) for id_, value in closures.items() if generated_values[id_] is not value}
    assert not differ, f"generated code (first) and closures differ for {env.child.id} at {env.span}: {differ}"
    # In rulebook order, each once: what the engine reports.
    assert fired == [i for i, v in closures.items() if v is True]
    assert unknown == [i for i, v in closures.items() if v is None]


def compare_rules(
    book: Rulebook, env: Env, escalation_truth: dict[str, Truth], mitigated: list[str], seen: dict[str, Counter[Truth]]
) -> None:
    """Escalations (through the once-per-household cache), mitigations and the `Within` node agree with the closures and traces."""
    for escalation in book.escalations:
        assert escalation.applies is not None
        value = escalation.applies.fast(env)
        assert escalation_truth[escalation.id] is value, f"cached escalation differs: {escalation.id}"
        assert escalation.applies.trace(env)[0] is value, f"escalation trace differs: {escalation.id}"
        assert within_of(escalation.applies)(env) is value
        seen.setdefault(escalation.id, Counter())[value] += 1
    for mitigation in book.mitigations:
        value = mitigation.condition.fast(env)
        assert (mitigation.id in mitigated) is (value is True)
        assert mitigation.condition.trace(env)[0] is value
    for descriptor in book.descriptors:
        assert within_of(descriptor.applies)(env) is descriptor.applies.fast(env)
        BRANCHES[f"band:{in_band(descriptor.age, env.span)}"] += 1


BRANCHES: Counter[str] = Counter()
"""How often a child was inside (True), outside (False) or straddling (None) a descriptor's age band."""


def within_of(applies: Any) -> Any:
    """The fast closure of the `Within` node for a condition and its age band."""
    return fast_of(Within(applies.age, applies.condition.tree))


@pytest.mark.parametrize("way", ["generated", "closures"])
def test_closures_traces_and_generated_code_agree(book: Rulebook, way: str) -> None:
    """On generated households, at every exact age the engine would try and at the age as given:
    the same True, False or None from all three paths, for every descriptor and every child, with
    the plan's passes generated from the start or never."""
    seen: dict[str, Counter[Truth]] = {d.id: Counter() for d in book.descriptors}
    plan = _build_plan(book, 0 if way == "generated" else 10**9)

    # 200 cases: the closing check (every descriptor seen true, false and unknown, but for a tenth)
    # missed by one or two descriptors in two runs of 100 (6 and 7 of 56 unseen, 5 allowed).
    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(households(fixture_facts(book)))
    def check(document: dict[str, Any]) -> None:
        household = Situation.model_validate(document).household
        event(f"{len(household.children)} children, {len(household.carers)} carers")
        shared: dict[str, Any] = {}
        for child in household.children:
            stated = child.stated_age_span()
            envs = [Env(child.with_inapplicable_as_no_concern(), household)]
            if not stated.exact:
                envs += [Env(child.at_age(age).with_inapplicable_as_no_concern(), household) for age in plan.ages_to_try(stated)]
            for env in envs:
                result = _evaluate(child, env, book, plan, shared)
                compare_paths(book, env, ([d.id for d in result.fired], [d.id for d in result.unknown]), seen)
                compare_rules(book, env, result.escalation_truth, [m.id for m in result.mitigations], seen)
            # The engine's own entry point: what it fired at the age it reports.
            reported = evaluate_child(child, household, book, shared=shared)
            assert [d.id for d in reported.fired] == [d.id for d in book.descriptors if d.applies.fast(reported.env) is True]

    check()
    assert (plan.passes.generated is not None) is (way == "generated")  # the way named is the way that ran
    # Not vacuous: every descriptor came out true, false and unknown.
    missing = {id_: [v for v in OUTCOMES if not counts[v]] for id_, counts in seen.items()}
    missing = {id_: gone for id_, gone in missing.items() if gone}
    assert len(missing) <= len(seen) // 10, f"outcomes never seen: {missing}"
    # Every age-band branch ran: inside, outside and straddling (a child whose age is a range).
    assert all(BRANCHES[f"band:{value}"] for value in OUTCOMES), BRANCHES


def test_the_plan_generates_its_code_after_a_few_households(book: Rulebook) -> None:
    """A rulebook's first households go through the closures (a fresh `needs assess` evaluates
    one, and compiling the generated code cost more than evaluating it), later ones through the
    generated code, with the same fired and unknown descriptors either way."""
    book = dataclasses.replace(book)  # a copy: its plan not yet built
    household = Situation.model_validate(
        {"household": {"children": [{"id": "c1", "age_months": 40}], "carers": [{"id": "p1"}]}}
    ).household
    results = []
    for _ in range(GENERATE_AFTER + 1):
        assert _plan(book).passes.generated is None
        result = evaluate_child(household.children[0], household, book)
        results.append(([d.id for d in result.fired], [d.id for d in result.unknown]))
    assert _plan(book).passes.generated is not None
    assert all(found == results[0] for found in results)
    assert results[0][1]  # unknowns to compare: the household leaves most facts unrecorded
