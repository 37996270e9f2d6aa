"""One walk over a module's AST that produces its :class:`ModuleFacts`.

Statements are walked recursively (Python itself limits block nesting to 100 levels);
expressions are lowered with an explicit depth limit and searched for calls without recursion,
so that pathological inputs (a 100,000-term sum) cannot exhaust the stack.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Optional, Union

from flaskguard.facts import flow, ir
from flaskguard.facts.module import (
    Assignment,
    CallSite,
    ClassFacts,
    FunctionFacts,
    Guard,
    ImportBinding,
    ModuleFacts,
    Parameter,
    StatementRef,
    Suppression,
)
from flaskguard.knowledge.suppressions import equivalent_rules

MAX_EXPR_DEPTH = 48
MAX_CODE_LENGTH = 400

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SUPPRESSION = re.compile(
    r"flaskguard\s*:\s*ignore(?:\[(?P<ids>[^\]]*)\])?(?:\s*--\s*(?P<reason>.*))?", re.IGNORECASE
)
# Ruff's noqa comments with codes (S105, E501) and Bandit's nosec with test ids (B105).
_FOREIGN_SUPPRESSION = re.compile(
    r"\b(?P<tool>noqa|nosec)\b\s*:?\s*(?P<codes>[A-Z]+[0-9]+(?:\s*[, ]\s*[A-Z]+[0-9]+)*)",
    re.IGNORECASE,
)

_BINOPS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.MatMult: "@",
}
_UNARYOPS: dict[type[ast.unaryop], str] = {
    ast.Not: "not",
    ast.USub: "-",
    ast.UAdd: "+",
    ast.Invert: "~",
}
_CMPOPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}

FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def module_name_for(relpath: str) -> tuple[str, bool]:
    """The dotted module name of a root-relative path, and whether it is a package."""
    parts = relpath.split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    stem = parts[-1].rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = parts[:-1] if is_package else [*parts[:-1], stem]
    return ".".join(p for p in parts if p), is_package


def extract_module_facts(tree: ast.Module, text: str, relpath: str) -> ModuleFacts:
    return _Extractor(text, relpath).run(tree)


@dataclass
class _Scope:
    qualname: str
    calls: list[CallSite] = field(default_factory=list)


@dataclass
class _FunctionBuilder:
    returns: list[ir.Expr] = field(default_factory=list)
    global_names: list[str] = field(default_factory=list)


class _Extractor:
    def __init__(self, text: str, relpath: str) -> None:
        self.relpath = relpath
        self.lines = _LINE_BREAK.split(text)
        self.text = text
        self.imports: list[ImportBinding] = []
        self.functions: list[FunctionFacts] = []
        self.classes: list[ClassFacts] = []
        self.calls: list[CallSite] = []
        self.assignments: list[Assignment] = []
        self.function_stack: list[_FunctionBuilder] = []
        self._lowered: dict[int, ir.Expr] = {}

    # -- locations -----------------------------------------------------------------------

    def _column(self, line: int, byte_offset: int) -> int:
        if 1 <= line <= len(self.lines):
            source = self.lines[line - 1]
            if not source.isascii():
                return len(source.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1
        return byte_offset + 1

    def loc(self, node: ast.AST) -> ir.Loc:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = getattr(node, "col_offset", 0)
        end_col = getattr(node, "end_col_offset", None)
        if end_col is None:
            end_col = col
        return ir.Loc(line, self._column(line, col), end_line, self._column(end_line, end_col))

    def statement_ref(self, node: ast.stmt) -> StatementRef:
        first_line = node.lineno
        decorators = getattr(node, "decorator_list", None)
        if decorators:
            first_line = min(first_line, *(d.lineno for d in decorators))
        return StatementRef(self.loc(node), first_line, _statement_code(node, self.lines))

    # -- driver --------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> ModuleFacts:
        module_name, is_package = module_name_for(self.relpath)
        scope = _Scope("")
        self.walk_block(tree.body, scope, (), None, top=None)
        self.finish_scope(scope)
        return ModuleFacts(
            path=self.relpath,
            module_name=module_name,
            is_package=is_package,
            is_main_module=self.relpath.rsplit("/", 1)[-1] == "__main__.py",
            imports=tuple(self.imports),
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            calls=tuple(self.calls),
            assignments=tuple(self.assignments),
            suppressions=tuple(_suppressions(self.text)),
        )

    def finish_scope(self, scope: _Scope) -> None:
        self.calls.extend(scope.calls)

    # -- statements ----------------------------------------------------------------------

    def walk_block(
        self,
        body: list[ast.stmt],
        scope: _Scope,
        guards: tuple[Guard, ...],
        class_qualname: Optional[str],
        top: Optional[StatementRef],
    ) -> None:
        for stmt in body:
            self.walk_statement(stmt, scope, guards, class_qualname, top)

    def walk_statement(
        self,
        stmt: ast.stmt,
        scope: _Scope,
        guards: tuple[Guard, ...],
        class_qualname: Optional[str],
        top: Optional[StatementRef],
    ) -> None:
        ref = self.statement_ref(stmt)
        top_ref = top or ref

        def exprs(*nodes: Optional[ast.AST]) -> None:
            for node in nodes:
                if node is not None:
                    self.collect_calls(node, scope, guards, ref, top_ref, stmt, class_qualname)

        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            exprs(*stmt.decorator_list)
            exprs(*_defaults(stmt.args))
            self.walk_function(stmt, scope, class_qualname)
        elif isinstance(stmt, ast.ClassDef):
            exprs(*stmt.decorator_list, *stmt.bases, *(k.value for k in stmt.keywords))
            self.walk_class(stmt, scope, guards, class_qualname, top_ref)
        elif isinstance(stmt, (ast.If, ast.While)):
            exprs(stmt.test)
            test = self.lower(stmt.test)
            self.walk_block(stmt.body, scope, (*guards, Guard(test, True)), class_qualname, top_ref)
            else_guards = (*guards, Guard(test, False)) if isinstance(stmt, ast.If) else guards
            self.walk_block(stmt.orelse, scope, else_guards, class_qualname, top_ref)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            exprs(stmt.iter)
            element = (
                ir.Element(self.lower(stmt.iter))
                if isinstance(stmt.target, ast.Name)
                else ir.UNKNOWN
            )
            self.record_targets(stmt.target, element, scope, guards, ref, class_qualname)
            self.walk_block(stmt.body, scope, guards, class_qualname, top_ref)
            self.walk_block(stmt.orelse, scope, guards, class_qualname, top_ref)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                exprs(item.context_expr)
                if item.optional_vars is not None:
                    self.record_targets(
                        item.optional_vars, ir.UNKNOWN, scope, guards, ref, class_qualname
                    )
            self.walk_block(stmt.body, scope, guards, class_qualname, top_ref)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            self.walk_block(stmt.body, scope, guards, class_qualname, top_ref)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                exprs(handler.type)
                self.walk_block(handler.body, scope, guards, class_qualname, top_ref)
            self.walk_block(stmt.orelse, scope, guards, class_qualname, top_ref)  # type: ignore[attr-defined]
            self.walk_block(stmt.finalbody, scope, guards, class_qualname, top_ref)  # type: ignore[attr-defined]
        elif type(stmt).__name__ == "Match":
            exprs(stmt.subject)  # type: ignore[attr-defined]
            for case in stmt.cases:  # type: ignore[attr-defined]
                case_guards = (*guards, Guard(ir.UNKNOWN, True))
                self.walk_block(case.body, scope, case_guards, class_qualname, top_ref)
        elif isinstance(stmt, ast.Assign):
            exprs(stmt.value)
            value = self.lower(stmt.value)
            for target in stmt.targets:
                self.record_targets(target, value, scope, guards, ref, class_qualname)
        elif isinstance(stmt, ast.AnnAssign):
            exprs(stmt.value)
            if stmt.value is not None:
                value = self.lower(stmt.value)
                self.record_targets(stmt.target, value, scope, guards, ref, class_qualname)
        elif isinstance(stmt, ast.AugAssign):
            exprs(stmt.value)
            op = _BINOPS.get(type(stmt.op), "?")
            value = ir.BinOp(op, self.lower(stmt.target), self.lower(stmt.value))
            self.record_targets(stmt.target, value, scope, guards, ref, class_qualname, True)
        elif isinstance(stmt, ast.Expr):
            exprs(stmt.value)
        elif isinstance(stmt, ast.Return):
            exprs(stmt.value)
            if self.function_stack and stmt.value is not None:
                self.function_stack[-1].returns.append(self.lower(stmt.value))
        elif isinstance(stmt, (ast.Global, ast.Nonlocal)):
            if self.function_stack and isinstance(stmt, ast.Global):
                self.function_stack[-1].global_names.extend(stmt.names)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    binding = ImportBinding(
                        alias.asname, alias.name, None, 0, ref.loc, scope.qualname, guards
                    )
                else:
                    top_name = alias.name.split(".", 1)[0]
                    binding = ImportBinding(
                        top_name, top_name, None, 0, ref.loc, scope.qualname, guards
                    )
                self.imports.append(binding)
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                local = alias.asname or alias.name
                self.imports.append(
                    ImportBinding(
                        local,
                        stmt.module or "",
                        alias.name,
                        stmt.level or 0,
                        ref.loc,
                        scope.qualname,
                        guards,
                    )
                )
        else:
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    exprs(child)

    def walk_function(
        self,
        node: FunctionNode,
        scope: _Scope,
        class_qualname: Optional[str],
    ) -> None:
        owner = class_qualname if class_qualname is not None else scope.qualname
        qualname = f"{owner}.{node.name}" if owner else node.name
        builder = _FunctionBuilder()
        self.function_stack.append(builder)
        inner = _Scope(qualname)
        self.walk_block(node.body, inner, (), None, top=None)
        self.finish_scope(inner)
        self.function_stack.pop()
        body = self.flow_block(node.body)
        self.functions.append(
            FunctionFacts(
                qualname=qualname,
                name=node.name,
                scope=scope.qualname,
                loc=self.loc(node),
                params=tuple(self.parameters(node.args)),
                returns=tuple(builder.returns),
                decorators=tuple(self.lower(d) for d in node.decorator_list),
                class_qualname=class_qualname,
                global_names=tuple(builder.global_names),
                is_async=isinstance(node, ast.AsyncFunctionDef),
                decorator_locs=tuple(self.loc(d) for d in node.decorator_list),
                body=body,
            )
        )

    # -- ordered statements for the taint engine -------------------------------------------

    def flow_block(self, body: list[ast.stmt]) -> flow.Block:
        out: list[flow.Stmt] = []
        for stmt in body:
            lowered = self.flow_statement(stmt)
            if lowered is not None:
                out.append(lowered)
        return tuple(out)

    def flow_target(self, target: ast.expr) -> ir.Expr:
        if isinstance(target, (ast.Tuple, ast.List)):
            return ir.Seq("tuple", tuple(self.flow_target(e) for e in target.elts))
        if isinstance(target, ast.Starred):
            return ir.Starred(self.flow_target(target.value))
        return self.lower(target)

    def flow_statement(self, stmt: ast.stmt) -> Optional[flow.Stmt]:
        loc = self.loc(stmt)
        if isinstance(stmt, ast.Assign):
            targets = tuple(self.flow_target(t) for t in stmt.targets)
            return flow.AssignStmt(targets, self.lower(stmt.value), loc, None)
        if isinstance(stmt, ast.AnnAssign):
            if stmt.value is None:
                return None
            return flow.AssignStmt(
                (self.flow_target(stmt.target),), self.lower(stmt.value), loc, None
            )
        if isinstance(stmt, ast.AugAssign):
            op = _BINOPS.get(type(stmt.op), "?")
            return flow.AssignStmt(
                (self.flow_target(stmt.target),), self.lower(stmt.value), loc, op
            )
        if isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Constant):
                # A docstring or ``...`` does nothing; left out, rewording one is no change.
                return None
            if isinstance(value, ast.Await):
                value = value.value
            if isinstance(value, (ast.Yield, ast.YieldFrom)):
                yielded = self.lower(value.value) if value.value is not None else None
                return flow.ReturnStmt(yielded, loc, True)
            return flow.EvalStmt(self.lower(value), loc)
        if isinstance(stmt, ast.Return):
            returned = self.lower(stmt.value) if stmt.value is not None else None
            return flow.ReturnStmt(returned, loc, False)
        if isinstance(stmt, ast.Raise):
            return flow.RaiseStmt(loc)
        if isinstance(stmt, (ast.Break, ast.Continue)):
            return flow.BreakStmt(loc)
        if isinstance(stmt, ast.If):
            return flow.IfStmt(
                self.lower(stmt.test), self.flow_block(stmt.body), self.flow_block(stmt.orelse), loc
            )
        if isinstance(stmt, ast.While):
            return flow.LoopStmt(
                None,
                self.lower(stmt.test),
                self.flow_block(stmt.body),
                self.flow_block(stmt.orelse),
                loc,
            )
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            return flow.LoopStmt(
                self.flow_target(stmt.target),
                self.lower(stmt.iter),
                self.flow_block(stmt.body),
                self.flow_block(stmt.orelse),
                loc,
            )
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            bindings: list[flow.Stmt] = []
            for item in stmt.items:
                context = self.lower(item.context_expr)
                if item.optional_vars is not None:
                    target = self.flow_target(item.optional_vars)
                    bindings.append(flow.AssignStmt((target,), context, loc, None))
                else:
                    bindings.append(flow.EvalStmt(context, loc))
            body = (*bindings, *self.flow_block(stmt.body))
            return flow.IfStmt(ir.Const(True), body, (), loc)
        if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            handlers = tuple(
                (handler.name, self.flow_block(handler.body))
                for handler in stmt.handlers  # type: ignore[attr-defined]
            )
            return flow.TryStmt(
                self.flow_block(stmt.body),  # type: ignore[attr-defined]
                handlers,
                self.flow_block(stmt.orelse),  # type: ignore[attr-defined]
                self.flow_block(stmt.finalbody),  # type: ignore[attr-defined]
                loc,
            )
        if type(stmt).__name__ == "Match":
            return self.flow_match(stmt, loc)
        if isinstance(stmt, ast.Delete):
            return flow.DeleteStmt(tuple(self.flow_target(t) for t in stmt.targets), loc)
        return None

    def flow_match(self, stmt: ast.stmt, loc: ir.Loc) -> Optional[flow.Stmt]:
        subject = self.lower(stmt.subject)  # type: ignore[attr-defined]
        chain: Optional[flow.Stmt] = None
        for case in reversed(stmt.cases):  # type: ignore[attr-defined]
            test = self.case_test(subject, case.pattern)
            if case.guard is not None:
                test = ir.BoolOp("and", (test, self.lower(case.guard)))
            rest = (chain,) if chain is not None else ()
            chain = flow.IfStmt(test, self.flow_block(case.body), rest, loc)
        return chain

    def case_test(self, subject: ir.Expr, pattern: ast.AST) -> ir.Expr:
        kind = type(pattern).__name__
        if kind == "MatchValue":
            return ir.Compare(subject, ("==",), (self.lower(pattern.value),))  # type: ignore[attr-defined]
        if kind == "MatchSingleton":
            return ir.Compare(subject, ("is",), (ir.Const(pattern.value),))  # type: ignore[attr-defined]
        if kind == "MatchOr":
            return ir.BoolOp(
                "or",
                tuple(self.case_test(subject, p) for p in pattern.patterns),  # type: ignore[attr-defined]
            )
        if kind == "MatchAs" and pattern.pattern is None:  # type: ignore[attr-defined]
            return ir.Const(True)
        return ir.UNKNOWN

    def walk_class(
        self,
        node: ast.ClassDef,
        scope: _Scope,
        guards: tuple[Guard, ...],
        class_qualname: Optional[str],
        top: StatementRef,
    ) -> None:
        owner = class_qualname if class_qualname is not None else scope.qualname
        qualname = f"{owner}.{node.name}" if owner else node.name
        start = len(self.assignments)
        self.walk_block(node.body, scope, guards, qualname, top)
        body_scope = f"<class {qualname}>"
        own = [a for a in self.assignments[start:] if a.scope == body_scope]
        self.assignments[start:] = [a for a in self.assignments[start:] if a.scope != body_scope]
        attributes = tuple(
            (a.target.id, a.value, a.loc)
            for a in own
            if isinstance(a.target, ir.Name) and not a.augmented
        )
        methods = tuple(
            s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
        )
        self.classes.append(
            ClassFacts(
                qualname=qualname,
                name=node.name,
                scope=scope.qualname,
                loc=self.loc(node),
                bases=tuple(self.lower(b) for b in node.bases),
                attributes=attributes,
                methods=methods,
                decorators=tuple(self.lower(d) for d in node.decorator_list),
                decorator_locs=tuple(self.loc(d) for d in node.decorator_list),
            )
        )

    def parameters(self, args: ast.arguments) -> list[Parameter]:
        params: list[Parameter] = []
        positional = [*getattr(args, "posonlyargs", []), *args.args]
        defaults: list[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults))
        defaults.extend(args.defaults)
        for arg, default in zip(positional, defaults):
            lowered = self.lower(default) if default is not None else None
            params.append(Parameter(arg.arg, "positional", lowered))
        if args.vararg is not None:
            params.append(Parameter(args.vararg.arg, "varargs", None))
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
            lowered = self.lower(kw_default) if kw_default is not None else None
            params.append(Parameter(arg.arg, "keyword", lowered))
        if args.kwarg is not None:
            params.append(Parameter(args.kwarg.arg, "varkw", None))
        return params

    def record_targets(
        self,
        target: ast.expr,
        value: ir.Expr,
        scope: _Scope,
        guards: tuple[Guard, ...],
        ref: StatementRef,
        class_qualname: Optional[str],
        augmented: bool = False,
    ) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            elements: tuple[ir.Expr, ...] = ()
            if isinstance(value, ir.Seq) and len(value.elts) == len(target.elts):
                elements = value.elts
            elif isinstance(value, ir.Call) and not any(
                isinstance(e, ast.Starred) for e in target.elts
            ):
                # ``app, db = create_app()``: each name is an item of what the call returns.
                elements = tuple(ir.Subscript(value, ir.Const(i)) for i in range(len(target.elts)))
            for index, element in enumerate(target.elts):
                element_value = elements[index] if elements else ir.UNKNOWN
                self.record_targets(element, element_value, scope, guards, ref, class_qualname)
            return
        if isinstance(target, ast.Starred):
            self.record_targets(target.value, ir.UNKNOWN, scope, guards, ref, class_qualname)
            return
        lowered = self.lower(target)
        if isinstance(lowered, ir.Unknown):
            return
        owner = f"<class {class_qualname}>" if class_qualname is not None else scope.qualname
        self.assignments.append(
            Assignment(lowered, value, self.loc(target), owner, guards, ref, augmented)
        )

    # -- expressions ---------------------------------------------------------------------

    def collect_calls(
        self,
        root: ast.AST,
        scope: _Scope,
        guards: tuple[Guard, ...],
        ref: StatementRef,
        top: StatementRef,
        stmt: ast.stmt,
        class_qualname: Optional[str],
    ) -> None:
        stack: list[ast.AST] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, _NO_CALLS_INSIDE):
                continue
            if isinstance(node, ast.Call):
                lowered = self.lower(node)
                if isinstance(lowered, ir.Call):
                    site = CallSite(
                        call=lowered,
                        scope=scope.qualname,
                        guards=guards,
                        statement=ref,
                        top_statement=top,
                        is_expression_statement=isinstance(stmt, ast.Expr) and stmt.value is node,
                        class_qualname=class_qualname,
                    )
                    scope.calls.append(site)
            # ast.iter_child_nodes, without its generator: this loop visits every node.
            children: list[ast.AST] = []
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    children.append(value)
                elif isinstance(value, list):
                    children.extend(item for item in value if isinstance(item, ast.AST))
            children.reverse()
            stack.extend(children)

    def lower(self, node: Optional[ast.AST], depth: int = 0) -> ir.Expr:
        if node is None or depth > MAX_EXPR_DEPTH:
            return ir.UNKNOWN
        # Calls nested in calls are lowered as part of their parent and again as call sites.
        cached = self._lowered.get(id(node))
        if cached is not None:
            return cached
        lowered = self._lower(node, depth)
        self._lowered[id(node)] = lowered
        return lowered

    def _lower(self, node: ast.AST, depth: int) -> ir.Expr:
        d = depth + 1
        if isinstance(node, ast.Constant):
            value = node.value
            if value is Ellipsis:
                return ir.UNKNOWN
            return ir.Const(value)
        if isinstance(node, ast.Name):
            return ir.Name(node.id)
        if isinstance(node, ast.Attribute):
            return ir.Attr(self.lower(node.value, d), node.attr)
        if isinstance(node, ast.Call):
            args = tuple(self.lower(a, d) for a in node.args)
            kwargs = tuple((k.arg, self.lower(k.value, d)) for k in node.keywords)
            kwarg_locs = tuple(self.loc(k) for k in node.keywords)
            return ir.Call(self.lower(node.func, d), args, kwargs, self.loc(node), kwarg_locs)
        if isinstance(node, ast.Subscript):
            return ir.Subscript(self.lower(node.value, d), self.lower(node.slice, d))
        if isinstance(node, ast.BinOp):
            return ir.BinOp(
                _BINOPS.get(type(node.op), "?"), self.lower(node.left, d), self.lower(node.right, d)
            )
        if isinstance(node, ast.UnaryOp):
            return ir.UnaryOp(_UNARYOPS.get(type(node.op), "?"), self.lower(node.operand, d))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return ir.BoolOp(op, tuple(self.lower(v, d) for v in node.values))
        if isinstance(node, ast.Compare):
            return ir.Compare(
                self.lower(node.left, d),
                tuple(_CMPOPS.get(type(o), "?") for o in node.ops),
                tuple(self.lower(c, d) for c in node.comparators),
            )
        if isinstance(node, ast.IfExp):
            return ir.IfExp(
                self.lower(node.test, d), self.lower(node.body, d), self.lower(node.orelse, d)
            )
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            kind = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[type(node)]
            return ir.Seq(kind, tuple(self.lower(e, d) for e in node.elts))
        if isinstance(node, ast.Dict):
            return ir.DictExpr(
                tuple(self.lower(k, d) if k is not None else None for k in node.keys),
                tuple(self.lower(v, d) for v in node.values),
            )
        if isinstance(node, ast.JoinedStr):
            return ir.FString(tuple(self.lower(v, d) for v in node.values))
        if isinstance(node, ast.FormattedValue):
            if node.conversion in (-1, None) and node.format_spec is None:
                return self.lower(node.value, d)
            return ir.Converted(self.lower(node.value, d))
        if isinstance(node, ast.Lambda):
            params = tuple(a.arg for a in [*node.args.posonlyargs, *node.args.args])
            return ir.Lambda(params, self.lower(node.body, d))
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            kinds = {ast.ListComp: "list", ast.SetComp: "set", ast.GeneratorExp: "generator"}
            generators = tuple(
                (self.lower(g.target, d), self.lower(g.iter, d)) for g in node.generators
            )
            conditions = tuple(self.lower(c, d) for g in node.generators for c in g.ifs)
            if isinstance(node, ast.DictComp):
                return ir.Comprehension(
                    "dict",
                    self.lower(node.value, d),
                    self.lower(node.key, d),
                    generators,
                    conditions,
                )
            return ir.Comprehension(
                kinds[type(node)], self.lower(node.elt, d), None, generators, conditions
            )
        if isinstance(node, ast.Starred):
            return ir.Starred(self.lower(node.value, d))
        if isinstance(node, ast.NamedExpr):
            return self.lower(node.value, d)
        if isinstance(node, ast.Await):
            return self.lower(node.value, d)
        return ir.UNKNOWN


def _defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


# Nodes below which no call site is collected: lambdas (their bodies run later, if ever),
# and leaves.
_NO_CALLS_INSIDE = (ast.Lambda, ast.Name, ast.Constant, ast.expr_context, ast.operator)

_SIMPLE_COMPOUND = (ast.If, ast.While, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.Try)


def _without_comment(line: str) -> str:
    """``line`` without a trailing ``# comment`` (a ``#`` inside a string literal stays)."""
    hash_at = line.find("#")
    if hash_at < 0:
        return line
    if "'" not in line and '"' not in line:
        return line[:hash_at].rstrip()
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 1
            elif line.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char in "\"'":
            quote = line[index : index + 3] if line[index : index + 3] in ('"""', "'''") else char
            index += len(quote) - 1
        elif char == "#":
            return line[:index].rstrip()
        index += 1
    return line


