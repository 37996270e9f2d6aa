"""The taint engine: attacker data from Flask requests to the sinks of the FG3xx rules.

Each project function is interpreted once over its ordered statements
(:mod:`flaskguard.facts.flow`) with its parameters as symbols. The result is its *summary*:
what it returns (in terms of its parameters and of sources it reads itself), which
parameters reach which sinks and through which steps, which attributes of ``self`` it sets,
and which parameters a ``True`` result vouches for (``is_safe_url(target)``). A call
site applies the callee's summary to its own argument values, so that a value is followed
through helpers in other modules without analysing a function twice. Recursion is cut by
using the summary computed so far and iterating until it no longer grows.

The interpretation is path-sensitive where constants decide (``if 7 * 18 + n > 200`` with
``n = 106`` has one live branch), kills taint on reassignment, and refines values in the
branches of checks (allowlist membership, ``urlparse(x).netloc`` comparisons,
``x.isdigit()``). Sanitisers are specific to sink kinds: each label records the kinds it
has been cleaned for.

Analysis starts from the functions that read the request: views (whose URL parameters are
sources unless their converter is typed), hooks, error handlers, and any function of a
module that imports the request object; callers of functions that return request data are
added until nothing changes. Only what they call is summarised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from packaging.version import InvalidVersion, Version

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for
from flaskguard.analysis.purpose import render
from flaskguard.analysis.taintvalues import (
    CLEAN,
    EMPTY,
    MAX_ITEMS,
    MAX_PATH,
    NO_CONST,
    Label,
    Step,
    Taint,
    Trace,
    Value,
    clean_value,
    cleaned,
    element,
    extend,
    flat,
    join,
    merge,
    shorter,
    tainted_for,
    with_step,
)
from flaskguard.facts import flow, ir
from flaskguard.facts.module import Assignment, FunctionFacts, ModuleFacts
from flaskguard.knowledge import taint as kb
from flaskguard.model.apps import flask_model
from flaskguard.model.objects import (
    ClassRef,
    ExtRef,
    FuncRef,
    Instance,
    Member,
    ModRef,
    canonical,
)
from flaskguard.model.project import (
    ClassBinding,
    ExprBinding,
    Frame,
    FunctionBinding,
    ImportedBinding,
    Project,
)

MAX_ROUNDS = 4  # recursion: re-summarise until stable, at most this often
MAX_LOOP_NESTING = 3
MAX_CALL_DEPTH = 40

Env = dict[str, Value]


@dataclass(frozen=True)
class SinkUse:
    """A parameter (or a source read in the function) reaching a sink, inside a summary."""

    kind: str
    path: str
    loc: ir.Loc
    sink: str  # how the sink is shown, Markdown: ```cursor.execute()```
    scope: str
    code: str
    label: Label
    trace: Trace


@dataclass
class Summary:
    returns: Value = CLEAN
    sinks: list[SinkUse] = field(default_factory=list)
    self_writes: dict[str, Value] = field(default_factory=dict)
    vouches: dict[int, frozenset[str]] = field(default_factory=dict)
    complete: bool = True  # False while a recursive cycle is being resolved

    def signature(self) -> tuple[Any, ...]:
        return (
            tuple(sorted(map(repr, flat(self.returns)))),
            tuple(sorted((s.kind, s.loc.line, s.loc.col, repr(s.label)) for s in self.sinks)),
            tuple(
                sorted((k, tuple(sorted(map(repr, flat(v))))) for k, v in self.self_writes.items())
            ),
            tuple(sorted(self.vouches.items())),
        )


@dataclass(frozen=True)
class TaintFlow:
    """Attacker data reaching a sink: what a FG3xx finding reports."""

    kind: str  # the rule kind (sql, xss, ...)
    path: str
    loc: ir.Loc
    sink: str
    source: str
    scope: str
    code: str
    trace: Trace


class TaintEngine:
    def __init__(self, project: Project, extra_sources: Iterable[str] = ()) -> None:
        self.project = project
        self.analysis: DevServerAnalysis = analysis_for(project)
        self.resolver = self.analysis.resolver
        self.evaluator = self.analysis.evaluator
        self.extra_sources = frozenset(extra_sources)
        self.summaries: dict[tuple[str, str], Summary] = {}
        self.active: list[tuple[str, str]] = []
        self.recursive: set[tuple[str, str]] = set()
        self.flows: dict[tuple[str, str, int, int], TaintFlow] = {}
        self._globals: dict[tuple[str, str, str], Value] = {}
        self._globals_active: set[tuple[str, str, str]] = set()
        self._url_parameters: dict[tuple[str, str], dict[str, str]] = {}
        self._responders: set[tuple[str, str]] = set()
        self._lxml_unsafe_default: Optional[bool] = None
        self._converters: Optional[dict[str, list[ClassRef]]] = None

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> list[TaintFlow]:
        self._index_views()
        roots = self._roots()
        done: set[tuple[str, str]] = set()
        while roots:
            for key in sorted(roots):
                self.summary(*key)
            done |= roots
            roots = self._callers_of_sources() - done
        return sorted(self.flows.values(), key=lambda f: (f.path, f.loc.line, f.loc.col, f.kind))

    def _index_views(self) -> None:
        model = flask_model(self.project)
        for route in model.routes:
            # Flask-RESTful and Flask-RESTX serialise what a resource returns as JSON.
            serialised = isinstance(route.view, ClassRef) and any(
                self.resolver.class_is(route.view, base) for base in kb.SERIALISING_RESOURCES
            )
            for handler in route.handlers:
                key = (route.path, handler)
                if not serialised:
                    self._responders.add(key)
                params = self._url_parameters.setdefault(key, {})
                for name, converter in route.converters:
                    params[name] = converter
        for module in self.project.modules:
            for function in self.project.decorated_functions(module):
                for decorator in function.decorators:
                    target = decorator.func if isinstance(decorator, ir.Call) else decorator
                    if isinstance(target, ir.Attr) and target.attr in (
                        "errorhandler",
                        "app_errorhandler",
                    ):
                        self._responders.add((module.path, function.qualname))

    def _roots(self) -> set[tuple[str, str]]:
        roots: set[tuple[str, str]] = set(self._responders)
        for module in self.project.modules:
            if self.extra_sources:
                qualnames: Iterable[str] = (function.qualname for function in module.functions)
            else:
                qualnames = self.project.view(module, request_readers)
            roots.update((module.path, qualname) for qualname in qualnames)
        return {r for r in roots if self.project.function(*r) is not None}

    def _callers_of_sources(self) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for (path, qualname), summary in list(self.summaries.items()):
            if not any(label[0][0] == "src" for label in flat(summary.returns)):
                continue
            function = self.project.function(path, qualname)
            if function is None:
                continue
            for site, frame in self.resolver.callers_of(path, function):
                key = (frame.module, site.scope)
                if self.project.function(*key) is not None:
                    found.add(key)
        return found

    # -- summaries ------------------------------------------------------------------------

    def summary(self, path: str, qualname: str) -> Summary:
        key = (path, qualname)
        known = self.summaries.get(key)
        if key in self.active:
            self.recursive.add(key)
            return known if known is not None else Summary(complete=False)
        if known is not None and known.complete:
            return known
        function = self.project.function(*key)
        if function is None or len(self.active) > MAX_CALL_DEPTH:
            return Summary()
        self.active.append(key)
        try:
            result = Summary()
            for _ in range(MAX_ROUNDS):
                self.summaries[key] = result
                self.recursive.discard(key)
                result = _FunctionRun(self, path, function).run()
                if key not in self.recursive:
                    break
                previous = self.summaries[key]
                if previous.signature() == result.signature():
                    break
            incomplete = any(k in self.recursive for k in self.active[:-1])
            result.complete = not incomplete
            self.summaries[key] = result
            return result
        finally:
            self.active.pop()

    # -- reporting ------------------------------------------------------------------------

    def report(self, use: SinkUse, label: Label, trace: Trace) -> None:
        kind = kb.RULE_KIND.get(use.kind, use.kind)
        key = (kind, use.path, use.loc.line, use.loc.col)
        known = self.flows.get(key)
        if known is not None and not shorter(trace, known.trace):
            return
        if not is_production_path(self.project, use.path):
            return
        self.flows[key] = TaintFlow(
            kind, use.path, use.loc, use.sink, str(label[0][1]), use.scope, use.code, trace
        )

    # -- names ----------------------------------------------------------------------------

    def global_value(self, module: str, scope: str, name: str) -> Value:
        key = (module, scope, name)
        known = self._globals.get(key)
        if known is not None:
            return known
        if key in self._globals_active:
            return CLEAN
        self._globals_active.add(key)
        try:
            value = self._global_value(module, scope, name)
        finally:
            self._globals_active.discard(key)
        self._globals[key] = value
        return value

    def _global_value(self, module: str, scope: str, name: str) -> Value:
        frame = Frame(module, scope)
        bindings = self.project.lookup(frame, name)
        if not bindings:
            return Value(ext=f"builtins.{name}")
        out: Optional[Value] = None
        for binding in bindings[:4]:
            value = self._binding_value(binding, frame, name)
            out = value if out is None else join(out, value)
        return out if out is not None else CLEAN

    def _binding_value(self, binding: Any, frame: Frame, name: str) -> Value:
        if isinstance(binding, FunctionBinding):
            return Value(ref=FuncRef(binding.module, binding.function.qualname))
        if isinstance(binding, ClassBinding):
            return Value(ref=ClassRef(binding.module, binding.cls.qualname))
        if isinstance(binding, ImportedBinding):
            imported = binding.binding
            if imported.attr not in (None, "*"):
                importer = self.project.module(binding.module)
                target = self.project.find_module(
                    self.project.absolute_import(importer, imported), importer
                )
                if (
                    target is not None
                    and target.path != binding.module
                    and self.project.bindings_in(target.path, "", imported.attr)
                ):
                    return self.global_value(target.path, "", imported.attr)
            return self._resolved(ir.Name(name), frame)
        if isinstance(binding, ExprBinding):
            if binding.frame.scope != "":
                return CLEAN
            evaluated = self.evaluator.evaluate(binding.expr, binding.frame)
            if evaluated.known and evaluated.value is not NOT_CONSTANT:
                return Value(const=evaluated.value)
            if binding.assignment is not None and binding.assignment.augmented:
                return CLEAN
            run = _FunctionRun(self, binding.frame.module, None)
            return run.eval(binding.expr)
        return CLEAN

    def _resolved(self, expr: ir.Expr, frame: Frame) -> Value:
        values = self.resolver.infer(expr, frame)
        for value in values:
            if isinstance(value, ExtRef):
                return Value(ext=_canonical(value.name))
            if isinstance(value, FuncRef):
                return Value(ref=FuncRef(value.module, value.qualname))
            if isinstance(value, ClassRef):
                return Value(ref=value)
            if isinstance(value, ModRef):
                return Value(ref=value)
            if isinstance(value, Instance) and isinstance(value.cls, str):
                return Value(ext=_canonical(value.cls), kind="instance")
        return CLEAN

    def method_of(self, cls: ClassRef, name: str, depth: int = 0) -> Optional[FuncRef]:
        if depth > 6:
            return None
        facts = self.project.cls(cls.module, cls.qualname)
        if facts is None:
            return None
        if name in facts.methods:
            return FuncRef(cls.module, f"{cls.qualname}.{name}")
        for base in facts.bases:
            for value in self.resolver.infer(base, Frame(cls.module, facts.scope)):
                if isinstance(value, ClassRef):
                    found = self.method_of(value, name, depth + 1)
                    if found is not None:
                        return found
        return None

    def safe_converter(self, name: str) -> bool:
        """Built-in typed converters, and project converters whose ``to_python`` returns no
        string derived from the URL (``return int(value)``)."""
        if name in kb.SAFE_CONVERTERS:
            return True
        if self._converters is None:
            self._converters = self._project_converters()
        classes = self._converters.get(name)
        if not classes:
            return False
        for cls in classes:
            method = self.method_of(cls, "to_python")
            if method is None:
                return False
            returned = self.summary(method.module, method.qualname).returns
            if any(origin[0] == "par" and origin[1] == 1 for origin, _ in flat(returned)):
                return False
        return True

    def _project_converters(self) -> dict[str, list[ClassRef]]:
        """``app.url_map.converters["name"] = SomeConverter`` registrations."""
        found: dict[str, list[ClassRef]] = {}
        for module in self.project.modules:
            for assignment in self.project.view(module, _converter_registrations):
                target = assignment.target
                assert isinstance(target, ir.Subscript) and isinstance(target.index, ir.Const)
                frame = Frame(module.path, assignment.scope)
                for value in self.resolver.infer(assignment.value, frame):
                    if isinstance(value, ClassRef):
                        found.setdefault(str(target.index.value), []).append(value)
        return found

    def is_extra_source(self, ref: FuncRef) -> bool:
        """Whether ``extra-taint-sources`` names this project function (``pkg.mod.name``)."""
        if not self.extra_sources:
            return False
        module = self.project.module(ref.module)
        dotted = f"{module.module_name}.{ref.qualname}"
        return any(dotted == name or dotted.endswith("." + name) for name in self.extra_sources)

    def url_parameters(self, path: str, qualname: str) -> dict[str, str]:
        return self._url_parameters.get((path, qualname), {})

    def is_responder(self, path: str, qualname: str) -> bool:
        return (path, qualname) in self._responders

    def lxml_default_unsafe(self) -> bool:
        """Whether the project locks an lxml whose default parser resolves entities."""
        if self._lxml_unsafe_default is None:
            from flaskguard.deps.audit import declared_packages

            unsafe = False
            for package in declared_packages(self.project):
                if package.name != "lxml" or package.version is None:
                    continue
                try:
                    unsafe = Version(package.version) < Version(kb.LXML_SAFE_DEFAULT)
                except InvalidVersion:
                    unsafe = False
            self._lxml_unsafe_default = unsafe
        return self._lxml_unsafe_default


def _canonical(name: str) -> str:
    name = canonical(name)
    for alias in kb._REQUEST_ALIASES:
        if name == alias or name.startswith(alias + "."):
            return kb.REQUEST + name[len(alias) :]
    if name.startswith("flask.globals.session"):
        return kb.SESSION + name[len("flask.globals.session") :]
    return name


_NETLOC_ATTRIBUTES = frozenset({"netloc", "hostname"})
_URL_PARSERS = frozenset({"urllib.parse.urlparse", "urllib.parse.urlsplit", "urlparse.urlparse"})
_SAFE_REGEX = re.compile(r"(?:[\w{},+*?()|/-]|\\[dw])*")
_ESCAPED_LITERAL = re.compile(r"\\[.\-_]")
_SAFE_CLASS = re.compile(r"\[(?!\^)(?:[\w.-]|\\[dw.\-_])*\]")


class _Abort(Exception):
    pass


class _FunctionRun:
    """One interpretation of one function body (or of a module-level expression)."""

    def __init__(self, engine: TaintEngine, path: str, function: Optional[FunctionFacts]) -> None:
        self.engine = engine
        self.path = path
        self.function = function
        self.scope = function.qualname if function is not None else ""
        self.lookup_scope = function.qualname if function is not None else ""
        self.summary = Summary()
        self.returns: Optional[Value] = None
        self.loop_exits: list[list[Env]] = []
        self.loop_depth = 0
        self.parsed_urls: dict[str, str] = {}  # name of a urlparse result -> parsed name
        self.param_index: dict[str, int] = {}
        self.vouch_sets: list[dict[int, frozenset[str]]] = []
        self.responder = function is not None and engine.is_responder(path, function.qualname)
        self.current_loc = function.loc if function is not None else _NOWHERE

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> Summary:
        assert self.function is not None
        env = self.initial_env(self.function)
        end = self.block(self.function.body, env)
        if end is not None and self.returns is None:
            self.returns = CLEAN
        self.summary.returns = self.returns if self.returns is not None else CLEAN
        if self.vouch_sets:
            common = self.vouch_sets[0]
            for other in self.vouch_sets[1:]:
                common = {i: k & other[i] for i, k in common.items() if i in other}
            self.summary.vouches = {i: k for i, k in common.items() if k}
        return self.summary

    def initial_env(self, function: FunctionFacts) -> Env:
        env: Env = {}
        converters = self.engine.url_parameters(self.path, function.qualname)
        for index, param in enumerate(function.params):
            self.param_index[param.name] = index
            taint: Taint = {(("par", index, ()), frozenset()): ()}
            kind: Optional[str] = None
            ref: Any = None
            if (
                index == 0
                and function.class_qualname is not None
                and not _decorated(function, "staticmethod")
            ):
                ref = ClassRef(self.path, function.class_qualname)
                kind = "self"
            converter = converters.get(param.name)
            if converter is not None and not self.engine.safe_converter(converter.split("(", 1)[0]):
                step = (
                    self.path,
                    function.loc.line,
                    function.loc.col,
                    f"URL parameter `<{param.name}>`",
                )
                taint = {**taint, (("src", f"URL parameter `{param.name}`"), frozenset()): (step,)}
            env[param.name] = Value(taint, kind=kind, ref=ref)
        return env

    # -- statements -----------------------------------------------------------------------

    def block(self, statements: flow.Block, env: Optional[Env]) -> Optional[Env]:
        for statement in statements:
            if env is None:
                return None
            env = self.statement(statement, env)
        return env

    def statement(self, stmt: flow.Stmt, env: Env) -> Optional[Env]:
        self.current_loc = stmt.loc
        if isinstance(stmt, flow.AssignStmt):
            return self.assign_statement(stmt, env)
        if isinstance(stmt, flow.EvalStmt):
            try:
                self.eval(stmt.value, env)
            except _Abort:
                return None
            return env
        if isinstance(stmt, flow.ReturnStmt):
            return self.return_statement(stmt, env)
        if isinstance(stmt, flow.IfStmt):
            return self.if_statement(stmt, env)
        if isinstance(stmt, flow.LoopStmt):
            return self.loop_statement(stmt, env)
        if isinstance(stmt, flow.TryStmt):
            return self.try_statement(stmt, env)
        if isinstance(stmt, flow.RaiseStmt):
            return None
        if isinstance(stmt, flow.BreakStmt):
            if self.loop_exits:
                self.loop_exits[-1].append(env)
            return None
        if isinstance(stmt, flow.DeleteStmt):
            env = dict(env)
            for target in stmt.targets:
                if isinstance(target, ir.Name):
                    env.pop(target.id, None)
            return env
        return env

    def assign_statement(self, stmt: flow.AssignStmt, env: Env) -> Optional[Env]:
        try:
            value = self.eval(stmt.value, env)
        except _Abort:
            return None
        env = dict(env)
        for target in stmt.targets:
            assigned = value
            if stmt.op is not None:
                old = self.eval(target, env)
                assigned = self.binary(stmt.op, old, value)
            self.bind(target, assigned, env, stmt.loc, stmt.value)
        return env

    def return_statement(self, stmt: flow.ReturnStmt, env: Env) -> Optional[Env]:
        try:
            value = self.eval(stmt.value, env) if stmt.value is not None else Value(const=None)
        except _Abort:
            return None
        if self.responder and not stmt.is_yield and stmt.value is not None:
            self.check_response_body(stmt, value)
        if stmt.is_yield:
            value = Value(flat(value))
        if self.function is not None and stmt.value is not None and not stmt.is_yield:
            self.note_vouches(stmt.value, value, env)
            if flat(value):
                step = (
                    self.path,
                    stmt.loc.line,
                    stmt.loc.col,
                    f"returned from `{self.function.name}()`",
                )
                value = value.replace(taint=with_step(value.taint, step))
        self.returns = value if self.returns is None else join(self.returns, value)
        return env if stmt.is_yield else None

    def note_vouches(self, expr: ir.Expr, value: Value, env: Env) -> None:
        """What a truthy ``return`` says about the parameters: the kinds each one is clean
        for on this path (``return True`` after the checks, or ``return <check>``)."""
        if value.has_const and not value.const:
            return
        if isinstance(expr, (ir.Compare, ir.BoolOp, ir.UnaryOp, ir.Call, ir.Attr)):
            when_true, _ = self.refinements(expr, env)
            env = self.refined(env, when_true)
        vouched: dict[int, frozenset[str]] = {}
        for name, index in self.param_index.items():
            current = env.get(name)
            if current is None:
                continue
            kinds: Optional[frozenset[str]] = None
            for origin, done in flat(current):
                if origin[0] == "par" and origin[1] == index:
                    kinds = done if kinds is None else kinds & done
            if kinds:
                vouched[index] = kinds
        self.vouch_sets.append(vouched)

    def if_statement(self, stmt: flow.IfStmt, env: Env) -> Optional[Env]:
        try:
            test = self.eval(stmt.test, env)
        except _Abort:
            return None
        if test.has_const:
            try:
                truth = bool(test.const)
            except Exception:
                truth = None
            if truth is True:
                return self.block(stmt.body, env)
            if truth is False:
                return self.block(stmt.orelse, env)
        when_true, when_false = self.refinements(stmt.test, env)
        body = self.block(stmt.body, self.refined(env, when_true))
        orelse = self.block(stmt.orelse, self.refined(env, when_false))
        return join_envs(body, orelse)

    def loop_statement(self, stmt: flow.LoopStmt, env: Env) -> Optional[Env]:
        try:
            head = self.eval(stmt.head, env)
        except _Abort:
            return None
        if stmt.target is None:
            if head.has_const and not _truthy(head.const):
                return self.block(stmt.orelse, env)
            infinite = head.has_const and _truthy(head.const) is True
        else:
            if head.has_const and _is_empty(head.const):
                return self.block(stmt.orelse, env)
            if head.seq is not None and not head.seq and head.kind == "list":
                return self.block(stmt.orelse, env)
            infinite = False
        item = element(head) if stmt.target is not None else None
        rounds = 2 if self.loop_depth < MAX_LOOP_NESTING else 1
        self.loop_depth += 1
        self.loop_exits.append([])
        state: Optional[Env] = env
        ends: list[Optional[Env]] = []
        try:
            for _ in range(rounds):
                if state is None:
                    break
                start = dict(state)
                if stmt.target is not None and item is not None:
                    self.bind(stmt.target, item, start, stmt.loc, None)
                after = self.block(stmt.body, start)
                ends.append(after)
                state = join_envs(state, after)
        finally:
            self.loop_depth -= 1
            exits = self.loop_exits.pop()
        out: Optional[Env] = None if infinite else state
        if out is not None and stmt.orelse:
            out = self.block(stmt.orelse, out)
        for exit_env in exits:
            out = join_envs(out, exit_env)
        return out

    def try_statement(self, stmt: flow.TryStmt, env: Env) -> Optional[Env]:
        body = self.block(stmt.body, dict(env))
        # A handler may start anywhere in the body: from what was known before or after it.
        handler_start = join_envs(env, body)
        out = self.block(stmt.orelse, body) if body is not None else None
        for name, handler in stmt.handlers:
            start = dict(handler_start) if handler_start is not None else dict(env)
            if name:
                start[name] = CLEAN
            out = join_envs(out, self.block(handler, start))
        if stmt.finalbody:
            if out is None:
                self.block(stmt.finalbody, dict(handler_start or env))
                return None
            out = self.block(stmt.finalbody, out)
        return out

    # -- refinements ----------------------------------------------------------------------

    def refined(self, env: Env, refinements: dict[str, frozenset[str]]) -> Env:
        if not refinements:
            return env
        env = dict(env)
        for name, kinds in refinements.items():
            if name in env:
                env[name] = clean_value(env[name], kinds)
        return env

    def refinements(
        self, test: ir.Expr, env: Env
    ) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
        """Names cleaned (for which kinds) when ``test`` is true, and when it is false."""
        if isinstance(test, ir.UnaryOp) and test.op == "not":
            when_true, when_false = self.refinements(test.operand, env)
            return when_false, when_true
        if isinstance(test, ir.BoolOp):
            parts = [self.refinements(v, env) for v in test.values]
            if test.op == "and":
                return _union(p[0] for p in parts), {}
            return {}, _union(p[1] for p in parts)
        if isinstance(test, ir.Compare) and len(test.ops) == 1:
            return self.compare_refinements(test, env)
        if isinstance(test, ir.Call):
            return self.call_refinements(test, env), {}
        if isinstance(test, ir.Attr):
            # ``if parsed.netloc: abort()``: past it, the URL names no other host.
            netloc = self.netloc_subject(test, env)
            if netloc is not None:
                return {}, {netloc: frozenset({kb.REDIRECT, kb.SSRF})}
        return {}, {}

    def compare_refinements(
        self, test: ir.Compare, env: Env
    ) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
        op = test.ops[0]
        left, right = test.left, test.comparators[0]
        netloc = self.netloc_subject(left, env) or self.netloc_subject(right, env)
        url_kinds = frozenset({kb.REDIRECT, kb.SSRF})
        if netloc is not None and op in ("==", "!=", "in", "not in"):
            positive = {netloc: url_kinds}
            return (positive, {}) if op in ("==", "in") else ({}, positive)
        if op in ("in", "not in") and isinstance(left, ir.Name):
            container = self.eval(right, env)
            if flat(container) or container.kind == "text":
                return {}, {}
            # Equal to an element of a collection the attacker did not fill: one of the
            # app's own values.
            positive = {left.id: kb.EVERYTHING}
            return (positive, {}) if op == "in" else ({}, positive)
        contained = self.containment_subject(left, env) or self.containment_subject(right, env)
        if contained is not None and op in ("==", "!="):
            positive = {contained: frozenset({kb.PATH})}
            return (positive, {}) if op == "==" else ({}, positive)
        # ``name != os.path.basename(name)``: equal, it has no directory part.
        if (
            op in ("==", "!=")
            and isinstance(left, ir.Name)
            and isinstance(right, ir.Call)
            and right.args
            and isinstance(right.args[0], ir.Name)
            and right.args[0].id == left.id
            and self.external_names(right.func, env) & kb.BASENAMES
        ):
            positive = {left.id: frozenset({kb.PATH})}
            return (positive, {}) if op == "==" else ({}, positive)
        if op in ("==", "!=", "is", "is not"):
            for subject, other in ((left, right), (right, left)):
                if isinstance(subject, ir.Name):
                    value = self.eval(other, env)
                    if value.has_const and not flat(value):
                        positive = {subject.id: kb.EVERYTHING}
                        return (positive, {}) if op in ("==", "is") else ({}, positive)
        return {}, {}

    def containment_subject(self, expr: ir.Expr, env: Env) -> Optional[str]:
        """``p`` for ``os.path.dirname(p)`` or ``os.path.commonpath([base, p])`` when ``p`` is a
        normalised path (``realpath``/``abspath``/``normpath``): comparing it with the base
        directory is the containment check."""
        if not isinstance(expr, ir.Call) or not expr.args:
            return None
        names = self.external_names(expr.func, env)
        candidates: list[ir.Expr] = []
        if names & {"os.path.dirname", "os.path.commonpath", "os.path.commonprefix"}:
            arg = expr.args[0]
            candidates = list(arg.elts) if isinstance(arg, ir.Seq) else [arg]
        for candidate in candidates:
            if isinstance(candidate, ir.Name) and self.is_normalised(candidate.id, env):
                return candidate.id
        return None

    def is_normalised(self, name: str, env: Env) -> bool:
        taint = flat(env.get(name, CLEAN))
        return bool(taint) and all(kinds >= _NORMALISED for _, kinds in taint)

    def netloc_subject(self, expr: ir.Expr, env: Env) -> Optional[str]:
        """``x`` for ``urlparse(x).netloc`` or ``parsed.netloc`` with ``parsed = urlparse(x)``."""
        if not isinstance(expr, ir.Attr) or expr.attr not in _NETLOC_ATTRIBUTES:
            return None
        base = expr.value
        if isinstance(base, ir.Name):
            return self.parsed_urls.get(base.id)
        if isinstance(base, ir.Call):
            return self.parsed_subject(base, env)
        return None

    def parsed_subject(self, call: ir.Call, env: Env) -> Optional[str]:
        if not call.args or not (self.external_names(call.func, env) & _URL_PARSERS):
            return None
        arg = call.args[0]
        if isinstance(arg, ir.Call) and self.external_names(arg.func, env) & {
            "urllib.parse.urljoin"
        }:
            arg = arg.args[-1] if arg.args else arg
        return arg.id if isinstance(arg, ir.Name) else None

    def call_refinements(self, call: ir.Call, env: Env) -> dict[str, frozenset[str]]:
        func = call.func
        if isinstance(func, ir.Attr) and func.attr in ("startswith", "is_relative_to"):
            subject = func.value
            if isinstance(subject, ir.Name) and self.is_normalised(subject.id, env):
                return {subject.id: frozenset({kb.PATH})}
        if isinstance(func, ir.Attr) and func.attr in kb.VALIDATING_METHODS:
            subject_name = _subject_name(func.value)
            return {subject_name: kb.EVERYTHING} if subject_name is not None else {}
        names = self.external_names(func, env)
        if names & {"re.fullmatch", "re.match"} and len(call.args) >= 2:
            pattern = self.eval(call.args[0], env)
            subject_name = _subject_name(call.args[1])
            if (
                subject_name is not None
                and isinstance(pattern.const, str)
                and _restrictive(pattern.const, "re.fullmatch" in names)
            ):
                return {subject_name: kb.EVERYTHING}
            return {}
        callee = self.eval(func, env)
        target = callee.ref
        if isinstance(target, FuncRef):
            summary = self.engine.summary(target.module, target.qualname)
            function = self.engine.project.function(target.module, target.qualname)
            if function is None or not summary.vouches:
                return {}
            out: dict[str, frozenset[str]] = {}
            for index, kinds in summary.vouches.items():
                if index >= len(function.params):
                    continue
                arg = call.argument(index, function.params[index].name)
                if isinstance(arg, ir.Name):
                    out[arg.id] = kinds
            return out
        return {}

    # -- binding --------------------------------------------------------------------------

    def bind(
        self, target: ir.Expr, value: Value, env: Env, loc: ir.Loc, source: Optional[ir.Expr]
    ) -> None:
        if isinstance(target, ir.Name):
            if flat(value) and len(value.taint) < 8:
                step = (self.path, loc.line, loc.col, f"assigned to `{target.id}`")
                value = value.replace(taint=with_step(value.taint, step))
            env[target.id] = value
            self.parsed_urls.pop(target.id, None)
            if isinstance(source, ir.Call):
                parsed = self.parsed_subject(source, env)
                if parsed is not None:
                    self.parsed_urls[target.id] = parsed
            return
        if isinstance(target, ir.Seq):
            self.unpack(target, value, env, loc)
            return
        if isinstance(target, ir.Starred):
            self.bind(target.value, Value(flat(value), kind="list"), env, loc, None)
            return
        if isinstance(target, ir.Attr):
            if isinstance(target.value, ir.Name):
                base_name = target.value.id
                if base_name not in env:
                    # ``g.user = ...``: followed within this function.
                    env[base_name] = self.eval(target.value, env)
                if base_name in env:
                    base = env[base_name]
                    attrs = dict(base.attrs or {})
                    attrs[target.attr] = value
                    env[base_name] = base.replace(attrs=attrs)
                    if base.kind == "self":
                        self.summary.self_writes[target.attr] = value
            return
        if isinstance(target, ir.Subscript):
            self.bind_item(target, value, env, loc)

    def unpack(self, target: ir.Seq, value: Value, env: Env, loc: ir.Loc) -> None:
        starred = any(isinstance(e, ir.Starred) for e in target.elts)
        if value.seq is not None and len(value.seq) == len(target.elts) and not starred:
            for sub, item in zip(target.elts, value.seq):
                self.bind(sub, item, env, loc, None)
            return
        item = element(value)
        for sub in target.elts:
            self.bind(sub, item, env, loc, None)

    def bind_item(self, target: ir.Subscript, value: Value, env: Env, loc: ir.Loc) -> None:
        base_expr = target.value
        key = self.eval(target.index, env)
        if isinstance(base_expr, ir.Attr) and base_expr.attr == "headers":
            owner = self.eval(base_expr.value, env)
            if _is_response(base_expr.value, owner):
                name = key.const if isinstance(key.const, str) else None
                self.header_sink(name, value, loc, render(target))
            return
        base = self.eval(base_expr, env)
        if base.ext == kb.SESSION:
            self.sink(kb.TRUST_BOUNDARY, value, loc, f"`{render(target)}`", render(target))
            return
        if isinstance(base_expr, ir.Name) and base_expr.id in env:
            env[base_expr.id] = with_item(base, key, value)

    # -- sinks ----------------------------------------------------------------------------

    def sink(self, kind: str, value: Value, loc: ir.Loc, shown: str, code: str) -> None:
        if kind == kb.PATH and value.kind in _FILE_OBJECTS:
            return  # an open file or upload passed where a path or a file is accepted
        taint = tainted_for(flat(value), kind)
        if not taint:
            return
        use = SinkUse(kind, self.path, loc, shown, self.scope, code, (("", ""), frozenset()), ())
        step = (self.path, loc.line, loc.col, f"reaches {shown}")
        for label, trace in taint.items():
            origin = label[0]
            full = extend(trace, (step,))
            if origin[0] == "src":
                self.engine.report(use, label, full)
            elif origin[0] == "par" and self.function is not None:
                self.summary.sinks.append(
                    SinkUse(kind, self.path, loc, shown, self.scope, code, label, full)
                )

    def header_sink(self, name: Optional[str], value: Value, loc: ir.Loc, code: str) -> None:
        shown = f"the `{name}` response header" if name is not None else "a response header"
        self.sink(kb.HEADER, value, loc, shown, code)
        if name is not None and name.lower() == "location":
            self.sink(kb.REDIRECT, value, loc, "the `Location` header", code)

    def headers_argument(self, value: Value, loc: ir.Loc, code: str) -> None:
        if value.items is not None:
            for key, item in value.items.items():
                self.header_sink(key if isinstance(key, str) else None, item, loc, code)
            if value.taint:
                self.header_sink(None, Value(value.taint), loc, code)
        elif value.seq is not None:
            for pair in value.seq:
                if pair.seq is not None and len(pair.seq) == 2:
                    name = pair.seq[0].const if isinstance(pair.seq[0].const, str) else None
                    self.header_sink(name, pair.seq[1], loc, code)
                else:
                    self.header_sink(None, pair, loc, code)
        else:
            self.header_sink(None, value, loc, code)

    def check_response_body(self, stmt: flow.ReturnStmt, value: Value) -> None:
        body = (
            value.seq[0] if value.seq is not None and value.kind == "tuple" and value.seq else value
        )
        if not _is_text(body):
            return
        self.sink(kb.XSS, body, stmt.loc, "the response body", _code(stmt.value))

    # -- expressions ----------------------------------------------------------------------

    def eval(self, expr: Optional[ir.Expr], env: Optional[Env] = None) -> Value:
        if expr is None:
            return CLEAN
        env = env if env is not None else {}
        if isinstance(expr, ir.Const):
            return Value(
                const=expr.value, kind="text" if isinstance(expr.value, (str, bytes)) else None
            )
        if isinstance(expr, ir.Name):
            found = env.get(expr.id)
            if found is not None:
                return found
            return self.engine.global_value(self.path, self.lookup_scope, expr.id)
        if isinstance(expr, ir.Attr):
            return self.attribute(self.eval(expr.value, env), expr.attr, expr)
        if isinstance(expr, ir.Call):
            return self.call(expr, env)
        if isinstance(expr, ir.Subscript):
            return self.subscript(self.eval(expr.value, env), self.eval(expr.index, env))
        if isinstance(expr, ir.BinOp):
            return self.binary(expr.op, self.eval(expr.left, env), self.eval(expr.right, env))
        if isinstance(expr, ir.FString):
            parts = [self.eval(p, env) for p in expr.parts]
            if all(p.has_const for p in parts):
                try:
                    return Value(const="".join(str(p.const) for p in parts), kind="text")
                except Exception:
                    return Value(kind="text")
            taint = merge(*(flat(p) for p in parts))
            if parts and isinstance(parts[0].const, str):
                taint = cleaned(taint, _fixed_host_cleans(parts[0].const))
            return Value(taint, kind="text")
        if isinstance(expr, ir.Converted):
            return Value(flat(self.eval(expr.value, env)), kind="text")
        if isinstance(expr, ir.BoolOp):
            return self.boolean(expr, env)
        if isinstance(expr, ir.Compare):
            return self.compare(expr, env)
        if isinstance(expr, ir.UnaryOp):
            operand = self.eval(expr.operand, env)
            if operand.has_const:
                try:
                    return Value(const=_UNARY[expr.op](operand.const))
                except Exception:
                    return CLEAN
            return CLEAN
        if isinstance(expr, ir.IfExp):
            test = self.eval(expr.test, env)
            if test.has_const:
                truth = _truthy(test.const)
                if truth is True:
                    return self.eval(expr.body, env)
                if truth is False:
                    return self.eval(expr.orelse, env)
            return join(self.eval(expr.body, env), self.eval(expr.orelse, env))
        if isinstance(expr, ir.Seq):
            return self.sequence(expr, env)
        if isinstance(expr, ir.DictExpr):
            return self.dictionary(expr, env)
        if isinstance(expr, ir.Comprehension):
            return self.comprehension(expr, env)
        if isinstance(expr, ir.Lambda):
            return Value(ref=("lambda", expr, dict(env)))
        if isinstance(expr, ir.Starred):
            return self.eval(expr.value, env)
        return CLEAN

    def sequence(self, expr: ir.Seq, env: Env) -> Value:
        items = [self.eval(e, env) for e in expr.elts]
        if any(isinstance(e, ir.Starred) for e in expr.elts):
            return Value(merge(*(flat(i) for i in items)), kind="list")
        if all(i.has_const for i in items) and not any(flat(i) for i in items):
            try:
                constant: Any = tuple(i.const for i in items)
                if expr.kind == "set":
                    constant = frozenset(constant)
                return Value(
                    const=constant,
                    seq=tuple(items),
                    kind=expr.kind if expr.kind == "tuple" else "list",
                )
            except TypeError:
                pass
        return Value(
            seq=tuple(items[:MAX_ITEMS]), kind=expr.kind if expr.kind == "tuple" else "list"
        )

    def dictionary(self, expr: ir.DictExpr, env: Env) -> Value:
        items: dict[Any, Value] = {}
        taint: Taint = EMPTY
        complete = True
        for key_expr, value_expr in zip(expr.keys, expr.values):
            value = self.eval(value_expr, env)
            if key_expr is None:
                if value.items is not None:
                    items.update(value.items)
                    taint = merge(taint, value.taint)
                    complete = complete and value.complete
                else:
                    taint = merge(taint, flat(value))
                    complete = False
                continue
            key = self.eval(key_expr, env)
            if key.has_const and _hashable(key.const) and len(items) < MAX_ITEMS:
                items[key.const] = value
            else:
                taint = merge(taint, flat(value), flat(key))
                complete = False
        return Value(taint, items=items, kind="dict", complete=complete)

    def comprehension(self, expr: ir.Comprehension, env: Env) -> Value:
        inner = dict(env)
        for target, iterable in expr.generators:
            item = element(self.eval(iterable, inner))
            self.bind(target, item, inner, _NOWHERE, None)
        taint = flat(self.eval(expr.elt, inner))
        if expr.key is not None:
            taint = merge(taint, flat(self.eval(expr.key, inner)))
        return Value(taint, kind="dict" if expr.kind == "dict" else "list")

    def boolean(self, expr: ir.BoolOp, env: Env) -> Value:
        out: Optional[Value] = None
        for operand in expr.values:
            value = self.eval(operand, env)
            if value.has_const:
                truth = _truthy(value.const)
                if truth is not None and truth == (expr.op == "or"):
                    return value if out is None else join(out, value)
                if truth is not None:
                    continue
            out = value if out is None else join(out, value)
        return out if out is not None else CLEAN

    def compare(self, expr: ir.Compare, env: Env) -> Value:
        left = self.eval(expr.left, env)
        result: Any = True
        for op, comparator in zip(expr.ops, expr.comparators):
            right = self.eval(comparator, env)
            if not (left.has_const and right.has_const):
                return CLEAN
            try:
                outcome = _COMPARE[op](left.const, right.const)
            except Exception:
                return CLEAN
            result = result and outcome
            left = right
        return Value(const=bool(result))

    def binary(self, op: str, left: Value, right: Value) -> Value:
        if left.has_const and right.has_const and not flat(left) and not flat(right):
            try:
                result = _binary_constant(op, left.const, right.const)
                if result is not NO_CONST:
                    return Value(
                        const=result, kind="text" if isinstance(result, (str, bytes)) else None
                    )
            except Exception:
                pass
        if op == "%" and left.kind == "markup":
            return Value(
                merge(left.taint, cleaned(flat(right), frozenset({kb.XSS}))), kind="markup"
            )
        if op == "+" and left.seq is not None and right.seq is not None:
            return Value(merge(left.taint, right.taint), seq=left.seq + right.seq, kind="list")
        if op == "/" and (left.kind == "path" or right.kind == "path"):
            return Value(merge(flat(left), flat(right)), kind="path")
        if op in ("+", "%") and isinstance(left.const, str):
            host_fixed = _fixed_host_cleans(left.const)
            if host_fixed:
                return Value(cleaned(merge(flat(left), flat(right)), host_fixed), kind="text")
        if op in ("+", "%", "*", "|"):
            kind = (
                left.kind
                if left.kind in ("text", "list", "dict")
                else "text"
                if op == "%"
                else right.kind
            )
            return Value(merge(flat(left), flat(right)), kind=kind)
        if op == "/":
            return Value(merge(flat(left), flat(right)))
        return CLEAN

    def subscript(self, base: Value, index: Value) -> Value:
        key = index.const if index.has_const else NO_CONST
        if base.items is not None:
            if key is not NO_CONST and _hashable(key) and key in base.items:
                return base.items[key]
            if base.complete:
                out: Optional[Value] = None
                for item in base.items.values():
                    out = join(out, item)
                if key is NO_CONST or out is not None:
                    return join(out, Value(base.taint)) if base.taint else (out or CLEAN)
                return Value(base.taint)
            if key is not NO_CONST:
                return Value(base.taint, kind=_item_kind(base.kind))
            return Value(flat(base), kind=_item_kind(base.kind))
        if base.seq is not None:
            if (
                isinstance(key, int)
                and not isinstance(key, bool)
                and -len(base.seq) <= key < len(base.seq)
            ):
                return base.seq[key]
            if key is NO_CONST and isinstance(index.ref, tuple):
                return Value(flat(base), kind=base.kind)
            return (
                element(base)
                if key is not NO_CONST or index.kind != "slice"
                else Value(flat(base), kind=base.kind)
            )
        if base.has_const and key is not NO_CONST:
            try:
                return Value(const=base.const[key])
            except Exception:
                return CLEAN
        if base.kind == "configparser" or base.ext is not None:
            return CLEAN
        taint = flat(base)
        if not taint:
            return CLEAN
        return Value(taint, kind=_item_kind(base.kind) or ("text" if base.kind == "text" else None))

    def attribute(self, base: Value, attr: str, expr: ir.Attr) -> Value:
        if base.attrs and attr in base.attrs:
            return base.attrs[attr]
        if base.ext is not None:
            name = _canonical(f"{base.ext}.{attr}")
            if base.ext == kb.REQUEST:
                return self.request_attribute(attr, expr)
            if name in self.engine.extra_sources:
                return self.source_value(name, expr, None)
            return Value(ext=name, kind=base.kind if base.kind == "instance" else None)
        if base.attrs and attr in base.attrs:
            return base.attrs[attr]
        if base.kind == "path":
            found = self.path_attribute(base, attr)
            if found is not None:
                return found
        if isinstance(base.ref, ModRef):
            return self.engine.global_value(base.ref.path, "", attr)
        if isinstance(base.ref, ClassRef) and base.kind not in ("self", "instance"):
            method = self.engine.method_of(base.ref, attr)
            if method is not None:
                return Value(ref=method)
            return CLEAN
        if isinstance(base.ref, ClassRef) and base.kind in ("self", "instance"):
            method = self.engine.method_of(base.ref, attr)
            if method is not None:
                facts = self.engine.project.function(method.module, method.qualname)
                if facts is not None and _decorated(facts, "staticmethod"):
                    return Value(ref=method)
                if facts is not None and _decorated(facts, "classmethod"):
                    return Value(ref=("method", method, Value(ref=base.ref)))
                return Value(ref=("method", method, base))
        if not base.taint:
            return CLEAN
        taint: Taint = {}
        for (origin, kinds), trace in base.taint.items():
            if origin[0] == "par":
                path = origin[2]
                if len(path) < MAX_PATH:
                    origin = ("par", origin[1], (*path, attr))
            taint[(origin, kinds)] = trace
        kind = {"filename": "text", "stream": "stream", "string": "text"}.get(attr)
        if base.kind == "self":
            kind = None
        return Value(taint, kind=kind)

    def path_attribute(self, base: Value, attr: str) -> Optional[Value]:
        if attr in ("parent", "parents", "anchor"):
            return Value(base.taint, kind="path")
        if attr in ("name", "stem", "suffix"):
            return Value(cleaned(base.taint, frozenset({kb.PATH})), kind="text")
        return None

    def request_attribute(self, attr: str, expr: ir.Expr) -> Value:
        shape = kb.REQUEST_ATTRIBUTES.get(attr)
        if shape is not None:
            return self.source_value(f"request.{attr}", expr, shape)
        if attr in kb.REQUEST_METHODS:
            return Value(ext=f"{kb.REQUEST}.{attr}")
        return CLEAN

    def source_value(self, description: str, expr: ir.Expr, shape: Optional[str]) -> Value:
        loc = _loc_of(expr)
        if loc.line == 0:
            loc = self.current_loc
        step: Step = (self.path, loc.line, loc.col, f"`{description}` is attacker-controlled")
        return Value({(("src", f"`{description}`"), frozenset()): (step,)}, kind=shape)

    # -- calls ----------------------------------------------------------------------------

    def call(self, call: ir.Call, env: Env) -> Value:
        func = call.func
        receiver: Optional[Value] = None
        if isinstance(func, ir.Attr):
            receiver = self.eval(func.value, env)
            callee = self.attribute(receiver, func.attr, func)
        else:
            callee = self.eval(func, env)
        args = [self.eval(a, env) for a in call.args]
        kwargs = {k: self.eval(v, env) for k, v in call.kwargs if k is not None}
        star_kwargs = [self.eval(v, env) for k, v in call.kwargs if k is None]

        ref = callee.ref
        if isinstance(ref, FuncRef) and self.engine.is_extra_source(ref):
            return self.source_value(f"{render(func)}()", call, None)
        if ref is not None:
            return self.project_call(call, ref, receiver, args, kwargs, star_kwargs, env)
        names = self.call_names(call, callee, receiver, env)
        for name in names:
            if name in kb.ABORTS:
                raise _Abort
        result = self.external_call(call, names, receiver, args, kwargs, star_kwargs, env)
        return result

    def call_names(
        self, call: ir.Call, callee: Value, receiver: Optional[Value], env: Env
    ) -> set[str]:
        if callee.ext is not None:
            return {callee.ext}
        func = call.func
        if receiver is not None and isinstance(func, ir.Attr):
            if receiver.ext is not None or receiver.kind is not None or flat(receiver):
                return set()
            if not isinstance(func.value, (ir.Name, ir.Attr)):
                return set()
            if func.attr in _RESOLVE_METHODS:
                return self.external_names(func, env)
        return set()

    def external_names(self, func: ir.Expr, env: Env) -> set[str]:
        if isinstance(func, ir.Name) and func.id in env:
            value = env[func.id]
            return {value.ext} if value.ext is not None else set()
        if isinstance(func, ir.Attr) and isinstance(func.value, ir.Name) and func.value.id in env:
            value = env[func.value.id]
            return {_canonical(f"{value.ext}.{func.attr}")} if value.ext is not None else set()
        names: set[str] = set()
        for inferred in self.engine.resolver.infer(func, Frame(self.path, self.lookup_scope)):
            if isinstance(inferred, ExtRef):
                names.add(_canonical(inferred.name))
            elif isinstance(inferred, Member) and isinstance(inferred.instance.cls, str):
                names.add(_canonical(f"{inferred.instance.cls}.{inferred.name}"))
        return names

    def project_call(
        self,
        call: ir.Call,
        ref: Any,
        receiver: Optional[Value],
        args: list[Value],
        kwargs: dict[str, Value],
        star_kwargs: list[Value],
        env: Env,
    ) -> Value:
        if isinstance(ref, tuple) and ref and ref[0] == "lambda":
            _, lam, closure = ref
            inner = dict(closure)
            for name, value in zip(lam.params, args):
                inner[name] = value
            return self.eval(lam.body, inner)
        if isinstance(ref, tuple) and ref and ref[0] == "partial":
            _, target, bound_args, bound_kwargs = ref
            merged_kwargs = {**bound_kwargs, **kwargs}
            if target.ref is not None:
                return self.project_call(
                    call, target.ref, None, [*bound_args, *args], merged_kwargs, star_kwargs, env
                )
            return Value(merge(*(flat(a) for a in [*bound_args, *args])))
        if isinstance(ref, tuple) and ref and ref[0] == "method":
            _, method, self_value = ref
            return self.apply(
                call,
                method,
                [self_value, *args],
                kwargs,
                star_kwargs,
                env,
                receiver_expr=call.func.value if isinstance(call.func, ir.Attr) else None,
            )
        if isinstance(ref, FuncRef):
            return self.apply(call, ref, args, kwargs, star_kwargs, env)
        if isinstance(ref, ClassRef):
            instance = Value(kind="instance", ref=ref)
            init = self.engine.method_of(ref, "__init__")
            if init is not None:
                summary = self.engine.summary(init.module, init.qualname)
                self.apply(call, init, [instance, *args], kwargs, star_kwargs, env)
                attrs = {
                    name: self.substitute_value(value, init, [instance, *args], kwargs, call)
                    for name, value in summary.self_writes.items()
                }
                return Value(kind="instance", ref=ref, attrs=attrs)
            return instance
        return CLEAN

    def bound_arguments(
        self, function: FunctionFacts, args: list[Value], kwargs: dict[str, Value]
    ) -> list[Value]:
        bound: list[Value] = []
        positional = [p for p in function.params if p.kind == "positional"]
        for index, param in enumerate(function.params):
            if param.kind == "varargs":
                extra = args[len(positional) :]
                bound.append(
                    Value(merge(*(flat(a) for a in extra)), kind="tuple", seq=tuple(extra))
                )
            elif param.kind == "varkw":
                known = {p.name for p in function.params}
                extra_kw = {k: v for k, v in kwargs.items() if k not in known}
                bound.append(Value(items=extra_kw, kind="dict", complete=True))
            elif param.name in kwargs:
                bound.append(kwargs[param.name])
            elif param.kind == "positional" and index < len(args):
                bound.append(args[index])
            elif param.default is not None:
                bound.append(self.engine_default(param.default))
            else:
                bound.append(CLEAN)
        return bound

    def engine_default(self, default: ir.Expr) -> Value:
        if isinstance(default, ir.Const):
            return Value(const=default.value)
        return CLEAN

    def apply(
        self,
        call: ir.Call,
        ref: FuncRef,
        args: list[Value],
        kwargs: dict[str, Value],
        star_kwargs: list[Value],
        env: Env,
        receiver_expr: Optional[ir.Expr] = None,
    ) -> Value:
        function = self.engine.project.function(ref.module, ref.qualname)
        if function is None:
            return CLEAN
        if star_kwargs:
            extra = merge(*(flat(v) for v in star_kwargs))
            if extra:
                args = [a.replace(taint=merge(a.taint, extra)) for a in args]
        summary = self.engine.summary(ref.module, ref.qualname)
        bound = self.bound_arguments(function, args, kwargs)
        step = (self.path, call.loc.line, call.loc.col, f"passed to `{function.name}()`")
        for use in summary.sinks:
            origin = use.label[0]
            if origin[0] != "par" or origin[1] >= len(bound):
                continue
            argument = _along(bound[origin[1]], origin[2])
            for label, trace in tainted_for(flat(argument), use.kind).items():
                if use.kind in use.label[1]:
                    continue
                kinds = label[1] | use.label[1]
                if use.kind in kinds:
                    continue
                full = extend(extend(trace, (step,)), use.trace)
                if label[0][0] == "src":
                    self.engine.report(use, label, full)
                elif label[0][0] == "par" and self.function is not None:
                    self.summary.sinks.append(
                        SinkUse(
                            use.kind,
                            use.path,
                            use.loc,
                            use.sink,
                            use.scope,
                            use.code,
                            (label[0], kinds),
                            full,
                        )
                    )
        if summary.self_writes and receiver_expr is not None and isinstance(receiver_expr, ir.Name):
            name = receiver_expr.id
            if name in env and env[name].kind in ("instance", "self"):
                current = env[name]
                attrs = dict(current.attrs or {})
                for attr, value in summary.self_writes.items():
                    attrs[attr] = self.substitute_value(value, ref, args, kwargs, call)
                env[name] = current.replace(attrs=attrs)
                if current.kind == "self":
                    for attr in summary.self_writes:
                        self.summary.self_writes[attr] = attrs[attr]
        return self.substitute_value(summary.returns, ref, args, kwargs, call, bound)

    def substitute_value(
        self,
        value: Value,
        ref: FuncRef,
        args: list[Value],
        kwargs: dict[str, Value],
        call: ir.Call,
        bound: Optional[list[Value]] = None,
        depth: int = 0,
    ) -> Value:
        if bound is None:
            function = self.engine.project.function(ref.module, ref.qualname)
            if function is None:
                return CLEAN
            bound = self.bound_arguments(function, args, kwargs)
        if depth > 3:
            return Value(self.substitute(flat(value), bound, call))
        taint = self.substitute(value.taint, bound, call)
        items = (
            {
                k: self.substitute_value(v, ref, args, kwargs, call, bound, depth + 1)
                for k, v in value.items.items()
            }
            if value.items is not None
            else None
        )
        seq = (
            tuple(
                self.substitute_value(v, ref, args, kwargs, call, bound, depth + 1)
                for v in value.seq
            )
            if value.seq is not None
            else None
        )
        attrs = (
            {
                k: self.substitute_value(v, ref, args, kwargs, call, bound, depth + 1)
                for k, v in value.attrs.items()
            }
            if value.attrs
            else None
        )
        kind = value.kind if value.kind != "self" else None
        return Value(
            taint,
            const=value.const,
            kind=kind,
            items=items,
            seq=seq,
            attrs=attrs,
            ext=value.ext,
            ref=value.ref if not isinstance(value.ref, tuple) else None,
            complete=value.complete,
        )

    def substitute(self, taint: Taint, bound: list[Value], call: ir.Call) -> Taint:
        if not taint:
            return taint
        out: list[Taint] = []
        step = (self.path, call.loc.line, call.loc.col, "returned by the call")
        for (origin, kinds), trace in taint.items():
            if origin[0] == "src":
                out.append({(origin, kinds): extend(trace, (step,))})
                continue
            if origin[0] != "par" or origin[1] >= len(bound):
                continue
            argument = flat(_along(bound[origin[1]], origin[2]))
            out.append(cleaned(argument, kinds))
        return merge(*out)

    def external_call(
        self,
        call: ir.Call,
        names: set[str],
        receiver: Optional[Value],
        args: list[Value],
        kwargs: dict[str, Value],
        star_kwargs: list[Value],
        env: Env,
    ) -> Value:
        func = call.func
        method = func.attr if isinstance(func, ir.Attr) else None
        code = _code(call)
        for name in sorted(names):
            spec = kb.FUNCTION_SINKS.get(name)
            if spec is not None:
                self.check_sink(spec, call, name, args, kwargs, receiver, code)
        if method is not None and receiver is not None and not names & kb.FUNCTION_SINKS.keys():
            self.method_sinks(call, method, receiver, args, kwargs, code, env)
        if receiver is not None and method is not None and receiver.ext is None:
            result = self.value_method(call, method, receiver, args, kwargs, env)
            if result is not None:
                return result
        for name in names:
            if name in (f"{kb.REQUEST}.get_json", f"{kb.REQUEST}.get_data"):
                shape = kb.REQUEST_METHODS[name.rsplit(".", 1)[1]]
                return self.source_value(f"request.{name.rsplit('.', 1)[1]}()", call, shape)
            if name in self.engine.extra_sources:
                return self.source_value(f"{name}()", call, None)
            if name == "functools.partial" and args:
                return Value(ref=("partial", args[0], tuple(args[1:]), kwargs))
            sanitised = kb.SANITISERS.get(name)
            if sanitised is not None:
                if sanitised == kb.EVERYTHING:
                    return CLEAN
                return Value(cleaned(merge(*(flat(a) for a in args)), sanitised), kind="text")
            if name in ("markupsafe.Markup", "flask.Markup", "jinja2.Markup"):
                return Value(kind="markup")
            if name == "lxml.etree.XMLParser":
                return Value(kind=self.lxml_parser_kind(kwargs))
            typed = kb.TYPED_CONSTRUCTORS.get(name)
            if typed is not None:
                taint = merge(*(flat(a) for a in args)) if typed in ("path", "list") else EMPTY
                seq = (
                    tuple(args[0].seq)
                    if typed == "list" and args and args[0].seq is not None
                    else None
                )
                return Value(
                    taint, kind=typed, seq=seq, items={} if typed == "configparser" else None
                )
            if name in kb.PROPAGATORS:
                taint = merge(*(flat(a) for a in args), *(flat(v) for v in kwargs.values()))
                if name in kb.PATH_NORMALISERS:
                    taint = cleaned(taint, _NORMALISED)
                if name in ("builtins.list", "builtins.tuple") and args and args[0].seq is not None:
                    return Value(args[0].taint, seq=args[0].seq, kind="list")
                return Value(taint, kind=_propagated_kind(name, args))
        if names:
            return Value(ext=sorted(names)[0], kind="instance")
        return CLEAN

    def lxml_parser_kind(self, kwargs: dict[str, Value]) -> str:
        resolve = kwargs.get("resolve_entities")
        network = kwargs.get("no_network")
        if (resolve is not None and resolve.const is True) or (
            network is not None and network.const is False
        ):
            return "xxe-parser"
        if resolve is not None and resolve.const is False:
            return "safe-parser"
        return "default-parser"

    # -- values' own methods ----------------------------------------------------------------

    def value_method(
        self,
        call: ir.Call,
        method: str,
        receiver: Value,
        args: list[Value],
        kwargs: dict[str, Value],
        env: Env,
    ) -> Optional[Value]:
        func = call.func
        assert isinstance(func, ir.Attr)
        owner = func.value
        if receiver.kind == "markup" and method == "format":
            return Value(
                merge(
                    receiver.taint,
                    cleaned(
                        merge(*(flat(a) for a in args), *(flat(v) for v in kwargs.values())),
                        frozenset({kb.XSS}),
                    ),
                ),
                kind="markup",
            )
        if receiver.kind == "configparser":
            return self.config_method(method, receiver, args, owner, env)
        if receiver.kind == "sax-parser" and method == "setFeature" and len(args) >= 2:
            feature = call.args[0]
            name = (
                feature.attr
                if isinstance(feature, ir.Attr)
                else feature.id
                if isinstance(feature, ir.Name)
                else args[0].const
            )
            if args[1].const is True and name in (
                "feature_external_ges",
                "http://xml.org/sax/features/external-general-entities",
            ):
                self.update(owner, receiver.replace(kind="sax-parser-xxe"), env)
            return CLEAN
        mutated = self.mutation(method, receiver, args)
        if mutated is not None:
            new_receiver, result = mutated
            self.update(owner, new_receiver, env)
            return result
        if method in kb.CLEAN_METHODS:
            return CLEAN
        if method == "get" and (receiver.items is not None or flat(receiver)):
            type_arg = kwargs.get("type")
            if type_arg is not None and type_arg.ext in kb.SAFE_TYPE_NAMES:
                return CLEAN
            default = args[1] if len(args) > 1 else kwargs.get("default", Value(const=None))
            key = args[0] if args else CLEAN
            found = (
                self.subscript(receiver, key)
                if receiver.items is not None
                else Value(flat(receiver), kind=_item_kind(receiver.kind) or "text")
            )
            return join(found, default)
        if method in ("getlist", "getall") and flat(receiver):
            type_arg = kwargs.get("type")
            if type_arg is not None and type_arg.ext in kb.SAFE_TYPE_NAMES:
                return CLEAN
            return Value(
                flat(receiver), kind="filestorages" if receiver.kind == "files" else "list"
            )
        if method in kb.STRING_METHODS:
            taint = flat(receiver)
            if method in ("join", "format", "format_map", "replace"):
                taint = merge(taint, *(flat(a) for a in args), *(flat(v) for v in kwargs.values()))
            if method in ("format", "format_map") and isinstance(receiver.const, str):
                taint = cleaned(taint, _fixed_host_cleans(receiver.const))
            if method == "replace" and len(args) >= 2 and isinstance(args[0].const, str):
                taint = cleaned(taint, _replace_cleans(args[0].const, args[1].const, taint))
            if not taint:
                if (
                    receiver.has_const
                    and all(a.has_const for a in args)
                    and method in ("lower", "upper", "strip", "format", "join", "replace")
                ):
                    try:
                        return Value(
                            const=getattr(receiver.const, method)(*(a.const for a in args)),
                            kind="text",
                        )
                    except Exception:
                        return CLEAN
                return CLEAN
            kind = (
                "list"
                if method in ("split", "rsplit", "splitlines", "partition", "rpartition")
                else "text"
            )
            return Value(taint, kind=kind)
        if method in (
            "read",
            "readline",
            "readlines",
            "getvalue",
            "decode",
            "items",
            "values",
            "keys",
            "copy",
            "to_dict",
            "lstrip",
            "tobytes",
            "getone",
            "geturl",
            "get_data",
        ):
            taint = flat(receiver)
            return (
                Value(
                    taint,
                    kind="text"
                    if method not in ("items", "values", "keys", "copy", "to_dict")
                    else receiver.kind,
                )
                if taint
                else CLEAN
            )
        if (
            method in ("find", "findall", "findtext", "iterfind", "getroot", "getroottree")
            and receiver.kind == "xml"
        ):
            return Value(kind="xml")
        if (
            method in ("joinpath", "with_name", "with_suffix", "resolve", "absolute", "expanduser")
            and receiver.kind == "path"
        ):
            return Value(merge(flat(receiver), *(flat(a) for a in args)), kind="path")
        taint = flat(receiver)
        if taint and receiver.kind not in ("self", "instance"):
            return Value(cleaned(taint, frozenset({kb.SQL_FRAGMENT})))
        return None

    def config_method(
        self, method: str, receiver: Value, args: list[Value], owner: ir.Expr, env: Env
    ) -> Value:
        items = dict(receiver.items or {})
        if method == "set" and len(args) >= 3:
            section, option = args[0].const, args[1].const
            if _hashable(section) and _hashable(option):
                current = items.get(section, Value(items={}, kind="dict"))
                entries = dict(current.items or {})
                entries[option] = args[2]
                items[section] = current.replace(items=entries)
                self.update(owner, receiver.replace(items=items), env)
            else:
                self.update(
                    owner, receiver.replace(taint=merge(receiver.taint, flat(args[2]))), env
                )
            return CLEAN
        if method in ("get", "getint", "getfloat", "getboolean") and len(args) >= 2:
            if method != "get":
                return CLEAN
            section = self.subscript(receiver, args[0])
            return self.subscript(section, args[1])
        if method in ("read_string", "read_dict", "read_file"):
            self.update(
                owner, receiver.replace(taint=merge(receiver.taint, *(flat(a) for a in args))), env
            )
        return CLEAN

    def mutation(
        self, method: str, receiver: Value, args: list[Value]
    ) -> Optional[tuple[Value, Value]]:
        """``(new receiver, result)`` for container methods that change the receiver."""
        seq = receiver.seq
        if method in ("append", "appendleft", "insert", "extend", "add") and args:
            item = args[-1]
            if seq is not None and method == "append":
                return receiver.replace(seq=(*seq, item)), CLEAN
            if seq is not None and method == "appendleft":
                return receiver.replace(seq=(item, *seq)), CLEAN
            if seq is not None and method == "insert" and isinstance(args[0].const, int):
                values = list(seq)
                values.insert(args[0].const, item)
                return receiver.replace(seq=tuple(values)), CLEAN
            if seq is not None and method == "extend" and item.seq is not None:
                return receiver.replace(seq=seq + item.seq), CLEAN
            if (
                receiver.kind in ("list", "tuple", "dict")
                or seq is not None
                or method in ("append", "appendleft", "extend", "add")
            ):
                return receiver.replace(taint=merge(receiver.taint, flat(item)), seq=None), CLEAN
            return None
        if method in ("pop", "popleft") and seq is not None:
            if method == "popleft":
                position: Any = 0
            else:
                position = args[0].const if args else -1
            if isinstance(position, int) and seq and -len(seq) <= position < len(seq):
                values = list(seq)
                popped = values.pop(position)
                return receiver.replace(seq=tuple(values)), popped
            return receiver.replace(seq=None, taint=flat(receiver)), element(receiver)
        if method == "pop" and receiver.items is not None and args:
            key = args[0].const
            items = dict(receiver.items)
            if _hashable(key) and key in items:
                popped = items.pop(key)
                default = args[1] if len(args) > 1 else None
                return receiver.replace(items=items), join(popped, default) if default else popped
            return None
        if method == "remove" and seq is not None and args:
            for position, item in enumerate(seq):
                if item.has_const and args[0].has_const and item.const == args[0].const:
                    return receiver.replace(seq=seq[:position] + seq[position + 1 :]), CLEAN
            return receiver.replace(seq=None, taint=flat(receiver)), CLEAN
        if method in ("update", "setdefault") and receiver.items is not None and args:
            items = dict(receiver.items)
            if method == "setdefault":
                key = args[0].const
                if _hashable(key) and len(args) > 1:
                    if key in items:
                        return receiver, items[key]
                    items[key] = args[1]
                    return receiver.replace(items=items), args[1]
                return None
            other = args[0]
            if other.items is not None:
                items.update(other.items)
                return receiver.replace(
                    items=items, taint=merge(receiver.taint, other.taint)
                ), CLEAN
            return receiver.replace(taint=merge(receiver.taint, flat(other)), complete=False), CLEAN
        if method in ("clear",):
            return receiver.replace(
                taint=EMPTY,
                seq=() if seq is not None else None,
                items={} if receiver.items is not None else None,
            ), CLEAN
        if method in ("reverse", "sort") and seq is not None:
            return receiver.replace(seq=None, taint=flat(receiver)), CLEAN
        return None

    def update(self, owner: ir.Expr, value: Value, env: Env) -> None:
        if isinstance(owner, ir.Name) and owner.id in env:
            env[owner.id] = value
        elif (
            isinstance(owner, ir.Attr)
            and isinstance(owner.value, ir.Name)
            and owner.value.id in env
        ):
            base = env[owner.value.id]
            attrs = dict(base.attrs or {})
            attrs[owner.attr] = value
            env[owner.value.id] = base.replace(attrs=attrs)
            if base.kind == "self":
                self.summary.self_writes[owner.attr] = value

    # -- sink checks ----------------------------------------------------------------------

    def check_sink(
        self,
        spec: kb.Sink,
        call: ir.Call,
        name: str,
        args: list[Value],
        kwargs: dict[str, Value],
        receiver: Optional[Value],
        code: str,
    ) -> None:
        shown = _shown(name)
        special = spec.special
        loc = call.loc
        if special == "template":
            self.template_sink(call, args, kwargs, shown, code)
            return
        if special == "log":
            values = args[1:] if name.rstrip("`").endswith((".log", ".log()")) else args
            if values and isinstance(values[0].const, str) and _repr_only(values[0].const):
                return
            self.sink(spec.kind, Value(merge(*(flat(v) for v in values))), loc, shown, code)
            return
        if special == "positional":
            for positional in args:
                self.sink(spec.kind, positional, loc, shown, code)
            return
        if special == "receiver":
            if receiver is not None:
                self.sink(spec.kind, receiver, loc, shown, code)
            return
        value: Optional[Value] = _argument(spec, args, kwargs)
        if special == "response":
            headers = kwargs.get("headers")
            if headers is None and name == "flask.make_response" and len(args) >= 3:
                headers = args[2]
            if headers is not None:
                self.headers_argument(headers, loc, code)
            for keyword in ("mimetype", "content_type"):
                declared = kwargs.get(keyword)
                if (
                    declared is not None
                    and isinstance(declared.const, str)
                    and declared.const.lower().startswith(kb.NON_HTML_MIMETYPE_PREFIXES)
                ):
                    return
            if value is None and name == "flask.make_response" and args:
                value = args[0]
            if value is not None and value.seq is not None and value.kind == "tuple" and value.seq:
                value = value.seq[0]
            if value is None or not _is_text(value):
                return
        if value is None:
            return
        if special == "subprocess":
            shell = kwargs.get("shell")
            if shell is not None and shell.has_const and shell.const:
                self.sink(spec.kind, value, loc, shown, code)
            elif value.seq is not None:
                if value.seq:
                    self.sink(
                        spec.kind,
                        value.seq[0],
                        loc,
                        f"{shown} as the program to run (argv[0])",
                        code,
                    )
            elif value.kind == "text" or (value.kind is None and not value.seq):
                self.sink(spec.kind, value, loc, shown, code)
            return
        if special == "argv":
            self.sink(spec.kind, value.seq[0] if value.seq else value, loc, shown, code)
            return
        if special == "yaml":
            loader = kwargs.get("Loader")
            loader_expr = call.keyword("Loader") or (call.args[1] if len(call.args) > 1 else None)
            if loader_expr is not None:
                last = (
                    loader_expr.attr
                    if isinstance(loader_expr, ir.Attr)
                    else loader_expr.id
                    if isinstance(loader_expr, ir.Name)
                    else ""
                )
                if last in kb.SAFE_YAML_LOADERS or (
                    loader is not None
                    and loader.ext
                    and loader.ext.rsplit(".", 1)[-1] in kb.SAFE_YAML_LOADERS
                ):
                    return
            self.sink(spec.kind, value, loc, shown, code)
            return
        if special == "numpy":
            allow = kwargs.get("allow_pickle")
            if allow is not None and allow.const is True:
                self.sink(spec.kind, value, loc, shown, code)
            return
        if special == "lxml":
            parser = kwargs.get("parser") or (args[1] if len(args) > 1 else None)
            kind = parser.kind if parser is not None else "default-parser"
            if kind == "xxe-parser" or (
                kind == "default-parser" and self.engine.lxml_default_unsafe()
            ):
                self.sink(spec.kind, value, loc, shown, code)
            return
        if special == "parser-argument":
            parser = kwargs.get("parser") or (args[1] if len(args) > 1 else None)
            if parser is not None and parser.kind == "sax-parser-xxe":
                self.sink(spec.kind, value, loc, shown, code)
            return
        if special == "sax":
            if receiver is not None and receiver.kind == "sax-parser-xxe":
                self.sink(spec.kind, value, loc, shown, code)
            return
        self.sink(spec.kind, value, loc, shown, code)

    def method_sinks(
        self,
        call: ir.Call,
        method: str,
        receiver: Value,
        args: list[Value],
        kwargs: dict[str, Value],
        code: str,
        env: Env,
    ) -> None:
        func = call.func
        assert isinstance(func, ir.Attr)
        owner_text = _code(func.value)
        shown = f"`{_short(owner_text)}.{method}()`"
        typed = kb.TYPED_METHOD_SINKS.get((receiver.kind or "", method))
        if typed is None and method in kb.LOG_LEVELS and _is_logger(func.value, receiver):
            typed = kb.TYPED_METHOD_SINKS[("logger", method)]
        if typed is not None:
            self.check_sink(typed, call, shown, args, kwargs, receiver, code)
            return
        if (
            isinstance(func.value, ir.Attr)
            and func.value.attr == "headers"
            and method in ("add", "set", "setdefault", "add_header", "extend")
        ):
            owner = self.eval(func.value.value, env)
            if _is_response(func.value.value, owner):
                if len(args) >= 2:
                    name = args[0].const if isinstance(args[0].const, str) else None
                    self.header_sink(name, args[1], call.loc, code)
                elif args:
                    self.headers_argument(args[0], call.loc, code)
            return
        spec = kb.METHOD_SINKS.get(method)
        if spec is None or receiver.kind in (
            "xml",
            "path",
            "text",
            "list",
            "dict",
            "mapping",
            "json",
        ):
            return
        if spec.kind != kb.SQL_FRAGMENT and any(o[0] == "src" for o, _ in flat(receiver)):
            return  # a method of attacker data itself (a string's ``find``), not an API
        if spec.kind == kb.SQL and args and args[0].kind in _OBJECT_KINDS:
            return  # ``executor.execute(context)``: a command object, not SQL text
        self.check_sink(spec, call, shown, args, kwargs, receiver, code)

    def template_sink(
        self, call: ir.Call, args: list[Value], kwargs: dict[str, Value], shown: str, code: str
    ) -> None:
        name_value = args[0] if args else kwargs.get("template_name_or_list")
        if name_value is None:
            return
        names = (
            [name_value.const]
            if isinstance(name_value.const, str)
            else [v.const for v in (name_value.seq or ()) if isinstance(v.const, str)]
        )
        raw: set[str] = set()
        for name in names:
            raw |= self.raw_variables(name, set())
        if not raw:
            return
        context: dict[str, Value] = dict(kwargs)
        for key, value in call.kwargs:
            if key is None:
                mapping = self.eval(value, {})
                for k, v in (mapping.items or {}).items():
                    if isinstance(k, str):
                        context.setdefault(k, v)
        for variable in sorted(raw):
            printed = context.get(variable)
            if printed is not None:
                self.sink(
                    kb.XSS,
                    printed,
                    call.loc,
                    f"{shown}, whose template prints `{variable}` unescaped",
                    code,
                )

    def raw_variables(self, name: str, seen: set[str]) -> set[str]:
        if name in seen or len(seen) > 20:
            return set()
        seen.add(name)
        template = self.engine.project.template(name, near=self.path)
        if template is None:
            return set()
        found = set(template.raw_variables)
        for other in (*template.extends, *template.includes):
            found |= self.raw_variables(other, seen)
        return found


_NOWHERE = ir.Loc(0, 0, 0, 0)
_RESOLVE_METHODS = frozenset(
    {
        "search",
        "find",
        "findall",
        "findtext",
        "iterfind",
        "info",
        "debug",
        "warning",
        "warn",
        "error",
        "critical",
        "exception",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "request",
        "urlopen",
        "parse",
        "from_string",
        "save",
        "open",
        "read_text",
        "write_text",
        "read_bytes",
    }
)
_UNARY: dict[str, Callable[[Any], Any]] = {
    "not": lambda v: not v,
    "-": lambda v: -v,
    "+": lambda v: +v,
    "~": lambda v: ~v,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "is": lambda a, b: a is b,
    "is not": lambda a, b: a is not b,
}


def _binary_constant(op: str, left: Any, right: Any) -> Any:
    if op in ("*", "**", "<<") and (
        isinstance(left, (str, bytes, tuple))
        or isinstance(right, (str, bytes, tuple))
        or (isinstance(right, int) and abs(right) > 64)
    ):
        if (
            op == "*"
            and isinstance(right, int)
            and right < 1000
            and isinstance(left, (str, bytes))
            and len(left) < 1000
        ):
            return left * right
        return NO_CONST
    operations = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
        "//": lambda a, b: a // b,
        "%": lambda a, b: a % b,
        "**": lambda a, b: a**b,
        "&": lambda a, b: a & b,
        "|": lambda a, b: a | b,
        "^": lambda a, b: a ^ b,
    }
    operation = operations.get(op)
    return operation(left, right) if operation is not None else NO_CONST


def join_envs(a: Optional[Env], b: Optional[Env]) -> Optional[Env]:
    if a is None:
        return b
    if b is None or a is b:
        return a
    out = dict(a)
    for name, value in b.items():
        known = out.get(name)
        out[name] = value if known is None else join(known, value)
    return out


def with_item(base: Value, key: Value, value: Value) -> Value:
    if (
        base.seq is not None
        and isinstance(key.const, int)
        and -len(base.seq) <= key.const < len(base.seq)
    ):
        values = list(base.seq)
        values[key.const] = value
        return base.replace(seq=tuple(values))
    if key.has_const and _hashable(key.const) and (base.items is not None or not flat(base)):
        items = dict(base.items or {})
        if len(items) < MAX_ITEMS:
            items[key.const] = value
            return base.replace(items=items, kind=base.kind or "dict", const=NO_CONST)
    return base.replace(taint=merge(base.taint, flat(value)), complete=False)


def _along(value: Value, path: tuple[str, ...]) -> Value:
    for attr in path:
        if value.attrs and attr in value.attrs:
            value = value.attrs[attr]
        else:
            return Value(flat(value))
    return value


def _union(maps: Iterable[dict[str, frozenset[str]]]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for mapping in maps:
        for name, kinds in mapping.items():
            out[name] = out.get(name, frozenset()) | kinds
    return out


def _constant_container(value: Value) -> bool:
    if value.has_const:
        return True
    if value.seq is not None:
        return all(v.has_const and not flat(v) for v in value.seq)
    if value.items is not None:
        return value.complete
    return False


def _restrictive(pattern: str, full: bool) -> bool:
    """An anchored pattern of letters, digits and a few literal separators: whatever it
    accepts cannot carry quotes, slashes runs, dots sequences or markup."""
    body = pattern
    if body.startswith("^"):
        body = body[1:]
    elif not full:
        return False
    if body.endswith("$") or body.endswith("\\Z"):
        body = body[:-1] if body.endswith("$") else body[:-2]
    elif not full:
        return False
    body = _ESCAPED_LITERAL.sub("", body)
    body = _SAFE_CLASS.sub("", body)
    return (
        bool(_SAFE_REGEX.fullmatch(body))
        and "\\S" not in body
        and "\\W" not in body
        and "\\s" not in body
        and "[" not in body
    )


_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?([a-zA-Z%])")


def _repr_only(template: str) -> bool:
    """A ``%``-style log message whose every placeholder is ``%r`` (escaped by ``repr``)."""
    conversions = [m.group(1) for m in _PLACEHOLDER.finditer(template) if m.group(1) != "%"]
    return bool(conversions) and all(c == "r" for c in conversions)


_HTML_ENTITIES = {"<": "xss:<", ">": "xss:>", "&": "xss:&"}


def _replace_cleans(old: str, new: Any, taint: Taint) -> frozenset[str]:
    """What ``.replace(old, new)`` cleans: CR/LF removal cleans logs and headers; a project
    escape helper's chain of ``&``, ``<`` and ``>`` replacements by entities cleans HTML."""
    kinds: set[str] = set()
    if "\n" in old or "\r" in old:
        kinds |= {kb.LOG, kb.HEADER}
    marker = _HTML_ENTITIES.get(old)
    if marker is not None and isinstance(new, str) and new.startswith("&"):
        kinds.add(marker)
        done = set.intersection(*(set(label[1]) for label in taint)) if taint else set()
        if {"xss:<", "xss:>"} <= done | kinds:
            kinds.add(kb.XSS)
    return frozenset(kinds)


