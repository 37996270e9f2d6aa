"""Fixes: from a rule's fix *plan* to text edits, and applying edits safely.

Rules decide what should change from the model alone and attach a plan (guard this
top-level statement; drop this keyword argument). This stage turns a plan into edits on the
file's original text — keeping comments, indentation style, line endings and multi-line
strings intact — or explains why no edit is provably safe. Applying edits checks that they
do not overlap and that the result still parses; writing is atomic.
"""

from __future__ import annotations

import ast
import io
import os
import re
import tempfile
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from flaskguard.findings import Edit, Fix, Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class GuardPlan:
    """Put the top-level statement starting on ``line`` under ``if __name__ == "__main__":``."""

    line: int


@dataclass(frozen=True)
class RemoveKeywordPlan:
    """Drop ``keyword=...`` from the call that starts at (``line``, ``column``)."""

    line: int
    column: int
    keyword: str
    description: str


@dataclass(frozen=True)
class ReplaceKeywordPlan:
    """Replace the value of ``keyword=...`` in the call at (``line``, ``column``)."""

    line: int
    column: int
    keyword: str
    replacement: str
    description: str


@dataclass(frozen=True)
class ReplacePinPlan:
    """Raise the exact pin ``==old`` in the requirement on ``line`` (columns) to ``new``."""

    line: int
    column: int
    end_column: int
    old: str
    new: str


@dataclass(frozen=True)
class ReplaceLiteralPlan:
    """Replace the literal ``value`` by ``replacement`` in the statement that contains
    (``line``, ``column``): the first such literal at or after that point. ``import_module``
    is imported at the top of the file when the file does not import it yet."""

    line: int
    column: int
    value: Union[str, bytes] = field(repr=False)  # often a secret: kept out of reprs and logs
    replacement: str
    import_module: Optional[str]
    description: str


@dataclass(frozen=True)
class SetKeywordsPlan:
    """Make the call at (``line``, ``column``) pass each ``(keyword, position, code)``: an
    argument given by keyword (or at ``position``) gets ``code`` as its value, a missing one
    is added after the last argument."""

    line: int
    column: int
    keywords: tuple[tuple[str, Optional[int], str], ...]
    description: str


@dataclass(frozen=True)
class MoveDecoratorPlan:
    """Move the decorator whose expression starts at (``line``, ``column``) to just below
    the decorator whose expression starts at (``below_line``, ``below_column``), in the same
    decorator list; only when every decorator of that list has lines of its own."""

    line: int
    column: int
    below_line: int
    below_column: int
    description: str


FixPlan = Union[
    GuardPlan,
    MoveDecoratorPlan,
    RemoveKeywordPlan,
    ReplaceKeywordPlan,
    ReplacePinPlan,
    ReplaceLiteralPlan,
    SetKeywordsPlan,
]
FIX_PLAN_TYPES = (
    GuardPlan,
    MoveDecoratorPlan,
    RemoveKeywordPlan,
    ReplaceKeywordPlan,
    ReplacePinPlan,
    ReplaceLiteralPlan,
    SetKeywordsPlan,
)


class NoFix(Exception):
    """No edit is provably safe; the message says why."""


# -- plans to edits -------------------------------------------------------------------------


def materialise(plan: FixPlan, text: str) -> Fix:
    """The edits that carry out ``plan`` on ``text``; raises :class:`NoFix` when unsafe."""
    source = _Source(text)
    if isinstance(plan, ReplacePinPlan):
        return _replace_pin(plan, source)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise NoFix(f"the file does not parse ({error.__class__.__name__})") from None
    if isinstance(plan, GuardPlan):
        return _guard(plan, tree, source)
    if isinstance(plan, ReplaceLiteralPlan):
        return _replace_literal(plan, tree, source)
    if isinstance(plan, MoveDecoratorPlan):
        return _move_decorator(plan, tree, source)
    call = _find_call(tree, source, plan.line, plan.column)
    if isinstance(plan, SetKeywordsPlan):
        return _set_keywords(plan, call, source)
    keyword = next((k for k in call.keywords if k.arg == plan.keyword), None)
    if keyword is None:
        raise NoFix(f"the call has no {plan.keyword}= argument")
    if isinstance(plan, RemoveKeywordPlan):
        return Fix("unsafe", plan.description, (_remove_keyword(call, keyword, source),))
    value = keyword.value
    span = source.span(value.lineno, value.col_offset, value.end_lineno, value.end_col_offset)
    return Fix("unsafe", plan.description, (Edit(span, plan.replacement),))


