"""A small, picklable expression language: what the analyses need of Python expressions.

Facts store expressions in this form rather than as ``ast`` nodes: it is compact, immutable,
hashable, and keeps only what constant evaluation and object resolution read. Anything the
analyses cannot use becomes :data:`UNKNOWN`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, Optional, Union

ConstValue = Union[str, bytes, int, float, complex, bool, None]


class Compact:
    """Pickles a frozen dataclass as its constructor arguments.

    Facts cross process boundaries by the hundred thousand; the default dataclass pickling
    (class reference plus a field dictionary per object) made unpickling in the main
    process the slowest part of a scan.
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in field_names(self))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(node: object) -> tuple[str, ...]:
    """The field names of a dataclass instance (facts are), looked up once per class."""
    names = _FIELD_NAMES.get(type(node))
    if names is None:
        names = tuple(f.name for f in fields(node))  # type: ignore[arg-type]
        _FIELD_NAMES[type(node)] = names
    return names


def names_in(node: object) -> Iterator[str]:
    """Every ``Name`` anywhere in a facts object: an expression, a statement, a function's
    facts with its body, or tuples of them."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name):
            yield item.id
        elif isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, Compact):
            stack.extend(getattr(item, name) for name in field_names(item))


class Expr(Compact):
    """Base of every expression node."""

    __slots__ = ()


@dataclass(frozen=True)
class Unknown(Expr):
    __slots__ = ()
    pass


UNKNOWN = Unknown()


@dataclass(frozen=True)
class Const(Expr):
    __slots__ = ("value",)
    value: ConstValue


@dataclass(frozen=True)
class Name(Expr):
    __slots__ = ("id",)
    id: str


@dataclass(frozen=True)
class Attr(Expr):
    __slots__ = ("attr", "value")
    value: Expr
    attr: str


@dataclass(frozen=True)
class Loc(Compact):
    """1-based lines, 1-based code-point columns, end exclusive."""

    __slots__ = ("col", "end_col", "end_line", "line")

    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True)
class Call(Expr):
    __slots__ = ("args", "func", "kwarg_locs", "kwargs", "loc")
    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[tuple[Optional[str], Expr], ...]  # None name: ``**mapping``
    loc: Loc
    # One per keyword argument (``name=value`` or ``**mapping``): findings about a keyword of a
    # multi-line call point at the keyword's own line.
    kwarg_locs: tuple[Loc, ...]

    def keyword(self, name: str) -> Optional[Expr]:
        for key, value in self.kwargs:
            if key == name:
                return value
        return None

    def keyword_loc(self, name: str) -> Optional[Loc]:
        """Where ``name=...`` is written, when the facts recorded it."""
        for (key, _), loc in zip(self.kwargs, self.kwarg_locs):
            if key == name:
                return loc
        return None

    def argument(self, position: Optional[int], name: str) -> Optional[Expr]:
        """The expression passed for a parameter, by keyword or by position."""
        by_name = self.keyword(name)
        if by_name is not None:
            return by_name
        if position is not None and position < len(self.args):
            candidate = self.args[position]
            if not any(isinstance(a, Starred) for a in self.args[: position + 1]):
                return candidate
        return None

    @property
    def has_star_kwargs(self) -> bool:
        return any(key is None for key, _ in self.kwargs)


@dataclass(frozen=True)
class Subscript(Expr):
    __slots__ = ("index", "value")
    value: Expr
    index: Expr


@dataclass(frozen=True)
class BinOp(Expr):
    __slots__ = ("left", "op", "right")
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class UnaryOp(Expr):
    __slots__ = ("op", "operand")
    op: str
    operand: Expr


@dataclass(frozen=True)
class BoolOp(Expr):
    __slots__ = ("op", "values")
    op: str  # "and" | "or"
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare(Expr):
    __slots__ = ("comparators", "left", "ops")
    left: Expr
    ops: tuple[str, ...]
    comparators: tuple[Expr, ...]


@dataclass(frozen=True)
class IfExp(Expr):
    __slots__ = ("body", "orelse", "test")
    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True)
class Seq(Expr):
    __slots__ = ("elts", "kind")
    kind: str  # "tuple" | "list" | "set"
    elts: tuple[Expr, ...]


@dataclass(frozen=True)
class DictExpr(Expr):
    __slots__ = ("keys", "values")
    keys: tuple[Optional[Expr], ...]  # None key: ``**mapping``
    values: tuple[Expr, ...]


@dataclass(frozen=True)
class FString(Expr):
    __slots__ = ("parts",)
    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class Starred(Expr):
    __slots__ = ("value",)
    value: Expr


@dataclass(frozen=True)
class Element(Expr):
    """Each element of an iterable, one at a time: the value of a ``for`` loop's target."""

    __slots__ = ("iterable",)

    iterable: Expr


@dataclass(frozen=True)
class Lambda(Expr):
    __slots__ = ("body", "params")
    params: tuple[str, ...]
    body: Expr


@dataclass(frozen=True)
class Comprehension(Expr):
    """``[elt for target in iterable if condition ...]``; ``key`` is set for dict comprehensions."""

    __slots__ = ("conditions", "elt", "generators", "key", "kind")
    kind: str  # "list" | "set" | "dict" | "generator"
    elt: Expr
    key: Optional[Expr]
    generators: tuple[tuple[Expr, Expr], ...]  # (target, iterable), outermost first
    conditions: tuple[Expr, ...]


@dataclass(frozen=True)
class Converted(Expr):
    """An f-string replacement field with a conversion or format spec (``{x!r}``, ``{x:>8}``):
    text derived from ``value`` that constant evaluation does not reproduce."""

    __slots__ = ("value",)
    value: Expr


def dotted_name(expr: Expr) -> Optional[str]:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    node = expr
    while isinstance(node, Attr):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
