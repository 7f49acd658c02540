"""Issue 13: one common library of descriptors with response tiers, and local rulebooks that extend it.

Each test breaks or extends a copy of a shipped rulebook (and of the library) in the way an
author would, and checks what the author, the screener or the integrator then sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from needs_engine import Level, RulebookError, assess, load_rulebook
from needs_engine.cli.app import app
from needs_engine.errors import Problem
from needs_engine.model.tiers import Tier

from ..authoring.conftest import copy_rulebook, descriptor_file, edit
from ..cli.test_cli import plain

runner = CliRunner()
wide = CliRunner(env={"COLUMNS": "1000"})  # so a long path is never wrapped

# A new authority's whole rulebook: one rules file extending the library, nothing of its own.
# Its Early Help covers single-agency help too, so the library's single-agency descriptors are Early Help here.
NEWTOWN = """\
id: newtown
name: Newtown Continuum of Need
version: 0.1.0
summary: Four levels, placed on the common response tiers; every descriptor is the library's.
extends: england
levels:
  universal:
    label: Universal
    tiers: [universal]
    meaning: Needs met by the family and universal services.
    response: {summary: Universal services meet the need., actions: [Support the family within your own service.]}
    source: Newtown Threshold Guide, section 1
  early_help:
    label: Early Help
    tiers: [single_agency, multi_agency]
    meaning: Additional needs met by one agency or by services together, with consent.
    response: {summary: Start early help with the family's consent., actions: [Complete an early help assessment.]}
    source: Newtown Threshold Guide, section 2
  targeted:
    label: Child in Need
    tiers: [child_in_need]
    meaning: A child in need under section 17.
    response: {summary: Refer to children's social care., actions: [Refer to the front door today.]}
    source: Newtown Threshold Guide, section 3
  safeguarding:
    label: Child Protection
    tiers: [child_protection, emergency]
    meaning: Significant harm, enquiries under section 47.
    response: {summary: Refer to children's social care now., actions: [Call the front door now.]}
    source: Newtown Threshold Guide, section 4
red_flags: [red_flags.disclosure_of_abuse, red_flags.unexplained_injury, red_flags.immediate_danger]
consent:
  needed_from: early_help
  not_needed_from: safeguarding
  given: Consent is recorded.
  refused: {early_help: Record the refusal and keep offering help., targeted: Discuss with your safeguarding lead today.}
  not_sought: Seek the family's consent first.
  unknown: Find out whether the family has consented.
  not_needed: Consent is not needed to refer a child protection concern.
urgent:
  when: household.immediate_danger
  summary: Call 999 now.
  actions: [Call the police on 999.]
  source: Working Together to Safeguard Children (2023), chapter 2
"""


def newtown(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    path = tmp_path / "rules" / "newtown.yaml"
    path.write_text(NEWTOWN, encoding="utf-8")
    return path


def household(child: dict[str, Any], strengths: dict[str, bool] | None = None, **home: Any) -> dict[str, Any]:
    return {
        "household": {
            "children": [{"id": "c1", "age_months": 75, **child}],
            "carers": [{"id": "m"}],
            "home": home,
            "strengths": strengths or {},
        }
    }


def problems_of(rules: Path) -> list[Problem]:
    with pytest.raises(RulebookError) as raised:
        load_rulebook(rules)
    return raised.value.problems


def line_of(path: Path, text: str, *, after: str = "") -> int:
    """The line number of the one line `text` (the first after the line `after`, when given)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if after:
        start = lines.index(after)
        return start + 1 + lines[start:].index(text)
    [number] = [n for n, line in enumerate(lines, 1) if line == text]
    return number


def append_override(rules: Path, entry: str) -> None:
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text + ("" if "\noverrides:\n" in text else "\noverrides:\n") + entry, encoding="utf-8")


# --- a rulebook extending the library -------------------------------------------------------------


def test_a_one_page_rulebook_extending_the_library_places_every_descriptor_by_its_tier(tmp_path: Path) -> None:
    book = load_rulebook(newtown(tmp_path))
    library = load_rulebook("st-helens")
    assert book.library == "england 1.0.0" and book.origin_counts()["common"] == len(book.descriptors) > 200
    assert book.origin_counts() == {"common": len(book.descriptors), "overridden": 0, "local": 0, "excluded": 0}
    for descriptor in book.descriptors:
        common_tier = descriptor.origin.common.tier  # type: ignore[union-attr]
        assert descriptor.level is book.level_for(common_tier) and descriptor.tier in book.tiers_of(descriptor.level)
    # The library's single-agency descriptor is Universal in St Helens and Early Help in Newtown.
    # (Peer isolation: single-agency in the library, descriptors/england/family_social_relationships.yaml;
    # missed appointments, used here before the recalibration, is now multi-agency.)
    isolated = "family_social_relationships.peer_isolation"
    assert library.by_id[isolated].tier is book.by_id[isolated].tier is Tier.single_agency
    assert (library.by_id[isolated].level, book.by_id[isolated].level) == (Level.universal, Level.early_help)
    assessment = assess(household({"relationships": {"peer_isolation": True}}), book)
    assert (assessment.level, assessment.tier) == (Level.early_help, Tier.single_agency)
    assert [(d.id, d.tier, d.origin) for d in assessment.children[0].fired] == [(isolated, Tier.single_agency, "common")]


def test_an_override_changes_the_level_and_shows_as_overridden(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    isolated = "family_social_relationships.peer_isolation"  # single-agency in the library
    append_override(
        rules,
        f"  - descriptor: {isolated}\n    level: early_help\n"
        "    source: St Helens Descriptions of Need, Family and social relationships\n"
        "    reason: Isolation from peers needs services together here.\n",
    )
    book = load_rulebook(rules)
    descriptor = book.by_id[isolated]
    assert (descriptor.level, descriptor.tier, descriptor.origin.kind) == (Level.early_help, Tier.multi_agency, "overridden")
    assert book.origin_counts()["overridden"] == 1
    assessment = assess(household({"relationships": {"peer_isolation": True}}), book)
    assert assessment.level is Level.early_help and assessment.children[0].fired[0].origin == "overridden"
    assert assess(household({"relationships": {"peer_isolation": True}}), "st-helens").level is Level.universal

    shown = wide.invoke(app, ["rules", "show", str(rules), "--explain-origin", isolated])
    assert shown.exit_code == 0, shown.output
    text = plain(shown.stdout)
    assert f"{isolated} in st-helens: overridden" in text
    assert "tier single_agency, which is universal (Level 1 Universal) here" in text
    assert "changes level: level: universal -> early_help" in text
    assert "source: St Helens Descriptions of Need, Family and social relationships" in text
    assert "reason: Isolation from peers" in text
    assert f"({rules}:{line_of(rules, f'  - descriptor: {isolated}')})" in text


def test_an_override_of_a_tier_moves_the_level_to_the_lowest_covering_it(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    append_override(
        rules, "  - descriptor: housing.overcrowded\n    tier: child_in_need\n    source: A test\n    reason: A test of tier.\n"
    )
    overcrowded = load_rulebook(rules).by_id["housing.overcrowded"]
    assert (overcrowded.level, overcrowded.tier, overcrowded.origin.kind) == (Level.targeted, Tier.child_in_need, "overridden")


def test_an_override_of_an_unknown_id_is_an_error_at_its_line_with_the_closest_id(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    append_override(
        rules, "  - descriptor: health.missed_apointments\n    level: targeted\n    source: A test\n    reason: A misspelt id.\n"
    )
    [problem] = problems_of(rules)
    assert problem.loc == f"{rules}:{line_of(rules, '  - descriptor: health.missed_apointments')}"
    assert "'health.missed_apointments' is not a common descriptor" in problem.msg
    assert problem.suggestion == "health.missed_appointments"


def test_an_override_and_an_exclusion_of_one_descriptor_conflict(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    plain_common = next(d.id for d in load_rulebook("knowsley").descriptors if d.origin.kind == "common")
    edit(
        rules,
        "\noverrides:\n",
        f"\nexclude:\n  - descriptor: {plain_common}\n    reason: Not used here.\n    source: A test\n"
        f"\noverrides:\n  - descriptor: {plain_common}\n    level: targeted\n    source: A test\n    reason: A conflict.\n",
    )
    [problem] = problems_of(rules)
    assert f"'{plain_common}' is also excluded" in problem.msg


def test_an_excluded_descriptor_is_gone_and_counted(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    edit(
        rules,
        "\nconsent:\n",
        "\nexclude:\n  - descriptor: housing.overcrowded\n    reason: Overcrowding is the housing service's here.\n"
        "    source: A test\n\nconsent:\n",
    )
    book = load_rulebook(rules)
    assert "housing.overcrowded" not in book.by_id and book.origin_counts()["excluded"] == 1
    assert assess(household({}, housing={"overcrowded": True}), book).children[0].fired == []
    assert assess(household({}, housing={"overcrowded": True}), "st-helens").children[0].fired != []
    shown = plain(runner.invoke(app, ["rules", "show", str(rules), "--explain-origin", "housing.overcrowded"]).stdout)
    assert "housing.overcrowded in st-helens: excluded" in shown and "housing service's here" in shown


def test_a_local_descriptor_may_not_reuse_a_common_id(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    # Knowsley has no descriptors of its own now (every one is common or overridden), so the
    # author starts a local file for the domain.
    health = rules.parent.parent / "descriptors" / "knowsley" / "health.yaml"
    health.write_text(
        "domain: health\n"
        "descriptors:\n  - id: health.growth_below_expected\n    level: targeted\n    text: A copy of the common one.\n"
        "    source: A test\n    when: child.health.growth >= 'below_expected'\n",
        encoding="utf-8",
    )
    [problem] = problems_of(rules)
    assert problem.loc == f"{health}:{line_of(health, '    when: child.health.growth >= ' + repr('below_expected'))}"
    library = descriptor_file(rules, "health.faltering_growth")
    assert f"is a common descriptor ({library}:" in problem.msg and "overrides:" in problem.msg


# --- the tier mapping and tiers at load -------------------------------------------------------------


def test_a_gap_in_a_rules_files_mapping_is_an_error_at_its_tiers_line(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    edit(rules, "    tiers: [child_in_need]\n", "    tiers: [child_protection]\n")
    edit(rules, "    tiers: [child_protection, emergency]\n", "    tiers: [emergency]\n")
    found = [p for p in problems_of(rules) if p.code == "tiers"]
    targeted = line_of(rules, "    tiers: [child_protection]")
    assert any(p.loc == f"{rules}:{targeted}" and "no level covers child_in_need" in p.msg for p in found)
    assert any("statutory" in p.msg for p in found) is False  # Level 3 still covers a social-care tier


def test_a_statutory_flag_the_tiers_contradict_is_an_error(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "    tiers: [multi_agency]\n    statutory: false\n    name: Getting More Help\n",
        "    tiers: [multi_agency]\n    statutory: true\n    name: Getting More Help\n",
    )
    [problem] = problems_of(rules)
    assert problem.code == "tiers" and "levels.targeted: statutory is true" in problem.msg


def test_an_escalation_must_mean_a_tier_its_level_covers(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path)
    edit(
        rules,
        "    tier: multi_agency\n    to: targeted\n    descriptors:",
        "    tier: child_in_need\n    to: targeted\n    descriptors:",
    )
    [problem] = problems_of(rules)
    assert "escalation 'escalation.multiple_needs': to targeted does not cover tier child_in_need" in problem.msg
    assert problem.loc == f"{rules}:{line_of(rules, '    tier: child_in_need', after='  - id: escalation.multiple_needs')}"


def test_tiers_never_go_down_a_ladder_within_a_file(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    library = descriptor_file(rules, "health.growth_below_expected")
    # Both rungs are Level 2 here; the lower one now claims a higher response than the next.
    edit(
        library,
        "  - id: health.growth_below_expected\n    need: health.growth\n    tier: multi_agency\n",
        "  - id: health.growth_below_expected\n    need: health.growth\n    tier: child_in_need\n",
    )
    edit(
        library,
        "  - id: health.faltering_growth\n    need: health.growth\n    tier: child_in_need\n",
        "  - id: health.faltering_growth\n    need: health.growth\n    tier: multi_agency\n",
    )
    ladder = [p for p in problems_of(rules) if p.code == "ladder"]
    assert any(
        "rung 'health.faltering_growth' (early_help, multi_agency) comes after 'health.growth_below_expected'" in p.msg
        for p in ladder
    )


def test_a_common_descriptor_states_a_tier_never_a_level(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    isolated = "family_social_relationships.peer_isolation"
    library = descriptor_file(rules, isolated)
    edit(library, f"  - id: {isolated}\n    tier: single_agency\n", f"  - id: {isolated}\n    level: universal\n")
    assert any("a common descriptor states `tier:`" in p.msg or "tier: Field required" in p.msg for p in problems_of(rules))


def test_editing_the_library_reloads_every_rulebook_built_on_it(tmp_path: Path) -> None:
    rules = copy_rulebook(tmp_path, "st-helens")
    before = load_rulebook(rules)
    isolated = "family_social_relationships.peer_isolation"
    library = descriptor_file(rules, isolated)
    edit(library, f"  - id: {isolated}\n    tier: single_agency\n", f"  - id: {isolated}\n    tier: multi_agency\n")
    after = load_rulebook(rules)
    assert before.by_id[isolated].level is Level.universal
    assert after.by_id[isolated].level is Level.early_help
    assert after.content_hash != before.content_hash


# --- tiers in assessments -------------------------------------------------------------------------


def test_a_mitigated_child_reports_a_tier_of_the_level_it_now_has() -> None:
    strengths = {"engages_with_support": True, "trusted_adult_for_child": True, "supportive_wider_family": True}
    document = household({"emotional": {"behaviour": "persistent_difficulties"}}, strengths)
    for name in ("knowsley", "st-helens"):
        assessment = assess(document, name)
        [child] = assessment.children
        [fired] = child.fired
        assert fired.tier is Tier.multi_agency and child.mitigation is not None
        assert (child.level, child.tier, assessment.tier) == (Level.universal, Tier.single_agency, Tier.single_agency)
        assert assess(household({"emotional": {"behaviour": "persistent_difficulties"}}), name).tier is Tier.multi_agency


def test_a_child_with_nothing_fired_is_universal_and_the_highest_of_what_fired_counts() -> None:
    assert assess(household({}), "knowsley").children[0].tier is Tier.universal
    red_flag = assess(household({"harm": {"disclosure_of_abuse": True}}), "st-helens")
    assert (red_flag.level, red_flag.tier) == (Level.safeguarding, Tier.child_protection)
    danger = {"household": {**household({})["household"], "immediate_danger": True}}
    assert assess(danger, "knowsley").tier is Tier.emergency


def test_an_escalation_carries_its_tier_into_the_child_tier() -> None:
    # Three single-agency needs in three domains: each descriptor is Universal in St Helens, and
    # escalation.several_needs (multi-agency, to Level 2: SH-EHS-2019, 'What does it mean?', low
    # needs that would benefit from services working together) raises the child. The child's tier
    # is the escalation's, above every fired descriptor's. Knowsley has no escalation over
    # Universal needs (its escalation.multiple_needs counts Early Help needs), so the child stays
    # single-agency there: both Knowsley levels below Targeted cover single-agency help (seeds/000).
    # (Before the recalibration this used three domestic-abuse incidents, which now fire a
    # child-protection descriptor of their own, so no longer isolate the escalation.)
    child = {
        "relationships": {"peer_isolation": True},
        "health": {"immunisations": "partly_behind"},
        "education": {"send": "sen_support"},
    }
    st_helens = assess(household(child), "st-helens")
    [escalation] = [e for e in st_helens.children[0].escalations if e.id == "escalation.several_needs"]
    assert {d.tier for d in st_helens.children[0].fired} == {Tier.single_agency}
    assert escalation.tier is Tier.multi_agency and st_helens.children[0].tier is Tier.multi_agency
    assert (st_helens.level, st_helens.tier) == (Level.early_help, Tier.multi_agency)
    knowsley = assess(household(child), "knowsley")
    assert knowsley.children[0].escalations == []
    assert (knowsley.level, knowsley.tier) == (Level.universal, Tier.single_agency)


def test_a_downward_override_gives_the_family_a_tier_of_the_level_it_now_has() -> None:
    document = household({}, domestic_abuse={"incidents_12m": 3})
    override = {"level": "early_help", "reason": "A test of the family tier.", "by": "SW", "second_person": "TM"}
    assessment = assess(document, "st-helens", override=override)
    assert assessment.children[0].tier is Tier.child_protection  # the child's computed level stands (escalation above)
    assert (assessment.level, assessment.tier) == (Level.early_help, Tier.multi_agency)


def test_tiers_are_in_the_json_the_text_view_and_the_decision_record(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "targeted-multiple-needs-housing-debt-absence.yaml"
    shown = runner.invoke(app, ["assess", str(example), "-r", "st-helens", "--format", "json", "--record", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.stdout)
    assert document["tier"] == "multi_agency" and {c["tier"] for c in document["children"]} == {"multi_agency"}
    assert all(f["tier"] and f["origin"] in {"common", "overridden", "local"} for c in document["children"] for f in c["fired"])
    [record] = [json.loads(path.read_text()) for path in tmp_path.glob("*.json")]
    assert record["tier"] == "multi_agency" and [c["tier"] for c in record["children"]] == ["multi_agency", "multi_agency"]
    text = plain(runner.invoke(app, ["assess", str(example), "-r", "st-helens"]).stdout)
    assert "Family level: Level 2 Early Help — Multi-agency early help" in text
    # Both children share the family's tier, so their headings do not repeat it (see the next test).
    assert "c1, 10 years 4 months: Level 2 Early Help · " in text
    markdown = runner.invoke(app, ["assess", str(example), "-r", "knowsley", "--format", "markdown"]).stdout
    assert "(`targeted`) — Multi-agency early help" in markdown


def test_a_child_whose_tier_differs_from_the_familys_shows_it_in_the_one_screen_view(tmp_path: Path) -> None:
    # c1 disclosed abuse (a red flag: child protection, WT2023 chapter 3, s47); c2, a sibling, has
    # only few friendships (the library's single-agency peer-isolation descriptor), which is Level 1
    # Universal in St Helens (its Level 1 covers single-agency help, rules/st-helens.yaml).
    document = household({"harm": {"disclosure_of_abuse": True}})
    document["household"]["children"].append({"id": "c2", "age_months": 100, "relationships": {"peer_isolation": True}})
    situation = tmp_path / "siblings.json"
    situation.write_text(json.dumps(document), encoding="utf-8")
    shown = wide.invoke(app, ["assess", str(situation), "-r", "st-helens"])
    assert shown.exit_code == 0, shown.output
    text = plain(shown.stdout)
    assert "Family level: Level 4 Child Protection — Child protection (s47)" in text
    assert "c2, 8 years 4 months: Level 1 Universal — Early help from one agency" in text
    assert "c1, 6 years 3 months: Level 4 Child Protection ·" in text or "c1, 6 years 3 months: Level 4 Child Protection " in text
    assert "c1, 6 years 3 months: Level 4 Child Protection — " not in text


def test_the_html_record_shows_the_tier_beside_each_level(tmp_path: Path) -> None:
    # A disclosure of abuse is a red flag: child protection in every scheme (WT2023 chapter 3, s47),
    # Level 4 Child Protection in St Helens (seeds/004, Level 4) and Safeguarding in Knowsley (seeds/000).
    situation = tmp_path / "disclosure.json"
    situation.write_text(json.dumps(household({"harm": {"disclosure_of_abuse": True}})), encoding="utf-8")
    for name, label in (("st-helens", "Level 4 Child Protection"), ("knowsley", "Safeguarding (Getting Needs/Risk Support)")):
        shown = runner.invoke(app, ["assess", str(situation), "-r", name, "--format", "html"])
        assert shown.exit_code == 0, shown.output
        page = shown.stdout
        family = page[page.index('<p class="family">') :]
        family = family[: family.index("</p>")]
        assert f">{label}</span>" in family and '<span class="tier"> — Child protection (s47)</span>' in family
        child = page[page.index('<section class="child"') :]
        child = child[: child.index("</h2>")]
        assert f">{label}</span>" in child and '<span class="tier"> — Child protection (s47)</span>' in child


# --- where descriptors come from --------------------------------------------------------------------


def test_rules_show_counts_where_a_rulebooks_descriptors_come_from() -> None:
    book = load_rulebook("knowsley")
    counts = book.origin_counts()
    assert counts["common"] + counts["overridden"] + counts["local"] == len(book.descriptors)
    assert counts["overridden"] == sum(1 for d in book.descriptors if d.origin.override is not None) > 0
    text = plain(runner.invoke(app, ["rules", "show", "knowsley"]).stdout)
    assert f"{len(book.descriptors)} descriptors: {counts['common']} common, {counts['overridden']} overridden, " in text
    assert f"{counts['local']} local, {counts['excluded']} excluded (library england 1.0.0)" in text
    assert "targeted Targeted Early Help (Getting More Help): multi_agency" in text


def test_explain_origin_of_a_common_and_a_local_descriptor(tmp_path: Path) -> None:
    isolated = "family_social_relationships.peer_isolation"
    common = plain(wide.invoke(app, ["rules", "show", "st-helens", "--explain-origin", isolated]).stdout)
    assert f"{isolated} in st-helens: common" in common
    assert "tier single_agency, which is universal (Level 1 Universal) here, the lowest level covering it" in common
    # No shipped rulebook has a local descriptor now; a copy of Knowsley gets a local red flag.
    rules = copy_rulebook(tmp_path)
    (rules.parent.parent / "descriptors" / "knowsley" / "red_flags.yaml").write_text(
        "domain: red_flags\ndescriptors:\n  - id: red_flags.local_test_flag\n    level: safeguarding\n"
        "    text: A local red flag of this test.\n    source: A test\n    when: child.harm.disclosure_of_abuse\n",
        encoding="utf-8",
    )
    edit(rules, "red_flags:\n", "red_flags:\n  - red_flags.local_test_flag\n")
    local = plain(wide.invoke(app, ["rules", "show", str(rules), "--explain-origin", "red_flags.local_test_flag"]).stdout)
    assert "red_flags.local_test_flag in knowsley: local" in local and "no common entry has this id" in local
    assert "tier child_protection" in local  # a red flag, whatever its level alone would report
    unknown = runner.invoke(app, ["rules", "show", "knowsley", "--explain-origin", "housing.overcrowdd"])
    assert unknown.exit_code == 2 and "did you mean 'housing.overcrowded'?" in plain(unknown.output)
    listed = plain(wide.invoke(app, ["rules", "list", "-r", str(rules), "--domain", "red_flags"]).stdout)
    assert "local" in listed and "common" in listed
    shipped = plain(wide.invoke(app, ["rules", "list", "-r", "knowsley", "--domain", "education"]).stdout)
    assert "overridden" in shipped and "common" in shipped  # education.ehcp is Knowsley's one override
