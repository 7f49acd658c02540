"""The shipped St Helens rulebook: its levels and responses, its coverage, the seed's case studies,
and the deliberate differences from Knowsley (its Level 3 is a statutory section 17 referral)."""

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from needs_engine import Level, assess, load_rulebook
from needs_engine.model.assessment import Assessment
from needs_engine.scenarios.library import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

# Cells left empty on purpose (rules/st-helens.yaml and the domain files say why): poverty and
# worklessness are never on their own a child protection matter.
NO_LEVEL_4 = {"employment", "income"}


@pytest.fixture(scope="module")
def book():  # type: ignore[no-untyped-def]
    return load_rulebook("st-helens")


def household(child: dict[str, Any], *, carer: dict[str, Any] | None = None, home: dict[str, Any] | None = None) -> dict:
    """A one-child household with everything else unknown."""
    return {
        "household": {
            "consent": "given",
            "children": [{"id": "c1", **child}],
            "carers": [{"id": "m", "role": "mother", **(carer or {})}],
            "home": home or {},
        }
    }


def fired(assessment: Assessment, child_id: str) -> set[str]:
    child = next(c for c in assessment.children if c.child_id == child_id)
    return set(child.fired_ids())


def escalations(assessment: Assessment, child_id: str) -> set[str]:
    child = next(c for c in assessment.children if c.child_id == child_id)
    return {e.id for e in child.escalations}


# --- the rulebook itself ---------------------------------------------------------------------


def test_st_helens_has_cited_descriptors_in_every_domain_at_every_level(book) -> None:  # type: ignore[no-untyped-def]
    assert len(book.descriptors) >= 120
    assert len(book.domains) == 23 and set(book.domains) == set(load_rulebook("knowsley").domains)
    cells = Counter((d.domain, d.level) for d in book.descriptors)
    empty = {(domain, level) for domain in book.domains for level in Level if not cells[(domain, level)]}
    # Since the common library, a domain's descriptors sit where their tiers map, so a domain whose
    # facts jump a tier leaves a level empty. Each gap below is such a jump (judgement, read from
    # descriptors/england): self-care has 'some gaps' (single agency) then 'significant gaps' (child
    # in need, s17(10)); guidance and boundaries go from 'inconsistent' (multi-agency) to 'failing'
    # (child protection). A new gap fails this test, so it is looked at, not let through.
    jumps = {("self_care_skills", Level.early_help), ("guidance_boundaries", Level.targeted)}
    assert empty == {(domain, Level.safeguarding) for domain in NO_LEVEL_4} | jumps
    for descriptor in book.descriptors:
        assert descriptor.text and descriptor.source, descriptor.id


def test_levels_carry_st_helens_labels_and_the_contact_cares_route(book) -> None:  # type: ignore[no-untyped-def]
    assert [book.label(level) for level in Level] == [
        "Level 1 Universal",
        "Level 2 Early Help",
        "Level 3 Child in Need",
        "Level 4 Child Protection",
    ]
    early_help = " ".join(book.levels[Level.early_help].response.actions)
    for phrase in ("consent", "Early Help Assessment Tool (EHAT)", "Family Action Meeting", "plan of support"):
        assert phrase in early_help
    for level in (Level.targeted, Level.safeguarding):
        response = book.levels[level].response
        text = " ".join([response.summary, *response.actions])
        assert "Contact Cares" in text and "01744 676600" in text
    assert "section 17" in book.levels[Level.targeted].response.summary
    assert "section 47" in book.levels[Level.safeguarding].response.summary
    assert "999" in " ".join(book.levels[Level.safeguarding].response.actions)
    assert "999" in book.urgent.summary


def test_only_levels_3_and_4_are_statutory_and_the_assessment_says_so(book) -> None:  # type: ignore[no-untyped-def]
    assert [book.levels[level].statutory for level in Level] == [False, False, True, True]
    # GCP2 grade 4 (needs largely unmet) is child in need (GCP2; CA1989 s17(10)(b)): St Helens
    # Level 3 and Knowsley Safeguarding, both statutory. (Homelessness, used before the library, is
    # now child protection: Buckinghamshire Level 4, Torbay Level 4, tests/practice.)
    grade_4 = household({"age_months": 60, "harm": {"gcp2_grade": 4}})
    st_helens, knowsley = assess(grade_4, book), assess(grade_4, "knowsley")
    assert st_helens.level is Level.targeted and st_helens.response.statutory
    assert "Contact Cares" in st_helens.response.summary
    # An EHCP is Targeted Early Help in Knowsley (its one override: KN-EHPS-2021, 'What is Early
    # Help?'), which is not statutory there, though Level 3 in St Helens is.
    ehcp = household({"age_months": 60, "education": {"send": "ehcp"}})
    targeted_knowsley = assess(ehcp, "knowsley")
    assert targeted_knowsley.level is Level.targeted and not targeted_knowsley.response.statutory
    assert assess(ehcp, book).level is Level.targeted and assess(ehcp, book).response.statutory
    assert knowsley.level is Level.safeguarding and knowsley.response.statutory