def _move_decorator(plan: MoveDecoratorPlan, tree: ast.Module, source: _Source) -> Fix:
    definitions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    for node in ast.walk(tree):
        if not isinstance(node, definitions) or not node.decorator_list:
            continue
        starts = [source.span(d.lineno, d.col_offset, None, None) for d in node.decorator_list]
        positions = [(s.start_line, s.start_column) for s in starts]
        if (plan.line, plan.column) not in positions:
            continue
        if (plan.below_line, plan.below_column) not in positions:
            raise NoFix("the route decorator is not in the same decorator list")
        blocks = _decorator_blocks(node, source)
        moved = positions.index((plan.line, plan.column))
        target = positions.index((plan.below_line, plan.below_column))
        if moved >= target:
            raise NoFix("the decorator is already below the route decorator")
        order = [i for i in range(len(blocks)) if i != moved]
        order.insert(order.index(target) + 1, moved)
        first, last = node.decorator_list[0].lineno, node.lineno - 1
        text = "".join(blocks[i] for i in order)
        span = Span(first, 1, last, len(source.lines[last - 1]) + 1)
        return Fix("unsafe", plan.description, (Edit(span, text.rstrip("\r\n")),))
    raise NoFix("the decorator was not found")


def _decorator_blocks(
    node: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef], source: _Source
) -> list[str]:
    """The source lines of each decorator (newline included), when each has lines of its own
    and together they fill every line between the first decorator and the definition."""
    blocks: list[str] = []
    expected = node.decorator_list[0].lineno
    for decorator in node.decorator_list:
        first, last = decorator.lineno, decorator.end_lineno or decorator.lineno
        if first != expected:
            raise NoFix("comments or blank lines sit between the decorators")
        if not source.lines[first - 1].lstrip().startswith("@"):
            raise NoFix("a decorator shares its line with another")
        tail = source.lines[last - 1].encode("utf-8")[decorator.end_col_offset or 0 :]
        if tail.decode("utf-8", "replace").strip():
            raise NoFix("a decorator line holds more than the decorator")
        blocks.append("".join(line + source.newline for line in source.lines[first - 1 : last]))
        expected = last + 1
    if expected != node.lineno:
        raise NoFix("comments or blank lines sit between the decorators and the definition")
    return blocks


def _replace_pin(plan: ReplacePinPlan, source: _Source) -> Fix:
    line = source.lines[plan.line - 1] if 0 < plan.line <= len(source.lines) else ""
    requirement = line[plan.column - 1 : plan.end_column - 1]
    match = re.search(r"===?\s*" + re.escape(plan.old) + r"(?![\w.])", requirement)
    if match is None:
        raise NoFix(f"the pin =={plan.old} was not found on the line")
    version_start = plan.column + match.end() - len(plan.old)
    span = Span(plan.line, version_start, plan.line, version_start + len(plan.old))
    return Fix("unsafe", f"Raise the pin from {plan.old} to {plan.new}.", (Edit(span, plan.new),))


