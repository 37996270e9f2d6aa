"""The project model: all module facts, resolved against each other.

The model answers "what is this name?" for any expression in any scope of the project:
which module an import refers to, which function or class a name is bound to, and — through
:mod:`flaskguard.model.objects` — what kind of object an expression evaluates to. Rules and
analyses ask the model; they never look at source text or ASTs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

from flaskguard.facts import ir
from flaskguard.facts.module import (
    Assignment,
    CallSite,
    ClassFacts,
    FunctionFacts,
    ImportBinding,
    ModuleFacts,
    Parameter,
)
from flaskguard.knowledge.frameworks import KNOWN_LIBRARIES

if TYPE_CHECKING:
    from flaskguard.deps.audit import AdvisoryDatabase
    from flaskguard.deps.manifests import DependencyFacts
    from flaskguard.facts.deployment import DeploymentFacts
    from flaskguard.facts.templates import TemplateFacts

T = TypeVar("T")


class Frame:
    """Where an expression is evaluated: a scope of a module, with parameters bound by a caller.

    ``world`` says how the module was started: ``"import"`` (``__name__`` is the module's own
    name) or ``"main"`` (run as a script, ``__name__ == "__main__"``). Frames are immutable
    and are created by the million in a large project, hence the slots.
    """

    __slots__ = ("_hash", "_key", "bindings", "depth", "module", "scope", "world")

    module: str  # module path (root-relative), the key of Project.modules_by_path
    scope: str
    world: str
    bindings: tuple[tuple[str, ir.Expr, Frame], ...]
    depth: int  # how many calls deep the bindings go

    def __init__(
        self,
        module: str,
        scope: str,
        world: str = "import",
        bindings: tuple[tuple[str, ir.Expr, Frame], ...] = (),
    ) -> None:
        self.module = module
        self.scope = scope
        self.world = world
        self.bindings = bindings
        # Frames nest through their bindings and are dictionary keys everywhere: hash once.
        bound = tuple((n, id(e), f) for n, e, f in bindings) if bindings else ()
        self._key = (module, scope, world, bound)
        self._hash = hash(self._key)
        self.depth = 1 + max((f.depth for _, _, f in bindings), default=-1) if bindings else 0

    def __repr__(self) -> str:
        return f"Frame({self.module!r}, {self.scope!r}, {self.world!r}, depth={self.depth})"

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return self is other or (self._hash == other._hash and self._key == other._key)

    def with_world(self, world: str) -> Frame:
        return Frame(self.module, self.scope, world, self.bindings)

    def bound(self, name: str) -> Optional[tuple[ir.Expr, Frame]]:
        for key, expr, frame in self.bindings:
            if key == name:
                return expr, frame
        return None


@dataclass(frozen=True)
class ExprBinding:
    expr: ir.Expr
    frame: Frame
    assignment: Optional[Assignment] = None


@dataclass(frozen=True)
class FunctionBinding:
    module: str
    function: FunctionFacts


@dataclass(frozen=True)
class ClassBinding:
    module: str
    cls: ClassFacts


@dataclass(frozen=True)
class ImportedBinding:
    module: str
    binding: ImportBinding


@dataclass(frozen=True)
class ParameterBinding:
    module: str
    function: FunctionFacts
    parameter: Parameter
    index: int


Binding = Union[ExprBinding, FunctionBinding, ClassBinding, ImportedBinding, ParameterBinding]


@dataclass
class _CallIndex:
    """Every call site of the project by the kind of its callee; entries are
    (position in the project, module path, site, attribute or name called)."""

    by_attribute: dict[str, list[tuple[int, str, CallSite, str]]] = field(default_factory=dict)
    by_name: list[tuple[int, str, CallSite, str]] = field(default_factory=list)
    others: list[tuple[int, str, CallSite, str]] = field(default_factory=list)


@dataclass
class _ModuleIndex:
    names: dict[str, dict[str, list[Binding]]] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    star_imports: list[ImportBinding] = field(default_factory=list)
    calls_by_scope: dict[str, list[CallSite]] = field(default_factory=dict)
    calls_at: dict[tuple[int, int], CallSite] = field(default_factory=dict)


def class_body_scope(class_qualname: str) -> str:
    """The scope name of a class body, where class attributes are visible."""
    return f"<class {class_qualname}>"


def site_frame(frame: Frame, site: CallSite) -> Frame:
    """The frame a call site's expressions are evaluated in (its class body, if any)."""
    if site.class_qualname is None:
        return frame
    return Frame(frame.module, class_body_scope(site.class_qualname), frame.world, frame.bindings)


