"""The shipped Knowsley rulebook meets what issue 2 asks of it."""

from collections import Counter

from needs_engine import Level, load_rulebook


def test_knowsley_has_enough_cited_descriptors_in_every_domain_and_level() -> None:
    book = load_rulebook("knowsley")
    assert len(book.descriptors) >= 120
    per_domain = Counter(d.domain for d in book.descriptors)
    assert set(per_domain) == set(book.domains), "every declared domain has descriptors"
    assert {d.level for d in book.descriptors} == set(Level)
    for descriptor in book.descriptors:
        assert descriptor.text and descriptor.source, descriptor.id


def test_knowsley_levels_have_thrive_names_and_responses() -> None:
    book = load_rulebook("knowsley")
    assert [book.label(level) for level in Level] == [
        "Universal (Thriving)",
        "Early Help (Getting Help)",
        "Targeted Early Help (Getting More Help)",
        "Safeguarding (Getting Risk Support)",
    ]
    early_help = " ".join(book.levels[Level.early_help].response.actions)
    for phrase in ("consent", "Early Help Assessment", "lead professional", "Team Around the Family"):
        assert phrase in early_help
    safeguarding = " ".join(book.levels[Level.safeguarding].response.actions)
    assert "MASH" in safeguarding and "999" in safeguarding
    assert "999" in " ".join(book.urgent.actions)


def test_every_design_red_flag_is_declared() -> None:
    book = load_rulebook("knowsley")
    flags = {d.id.split(".", 1)[1] for d in book.descriptors if d.red_flag}
    for expected in (
        "disclosure_of_abuse",
        "unexplained_injury",
        "injury_non_mobile_baby",
        "sexual_abuse",
        "fgm",
        "forced_marriage",
        "serious_neglect",
        "left_alone",
        "immediate_danger",
    ):
        assert expected in flags