def _statement_code(node: ast.stmt, lines: list[str]) -> str:
    """Normalised code of a statement: its source with whitespace folded and trailing comments
    dropped; compound statements contribute their header line only."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"def {node.name}"
    if isinstance(node, ast.ClassDef):
        return f"class {node.name}"
    first = node.lineno
    last = first if isinstance(node, _SIMPLE_COMPOUND) else (node.end_lineno or first)
    last = min(last, first + 20)
    text = " ".join(_without_comment(line) for line in lines[first - 1 : last])
    code = " ".join(text.split())
    return code[:MAX_CODE_LENGTH]


def _suppressions(text: str) -> list[Suppression]:
    found: list[Suppression] = []
    lowered = text.lower()
    if "flaskguard" not in lowered and "noqa" not in lowered and "nosec" not in lowered:
        return found
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            match = _SUPPRESSION.search(token.string)
            if match is not None:
                ids_text = match.group("ids")
                ids: Optional[tuple[str, ...]] = None
                if ids_text is not None:
                    ids = tuple(p.strip().upper() for p in ids_text.split(",") if p.strip())
                reason = (match.group("reason") or "").strip() or None
                found.append(Suppression(token.start[0], ids, reason))
                continue
            foreign = _foreign_suppression(token.string)
            if foreign is not None:
                found.append(Suppression(token.start[0], *foreign))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return found


def _foreign_suppression(comment: str) -> Optional[tuple[tuple[str, ...], str]]:
    """The flaskguard rules a Ruff/Bandit suppression comment stands for, and why."""
    match = _FOREIGN_SUPPRESSION.search(comment)
    if match is None:
        return None
    codes = [c for c in re.split(r"[\s,]+", match.group("codes")) if c]
    rules = tuple(dict.fromkeys(r for code in codes for r in equivalent_rules(code)))
    if not rules:
        return None
    return rules, f"# {match.group('tool').lower()} {', '.join(c.upper() for c in codes)}"
