"""Loading rulebooks: validation with file and line, references, mitigations, hashing.

Each test writes a tiny rulebook (rules/<id>.yaml + descriptors/<id>/<domain>.yaml) into
tmp_path, modelled on rules/knowsley.yaml, and changes one thing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from needs_engine import Level, RulebookError, load_rulebook
from needs_engine.errors import Problem
from needs_engine.rulebook.tiers import PLAIN_TIERS

BOOK_ID = "tiny"


# --- builders --------------------------------------------------------------------------------


# The first lines of a one-descriptor health file; tests add the `when` they need.
HEALTH_DESCRIPTOR_HEAD = (
    "domain: health\n"
    "descriptors:\n"
    "  - id: health.missed_appointments\n"
    "    level: early_help\n"
    "    text: Missed appointments.\n"
    "    source: Test source\n"
)


def level_entry(name: str) -> dict[str, Any]:
    return {
        "label": name.replace("_", " ").title(),
        "tiers": [tier.value for tier in PLAIN_TIERS.tiers_of(Level(name))],
        "meaning": f"Children whose needs are at the {name} level.",
        "response": {"summary": f"Respond at {name}.", "actions": [f"Take the {name} action."]},
        "source": "Test source, section 1",
    }


def base_rules() -> dict[str, Any]:
    return {
        "id": BOOK_ID,
        "name": "Tiny test rulebook",
        "version": "1.0.0",
        "summary": "A small rulebook for tests.",
        "sources": {"TEST": "Test source"},
        "levels": {level.value: level_entry(level.value) for level in Level},
        "domains": {
            "health": {"label": "Health", "group": "child_development"},
            "education": {"label": "Education", "group": "child_development"},
            "red_flags": {"label": "Red flags", "group": "red_flags"},
        },
        "red_flags": ["red_flags.left_alone"],
        "escalations": [
            {
                "id": "escalation.multiple_needs",
                "text": "Two early help needs in two domains make targeted.",
                "source": "Test source",
                "tier": "child_in_need",
                "to": "targeted",
                "descriptors": {"min_level": "early_help", "min_count": 2, "min_domains": 2},
            }
        ],
        "mitigations": [
            {
                "id": "mitigation.protective",
                "text": "A protective adult lowers targeted by one step.",
                "source": "Test source",
                "lowers": ["escalation.multiple_needs"],
                "lowers_from": ["targeted"],
                "when": "strengths.protective_adult",
            }
        ],
        "consent": {
            "needed_from": "early_help",
            "not_needed_from": "safeguarding",
            "given": "Consent given.",
            "refused": {"early_help": "Refused at early help.", "targeted": "Refused at targeted."},
            "not_sought": "Seek consent.",
            "unknown": "Find out about consent.",
            "not_needed": "Consent not needed.",
        },
        "urgent": {
            "when": "household.immediate_danger",
            "summary": "Call 999.",
            "actions": ["Call 999 now."],
            "source": "Test source",
        },
    }


def desc(id_: str, level: str = "early_help", when: str = "child.harm.left_alone", **extra: Any) -> dict[str, Any]:
    return {"id": id_, "level": level, "text": f"Descriptor {id_}.", "source": "Test source", "when": when, **extra}


def base_descriptors() -> dict[str, list[dict[str, Any]]]:
    return {
        "health": [
            desc("health.missed_appointments", when="child.health.missed_appointments_12m >= 3"),
            desc("health.faltering_growth", "targeted", "child.health.growth >= 'faltering'"),
        ],
        "education": [
            desc(
                "education.persistent_absence",
                when="child.education.attendance_percent < 90",
                age={"min_months": 60, "max_months": 215},
            ),
        ],
        "red_flags": [desc("red_flags.left_alone", "safeguarding", "child.harm.left_alone")],
    }


def dump(document: Any) -> str:
    return yaml.safe_dump(document, sort_keys=False, width=1000)


def write_book(
    root: Path,
    rules: Optional[dict[str, Any]] = None,
    descriptors: Optional[dict[str, Any]] = None,
) -> Path:
    """Write a rulebook under `root`; descriptor values are lists of entries or raw YAML text."""
    rules = base_rules() if rules is None else rules
    descriptors = base_descriptors() if descriptors is None else descriptors
    (root / "rules").mkdir(parents=True, exist_ok=True)
    (root / "rules" / f"{BOOK_ID}.yaml").write_text(rules if isinstance(rules, str) else dump(rules))
    folder = root / "descriptors" / BOOK_ID
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in descriptors.items():
        text = content if isinstance(content, str) else dump({"domain": name, "descriptors": content})
        (folder / f"{name}.yaml").write_text(text)
    return root


@pytest.fixture
def book(tmp_path: Path) -> Callable[..., Path]:
    """Write a variant of the base rulebook: `book(edit_rules=..., edit_descriptors=...)`."""
    counter = iter(range(1000))

    def make(
        edit_rules: Optional[Callable[[dict[str, Any]], Any]] = None,
        edit_descriptors: Optional[Callable[[dict[str, Any]], Any]] = None,
    ) -> Path:
        rules, descriptors = base_rules(), base_descriptors()
        if edit_rules:
            edit_rules(rules)
        if edit_descriptors:
            edit_descriptors(descriptors)
        return write_book(tmp_path / f"book{next(counter)}", rules, descriptors)

    return make


def load_problems(root: Path) -> list[Problem]:
    with pytest.raises(RulebookError) as info:
        load_rulebook(root)
    return info.value.problems


def line_of_text(path: Path, needle: str) -> int:
    lines = path.read_text().splitlines()
    matches = [number for number, line in enumerate(lines, start=1) if needle in line]
    assert len(matches) == 1, f"{needle!r} occurs {len(matches)} times in {path}"
    return matches[0]


def descriptor_file(root: Path, domain: str) -> Path:
    return root / "descriptors" / BOOK_ID / f"{domain}.yaml"


def rules_file(root: Path) -> Path:
    return root / "rules" / f"{BOOK_ID}.yaml"


def only(problems: list[Problem], words: str) -> Problem:
    matching = [p for p in problems if words in str(p)]
    assert len(matching) == 1, f"expected one problem with {words!r}, got: {[str(p) for p in problems]}"
    return matching[0]


# --- a valid rulebook ------------------------------------------------------------------------


def test_valid_rulebook_loads(book: Callable[..., Path]) -> None:
    loaded = load_rulebook(book())
    assert loaded.id == BOOK_ID
    assert loaded.version == "1.0.0"
    assert [d.id for d in loaded.descriptors] == sorted(
        ["health.missed_appointments", "health.faltering_growth", "education.persistent_absence", "red_flags.left_alone"]
    )
    flag = loaded.by_id["red_flags.left_alone"]
    assert flag.red_flag and flag.floor and flag.level is Level.safeguarding
    assert not loaded.by_id["health.missed_appointments"].red_flag
    assert loaded.by_id["education.persistent_absence"].domain == "education"
    assert loaded.by_id["education.persistent_absence"].age is not None
    assert [e.id for e in loaded.escalations] == ["escalation.multiple_needs"]
    assert loaded.mitigations[0].lowers_from == frozenset({Level.targeted})
    assert loaded.label(Level.early_help) == "Early Help"
    assert loaded.content_hash.startswith("sha256:")


def test_descriptor_line_points_at_its_condition(book: Callable[..., Path]) -> None:
    root = book()
    loaded = load_rulebook(root)
    path = descriptor_file(root, "education")
    assert loaded.by_id["education.persistent_absence"].line == line_of_text(path, "when: child.education.attendance_percent")
    assert loaded.by_id["education.persistent_absence"].file == str(path)


def test_rulebook_can_be_loaded_from_its_rules_file(book: Callable[..., Path]) -> None:
    root = book()
    assert load_rulebook(rules_file(root)).content_hash == load_rulebook(root).content_hash


def test_unknown_rulebook_name_lists_the_shipped_ones() -> None:
    with pytest.raises(RulebookError) as info:
        load_rulebook("no-such-rulebook")
    assert "no rulebook called 'no-such-rulebook'" in str(info.value)
    assert "knowsley" in str(info.value)


# --- unknown keys and duplicate keys ---------------------------------------------------------


def test_unknown_key_in_a_descriptor_names_file_and_line(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["health"][0].update(colour="red"))
    problem = only(load_problems(root), "colour")
    path = descriptor_file(root, "health")
    assert problem.loc == f"{path}:{line_of_text(path, 'colour: red')}"
    assert "descriptors.0.colour" in problem.msg
    assert problem.code == "extra_forbidden"


def test_unknown_key_in_the_rules_file_names_file_and_line(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["levels"]["targeted"].update(colour="amber"))
    problem = only(load_problems(root), "colour")
    path = rules_file(root)
    assert problem.loc == f"{path}:{line_of_text(path, 'colour: amber')}"
    assert "levels.targeted.colour" in problem.msg


def test_unknown_top_level_key_is_an_error_not_a_warning(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r.update(escalation=[]))
    problem = only(load_problems(root), "escalation:")
    assert "Extra inputs are not permitted" in problem.msg


def test_duplicate_yaml_key_is_rejected_with_its_line(tmp_path: Path) -> None:
    text = (
        HEALTH_DESCRIPTOR_HEAD + "    when: child.health.missed_appointments_12m >= 3\n"
        "    when: child.health.missed_appointments_12m >= 30\n"
    )
    root = write_book(tmp_path, descriptors={**base_descriptors(), "health": text})
    problem = only(load_problems(root), "duplicate key 'when'")
    assert problem.loc == f"{descriptor_file(root, 'health')}:8"


def test_duplicate_yaml_key_in_the_rules_file_is_rejected(tmp_path: Path) -> None:
    text = dump(base_rules()).replace("version: 1.0.0\n", "version: 1.0.0\nversion: 2.0.0\n", 1)
    root = write_book(tmp_path, rules=text)  # type: ignore[arg-type]
    problem = only(load_problems(root), "duplicate key 'version'")
    assert problem.loc == f"{rules_file(root)}:{line_of_text(rules_file(root), 'version: 2.0.0')}"


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    text = "domain: health\ndescriptors:\n  - id: [unclosed\n"
    root = write_book(tmp_path, descriptors={**base_descriptors(), "health": text})
    problem = only(load_problems(root), "not valid YAML")
    assert problem.loc.startswith(f"{descriptor_file(root, 'health')}:")


# --- conditions ------------------------------------------------------------------------------


def test_misspelt_fact_gives_file_line_text_and_suggestion(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["education"][0].update(when="child.education.attendence < 90"))
    problem = only(load_problems(root), "attendence")
    path = descriptor_file(root, "education")
    assert problem.loc == f"{path}:{line_of_text(path, 'attendence')}"
    assert "unknown fact: 'child.education.attendence'" in problem.msg
    assert "child.education.attendence < 90" in problem.msg  # the offending text
    assert problem.suggestion == "child.education.attendance_percent"
    assert "did you mean 'child.education.attendance_percent'?" in str(problem)


def test_misspelt_value_in_an_escalation_is_reported_against_the_rules_file(book: Callable[..., Path]) -> None:
    def edit(rules: dict[str, Any]) -> None:
        rules["escalations"].append(
            {
                "id": "escalation.unstable_carer",
                "text": "An unstable carer makes targeted.",
                "source": "Test source",
                "tier": "child_in_need",
                "to": "targeted",
                "when": "any_carer(carer.mental_health >= 'diagnosed_unstabel')",
            }
        )

    root = book(edit_rules=edit)
    problem = only(load_problems(root), "diagnosed_unstabel")
    assert problem.loc == f"{rules_file(root)}:{line_of_text(rules_file(root), 'diagnosed_unstabel')}"
    assert problem.suggestion == "diagnosed_unstable"


def test_type_error_in_a_condition_is_reported(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["health"][0].update(when="child.health.missed_appointments_12m >= 'three'"))
    assert "is a number; compare it with a number" in only(load_problems(root), "missed_appointments_12m").msg


def test_forbidden_syntax_in_a_condition_is_reported(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["health"][0].update(when="__import__('os').system('true') == 0"))
    problem = only(load_problems(root), "__import__")
    assert problem.code == "condition"


def test_multi_line_condition_error_points_at_the_descriptor(tmp_path: Path) -> None:
    text = (
        HEALTH_DESCRIPTOR_HEAD + "    when: >-\n"
        "      child.health.missed_appointments_12m >= 3\n"
        "      or child.health.growht >= 'faltering'\n"
    )
    root = write_book(tmp_path, descriptors={**base_descriptors(), "health": text})
    problem = only(load_problems(root), "growht")
    assert problem.loc == f"{descriptor_file(root, 'health')}:7"  # the `when: >-` line
    assert problem.suggestion == "child.health.growth"


# --- references and structure ----------------------------------------------------------------


def test_duplicate_id_within_a_file(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["health"].append(desc("health.missed_appointments", when="child.harm.left_alone")))
    problem = only(load_problems(root), "duplicate descriptor id 'health.missed_appointments'")
    assert problem.found is not None and "also at" in problem.found


def test_duplicate_id_across_files_names_both_places(book: Callable[..., Path]) -> None:
    def edit(descriptors: dict[str, Any]) -> None:
        descriptors["education"].append(desc("health.missed_appointments", when="child.harm.left_alone"))

    root = book(edit_descriptors=edit)
    problems = load_problems(root)
    duplicate = only(problems, "duplicate descriptor id 'health.missed_appointments'")
    files = {duplicate.loc.rsplit(":", 1)[0], (duplicate.found or "").removeprefix("also at ").rsplit(":", 1)[0]}
    assert files == {str(descriptor_file(root, "health")), str(descriptor_file(root, "education"))}
    only(problems, "must start with its domain 'education.'")


def test_domain_must_match_the_file_name(book: Callable[..., Path]) -> None:
    def edit(descriptors: dict[str, Any]) -> None:
        descriptors["education"] = (
            "domain: health\ndescriptors:\n"
            "  - {id: health.other, level: early_help, text: Other need., source: Test source, when: child.harm.left_alone}\n"
        )

    root = book(edit_descriptors=edit)
    problem = only(load_problems(root), "must match the file name 'education'")
    assert problem.loc == f"{descriptor_file(root, 'education')}:1"


def test_domain_must_be_declared_in_the_rules(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d.update(housing=[desc("housing.overcrowded", when="home.housing.overcrowded")]))
    assert "domain 'housing' is not declared" in str(only(load_problems(root), "housing"))


def test_domain_that_is_not_declared_names_the_domain_line_and_the_closest_domain(tmp_path: Path) -> None:
    text = (
        "# A domain the rules file does not declare.\n"
        "domain: educaton\n"
        "descriptors:\n"
        "  - {id: educaton.other, level: early_help, text: Other., source: Test source, when: child.harm.left_alone}\n"
    )
    root = write_book(tmp_path, descriptors={**base_descriptors(), "educaton": text})
    problem = only(load_problems(root), "is not declared")
    assert problem.loc == f"{descriptor_file(root, 'educaton')}:2"
    assert problem.msg == "domain 'educaton' is not declared in the rules file"
    assert problem.suggestion == "education"
    assert problem.expected == "health, education, red_flags"


def test_red_flag_that_is_not_a_descriptor(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["red_flags"].append("red_flags.left_alnoe"))
    problem = only(load_problems(root), "red_flags.left_alnoe'")
    assert "is not a descriptor id" in problem.msg
    # The list entry's own line (the second entry, not the first), and the id it was meant to be.
    assert problem.loc == f"{rules_file(root)}:{line_of_text(rules_file(root), '- red_flags.left_alnoe')}"
    assert problem.suggestion == "red_flags.left_alone"


def test_red_flag_must_be_a_safeguarding_descriptor(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["red_flags"][0].update(level="targeted"))
    problem = only(load_problems(root), "must be a safeguarding descriptor")
    assert problem.found == "targeted"
    assert problem.loc == f"{rules_file(root)}:{line_of_text(rules_file(root), '- red_flags.left_alone')}"


def test_each_red_flag_problem_is_reported_at_its_own_list_entry(book: Callable[..., Path]) -> None:
    root = book(
        edit_rules=lambda r: r.update(red_flags=["red_flags.left_alone", "health.missed_appointments", "red_flags.nothing"])
    )
    problems = load_problems(root)
    path = rules_file(root)
    early_help = only(problems, "'health.missed_appointments' must be a safeguarding descriptor")
    assert early_help.loc == f"{path}:{line_of_text(path, '- health.missed_appointments')}"
    nothing = only(problems, "'red_flags.nothing' is not a descriptor id")
    assert nothing.loc == f"{path}:{line_of_text(path, '- red_flags.nothing')}"


@pytest.mark.parametrize("key", ["yes", "no", "on", "off", "y", "n", "true", "False", "1"])
def test_a_misplaced_key_is_reported_as_written_in_a_rules_or_descriptor_file(tmp_path: Path, key: str) -> None:
    """YAML 1.1 reads an unquoted `yes:` as the boolean True: it must still be named `yes`."""
    rules = dump(base_rules()).replace("urgent:\n", f"urgent:\n  {key}: 1\n")
    health = HEALTH_DESCRIPTOR_HEAD + f"    when: child.health.missed_appointments_12m >= 3\n    {key}: 1\n"
    root = write_book(tmp_path, rules, {**base_descriptors(), "health": health})
    problems = load_problems(root)
    in_rules = only(problems, f"urgent.{key}: Extra inputs are not permitted")
    assert in_rules.loc == f"{rules_file(root)}:{line_of_text(rules_file(root), f'  {key}: 1')}"
    in_descriptor = only(problems, f"descriptors.0.{key}: Extra inputs are not permitted")
    assert in_descriptor.loc == f"{descriptor_file(root, 'health')}:8"
    misread = [f".{other}: " for other in ("True", "False", "1") if other != key]
    assert not [p for p in problems if any(spelling in p.msg for spelling in misread)], [p.msg for p in problems]


def test_mitigation_naming_a_concern_is_rejected(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["mitigations"][0].update(when="strengths.protective_adult and not child.harm.left_alone"))
    problem = only(load_problems(root), "may only name strengths")
    assert problem.found == "child.harm.left_alone"
    assert problem.loc == f"{rules_file(root)}:{line_of_text(rules_file(root), 'not child.harm.left_alone')}"


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        # Consent never changes a level (Semantics 8): no condition anywhere may read it.
        ("household.consent == 'given'", "may not read household.consent"),
        ("any_carer(carer.engagement == 'engaging')", "may only name strengths"),
        # Ages are read through `age:` bands only, which also decide children whose age is a span.
        ("child.age_months >= 12", "may not read child.age_months"),
    ],
)
def test_mitigation_may_not_read_non_strength_facts(book: Callable[..., Path], when: str, problem: str) -> None:
    root = book(edit_rules=lambda r: r["mitigations"][0].update(when=when))
    only(load_problems(root), problem)


def test_mitigation_may_not_lower_from_safeguarding(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["mitigations"][0].update(lowers_from=["targeted", "safeguarding"]))
    problem = only(load_problems(root), "never lower a level from safeguarding")
    assert problem.loc.startswith(f"{rules_file(root)}:")


def test_mitigation_may_not_lower_from_universal(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["mitigations"][0].update(lowers_from=["universal"]))
    only(load_problems(root), "nothing is below universal")


def test_escalation_needs_exactly_one_trigger(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["escalations"][0].update(when="child.harm.left_alone"))
    only(load_problems(root), "exactly one of 'when'")


def test_every_level_must_be_defined(book: Callable[..., Path]) -> None:
    root = book(edit_rules=lambda r: r["levels"].pop("targeted"))
    only(load_problems(root), "missing: targeted")


def test_age_band_must_be_consistent(book: Callable[..., Path]) -> None:
    root = book(edit_descriptors=lambda d: d["education"][0].update(age={"min_months": 100, "max_months": 60}))
    only(load_problems(root), "min_months is greater than max_months")


def test_several_problems_are_all_reported_at_once(book: Callable[..., Path]) -> None:
    def descriptors(d: dict[str, Any]) -> None:
        d["education"][0]["when"] = "child.education.attendence < 90"
        d["health"][0]["colour"] = "red"

    def rules(r: dict[str, Any]) -> None:
        r["red_flags"].append("red_flags.missing")
        r["mitigations"][0]["when"] = "household.immediate_danger == false"

    with pytest.raises(RulebookError) as info:
        load_rulebook(book(edit_rules=rules, edit_descriptors=descriptors))
    problems = info.value.problems
    for words in ("attendence", "colour", "red_flags.missing", "may only name strengths"):
        only(problems, words)
    assert f"{len(problems)} problems" in str(info.value)


# --- content hash ----------------------------------------------------------------------------


def shuffled(descriptors: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Reverse the descriptors within each file, the files' order, and each entry's keys."""
    return {
        domain: [dict(reversed(list(entry.items()))) for entry in reversed(entries)]
        for domain, entries in reversed(list(descriptors.items()))
    }