_RESPONSE_NAME = re.compile(r"(?:^|_)(?:resp|response|res|rv)$")


def _is_response(expr: ir.Expr, value: Value) -> bool:
    """Whether ``expr.headers`` belongs to a response (made by Flask or Werkzeug, or named
    like one, as the argument of an ``after_request`` hook is), not to a request or a client."""
    if value.ext is not None:
        return value.ext.startswith(kb.RESPONSE_FACTORIES)
    if value.kind == "response":
        return True
    name = expr.id if isinstance(expr, ir.Name) else expr.attr if isinstance(expr, ir.Attr) else ""
    return bool(_RESPONSE_NAME.search(name))


def _subject_name(expr: ir.Expr) -> Optional[str]:
    """The variable a check is about: ``x`` in ``x``, ``x.lower()``, ``x.strip()``."""
    while isinstance(expr, ir.Call) and isinstance(expr.func, ir.Attr) and not expr.args:
        if expr.func.attr not in ("lower", "upper", "strip", "lstrip", "rstrip", "casefold"):
            return None
        expr = expr.func.value
    return expr.id if isinstance(expr, ir.Name) else None


_FIXED_HOST = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#{}%]+[/?#]")


def _fixed_host_cleans(prefix: str) -> frozenset[str]:
    """A URL built after ``https://host/`` stays on that host: not an open redirect or SSRF
    to a host of the attacker's choosing."""
    if _FIXED_HOST.match(prefix):
        return frozenset({kb.REDIRECT, kb.SSRF})
    return frozenset()


