"""What a value is *for*, read from the names around it: the shared engine of FG600 and FG601.

A weak hash or a `random` value is a weakness only when it protects something (a password, a
token, a key, a signature) and harmless as a cache key, a checksum or a dice roll. Nothing in
the call says which, but the names around its value do. :class:`PurposeFinder` collects them
as :class:`Clue` groups, nearest first:

1. where the value goes: the call, keyword, dict key or cookie it is passed to or under, the
   variable, attribute or subscript it is assigned to, and, for a plain local variable, the
   statements that use the variable until it is assigned again (one step, with the data later
   fed to it through ``.update()``);
2. what the rule adds about the value itself (FG600: the hashed data);
3. the enclosing function, then its class or outer function.

Names are compared word by word with the vocabularies of :mod:`flaskguard.knowledge.crypto`
(identifiers split at ``_`` and camelCase, adjacent words also joined, plurals folded), never
as substrings. :func:`judge` reads one clue: a benign word makes it a harmless use and a
security word a security use (in the hashed data a password or secret outweighs a benign
word); in strict mode ambiguous words (key, session, ...) alone say nothing. :func:`decide`
lets the nearest group that says anything decide, a security clue winning within a group;
when no clue says anything there is no verdict, and the rules report nothing.

Alongside are the helpers the crypto rules share: the canonical names an expression resolves
to, the calls of given external callables, whether code is dead, and a short rendering of an
expression for messages. The plain word splitter :func:`identifier_words` also serves the
Flask model and the rules that read route, decorator and cookie names.
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

from flaskguard.analysis.constants import ConstantEvaluator
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, CallSite, Guard, ModuleFacts
from flaskguard.knowledge import crypto
from flaskguard.model.objects import ExtRef, Instance, Member, ObjectResolver, canonical
from flaskguard.model.project import Frame, Project

# -- words --------------------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def identifier_words(text: str) -> list[str]:
    """Lowercase words of identifiers or text, in order: ``requires_admin_role`` -> requires,
    admin, role; camelCase is split too (``XSRFToken`` -> xsrf, token)."""
    return [word.lower() for word in _WORD.findall(text)]


def words_and_compounds(text: str) -> frozenset[str]:
    """The words of ``text`` and every two adjacent words joined (``api_key`` -> api, key,
    apikey), so that a compound matches the same vocabulary entry however it is written, and a
    qualified word (an API key) is told apart from the same word alone (a dict key)."""
    words = identifier_words(text)
    return frozenset((*words, *(a + b for a, b in zip(words, words[1:]))))


def vocabulary_hits(words: Collection[str], vocabulary: Collection[str]) -> list[str]:
    """The vocabulary entries among ``words``, plurals folded (``keys`` is ``key``)."""
    hits = set()
    for word in words:
        if word in vocabulary:
            hits.add(word)
        elif word.endswith("s") and word[:-1] in vocabulary:
            hits.add(word[:-1])
    return sorted(hits)


def expression_words(expr: ir.Expr) -> frozenset[str]:
    """Words of the names in an expression: variables, attributes, called functions and
    constant subscript keys (``request.form["password"]``); other strings are prose."""
    words: set[str] = set()
    for node in walk(expr):
        if isinstance(node, ir.Name):
            words |= words_and_compounds(node.id)
        elif isinstance(node, ir.Attr):
            words |= words_and_compounds(node.attr)
        elif isinstance(node, ir.Subscript) and isinstance(node.index, ir.Const):
            if isinstance(node.index.value, str):
                words |= words_and_compounds(node.index.value)
        elif isinstance(node, ir.Call):
            for keyword, _ in node.kwargs:
                words |= words_and_compounds(keyword or "")
    return frozenset(words)


# -- expressions --------------------------------------------------------------------------------


def walk(expr: ir.Expr) -> Iterator[ir.Expr]:
    """Every node of an expression tree, the root first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child, _ in _children(node))


