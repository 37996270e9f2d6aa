"""## What it does
Finds MD5, SHA-1 and other broken hashes (MD4, MD2, RIPEMD-160) used for a security purpose:
`hashlib.md5(...)`, `hashlib.sha1(...)`, `hashlib.new(name)` with the name decided by constant
evaluation (also a constant from another module), PyCryptodome's `MD5.new()`/`SHA1.new()`,
`cryptography`'s `hashes.MD5()`/`hashes.SHA1()`, and MD5 or SHA-1 as the digest of an HMAC
(`hmac.new(key, msg, hashlib.md5)`, `digestmod="sha1"`, itsdangerous' `digest_method=`).

Calls are identified by what they resolve to, so `import hashlib as h; h.md5(...)` and
`from hashlib import md5` are the same call.

What the digest is *for* is read from the names around the call, word by word (identifiers
split at `_` and camelCase), nearest first:

1. where the value goes: the keyword, dict key or cookie it is passed under, the variable,
   attribute or subscript it is assigned to, and — for a plain variable — where that variable
   is used afterwards in the same scope, until it is assigned again
   (`h = md5(); h.update(password)` follows `h`);
2. what is hashed: the names in the hashed argument (and in `.update()` calls on the hash);
3. the enclosing function, then its class or outer function.

Security words (password, token, secret, key, salt, nonce, otp, session, reset, csrf,
signature, auth, …) make it a security use; words of uses where strength does not matter
(etag, cache, checksum, fingerprint, gravatar/avatar, file name or path, color, shard, …)
make it benign. Within one name the benign word wins (`cache_key` is a cache key); for the
hashed data a password or secret wins (`md5(secret + body)` is a home-made MAC whatever it
is called). Words that also name everyday things (key, session, sign, pin, reset, …) do not
decide alone: `key = md5(url)` is usually a cache key, while `api_key`, `signing_key` and
`secret_key` are compounds that do decide.

Precision first: when nothing says what the digest is for, **nothing is reported** — an MD5
of unknown purpose is far more often a cache key or checksum than a password store. The
exception is a keyed MAC: an HMAC exists only to authenticate, so MD5 or SHA-1 as its digest
is always reported — at **medium** for MD5 and **low** for SHA-1, because HMAC does not rely
on collision resistance and HMAC-SHA1 is still unbroken as a MAC (it is reported so that new
code moves to SHA-256; protocols that mandate it, such as some webhooks, can suppress it with
a reason). `hashlib.pbkdf2_hmac("sha1", ...)` is not reported: PBKDF2-HMAC-SHA1 with enough
iterations is an accepted password hash.

Severity is **high** when the hashed value is a password (the target, the data or the
deciding name mentions password/passwd/pwd), **medium** otherwise. Confidence is high when a
name at the call decides, medium when only the enclosing function's name does.

Not reported: `usedforsecurity=False` (the author declared a non-security use), benign uses
as above, unknown purposes, a token hashed from fresh cryptographic randomness
(`sha1(os.urandom(32))` is as unpredictable as its input and needs no collision resistance),
SHA-256 or stronger, test, example and migration code.

## Why is this bad?
MD5 and SHA-1 are fast: a GPU computes billions per second, so an MD5 or SHA-1 of a password
is cracked in seconds to minutes once the hashes leak, salted or not. Both have practical
collision attacks, so a digest used as a signature or integrity check can be matched by a
forged input, and `md5(secret + data)` can be extended without knowing the secret. A token
made by hashing guessable data (user id, e-mail, time) is as guessable as its input.

## Example
```python
import hashlib

def set_password(user, password):
    user.password_hash = hashlib.md5(password.encode()).hexdigest()
```

## Use instead
```python
from werkzeug.security import generate_password_hash

def set_password(user, password):
    user.password_hash = generate_password_hash(password)
```
Use `secrets.token_urlsafe()` for tokens, `hmac.new(key, msg, hashlib.sha256)` with
`hmac.compare_digest` for signatures, `hashlib.sha256` for integrity checks. Non-security uses
of MD5 can say so with `hashlib.md5(data, usedforsecurity=False)`.

## References
- CWE-328: Use of Weak Hash; CWE-327: Use of a Broken or Risky Cryptographic Algorithm
- OWASP Password Storage Cheat Sheet
- Werkzeug `generate_password_hash`: https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.security.generate_password_hash
- RFC 6151 (MD5 and HMAC-MD5 security considerations)
"""

from __future__ import annotations

