"""Constant evaluation: the value an expression has whenever it runs, if it can be known.

Literals, module constants (across modules), arithmetic and string operations, comparisons,
conditional expressions and ``os.environ.get(name, default)`` (evaluated to its default: the
value the code runs with when the variable is not set, which is what a deployment that forgot
to set it gets). ``__name__`` takes the value of the frame's *world*: the module's own name
when imported, ``"__main__"`` when run as a script — which is how guards are decided.
"""

from __future__ import annotations

import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from flaskguard.facts import ir
from flaskguard.model.objects import ExtRef, ModRef, ObjectResolver
from flaskguard.model.project import (
    ExprBinding,
    Frame,
    ImportedBinding,
    ParameterBinding,
    Project,
)


class _NotConstant:
    def __repr__(self) -> str:
        return "NOT_CONSTANT"


NOT_CONSTANT: Any = _NotConstant()

MAX_DEPTH = 24
MAX_SEQUENCE = 10_000
MAX_ELEMENTS = 256
MAX_POWER_BITS = 4096
_WIDE_FORMAT = re.compile(r"%[-#0 +]*(\*|\d{4,})|%[^%]*\.(\*|\d{4,})")

ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get"})
FALSE_CONSTANTS = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "|": operator.or_,
    "&": operator.and_,
    "^": operator.xor,
}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "is": operator.is_,
    "is not": operator.is_not,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}
_STRING_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "casefold", "title", "capitalize"}
)
_BUILTIN_CONVERSIONS: dict[str, Callable[[Any], Any]] = {
    "bool": bool,
    "int": int,
    "str": str,
    "float": float,
    "len": len,
}


@dataclass
class Evaluation:
    """The result of one evaluation and the environment variables it depended on."""

    value: Any
    env_vars: list[str] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.value is not NOT_CONSTANT


@dataclass(frozen=True)
class ModuleNames:
    """The names a module is imported under (``pkg.main`` and ``main`` when run from ``pkg/``)."""

    names: frozenset[str]


