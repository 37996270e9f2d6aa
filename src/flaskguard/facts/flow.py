"""Function bodies as ordered statements: what the taint engine interprets.

The other facts are flow-insensitive (an assignment and its guards); taint needs order and
branches: a reassignment kills a value, one branch of an ``if`` may clean it, an ``abort()``
ends a path. This is that order, over :mod:`flaskguard.facts.ir` expressions, built in the
per-file stage with the rest of the facts so that the project stage never re-parses.

``match`` statements are lowered to ``if`` chains over ``subject == literal`` tests; ``try``
keeps its body and handlers as alternatives; ``with`` binds its targets to the context
expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flaskguard.facts.ir import Compact, Expr, Loc


class Stmt(Compact):
    __slots__ = ()

    loc: Loc  # every statement has one


Block = tuple[Stmt, ...]


@dataclass(frozen=True)
class AssignStmt(Stmt):
    """``targets = value`` (several targets for chains); ``op`` is set for ``x op= value``.

    Targets are Name, Attr, Subscript, or a Seq of targets for unpacking (a Starred element
    takes the rest)."""

    __slots__ = ("loc", "op", "targets", "value")
    targets: tuple[Expr, ...]
    value: Expr
    loc: Loc
    op: Optional[str]


@dataclass(frozen=True)
class EvalStmt(Stmt):
    """An expression evaluated for its effect (usually a call)."""

    __slots__ = ("loc", "value")
    value: Expr
    loc: Loc


@dataclass(frozen=True)
class ReturnStmt(Stmt):
    """``return value``, or ``yield value`` when ``is_yield`` (the function goes on)."""

    __slots__ = ("is_yield", "loc", "value")
    value: Optional[Expr]
    loc: Loc
    is_yield: bool


@dataclass(frozen=True)
class RaiseStmt(Stmt):
    __slots__ = ("loc",)
    loc: Loc


@dataclass(frozen=True)
class IfStmt(Stmt):
    __slots__ = ("body", "loc", "orelse", "test")
    test: Expr
    body: Block
    orelse: Block
    loc: Loc


@dataclass(frozen=True)
class LoopStmt(Stmt):
    """``for target in iterable`` (``target`` set) or ``while test`` (``target`` None)."""

    __slots__ = ("body", "head", "loc", "orelse", "target")
    target: Optional[Expr]
    head: Expr  # the iterable, or the ``while`` test
    body: Block
    orelse: Block
    loc: Loc


@dataclass(frozen=True)
class TryStmt(Stmt):
    __slots__ = ("body", "finalbody", "handlers", "loc", "orelse")
    body: Block
    handlers: tuple[tuple[Optional[str], Block], ...]  # (bound name, handler body)
    orelse: Block
    finalbody: Block
    loc: Loc


@dataclass(frozen=True)
class DeleteStmt(Stmt):
    __slots__ = ("loc", "targets")
    targets: tuple[Expr, ...]
    loc: Loc


@dataclass(frozen=True)
class BreakStmt(Stmt):
    """``break`` or ``continue``: the rest of the loop body does not run on this path."""

    __slots__ = ("loc",)
    loc: Loc
