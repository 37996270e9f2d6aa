"""Configuration writes on Flask application objects, resolved to the app they configure.

Every way code sets a config key lands here as a :class:`ConfigWrite`: ``app.config[K] = v``,
``app.config.update(K=v)`` / ``update({K: v})``, ``from_mapping``, ``setdefault``,
``from_object`` (classes and modules, with inherited class attributes; the profile is the
class's name), and the attribute shortcuts ``app.debug``, ``app.secret_key``, ``app.testing``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, CallSite, Guard, ModuleFacts
from flaskguard.model.objects import ClassRef, Instance, ModRef, ObjectResolver
from flaskguard.model.project import Frame, Project

ATTRIBUTE_KEYS = {
    "debug": "DEBUG",
    "secret_key": "SECRET_KEY",
    "testing": "TESTING",
    "permanent_session_lifetime": "PERMANENT_SESSION_LIFETIME",
}
MAPPING_METHODS = frozenset({"update", "from_mapping", "setdefault"})


@dataclass(frozen=True)
class ConfigWrite:
    app: Instance
    key: str
    value: ir.Expr
    frame: Frame  # where ``value`` is evaluated
    module: str  # path of the statement that writes it
    loc: ir.Loc
    scope: str
    guards: tuple[Guard, ...]
    via: str  # how it was written, for messages
    profile: Optional[str] = None  # config class name for ``from_object``
    # (path, line) where the value itself is written: the class attribute for ``from_object``.
    origin: Optional[tuple[str, int]] = None
    # Where ``KEY=value`` is written inside a multi-line ``update``/``from_mapping`` call.
    value_loc: Optional[ir.Loc] = None

    @property
    def value_origin(self) -> tuple[str, int]:
        return self.origin or (self.module, self.loc.line)


def config_writes(project: Project, resolver: ObjectResolver) -> list[ConfigWrite]:
    writes: list[ConfigWrite] = []
    for module in project.modules:
        for assignment in project.view(module, config_assignments):
            frame = Frame(module.path, assignment.scope)
            target = assignment.target
            if isinstance(target, ir.Attr):
                for app in _apps(resolver, target.value, frame):
                    writes.append(
                        ConfigWrite(
                            app,
                            ATTRIBUTE_KEYS[target.attr],
                            assignment.value,
                            frame,
                            module.path,
                            assignment.loc,
                            assignment.scope,
                            assignment.guards,
                            f"app.{target.attr}",
                        )
                    )
            else:
                assert isinstance(target, ir.Subscript) and isinstance(target.value, ir.Attr)
                assert isinstance(target.index, ir.Const) and isinstance(target.index.value, str)
                for app in _apps(resolver, target.value.value, frame):
                    writes.append(
                        ConfigWrite(
                            app,
                            target.index.value,
                            assignment.value,
                            frame,
                            module.path,
                            assignment.loc,
                            assignment.scope,
                            assignment.guards,
                            f'app.config["{target.index.value}"]',
                        )
                    )
        for site in project.view(module, config_method_calls):
            call = site.call
            func = call.func
            assert isinstance(func, ir.Attr) and isinstance(func.value, ir.Attr)
            frame = Frame(module.path, site.scope)
            apps = _apps(resolver, func.value.value, frame)
            if not apps:
                continue
            method = func.attr
            pairs: list[tuple[str, ir.Expr, Optional[ir.Loc]]] = []
            profile: Optional[str] = None
            value_frame = frame
            if method in MAPPING_METHODS:
                if method == "setdefault" and len(call.args) == 2:
                    key_expr = call.args[0]
                    if isinstance(key_expr, ir.Const) and isinstance(key_expr.value, str):
                        pairs.append((key_expr.value, call.args[1], None))
                else:
                    pairs.extend(_keyword_pairs(call))
                    for argument in call.args:
                        if isinstance(argument, ir.DictExpr):
                            pairs.extend(
                                (k.value, v, None)
                                for k, v in zip(argument.keys, argument.values)
                                if isinstance(k, ir.Const) and isinstance(k.value, str)
                            )
                        elif _is_dict_call(project, argument, frame):
                            # ``update(dict(SECRET_KEY=...))``, the old Flask tutorial's style.
                            assert isinstance(argument, ir.Call)
                            pairs.extend(_keyword_pairs(argument))
            elif method == "from_object" and call.args:
                for attr_key, attr_value, owner, name, line in _object_attributes(
                    project, resolver, call.args[0], frame
                ):
                    for app in apps:
                        writes.append(
                            ConfigWrite(
                                app,
                                attr_key,
                                attr_value,
                                owner,
                                module.path,
                                call.loc,
                                site.scope,
                                site.guards,
                                f"config.from_object({name})",
                                name,
                                (owner.module, line),
                            )
                        )
                continue
            for pair_key, pair_value, pair_loc in pairs:
                if not pair_key.isupper():
                    continue
                for app in apps:
                    writes.append(
                        ConfigWrite(
                            app,
                            pair_key,
                            pair_value,
                            value_frame,
                            module.path,
                            call.loc,
                            site.scope,
                            site.guards,
                            f"config.{method}({pair_key}=...)",
                            profile,
                            value_loc=pair_loc,
                        )
                    )
    return writes


def config_assignments(module: ModuleFacts) -> tuple[Assignment, ...]:
    """Assignments outside class bodies that may write an app's config: an attribute
    shortcut (``x.debug = ...``) or a constant key (``x.config["KEY"] = ...``)."""
    found = []
    for assignment in module.assignments:
        if assignment.scope.startswith("<class"):
            continue
        target = assignment.target
        if (isinstance(target, ir.Attr) and target.attr in ATTRIBUTE_KEYS) or (
            isinstance(target, ir.Subscript)
            and isinstance(target.value, ir.Attr)
            and target.value.attr == "config"
            and isinstance(target.index, ir.Const)
            and isinstance(target.index.value, str)
        ):
            found.append(assignment)
    return tuple(found)


def config_method_calls(module: ModuleFacts) -> tuple[CallSite, ...]:
    """Calls of a method of some ``x.config``."""
    return tuple(
        site
        for site in module.calls
        if isinstance(site.call.func, ir.Attr)
        and isinstance(site.call.func.value, ir.Attr)
        and site.call.func.value.attr == "config"
    )


def _keyword_pairs(call: ir.Call) -> list[tuple[str, ir.Expr, Optional[ir.Loc]]]:
    return [(k, v, call.keyword_loc(k)) for k, v in call.kwargs if k is not None]


def _is_dict_call(project: Project, expr: ir.Expr, frame: Frame) -> bool:
    return (
        isinstance(expr, ir.Call)
        and isinstance(expr.func, ir.Name)
        and expr.func.id == "dict"
        and not expr.args
        and not project.lookup(frame, "dict")
    )


def _apps(resolver: ObjectResolver, expr: ir.Expr, frame: Frame) -> list[Instance]:
    return [
        v
        for v in resolver.infer(expr, frame)
        if isinstance(v, Instance) and resolver.class_is(v.cls, "flask.Flask")
    ]


def _object_attributes(
    project: Project, resolver: ObjectResolver, source: ir.Expr, frame: Frame
) -> list[tuple[str, ir.Expr, Frame, str, int]]:
    """Uppercase attributes of the class or module ``from_object`` is given, bases first."""
    targets = set(resolver.infer(source, frame))
    if isinstance(source, ir.Const) and isinstance(source.value, str):
        module_name, _, attr = source.value.rpartition(".")
        module = project.find_module(module_name or source.value, project.module(frame.module))
        if module is not None:
            if attr and module_name:
                targets.update(resolver.infer(ir.Name(attr), Frame(module.path, "")))
            else:
                targets.add(ModRef(module.path))
    found: list[tuple[str, ir.Expr, Frame, str, int]] = []
    for target in targets:
        if isinstance(target, ClassRef):
            found.extend(_class_attributes(project, resolver, target, 0))
        elif isinstance(target, Instance) and isinstance(target.cls, ClassRef):
            found.extend(_class_attributes(project, resolver, target.cls, 0))
        elif isinstance(target, ModRef):
            module = project.module(target.path)
            name = module.module_name
            for assignment in project.view(module, module_constants):
                target_expr = assignment.target
                assert isinstance(target_expr, ir.Name)
                found.append(
                    (
                        target_expr.id,
                        assignment.value,
                        Frame(module.path, ""),
                        name,
                        assignment.loc.line,
                    )
                )
    return found


def module_constants(module: ModuleFacts) -> tuple[Assignment, ...]:
    """A module's ``UPPER_CASE = ...`` assignments at module level: its settings, when it is
    a configuration module."""
    return tuple(
        a
        for a in module.assignments
        if a.scope == "" and isinstance(a.target, ir.Name) and a.target.id.isupper()
    )


def _class_attributes(
    project: Project, resolver: ObjectResolver, cls: ClassRef, depth: int
) -> list[tuple[str, ir.Expr, Frame, str, int]]:
    facts = project.cls(cls.module, cls.qualname)
    if facts is None or depth > 10:
        return []
    frame = Frame(cls.module, facts.scope)
    inherited: dict[str, tuple[str, ir.Expr, Frame, str, int]] = {}
    for base in facts.bases:
        for base_value in resolver.infer(base, frame):
            if isinstance(base_value, ClassRef):
                for item in _class_attributes(project, resolver, base_value, depth + 1):
                    inherited[item[0]] = (item[0], item[1], item[2], facts.name, item[4])
    for name, value, loc in facts.attributes:
        if name.isupper():
            inherited[name] = (name, value, frame, facts.name, loc.line)
    return list(inherited.values())