class Project:
    # Names of project or library decorators that enforce authentication, from the
    # ``extra-auth-decorators`` setting; the scan sets it before rules run.
    extra_auth_decorators: tuple[str, ...] = ()
    # ``extra-taint-sources``: dotted names whose values the taint engine treats as attacker data.
    extra_taint_sources: tuple[str, ...] = ()
    # The scanned folders, relative to the root, longest first: what a path means (test,
    # example, production code) is judged below them.
    scan_bases: tuple[str, ...] = ()

    def __init__(
        self,
        root: str,
        modules: Iterable[ModuleFacts],
        deployments: Iterable[DeploymentFacts] = (),
        dependencies: Iterable[DependencyFacts] = (),
        advisories: Optional[AdvisoryDatabase] = None,
        *,
        templates: Iterable[TemplateFacts] = (),
    ) -> None:
        self.root = root
        self.dependencies = sorted(dependencies, key=lambda d: d.path)
        self.advisories = advisories
        self.modules_by_path: dict[str, ModuleFacts] = {}
        self.modules_by_name: dict[str, ModuleFacts] = {}
        self._by_last_part: dict[str, list[ModuleFacts]] = defaultdict(list)
        for module in sorted(modules, key=lambda m: m.path):
            self.modules_by_path[module.path] = module
            if module.module_name and module.module_name not in self.modules_by_name:
                self.modules_by_name[module.module_name] = module
            if module.module_name:
                self._by_last_part[module.module_name.rsplit(".", 1)[-1]].append(module)
        self.deployments = sorted(deployments, key=lambda d: d.path)
        self.templates_by_path: dict[str, TemplateFacts] = {
            t.path: t for t in sorted(templates, key=lambda t: t.path)
        }
        self._indexes: dict[str, _ModuleIndex] = {}
        self._cache: dict[str, Any] = {}
        self._found_modules: dict[tuple[str, str], Optional[ModuleFacts]] = {}

    # -- shared, lazily computed analyses -------------------------------------------------

    def release_analyses(self) -> None:
        """Drop the analyses computed on this project. They refer back to it, and with the
        cyclic collector paused during a scan that cycle would keep every fact alive until
        the collector next runs (seconds, for a large tree); dropped, the facts go as soon as
        the scan lets go of the project."""
        self._cache.clear()

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        if key not in self._cache:
            self._cache[key] = compute()
        result: T = self._cache[key]
        return result

    # -- templates ------------------------------------------------------------------------

    def template(self, name: str, near: Optional[str] = None) -> Optional[TemplateFacts]:
        """The template file ``render_template(name)`` loads: one whose path ends with
        ``templates/`` + ``name``. With several, the templates folder nearest to the module
        at ``near`` wins (the most leading directories shared with it), then the shallowest.

        Names are read as Jinja reads them: empty and ``.`` segments are dropped, and a name
        with a ``..`` segment loads nothing.
        """
        parts = [part for part in name.split("/") if part not in ("", ".")]
        if not parts or ".." in parts:
            return None
        suffix = "templates/" + "/".join(parts)
        candidates = [
            facts
            for path, facts in self.templates_by_path.items()
            if path == suffix or path.endswith("/" + suffix)
        ]
        if not candidates:
            return None
        near_dirs = near.split("/")[:-1] if near else []

        def rank(facts: TemplateFacts) -> tuple[int, int, str]:
            folder = facts.path[: -len(suffix)].split("/")[:-1]  # the folders above templates/
            shared = 0
            for a, b in zip(near_dirs, folder):
                if a != b:
                    break
                shared += 1
            return -shared, len(folder), facts.path

        return min(candidates, key=rank)

    # -- modules --------------------------------------------------------------------------

    @property
    def modules(self) -> list[ModuleFacts]:
        return list(self.modules_by_path.values())

    def module(self, path: str) -> ModuleFacts:
        return self.modules_by_path[path]

    def find_module(
        self, name: str, importer: Optional[ModuleFacts] = None
    ) -> Optional[ModuleFacts]:
        """The project module an absolute import name refers to, if the project has it.

        Module names are derived from root-relative paths, but the code may be run with another
        folder on ``sys.path`` (``src/``, a sub-folder holding the app): a name that matches the
        end of a module's dotted path is accepted, preferring the module nearest the importer.
        """
        exact = self.modules_by_name.get(name)
        if exact is not None:
            return exact
        key = (name, importer.path if importer is not None else "")
        if key in self._found_modules:
            return self._found_modules[key]
        found = self._find_by_suffix(name, importer)
        self._found_modules[key] = found
        return found

    def _find_by_suffix(self, name: str, importer: Optional[ModuleFacts]) -> Optional[ModuleFacts]:
        candidates = [
            m
            for m in self._by_last_part.get(name.rsplit(".", 1)[-1], [])
            if m.module_name.endswith("." + name) and self._importable_as(m, name)
        ]
        if not candidates:
            return None
        if importer is None or len(candidates) == 1:
            return candidates[0]
        importer_parts = importer.module_name.split(".")

        def shared_prefix(candidate: ModuleFacts) -> int:
            count = 0
            for a, b in zip(importer_parts, candidate.module_name.split(".")):
                if a != b:
                    break
                count += 1
            return count

        return max(candidates, key=lambda m: (shared_prefix(m), -len(m.module_name)))

    def _importable_as(self, module: ModuleFacts, name: str) -> bool:
        """Whether ``module`` may be what ``import name`` finds, with some folder on
        ``sys.path``. A module inside a package (``x/util/flask.py`` in ``x.util``) is not
        taken for a library the analyses know (``flask``, ``requests``, ``hashlib``...): it
        would shadow the real one for every import in the project."""
        above = module.module_name[: -len(name) - 1]
        found = self.modules_by_name.get(above)
        if found is None or not found.is_package:
            return True
        top = name.split(".", 1)[0]
        return not (top in KNOWN_LIBRARIES or top.startswith("flask_"))

    def absolute_import(self, module: ModuleFacts, binding: ImportBinding) -> str:
        if binding.level == 0:
            return binding.module
        package_parts = module.module_name.split(".") if module.module_name else []
        if not module.is_package:
            package_parts = package_parts[:-1]
        if binding.level > 1:
            package_parts = package_parts[: len(package_parts) - (binding.level - 1)]
        base = ".".join(package_parts)
        if binding.module:
            return f"{base}.{binding.module}" if base else binding.module
        return base

    # -- per-module indexes ----------------------------------------------------------------

    def index(self, path: str) -> _ModuleIndex:
        found = self._indexes.get(path)
        if found is None:
            found = self._build_index(self.modules_by_path[path])
            self._indexes[path] = found
        return found

    def _build_index(self, module: ModuleFacts) -> _ModuleIndex:
        index = _ModuleIndex()
        names = index.names

        def add(scope: str, name: str, binding: Binding) -> None:
            names.setdefault(scope, {}).setdefault(name, []).append(binding)

        globals_by_scope: dict[str, set[str]] = {}
        for function in module.functions:
            index.functions[function.qualname] = function
            globals_by_scope[function.qualname] = set(function.global_names)
            add(function.scope, function.name, FunctionBinding(module.path, function))
            for position, parameter in enumerate(function.params):
                add(
                    function.qualname,
                    parameter.name,
                    ParameterBinding(module.path, function, parameter, position),
                )
        for cls in module.classes:
            index.classes[cls.qualname] = cls
            add(cls.scope, cls.name, ClassBinding(module.path, cls))
            body_scope = class_body_scope(cls.qualname)
            for name, value, _ in cls.attributes:
                add(body_scope, name, ExprBinding(value, Frame(module.path, body_scope)))
        for function in module.functions:
            if function.class_qualname is not None:
                add(
                    class_body_scope(function.class_qualname),
                    function.name,
                    FunctionBinding(module.path, function),
                )
        for binding in module.imports:
            if binding.attr == "*":
                if binding.scope == "":
                    index.star_imports.append(binding)
                continue
            add(binding.scope, binding.name, ImportedBinding(module.path, binding))
        for assignment in module.assignments:
            if not isinstance(assignment.target, ir.Name) or assignment.scope.startswith("<class"):
                continue
            name = assignment.target.id
            scope = assignment.scope
            if name in globals_by_scope.get(scope, ()):
                scope = ""
            frame = Frame(module.path, assignment.scope)
            add(scope, name, ExprBinding(assignment.value, frame, assignment))
        for site in module.calls:
            index.calls_by_scope.setdefault(site.scope, []).append(site)
            index.calls_at[(site.call.loc.line, site.call.loc.col)] = site
        return index

    def function(self, path: str, qualname: str) -> Optional[FunctionFacts]:
        return self.index(path).functions.get(qualname)

    def cls(self, path: str, qualname: str) -> Optional[ClassFacts]:
        return self.index(path).classes.get(qualname)

    def lookup(self, frame: Frame, name: str) -> list[Binding]:
        """Every binding ``name`` may have in ``frame``, innermost scope first (LEGB)."""
        index = self.index(frame.module)
        scope: Optional[str] = frame.scope
        while scope is not None:
            found = index.names.get(scope, {}).get(name)
            if found:
                return found
            scope = self._enclosing_scope(frame.module, scope)
        for star in index.star_imports:
            module = self.modules_by_path[frame.module]
            target = self.find_module(self.absolute_import(module, star), module)
            if target is not None and target.path != frame.module:
                found = self.index(target.path).names.get("", {}).get(name)
                if found:
                    return found
        return []

    def _enclosing_scope(self, path: str, scope: str) -> Optional[str]:
        if scope == "":
            return None
        if scope.startswith("<class "):
            cls = self.index(path).classes.get(scope[len("<class ") : -1])
            return cls.scope if cls is not None else ""
        function = self.index(path).functions.get(scope)
        if function is None:
            return ""
        parent = function.scope
        # Class bodies are not enclosing scopes for the functions defined in them.
        while parent and parent in self.index(path).classes:
            parent = self.index(path).classes[parent].scope
        return parent

    def calls_of_attribute(self, *names: str) -> list[tuple[str, CallSite]]:
        """Every call of an attribute named one of ``names`` (``x.name(...)``), in module and
        call order: a lookup, where rules and the model asked for them one scan of every call
        in the project at a time."""
        return self.call_candidates(names, None, other_callees=False)

    def call_candidates(
        self,
        attributes: Collection[str],
        name_passes: Optional[Callable[[str, str], bool]],
        *,
        other_callees: bool = True,
    ) -> list[tuple[str, CallSite]]:
        """In module and call order: calls of an attribute in ``attributes``, calls of a bare
        name for which ``name_passes(module path, name)`` (none without it), and, with
        ``other_callees``, calls of anything else (a call's result, a subscript...)."""
        index = self.cached("project.call-index", self._index_calls)
        entries = [entry for name in set(attributes) for entry in index.by_attribute.get(name, ())]
        if name_passes is not None:
            entries.extend(entry for entry in index.by_name if name_passes(entry[1], entry[3]))
        if other_callees:
            entries.extend(index.others)
        entries.sort(key=lambda entry: entry[0])
        return [(path, site) for _, path, site, _ in entries]

    def _index_calls(self) -> _CallIndex:
        index = _CallIndex()
        order = 0
        for module in self.modules_by_path.values():
            for site in module.calls:
                func = site.call.func
                if isinstance(func, ir.Attr):
                    index.by_attribute.setdefault(func.attr, []).append(
                        (order, module.path, site, func.attr)
                    )
                elif isinstance(func, ir.Name):
                    index.by_name.append((order, module.path, site, func.id))
                else:
                    index.others.append((order, module.path, site, ""))
                order += 1
        return index

    def calls_in_scope(self, path: str, scope: str) -> list[CallSite]:
        return self.index(path).calls_by_scope.get(scope, [])

    def call_at(self, path: str, line: int, col: int) -> Optional[CallSite]:
        return self.index(path).calls_at.get((line, col))

    def assignments(self) -> Iterator[tuple[ModuleFacts, Assignment]]:
        for module in self.modules_by_path.values():
            for assignment in module.assignments:
                yield module, assignment
