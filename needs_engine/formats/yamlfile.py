"""The one reader: every situation, rulebook file, batch line and request body is read here.

Reading is where input is most easily misread, so every entry point (CLI, batch, HTTP, library
helpers that take text) comes through these functions and gets the same guarantees:

- only a regular file (or stdin, for the path `-`) is read, and at most `MAX_INPUT_BYTES` of it:
  a FIFO, a device, a directory or a dangling symlink is refused, naming the path;
- the bytes must be UTF-8; a bad byte is located by byte offset and line, UTF-16 is recognised
  and a NUL byte is located by line;
- JSON (a `.json` file, a request body, a batch line) is parsed as JSON, strictly: no NaN or
  Infinity, no repeated keys;
- YAML is parsed with libyaml (`yaml.CSafeLoader`), remembering the line of every key, with keys
  kept as written (`yes:` is the key 'yes', not True) and numbers read as decimal only: a leading
  zero (YAML 1.1 octal), hexadecimal, binary, base 60 (`1:30`) or digit separators are refused
  rather than silently turned into another number. Anchors and aliases are refused, so an alias
  bomb is never expanded;
- in both, a repeated key is refused with its field path, nesting deeper than `MAX_DEPTH` and a
  number longer than `MAX_NUMBER_CHARS` characters are refused.

Every refusal is a `YAMLProblem` carrying one `Problem` that names the place and the line.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Any, Literal, Optional, Union

import yaml

from ..errors import Problem, clip

MAX_INPUT_BYTES = 2_000_000
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists read (a situation is five or six levels deep)."""
MAX_NUMBER_CHARS = 30
"""Longest number literal read (the largest fact is a few digits)."""

MAX_YAML_LINES = 20_000
"""Longest YAML file read, in lines (the largest shipped rule file is well under 2,000)."""

Syntax = Literal["json", "yaml"]
STDIN = "-"


class Located(dict):  # type: ignore[type-arg]
    """A mapping that knows the (1-based) line of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]
    item_lines: dict[str, list[int]] = {}  # noqa: RUF012 - each YAML mapping gets its own; JSON ones none
    """For a key whose value is a list (YAML only): the line of each item, scalars included."""


class YAMLProblem(Exception):
    """Input that is not readable YAML/JSON; carries a Problem with the line."""

    def __init__(self, problem: Problem, *, field: Optional[str] = None) -> None:
        self.problem = problem
        self.field = field
        """The dotted path of the field refused (a repeated key), when there is one."""
        super().__init__(str(problem))


# --- YAML: libyaml, with decimal numbers only ----------------------------------------------------

_NOT_DECIMAL = "tag:needs-engine:not-decimal"
_NOT_DECIMAL_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
    |[-+]?[0-9][0-9]*_[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9]*\.[0-9]*_[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT_RE = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")


class _LineLoader(yaml.CSafeLoader):
    """libyaml's safe loader; mappings remember their lines; decimal numbers only."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_tree(node)
        return self.construct_document(node)


def _strict_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in entries if not tag.endswith((":int", ":float", ":merge"))]
        if first in list("-+0123456789."):
            kept = [
                (_NOT_DECIMAL, _NOT_DECIMAL_RE),
                ("tag:yaml.org,2002:int", _INT_RE),
                ("tag:yaml.org,2002:float", _FLOAT_RE),
            ] + kept
        if kept:
            resolvers[first] = kept
    return resolvers


_LineLoader.yaml_implicit_resolvers = _strict_resolvers()


class _Refusal(yaml.constructor.ConstructorError):
    """Something read but refused, at a node; `field` is its dotted path when known."""

    def __init__(self, node: yaml.Node, message: str, field: Optional[str] = None, code: str = "malformed") -> None:
        super().__init__(None, None, message, node.start_mark)
        self.field = field
        self.code = code


