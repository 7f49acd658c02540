"""`needs rules lint` finds silent gaps: a recorded concern that no descriptor acknowledges."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from needs_engine import shipped_rulebooks
from needs_engine.authoring import gaps
from needs_engine.authoring.lint import Finding, lint_rulebook
from needs_engine.cli.app import app
from needs_engine.errors import RulebookError
from needs_engine.model.catalogue import facts_by_root
from needs_engine.rulebook.load import load_rulebook

from .conftest import copy_rulebook, descriptor_file, edit

GAP_CODES = {"unacknowledged_concern", "non_monotone_ladder", "not_a_concern_fires"}


def _remove_descriptor(path: Path, descriptor_id: str) -> None:
    """Delete one descriptor (its `- id:` item up to the next item or comment) from a descriptor file."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"  - id: {re.escape(descriptor_id)}\n(?:    .*\n|\n)*?(?=  - id:|  #|\Z)")
    assert len(pattern.findall(text)) == 1, descriptor_id
    path.write_text(pattern.sub("", text), encoding="utf-8")


def _append_not_a_concern(rules: Path, entry: str) -> None:
    """Add an entry to the rules file's own `not_a_concern:` (the shipped ones add none to the library's)."""
    if "\nnot_a_concern:\n" not in rules.read_text(encoding="utf-8"):
        edit(rules, "\nconsent:\n", "\nnot_a_concern:\nconsent:\n")
    edit(rules, "not_a_concern:\n", "not_a_concern:\n" + entry)


def _new_gaps(rules: Path, name: str = "knowsley") -> list[Finding]:
    """The gap findings of an edited copy that the shipped rulebook does not already have."""
    shipped = {(f.code, f.subject) for f in lint_rulebook(name).findings}
    return [f for f in lint_rulebook(rules).findings if f.code in GAP_CODES and (f.code, f.subject) not in shipped]


OPEN_GAPS: set[str] = set()
"""Facts the probe still finds unacknowledged at some age in a shipped rulebook: none since the
issue 10 content work (ages.py APPLIES, widened bands and `not_a_concern` entries). It must never
grow."""


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_shipped_rulebooks_acknowledge_every_concern_at_every_age_but_the_open_ones(name: str) -> None:
    report = lint_rulebook(name)
    found = {f.subject.split("=")[0] for f in report.findings if f.code in GAP_CODES}
    assert found <= OPEN_GAPS, sorted(found - OPEN_GAPS)
    # Exploitation, missing, gangs, self-harm and harmful sexual behaviour are acknowledged at every age.
    assert not {fact for fact in found if fact.startswith("child.extra_familial.") and fact != "child.extra_familial.online_harm"}
    assert "child.emotional.self_harm" not in found and "child.emotional.harmful_sexual_behaviour" not in found
    assert report.probed > 2500  # every concern fact, value and age the rulebook tells apart was probed


def test_knowsley_gcp2_grades_2_to_4_are_found(tmp_path: Path) -> None:
    # The case: a Knowsley child with a GCP2 grade of 2, 3 or 4 fired nothing. The shipped
    # rulebook now has a descriptor for each; take them out and the probe reports every grade.
    grades = {"child.harm.gcp2_grade=2", "child.harm.gcp2_grade=3", "child.harm.gcp2_grade=4"}
    shipped = {f.subject for f in lint_rulebook("knowsley").findings if f.code == "unacknowledged_concern"}
    assert not grades & shipped
    rules = copy_rulebook(tmp_path)
    for grade in (2, 3, 4):  # in the library's red_flags file since issue 13
        descriptor = f"red_flags.gcp2_grade_{grade}"
        _remove_descriptor(descriptor_file(rules, descriptor), descriptor)
    found = {f.subject for f in lint_rulebook(rules).findings if f.code == "unacknowledged_concern"}
    assert grades <= found


@pytest.mark.parametrize(
    ("descriptors", "subject", "ages"),
    [
        # In the library the FGM risk is a red-flag-domain descriptor, and a risk of forced marriage
        # fires both the ensuring-safety and the honour-based-abuse descriptors: take out both.
        (("red_flags.fgm_risk",), "child.harm.fgm=at_risk", "0 months, 2 months, 6 months, 1 year"),
        (
            ("ensuring_safety.forced_marriage_risk", "identity.honour_based_abuse_risk"),
            "child.harm.forced_marriage=at_risk",
            "0 months, 2 months, 6 months, 1 year",
        ),
    ],
)
def test_a_removed_descriptor_is_reported_naming_the_fact_value_and_ages(
    tmp_path: Path, descriptors: tuple[str, ...], subject: str, ages: str
) -> None:
    rules = copy_rulebook(tmp_path)
    for descriptor in descriptors:
        _remove_descriptor(descriptor_file(rules, descriptor), descriptor)

    report = lint_rulebook(rules)

    assert report.loaded and report.errors == []
    [gap] = _new_gaps(rules)
    assert (gap.severity, gap.code, gap.subject) == ("warning", "unacknowledged_concern", subject)
    assert f"= 'at_risk' fires no descriptor for a child aged {ages}" in gap.message
    assert "(not_covered)" in gap.message
    assert report.exit_code(strict=False) == 0 and report.exit_code(strict=True) == 1


def test_the_gap_is_in_lint_json(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    _remove_descriptor(descriptor_file(rules, "red_flags.fgm_risk"), "red_flags.fgm_risk")
    result = CliRunner().invoke(app, ["rules", "lint", str(rules), "--format", "json", "--strict"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["households_probed"] > 2500
    [gap] = [f for f in report["findings"] if f["subject"] == "child.harm.fgm=at_risk"]
    assert gap["subject"] == "child.harm.fgm=at_risk" and gap["file"] == str(rules.resolve())


def test_a_not_a_concern_entry_silences_a_gap_only_within_its_age_band(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    _remove_descriptor(descriptor_file(rules, "red_flags.fgm_risk"), "red_flags.fgm_risk")
    _append_not_a_concern(
        rules,
        "  - fact: child.harm.fgm\n    value: at_risk\n    age: {max_months: 100}\n"
        "    reason: A test entry, to show the mechanism.\n    source: A test of the allow-list\n",
    )
    [gap] = _new_gaps(rules)
    assert gap.subject == "child.harm.fgm=at_risk" and "aged 8 years 5 months, 10 years," in gap.message
    assert "0 months" not in gap.message


def test_a_not_a_concern_entry_that_a_descriptor_contradicts_is_reported(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    _append_not_a_concern(
        rules,
        "  - fact: carer.mental_health\n    value: mild\n    reason: Low mood managed by the GP.\n    source: A test entry\n",
    )
    [found] = _new_gaps(rules)
    assert found.code == "not_a_concern_fires" and found.line is not None
    assert "family_functioning.carer_mental_health_mild fires for it" in found.message


def test_a_worse_value_at_a_lower_level_is_a_non_monotone_ladder(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    emotional = descriptor_file(rules, "emotional_behavioural.moderate_mental_health")
    edit(emotional, "when: child.emotional.mental_health >= 'moderate'", "when: child.emotional.mental_health == 'moderate'")
    # Put the severe rung at Universal with an override (Knowsley overrode it to Targeted before the
    # library; it now has no override of its own), and take it out of its ladder too (a rung below
    # the one before it is a load error).
    edit(
        descriptor_file(rules, "emotional_behavioural.severe_mental_health"),
        "  - id: emotional_behavioural.severe_mental_health\n    need: emotional_behavioural.mental_health\n",
        "  - id: emotional_behavioural.severe_mental_health\n",
    )
    edit(
        rules,
        "\noverrides:\n",
        "\noverrides:\n  - descriptor: emotional_behavioural.severe_mental_health\n    level: universal\n"
        "    source: A test\n    reason: A worse value placed below a less worrying one.\n",
    )
    inversions = [f for f in lint_rulebook(rules).findings if f.code == "non_monotone_ladder"]
    assert [f.subject for f in inversions] == ["child.emotional.mental_health=severe"]
    assert "at universal, below the early_help that the less worrying 'moderate' gives" in inversions[0].message


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - fact: carer.mental_helth\n    value: mild\n", "'carer.mental_helth' is not a concern fact"),
        ("  - fact: strengths.protective_adult\n    value: true\n", "'strengths.protective_adult' is not a concern fact"),
        (
            "  - fact: carer.mental_health\n    value: none\n",
            "'none' is not a value of 'carer.mental_health' worse than its best",
        ),
        ("  - fact: carer.mental_health\n    value: sad\n", "'sad' is not a value of 'carer.mental_health' worse than its best"),
        ("  - fact: child.education.attendance_percent\n    value: 100\n", "100 is not a value of"),
        ("  - fact: child.harm.left_alone\n    value: false\n", "False is not a value of 'child.harm.left_alone'"),
    ],
)
def test_the_loader_rejects_a_not_a_concern_entry_for_an_unknown_fact_or_value(tmp_path: Path, entry: str, message: str) -> None:
    rules = copy_rulebook(tmp_path)
    _append_not_a_concern(rules, entry + "    reason: A test entry.\n    source: A test entry\n")
    with pytest.raises(RulebookError) as raised:
        load_rulebook(rules)
    [problem] = raised.value.problems
    assert message in problem.msg and re.search(r"knowsley\.yaml:\d+$", problem.loc)
    if "mental_helth" in entry:
        assert problem.suggestion == "carer.mental_health"


def test_numbers_are_probed_just_past_each_threshold_on_the_worrying_side() -> None:
    attendance = facts_by_root()["child"][("education", "attendance_percent")]
    assert gaps.worse_values(attendance, {("<", 90), ("<", 50), (">=", 95)}) == [94.5, 89.5, 49.5, 0.0]
    incidents = facts_by_root()["home"][("domestic_abuse", "incidents_12m")]
    assert gaps.worse_values(incidents, {(">=", 1), (">", 2), ("<", 3)}) == [1, 3, 365]


def test_probe_ages_come_from_the_rulebooks_bands_and_the_model() -> None:
    book = load_rulebook("knowsley")
    months = [age.months for age in gaps.probe_ages(book)]
    assert months[0] is None  # an unborn baby
    assert {0, 36, 48, 132, 156, 192} <= set(months)  # named bands and APPLIES edges
    descriptor_edges = {d.age.min_months for d in book.descriptors if d.age and d.age.min_months is not None}
    assert descriptor_edges <= set(months)
    # A fact that cannot apply at an age is not probed there: no attendance for a 2-year-old.
    attendance = facts_by_root()["child"][("education", "attendance_percent")]
    assert not gaps.occurs_at(attendance, gaps.Age("2 years", 24)) and gaps.occurs_at(attendance, gaps.Age("3 years", 36))


def test_lint_is_deterministic() -> None:
    first = lint_rulebook("st-helens").to_json()
    assert lint_rulebook("st-helens").to_json() == first


def test_a_band_that_stops_short_is_found_just_outside_its_edge(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    # The self-harm rungs are all in the library since issue 13 (Knowsley has no file of its own).
    assert not (rules.parent.parent / "descriptors" / "knowsley" / "emotional_behavioural.yaml").exists()
    for emotional in (rules.parent.parent / "descriptors" / "england" / "emotional_behavioural.yaml",):
        text = emotional.read_text(encoding="utf-8")
        emotional.write_text(
            re.sub(
                r"age: \{min_months: 0, max_months: 228\}(.*\n    when: child\.emotional\.self_harm)",
                r"age: {min_months: 66, max_months: 228}\1",
                text,
            ),
            encoding="utf-8",
        )
    found = {f.subject: f.message for f in _new_gaps(rules) if f.code == "unacknowledged_concern"}
    # Since issue 12 the self-harm rungs narrowed here also read the count of episodes. Suicidal
    # thoughts are their own need in the library (emotional_behavioural.suicidal_thoughts, not
    # narrowed here), so they are no longer a gap.
    assert set(found) == {
        f"child.emotional.self_harm={value}" for value in ("thoughts", "self_harming", "serious_or_attempt")
    } | {f"child.emotional.self_harm_episodes_12m={n}" for n in (1, 2, 365)}
    assert "for a child aged 0 months, 2 months," in found["child.emotional.self_harm=thoughts"]
    assert "or 5 years: a screener" in found["child.emotional.self_harm=thoughts"]  # the part before 66 months
    assert "5 years 6 months" not in found["child.emotional.self_harm=thoughts"]
