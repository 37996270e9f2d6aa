"""Execution context: which calls run when a module is imported, and which when it is run.

Two *worlds* are explored. In the ``import`` world every module's top-level code runs with
``__name__`` set to the module's own name (what gunicorn, uWSGI, waitress or a test runner
do); ``__main__.py`` files never run there. In the ``main`` world a module is run as a script
(``__name__ == "__main__"``). Guards are decided by constant evaluation in the world's frame,
so every spelling of the ``__main__`` test, ``if False:``, ``or``/``and`` combinations and
module constants are handled by one mechanism.

From the top-level call sites, calls are followed into project functions (with parameters
bound to the caller's arguments), methods, constructors (``__init__``) and thread or process
targets that are started, transitively and across modules, with a bounded budget.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from flaskguard.analysis.constants import ConstantEvaluator
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite, FunctionFacts, Guard
from flaskguard.knowledge.frameworks import THREAD_STARTERS
from flaskguard.model.objects import ClassRef, FuncRef, Instance, Member, ObjectResolver
from flaskguard.model.project import Frame, Project, site_frame

MAX_CHAIN = 12
MAX_VISITS = 2_000_000
MAX_BINDINGS_PER_FUNCTION = 4
_UNSET = object()


class Reach(enum.IntEnum):
    NO = 0
    MAYBE = 1
    YES = 2


@dataclass(frozen=True)
class ChainStep:
    """A call on the way from a top-level statement to the call of interest."""

    module: str
    site: CallSite
    callee: str  # qualified name of the function it enters
    via_thread: bool = False


@dataclass(frozen=True)
class ReachedCall:
    site: CallSite
    frame: Frame  # the frame the call runs in (module, scope, world, bound parameters)
    reach: Reach
    chain: tuple[ChainStep, ...]


@dataclass(frozen=True)
class Callee:
    module: str
    function: FunctionFacts
    frame: Frame
    via_thread: bool


class ExecutionContext:
    def __init__(
        self, project: Project, resolver: ObjectResolver, evaluator: ConstantEvaluator
    ) -> None:
        self.project = project
        self.resolver = resolver
        self.evaluator = evaluator
        self._truths: dict[tuple[int, Frame], object] = {}
        self._reached: dict[str, list[ReachedCall]] = {}

    def guard_reach(self, guards: tuple[Guard, ...], frame: Frame) -> Reach:
        reach = Reach.YES
        for guard in guards:
            key = (id(guard), frame)
            truth = self._truths.get(key, _UNSET)
            if truth is _UNSET:
                truth = self.evaluator.truth(guard.test, frame, environment_known=False)
                self._truths[key] = truth
            if truth is None:
                reach = min(reach, Reach.MAYBE)
            elif truth != guard.branch:
                return Reach.NO
        return reach

    def reached_calls(self, world: str) -> list[ReachedCall]:
        """Every call that runs in ``world``, from every module's top level, with its chain.

        One traversal per world: a function is explored again only when it is reached with a
        higher reach, or with other bound arguments (at most :data:`MAX_BINDINGS_PER_FUNCTION`
        variants, then without bindings), so the cost stays linear in the project's size.
        """
        cached = self._reached.get(world)
        if cached is not None:
            return cached
        reached: list[ReachedCall] = []
        best: dict[Frame, Reach] = {}
        variants: dict[tuple[str, str], int] = {}
        stack: list[tuple[Frame, Reach, tuple[ChainStep, ...]]] = [
            (Frame(module.path, "", world), Reach.YES, ())
            for module in reversed(self.project.modules)
            if not (world == "import" and module.is_main_module)
        ]
        visits = 0
        while stack and visits < MAX_VISITS:
            frame, reach, chain = stack.pop()
            if best.get(frame, Reach.NO) >= reach:
                continue
            function_key = (frame.module, frame.scope)
            if frame not in best and frame.bindings:
                variants[function_key] = variants.get(function_key, 0) + 1
                if variants[function_key] > MAX_BINDINGS_PER_FUNCTION:
                    frame = Frame(frame.module, frame.scope, frame.world)
                    if best.get(frame, Reach.NO) >= reach:
                        continue
            best[frame] = reach
            for site in self.project.calls_in_scope(frame.module, frame.scope):
                visits += 1
                here = site_frame(frame, site)
                site_reach = min(reach, self.guard_reach(site.guards, here))
                if site_reach == Reach.NO:
                    continue
                reached.append(ReachedCall(site, here, site_reach, chain))
                if len(chain) >= MAX_CHAIN:
                    continue
                for callee in self.callees(site, here):
                    step = ChainStep(
                        frame.module, site, callee.function.qualname, callee.via_thread
                    )
                    stack.append((callee.frame, site_reach, (*chain, step)))
        self._reached[world] = reached
        return reached

    def callees(self, site: CallSite, frame: Frame) -> Iterator[Callee]:
        """The project functions a call enters (directly, or as a started thread's target)."""
        for value in self.resolver.infer(site.call.func, frame):
            started = self.started_target(value)
            if started is not None:
                call, target, target_frame = started
                yield from self._enter(target, call, target_frame, True)
            else:
                yield from self._enter_value(value, site.call, frame, False)

    def started_target(self, value: object) -> Optional[tuple[ir.Call, ir.Expr, Frame]]:
        """For ``thread.start()`` (or ``.run()``): the call the thread makes, and its frame.

        The thread object is resolved to the ``Thread(...)`` call that created it, wherever
        that is, so ``t = Thread(target=f)`` at import with ``t.start()`` under a guard runs
        ``f`` only under the guard.
        """
        if not (isinstance(value, Member) and value.name in ("start", "run")):
            return None
        instance = value.instance
        if not isinstance(instance.cls, str) or instance.origin is None:
            return None
        starter = THREAD_STARTERS.get(instance.cls)
        if starter is None:
            return None
        path, line, col = instance.origin
        creation = self.project.call_at(path, line, col)
        if creation is None:
            return None
        target = creation.call.argument(starter[0], starter[1])
        if target is None:
            return None
        frame = site_frame(Frame(path, creation.scope), creation)
        return thread_call(creation.call, target), target, frame

    def _enter(
        self, target: ir.Expr, call: ir.Call, frame: Frame, via_thread: bool
    ) -> Iterator[Callee]:
        for value in self.resolver.infer(target, frame):
            yield from self._enter_value(value, call, frame, via_thread)

    def _enter_value(
        self, value: object, call: ir.Call, frame: Frame, via_thread: bool
    ) -> Iterator[Callee]:
        function: Optional[FunctionFacts] = None
        module = ""
        bound_self: Optional[Instance] = None
        if isinstance(value, FuncRef):
            module = value.module
            function = self.project.function(value.module, value.qualname)
            bound_self = value.bound_self
        elif isinstance(value, ClassRef):
            module = value.module
            function = self.project.function(value.module, f"{value.qualname}.__init__")
            bound_self = Instance(value)
        if function is None or self.resolver.is_cli_command(function, frame):
            return
        callee_frame = self.resolver.callee_frame(function, module, call, frame, bound_self)
        yield Callee(module, function, callee_frame, via_thread)


def thread_call(call: ir.Call, target: ir.Expr) -> ir.Call:
    """The call a started thread makes: ``target(*args, **kwargs)`` of ``Thread(...)``."""
    args: tuple[ir.Expr, ...] = ()
    kwargs: tuple[tuple[Optional[str], ir.Expr], ...] = ()
    arguments = call.keyword("args")
    if isinstance(arguments, ir.Seq):
        args = arguments.elts
    keywords = call.keyword("kwargs")
    if isinstance(keywords, ir.DictExpr):
        kwargs = tuple(
            (k.value, v)
            for k, v in zip(keywords.keys, keywords.values)
            if isinstance(k, ir.Const) and isinstance(k.value, str)
        )
    elif isinstance(keywords, ir.Call) and ir.dotted_name(keywords.func) == "dict":
        kwargs = keywords.kwargs
    return ir.Call(target, args, kwargs, call.loc, ())