@dataclass(frozen=True)
class _Step:
    """One edge from a parent expression to the child on the way to a value."""

    parent: ir.Expr
    role: str  # func, attr, arg, kw, container, index, dict-key, dict-value, operand
    index: int = -1
    keyword: Optional[str] = None
    key: Optional[ir.Expr] = None


def _children(node: ir.Expr) -> Iterator[tuple[ir.Expr, _Step]]:
    if isinstance(node, ir.Call):
        yield node.func, _Step(node, "func")
        for position, arg in enumerate(node.args):
            yield arg, _Step(node, "arg", index=position)
        for keyword, value in node.kwargs:
            yield value, _Step(node, "kw", keyword=keyword)
    elif isinstance(node, ir.Attr):
        yield node.value, _Step(node, "attr")
    elif isinstance(node, ir.Subscript):
        yield node.value, _Step(node, "container")
        yield node.index, _Step(node, "index")
    elif isinstance(node, ir.DictExpr):
        for key, value in zip(node.keys, node.values):
            if key is not None:
                yield key, _Step(node, "dict-key")
            yield value, _Step(node, "dict-value", key=key)
    elif isinstance(node, ir.BinOp):
        yield node.left, _Step(node, "operand")
        yield node.right, _Step(node, "operand")
    else:
        for part in _operands(node):
            yield part, _Step(node, "operand")


def _operands(node: ir.Expr) -> tuple[ir.Expr, ...]:
    if isinstance(node, ir.Seq):
        return node.elts
    if isinstance(node, ir.FString):
        return node.parts
    if isinstance(node, ir.BoolOp):
        return node.values
    if isinstance(node, ir.Compare):
        return (node.left, *node.comparators)
    if isinstance(node, ir.IfExp):
        return (node.test, node.body, node.orelse)
    if isinstance(node, ir.UnaryOp):
        return (node.operand,)
    if isinstance(node, ir.Starred):
        return (node.value,)
    if isinstance(node, ir.Element):
        return (node.iterable,)
    return ()


def find_path(root: ir.Expr, match: Callable[[ir.Expr], bool]) -> Optional[list[_Step]]:
    """The steps from ``root`` down to the first node that matches, or None."""
    if match(root):
        return []
    for child, step in _children(root):
        below = find_path(child, match)
        if below is not None:
            return [step, *below]
    return None


def _names(expr: ir.Expr) -> set[str]:
    return {node.id for node in walk(expr) if isinstance(node, ir.Name)}


def _call_at(loc: ir.Loc) -> Callable[[ir.Expr], bool]:
    return lambda e: isinstance(e, ir.Call) and e.loc == loc


def loc_contains(outer: ir.Loc, inner: ir.Loc) -> bool:
    starts_before = (outer.line, outer.col) <= (inner.line, inner.col)
    ends_after = (inner.end_line, inner.end_col) <= (outer.end_line, outer.end_col)
    return starts_before and ends_after


