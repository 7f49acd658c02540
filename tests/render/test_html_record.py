"""`needs assess --format html` as a case-record attachment (issue 14, section 7).

What the page holds is checked against the assessment itself (not against what the page
printed before); how many A4 pages it prints on is checked by printing it in headless Chromium.
"""

from __future__ import annotations

import html
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest
from typer.testing import CliRunner

from needs_engine import assess, load_rulebook
from needs_engine.cli.app import app
from needs_engine.formats.inputs import read_situation
from needs_engine.render.html import QUESTIONS_ON_RECORD, TEMPLATES_ENV
from needs_engine.workflows.records import input_hash

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.yaml") if p.name != "expected.yaml")
BABY = ROOT / "examples" / "baby-domestic-abuse-mental-health.yaml"
NEGLECT = ROOT / "examples" / "safeguarding-neglect-hazardous-home.yaml"
runner = CliRunner(env={"COLUMNS": "100"})


def record(path: Path, **env: str) -> str:
    result = runner.invoke(app, ["assess", str(path), "--format", "html"], env=env or None)
    assert result.exit_code == 0, result.output
    return result.stdout


def plain(text: str) -> str:
    """An error panel's words, without its borders or line wrapping."""
    return " ".join("".join(" " if ch in "│╭╮╰╯─" else ch for ch in text).split())


def text_of(page: str) -> str:
    """The page's words: tags dropped, entities decoded, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", page, flags=re.S))).split())


def section(page: str, anchor: str) -> str:
    """The page's words from the element with id `anchor` to the next heading of the same rank."""
    start = page.index(f'id="{anchor}"')
    following = [page.find(f'id="{other}"', start + 1) for other in ("decision", "judgement", "children", "questions", "facts")]
    ends = [i for i in following if i > start]
    return text_of(page[start : min(ends) if ends else len(page)])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_record_holds_the_decision_reasons_questions_facts_and_hash(example: Path) -> None:
    situation = read_situation(example)
    book = load_rulebook("knowsley")
    assessment = assess(situation, book)
    page = record(example)
    words = text_of(page)
    # The decision and the response.
    assert f"Family level: {assessment.label}" in words
    assert f'data-rank="{assessment.level.rank + 1}/4"' in page  # printed before the label (CSS), for black and white
    assert " ".join(assessment.response.summary.split()) in words
    for action in assessment.response.actions:
        assert " ".join(action.split()) in words
    # Reasons: the highest rung of each need, each shown once (shared ones once for every child).
    reasons = section(page, "children")
    highest = {fired.text for child in assessment.children for fired in child.fired}
    for child in assessment.children:
        for fired in child.fired:
            assert " ".join(fired.text.split()) in reasons, fired.id
            for lower in fired.also_meets:  # folded into the highest rung, not a reason of its own
                if lower.text not in highest:  # (unless it is another child's highest rung)
                    assert lower.text not in reasons, lower.id
    # Checks, then the five most consequential questions in their order.
    for check in assessment.checks:
        assert check.message in words
    asked = section(page, "questions")
    shown = [q.ask for q in assessment.questions[:QUESTIONS_ON_RECORD]]
    at = 0
    for ask in shown:  # each in turn, after the one before (the same question may be asked of two children)
        at = asked.find(ask, at)
        assert at >= 0, ask
        at += len(ask)
    assert asked.count("could raise the level to") == len(shown)
    for later in assessment.questions[QUESTIONS_ON_RECORD:]:
        if later.ask not in shown:
            assert later.ask not in asked
    # The facts recorded, the input hash and the screener's box.
    assert input_hash(situation) in words
    assert "Name" in section(page, "judgement") and "Role" in section(page, "judgement")
    assert "professional judgement" in section(page, "judgement")
    assert "(s)" not in words


def test_the_facts_recorded_are_every_known_fact() -> None:
    page = record(BABY)
    facts = section(page, "facts")
    assert "domestic abuse incidents in the last 12 months: 2" in facts
    assert "DASH score: 9" in facts
    assert "mental health: diagnosed unstable" in facts
    # A fact known to be fine is listed too (by name), and an unknown one is not.
    assert "no concern:" in facts
    situation = read_situation(BABY)
    assert situation.household.strengths.trusted_adult_for_child is None
    assert "trusted adult for child" not in facts
    assert situation.household.strengths.engages_with_support is True
    assert "engages with support: yes" in facts


def test_household_reasons_are_shown_once_not_per_child() -> None:
    assessment = assess(read_situation(BABY), load_rulebook("knowsley"))
    shared = [
        d
        for d in assessment.children[0].fired
        if all(not f.subject.startswith("child:") for f in d.facts) and all(d in other.fired for other in assessment.children[1:])
    ]
    assert shared, "the example should have household reasons that every child shares"
    reasons = section(record(BABY), "children")
    for d in shared:
        assert reasons.count(d.text) == 1, d.id
    assert "Every child: the household and the carers" in reasons