class _Source:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _LINE_BREAK.split(text)
        match = _LINE_BREAK.search(text)
        self.newline = match.group(0) if match else "\n"
        self.indent = _indent_unit(text)

    def column(self, line: int, byte_offset: int) -> int:
        """1-based code-point column of an ``ast`` byte offset."""
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(source.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def span(
        self, line: int, byte_col: int, end_line: Optional[int], end_byte_col: Optional[int]
    ) -> Span:
        end_line = end_line or line
        end = end_byte_col if end_byte_col is not None else byte_col
        return Span(line, self.column(line, byte_col), end_line, self.column(end_line, end))

    def segment(self, span: Span) -> str:
        starts = _line_starts(self.text)
        start = _offset(starts, span.start_line, span.start_column)
        end = _offset(starts, span.end_line, span.end_column)
        return self.text[start:end]


def _indent_unit(text: str) -> str:
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.INDENT:
                return token.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return "    "


def _string_continuation_lines(text: str) -> set[int]:
    """Lines that begin inside a multi-line string: indenting them would change the string."""
    lines: set[int] = set()
    open_fstrings: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            name = tokenize.tok_name.get(token.type, "")
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                lines.update(range(token.start[0] + 1, token.end[0] + 1))
            elif name == "FSTRING_START":
                open_fstrings.append(token.start[0])
            elif name == "FSTRING_END" and open_fstrings:
                start = open_fstrings.pop()
                if token.end[0] > start:
                    lines.update(range(start + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines


def is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    if len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    consts = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return len(names) == 1 and len(consts) == 1


def _bound_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
            names.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(child.name)
        elif isinstance(child, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in child.names)
        elif isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
        elif isinstance(child, (ast.Global, ast.Nonlocal)):
            names.update(child.names)
    return names


def _used_names(node: ast.AST) -> set[str]:
    return {c.id for c in ast.walk(node) if isinstance(c, ast.Name) and isinstance(c.ctx, ast.Load)}


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno, *(d.lineno for d in decorators)])


def _guard(plan: GuardPlan, tree: ast.Module, source: _Source) -> Fix:
    body = tree.body
    index = next((i for i, s in enumerate(body) if s.lineno == plan.line), None)
    if index is None:
        raise NoFix("the statement to guard is not at the top level of the module")
    statement = body[index]
    if isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
        raise NoFix(
            "the call runs in a top-level loop; guarding the loop could skip other work it does"
        )
    if isinstance(statement, ast.ClassDef):
        raise NoFix(
            "the call runs in a class body; move it out of the class, under a __main__ guard"
        )
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        raise NoFix("the call runs in a decorator or default argument of a function definition")
    if not isinstance(statement, (ast.Expr, ast.If, ast.Try, ast.With, ast.AsyncWith)) and not (
        type(statement).__name__ == "TryStar"
    ):
        raise NoFix(
            "the statement's value is used (an assignment that a WSGI server may import); "
            "guard the development-server call where it is made instead"
        )
    if not isinstance(statement, ast.Expr):
        bound = _bound_names(statement)
        if bound:
            names = ", ".join(sorted(bound)[:3])
            raise NoFix(f"the block also defines {names}, which importers of the module may need")
    start = _first_line(statement)
    end = statement.end_lineno or statement.lineno
    previous_end = body[index - 1].end_lineno if index > 0 else 0
    following = body[index + 1].lineno if index + 1 < len(body) else None
    if (previous_end or 0) >= start or (following is not None and following <= end):
        raise NoFix("another statement shares a line with it")
    first_text = source.lines[start - 1]
    if first_text[: source.column(start, statement.col_offset) - 1].strip():
        raise NoFix("another statement shares a line with it")
    keep = _string_continuation_lines(source.text)

    existing = _existing_guard(body, index, statement) if isinstance(statement, ast.Expr) else None
    if existing is not None:
        try:
            return _move_into_guard(start, end, existing, source, keep)
        except NoFix:
            pass
    lines = source.lines[start - 1 : end]
    indented = [
        line if (start + offset) in keep or not line.strip() else source.indent + line
        for offset, line in enumerate(lines)
    ]
    content = source.newline.join(['if __name__ == "__main__":', *indented])
    span = Span(start, 1, end, len(source.lines[end - 1]) + 1)
    return Fix(
        "safe",
        'Wrap the statement in `if __name__ == "__main__":` so that importing the module does '
        "not start the development server.",
        (Edit(span, content),),
    )


def _existing_guard(body: list[ast.stmt], index: int, statement: ast.stmt) -> Optional[ast.If]:
    """A later top-level guard the statement can move into without changing what it uses."""
    used = _used_names(statement)
    for later in body[index + 1 :]:
        if is_main_guard(later) and isinstance(later, ast.If):
            return later
        if _bound_names(later) & used:
            return None
    return None


def _move_into_guard(start: int, end: int, guard: ast.If, source: _Source, keep: set[int]) -> Fix:
    first = guard.body[0]
    target_line = _first_line(first)
    target_indent = source.lines[first.lineno - 1][
        : source.column(first.lineno, first.col_offset) - 1
    ]
    if target_indent.strip():
        raise NoFix("the existing __main__ guard has its body on the same line")
    moved = [
        line if (start + offset) in keep or not line.strip() else target_indent + line
        for offset, line in enumerate(source.lines[start - 1 : end])
    ]
    if end < len(source.lines):
        removal = Edit(Span(start, 1, end + 1, 1), "")
    else:
        previous = source.lines[start - 2] if start > 1 else ""
        removal = Edit(
            Span(max(start - 1, 1), len(previous) + 1, end, len(source.lines[end - 1]) + 1), ""
        )
    insertion = Edit(
        Span(target_line, 1, target_line, 1), source.newline.join(moved) + source.newline
    )
    return Fix(
        "safe",
        'Move the statement into the existing `if __name__ == "__main__":` block so that '
        "importing the module does not start the development server.",
        (removal, insertion),
    )


def _find_call(tree: ast.Module, source: _Source, line: int, column: int) -> ast.Call:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and node.lineno == line
            and source.column(line, node.col_offset) == column
        ):
            return node
    raise NoFix("the call was not found in the file")