import bisect
import re
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.constants import ConstantEvaluator
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, CallSite, Guard
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge import crypto
from flaskguard.model.objects import ExtRef, Instance, Member, ObjectResolver, canonical
from flaskguard.model.project import ExprBinding, Frame, ImportedBinding, Project, site_frame
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG600",
    name="weak-hash",
    summary="Weak hash (MD5, SHA-1) used for passwords, tokens, signatures or keys",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(328, 327),
    owasp="A02:2021",
    tags=("crypto", "hash"),
    fixable=False,
    doc=__doc__ or "",
)


# -- names and words --------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def identifier_words(text: str) -> frozenset[str]:
    """Lowercase words of identifiers or text: ``resetToken``/``reset_token`` -> reset, token.

    Adjacent words are also joined (``api_key`` -> apikey), so that a compound matches the same
    vocabulary entry however it is written, and a qualified word (an API key) is told apart
    from the same word alone (a dict key).
    """
    parts = [p.lower() for chunk in _NON_WORD.split(text) for p in _CAMEL_PART.findall(chunk)]
    return frozenset((*parts, *(a + b for a, b in zip(parts, parts[1:]))))


def vocabulary_hits(words: Collection[str], vocabulary: Collection[str]) -> list[str]:
    """The vocabulary entries among ``words``, plurals folded (``keys`` is ``key``)."""
    hits = set()
    for word in words:
        if word in vocabulary:
            hits.add(word)
        elif word.endswith("s") and word[:-1] in vocabulary:
            hits.add(word[:-1])
    return sorted(hits)


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
    project: Project, resolver: ObjectResolver, names: Collection[str]
) -> Iterator[tuple[str, CallSite, Frame, str]]:
    """Every call of one of the external callables ``names`` (canonical names, after
    :data:`crypto.ALIASES`), with its frame and the name it resolved to."""
    wanted = set(names)
    spellings = {*wanted, *(k for k, v in crypto.ALIASES.items() if v in wanted)}
    last_parts = {name.rsplit(".", 1)[-1] for name in spellings}
    for module in project.modules:
        for site in module.calls:
            frame = site_frame(Frame(module.path, site.scope), site)
            if not may_call_external(project, site.call.func, frame, last_parts):
                continue
            found = resolved_names(resolver, site.call.func, frame) & wanted
            if found:
                yield module.path, site, frame, min(found)


def may_call_external(
    project: Project, func: ir.Expr, frame: Frame, last_parts: Collection[str]
) -> bool:
    """A cheap test before resolving ``func``. A method or module attribute keeps the
    callable's own name (as in ``ObjectResolver.calls_to``); a bare name can only be one of
    the callables when it is imported under that name (``from random import choice as pick``
    keeps it in the import) or assigned an alias (``pick = random.choice``). Parameters,
    project functions and builtins are never resolved: resolving what callers pass for every
    parameter that is called costs more, in a large project, than these rules themselves."""
    if isinstance(func, ir.Attr):
        return func.attr in last_parts
    if not isinstance(func, ir.Name):
        return False
    for binding in project.lookup(frame, func.id):
        if isinstance(binding, ImportedBinding) and binding.binding.attr in last_parts:
            return True
        if isinstance(binding, ExprBinding) and isinstance(binding.expr, (ir.Name, ir.Attr)):
            return True
    return False


def is_dead(analysis: DevServerAnalysis, guards: tuple[Guard, ...], frame: Frame) -> bool:
    """Code that no world runs (``if False:``, ``if TYPE_CHECKING:``)."""
    context = analysis.context
    return (
        context.guard_reach(guards, frame) == Reach.NO
        and context.guard_reach(guards, frame.with_world("main")) == Reach.NO
    )


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


