"""Parse a condition with the standard library's `ast`, admitting only a small whitelist.

Nothing here evaluates anything: the tree is only inspected. Anything outside the whitelist
(attribute calls, subscripts, lambdas, arithmetic, f-strings, ...) is rejected with the
column where it starts.
"""

from __future__ import annotations

import ast

from ..errors import ConditionError

MAX_CONDITION_LENGTH = 2000

ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Eq,
    ast.NotEq,
    ast.In,
    ast.NotIn,
    ast.Attribute,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Call,
    ast.USub,
)

_DESCRIBE = {
    ast.BinOp: "arithmetic",
    ast.Subscript: "indexing",
    ast.Lambda: "lambda",
    ast.IfExp: "if-expressions",
    ast.JoinedStr: "f-strings",
    ast.GeneratorExp: "generator expressions",
    ast.ListComp: "comprehensions",
    ast.NamedExpr: "assignment",
    ast.Starred: "starred arguments",
    ast.Dict: "dictionaries",
    ast.Set: "sets",
    ast.Is: "'is' (use ==)",
    ast.IsNot: "'is not' (use !=)",
}


def parse(text: str) -> ast.Expression:
    """Parse `text` as one whitelisted expression, or raise ConditionError."""
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("a condition must be a non-empty expression", str(text))
    if len(text) > MAX_CONDITION_LENGTH:
        raise ConditionError(f"a condition may be at most {MAX_CONDITION_LENGTH} characters", text[:80] + "...")
    source = " ".join(text.split())
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = (exc.offset - 1) if exc.offset else None
        raise ConditionError(f"not a valid expression ({exc.msg})", source, col=col) from None
    for node in ast.walk(tree):
        if not isinstance(node, ALLOWED_NODES):
            what = _DESCRIBE.get(type(node), type(node).__name__)
            raise ConditionError(f"{what} not allowed in a condition", source, col=getattr(node, "col_offset", None))
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and not (
                isinstance(node.operand, ast.Constant)
                and isinstance(node.operand.value, (int, float))
                and not isinstance(node.operand.value, bool)
            )
        ):
            raise ConditionError("minus is only allowed before a number", source, col=node.col_offset)
        if isinstance(node, ast.Call) and (node.keywords or not isinstance(node.func, ast.Name)):
            raise ConditionError("only the quantifiers and count(...) may be called", source, col=node.col_offset)
    return tree