def test_the_design_red_flags_force_level_4_in_st_helens(book) -> None:  # type: ignore[no-untyped-def]
    flags = {d.id for d in book.descriptors if d.red_flag}
    assert flags == {d.id for d in load_rulebook("knowsley").descriptors if d.red_flag}
    assert all(book.by_id[flag].level is Level.safeguarding for flag in flags)
    disclosure = household({"age_months": 150, "harm": {"disclosure_of_abuse": True}}, carer={"engagement": "engaging"})
    disclosure["household"]["strengths"] = {
        "protective_adult": True,
        "engages_with_support": True,
        "supportive_wider_family": True,
        "trusted_adult_for_child": True,
    }
    assessment = assess(disclosure, book)
    assert assessment.level is Level.safeguarding
    assert assessment.children[0].red_flags == ["red_flags.disclosure_of_abuse"]


# --- the seed's case studies -------------------------------------------------------------------


def case(name: str, rulebook: str = "st-helens") -> Assessment:
    scenario = load_scenario(SCENARIOS / f"{name}.yaml")
    return assess(scenario.situation, rulebook)


def test_pregnancy_case_is_child_in_need_because_of_the_unborn_baby() -> None:
    assessment = case("st-helens-case-pregnancy-toddler")
    assert assessment.level is Level.targeted
    assert {c.child_id: c.level for c in assessment.children} == {"c1": Level.early_help, "c2": Level.targeted}
    assert "escalation.baby_vulnerabilities" in escalations(assessment, "c2")
    assert {"family_functioning.domestic_abuse_history", "housing.temporary_accommodation"} <= fired(assessment, "c2")
    # The partner's possible drug misuse is unknown: it is asked about, never taken as "no concern".
    assert any(q.fact == "carer.substance_misuse" and q.subject == "carer:p" for q in assessment.questions)


def test_pregnancy_case_steps_down_to_level_2_and_past_domestic_abuse_is_a_floor() -> None:
    earlier, later = case("st-helens-case-pregnancy-toddler"), case("st-helens-case-pregnancy-toddler-later")
    assert (earlier.level, later.level) == (Level.targeted, Level.early_help)
    assert "escalation.baby_vulnerabilities" not in escalations(later, "c2")
    assert "family_functioning.domestic_abuse_history" in fired(later, "c2")
    # Every strength that could lower Level 2 still leaves the family at Level 2: the history is a floor.
    scenario = load_scenario(SCENARIOS / "st-helens-case-pregnancy-toddler-later.yaml")
    document = scenario.situation.model_dump(mode="json", exclude_none=True)
    document["household"]["strengths"].update({"trusted_adult_for_child": True, "supportive_wider_family": True})
    assert assess(document, "st-helens").level is Level.early_help


def test_bereavement_case_is_early_help_from_the_mothers_and_childrens_needs() -> None:
    assessment = case("st-helens-case-bereavement")
    assert assessment.level is Level.early_help
    for child in ("c1", "c2", "c3"):
        assert {
            "family_functioning.bereaved_carer_not_coping",
            "family_social_relationships.bereaved_and_struggling",
            "social_integration.isolated",
        } <= fired(assessment, child)
    assert "health.disability_extra_support" in fired(assessment, "c1")
    assert case("st-helens-case-bereavement", "knowsley").level is Level.targeted


def test_young_person_case_is_early_help_with_no_level_3_descriptor() -> None:
    assessment = case("st-helens-case-young-person-cannabis")
    assert assessment.level is Level.early_help
    jack = assessment.children[0]
    assert {
        "health.substance_daily",
        "extra_familial_harm.drug_debt",
        "family_social_relationships.strained_relationship_with_carers",
    } <= {d.id for d in jack.fired}
    assert all(d.level <= Level.early_help for d in jack.fired)
    # Whether anyone uses the debt to groom him is unknown, so Level 3 stays possible and is asked;
    # so is his attendance, which the seed does not give (the scenario no longer invents a figure).
    assert jack.possible_level >= Level.targeted
    asked = {q.fact for q in assessment.questions}
    assert {"child.extra_familial.criminal_exploitation", "child.education.attendance_percent"} <= asked
    # Knowsley: Targeted Early Help, by escalation.multiple_needs over three multi-agency needs, the
    # voluntary response the seed gave him (scenarios/st-helens-case-young-person-cannabis.yaml,
    # its Knowsley source); issue 13 names the old Safeguarding as resting on no source.
    assert case("st-helens-case-young-person-cannabis", "knowsley").level is Level.targeted


# --- deliberate differences from Knowsley --------------------------------------------------------


def test_three_early_help_needs_in_three_domains_stay_at_level_2_in_st_helens() -> None:
    situation = household(
        {"age_months": 100, "education": {"attendance_percent": 85}},
        carer={"parenting": {"guidance_and_boundaries": "inconsistent"}},
        home={"community": {"isolation": "isolated"}},
    )
    knowsley, st_helens = assess(situation, "knowsley"), assess(situation, "st-helens")
    assert "escalation.multiple_needs" in escalations(knowsley, "c1") and knowsley.level is Level.targeted
    assert "escalation.several_needs" in escalations(st_helens, "c1") and st_helens.level is Level.early_help