def render(expr: ir.Expr, limit: int = 60) -> str:
    """Short source-like text of an expression, for messages."""
    text = _render(expr, 0)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _render(expr: ir.Expr, depth: int) -> str:
    if depth > 6:
        return "…"
    d = depth + 1
    if isinstance(expr, ir.Name):
        return expr.id
    if isinstance(expr, ir.Attr):
        owner = _render(expr.value, d)
        return (
            f"({owner}).{expr.attr}" if isinstance(expr.value, ir.BinOp) else f"{owner}.{expr.attr}"
        )
    if isinstance(expr, ir.Const):
        return (
            repr(expr.value) if not isinstance(expr.value, str) or len(expr.value) < 30 else "'…'"
        )
    if isinstance(expr, ir.Call):
        inner = ", ".join(_render(a, d) for a in expr.args[:2])
        if len(expr.args) > 2 or expr.kwargs:
            inner = f"{inner}, …" if inner else "…"
        return f"{_render(expr.func, d)}({inner})"
    if isinstance(expr, ir.Subscript):
        return f"{_render(expr.value, d)}[{_render(expr.index, d)}]"
    if isinstance(expr, ir.BinOp):
        return f"{_render(expr.left, d)} {expr.op} {_render(expr.right, d)}"
    if isinstance(expr, ir.Compare):
        parts = [_render(expr.left, d)]
        for op, right in zip(expr.ops, expr.comparators):
            parts += [op, _render(right, d)]
        return " ".join(parts)
    if isinstance(expr, ir.IfExp):
        return f"{_render(expr.body, d)} if {_render(expr.test, d)} else {_render(expr.orelse, d)}"
    if isinstance(expr, ir.UnaryOp):
        operand = _render(expr.operand, d)
        return f"not {operand}" if expr.op == "not" else f"{expr.op}{operand}"
    if isinstance(expr, ir.BoolOp):
        return f" {expr.op} ".join(_render(v, d) for v in expr.values)
    if isinstance(expr, ir.FString):
        return "f'…'"
    return "…"


# -- external objects and dead code -------------------------------------------------------------


def resolved_names(resolver: ObjectResolver, expr: ir.Expr, frame: Frame) -> set[str]:
    """Canonical names of the external objects ``expr`` may be (instance methods as
    ``Class.method``)."""
    names = set()
    for value in resolver.infer(expr, frame):
        if isinstance(value, ExtRef):
            names.add(crypto.alias(canonical(value.name)))
        elif (
            isinstance(value, Member)
            and isinstance(value.instance, Instance)
            and isinstance(value.instance.cls, str)
        ):
            names.add(f"{crypto.alias(canonical(value.instance.cls))}.{value.name}")
    return names


def external_calls(
    resolver: ObjectResolver, names: Collection[str]
) -> Iterator[tuple[str, CallSite, Frame, str]]:
    """Every call of one of the external callables ``names`` (canonical names, after
    :data:`crypto.ALIASES`), with its frame and the name it resolved to."""
    wanted = set(names)
    spellings = {*wanted, *(k for k, v in crypto.ALIASES.items() if v in wanted)}
    for path, site, frame in resolver.candidate_calls(spellings):
        found = resolved_names(resolver, site.call.func, frame) & wanted
        if found:
            yield path, site, frame, min(found)


def is_dead(analysis: DevServerAnalysis, guards: tuple[Guard, ...], frame: Frame) -> bool:
    """Code that no world runs (``if False:``, ``if TYPE_CHECKING:``)."""
    context = analysis.context
    return (
        context.guard_reach(guards, frame) == Reach.NO
        and context.guard_reach(guards, frame.with_world("main")) == Reach.NO
    )


# -- clues and verdicts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Clue:
    """Names near a value, and how the message should describe where they were found."""

    words: frozenset[str]
    where: str
    kind: str = "usage"  # "usage" (where the value goes), "data" (what is hashed), "function"
    sink: str = ""  # "cookie" or "session" when the value is stored there


@dataclass(frozen=True)
class Verdict:
    security: bool  # False: a use where strength does not matter
    clue: Clue
    # "token" | "signature" | "password" | "key" | "auth", or "secret" (the hashed data holds
    # a secret); "" when benign
    category: str


def judge(clue: Clue, *, strict: bool) -> Optional[Verdict]:
    """What one clue says; None when its words say nothing. ``strict``: ambiguous security
    words (key, session, …) alone say nothing."""
    if clue.kind == "data":
        if vocabulary_hits(clue.words, crypto.SECRET_DATA_WORDS):
            password = bool(vocabulary_hits(clue.words, crypto.PASSWORD_WORDS))
            return Verdict(True, clue, "password" if password else "secret")
        if vocabulary_hits(clue.words, crypto.BENIGN_WORDS):
            return Verdict(False, clue, "")
        return None
    if vocabulary_hits(clue.words, crypto.BENIGN_WORDS):
        return Verdict(False, clue, "")
    found: list[str] = []
    category = ""
    for name, vocabulary in crypto.SECURITY_CATEGORIES:
        hits = vocabulary_hits(clue.words, vocabulary)
        if hits and not category:
            category = name
        found.extend(hits)
    if not found or (strict and all(w in crypto.AMBIGUOUS_WORDS for w in found)):
        return None
    return Verdict(True, clue, category)