def test_hash_ignores_descriptor_order_within_and_between_files(tmp_path: Path) -> None:
    descriptors = base_descriptors()
    descriptors["health"].append(desc("health.antenatal", "targeted", "child.health.antenatal_care >= 'late_or_missed'"))
    rules = base_rules()
    reordered_rules = copy.deepcopy(rules)
    reordered_rules["domains"] = dict(reversed(list(rules["domains"].items())))
    first = load_rulebook(write_book(tmp_path / "a", rules, descriptors))
    second = load_rulebook(write_book(tmp_path / "b", reordered_rules, shuffled(descriptors)))
    assert first.content_hash == second.content_hash
    assert [d.id for d in first.descriptors] == [d.id for d in second.descriptors]


def test_hash_ignores_comments_and_layout(tmp_path: Path) -> None:
    first = load_rulebook(write_book(tmp_path / "a"))
    root = write_book(tmp_path / "b")
    path = descriptor_file(root, "health")
    path.write_text("# a comment an author added\n\n" + path.read_text())
    assert load_rulebook(root).content_hash == first.content_hash


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["health"][0].update(level="targeted"),
        lambda d: d["health"][0].update(when="child.health.missed_appointments_12m >= 4"),
        lambda d: d["education"][0].update(age={"min_months": 48, "max_months": 215}),
        lambda d: d["health"][0].update(floor=True),
    ],
    ids=["level", "condition", "age", "floor"],
)
def test_hash_changes_when_meaning_changes(tmp_path: Path, edit: Callable[[dict[str, Any]], Any]) -> None:
    descriptors = base_descriptors()
    first = load_rulebook(write_book(tmp_path / "a", descriptors=descriptors))
    changed = copy.deepcopy(descriptors)
    edit(changed)
    assert load_rulebook(write_book(tmp_path / "b", descriptors=changed)).content_hash != first.content_hash


