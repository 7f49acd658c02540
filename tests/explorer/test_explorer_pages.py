"""`/explorer` over HTTP without a browser: the form holds every fact, reads back into the same
situation, re-assesses with the engine, asks for any level, runs the quiz, and fetches nothing
from anywhere but itself."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from needs_engine import assess
from needs_engine.model.layout import People, situation_layout
from needs_engine.service.app import create_app
from needs_engine.service.explorer.form import form_of, situation_from_form
from needs_engine.service.explorer.pages import HTMX, STATIC, scenarios

HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
"""htmx.org 2.0.11's dist/htmx.min.js as npm ships it (docs/explorer.md records where it came from)."""


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


class _Page(HTMLParser):
    """Every control (name, value) and every address the page would fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.controls: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.fetches.append(a["src"] or "")
        if tag == "link" and a.get("href"):
            self.fetches.append(a["href"] or "")
        name = a.get("name") or ""
        if tag == "input" and name.startswith("f:"):
            self.controls[name] = a.get("value") or ""
        if tag == "select" and name.startswith("f:"):
            self._select = name
            self.controls[name] = ""
        if tag == "option" and self._select and "selected" in a:
            self.controls[self._select] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _fields(text: str, **extra: str) -> dict[str, str]:
    """What the browser would send: the page's hidden fields and every control."""
    hidden = dict(re.findall(r'<input type="hidden" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', text))
    fields = {k: html.unescape(v) for k, v in hidden.items()}
    fields.update(_page(text).controls)
    fields.update(extra)
    return fields


@pytest.mark.parametrize("name", sorted(scenarios()))
def test_the_form_reads_back_into_the_same_situation(name: str) -> None:
    scenario = scenarios()[name]
    document = scenario.situation.model_dump(mode="json", exclude_none=True)
    form = form_of(document)
    _, situation = situation_from_form({"document": form.document_json, **{c.name: c.value for c in form.controls}})
    for rulebook in ("knowsley", "st-helens"):
        assert assess(situation, rulebook) == assess(scenario.situation, rulebook)


def test_every_fact_of_every_person_is_a_control_with_unknown_as_a_choice(client: TestClient) -> None:
    name = "safeguarding-toxic-trio-school-age-children"
    text = client.get(f"/explorer?scenario={name}").text
    household = scenarios()[name].situation.household
    layout = situation_layout()
    expected = sum(1 for _, f in layout.facts() if f.is_fact)
    for item in layout.items:
        if isinstance(item, People):
            people = household.children if item.key == "children" else household.carers
            expected += len(people) * sum(1 for _, f in item.person.facts() if f.is_fact)
    controls = _page(text).controls
    assert len(controls) == expected
    selects = re.findall(r'<select id="fact-[^"]*" name="f:[^"]*"[^>]*>\s*<option value=""( selected)?>unknown</option>', text)
    assert len(selects) == text.count('<select id="fact-')
    assert text.count('placeholder="unknown"') == text.count('<input id="fact-')


def test_changing_a_fact_reassesses_and_says_what_changed(client: TestClient) -> None:
    text = client.get("/explorer?scenario=universal-new-baby-thriving").text
    fields = _fields(text, **{"f:carers.m.mental_health": "crisis"})
    changed = client.post("/explorer/assess", data=fields).text
    expected = assess(situation_from_form(fields)[1], "knowsley")
    assert expected.level.value == "safeguarding"  # a carer in crisis: checked from scratch, not by the page
    assert f">{expected.label}</span>" in changed and "was Universal" in changed
    assert "Changed in this step" in changed and "Mild → <mark>Crisis</mark>" in changed
    assert '<mark class="tag">new</mark>' in changed
    assert 'id="state"' in changed and "hx-swap-oob" in changed


def test_unknown_removes_the_fact_and_never_lowers_the_level(client: TestClient) -> None:
    text = client.get("/explorer?scenario=universal-new-baby-thriving").text
    fields = _fields(text, **{"f:children.c1.harm.injury": ""})
    document, situation = situation_from_form(fields)
    assert "injury" not in document["household"]["children"][0].get("harm", {})
    before = assess(scenarios()["universal-new-baby-thriving"].situation, "knowsley")
    after = assess(situation, "knowsley")
    assert after.level >= before.level and after.possible_level >= before.possible_level


def test_a_bad_value_is_one_clear_message_not_a_crash(client: TestClient) -> None:
    text = client.get("/explorer?scenario=universal-new-baby-thriving").text
    answer = client.post("/explorer/assess", data=_fields(text, **{"f:children.c1.health.missed_appointments_12m": "lots"}))
    assert answer.status_code == 200 and 'role="alert"' in answer.text
    said = html.unescape(answer.text)
    assert "children.c1.health.missed_appointments_12m" in said and "'lots' is not a whole number" in said
    pasted = client.post(
        "/explorer/load", data={"text": "household: {children: [{id: c1, age_monthz: 3}]}", "rulebook": "knowsley"}
    )
    assert 'role="alert"' in pasted.text and "age_monthz" in pasted.text and "Traceback" not in pasted.text


