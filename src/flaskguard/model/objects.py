"""What an expression *is*: object resolution over the project model.

``infer`` maps an expression in a frame to the set of abstract objects it may evaluate to:
external library objects by canonical name (``flask.Flask``), project modules, functions and
classes, and instances with the place they were created. Receivers are identified this way —
by origin, not by variable name — so ``application.run()``, ``create_app().run()`` and
``self.run()`` in a ``Flask`` subclass are all recognised.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Optional, Union

from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, CallSite, FunctionFacts, ModuleFacts
from flaskguard.knowledge.frameworks import (
    CANONICAL_NAMES,
    CLI_DECORATOR_ATTRIBUTES,
    CLI_DECORATOR_ROOTS,
    INSTANCE_FACTORIES,
    KNOWN_ATTRIBUTES,
    KNOWN_SUBCLASSES,
)
from flaskguard.model.project import (
    ClassBinding,
    ExprBinding,
    Frame,
    FunctionBinding,
    ImportedBinding,
    ParameterBinding,
    Project,
    site_frame,
)

MAX_DEPTH = 14
MAX_BINDING_DEPTH = 2


@dataclass(frozen=True)
class ExtRef:
    """An object of an external library (module, class or function), by canonical name."""

    name: str


@dataclass(frozen=True)
class ModRef:
    path: str


@dataclass(frozen=True)
class FuncRef:
    module: str
    qualname: str
    bound_self: Optional[Instance] = None


@dataclass(frozen=True)
class ClassRef:
    module: str
    qualname: str


@dataclass(frozen=True)
class Instance:
    cls: Union[str, ClassRef]  # canonical external class name, or a project class
    origin: Optional[tuple[str, int, int]] = None  # (module path, line, column) of creation


@dataclass(frozen=True)
class Member:
    """An attribute of an instance that the model does not resolve further (``app.run``)."""

    instance: Instance
    name: str


Value = Union[ExtRef, ModRef, FuncRef, ClassRef, Instance, Member]


def canonical(name: str) -> str:
    return CANONICAL_NAMES.get(name, name)


class ObjectResolver:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._memo: dict[tuple[int, Frame], tuple[ir.Expr, frozenset[Value]]] = {}
        # Hundreds of thousands of inferences share a few thousand distinct answers: one
        # object each keeps the memo's memory in proportion to the answers, not the questions.
        self._answers: dict[frozenset[Value], frozenset[Value]] = {}
        self._external_bases: dict[ClassRef, frozenset[str]] = {}
        self._active: set[tuple[int, Frame]] = set()
        self._callers_by_target: dict[str, dict[tuple[str, str], list[tuple[CallSite, Frame]]]] = {}

    # -- public ---------------------------------------------------------------------------

    def infer(self, expr: ir.Expr, frame: Frame, depth: int = 0) -> frozenset[Value]:
        # Keyed by identity: expressions are deep trees, and the memo pins each one so that
        # its id cannot be reused while the entry exists.
        key = (id(expr), frame)
        cached = self._memo.get(key)
        if cached is not None:
            return cached[1]
        if key in self._active or depth > MAX_DEPTH:
            return frozenset()
        self._active.add(key)
        try:
            found = frozenset(self._infer(expr, frame, depth + 1))
        finally:
            self._active.discard(key)
        result = self._answers.setdefault(found, found)
        self._memo[key] = (expr, result)
        return result

    def is_a(self, value: Value, class_name: str) -> bool:
        """Whether ``value`` is an instance of the external class ``class_name`` (or a subclass)."""
        return isinstance(value, Instance) and self.class_is(value.cls, class_name)

    def class_is(self, cls: Union[str, ClassRef], class_name: str) -> bool:
        if isinstance(cls, str):
            return cls == class_name or KNOWN_SUBCLASSES.get(cls) == class_name
        return any(self.class_is(base, class_name) for base in self.external_bases(cls))

    def external_bases(self, cls: ClassRef) -> frozenset[str]:
        """The library classes ``cls`` derives from, through project classes up to
        :data:`MAX_DEPTH` levels up (canonical names). Computed once per class: the model
        asks whether a class is an app, a blueprint or one of dozens of extensions."""
        found = self._external_bases.get(cls)
        if found is not None:
            return found
        names: set[str] = set()
        seen = {cls}
        level = [cls]
        for _ in range(MAX_DEPTH + 1):
            above: list[ClassRef] = []
            for current in level:
                facts = self.project.cls(current.module, current.qualname)
                if facts is None:
                    continue
                frame = Frame(current.module, facts.scope)
                for base in facts.bases:
                    for value in self.infer(base, frame):
                        if isinstance(value, ExtRef):
                            names.add(canonical(value.name))
                        elif isinstance(value, ClassRef) and value not in seen:
                            seen.add(value)
                            above.append(value)
            level = above
        found = frozenset(names)
        self._external_bases[cls] = found
        return found

    def external_class_of(
        self, cls: Union[str, ClassRef], candidates: tuple[str, ...]
    ) -> Optional[str]:
        for candidate in candidates:
            if self.class_is(cls, candidate):
                return candidate
        return None

    def callee_frame(
        self,
        function: FunctionFacts,
        module: str,
        call: ir.Call,
        caller: Frame,
        bound_self: Optional[Instance],
    ) -> Frame:
        """The frame of ``function`` with its parameters bound to the call's arguments."""
        bindings: list[tuple[str, ir.Expr, Frame]] = []
        positional = [p for p in function.params if p.kind == "positional"]
        if bound_self is not None and positional:
            positional = positional[1:]
        for parameter, argument in zip(positional, call.args):
            if isinstance(argument, ir.Starred):
                break
            bindings.append((parameter.name, argument, caller))
        names = {p.name for p in function.params if p.kind in ("positional", "keyword")}
        for key, argument in call.kwargs:
            if key is not None and key in names:
                bindings.append((key, argument, caller))
        # ``__name__`` is the callee module's own name unless it is the module run as a script.
        world = caller.world if module == caller.module else "import"
        return Frame(module, function.qualname, world, tuple(bindings))

    def calls_to(self, names: Collection[str]) -> Iterator[tuple[str, CallSite, Frame]]:
        """Every call, anywhere in the project, of one of the external callables ``names``
        (canonical names), with the frame its arguments are evaluated in."""
        for path, site, frame in self.candidate_calls(names):
            if any(
                isinstance(value, ExtRef) and canonical(value.name) in names
                for value in self.infer(site.call.func, frame)
            ):
                yield path, site, frame

    def candidate_calls(
        self, names: Collection[str], *, or_project_classes: bool = False
    ) -> Iterator[tuple[str, CallSite, Frame]]:
        """The calls that may be of one of the external callables ``names`` (dotted names),
        found without inference, with their frames: the others cannot be.

        A method or module attribute keeps the callable's own name, so an attribute callee
        must end in the last part of one of ``names``. A bare name can be an alias under any
        name (``from os import getenv as env``, ``pick = random.choice``), but only one that
        the module binds by an import or an assignment, or may get from a star import; a name
        bound only by a parameter, a ``def`` or a ``class`` is skipped. Resolving what callers
        pass for every parameter that is called would cost more, in a large project, than the
        rules that ask.

        With ``or_project_classes``, calls of project classes (by their own name) pass too:
        they may construct a subclass of one of ``names``.
        """
        last_parts = {name.rsplit(".", 1)[-1] for name in names}
        class_names: frozenset[str] = frozenset()
        if or_project_classes:
            class_names = frozenset(c.name for m in self.project.modules for c in m.classes)
            last_parts |= class_names
        for path, site in self.project.call_candidates(
            last_parts, aliased_name_calls, names=class_names
        ):
            yield path, site, site_frame(Frame(path, site.scope), site)

    def self_instance(self, frame: Frame, function: FunctionFacts) -> Optional[Instance]:
        if function.class_qualname is None or not function.params:
            return None
        if any(ir.dotted_name(d) in ("staticmethod", "classmethod") for d in function.decorators):
            return None
        return Instance(ClassRef(frame.module, function.class_qualname))

    def is_cli_command(self, function: FunctionFacts, frame: Frame) -> bool:
        for decorator in function.decorators:
            target = decorator.func if isinstance(decorator, ir.Call) else decorator
            if isinstance(target, ir.Attr) and target.attr in CLI_DECORATOR_ATTRIBUTES:
                return True
            for value in self.infer(target, Frame(frame.module, function.scope)):
                if isinstance(value, ExtRef) and value.name.startswith(CLI_DECORATOR_ROOTS):
                    return True
        return False

    # -- inference ------------------------------------------------------------------------

    def _infer(self, expr: ir.Expr, frame: Frame, depth: int) -> set[Value]:
        if isinstance(expr, ir.Name):
            return self._infer_name(expr.id, frame, depth)
        if isinstance(expr, ir.Attr):
            result: set[Value] = set()
            for value in self.infer(expr.value, frame, depth):
                result.update(self._attribute(value, expr.attr, depth))
            return result
        if isinstance(expr, ir.Call):
            result = set()
            for value in self.infer(expr.func, frame, depth):
                result.update(self._call(value, expr, frame, depth))
            return result
        if (
            isinstance(expr, ir.Subscript)
            and isinstance(expr.value, ir.Call)
            and isinstance(expr.index, ir.Const)
            and isinstance(expr.index.value, int)
        ):
            return self._returned_item(expr.value, expr.index.value, frame, depth)
        if isinstance(expr, ir.IfExp):
            return set(self.infer(expr.body, frame, depth)) | set(
                self.infer(expr.orelse, frame, depth)
            )
        if isinstance(expr, ir.BoolOp):
            result = set()
            for operand in expr.values:
                result.update(self.infer(operand, frame, depth))
            return result
        return set()

    def _returned_item(self, call: ir.Call, index: int, frame: Frame, depth: int) -> set[Value]:
        """Item ``index`` of the tuples a project function returns (``return app, db``)."""
        result: set[Value] = set()
        for value in self.infer(call.func, frame, depth):
            if not isinstance(value, FuncRef):
                continue
            function = self.project.function(value.module, value.qualname)
            if function is None:
                continue
            callee = Frame(value.module, function.qualname, frame.world)
            for returned in function.returns:
                if isinstance(returned, ir.Seq) and index < len(returned.elts):
                    result.update(self.infer(returned.elts[index], callee, depth))
        return result

    def _infer_name(self, name: str, frame: Frame, depth: int) -> set[Value]:
        bound = frame.bound(name)
        if bound is not None:
            return set(self.infer(bound[0], bound[1], depth))
        result: set[Value] = set()
        for binding in self.project.lookup(frame, name):
            if isinstance(binding, ExprBinding):
                target_frame = Frame(binding.frame.module, binding.frame.scope, frame.world)
                if binding.frame.scope == frame.scope and binding.frame.module == frame.module:
                    target_frame = frame
                result.update(self.infer(binding.expr, target_frame, depth))
            elif isinstance(binding, FunctionBinding):
                result.add(FuncRef(binding.module, binding.function.qualname))
            elif isinstance(binding, ClassBinding):
                result.add(ClassRef(binding.module, binding.cls.qualname))
            elif isinstance(binding, ImportedBinding):
                result.update(self._imported(binding, depth))
            elif isinstance(binding, ParameterBinding):
                instance = (
                    self.self_instance(frame, binding.function) if binding.index == 0 else None
                )
                if instance is not None:
                    result.add(instance)
                elif frame.depth == 0:
                    result.update(self._argument_values(binding, depth))
        return result

    def _argument_values(self, binding: ParameterBinding, depth: int) -> set[Value]:
        """What callers pass for a parameter the frame does not bind: ``def init(app):``
        called as ``init(app)`` from a factory makes ``app`` the factory's application."""
        parameter = binding.parameter
        if parameter.kind not in ("positional", "keyword"):
            return set()
        function = binding.function
        is_method = function.class_qualname is not None and not any(
            ir.dotted_name(d) == "staticmethod" for d in function.decorators
        )
        result: set[Value] = set()
        for site, frame in self.callers_of(binding.module, function, depth):
            position: Optional[int] = None
            if parameter.kind == "positional":
                position = binding.index - 1 if is_method else binding.index
                if position < 0:
                    continue  # ``cls`` of a classmethod
            argument = site.call.argument(position, parameter.name)
            if argument is not None:
                result.update(self.infer(argument, frame, depth))
        return result

    def callers_of(
        self, module: str, function: FunctionFacts, depth: int = 0
    ) -> Iterator[tuple[CallSite, Frame]]:
        """Every call of a project function, with the frame its arguments are evaluated in."""
        # The calls of every function with this name are resolved together, once: asking
        # for the callers of each parameter of each ``get`` must not re-resolve every
        # ``.get(...)`` call of the project.
        by_target = self._callers_by_target.get(function.name)
        if by_target is None:
            by_target = {}
            self._callers_by_target[function.name] = by_target
            for path, site in self.project.calls_named(function.name):
                frame = site_frame(Frame(path, site.scope), site)
                for callee in self.infer(site.call.func, frame, depth):
                    if isinstance(callee, FuncRef):
                        key = (callee.module, callee.qualname)
                        by_target.setdefault(key, []).append((site, frame))
        yield from by_target.get((module, function.qualname), ())

    def _imported(self, binding: ImportedBinding, depth: int) -> set[Value]:
        module = self.project.module(binding.module)
        target = self.project.absolute_import(module, binding.binding)
        attr = binding.binding.attr
        if attr is None:
            found = self.project.find_module(target, module)
            return {ModRef(found.path)} if found is not None else {ExtRef(canonical(target))}
        found = self.project.find_module(target, module) if target else None
        if found is None:
            submodule = self.project.find_module(f"{target}.{attr}" if target else attr, module)
            if submodule is not None:
                return {ModRef(submodule.path)}
            if not target:
                return set()
            return {ExtRef(canonical(f"{target}.{attr}"))}
        # ``from . import views`` in a package's own ``__init__`` names its submodule.
        values = (
            set() if found.path == module.path else self._module_attribute(found.path, attr, depth)
        )
        if not values:
            submodule = self.project.find_module(f"{found.module_name}.{attr}", module)
            if submodule is not None:
                return {ModRef(submodule.path)}
        return values

    def _module_attribute(self, path: str, attr: str, depth: int) -> set[Value]:
        return set(self.infer(ir.Name(attr), Frame(path, ""), depth))

    def _attribute(self, value: Value, attr: str, depth: int) -> set[Value]:
        if isinstance(value, ExtRef):
            return {ExtRef(canonical(f"{value.name}.{attr}"))}
        if isinstance(value, ModRef):
            found = self._module_attribute(value.path, attr, depth)
            if found:
                return found
            module = self.project.module(value.path)
            submodule = self.project.find_module(f"{module.module_name}.{attr}", module)
            return {ModRef(submodule.path)} if submodule is not None else set()
        if isinstance(value, ClassRef):
            return self._class_attribute(value, attr, None, depth)
        if isinstance(value, Instance):
            if isinstance(value.cls, str):
                known = KNOWN_ATTRIBUTES.get((value.cls, attr))
                if known is not None:
                    return {Instance(known, value.origin)}
                return {Member(value, attr)}
            found = self._class_attribute(value.cls, attr, value, depth)
            return found if found else {Member(value, attr)}
        return set()

    def _class_attribute(
        self, cls: ClassRef, attr: str, instance: Optional[Instance], depth: int, seen: int = 0
    ) -> set[Value]:
        facts = self.project.cls(cls.module, cls.qualname)
        if facts is None or seen > MAX_DEPTH:
            return set()
        if attr in facts.methods:
            return {FuncRef(cls.module, f"{cls.qualname}.{attr}", instance)}
        frame = Frame(cls.module, facts.scope)
        for name, expr, _ in reversed(facts.attributes):
            if name == attr:
                return set(self.infer(expr, frame, depth))
        if instance is not None:
            found = self._instance_attribute(cls, attr, depth)
            if found:
                return found
        for base in facts.bases:
            for base_value in self.infer(base, frame, depth):
                if isinstance(base_value, ClassRef):
                    found = self._class_attribute(base_value, attr, instance, depth, seen + 1)
                    if found:
                        return found
        return set()

    def _instance_attribute(self, cls: ClassRef, attr: str, depth: int) -> set[Value]:
        """Values assigned to ``self.<attr>`` in the class's methods."""
        result: set[Value] = set()
        prefix = cls.qualname + "."
        module = self.project.module(cls.module)
        for assignment in self.project.view_entry(module, self_assignments, attr) or ():
            if assignment.scope.startswith(prefix):
                frame = Frame(cls.module, assignment.scope)
                result.update(self.infer(assignment.value, frame, depth))
        return result

    def _call(self, value: Value, call: ir.Call, frame: Frame, depth: int) -> set[Value]:
        origin = (frame.module, call.loc.line, call.loc.col)
        if isinstance(value, ExtRef):
            name = canonical(value.name)
            factory = INSTANCE_FACTORIES.get(name)
            return {Instance(factory or name, origin)}
        if isinstance(value, ClassRef):
            return {Instance(value, origin)}
        if isinstance(value, FuncRef):
            function = self.project.function(value.module, value.qualname)
            if function is None:
                return set()
            # Most functions return the same kind of object whatever their arguments (a
            # factory): infer that once; bind the arguments only when it depends on them.
            plain = Frame(value.module, function.qualname, frame.world)
            result: set[Value] = set()
            for returned in function.returns:
                result.update(self.infer(returned, plain, depth))
            if result or frame.depth >= MAX_BINDING_DEPTH or not (call.args or call.kwargs):
                return result
            callee = self.callee_frame(function, value.module, call, frame, value.bound_self)
            for returned in function.returns:
                result.update(self.infer(returned, callee, depth))
            return result
        return set()