def _check_tree(root: yaml.Node) -> None:
    """Refuse aliases (an alias bomb is a small tree of shared nodes), deep nesting, merge keys
    and repeated keys (naming the field path) before anything is constructed."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            raise _Refusal(node, "anchors and aliases (&name, *name) are not supported; write the value out in full")
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            continue
        if len(path) >= MAX_DEPTH:
            raise _Refusal(node, f"nested more than {MAX_DEPTH} levels deep", code="too_deep")
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise _Refusal(key_node, "mapping keys must be plain values")
                key = str(key_node.value)
                field = ".".join((*path, key))
                if key in keys:
                    raise _Refusal(
                        key_node,
                        f"duplicate key '{clip(key)}' at {clip(field)} (the earlier value would be silently lost)",
                        field,
                        code="duplicate_key",
                    )
                keys.add(key)
                stack.append((key_node, (*path, key)))
                stack.append((value_node, (*path, key)))
        else:
            stack.extend((child, (*path, str(index))) for index, child in enumerate(node.value))


def _refusal(node: yaml.Node, message: str) -> _Refusal:
    return _Refusal(node, message)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> Located:
    mapping = Located()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    mapping.item_lines = {}
    for key_node, value_node in node.value:
        key = key_node.value  # as written: `yes:` is the key 'yes', `1:` the key '1'
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = value_node.start_mark.line + 1
        if isinstance(value_node, yaml.SequenceNode):
            mapping.item_lines[key] = [item.start_mark.line + 1 for item in value_node.value]
    return mapping


def _construct_number(loader: _LineLoader, node: yaml.ScalarNode) -> Union[int, float]:
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _refusal(node, f"a number of {len(node.value):,} characters; at most {MAX_NUMBER_CHARS} are read")
    return int(node.value) if node.tag.endswith(":int") else float(node.value)


def _construct_not_decimal(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
    raise _refusal(
        node,
        f"{clip(node.value)!r} is not a decimal number (YAML 1.1 would read it as octal, hexadecimal or base 60); "
        "write it in decimal, or quote it if it is text",
    )


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _construct_number)
_LineLoader.add_constructor("tag:yaml.org,2002:float", _construct_number)
_LineLoader.add_constructor(_NOT_DECIMAL, _construct_not_decimal)


def _parse_yaml(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a CSafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{where}:{mark.line + 1}" if mark else where
        detail = exc.problem or exc.context or "malformed"
        if isinstance(exc, _Refusal):
            raise YAMLProblem(Problem(line, detail, code=exc.code), field=exc.field) from None
        raise YAMLProblem(Problem(line, f"not valid YAML or JSON: {clip(detail)}", code="malformed")) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise YAMLProblem(Problem(where, f"not valid YAML or JSON: {clip(str(exc))}", code="malformed")) from None


# --- JSON: the standard library's decoder, strictly ---------------------------------------------


class _JSONRefusal(ValueError):
    pass


def _json_object(pairs: list[tuple[str, Any]]) -> Located:
    mapping = Located()
    mapping.key_lines = {}
    for key, value in pairs:
        if key in mapping:
            raise _JSONRefusal(f"duplicate key '{clip(key)}'", key)
        mapping[key] = value
    return mapping


def _json_number(kind: type) -> Any:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise _JSONRefusal(f"a number of {len(text):,} characters; at most {MAX_NUMBER_CHARS} are read")
        return kind(text)

    return parse


def _json_constant(name: str) -> Any:
    raise _JSONRefusal(f"{name} is not JSON; give a number")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_json_object, parse_int=_json_number(int), parse_float=_json_number(float), parse_constant=_json_constant
)


def _parse_json(text: str, where: str) -> Any:
    try:
        document = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise YAMLProblem(
            Problem(f"{where}:{exc.lineno}", f"not valid JSON: {exc.msg} (column {exc.colno})", code="not_json")
        ) from None
    except _JSONRefusal as exc:
        message, *repeated = exc.args
        if repeated:
            _locate_duplicate(text, where)  # raises naming the field path and line
        raise YAMLProblem(Problem(where, f"not valid JSON: {message}", code="malformed")) from None
    except RecursionError:
        raise YAMLProblem(Problem(where, f"nested more than {MAX_DEPTH} levels deep", code="too_deep")) from None
    _check_depth(document, where)
    if isinstance(document, Located):
        document.source_text = text  # type: ignore[attr-defined]
    return document


def _check_depth(document: Any, where: str) -> None:
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise YAMLProblem(Problem(where, f"nested more than {MAX_DEPTH} levels deep", code="too_deep"))
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SKIPPER = json.JSONDecoder()


class _Repeated(Exception):
    pass


def _locate_duplicate(text: str, where: str) -> None:
    """Raise the repeated key's YAMLProblem with its field path and line (the error path only:
    the decoder's hook that found it cannot know where it is)."""

    def skip(index: int) -> int:
        return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]

    def walk(index: int, path: tuple[str, ...]) -> int:
        index = skip(index)
        opening = text[index]
        if opening not in "{[":
            return _SKIPPER.raw_decode(text, index)[1]
        closing = "}" if opening == "{" else "]"
        index = skip(index + 1)
        if text[index] == closing:
            return index + 1
        keys: set[str] = set()
        count = 0
        while True:
            if opening == "{":
                index = skip(index)
                key_at = index
                key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
                field = ".".join((*path, key))
                if key in keys:
                    line = text.count("\n", 0, key_at) + 1
                    raise _Repeated(
                        f"duplicate key '{clip(key)}' at {clip(field)} (the earlier value would be silently lost)", field, line
                    )
                keys.add(key)
                index = walk(skip(index) + 1, (*path, key))
            else:
                index = walk(index, (*path, str(count)))
                count += 1
            index = skip(index)
            if text[index] != ",":
                return index + 1
            index += 1

    try:
        walk(0, ())
    except _Repeated as found:
        message, field, line = found.args
        raise YAMLProblem(Problem(f"{where}:{line}", message, code="duplicate_key"), field=field) from None
    except (ValueError, IndexError, RecursionError):
        pass
    raise YAMLProblem(Problem(where, "a repeated key (the earlier value would be silently lost)", code="duplicate_key"))