def test_hash_changes_when_a_rule_changes(tmp_path: Path) -> None:
    first = load_rulebook(write_book(tmp_path / "a"))
    rules = base_rules()
    rules["escalations"][0]["descriptors"]["min_count"] = 3
    assert load_rulebook(write_book(tmp_path / "b", rules=rules)).content_hash != first.content_hash


def test_edited_rulebook_is_reloaded_not_served_from_cache(tmp_path: Path) -> None:
    root = write_book(tmp_path)
    first = load_rulebook(root)
    descriptors = base_descriptors()
    descriptors["health"][0]["level"] = "targeted"
    write_book(root, descriptors=descriptors)
    second = load_rulebook(root)
    assert second.by_id["health.missed_appointments"].level is Level.targeted
    assert second.content_hash != first.content_hash


# --- the shipped rulebook --------------------------------------------------------------------


def test_shipped_knowsley_rulebook_loads() -> None:
    knowsley = load_rulebook("knowsley")
    assert knowsley.id == "knowsley"
    assert set(knowsley.levels) == set(Level)
    assert knowsley.label(Level.safeguarding) == "Safeguarding (Getting Needs/Risk Support)"
    assert len(knowsley.descriptors) > 100
    ids = [d.id for d in knowsley.descriptors]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for descriptor in knowsley.descriptors:
        assert descriptor.id.startswith(descriptor.domain + ".")
        assert descriptor.domain in knowsley.domains
    red_flags = [d for d in knowsley.descriptors if d.red_flag]
    assert {d.id for d in red_flags} >= {"red_flags.left_alone", "red_flags.disclosure_of_abuse", "red_flags.fgm"}
    assert all(d.level is Level.safeguarding and d.floor for d in red_flags)
    assert all(m.condition.facts and all(f.startswith("strengths.") for f in m.condition.facts) for m in knowsley.mitigations)
    assert all(Level.safeguarding not in m.lowers_from for m in knowsley.mitigations)
    assert load_rulebook("knowsley").content_hash == knowsley.content_hash