def bound_names(module: ModuleFacts, *, parameters: bool = False) -> Optional[frozenset[str]]:
    """The names an import or an assignment (and, with ``parameters``, a parameter) binds
    somewhere in a module, in any scope: a per-scope lookup for every call costs more than it
    saves. None when a star import may bind any name."""
    if any(binding.attr == "*" for binding in module.imports):
        return None
    return frozenset(
        (
            *(binding.name for binding in module.imports),
            *(a.target.id for a in module.assignments if isinstance(a.target, ir.Name)),
            *(name for cls in module.classes for name, _, _ in cls.attributes),
            *(p.name for f in module.functions if parameters for p in f.params),
        )
    )


def aliased_name_calls(module: ModuleFacts) -> tuple[CallSite, ...]:
    """A module's calls of a bare name it binds by an import or an assignment: the bare-name
    calls that can be an alias of an external callable (see ``candidate_calls``)."""
    names = bound_names(module)
    return tuple(
        site
        for site in module.calls
        if isinstance(site.call.func, ir.Name) and (names is None or site.call.func.id in names)
    )


def self_assignments(module: ModuleFacts) -> dict[str, tuple[Assignment, ...]]:
    """A module's ``self.<attr> = ...`` assignments, by attribute."""
    found: dict[str, list[Assignment]] = {}
    for assignment in module.assignments:
        target = assignment.target
        if (
            isinstance(target, ir.Attr)
            and isinstance(target.value, ir.Name)
            and target.value.id == "self"
        ):
            found.setdefault(target.attr, []).append(assignment)
    return {attr: tuple(assignments) for attr, assignments in found.items()}