def test_needs_at_level_2_in_five_domains_make_child_in_need() -> None:
    situation = household(
        {"age_months": 100, "education": {"attendance_percent": 85}, "relationships": {"relationship_with_carers": "strained"}},
        carer={"parenting": {"guidance_and_boundaries": "inconsistent"}, "substance_misuse": "problematic"},
        home={"community": {"isolation": "isolated"}},
    )
    assessment = assess(situation, "st-helens")
    assert assessment.level is Level.targeted
    assert "escalation.needs_across_five_domains" in escalations(assessment, "c1")


def test_daily_drug_use_is_level_2_unless_carers_cannot_keep_the_child_safe() -> None:
    alone = household({"age_months": 180, "health": {"substance_use": "daily_or_dependent"}})
    # Daily use alone is Level 2 (seeds/004, case study 'Young person'): Early Help in both. Knowsley
    # had it at Safeguarding through a descriptor no source supports (issue 13, section 3).
    assert assess(alone, "knowsley").level is Level.early_help
    assert assess(alone, "st-helens").level is Level.early_help
    no_boundaries = household(
        {"age_months": 180, "health": {"substance_use": "daily_or_dependent"}},
        carer={"parenting": {"guidance_and_boundaries": "inconsistent"}},
    )
    assessment = assess(no_boundaries, "st-helens")
    assert assessment.level is Level.targeted
    assert "health.substance_daily_carers_not_coping" in fired(assessment, "c1")


def test_two_parental_risks_are_child_in_need_and_child_protection_with_a_baby() -> None:
    risks = {"mental_health": "diagnosed_unstable", "substance_misuse": "problematic"}
    school_age = assess(household({"age_months": 100}, carer=risks), "st-helens")
    assert school_age.level is Level.targeted and "escalation.two_parental_risks" in escalations(school_age, "c1")
    baby = assess(household({"age_months": 5}, carer=risks), "st-helens")
    assert baby.level is Level.safeguarding and "escalation.parental_risks_baby" in escalations(baby, "c1")


def test_a_strong_family_lowers_five_domains_of_level_2_needs_to_level_2_but_never_a_domestic_abuse_floor() -> None:
    strengths = {"protective_adult": True, "engages_with_support": True, "supportive_wider_family": True}
    five_domains = household(
        {
            "age_months": 100,
            "education": {"attendance_percent": 85},
            "emotional": {"behaviour": "persistent_difficulties"},
            "identity": {"bullying": "persistent"},
        },
        home={"housing": {"status": "at_risk"}, "finances": {"hardship": "severe"}},
    )
    assert assess(five_domains, "st-helens").level is Level.targeted
    five_domains["household"]["strengths"] = strengths
    assessment = assess(five_domains, "st-helens")
    assert assessment.level is Level.early_help
    assert assessment.children[0].mitigation and assessment.children[0].mitigation.id == "mitigation.protective_engaged_family"
    abuser_has_access = household({"age_months": 100}, home={"domestic_abuse": {"perpetrator_has_access": True}})
    abuser_has_access["household"]["strengths"] = strengths
    floored = assess(abuser_has_access, "st-helens")
    assert floored.level is Level.targeted and floored.children[0].mitigation is None


def test_strengths_never_lower_homelessness_or_three_domestic_abuse_incidents() -> None:
    # Homelessness is the housing authority's duty (Housing Act 1996 Part 7) and the descriptor's
    # text sends the family to children's social care: no strength gives a family a home. It is
    # Level 3 in St Helens (a section 17 assessment: CA1989 s17, Housing Act 1996 s213A; issue 13
    # moved it from Level 4, Buckinghamshire disagreeing), and no mitigation names it, so a strong
    # family stays at Level 3. Three incidents are Level 4 (SafeLives Marac criteria,
    # Buckinghamshire Level 4), and Level 4 is never lowered.
    strengths = {"protective_adult": True, "engages_with_support": True, "supportive_wider_family": True}
    homeless = household({"age_months": 100}, home={"housing": {"status": "homeless"}})
    homeless["household"]["strengths"] = strengths
    assessment = assess(homeless, "st-helens")
    assert assessment.level is Level.targeted and assessment.children[0].mitigation is None
    three_incidents = household({"age_months": 100}, home={"domestic_abuse": {"incidents_12m": 3}})
    three_incidents["household"]["strengths"] = strengths
    assessment = assess(three_incidents, "st-helens")
    assert assessment.level is Level.safeguarding and assessment.children[0].mitigation is None


def test_on_and_off_engagement_is_level_1_but_level_2_for_a_baby() -> None:
    carer = {"engagement": "inconsistent"}
    assert assess(household({"age_months": 100}, carer=carer), "st-helens").level is Level.universal
    baby = assess(household({"age_months": 9}, carer=carer), "st-helens")
    assert baby.level is Level.early_help
    assert "family_functioning.carer_engagement_inconsistent_baby" in fired(baby, "c1")