def decide(groups: Sequence[Sequence[Clue]], strict: Callable[[Clue], bool]) -> Optional[Verdict]:
    """The nearest group that says anything decides; within a group, security wins."""
    for group in groups:
        verdicts = [v for v in (judge(c, strict=strict(c)) for c in group) if v is not None]
        if verdicts:
            return next((v for v in verdicts if v.security), verdicts[0])
    return None


# -- where a value goes -------------------------------------------------------------------------


K = TypeVar("K")
_Statements = tuple[tuple[Assignment, ...], tuple[CallSite, ...]]
_NO_STATEMENTS: _Statements = ((), ())


def statements_at(module: ModuleFacts) -> dict[tuple[str, ir.Loc], _Statements]:
    """A module's assignments and calls by (scope, location of their statement)."""
    return _grouped(module, lambda scope, expr, statement: [(scope, statement)])


def statements_using(module: ModuleFacts) -> dict[tuple[str, str], _Statements]:
    """A module's assignments and calls by (scope, a variable their expressions mention)."""
    return _grouped(module, lambda scope, expr, statement: [(scope, v) for v in _names(expr)])


def _grouped(
    module: ModuleFacts, keys: Callable[[str, ir.Expr, ir.Loc], list[K]]
) -> dict[K, _Statements]:
    assignments: dict[K, list[Assignment]] = {}
    calls: dict[K, list[CallSite]] = {}
    for assignment in module.assignments:
        for expr in (assignment.value, assignment.target):
            for key in keys(assignment.scope, expr, assignment.statement.loc):
                found = assignments.setdefault(key, [])
                if not found or found[-1] is not assignment:
                    found.append(assignment)
    for site in module.calls:
        for key in keys(site.scope, site.call, site.statement.loc):
            calls.setdefault(key, []).append(site)
    return {
        key: (tuple(assignments.get(key, ())), tuple(calls.get(key, ())))
        for key in assignments.keys() | calls.keys()
    }


@dataclass(frozen=True)
class _Use:
    """A statement that uses a variable: where the value goes from there, and data fed to it."""

    position: tuple[int, int]
    clues: list[Clue]
    fed: list[ir.Expr]


@dataclass(frozen=True)
class _Uses:
    positions: list[tuple[int, int]]  # of ``statements``, for bisection
    statements: list[_Use]  # in source order
    rebinds: list[tuple[int, int]]  # statements that assign the variable, in source order


def _position(loc: ir.Loc) -> tuple[int, int]:
    return (loc.line, loc.col)


@dataclass(frozen=True)
class Usage:
    groups: list[tuple[Clue, ...]]  # nearest first
    fed: list[ir.Expr]  # data later fed to the value (``h.update(data)``)


