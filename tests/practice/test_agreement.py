"""The shipped rulebooks against published thresholds: the issue-13 targets, measured.

Every practice probe is assessed under every shipped rulebook (`needs rules agreement`). No
rulebook may place a line whose publishers agree it is child protection below its own child-
protection level, and each must match the agreed tier on at least 85 % of agreed lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from needs_engine.authoring.agreement import measure
from needs_engine.authoring.practice import read_practice
from needs_engine.rulebook.load import load_rulebook, shipped_rulebooks

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def probes():
    return read_practice(HERE)


def test_the_probes_are_broad_enough_to_mean_something(probes) -> None:
    single = [p for p in probes if p.kind == "probe"]
    worked = [p for p in probes if p.kind != "probe"]
    assert len(single) >= 200
    assert len(worked) >= 25
    assert len({p.publisher for p in probes}) >= 10


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_no_agreed_child_protection_line_falls_below_child_protection(probes, rulebook: str) -> None:
    report = measure(probes, load_rulebook(rulebook))
    assert [row.probe.id for row in report.safety] == []


@pytest.mark.parametrize("rulebook", shipped_rulebooks())
def test_at_least_85_percent_exact_on_agreed_tiers(probes, rulebook: str) -> None:
    report = measure(probes, load_rulebook(rulebook))
    missed = [
        f"{row.probe.id}: {row.tier.value} not {sorted(t.value for t in row.agreed)}" for row in report.agreed if not row.exact
    ]
    assert report.share(report.exact) >= 85.0, "\n".join(missed)