def walk(expr: ir.Expr) -> Iterator[ir.Expr]:
    """Every node of an expression tree, the root first."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child, _ in _children(node))


def expression_words(expr: ir.Expr) -> frozenset[str]:
    """Words of the names in an expression: variables, attributes, called functions and
    constant subscript keys (``request.form["password"]``); other strings are prose."""
    words: set[str] = set()
    for node in walk(expr):
        if isinstance(node, ir.Name):
            words |= identifier_words(node.id)
        elif isinstance(node, ir.Attr):
            words |= identifier_words(node.attr)
        elif isinstance(node, ir.Subscript) and isinstance(node.index, ir.Const):
            if isinstance(node.index.value, str):
                words |= identifier_words(node.index.value)
        elif isinstance(node, ir.Call):
            for keyword, _ in node.kwargs:
                words |= identifier_words(keyword or "")
    return frozenset(words)


# -- purpose: what the surrounding names say a value is for ----------------------------------


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


@dataclass
class _ModuleIndex:
    assignments_at: dict[tuple[str, ir.Loc], list[Assignment]] = field(default_factory=dict)
    calls_at: dict[tuple[str, ir.Loc], list[CallSite]] = field(default_factory=dict)
    # (scope, variable) -> the assignments and calls whose expressions mention the variable
    assignments_using: dict[tuple[str, str], list[Assignment]] = field(default_factory=dict)
    calls_using: dict[tuple[str, str], list[CallSite]] = field(default_factory=dict)


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
        self._indexes: dict[str, _ModuleIndex] = {}
        self._uses: dict[tuple[str, str, str], _Uses] = {}

    def _index(self, path: str) -> _ModuleIndex:
        found = self._indexes.get(path)
        if found is None:
            found = _ModuleIndex()
            module = self.project.module(path)
            for assignment in module.assignments:
                key = (assignment.scope, assignment.statement.loc)
                found.assignments_at.setdefault(key, []).append(assignment)
                for var in _names(assignment.value) | _names(assignment.target):
                    found.assignments_using.setdefault((assignment.scope, var), []).append(
                        assignment
                    )
            for site in module.calls:
                found.calls_at.setdefault((site.scope, site.statement.loc), []).append(site)
                for var in _names(site.call):
                    found.calls_using.setdefault((site.scope, var), []).append(site)
            self._indexes[path] = found
        return found

    # -- where the value goes -------------------------------------------------------------

    def usage(self, path: str, site: CallSite, frame: Frame) -> Usage:
        index = self._index(path)
        key = (site.scope, site.statement.loc)
        match = _call_at(site.call.loc)
        best: Optional[list[_Step]] = None
        best_target: Optional[ir.Expr] = None
        targets: list[ir.Expr] = []
        for assignment in index.assignments_at.get(key, ()):
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
                s
                for s in index.calls_at.get(key, ())
                if s is not site and loc_contains(s.call.loc, site.call.loc)
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
            s.call
            for s in self._index(path).calls_at.get((site.scope, site.statement.loc), ())
            if s is not site
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
        index = self._index(path)
        for assignment in index.assignments_using.get((scope, var), ()):
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
        for site in index.calls_using.get((scope, var), ()):
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
                return Clue(identifier_words(key), f"stored under the key {key!r}")
            return None
        if step.role == "operand":
            texts = [
                p.value
                for p, _ in _children(parent)
                if isinstance(p, ir.Const) and isinstance(p.value, str) and p.value.strip()
            ]
            if texts:
                shown = " … ".join(t.strip() for t in texts)
                return Clue(identifier_words(" ".join(texts)), f"combined with {shown[:40]!r}")
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
            return Clue(identifier_words(cookie), where, sink="cookie")
        if (
            isinstance(func, ir.Attr)
            and method in ("update", "setdefault")
            and self.is_session(func.value, frame)
        ):
            keyword = step.keyword if step is not None and step.keyword else ""
            if method == "setdefault":
                keyword = self._string(call.argument(0, "key") or ir.UNKNOWN, frame)
            return Clue(
                identifier_words(keyword) | {"session"},
                f"stored in the Flask session{f' as {keyword!r}' if keyword else ''}",
                sink="session",
            )
        words = set(identifier_words(method))
        if method in ("sign", "verify"):
            # A call that signs or verifies with the value: "sign" alone is ambiguous as a
            # name (the sign of a number), not as the call.
            words.add("signature")
        passed_as = step.keyword if step is not None else None
        if passed_as:
            words |= identifier_words(passed_as)
        if isinstance(func, ir.Attr):
            receiver = func.value
            if isinstance(receiver, ir.Const) and isinstance(receiver.value, str):
                words |= identifier_words(receiver.value)
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
            words = identifier_words(key) | expression_words(target.value)
            shown = f"{render(target.value)}[{key!r}]" if key else render(target)
            sink = "session" if self.is_session(target.value, frame) else ""
            return Clue(words, f"stored in `{shown}`", sink=sink)
        if isinstance(target, ir.Attr):
            return Clue(identifier_words(target.attr), f"assigned to `{render(target)}`")
        if isinstance(target, ir.Name):
            return Clue(identifier_words(target.id), f"assigned to `{target.id}`")
        return Clue(frozenset(), "assigned")

    def function_clues(self, site: CallSite) -> list[tuple[Clue, ...]]:
        if not site.scope:
            return []
        *outer, name = site.scope.split(".")
        groups: list[tuple[Clue, ...]] = [
            (Clue(identifier_words(name), f"in `{name}()`", kind="function"),)
        ]
        if outer:
            shown = ".".join(outer)
            groups.append((Clue(identifier_words(shown), f"in `{shown}`", kind="function"),))
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


# -- the rule ---------------------------------------------------------------------------------

_HASH_CALLS = {*crypto.WEAK_HASH_CALLS, *crypto.HASH_BY_NAME, *crypto.HMAC_CALLS}

_PASSWORD_REMEDIATION = (
    "Hash passwords with werkzeug.security.generate_password_hash() and verify them with "
    "check_password_hash() (scrypt or PBKDF2 with a per-user salt), or use argon2/bcrypt."
)
_REMEDIATION = {
    "token": "Generate tokens with secrets.token_urlsafe(32); to bind one to data, sign it with "
    "hmac.new(key, data, hashlib.sha256) or itsdangerous.",
    "signature": "Sign with hmac.new(key, msg, hashlib.sha256) and compare with "
    "hmac.compare_digest(); use hashlib.sha256 for unkeyed integrity checks.",
    "key": "Use hashlib.sha256 to fingerprint random keys; derive keys from secrets with "
    "hashlib.scrypt, PBKDF2 or HKDF.",
    "auth": "Use hashlib.sha256 (or hmac with sha256) for authentication data, and "
    "werkzeug.security.generate_password_hash() for passwords.",
}


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    resolver = analysis.resolver
    purposes = purpose_finder(project)
    mac_sites: set[tuple[str, ir.Loc]] = set()
    for path, site, frame, name in external_calls(project, resolver, _HASH_CALLS):
        if not is_production_path(project, path) or is_dead(analysis, site.guards, frame):
            continue
        if name in crypto.HMAC_CALLS:
            mac_sites.add((path, site.call.loc))
            position, keyword = crypto.HMAC_CALLS[name]
            digest = site.call.argument(position, keyword)
            algorithm = _digest_algorithm(analysis, digest, frame) if digest else None
            if algorithm is not None and algorithm.collisions:
                yield _mac_finding(path, site, name, algorithm)
            continue
        algorithm = _hash_algorithm(analysis, name, site.call, frame)
        if algorithm is None or _declared_not_for_security(analysis, site.call, frame):
            continue
        result = _purpose_finding(purposes, path, site, frame, name, algorithm)
        if result is not None:
            yield result
    for module in project.modules:
        if not is_production_path(project, module.path):
            continue
        for site in module.calls:
            if (module.path, site.call.loc) in mac_sites:
                continue
            for _, value in _digest_arguments(site.call):
                frame = site_frame(Frame(module.path, site.scope), site)
                algorithm = _digest_algorithm(analysis, value, frame, by_name=False)
                if (
                    algorithm is not None
                    and algorithm.collisions
                    and not is_dead(analysis, site.guards, frame)
                ):
                    callee = ir.dotted_name(site.call.func) or "the call"
                    yield _mac_finding(module.path, site, callee, algorithm)
                    break


def _digest_arguments(call: ir.Call) -> Iterator[tuple[str, ir.Expr]]:
    """Digest keywords of a call, also inside dict arguments (``signer_kwargs={...}``)."""
    for keyword, value in call.kwargs:
        if keyword in crypto.DIGEST_KEYWORDS:
            yield keyword, value
        elif isinstance(value, ir.DictExpr):
            for key, item in zip(value.keys, value.values):
                if isinstance(key, ir.Const) and key.value in crypto.DIGEST_KEYWORDS:
                    yield str(key.value), item


def _algorithm_named(value: object) -> Optional[crypto.WeakAlgorithm]:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    return crypto.WEAK_ALGORITHM_NAMES.get(value.lower().replace("-", "").replace("_", ""))


def _hash_algorithm(
    analysis: DevServerAnalysis, name: str, call: ir.Call, frame: Frame
) -> Optional[crypto.WeakAlgorithm]:
    if name in crypto.WEAK_HASH_CALLS:
        return crypto.WEAK_HASH_CALLS[name]
    position, keyword = crypto.HASH_BY_NAME[name]
    argument = call.argument(position, keyword)
    if argument is None:
        return None
    return _algorithm_named(analysis.evaluator.evaluate(argument, frame).value)


def _digest_algorithm(
    analysis: DevServerAnalysis, expr: ir.Expr, frame: Frame, *, by_name: bool = True
) -> Optional[crypto.WeakAlgorithm]:
    """The weak hash a digest argument names: a constructor reference, or (``by_name``) a
    name string, as HMAC accepts."""
    for name in resolved_names(analysis.resolver, expr, frame):
        if name in crypto.WEAK_HASH_REFERENCES:
            return crypto.WEAK_HASH_REFERENCES[name]
    if not by_name:
        return None
    return _algorithm_named(analysis.evaluator.evaluate(expr, frame).value)


def _declared_not_for_security(analysis: DevServerAnalysis, call: ir.Call, frame: Frame) -> bool:
    flag = call.keyword("usedforsecurity")
    return flag is not None and analysis.evaluator.evaluate(flag, frame).value is False


def _purpose_finding(
    purposes: PurposeFinder,
    path: str,
    site: CallSite,
    frame: Frame,
    name: str,
    algorithm: crypto.WeakAlgorithm,
) -> Optional[Finding]:
    usage = purposes.usage(path, site, frame)
    data: list[ir.Expr] = []
    if name in crypto.HASHED_DATA:
        position, keyword = crypto.HASHED_DATA[name]
        argument = site.call.argument(position, keyword)
        if argument is not None:
            data.append(argument)
    data.extend(usage.fed)
    data_clue = purposes.data_clue(data)
    groups = [*usage.groups, *([(data_clue,)] if data_clue else []), *purposes.function_clues(site)]
    # A digest named only ``key`` or ``session`` is as often a cache key as a secret.
    verdict = decide(groups, strict=lambda c: True)
    if verdict is None or not verdict.security:
        return None
    password = verdict.category == "password" or (
        data_clue is not None and bool(vocabulary_hits(data_clue.words, crypto.PASSWORD_WORDS))
    )
    if not password and purposes.is_fresh_randomness(data, frame):
        # sha1(os.urandom(32)) is as unpredictable as its input, and a token needs no
        # collision resistance: the weak hash weakens nothing.
        return None
    alg = algorithm.display
    where = verdict.clue.where
    if password:
        message = (
            f"{alg} hashes a password ({where}). {alg} is a fast hash: a GPU tries billions of "
            "guesses per second, so leaked hashes of real passwords are cracked in seconds to "
            "minutes, salted or not."
        )
        remediation = _PASSWORD_REMEDIATION
    elif verdict.category == "token":
        message = (
            f"{alg} makes a token ({where}). Hashing adds no unpredictability: the token is as "
            f"guessable as its input (ids, e-mail addresses, timestamps), and {algorithm.weakness}."
        )
        remediation = _REMEDIATION["token"]
    elif verdict.category == "secret":
        message = (
            f"{alg} hashes a secret together with data ({where}), a home-made MAC: hash(secret + "
            f"data) can be extended without knowing the secret (length extension), and "
            f"{algorithm.weakness}."
        )
        remediation = _REMEDIATION["signature"]
    elif verdict.category == "signature":
        message = (
            f"{alg} is used to sign or check integrity ({where}). {algorithm.weakness}, so a "
            "forged input can be made to share its digest with a genuine one."
        )
        remediation = _REMEDIATION["signature"]
    else:
        message = (
            f"{alg} is used on keys or authentication data ({where}). {algorithm.weakness}; "
            "digests that identify, derive or check secrets need SHA-256 or a key-derivation "
            "function."
        )
        remediation = _REMEDIATION.get(verdict.category, _REMEDIATION["key"])
    return finding(
        META,
        path=path,
        loc=site.call.loc,
        message=message,
        remediation=remediation,
        severity=Severity.HIGH if password else Severity.MEDIUM,
        confidence=Confidence.MEDIUM if verdict.clue.kind == "function" else Confidence.HIGH,
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
    )


def _mac_finding(
    path: str, site: CallSite, callee: str, algorithm: crypto.WeakAlgorithm
) -> Finding:
    alg = algorithm.display
    if algorithm is crypto.SHA1:
        message = (
            f"{callee}() computes an HMAC with SHA-1. HMAC-SHA1 is not broken as a MAC (HMAC does "
            "not rely on collision resistance), but SHA-1 is deprecated for new designs; if a "
            "protocol mandates it (some webhooks do), suppress this with the reason."
        )
        severity = Severity.LOW
    else:
        message = (
            f"{callee}() computes an HMAC with {alg}. {algorithm.weakness}; HMAC-{alg} is not "
            "recommended for new designs (RFC 6151) and fails compliance checks."
        )
        severity = Severity.MEDIUM
    return finding(
        META,
        path=path,
        loc=site.call.loc,
        message=message,
        remediation="Use hashlib.sha256 as the digest (hmac.new(key, msg, hashlib.sha256)) and "
        "compare with hmac.compare_digest().",
        severity=severity,
        confidence=Confidence.HIGH,
        scope=site.scope,
        code=site.statement.code,
        anchors=[(path, site.statement.first_line)],
    )


RULE = Rule(META, check)