class PurposeFinder:
    """Where a call's value goes, and the clues the names on the way give about its purpose."""

    def __init__(self, project: Project, resolver: ObjectResolver, evaluator: ConstantEvaluator):
        self.project = project
        self.resolver = resolver
        self.evaluator = evaluator
        self._uses: dict[tuple[str, str, str], _Uses] = {}

    def _at(self, path: str, scope: str, statement: ir.Loc) -> _Statements:
        module = self.project.module(path)
        return self.project.view_entry(module, statements_at, (scope, statement)) or _NO_STATEMENTS

    def _using(self, path: str, scope: str, var: str) -> _Statements:
        module = self.project.module(path)
        return self.project.view_entry(module, statements_using, (scope, var)) or _NO_STATEMENTS

    # -- where the value goes -------------------------------------------------------------

    def usage(self, path: str, site: CallSite, frame: Frame) -> Usage:
        assignments_at, calls_at = self._at(path, site.scope, site.statement.loc)
        match = _call_at(site.call.loc)
        best: Optional[list[_Step]] = None
        best_target: Optional[ir.Expr] = None
        targets: list[ir.Expr] = []
        for assignment in assignments_at:
            targets.append(assignment.target)
            for root, target in ((assignment.value, assignment.target), (assignment.target, None)):
                steps = find_path(root, match)
                if steps is not None and (best is None or len(steps) > len(best)):
                    best, best_target = steps, target
        for name, value, loc in self._class_attributes(path, site):
            if (loc.line, loc.col) == (site.statement.loc.line, site.statement.loc.col):
                targets.append(ir.Name(name))
            steps = find_path(value, match)
            if steps is not None and (best is None or len(steps) > len(best)):
                best, best_target = steps, ir.Name(name)
        if best is None:
            for root in self._statement_roots(path, site):
                steps = find_path(root, match)
                if steps is not None and (best is None or len(steps) > len(best)):
                    best, best_target = steps, None
        groups: list[tuple[Clue, ...]] = []
        if best is not None:
            groups.extend((clue,) for clue in self._path_clues(best, frame))
            targets = [best_target] if best_target is not None else []
        else:
            # The call is inside an expression facts do not keep (a comprehension or generator):
            # the calls around it and the statement's targets still say where its value goes.
            around = [
                s for s in calls_at if s is not site and loc_contains(s.call.loc, site.call.loc)
            ]
            around.sort(key=lambda s: (s.call.loc.line, s.call.loc.col), reverse=True)
            for outer in around:
                clue = self._callee_clue(outer.call, None, frame)
                if clue is not None:
                    groups.append((clue,))
        for target in targets:
            groups.append((self._target_clue(target, frame),))
        fed: list[ir.Expr] = []
        if len(targets) == 1 and isinstance(targets[0], ir.Name) and site.class_qualname is None:
            flow, fed = self._flow(path, site.scope, targets[0].id, site.statement.loc, frame)
            if flow:
                groups.append(tuple(flow))
        return Usage(groups, fed)

    def _class_attributes(self, path: str, site: CallSite) -> list[tuple[str, ir.Expr, ir.Loc]]:
        if site.class_qualname is None:
            return []
        cls = self.project.cls(path, site.class_qualname)
        return list(cls.attributes) if cls is not None else []

    def _statement_roots(self, path: str, site: CallSite) -> list[ir.Expr]:
        roots: list[ir.Expr] = [
            s.call for s in self._at(path, site.scope, site.statement.loc)[1] if s is not site
        ]
        function = self.project.function(path, site.scope) if site.scope else None
        if function is not None and site.statement.code.startswith("return"):
            roots.extend(function.returns)
        return roots

    def _flow(
        self, path: str, scope: str, var: str, origin: ir.Loc, frame: Frame
    ) -> tuple[list[Clue], list[ir.Expr]]:
        """Clues from the uses of a local variable the value was assigned to (one step), and
        the data later fed to it with ``.update()``: the statements after the assignment, up
        to and including the next one that assigns the variable again."""
        key = (path, scope, var)
        uses = self._uses.get(key)
        if uses is None:
            uses = self._uses[key] = self._variable_uses(path, scope, var, frame)
        start = _position(origin)
        later = bisect.bisect_right(uses.rebinds, start)
        end = uses.rebinds[later] if later < len(uses.rebinds) else (sys.maxsize, 0)
        first = bisect.bisect_right(uses.positions, start)
        last = bisect.bisect_right(uses.positions, end)
        selected = uses.statements[first:last]
        return [c for s in selected for c in s.clues], [e for s in selected for e in s.fed]

    def _variable_uses(self, path: str, scope: str, var: str, frame: Frame) -> _Uses:
        """Every statement of ``scope`` that uses ``var``, in source order. Computed once per
        variable: many calls assign to the same name."""
        name = ir.Name(var)

        def is_var(e: ir.Expr) -> bool:
            return e == name

        found: list[_Use] = []
        rebinds: list[tuple[int, int]] = []
        handled: set[ir.Loc] = set()
        assignments_using, calls_using = self._using(path, scope, var)
        for assignment in assignments_using:
            if assignment.target == name:
                rebinds.append(_position(assignment.statement.loc))
            for root, target in ((assignment.value, assignment.target), (assignment.target, None)):
                steps = find_path(root, is_var)
                if not steps:
                    continue
                handled.add(assignment.statement.loc)
                clues = self._path_clues(steps, frame)
                if target is not None:
                    clues.append(self._target_clue(target, frame))
                found.append(_Use(_position(assignment.statement.loc), clues, []))
        statements: dict[ir.Loc, list[CallSite]] = {}
        for site in calls_using:
            func = site.call.func
            if isinstance(func, ir.Attr) and func.attr == "update" and func.value == name:
                found.append(_Use(_position(site.statement.loc), [], list(site.call.args)))
            if site.statement.loc not in handled:
                statements.setdefault(site.statement.loc, []).append(site)
        for loc, sites in statements.items():
            paths = [p for p in (find_path(s.call, is_var) for s in sites) if p]
            if paths:
                found.append(_Use(_position(loc), self._path_clues(max(paths, key=len), frame), []))
        found.sort(key=lambda use: use.position)
        return _Uses([u.position for u in found], found, sorted(rebinds))

    # -- clues ------------------------------------------------------------------------------

    def _path_clues(self, steps: list[_Step], frame: Frame) -> list[Clue]:
        """The clues along a path, nearest to the value first."""
        return [c for c in (self._step_clue(s, frame) for s in reversed(steps)) if c is not None]

    def _step_clue(self, step: _Step, frame: Frame) -> Optional[Clue]:
        parent = step.parent
        if isinstance(parent, ir.Call) and step.role in ("arg", "kw"):
            return self._callee_clue(parent, step, frame)
        if isinstance(parent, ir.Subscript) and step.role == "index":
            return Clue(
                expression_words(parent.value), f"used as a key of `{render(parent.value)}`"
            )
        if step.role == "dict-value" and step.key is not None:
            key = self._string(step.key, frame)
            if key:
                return Clue(words_and_compounds(key), f"stored under the key {key!r}")
            return None
        if step.role == "operand":
            texts = [
                p.value
                for p, _ in _children(parent)
                if isinstance(p, ir.Const) and isinstance(p.value, str) and p.value.strip()
            ]
            if texts:
                shown = " … ".join(t.strip() for t in texts)
                return Clue(words_and_compounds(" ".join(texts)), f"combined with {shown[:40]!r}")
        return None

    def _callee_clue(self, call: ir.Call, step: Optional[_Step], frame: Frame) -> Optional[Clue]:
        """The clue of a value passed to ``call`` (``step`` None: at an unknown position)."""
        func = call.func
        method = (
            func.attr if isinstance(func, ir.Attr) else func.id if isinstance(func, ir.Name) else ""
        )
        if method == "set_cookie":
            if step is not None and not (
                (step.role == "arg" and step.index == 1) or step.keyword == "value"
            ):
                return None
            cookie = self._string(call.argument(0, "key") or ir.UNKNOWN, frame)
            where = f"passed to set_cookie({cookie!r})" if cookie else "passed to set_cookie()"
            return Clue(words_and_compounds(cookie), where, sink="cookie")
        if (
            isinstance(func, ir.Attr)
            and method in ("update", "setdefault")
            and self.is_session(func.value, frame)
        ):
            keyword = step.keyword if step is not None and step.keyword else ""
            if method == "setdefault":
                keyword = self._string(call.argument(0, "key") or ir.UNKNOWN, frame)
            return Clue(
                words_and_compounds(keyword) | {"session"},
                f"stored in the Flask session{f' as {keyword!r}' if keyword else ''}",
                sink="session",
            )
        words = set(words_and_compounds(method))
        if method in ("sign", "verify"):
            # A call that signs or verifies with the value: "sign" alone is ambiguous as a
            # name (the sign of a number), not as the call.
            words.add("signature")
        passed_as = step.keyword if step is not None else None
        if passed_as:
            words |= words_and_compounds(passed_as)
        if isinstance(func, ir.Attr):
            receiver = func.value
            if isinstance(receiver, ir.Const) and isinstance(receiver.value, str):
                words |= words_and_compounds(receiver.value)
            else:
                # A receiver named ``cache`` says where the value goes; one named ``session``
                # may be a database session, so only benign receiver names count.
                receiver_words = expression_words(receiver)
                if vocabulary_hits(receiver_words, crypto.BENIGN_WORDS):
                    words |= receiver_words
        callee = ir.dotted_name(func) or method or "a call"
        where = (
            f"passed as `{passed_as}=` to `{callee}()`" if passed_as else f"passed to `{callee}()`"
        )
        return Clue(frozenset(words), where)

    def _target_clue(self, target: ir.Expr, frame: Frame) -> Clue:
        if isinstance(target, ir.Subscript):
            key = self._string(target.index, frame)
            words = words_and_compounds(key) | expression_words(target.value)
            shown = f"{render(target.value)}[{key!r}]" if key else render(target)
            sink = "session" if self.is_session(target.value, frame) else ""
            return Clue(words, f"stored in `{shown}`", sink=sink)
        if isinstance(target, ir.Attr):
            return Clue(words_and_compounds(target.attr), f"assigned to `{render(target)}`")
        if isinstance(target, ir.Name):
            return Clue(words_and_compounds(target.id), f"assigned to `{target.id}`")
        return Clue(frozenset(), "assigned")

    def function_clues(self, site: CallSite) -> list[tuple[Clue, ...]]:
        if not site.scope:
            return []
        *outer, name = site.scope.split(".")
        groups: list[tuple[Clue, ...]] = [
            (Clue(words_and_compounds(name), f"in `{name}()`", kind="function"),)
        ]
        if outer:
            shown = ".".join(outer)
            groups.append((Clue(words_and_compounds(shown), f"in `{shown}`", kind="function"),))
        return groups

    def data_clue(self, data: Sequence[ir.Expr]) -> Optional[Clue]:
        if not data:
            return None
        words: frozenset[str] = frozenset().union(*(expression_words(e) for e in data))
        return Clue(words, f"hashes `{render(data[0])}`", kind="data")

    # -- helpers ----------------------------------------------------------------------------

    def is_fresh_randomness(self, data: Sequence[ir.Expr], frame: Frame) -> bool:
        """Whether the hashed data includes output of a cryptographic random generator."""
        return any(
            isinstance(node, ir.Call)
            and resolved_names(self.resolver, node.func, frame) & crypto.SECURE_RANDOM_CALLS
            for expr in data
            for node in walk(expr)
        )

    def is_session(self, expr: ir.Expr, frame: Frame) -> bool:
        return "flask.session" in resolved_names(self.resolver, expr, frame)

    def _string(self, expr: ir.Expr, frame: Frame) -> str:
        value = self.evaluator.evaluate(expr, frame).value
        return value if isinstance(value, str) else ""


def purpose_finder(project: Project) -> PurposeFinder:
    analysis = analysis_for(project)
    return project.cached(
        "crypto.purpose", lambda: PurposeFinder(project, analysis.resolver, analysis.evaluator)
    )
