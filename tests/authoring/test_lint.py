"""`needs rules lint`: load errors and lint findings together, with file, line and suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from needs_engine import shipped_rulebooks
from needs_engine.authoring.draft import Draft, Entry
from needs_engine.authoring.lint import _mitigations, lint_rulebook
from needs_engine.authoring.satisfy import satisfying_household
from needs_engine.language.compile import compile_condition
from needs_engine.model.levels import Level
from needs_engine.model.situation import Household
from needs_engine.rulebook.schema import AgeBand

from .conftest import copy_rulebook, descriptor_file, edit


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_every_shipped_rulebook_lints_without_errors(name: str) -> None:
    report = lint_rulebook(name)
    assert report.loaded
    assert report.errors == [], [f.message for f in report.errors]
    assert report.exit_code(strict=False) == 0
    assert report.searched >= 100  # every descriptor's condition was searched


def test_a_broken_copy_reports_load_errors_and_dead_descriptors_in_one_run(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(
        descriptor_file(rules, "education.persistent_absence"),
        "when: child.education.attendance_percent < 90",
        "when: child.education.attendence_percent < 90",
    )
    housing = descriptor_file(rules, "housing.at_risk")  # the library's
    lines = housing.read_text(encoding="utf-8").splitlines(keepends=True)
    at_risk = lines.index("  - id: housing.at_risk\n")
    at_risk_source = next(line for line in lines[at_risk:] if line.startswith("    source: "))
    assert "Knowsley Early Help Strategy 2017-2020 (early help examples" in at_risk_source
    edit(housing, at_risk_source, "")  # housing.at_risk loses its citation
    # In the same file as the missing citation, so lint must look past the file's load error.
    edit(
        housing,
        "when: home.housing.conditions >= 'poor'",
        "when: home.housing.conditions >= 'poor' and home.housing.conditions < 'poor'",
    )
    dead_line = (
        housing.read_text(encoding="utf-8")
        .splitlines()
        .index("    when: home.housing.conditions >= 'poor' and home.housing.conditions < 'poor'")
    )

    report = lint_rulebook(rules)

    assert not report.loaded and report.exit_code(strict=False) == 2
    misspelt = [f for f in report.errors if "attendence_percent" in f.message]
    assert len(misspelt) == 1
    assert misspelt[0].file.endswith("education.yaml") and misspelt[0].line is not None
    assert misspelt[0].suggestion == "child.education.attendance_percent"
    citation = [f for f in report.errors if f.code == "load.citation"]
    assert len(citation) == 1 and citation[0].file == str(housing.resolve()) and citation[0].line == at_risk + 1
    dead = [f for f in report.findings if f.code == "never_fires"]
    assert [f.subject for f in dead] == ["housing.poor_conditions"]
    assert dead[0].severity == "error" and "exhaustive" in dead[0].message and dead[0].line == dead_line + 1


def test_lint_finds_what_loads_but_cannot_be_right(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    # An unborn-only descriptor reading school attendance can never fire (it leaves its ladder, whose
    # other rungs read antenatal care).
    health = descriptor_file(rules, "health.antenatal_late_or_missed")
    edit(health, "    need: health.antenatal_care\n    tier: multi_agency\n", "    tier: multi_agency\n", count=1)
    edit(
        health,
        "when: child.health.antenatal_care >= 'late_or_missed'",
        "when: child.education.attendance_percent < 90",
    )
    # The same condition and age band at a second level in one domain (Knowsley's override keeps
    # housing.poor_conditions at Early Help, as the library's tier places housing.at_risk).
    # (housing.poor_conditions leaves its ladder, whose other rungs read the conditions, not the status.)
    housing = descriptor_file(rules, "housing.poor_conditions")
    edit(housing, "    need: housing.conditions\n    tier: single_agency\n", "    tier: single_agency\n")
    edit(housing, "when: home.housing.conditions >= 'poor'", "when: home.housing.status >= 'at_risk'")
    edit(
        rules, "source: \"SL-DASH, Marac referral criteria ('potential", "source: \"SL-DAHS, Marac referral criteria ('potential"
    )
    edit(rules, "min_level: targeted, min_count: 4, min_domains: 3", "min_level: targeted, min_count: 400, min_domains: 3")
    edit(rules, "  - id: escalation.repeated_domestic_abuse_baby\n", "  - id: escalation.repeated_domestic_abuse\n")

    # A baby escalation whose condition contradicts itself.
    edit(
        rules,
        "    age: {max_months: 11, unborn: include}\n    when: home.domestic_abuse.incidents_12m >= 3\n",
        "    age: {max_months: 11, unborn: include}\n    when: home.domestic_abuse.incidents_12m >= 3 and home.domestic_abuse.incidents_12m < 2\n",
    )
    edit(descriptor_file(rules, "income.some_hardship"), "    source: ", "    source: TBC\n    documentation: ", count=1)

    report = lint_rulebook(rules)

    assert report.loaded
    assert ("never_fires", "escalation.repeated_domestic_abuse") in {(f.code, f.subject) for f in report.errors}
    assert any(f.code == "citation" and "placeholder ('TBC')" in f.message for f in report.warnings)
    by_code = {(f.code, f.subject) for f in report.findings}
    assert ("never_fires", "health.antenatal_late_or_missed") in by_code
    assert ("same_condition", "housing.at_risk") in by_code  # the later of the two in the library's file
    assert ("never_applies", "escalation.complex_needs") in by_code
    assert ("duplicate_id", "escalation.repeated_domestic_abuse") in by_code
    key = next(f for f in report.findings if f.code == "citation_key" and "SL-DAHS" in f.message)
    assert "'SL-DAHS'" in key.message and key.suggestion == "SL-DASH"
    assert report.exit_code(strict=False) == 2


def test_warnings_alone_exit_1_only_with_strict(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(
        rules, "source: \"SL-DASH, Marac referral criteria ('potential", "source: \"SL-DAHS, Marac referral criteria ('potential"
    )
    report = lint_rulebook(rules)
    assert report.errors == [] and any("SL-DAHS" in f.message for f in report.warnings)
    assert report.exit_code(strict=False) == 0 and report.exit_code(strict=True) == 1


def test_a_mitigation_from_a_level_nothing_reaches_is_reported() -> None:
    early = Entry(
        "descriptor",
        "health.a",
        "d.yaml",
        3,
        "src",
        level=Level.early_help,
        condition=compile_condition("child.health.teenage_pregnancy"),
    )
    mitigation = Entry(
        "mitigation",
        "mitigation.m",
        "r.yaml",
        9,
        "src",
        condition=compile_condition("strengths.protective_adult"),
        lowers_from=(Level.targeted,),
    )
    draft = Draft(Path("r.yaml"), None, {}, frozenset(), (early, mitigation))
    searches = {entry: satisfying_household(entry.condition, entry.age) for entry in draft.entries if entry.condition}
    findings = _mitigations(draft, searches)
    assert [(f.code, f.subject) for f in findings] == [("never_lowers", "mitigation.m")]
    assert "targeted" in findings[0].message


@pytest.mark.parametrize(
    ("condition", "age"),
    [
        ("child.education.attendance_percent < 5 and child.education.attendance_percent > 10", None),
        ("child.education.attendance_percent < 90", AgeBand(unborn="only")),
        ("child.age_months >= 60", AgeBand(max_months=11, unborn="include")),
        ("count_siblings(sibling.age_months >= 0) >= 1 and not any_sibling(sibling.age_months >= 0)", None),
        ("count_siblings(sibling.age_months >= 0) >= 25", None),
        ("any_carer(carer.mental_health >= 'crisis') and all_carers(carer.mental_health < 'diagnosed_stable')", None),
    ],
)
def test_unsatisfiable_conditions_are_proved_so(condition: str, age: AgeBand | None) -> None:
    search = satisfying_household(compile_condition(condition), age)
    assert not search.satisfiable and search.exhaustive


def test_a_satisfiable_condition_comes_with_a_household_that_satisfies_it() -> None:
    text = "count_siblings(sibling.age_months >= 100) >= 5 and any_sibling(sibling.age_months < 10) and child.unborn_weeks >= 24"
    search = satisfying_household(compile_condition(text), AgeBand(unborn="only"))
    assert search.satisfiable
    household = Household.model_validate(search.found)
    siblings = [c for c in household.children if c.id != "c"]
    assert sum(1 for s in siblings if (s.age_months or 0) >= 100) >= 5
    assert next(c for c in household.children if c.id == "c").unborn_weeks >= 24


def test_duplicate_descriptor_ids_come_from_the_loader_with_both_places(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    housing = descriptor_file(rules, "housing.hazardous")
    edit(housing, "- id: housing.hazardous\n", "- id: housing.at_risk\n")
    first, second = (
        number for number, line in enumerate(housing.read_text().splitlines(), 1) if line == "  - id: housing.at_risk"
    )
    report = lint_rulebook(rules)
    [duplicate] = [f for f in report.errors if "duplicate descriptor id" in f.message]
    assert duplicate.file.endswith("housing.yaml") and duplicate.line == second
    assert "also at" in duplicate.message and f"housing.yaml:{first}" in duplicate.message


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_every_shipped_rulebook_declares_its_ladders(name: str) -> None:
    assert [f.message for f in lint_rulebook(name).findings if f.code == "not_a_ladder"] == []


def test_two_descriptors_on_one_fact_not_declared_one_need_are_an_undeclared_ladder(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    # Mental health mild -> diagnosed -> unstable -> crisis is one need; take the crisis rung out of it.
    edit(
        descriptor_file(rules, "family_functioning.carer_mental_health_crisis"),
        "  - id: family_functioning.carer_mental_health_crisis\n    need: family_functioning.carer_mental_health\n",
        "  - id: family_functioning.carer_mental_health_crisis\n",
    )

    report = lint_rulebook(rules)

    assert report.loaded and report.errors == []
    found = [f for f in report.warnings if f.code == "not_a_ladder"]
    assert [f.subject for f in found] == ["family_functioning.carer_mental_health_crisis"]
    assert "family_functioning.carer_mental_health_mild" in found[0].message and "carer.mental_health" in found[0].message
    assert found[0].file.endswith("family_functioning.yaml") and found[0].line is not None
    assert report.exit_code(strict=True) == 1


@pytest.mark.parametrize("name", shipped_rulebooks())
def test_a_shipped_rulebook_cites_every_source_it_declares(name: str) -> None:
    assert [f.subject for f in lint_rulebook(name).findings if f.code == "unused_source"] == []


def test_a_declared_source_that_nothing_cites_is_an_unused_source_warning(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(rules, "\nsources:\n", "\nsources:\n  TEST-UNCITED: A document no descriptor or rule of this copy cites\n")
    report = lint_rulebook(rules)
    [unused] = [f for f in report.findings if f.code == "unused_source"]
    assert (unused.severity, unused.subject, unused.file) == ("warning", "TEST-UNCITED", str(rules))
    assert (
        unused.line
        == rules.read_text(encoding="utf-8")
        .splitlines()
        .index("  TEST-UNCITED: A document no descriptor or rule of this copy cites")
        + 1
    )
    assert "source 'TEST-UNCITED' is declared in `sources:` but nothing in the rulebook cites it" in unused.message
    assert report.exit_code(strict=False) == 0 and report.exit_code(strict=True) == 1


def test_a_source_mentioned_only_in_a_comment_is_still_unused(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(rules, "\nsources:\n", "\n# TEST-UNCITED is named here, in a comment only.\nsources:\n  TEST-UNCITED: A document\n")
    assert [f.subject for f in lint_rulebook(rules).findings if f.code == "unused_source"] == ["TEST-UNCITED"]


def test_a_declared_source_cited_by_a_level_an_override_or_a_descriptor_is_not_reported(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "\nsources:\n",
        "\nsources:\n  TEST-BY-LEVEL: A document a level cites\n  TEST-BY-OVERRIDE: A document an override cites\n"
        "  TEST-BY-DESCRIPTOR: A document a library descriptor cites\n",
    )
    edit(
        rules,
        "(Targeted Early Help / Getting More Help); KN-EHS-2017",
        "(Targeted Early Help / Getting More Help); TEST-BY-LEVEL; KN-EHS-2017",
    )
    edit(rules, "'eg. Education Health and Care Plan')\"", "'eg. Education Health and Care Plan'); TEST-BY-OVERRIDE\"")
    library = descriptor_file(rules, "family_social_relationships.peer_isolation")
    edit(
        library,
        "source: \"ESX-LI, Level 1 'Identity'",
        "source: \"TEST-BY-DESCRIPTOR; ESX-LI, Level 1 'Identity'",
    )
    assert [f for f in lint_rulebook(rules).findings if f.code == "unused_source"] == []
    # Take one citation away again and only that source is reported.
    edit(rules, '; TEST-BY-OVERRIDE"', '"')
    assert [f.subject for f in lint_rulebook(rules).findings if f.code == "unused_source"] == ["TEST-BY-OVERRIDE"]
