"""The DfE Children in Need census factor codes: every code mapped or explained, and `cin_factors`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from needs_engine import assess
from needs_engine.errors import RulebookError
from needs_engine.rulebook.census import census_file, census_mapping, code_key, load_census

CENSUS_FILE = Path(__file__).resolve().parents[2] / "census" / "cin-factors.yaml"

# The codes valid in a 2024-25 / 2025-26 return: the DfE CIN census schema enumeration
# `assessmentfactorstype` (liia-tools CIN_schema_2024.xsd) plus 18A and 19A, which the DfE's
# validator still accepts but queries (rules 8945Q, 8950Q): see the head of census/cin-factors.yaml.
DFE_CODES = [
    *(f"{n}{s}" for n in range(1, 7) for s in "ABC"),
    "7A",
    "8B",
    "8C",
    "8D",
    "8E",
    "8F",
    "9A",
    "10A",
    "11A",
    "12A",
    "13A",
    "14A",
    "15A",
    "16A",
    "17A",
    "18A",
    "18B",
    "18C",
    "19A",
    "19B",
    "19C",
    "20",
    "21",
    "22A",
    "23A",
    "24A",
]


def raw_entries() -> list[dict[str, Any]]:
    return yaml.safe_load(CENSUS_FILE.read_text(encoding="utf-8"))["codes"]


def test_the_shipped_file_is_the_one_the_engine_reads() -> None:
    assert census_file().resolve() == CENSUS_FILE.resolve()


def test_the_file_lists_exactly_the_dfe_code_set() -> None:
    codes = [entry["code"] for entry in raw_entries()]
    assert len(DFE_CODES) == 44
    assert sorted(codes, key=code_key) == DFE_CODES, "a code was dropped, added or repeated"
    assert census_mapping().codes == DFE_CODES


def test_every_code_is_mapped_or_explained_with_a_description() -> None:
    for entry in raw_entries():
        assert entry.get("description", "").strip(), entry["code"]
        mapped, explained = "when" in entry, "not_applicable" in entry
        assert mapped != explained, f"{entry['code']}: exactly one of when / not_applicable"
        if explained:
            assert len(entry["not_applicable"].split()) >= 8, f"{entry['code']}: give the reason"


def test_every_mapped_code_compiles_and_reads_facts() -> None:
    mapped = [f for f in census_mapping().factors if f.condition is not None]
    assert len(mapped) >= 20
    assert all(f.condition.facts for f in mapped)  # type: ignore[union-attr]


def test_codes_never_pre_filled_are_explained() -> None:
    by_code = {f.code: f for f in census_mapping().factors}
    for code in ("18A", "19A", "20", "21"):
        assert by_code[code].kind == "not_applicable"
    assert "8945Q" in (by_code["18A"].not_applicable or "")


def household(
    child: dict[str, Any] | None = None, carers: list[dict[str, Any]] | None = None, home: dict[str, Any] | None = None
):  # type: ignore[no-untyped-def]
    situation: dict[str, Any] = {
        "household": {"children": [{"id": "c1", "age_months": 150, **(child or {})}], "carers": carers or [{"id": "m"}]}
    }
    if home is not None:
        situation["household"]["home"] = home
    return situation


def factors(situation: dict[str, Any]) -> list[str]:
    return assess(situation).children[0].cin_factors


def test_an_empty_situation_gives_no_code_not_even_21() -> None:
    assert factors(household()) == []


@pytest.mark.parametrize(
    ("situation", "code"),
    [
        (household(carers=[{"id": "m", "mental_health": "diagnosed_unstable"}]), "4B"),
        (household(home={"others": {"mental_health": "affects_children"}}), "4C"),
        (household(child={"emotional": {"mental_health": "severe"}}), "4A"),
        (household(carers=[{"id": "m", "physical_health": "affects_care"}]), "6B"),
        (household(home={"others": {"physical_illness_or_disability": "some_impact"}}), "6C"),
        (household(carers=[{"id": "m", "learning_disability": "impacts_parenting"}]), "5B"),
        (household(home={"others": {"learning_disability": "affects_children"}}), "5C"),
        (household(home={"domestic_abuse": {"incidents_12m": 2}}), "3B"),
        (household(child={"extra_familial": {"relationship_abuse": "serious"}}), "3A"),
        (household(child={"status": {"unaccompanied_asylum_seeking": True}}), "9A"),
        (household(child={"extra_familial": {"missing_episodes_12m": 3}}), "10A"),
        (household(child={"extra_familial": {"criminal_exploitation": "high"}}), "24A"),
        (household(child={"harm": {"fgm": "at_risk"}}), "22A"),
        (household(child={"harm": {"faith_or_belief_abuse": True}}), "23A"),
        (household(child={"harm": {"fabricated_or_induced_illness": True}}), "18C"),
        (household(child={"harm": {"sexual_abuse_concern": True, "abused_by_another_child": "none"}}), "19C"),
        (household(child={"emotional": {"self_harm": "self_harming"}}), "15A"),
        (household(child={"harm": {"left_alone": True}}), "16A"),
        (household(child={"harm": {"emotional_abuse": "persistent"}}), "17A"),
    ],
)
def test_matching_facts_give_the_code(situation: dict[str, Any], code: str) -> None:
    assert code in factors(situation)


def test_the_child_carer_other_split_is_kept() -> None:
    carer = household(carers=[{"id": "m", "mental_health": "crisis"}])
    other = household(home={"others": {"mental_health": "affects_children"}})
    child = household(child={"emotional": {"mental_health": "severe"}})
    assert [c for c in factors(carer) if c.startswith("4")] == ["4B"]
    assert [c for c in factors(other) if c.startswith("4")] == ["4C"]
    assert [c for c in factors(child) if c.startswith("4")] == ["4A"]
    assert "6B" in factors(household(carers=[{"id": "m", "physical_health": "severely_affects_care"}]))
    assert "6C" not in factors(household(carers=[{"id": "m", "physical_health": "severely_affects_care"}]))
    assert "6B" not in factors(household(home={"others": {"physical_illness_or_disability": "affects_children"}}))


def test_a_value_below_concern_does_not_give_the_code() -> None:
    assert "4B" not in factors(household(carers=[{"id": "m", "mental_health": "mild"}]))
    assert "4C" not in factors(household(home={"others": {"mental_health": "none"}}))
    assert "6B" not in factors(household(carers=[{"id": "m", "physical_health": "managed"}]))
    assert "3B" not in factors(household(home={"domestic_abuse": {"incidents_12m": 0, "history": False}}))
    assert "24A" not in factors(household(child={"extra_familial": {"criminal_exploitation": "low"}}))
    assert "9A" not in factors(household(child={"status": {"unaccompanied_asylum_seeking": False}}))


def test_any_carer_gives_the_carer_code_once() -> None:
    carers = [{"id": "m", "mental_health": "none"}, {"id": "p", "mental_health": "diagnosed_unstable"}]
    assert factors(household(carers=carers)).count("4B") == 1


def test_an_unknown_fact_gives_no_code() -> None:
    assert factors(household(carers=[{"id": "m", "mental_health": "unknown"}])) == []
    assert factors(household(home={"others": {"mental_health": None}})) == []
    # Sexual abuse counts as adult on child only when child-on-child abuse is known to be none.
    assert "19C" not in factors(household(child={"harm": {"sexual_abuse_concern": True}}))
    assert "19C" not in factors(
        household(child={"harm": {"sexual_abuse_concern": True, "abused_by_another_child": "single_incident"}})
    )


def test_codes_are_in_census_order_and_per_child() -> None:
    situation = household(
        child={"emotional": {"self_harm": "self_harming"}, "harm": {"fgm": "at_risk"}},
        carers=[{"id": "m", "mental_health": "crisis"}],
        home={"domestic_abuse": {"incidents_12m": 1}},
    )
    situation["household"]["children"].append({"id": "c2", "age_months": 30})
    children = assess(situation).children
    assert children[0].cin_factors == ["3B", "4B", "15A", "22A"]
    assert children[1].cin_factors == ["3B", "4B"]


def test_a_bad_condition_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "cin.yaml"
    bad.write_text(
        'codes:\n  - code: "4B"\n    description: "Mental health"\n    when: "any_carer(carer.mental_helth >= \'crisis\')"\n',
        encoding="utf-8",
    )
    with pytest.raises(RulebookError) as caught:
        load_census(bad)
    assert f"{bad}:4" in str(caught.value.problems[0])


def test_a_code_with_neither_or_both_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "cin.yaml"
    bad.write_text('codes:\n  - code: "21"\n    description: "No factors identified"\n', encoding="utf-8")
    with pytest.raises(RulebookError) as caught:
        load_census(bad)
    assert "exactly one of" in str(caught.value.problems[0])


def test_census_factors_shared_across_a_household_match_those_found_child_by_child() -> None:
    """The factors that read no child fact are evaluated once per household (`shared`); every
    child of every example still gets exactly the codes it gets evaluated alone."""
    from needs_engine import load_rulebook
    from needs_engine.engine.assess import evaluate_household
    from needs_engine.formats.inputs import read_situation

    mapping, book = census_mapping(), load_rulebook("knowsley")
    examples = sorted(Path(__file__).resolve().parents[2].joinpath("examples").glob("*.yaml"))
    shared_codes = 0
    for path in (p for p in examples if p.name != "expected.yaml"):
        shared: dict[str, bool] = {}
        for result in evaluate_household(read_situation(path).household, book):
            assert mapping.matches(result.env, shared) == mapping.matches(result.env), (path.name, result.child.id)
        shared_codes += sum(shared.values())
    assert shared_codes > 0  # some household-wide factor matched, so sharing was exercised