def _truthy(value: Any) -> Optional[bool]:
    try:
        return bool(value)
    except Exception:
        return None


def _is_empty(value: Any) -> bool:
    try:
        return (
            isinstance(value, (str, bytes, tuple, list, frozenset, set, dict)) and len(value) == 0
        )
    except Exception:
        return False


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return value is not NO_CONST


def _is_text(value: Value) -> bool:
    return value.kind not in (
        "mapping",
        "json",
        "list",
        "dict",
        "files",
        "filestorage",
        "filestorages",
        "instance",
        "markup",
        "response",
        "stream",
        "object",
        "tuple",
    )


def _decorated(function: FunctionFacts, name: str) -> bool:
    return any(isinstance(d, ir.Name) and d.id == name for d in function.decorators)


_OBJECT_KINDS = frozenset(
    {"instance", "self", "mapping", "dict", "list", "files", "filestorage", "stream", "object"}
)
_NORMALISED = frozenset({"path-normalised"})
_FILE_OBJECTS = frozenset({"stream", "filestorage", "filestorages"})


def _item_kind(kind: Optional[str]) -> Optional[str]:
    return {
        "files": "filestorage",
        "mapping": "text",
        "json": "json",
        "filestorages": "filestorage",
    }.get(kind or "")


def _propagated_kind(name: str, args: list[Value]) -> Optional[str]:
    if name in ("json.loads", "json.load"):
        return "json"
    if name in ("io.BytesIO", "io.StringIO", "tempfile.SpooledTemporaryFile"):
        return "stream"
    if name.startswith("pathlib."):
        return "path"
    if name in (
        "builtins.list",
        "builtins.tuple",
        "builtins.sorted",
        "builtins.set",
        "builtins.frozenset",
        "collections.deque",
    ):
        return "list"
    if name in ("builtins.dict", "collections.OrderedDict", "urllib.parse.parse_qs"):
        return "dict"
    if name in ("urllib.request.Request",):
        return "object"
    return "text"


