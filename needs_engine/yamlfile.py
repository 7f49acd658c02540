"""Read YAML safely, remembering the line of every key and refusing duplicate keys.

PyYAML's safe loader silently keeps the last of two equal keys; for a situation or a rulebook
that would drop a fact or a descriptor without a word, so duplicates are errors here. The
loader is `yaml.SafeLoader` with only mapping construction extended: no tags beyond the safe
set, no objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import Problem

MAX_INPUT_BYTES = 2_000_000


class Located(dict):  # type: ignore[type-arg]
    """A mapping that knows the (1-based) line of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Located:
    loader.flatten_mapping(node)
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)  # type: ignore[no-untyped-call]
        if not isinstance(key, (str, int, float, bool)) or key is None:
            raise yaml.constructor.ConstructorError(None, None, "mapping keys must be plain values", key_node.start_mark)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}' (the earlier value would be silently lost)", key_node.start_mark
            )
        mapping[key] = loader.construct_object(value_node, deep=True)  # type: ignore[no-untyped-call]
        mapping.key_lines[str(key)] = value_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YAMLProblem(Exception):
    """A file that is not readable YAML/JSON; carries a Problem with the line."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def parse_text(text: str, *, where: str) -> Any:
    """Parse YAML (JSON is YAML) text, raising YAMLProblem naming `where` and the line."""
    if len(text.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
        raise YAMLProblem(Problem(where, f"file is larger than {MAX_INPUT_BYTES // 1_000_000} MB", code="too_large"))
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{where}:{mark.line + 1}" if mark else where
        detail = exc.problem or exc.context or "malformed"
        raise YAMLProblem(Problem(line, f"not valid YAML or JSON: {detail}", code="malformed")) from None
    except yaml.YAMLError as exc:
        raise YAMLProblem(Problem(where, f"not valid YAML or JSON: {exc}", code="malformed")) from None


def read_bounded(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of `path`, reading at most `limit` + 1 of them: /dev/zero or a runaway pipe is
    refused at the size limit instead of filling memory."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise YAMLProblem(Problem(str(path), f"cannot read file: {exc.strerror or exc}", code="unreadable")) from None
    if len(raw) > limit:
        raise YAMLProblem(Problem(str(path), f"file is larger than {limit // 1_000_000} MB", code="too_large"))
    return raw


def read_file(path: Path) -> Any:
    """Read and parse a YAML or JSON file."""
    raw = read_bounded(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise YAMLProblem(Problem(str(path), "file is not UTF-8 text", code="encoding")) from None
    return parse_text(text, where=str(path))


def line_of(document: Any, loc: tuple[Any, ...]) -> Optional[int]:
    """The line of the deepest key of `loc` that the document has (None if unknown)."""
    line: Optional[int] = None
    current = document
    for part in loc:
        if isinstance(current, Located) and isinstance(part, str) and part in current:
            line = current.key_lines.get(part, line)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            current = current[part]
            if isinstance(current, Located):
                line = current.line
        else:
            break
    return line