class ConstantEvaluator:
    def __init__(self, project: Project, resolver: ObjectResolver) -> None:
        self.project = project
        self.resolver = resolver
        self._environment_known = True
        self._names: dict[tuple[str, Frame, bool], tuple[Any, tuple[str, ...]]] = {}
        self._names_active: set[tuple[str, Frame, bool]] = set()
        self._depth_limit_hits = 0

    def evaluate(self, expr: ir.Expr, frame: Frame) -> Evaluation:
        env_vars: list[str] = []
        value = self._eval(expr, frame, 0, env_vars)
        return Evaluation(value, env_vars)

    def truth(
        self, expr: ir.Expr, frame: Frame, *, environment_known: bool = True
    ) -> Optional[bool]:
        """Three-valued truthiness: True, False, or None when it cannot be decided.

        With ``environment_known=False`` an environment lookup is undecided rather than its
        default: a guard like ``if os.environ.get("RUN_SERVER"):`` can be true in production.
        """
        previous = self._environment_known
        self._environment_known = environment_known
        try:
            return self._truth(expr, frame, 0)
        finally:
            self._environment_known = previous

    # -- truthiness, with short-circuit logic over unknowns -------------------------------

    def _truth(self, expr: ir.Expr, frame: Frame, depth: int) -> Optional[bool]:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ir.BoolOp):
            results = [self._truth(v, frame, depth + 1) for v in expr.values]
            if expr.op == "and":
                if any(r is False for r in results):
                    return False
                return True if all(r is True for r in results) else None
            if any(r is True for r in results):
                return True
            return False if all(r is False for r in results) else None
        if isinstance(expr, ir.UnaryOp) and expr.op == "not":
            inner = self._truth(expr.operand, frame, depth + 1)
            return None if inner is None else not inner
        value = self._eval(expr, frame, depth, [])
        if value is NOT_CONSTANT:
            return None
        try:
            return bool(value)
        except Exception:
            return None

    # -- values ---------------------------------------------------------------------------

    def _eval(self, expr: ir.Expr, frame: Frame, depth: int, env: list[str]) -> Any:
        if depth > MAX_DEPTH:
            self._depth_limit_hits += 1
            return NOT_CONSTANT
        if (isinstance(expr, ir.Seq) and len(expr.elts) > MAX_ELEMENTS) or (
            isinstance(expr, ir.DictExpr) and len(expr.values) > MAX_ELEMENTS
        ):
            # Large literal tables are data, never a setting or a guard.
            return NOT_CONSTANT
        d = depth + 1
        try:
            if isinstance(expr, ir.Const):
                return expr.value
            if isinstance(expr, ir.Name):
                return self._name(expr.id, frame, d, env)
            if isinstance(expr, ir.Attr):
                return self._attribute(expr, frame, d, env)
            if isinstance(expr, ir.BinOp):
                return self._binary(expr, frame, d, env)
            if isinstance(expr, ir.UnaryOp):
                operand = self._eval(expr.operand, frame, d, env)
                if operand is NOT_CONSTANT:
                    return NOT_CONSTANT
                if expr.op == "not":
                    return not operand
                if expr.op == "-":
                    return -operand
                if expr.op == "+":
                    return +operand
                if expr.op == "~":
                    return ~operand
                return NOT_CONSTANT
            if isinstance(expr, ir.BoolOp):
                return self._boolop(expr, frame, d, env)
            if isinstance(expr, ir.Compare):
                return self._compare(expr, frame, d, env)
            if isinstance(expr, ir.IfExp):
                test = self._truth(expr.test, frame, d)
                if test is None:
                    return NOT_CONSTANT
                return self._eval(expr.body if test else expr.orelse, frame, d, env)
            if isinstance(expr, ir.Seq):
                items = [self._eval(e, frame, d, env) for e in expr.elts]
                if any(i is NOT_CONSTANT for i in items) or any(
                    isinstance(e, ir.Starred) for e in expr.elts
                ):
                    return NOT_CONSTANT
                if expr.kind == "tuple":
                    return tuple(items)
                if expr.kind == "set":
                    return frozenset(items)
                return items
            if isinstance(expr, ir.DictExpr):
                if any(k is None for k in expr.keys):
                    return NOT_CONSTANT
                result: dict[Any, Any] = {}
                for key_expr, value_expr in zip(expr.keys, expr.values):
                    assert key_expr is not None
                    key = self._eval(key_expr, frame, d, env)
                    if key is NOT_CONSTANT:
                        return NOT_CONSTANT
                    result[key] = self._eval(value_expr, frame, d, env)
                return result
            if isinstance(expr, ir.Subscript):
                container = self._eval(expr.value, frame, d, env)
                index = self._eval(expr.index, frame, d, env)
                if container is NOT_CONSTANT or index is NOT_CONSTANT:
                    if self._is_environ(expr.value, frame) and isinstance(index, str):
                        env.append(index)
                    return NOT_CONSTANT
                value = container[index]
                return NOT_CONSTANT if value is NOT_CONSTANT else value
            if isinstance(expr, ir.FString):
                parts = [self._eval(p, frame, d, env) for p in expr.parts]
                if any(p is NOT_CONSTANT or isinstance(p, ModuleNames) for p in parts):
                    return NOT_CONSTANT
                return "".join(str(p) for p in parts)
            if isinstance(expr, ir.Call):
                return self._call(expr, frame, d, env)
        except (
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            ZeroDivisionError,
            OverflowError,
            AttributeError,
        ):
            return NOT_CONSTANT
        return NOT_CONSTANT

    def _name(self, name: str, frame: Frame, depth: int, env: list[str]) -> Any:
        # Names are evaluated over and over (every guard, every setting); a module constant
        # has one value per frame, so remember it with the environment variables it read.
        key = (name, frame, self._environment_known)
        cached = self._names.get(key)
        if cached is not None:
            env.extend(cached[1])
            return cached[0]
        if key in self._names_active:
            return NOT_CONSTANT
        self._names_active.add(key)
        hits = self._depth_limit_hits
        try:
            own_env: list[str] = []
            value = self._name_uncached(name, frame, depth, own_env)
        finally:
            self._names_active.discard(key)
        # A value cut short by the depth limit depends on where evaluation started: not cached.
        if self._depth_limit_hits == hits:
            self._names[key] = (value, tuple(own_env))
        env.extend(own_env)
        return value

    def _name_uncached(self, name: str, frame: Frame, depth: int, env: list[str]) -> Any:
        if name == "__name__":
            if frame.world == "main":
                return "__main__"
            return ModuleNames(self.module_names(frame.module))
        bound = frame.bound(name)
        if bound is not None:
            return self._eval(bound[0], bound[1], depth, env)
        bindings = self.project.lookup(frame, name)
        if not bindings:
            return NOT_CONSTANT
        values = []
        for binding in bindings:
            if isinstance(binding, ExprBinding):
                if binding.assignment is not None and binding.assignment.augmented:
                    return NOT_CONSTANT
                target = Frame(binding.frame.module, binding.frame.scope, frame.world)
                values.append(self._eval(binding.expr, target, depth, env))
            elif isinstance(binding, ImportedBinding):
                values.append(self._imported(binding, depth, env))
            elif isinstance(binding, ParameterBinding):
                return NOT_CONSTANT
            else:
                return NOT_CONSTANT
        first = values[0]
        if first is NOT_CONSTANT:
            return NOT_CONSTANT
        for other in values[1:]:
            if other is NOT_CONSTANT or type(other) is not type(first) or other != first:
                return NOT_CONSTANT
        return first

    def _imported(self, binding: ImportedBinding, depth: int, env: list[str]) -> Any:
        for value in self.resolver.infer(
            ir.Name(binding.binding.name), Frame(binding.module, binding.binding.scope)
        ):
            if isinstance(value, ExtRef) and value.name in FALSE_CONSTANTS:
                return False
        if binding.binding.attr is None:
            return NOT_CONSTANT
        module = self.project.module(binding.module)
        target = self.project.find_module(
            self.project.absolute_import(module, binding.binding), module
        )
        if target is None or target.path == module.path:
            return NOT_CONSTANT
        return self._eval(
            ir.Name(binding.binding.attr), Frame(target.path, "", "import"), depth, env
        )

    def _attribute(self, expr: ir.Attr, frame: Frame, depth: int, env: list[str]) -> Any:
        for value in self.resolver.infer(expr.value, frame):
            if isinstance(value, ModRef):
                return self._eval(ir.Name(expr.attr), Frame(value.path, "", "import"), depth, env)
            if isinstance(value, ExtRef) and f"{value.name}.{expr.attr}" in FALSE_CONSTANTS:
                return False
        return NOT_CONSTANT

    def _binary(self, expr: ir.BinOp, frame: Frame, depth: int, env: list[str]) -> Any:
        left = self._eval(expr.left, frame, depth, env)
        right = self._eval(expr.right, frame, depth, env)
        if left is NOT_CONSTANT or right is NOT_CONSTANT:
            return NOT_CONSTANT
        if isinstance(left, ModuleNames) or isinstance(right, ModuleNames):
            return NOT_CONSTANT
        if expr.op == "*" and _too_large(left, right):
            return NOT_CONSTANT
        if expr.op == "**":
            if (
                isinstance(left, (int, float))
                and isinstance(right, (int, float))
                and abs(right) <= 64
                and (abs(left) <= 1 or math.log2(abs(left)) * abs(right) <= MAX_POWER_BITS)
            ):
                return left**right
            return NOT_CONSTANT
        if expr.op == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            return NOT_CONSTANT
        function = _BINARY.get(expr.op)
        return function(left, right) if function is not None else NOT_CONSTANT

    def _boolop(self, expr: ir.BoolOp, frame: Frame, depth: int, env: list[str]) -> Any:
        result: Any = NOT_CONSTANT
        for operand in expr.values:
            result = self._eval(operand, frame, depth, env)
            if result is NOT_CONSTANT:
                return NOT_CONSTANT
            if (expr.op == "and" and not result) or (expr.op == "or" and result):
                return result
        return result

    def _compare(self, expr: ir.Compare, frame: Frame, depth: int, env: list[str]) -> Any:
        left = self._eval(expr.left, frame, depth, env)
        for op, comparator in zip(expr.ops, expr.comparators):
            right = self._eval(comparator, frame, depth, env)
            if left is NOT_CONSTANT or right is NOT_CONSTANT:
                return NOT_CONSTANT
            outcome = self._compare_pair(op, left, right)
            if outcome is NOT_CONSTANT or not outcome:
                return outcome
            left = right
        return True

    def _compare_pair(self, op: str, left: Any, right: Any) -> Any:
        if isinstance(left, ModuleNames) or isinstance(right, ModuleNames):
            names = left if isinstance(left, ModuleNames) else right
            other = right if isinstance(left, ModuleNames) else left
            if op in ("==", "!="):
                if not isinstance(other, str):
                    return op == "!="
                return (other in names.names) == (op == "==")
            if op in ("in", "not in") and isinstance(left, ModuleNames):
                try:
                    hit = any(n in right for n in names.names)
                except TypeError:
                    return NOT_CONSTANT
                return hit == (op == "in")
            return NOT_CONSTANT
        function = _COMPARE.get(op)
        return function(left, right) if function is not None else NOT_CONSTANT

    def _call(self, call: ir.Call, frame: Frame, depth: int, env: list[str]) -> Any:
        func = call.func
        if isinstance(func, ir.Attr) and func.attr in _STRING_METHODS and not call.args:
            receiver = self._eval(func.value, frame, depth, env)
            if isinstance(receiver, str):
                result: Any = getattr(receiver, func.attr)()
                return result
            return NOT_CONSTANT
        if (
            isinstance(func, ir.Name)
            and func.id in _BUILTIN_CONVERSIONS
            and not self.project.lookup(frame, func.id)
        ):
            if len(call.args) != 1 or call.kwargs:
                return NOT_CONSTANT
            argument = self._eval(call.args[0], frame, depth, env)
            if argument is NOT_CONSTANT or isinstance(argument, ModuleNames):
                return NOT_CONSTANT
            return _BUILTIN_CONVERSIONS[func.id](argument)
        if self._is_env_getter(func, frame):
            name = self._eval(call.args[0], frame, depth, env) if call.args else NOT_CONSTANT
            if isinstance(name, str):
                env.append(name)
            if not self._environment_known:
                return NOT_CONSTANT
            default = call.argument(1, "default")
            if default is None:
                return None
            return self._eval(default, frame, depth, env)
        return NOT_CONSTANT

    def _is_env_getter(self, func: ir.Expr, frame: Frame) -> bool:
        return any(
            isinstance(v, ExtRef) and v.name in ENV_GETTERS
            for v in self.resolver.infer(func, frame)
        )

    def _is_environ(self, expr: ir.Expr, frame: Frame) -> bool:
        return any(
            isinstance(v, ExtRef) and v.name == "os.environ"
            for v in self.resolver.infer(expr, frame)
        )

    def module_names(self, path: str) -> frozenset[str]:
        """Every name a server may import the module under: its dotted name and its suffixes."""
        module = self.project.module(path)
        parts = module.module_name.split(".") if module.module_name else []
        return frozenset(".".join(parts[i:]) for i in range(len(parts)))


def _too_large(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, bytes, list, tuple)) and isinstance(count, int):
            return len(sequence) * max(count, 0) > MAX_SEQUENCE
    return False