def _argument(spec: kb.Sink, args: list[Value], kwargs: dict[str, Value]) -> Optional[Value]:
    out: Optional[Value] = None
    for position, keyword in spec.arguments:
        value: Optional[Value] = None
        if keyword is not None and keyword in kwargs:
            value = kwargs[keyword]
        elif position is not None and position < len(args):
            value = args[position]
        if value is not None:
            out = value if out is None else join(out, value)
    return out


def _is_logger(expr: ir.Expr, value: Value) -> bool:
    if value.kind == "logger" or (value.ext is not None and value.ext.endswith(".logger")):
        return True
    if value.kind is not None and value.kind != "instance":
        return False
    if isinstance(expr, ir.Name):
        return expr.id in kb.LOGGER_NAMES
    if isinstance(expr, ir.Attr):
        return expr.attr in ("logger", "log", "_logger", "LOG", "LOGGER")
    if isinstance(expr, ir.Call):
        func = expr.func
        return isinstance(func, ir.Attr) and func.attr == "getLogger"
    return False


def _shown(name: str) -> str:
    if name.endswith("`"):
        return name
    return f"`{name.removeprefix('builtins.')}()`"


def _short(text: str) -> str:
    return text if len(text) <= 40 else "…" + text[-39:]


def _code(expr: Optional[ir.Expr]) -> str:
    if expr is None:
        return ""
    try:
        return render(expr)
    except Exception:
        return ""


