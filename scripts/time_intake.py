"""Time a short fictional referral turned into an assessed case, with `needs new` and with `needs template`.

Run from a checkout with the test extra installed:  python scripts/time_intake.py

The referral (invented): a school nurse calls about Kai, 11, and his sister, 4. Their mother,
the only carer, has diagnosed depression that has become unstable since she stopped her
medication; Kai's attendance is 81% and he looks after his sister most mornings, which is
affecting his schooling. Nothing suggests a red flag; mum has agreed to early help.

`needs new` is typed at in a pseudo-terminal by the same driver as the end-to-end test
(answers from the referral, "don't know" to the rest) until the interview ends by itself; the
script reports the wall time, the number of questions, and where the last fact the referral
gives was asked (a screener with nothing more to add would choose "Stop and save" there).
`needs template` is filled by replacing `unknown` with the referral's values, as an editor
would, then assessed. Both cases must assess to the same levels.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.intake.referral import Referral  # noqa: E402
from tests.intake.test_new_in_a_terminal import run_session  # noqa: E402

REFERRAL = Referral(
    ages=["11", "4"],
    roles=["mother"],
    consent="given",
    known={
        ("household", "household.immediate_danger"): False,
        ("carer:m", "carer.mental_health"): "diagnosed_unstable",
        ("child:c1", "child.education.attendance_percent"): 81,
        ("child:c1", "child.relationships.young_carer"): "significant",
        **{(f"child:{c}", f"child.harm.{fact}"): False for c in ("c1", "c2") for fact in ("disclosure_of_abuse", "left_alone")},
    },
    expected={},
)

# Where each of the referral's facts sits in the form `needs template --children 2` prints.
FORM_EDITS = [
    ("  consent: unknown", "  consent: given", 1),
    ("  immediate_danger: unknown", "  immediate_danger: false", 1),
    ("      age_years: unknown", "      age_years: 11", 1),
    ("      age_years: unknown", "      age_years: 4", 1),
    ("        attendance_percent: unknown", "        attendance_percent: 81", 1),
    ("        young_carer: unknown", "        young_carer: significant", 1),
    ("        disclosure_of_abuse: unknown", "        disclosure_of_abuse: false", 2),
    ("        left_alone: unknown", "        left_alone: false", 2),
    ("      role: unknown", "      role: mother", 1),
]
"""(line, new line, how many): each replaces whole lines of the form, first ones first; the
carer's mental health is set below, in the carers' part (children have a mental health too)."""


def levels(path: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "needs_engine", "assess", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out)
    children = ", ".join(f"{c['child_id']}: {c['level']}" for c in result["children"])
    return f"{result['level']} ({children})"


def with_new(folder: Path) -> tuple[float, str]:
    start = time.perf_counter()
    path, asked = run_session(folder, REFERRAL)
    answered = [n for n, (subject, fact) in enumerate(asked, start=1) if REFERRAL.answer(subject, fact) is not None]
    outcome = levels(path)
    seconds = time.perf_counter() - start
    print(f"needs new: {seconds:.1f} s wall, {len(asked)} questions after the household and the red-flag grid;")
    print(f"  the referral's facts were asked at questions {answered}; assessed: {outcome}")
    return seconds, outcome


def fill(form: str) -> str:
    """The form with the referral's values, as a screener would type them over `unknown`."""
    text = form
    for old, new, count in FORM_EDITS:
        text = re.sub(f"^{re.escape(old)}$", new, text, count=count, flags=re.MULTILINE)
    head, carers = text.split("\n  carers:\n", 1)
    carers = re.sub(
        "^      mental_health: unknown$", "      mental_health: diagnosed_unstable", carers, count=1, flags=re.MULTILINE
    )
    return head + "\n  carers:\n" + carers


def with_template(folder: Path) -> tuple[float, str]:
    start = time.perf_counter()
    form = subprocess.run(
        [sys.executable, "-m", "needs_engine", "template", "--children", "2"], capture_output=True, text=True, check=True
    ).stdout
    text = fill(form)
    path = folder / "form.yaml"
    path.write_text(text)
    outcome = levels(path)
    seconds = time.perf_counter() - start
    edits = sum(1 for a, b in zip(form.splitlines(), text.splitlines(), strict=True) if a != b)
    print(
        f"needs template: {seconds:.1f} s wall (machine edits), a form of {len(form.splitlines())} lines, {edits} values changed;"
    )
    print(f"  assessed: {outcome}")
    return seconds, outcome


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        _, by_interview = with_new(Path(folder))
        _, by_form = with_template(Path(folder))
    if by_interview != by_form:
        sys.exit(f"the two cases differ: {by_interview} / {by_form}")