def test_a_pasted_situation_loads_as_yaml_or_json(client: TestClient) -> None:
    yaml_text = "household:\n  children:\n    - id: c1\n      age_months: 30\n  carers:\n    - {id: m, role: mother}\n"
    json_text = '{"household": {"children": [{"id": "c1", "age_months": 30}], "carers": [{"id": "m", "role": "mother"}]}}'
    for text in (yaml_text, json_text):
        page = client.post("/explorer/load", data={"text": text, "rulebook": "st-helens"}).text
        assert 'name="f:children.c1.age_months" value="30"' in page
        assert 'name="rulebook" value="st-helens"' in page


def test_what_would_make_this_any_level(client: TestClient) -> None:
    text = client.get("/explorer?scenario=universal-new-baby-thriving").text
    answer = client.post("/explorer/target", data=_fields(text, target="safeguarding")).text
    assert "What would make this" in answer and "would be Safeguarding instead of Universal" in answer
    same = client.post("/explorer/target", data=_fields(text, target="universal")).text
    assert "already Universal" in same
    wrong = client.post("/explorer/target", data=_fields(text, target="level 9")).text
    assert 'role="alert"' in wrong and "early_help (Early Help)" in wrong


def test_the_quiz_shows_the_story_then_reveals_level_and_rationale(client: TestClient) -> None:
    name = "universal-new-baby-thriving"
    scenario = scenarios()[name]
    page = client.get(f"/explorer/quiz?scenario={name}").text
    assert scenario.title in page and "The room decides" in page
    assert "The engine says" not in page  # nothing is revealed before the room has decided
    revealed = client.post("/explorer/reveal", data={"scenario": name, "rulebook": "knowsley", "answer": "safeguarding"}).text
    engine = assess(scenario.situation, "knowsley")
    assert "The engine says" in revealed and f">{engine.label}</span>" in revealed
    assert scenario.expected["knowsley"].why in html.unescape(revealed)
    assert "The room said" in revealed


def test_the_page_fetches_only_its_own_shipped_assets(client: TestClient) -> None:
    for address in ("/explorer", "/explorer?scenario=universal-new-baby-thriving&large=true", "/explorer/quiz"):
        fetches = _page(client.get(address).text).fetches
        assert fetches and all(f.startswith(("/explorer/static/", "data:")) for f in fetches), fetches
        for fetch in fetches:
            if fetch.startswith("/"):
                assert client.get(fetch).status_code == 200
    assert hashlib.sha256((STATIC / HTMX).read_bytes()).hexdigest() == HTMX_SHA256
    assert client.get("/explorer/static/..%2Fpages.py").status_code == 404
    assert client.get("/explorer/static/pages.py").status_code == 404


def test_only_shipped_scenarios_can_be_named(client: TestClient) -> None:
    page = client.get("/explorer?scenario=../../etc/passwd").text
    assert "Choose a scenario and press" in page
    answer = client.post("/explorer/reveal", data={"scenario": "/etc/passwd", "rulebook": "knowsley"}).text
    assert "no such scenario" in answer


def test_a_form_that_is_not_form_encoded_is_refused(client: TestClient) -> None:
    answer = client.post("/explorer/assess", json={"document": "{}"})
    assert answer.status_code == 415


def test_an_unknown_rulebook_is_refused_not_swapped_for_another(client: TestClient) -> None:
    # A trainer who mistypes St Helens must not be shown Knowsley's levels under the wrong name.
    page = client.get("/explorer?rulebook=st-helen")
    assert page.status_code == 404 and "st-helen" in page.text and "knowsley, st-helens" in page.text
    assert client.get("/explorer/quiz?rulebook=nowhere").status_code == 404
    text = client.get("/explorer?scenario=universal-new-baby-thriving").text
    for path in ("/explorer/assess", "/explorer/target", "/explorer/load"):
        answer = client.post(path, data=_fields(text, rulebook="nowhere", target="safeguarding"))
        assert answer.status_code == 200 and 'role="alert"' in answer.text, path
        assert "no shipped rulebook called 'nowhere'" in html.unescape(answer.text), path
    reveal = client.post("/explorer/reveal", data={"scenario": "universal-new-baby-thriving", "rulebook": "nowhere"})
    assert "no shipped rulebook called 'nowhere'" in html.unescape(reveal.text)