def _remove_keyword(call: ast.Call, keyword: ast.keyword, source: _Source) -> Edit:
    arguments: list[ast.AST] = [*call.args, *call.keywords]
    arguments.sort(key=lambda n: (n.lineno, n.col_offset))  # type: ignore[attr-defined]
    position = arguments.index(keyword)
    k_start = (keyword.lineno, keyword.col_offset)
    k_end = (keyword.end_lineno or keyword.lineno, keyword.end_col_offset or 0)
    if position > 0:
        before = arguments[position - 1]
        start = (before.end_lineno, before.end_col_offset)  # type: ignore[attr-defined]
        end = k_end
    elif position + 1 < len(arguments):
        after = arguments[position + 1]
        start = k_start
        end = (after.lineno, after.col_offset)  # type: ignore[attr-defined]
    else:
        # The only argument: empty the parentheses, trailing comma and line breaks included.
        func = call.func
        start = (func.end_lineno or func.lineno, (func.end_col_offset or 0) + 1)
        end = (call.end_lineno or call.lineno, (call.end_col_offset or 1) - 1)
    span = source.span(start[0], start[1], end[0], end[1])
    if "#" in source.segment(span):
        raise NoFix("a comment sits next to the argument")
    return Edit(span, "")


def _position(node: ast.AST, source: _Source) -> tuple[int, int]:
    line: int = node.lineno  # type: ignore[attr-defined]
    return line, source.column(line, node.col_offset)  # type: ignore[attr-defined]


def _end_position(node: ast.AST, source: _Source) -> tuple[int, int]:
    line: int = node.end_lineno or node.lineno  # type: ignore[attr-defined]
    return line, source.column(line, node.end_col_offset or 0)  # type: ignore[attr-defined]


def _node_span(node: ast.AST, source: _Source) -> Span:
    start, end = _position(node, source), _end_position(node, source)
    return Span(start[0], start[1], end[0], end[1])


def _innermost_statement(
    tree: ast.Module, source: _Source, line: int, column: int
) -> Optional[ast.stmt]:
    containing = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt)
        and _position(node, source) <= (line, column) < _end_position(node, source)
    ]
    # Nested statements start after the ones containing them: the innermost starts last.
    return max(containing, key=lambda node: _position(node, source), default=None)


def _replace_literal(plan: ReplaceLiteralPlan, tree: ast.Module, source: _Source) -> Fix:
    statement = _innermost_statement(tree, source, plan.line, plan.column)
    if statement is None:
        raise NoFix("the statement was not found in the file")
    in_fstrings = {
        id(inner)
        for node in ast.walk(statement)
        if isinstance(node, ast.JoinedStr)
        for inner in ast.walk(node)
    }
    literals = sorted(
        (
            node
            for node in ast.walk(statement)
            if isinstance(node, ast.Constant)
            and type(node.value) is type(plan.value)
            and node.value == plan.value
            and id(node) not in in_fstrings
        ),
        key=lambda node: _position(node, source),
    )
    literal = next((n for n in literals if _position(n, source) >= (plan.line, plan.column)), None)
    if literal is None:
        raise NoFix("the literal was not found where the finding points")
    edits = [Edit(_node_span(literal, source), plan.replacement)]
    module = plan.import_module
    if module is not None and not _imports(tree, module, literal.lineno):
        edits.insert(0, _import_edit(tree, source, module))
    return Fix("unsafe", plan.description, tuple(edits))


def _imports(tree: ast.Module, module: str, before_line: int) -> bool:
    """Whether a top-level ``import module`` binds the name before ``before_line``."""
    return any(
        isinstance(node, ast.Import)
        and node.lineno < before_line
        and any(
            alias.asname is None and (alias.name == module or alias.name.startswith(module + "."))
            for alias in node.names
        )
        for node in tree.body
    )


