"""The columnar batch writes, line for line, the bytes the per-record batch writes (issue 16 §2).

Each test screens the same JSON Lines records twice through the worker's `screen_chunk`: once
as `needs batch` does by default (msgspec decoding and the numpy evaluator, the per-record path
for whatever they do not cover) and once with `--per-record` (pydantic and the per-record
evaluator for every line), under every shipped rulebook and both output formats, and requires
the two texts to be identical. The inputs are the generated caseloads of `benchmarks/generate.py`
(several seeds, sparse referrals at two concern rates and fully known households), every example
and scenario as a batch line, the bad lines of `test_batch.py` and lines built to sit on each
edge of what msgspec accepts, and hypothesis households with unknowns.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from needs_engine.authoring import strategies
from needs_engine.batch import runner
from needs_engine.batch.columnar import plan_of, screen_lines
from needs_engine.batch.reader import Record
from needs_engine.batch.writer import OutputFormat
from needs_engine.rulebook.book import Rulebook
from needs_engine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))
from compare_outputs import situations  # noqa: E402
from generate import household  # noqa: E402


@contextmanager
def worker(book: Rulebook, kind: OutputFormat, *, per_record: bool) -> Iterator[None]:
    saved = dict(runner._WORKER)
    runner._WORKER.update(rulebook=book, columns=None, output_format=kind, per_record=per_record)
    try:
        yield
    finally:
        runner._WORKER.clear()
        runner._WORKER.update(saved)


def both(lines: list[bytes], book: Rulebook, kind: OutputFormat = OutputFormat.jsonl) -> tuple[tuple, tuple]:
    """(columnar, per-record) results of `screen_chunk` for `lines` as records 1, 2, ..."""
    records = [Record(number, raw) for number, raw in enumerate(lines, start=1)]
    with worker(book, kind, per_record=False):
        columnar = runner.screen_chunk(records)
    with worker(book, kind, per_record=True):
        per_record = runner.screen_chunk(records)
    return columnar, per_record


def assert_identical(lines: list[bytes], book: Rulebook, formats: Iterable[OutputFormat] = tuple(OutputFormat)) -> None:
    for kind in formats:
        columnar, per_record = both(lines, book, kind)
        if columnar != per_record:
            for number, (a, b) in enumerate(zip(columnar[0].splitlines(), per_record[0].splitlines(), strict=True), 1):
                assert a == b, f"{book.id}, {kind.value}, line {number}: {lines[number - 1][:300]!r}"
        assert columnar == per_record


def covered(lines: list[bytes], book: Rulebook) -> int:
    """How many of `lines` the columnar path screens itself (not handing them to the per-record path)."""
    plan = plan_of(book)
    assert plan is not None, f"{book.id}: the columnar evaluator does not cover this rulebook"
    return sum(row is not None for row in screen_lines(plan, list(enumerate(lines, start=1))))


def generated(seed: int, count: int, **options: object) -> list[bytes]:
    rng = random.Random(seed)
    return [json.dumps(household(rng, index, **options), separators=(",", ":")).encode() for index in range(count)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seed", "options"),
    [(7, {}), (8, {"concern": 0.12}), (9, {}), (10, {"known": True}), (11, {"known": True, "concern": 0.15})],
    ids=["sparse-7", "sparse-more-concern-8", "sparse-9", "fully-known-10", "fully-known-more-concern-11"],
)
def test_generated_caseloads_are_byte_identical(book: Rulebook, seed: int, options: dict[str, object]) -> None:
    lines = generated(seed, 250, **options)
    assert covered(lines, book) == len(lines)  # every generated line is plainly valid: all columnar
    assert_identical(lines, book)


def situation_lines() -> list[bytes]:
    """Every example's and scenario's situation as one JSON line (as `scripts/compare_outputs.py` reads them)."""
    return [text.encode() for _, text in situations(ROOT)]


def test_every_example_and_scenario_is_byte_identical(book: Rulebook) -> None:
    lines = situation_lines()
    assert len(lines) > 50
    assert covered(lines, book) > len(lines) // 2  # most give exact ages; the rest go per record
    assert_identical(lines, book)


GOOD = '{"household": {"children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}}'

EDGE_LINES = [
    GOOD,
    # test_batch.py's bad lines
    '{"household": {"children": [',
    '{"household": {"children": [{"id": "c1", "age_months": 30}, {"id": "b0", "age_months": 999}], "carers": [{"id": "m"}]}}',
    "",
    "   ",
    '{"household": {"children": [{"id": "c1", "age_months": 3, "age_months": 40}], "carers": [{"id": "m"}]}}',
    # repeated keys msgspec alone would not see, however written
    '{"household": {"children": [{"id": "c1", "age_months": 3}], "carers": [{"id": "m"}], "consent": "given", "consent": "refused"}}',
    '{"household": {"children": [{"id": "c1", "age_months" : 3, "age_months": 4}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 3, "\\u0061ge_months": 4}], "carers": [{"id": "m"}]}}',
    '{"household": {"home": {}, "home": {"used_for_crime": true}, "children": [{"id": "c1", "age_months": 3}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 3, "name": "a\\":b"}], "carers": [{"id": "m"}]}}',
    # a repeated key beside a name whose escapes, decoded and encoded again, gain the `":` the key lost
    '{"household": {"children": [{"id": "c1", "age_months": 3, "age_months": 40, "name": "a\\"\\u003a"}], "carers": [{"id": "m"}]}}',
    # colons and white space where keys are not: a repeated key still found, a line without one still columnar
    '{"household": {"children": [{"id": "c1", "age_months": 3, "name": "x: y", "age_months": 40}], "carers": [{"id": "m"}]}}',
    '{"household" :{"children" : [{"id": "c1", "age_months" :3, "name": "x:\\"y"}], "carers": [{"id": "m"}]}}',
    '{"household" :{"reference": "A:B", "children" : [{"id": "c1", "age_months" :3, "name": ":"}], "carers": [{"id":"m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 3, "health": {"growth": "faltering", "growth": "on_track"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"carers": [{"id": "m", "substance_misuse": "none"}], "children": [{"id": "c1", "age_months": 3}], "carers": [{"id": "m", "substance_misuse": "dependent"}]}}',
    # unknown as the model reads it, and as msgspec does not
    '{"household": {"children": [{"id": "c1", "age_months": 30, "harm": {"left_alone": "unknown"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "harm": {"left_alone": "Unknown"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "harm": {"left_alone": " unknown\\n"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "harm": {"left_alone": null}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "harm": {"left_alone": "yes"}}], "carers": [{"id": "m"}]}}',
    # numbers: whole, fractional, yes/no, text, too long, out of range, not JSON
    '{"household": {"children": [{"id": "c1", "age_months": 30.0}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30.5}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": true}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": "30"}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 120, "education": {"attendance_percent": 0.0000000000000000000000000000001}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 120, "education": {"attendance_percent": 85}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 120, "education": {"attendance_percent": 100.5}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 120, "education": {"attendance_percent": NaN}}], "carers": [{"id": "m"}]}}',
    '{"household": {"home": {"domestic_abuse": {"incidents_12m": 3, "dash_score": 15}}, "children": [{"id": "c1", "age_months": 2}], "carers": [{"id": "m"}]}}',
    # ids, names and references
    '{"household": {"children": [{"id": "c1\\n", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30}, {"id": "c1", "age_months": 3}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}, {"id": "m"}]}}',
    '{"household": {"children": [{"id": "' + "c" * 33 + '", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"reference": "' + "R" * 64 + '", "children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"reference": "' + "R" * 65 + '", "children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"reference": 12, "children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"reference": "caf\\u00e9 \\ud83d\\ude00", "children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"reference": "lone \\ud800", "children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "name": ""}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "name": "nul \\u0000"}], "carers": [{"id": "m"}]}}',
    # ages: rough, missing, two given, out of place facts
    '{"household": {"children": [{"id": "c1", "age_years": "13-15"}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_band": "under_5"}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1"}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 3, "unborn_weeks": 20}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "unborn_weeks": 20, "education": {"attendance_percent": 50}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "unborn_weeks": 20, "harm": {"disclosure_of_abuse": false}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 12, "education": {"attendance_percent": 50}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "unborn_weeks": 20, "health": {"prenatal_substance_exposure": true}}], "carers": [{"id": "m", "substance_misuse": "dependent"}]}}',
    # an age written null or "unknown" is no age at all: the per-record path reads the child as of unknown age
    '{"household": {"children": [{"id": "c1", "age_months": null, "emotional": {"mental_health": "moderate"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": null, "unborn_weeks": 20, "emotional": {"mental_health": "low_level"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "unborn_weeks": null, "emotional": {"mental_health": "low_level"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": null, "unborn_weeks": null, "emotional": {"mental_health": "low_level"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": "unknown", "emotional": {"mental_health": "moderate"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "unborn_weeks": "unknown", "emotional": {"mental_health": "moderate"}}], "carers": [{"id": "m"}]}}',
    # shapes: not an object, extra keys, empty and long lists, a BOM inside the file, trailing text
    "[]",
    '"household"',
    '{"household": {"children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m"}]}, "extra": 1}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "health": {"colour": "blue"}}], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30}], "carers": []}}',
    '{"household": {"children": ['
    + ", ".join(f'{{"id": "c{i}", "age_months": 30}}' for i in range(21))
    + '], "carers": [{"id": "m"}]}}',
    '{"household": {"children": [{"id": "c1", "age_months": 30, "health": null}], "carers": [{"id": "m"}]}}',
    "\ufeff" + GOOD,
    GOOD + " x",
    GOOD + "\t\f",
]


def test_bad_and_edge_lines_are_byte_identical(book: Rulebook) -> None:
    lines = [line.encode() for line in EDGE_LINES] + [b"\xff" + GOOD.encode()]
    assert_identical(lines, book)


def test_records_the_reader_could_not_read_keep_their_error_rows(book: Rulebook) -> None:
    records = [
        Record(1, GOOD.encode()),
        Record(2, b"", problem="the line is 2,000,000 bytes; a household may be at most 1,000,000"),
    ]
    with worker(book, OutputFormat.jsonl, per_record=False):
        text, _, errors = runner.screen_chunk(records)
    assert errors == 1 and '"line": 2' in text.splitlines()[1] and "2,000,000 bytes" in text


def test_the_edge_lines_exercise_both_paths(book: Rulebook) -> None:
    """The edge lines are not all handed to the per-record path, nor all taken by the columnar one."""
    lines = [line.encode() for line in EDGE_LINES]
    taken = covered(lines, book)
    assert 10 <= taken <= len(lines) - 25


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents=st.lists(strategies.situations(max_children=3, max_carers=2, max_concerns=6), min_size=1, max_size=6))
def test_columnar_and_per_record_agree_on_generated_households_with_unknowns(documents: list[dict]) -> None:
    book = load_rulebook("knowsley")
    lines = [json.dumps(document).encode() for document in documents]
    assert_identical(lines, book)


# --- every shape of the condition language (the fixture rulebook of test_evaluation_paths) ----


@pytest.fixture(scope="module")
def shapes_book(tmp_path_factory: pytest.TempPathFactory) -> Rulebook:
    """The fixture rulebook that uses every node shape, less its sibling quantifiers (which the
    columnar evaluator leaves to the per-record path: `test_a_sibling_quantifier_is_left_per_record`)."""
    from tests.unit import test_evaluation_paths as paths

    saved = (paths.SHAPES, paths.ESCALATIONS)
    try:
        paths.SHAPES = [shape for shape in saved[0] if "sibling" not in shape[1]]
        paths.ESCALATIONS = [e for e in saved[1] if "sibling" not in e["when"]]
        return load_rulebook(paths.write_rulebook(tmp_path_factory.mktemp("shapes")))
    finally:
        paths.SHAPES, paths.ESCALATIONS = saved


def test_a_sibling_quantifier_is_left_per_record(tmp_path: Path) -> None:
    from tests.unit import test_evaluation_paths as paths

    assert plan_of(load_rulebook(paths.write_rulebook(tmp_path))) is None


def test_every_shape_of_the_language_is_byte_identical(shapes_book: Rulebook) -> None:
    from tests.unit.test_evaluation_paths import fixture_facts, households

    assert plan_of(shapes_book) is not None
    seen = {"covered": 0, "mitigated": 0}

    ages = st.lists(st.integers(0, 228), min_size=4, max_size=4)
    drawn_documents = st.tuples(households(fixture_facts(shapes_book)), st.booleans(), st.booleans(), ages)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(st.lists(drawn_documents, min_size=1, max_size=4))
    def check(drawn: list[tuple[dict, bool, bool, list[int]]]) -> None:
        documents = []
        for document, strong, exact, months in drawn:
            if strong:  # the fixture's one mitigation: supportive wider family lowers `flags` from targeted
                document["household"].setdefault("strengths", {})["supportive_wider_family"] = True
            for child, age in zip(document["household"]["children"], months if exact else [], strict=False):
                if "unborn_weeks" not in child:  # a rough or missing age made exact (recorded facts may then not fit)
                    child.pop("age_years", None)
                    child.pop("age_band", None)
                    child["age_months"] = age
            documents.append(document)
        lines = [json.dumps(document).encode() for document in documents]
        seen["covered"] += covered(lines, shapes_book)
        seen["mitigated"] += sum(
            bool(d["household"].get("strengths", {}).get("supportive_wider_family") is True) for d in documents
        )
        assert_identical(lines, shapes_book)

    check()
    assert seen["covered"] >= 20 and seen["mitigated"] >= 10  # both paths and the mitigation ran (typically ~50 and ~80)


# --- the two array rules the caseloads reach least often ---------------------------------------


def test_counts_compare_as_logic_span_does_for_every_range_and_operator() -> None:
    """`_span` against `logic.Span.compare` for every count range up to 5 and every bound and operator."""
    import numpy as np

    from needs_engine.batch.columnar.masks import _span
    from needs_engine.language.logic import COMPARISONS, Span

    ranges = [(low, high) for high in range(6) for low in range(high + 1)]
    low = np.array([r[0] for r in ranges])
    high = np.array([r[1] for r in ranges])
    for op in COMPARISONS:
        for bound in range(-1, 7):
            true, known = _span(low, high, op, bound)
            got = [bool(t) if k else None for t, k in zip(true, known, strict=True)]
            assert got == [Span(a, b).compare(op, bound) for a, b in ranges], (op, bound)


@pytest.mark.parametrize(
    ("least", "count", "domains"), [("early_help", 3, 3), ("targeted", 2, 2), ("safeguarding", 1, 2), ("safeguarding", 2, 1)]
)
def test_needs_are_counted_once_in_their_top_rungs_domain_as_evaluate_counts_them(least: str, count: int, domains: int) -> None:
    """`_NeedCount.met` against `evaluate._count_met` over random sets of fired descriptors, the
    needs whose rungs lie in different domains fired often (so the top rung's domain decides)."""
    import numpy as np

    from needs_engine.batch.columnar.plan import _NeedCount
    from needs_engine.engine.evaluate import _count_met, _top_rungs
    from needs_engine.rulebook.schema import DescriptorCount

    book = load_rulebook("st-helens")
    descriptors = tuple(book.descriptors)
    rule = DescriptorCount.model_validate({"min_level": least, "min_count": count, "min_domains": domains})
    counting = _NeedCount.of(descriptors, rule.min_level.rank)
    assert counting.mixed  # the shipped library has a need across domains (forced marriage, honour-based abuse)
    mixed = {int(i) for _, members, _, _ in counting.mixed for i in members}
    rng = np.random.default_rng(5)
    chance = np.array([0.5 if i in mixed else 0.01 for i in range(len(descriptors))])
    fired = rng.random((400, len(descriptors))) < chance
    got = counting.met(fired.T.copy(), rule.min_count, rule.min_domains)  # [descriptor, row]
    for row in range(len(fired)):
        chosen = [d for i, d in enumerate(descriptors) if fired[row, i]]
        assert bool(got[row]) is _count_met(_top_rungs(chosen).values(), rule), row


def test_children_a_mitigation_may_lower_are_decided_as_the_record_decides(book: Rulebook) -> None:
    """Households nearly fully known whose every strength is recorded, so the shipped mitigations
    hold for most children. The columnar path sends to `evaluate.outcome` only the children whose
    known or possible level a mitigation lowers from, and keeps its own levels for the rest; this
    fails if it keeps a level the record would lower (e.g. if it looked at the possible level
    only). No household was found where only the possible level could be lowered (an unknown
    never-mitigable concern is then almost always possible too); such a child goes by the record."""
    rng = random.Random(12)
    documents = [household(rng, index, known=True, concern=0.03) for index in range(300)]
    for document in documents:
        for child in document["household"]["children"]:  # a few facts left unknown
            for section in [value for value in child.values() if isinstance(value, dict)]:
                for name in [name for name in section if rng.random() < 0.04]:
                    del section[name]
        document["household"]["strengths"] = {
            "protective_adult": True,
            "engages_with_support": True,
            "supportive_wider_family": True,
            "trusted_adult_for_child": True,
            "community_network": True,
        }
    lines = [json.dumps(document, separators=(",", ":")).encode() for document in documents]
    assert covered(lines, book) == len(lines)
    assert_identical(lines, book)
