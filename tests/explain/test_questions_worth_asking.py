"""Issue 14, section 4: questions worth asking. No question assumes a child's sex."""

from __future__ import annotations

import re

from needs_engine.model.catalogue import all_facts
from needs_engine.model.facts import Ordinal

GENDERED = re.compile(r"\b(she|her|hers|herself|he|him|his|himself|girl|girls|boy|boys|son|daughter)\b", re.IGNORECASE)


def test_no_question_or_value_assumes_a_child_s_sex() -> None:
    assert GENDERED.search("Is the child at risk of, or has she undergone, FGM?")  # the wording issue 14 found
    texts = [(spec.dotted, spec.ask) for spec in all_facts()] + [(spec.dotted, spec.description) for spec in all_facts()]
    for spec in all_facts():
        if spec.choices is not None and issubclass(spec.choices, Ordinal):
            texts += [(f"{spec.dotted}={member.value}", member.definition) for member in spec.choices]  # type: ignore[attr-defined]
    assert len(texts) > 300
    assert [(where, text) for where, text in texts if GENDERED.search(text)] == []