def _loc_of(expr: ir.Expr) -> ir.Loc:
    node = expr
    while True:
        if isinstance(node, ir.Call):
            return node.loc
        if isinstance(node, ir.Attr):
            node = node.value
            continue
        if isinstance(node, ir.Subscript):
            node = node.value
            continue
        return _NOWHERE


def taint_flows(project: Project) -> list[TaintFlow]:
    """Every attacker flow into a sink in the project, computed once per scan."""

    def compute() -> list[TaintFlow]:
        return TaintEngine(project, project.extra_taint_sources).run()

    return project.cached("taint-flows", compute)


def flows_of_kind(project: Project, kind: str) -> Iterator[TaintFlow]:
    for found in taint_flows(project):
        if found.kind == kind:
            yield found


def _converter_registrations(module: ModuleFacts) -> tuple[Assignment, ...]:
    """``x.converters["name"] = ...``."""
    return tuple(
        a
        for a in module.assignments
        if isinstance(a.target, ir.Subscript)
        and isinstance(a.target.value, ir.Attr)
        and a.target.value.attr == "converters"
        and isinstance(a.target.index, ir.Const)
        and isinstance(a.target.index.value, str)
    )


def request_readers(module: ModuleFacts) -> tuple[str, ...]:
    """The functions of a module that may read the request themselves: those that mention a
    name the module binds to Flask's, Quart's or Werkzeug's ``request`` or to one of those
    packages (any function, after a star import of them). The others get attacker data only
    from their callers, which pass it in, or from callees that read it, whose callers are
    analysed once those are found to return it (``_callers_of_sources``)."""
    names: set[str] = set()
    star = False
    for binding in module.imports:
        top = binding.module.split(".", 1)[0]
        if top in ("flask", "quart", "werkzeug") and binding.attr in (None, "request", "*"):
            if binding.attr == "*":
                star = True
            else:
                names.add(binding.name)
    if not names and not star:
        return ()
    return tuple(
        f.qualname for f in module.functions if star or not names.isdisjoint(ir.names_in(f))
    )