def _import_edit(tree: ast.Module, source: _Source, module: str) -> Edit:
    body = tree.body
    index = 0
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        index = 1
    while (
        index < len(body)
        and isinstance(body[index], ast.ImportFrom)
        and body[index].module == "__future__"  # type: ignore[attr-defined]
    ):
        index += 1
    if index >= len(body) or body[index].col_offset != 0:
        raise NoFix(f"there is no place for `import {module}` at the top of the file")
    line = _first_line(body[index])
    first = source.lines[line - 1][:1]
    if index > 0 and (body[index - 1].end_lineno or 0) >= line:
        raise NoFix("another statement shares a line with the first statement")
    # The edit replaces the statement's first character instead of inserting before it: two
    # fixes that both add the import then overlap, so one pass applies only one of them and
    # the next pass finds the import already there (insertions would duplicate it).
    return Edit(Span(line, 1, line, 2), f"import {module}{source.newline}{first}")


def _set_keywords(plan: SetKeywordsPlan, call: ast.Call, source: _Source) -> Fix:
    edits: list[Edit] = []
    missing: list[str] = []
    for name, position, code in plan.keywords:
        keyword = next((k for k in call.keywords if k.arg == name), None)
        node: Optional[ast.AST] = keyword.value if keyword is not None else None
        if (
            node is None
            and position is not None
            and position < len(call.args)
            and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1])
        ):
            node = call.args[position]
        if node is None:
            missing.append(f"{name}={code}")
        else:
            edits.append(Edit(_node_span(node, source), code))
    if missing:
        arguments: list[ast.AST] = [*call.args, *call.keywords]
        if not arguments:
            raise NoFix("the call has no arguments")
        last = max(arguments, key=lambda n: _end_position(n, source))
        end_line, end_column = _end_position(last, source)
        closing = _end_position(call, source)
        between = source.segment(Span(end_line, end_column, closing[0], closing[1] - 1))
        # Only commas, blanks and comments may separate the last argument from ``)``; anything
        # else (a parenthesised argument) would put the new keywords in the wrong place.
        if re.sub(r"#[^\r\n]*", "", between).replace(",", "").strip():
            raise NoFix("the end of the argument list has an unexpected shape")
        insertion = Span(end_line, end_column, end_line, end_column)
        edits.append(Edit(insertion, ", " + ", ".join(missing)))
    return Fix("unsafe", plan.description, tuple(edits))


# -- applying edits -------------------------------------------------------------------------


def _line_starts(text: str) -> list[int]:
    """Offset of the first character of every line (``\n``, ``\r\n`` and ``\r`` end lines)."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _offset(starts: Sequence[int], line: int, column: int) -> int:
    """Offset of a 1-based (line, code-point column) position, given :func:`_line_starts`."""
    return starts[min(line, len(starts)) - 1] + column - 1


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """Apply the edits that do not overlap an earlier one (insertions at one point all apply,
    in order); returns the text and what applied."""
    groups = [(edit,) for edit in edits]
    result, applied = apply_fixes(text, groups)
    return result, sorted(
        (groups[i][0] for i in applied),
        key=lambda e: (e.span.start_line, e.span.start_column),
    )


def apply_fixes(text: str, fixes: Sequence[Sequence[Edit]]) -> tuple[str, list[int]]:
    """Apply each fix's edits all together or not at all.

    A fix whose edits overlap an already accepted fix is left for a later pass: applying only
    part of a fix (a removal without its insertion) would lose code. Insertions at the same
    point are all kept, in the order of the fixes (two statements moved into one guard keep
    their order). Returns the new text and the indices of the fixes applied.
    """
    starts = _line_starts(text)
    accepted: list[tuple[int, int, int, Edit]] = []
    applied: list[int] = []

    def clashes(start: int, end: int) -> bool:
        for r_start, r_end, _, _ in accepted:
            if start < r_end and r_start < end:
                return True
            # An insertion where a replaced range starts is ambiguous; two insertions are not.
            if (start == end) != (r_start == r_end) and start == r_start:
                return True
        return False

    for index, edits in enumerate(fixes):
        ranges = [
            (
                _offset(starts, e.span.start_line, e.span.start_column),
                _offset(starts, e.span.end_line, e.span.end_column),
                index,
                e,
            )
            for e in edits
        ]
        if any(clashes(start, end) for start, end, _, _ in ranges):
            continue
        accepted.extend(ranges)
        applied.append(index)
    result = text
    for start, end, _, edit in sorted(accepted, key=lambda r: (r[0], r[1], r[2]), reverse=True):
        result = result[:start] + edit.content + result[end:]
    return result, applied


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path``'s content in one step, keeping its mode; a symlink stays a symlink."""
    target = Path(os.path.realpath(path))
    mode = target.stat().st_mode
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".flaskguard", dir=target.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