def test_the_input_hash_is_the_decision_records(tmp_path: Path) -> None:
    made = runner.invoke(app, ["assess", str(BABY), "--format", "html", "--record", str(tmp_path)])
    assert made.exit_code == 0, made.output
    [saved] = tmp_path.glob("*.json")
    assert json.loads(saved.read_text())["input_hash"] in made.stdout


def test_the_gap_line_says_how_many_facts_and_which_first() -> None:
    assessment = assess(read_situation(BABY), load_rulebook("knowsley"))
    words = text_of(record(BABY))
    if assessment.possible_level > assessment.level:
        assert f"{len(assessment.questions)} unknown facts could raise the level" in words
        assert assessment.questions[0].ask in words
    assert "once unknown facts are checked" not in words


def test_the_page_is_offline_and_a4() -> None:
    page = record(NEGLECT)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert "@page{size:A4" in page.replace(" ", "") and "@media print" in page


# --- an authority's own header ---------------------------------------------------------------


def test_an_authority_header_replaces_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "header.html.j2").write_text(
        '<header class="authority"><strong>Anyshire Council (fictional)</strong> · OFFICIAL-SENSITIVE · '
        "{{ rulebook.id }} · {{ generated }} · {{ assessment.reference }}</header>\n"
    )
    page = record(BABY, **{TEMPLATES_ENV: str(tmp_path)})
    assert "Anyshire Council (fictional)</strong> · OFFICIAL-SENSITIVE · knowsley" in page
    assert "EXAMPLE-11</header>" in page
    assert "needs-engine decision support" not in page  # the shipped header's words
    assert "needs-engine decision support" in record(BABY)  # and without the folder, the shipped one


def test_an_authority_header_is_escaped_like_the_rest(tmp_path: Path) -> None:
    (tmp_path / "header.html.j2").write_text("<header>{{ assessment.reference }}</header>")
    situation = BABY.read_text().replace("EXAMPLE-11", '"<script>x</script>"')
    (tmp_path / "s.yaml").write_text(situation)
    page = record(tmp_path / "s.yaml", **{TEMPLATES_ENV: str(tmp_path)})
    assert "<header>&lt;script&gt;x&lt;/script&gt;</header>" in page


@pytest.mark.parametrize(
    ("header", "phrase"),
    [
        ("<header>{% if %}</header>\n", "header.html.j2:1: template error:"),
        ("<header>\n{{ no_such_name }}</header>\n", "header.html.j2:2: template error: 'no_such_name' is undefined"),
    ],
    ids=["syntax", "undefined"],
)
def test_a_broken_authority_header_is_one_clear_error(tmp_path: Path, header: str, phrase: str) -> None:
    (tmp_path / "header.html.j2").write_text(header)
    result = runner.invoke(app, ["assess", str(BABY), "--format", "html"], env={TEMPLATES_ENV: str(tmp_path)})
    assert result.exit_code == 2
    assert phrase in plain(result.stderr) and "Traceback" not in result.output


def test_a_missing_template_folder_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", str(BABY), "--format", "html"], env={TEMPLATES_ENV: str(tmp_path / "none")})
    assert result.exit_code == 2
    assert f"{TEMPLATES_ENV}: {tmp_path / 'none'} is not a folder" in plain(result.stderr)


# --- printed on A4 -----------------------------------------------------------------------------


def _chromium() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chromium", ROOT / "scripts" / "chromium.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


chromium = _chromium()
BROWSER = chromium.find_browser()
needs_browser = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium on PATH, so the A4 page count cannot be measured; install Debian's chromium (apt-get install -y chromium)",
)


def test_pdf_pages_counts_page_objects_not_the_page_tree() -> None:
    one = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >> << /Type /Page /Parent 2 0 R >>"
    assert chromium.pdf_pages(one) == 1
    assert chromium.pdf_pages(one + b"<</Type/Page/Parent 2 0 R>>") == 2
    assert chromium.pdf_pages(b"<< /Type /Pages /Count 0 >>") == 0


@needs_browser
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_record_prints_on_one_or_two_a4_pages(example: Path, tmp_path: Path) -> None:
    page = tmp_path / "record.html"
    page.write_text(record(example), encoding="utf-8")
    pdf = tmp_path / "record.pdf"
    pages = chromium.print_pdf(BROWSER, page, pdf)
    assert 1 <= pages <= 2, f"{example.name} prints on {pages} pages"
    # A4 is 595 x 842 points; Chromium rounds to the nearest hundredth or so.
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= pages and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes)
