"""A situation document written as commented YAML, laid out as the model groups its facts.

Two readers, one writer. A screener's case (`needs new`) carries a comment on each value saying
what it means (a scale value's definition, or the fact's description), so the file reads on its
own in a case record. A form (`needs template`) carries above each fact its title, its
description and every value it allows with its definition, so it can be filled in an editor.
Keys follow the model's order, whatever order the document's dicts are in, so a case written
twice is written the same way.
"""

from __future__ import annotations

import json
import re
from typing import Any, Union

from ..model.facts import is_unknown_word
from ..model.layout import Fact, People, Section, situation_layout

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}
"""Words YAML may read as something other than text; written quoted unless they are `unknown`."""


def scalar(value: Any) -> str:
    """A value as YAML writes it: true/false, a number, a plain word, or a quoted string."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _comment(text: str) -> str:
    return " ".join(text.split())


def _form_notes(fact: Fact) -> list[str]:
    """The comment block a form puts above a fact: what it is, and what it may be."""
    notes = [f"{fact.title}: {_comment(fact.description)}" if fact.description else fact.title]
    if fact.ask:
        notes.append(f"Ask: {_comment(fact.ask)}")
    if fact.choices is not None:
        notes.append("One of (least worrying first):" if fact.direction == "higher_is_worse" else "One of:")
        notes.extend(f"  {value}: {_comment(definition)}" for value, _label, definition in fact.values())
    else:
        notes.append(f"Allowed: {fact.allowed()}, or unknown.")
    return notes


def _fact_lines(fact: Fact, value: Any, indent: str, form: bool) -> list[str]:
    written = f"{indent}{fact.key}: {scalar(value)}"
    if form:
        return [*(f"{indent}# {note}" for note in _form_notes(fact)), written] if fact.is_fact else [written]
    if not fact.is_fact:
        return [written]
    if is_unknown_word(value):
        return [f"{written}  # not known yet: {_comment(fact.description)}"]
    return [f"{written}  # {_comment(fact.meaning(value))}"]


def _section_lines(section: Section, mapping: dict[str, Any], indent: str, form: bool) -> list[str]:
    lines: list[str] = []
    known = {item.key for item in section.items}
    stray = sorted(set(mapping) - known)
    if stray:
        raise ValueError(f"{section.key}: no field {stray[0]!r} in the model")  # documents are validated first
    for item in section.items:
        if item.key not in mapping:
            continue
        value = mapping[item.key]
        if isinstance(item, Fact):
            lines += _fact_lines(item, value, indent, form)
        elif isinstance(item, Section):
            body = _section_lines(item, value or {}, indent + "  ", form)
            if body:
                if form:
                    lines.append(f"{indent}# --- {item.title}: {item.description}")
                lines += [f"{indent}{item.key}:", *body]
        else:
            lines += _people_lines(item, value or [], indent, form)
    return lines


def _people_lines(group: People, people: list[dict[str, Any]], indent: str, form: bool) -> list[str]:
    lines = [f"{indent}{group.key}:"]
    for person in people:
        body = _section_lines(group.person, person, indent + "    ", form)
        # The first line is the person's id (the model's first field): it carries the dash.
        lines.append(f"{indent}  - {body[0].lstrip()}")
        lines += body[1:]
    return lines


def situation_yaml(document: dict[str, Any], *, form: bool = False, header: Union[str, None] = None) -> str:
    """The document as commented YAML. `form` puts each fact's values and definitions above it;
    otherwise each value carries its meaning beside it. `header` opens the file as comments."""
    lines = [f"# {line}".rstrip() for line in (header or "").splitlines()]
    lines.append("household:")
    lines += _section_lines(situation_layout(), document.get("household", {}), "  ", form)
    return "\n".join(lines) + "\n"