def _json_line(text: str, loc: tuple[Any, ...]) -> Optional[int]:
    """The line of the deepest key of `loc` in JSON text, following only that path (the values
    beside it are skipped by the C decoder): lines for an error message, found only when needed."""

    def skip(index: int) -> int:
        return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]

    line: Optional[int] = None
    index = skip(0)
    try:
        for part in loc:
            if text[index] == "{" and isinstance(part, str):
                index = skip(index + 1)
                while text[index] == '"':
                    key_at = index
                    key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
                    index = skip(skip(index) + 1)
                    if key == part:
                        line = text.count("\n", 0, key_at) + 1
                        break
                    index = skip(_SKIPPER.raw_decode(text, index)[1])
                    index = skip(index + 1) if text[index] == "," else index
                else:
                    return line
            elif text[index] == "[" and isinstance(part, int):
                index = skip(index + 1)
                for _ in range(part):
                    index = skip(_SKIPPER.raw_decode(text, index)[1])
                    if text[index] != ",":
                        return line
                    index = skip(index + 1)
                if text[index] == "]":
                    return line
                line = text.count("\n", 0, index) + 1
            else:
                return line
    except (ValueError, IndexError):
        pass
    return line


# --- bytes to text -------------------------------------------------------------------------------


def decode(raw: bytes, where: str) -> str:
    """UTF-8 text (a BOM is dropped), or a YAMLProblem saying where and what the bytes are."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(raw):
        raise YAMLProblem(Problem(where, "the file is not UTF-8: this looks like UTF-16; save it as UTF-8", code="encoding"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YAMLProblem(
            Problem(
                f"{where}:{line}",
                f"the file is not UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start:,} (line {line}) "
                "is not valid UTF-8; save the file as UTF-8",
                code="encoding",
            )
        ) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise YAMLProblem(Problem(f"{where}:{line}", f"a NUL byte on line {line}; the file must be plain text", code="encoding"))
    return text


def _looks_like_utf16(raw: bytes) -> bool:
    """Mostly-ASCII UTF-16 without a BOM: every other byte of the first few hundred is NUL."""
    head = raw[:400]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.6 * len(even) or odd.count(0) > 0.6 * len(odd)


# --- the reader ----------------------------------------------------------------------------------


def syntax_of(path: Union[Path, str]) -> Syntax:
    """JSON for a `.json` file; YAML otherwise (stdin included: JSON is also valid YAML)."""
    return "json" if str(path).lower().endswith(".json") else "yaml"


def parse_text(text: str, *, where: str, syntax: Syntax = "yaml") -> Any:
    """Parse YAML or JSON text, raising YAMLProblem naming `where` and the line."""
    if len(text) > MAX_INPUT_BYTES or len(text.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
        raise YAMLProblem(Problem(where, f"file is larger than {MAX_INPUT_BYTES // 1_000_000} MB", code="too_large"))
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise YAMLProblem(Problem(f"{where}:{line}", f"a NUL byte on line {line}; the input must be plain text", code="encoding"))
    if syntax == "json":
        return _parse_json(text, where)
    if text.lstrip()[:1] in ("{", "["):
        # JSON written in a YAML file: read by the JSON decoder when it is JSON (ten times faster
        # than libyaml's composer, with the same meaning); YAML flow style falls through.
        try:
            return _parse_json(text, where)
        except YAMLProblem as exc:
            if exc.problem.code != "not_json":
                raise
    lines = text.count("\n")
    if lines > MAX_YAML_LINES:
        # libyaml composes ~100,000 nodes a second into Python objects: a file this long would
        # take seconds to refuse. No situation or rule file comes near it.
        raise YAMLProblem(Problem(where, f"the file has {lines:,} lines; at most {MAX_YAML_LINES:,} are read", code="too_large"))
    return _parse_yaml(text, where)


def parse_bytes(raw: bytes, *, where: str, syntax: Syntax) -> Any:
    """Decode and parse: what every reader of files, bodies and lines calls."""
    if len(raw) > MAX_INPUT_BYTES:
        raise YAMLProblem(Problem(where, f"file is larger than {MAX_INPUT_BYTES // 1_000_000} MB", code="too_large"))
    return parse_text(decode(raw, where), where=where, syntax=syntax)


def read_bounded(path: Path, *, limit: int = MAX_INPUT_BYTES, regular_only: bool = True) -> bytes:
    """The bytes of a regular file (or stdin for `-`), reading at most `limit` + 1 of them.

    Anything else (a FIFO, which would block; a device such as /dev/zero; a directory; a dangling
    symlink or a symlink loop) is refused naming the path, unless `regular_only` is False (a
    quiz's answers may come down a pipe).
    """
    if str(path) == STDIN:
        raw = sys.stdin.buffer.read(limit + 1)
    elif regular_only:
        with open_regular(path) as handle:
            raw = handle.read(limit + 1)
    else:
        try:
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)
        except OSError as exc:
            raise YAMLProblem(Problem(str(path), f"cannot read file: {exc.strerror or exc}", code="unreadable")) from None
    if len(raw) > limit:
        raise YAMLProblem(Problem(str(path), f"file is larger than {limit // 1_000_000} MB", code="too_large"))
    return raw


def open_regular(path: Path) -> Any:
    """Open a regular file for reading in binary, or raise YAMLProblem naming the path."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise YAMLProblem(Problem(str(path), f"cannot read file: {exc.strerror or exc}", code="unreadable")) from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a directory" if stat.S_ISDIR(mode) else "a pipe" if stat.S_ISFIFO(mode) else "a device or socket"
        raise YAMLProblem(
            Problem(
                str(path),
                f"cannot read file: it is {kind}, not a regular file",
                code="unreadable",
                expected="a regular file, or - for stdin",
            )
        )
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def read_file(path: Path, *, syntax: Optional[Syntax] = None) -> Any:
    """Read and parse a YAML or JSON file (JSON when its name ends in .json)."""
    return parse_bytes(read_bounded(path), where=str(path), syntax=syntax or syntax_of(path))


def line_of(document: Any, loc: tuple[Any, ...]) -> Optional[int]:
    """The line of the deepest key of `loc` that the document has (None if unknown)."""
    text = getattr(document, "source_text", None)
    if text is not None:  # parsed as JSON: found in the text, on demand
        return _json_line(text, loc)
    line: Optional[int] = None
    current = document
    item_lines: list[int] = []
    for part in loc:
        if isinstance(current, Located) and str(part) in current:
            line = current.key_lines.get(str(part), line)
            item_lines = current.item_lines.get(str(part), [])
            current = current[str(part)]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            if part < len(item_lines):
                line = item_lines[part]  # a list item, a scalar one included
            item_lines = []
            current = current[part]
            if isinstance(current, Located):
                line = current.line
        else:
            break
    return line


def plain_document(value: Any) -> Any:
    """A parsed document as plain dicts and lists: the reader's mappings remember their lines,
    which JSON encoders and a fresh `yaml.safe_dump` do not need (or accept)."""
    if isinstance(value, dict):
        return {str(key): plain_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_document(item) for item in value]
    return value
