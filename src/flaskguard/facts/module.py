"""Per-module facts: everything the project model needs to know about one Python file.

Facts depend on the file alone, so they can be computed in worker processes and cached by
content hash. They are plain frozen dataclasses over :mod:`flaskguard.facts.ir` expressions.

Every statement-level fact records its *scope* (``""`` for module level, else the qualified
name of the enclosing function) and its *guards*: the ``if``/``while`` tests that enclose it
within that scope, so that the execution-context analysis can decide later, with project-wide
constant evaluation, whether it runs at import, only under ``__main__``, or never.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flaskguard.facts.flow import Block
from flaskguard.facts.ir import Call, Compact, Expr, Loc


@dataclass(frozen=True)
class Guard(Compact):
    __slots__ = ("branch", "test")
    test: Expr
    branch: bool  # True: the statement is in the body; False: in the ``else``


@dataclass(frozen=True)
class StatementRef(Compact):
    """Where a statement is: for suppressions (its first line, decorators included) and fixes."""

    __slots__ = ("code", "first_line", "loc")

    loc: Loc
    first_line: int
    code: str  # normalised source of the statement (``ast.unparse``), for fingerprints


@dataclass(frozen=True)
class CallSite(Compact):
    __slots__ = (
        "call",
        "class_qualname",
        "guards",
        "is_expression_statement",
        "scope",
        "statement",
        "top_statement",
    )
    call: Call
    scope: str
    guards: tuple[Guard, ...]
    statement: StatementRef  # innermost simple statement containing the call
    top_statement: StatementRef  # the scope-level statement that contains it
    is_expression_statement: bool  # the call is the whole statement (its value is unused)
    class_qualname: Optional[str]  # set for calls in a class body (they run with the class)


@dataclass(frozen=True)
class Assignment(Compact):
    __slots__ = ("augmented", "guards", "loc", "scope", "statement", "target", "value")
    target: Expr  # Name, Attr or Subscript
    value: Expr
    loc: Loc
    scope: str
    guards: tuple[Guard, ...]
    statement: StatementRef
    augmented: bool


@dataclass(frozen=True)
class ImportBinding(Compact):
    __slots__ = ("attr", "guards", "level", "loc", "module", "name", "scope")
    name: str  # the local name bound
    module: str  # as written, without leading dots
    attr: Optional[str]  # for ``from module import attr``; "*" for star imports
    level: int  # leading dots of a relative import
    loc: Loc
    scope: str
    guards: tuple[Guard, ...]


@dataclass(frozen=True)
class Parameter(Compact):
    __slots__ = ("default", "kind", "name")
    name: str
    kind: str  # "positional" | "keyword" | "varargs" | "varkw"
    default: Optional[Expr]


@dataclass(frozen=True)
class FunctionFacts(Compact):
    __slots__ = (
        "body",
        "class_qualname",
        "decorator_locs",
        "decorators",
        "global_names",
        "is_async",
        "loc",
        "name",
        "params",
        "qualname",
        "returns",
        "scope",
    )
    qualname: str
    name: str
    scope: str  # where it is defined
    loc: Loc
    params: tuple[Parameter, ...]
    returns: tuple[Expr, ...]
    decorators: tuple[Expr, ...]
    class_qualname: Optional[str]  # set for methods
    global_names: tuple[str, ...]
    is_async: bool
    decorator_locs: tuple[Loc, ...]  # one per decorator, top to bottom
    body: Block  # the statements, in order, for the taint engine


@dataclass(frozen=True)
class ClassFacts(Compact):
    __slots__ = (
        "attributes",
        "bases",
        "decorator_locs",
        "decorators",
        "loc",
        "methods",
        "name",
        "qualname",
        "scope",
    )
    qualname: str
    name: str
    scope: str
    loc: Loc
    bases: tuple[Expr, ...]
    attributes: tuple[tuple[str, Expr, Loc], ...]  # class-body assignments, in order
    methods: tuple[str, ...]
    decorators: tuple[Expr, ...]
    decorator_locs: tuple[Loc, ...]


@dataclass(frozen=True)
class Suppression(Compact):
    __slots__ = ("line", "reason", "rule_ids")
    line: int
    rule_ids: Optional[tuple[str, ...]]  # None: a bare ``ignore`` (every rule)
    reason: Optional[str]


@dataclass(frozen=True)
class ModuleFacts(Compact):
    __slots__ = (
        "assignments",
        "calls",
        "classes",
        "functions",
        "imports",
        "is_main_module",
        "is_package",
        "module_name",
        "path",
        "suppressions",
    )
    path: str  # relative to the project root, forward slashes
    module_name: str
    is_package: bool  # an ``__init__.py``
    is_main_module: bool  # a ``__main__.py``: its code runs as ``__main__`` only
    imports: tuple[ImportBinding, ...]
    functions: tuple[FunctionFacts, ...]
    classes: tuple[ClassFacts, ...]
    calls: tuple[CallSite, ...]
    assignments: tuple[Assignment, ...]
    suppressions: tuple[Suppression, ...]
