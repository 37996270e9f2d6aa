"""The project model: all module facts, resolved against each other.

The model answers "what is this name?" for any expression in any scope of the project:
which module an import refers to, which function or class a name is bound to, and — through
:mod:`flaskguard.model.objects` — what kind of object an expression evaluates to. Rules and
analyses ask the model; they never look at source text or ASTs.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

from flaskguard.facts import ir
from flaskguard.facts.compare import LineMap, equal_under
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
from flaskguard.model.reads import IDENTITY_FIELDS, ReadKey, ReadLog, WatchedModule, moved_key

if TYPE_CHECKING:
    from flaskguard.deps.audit import AdvisoryDatabase
    from flaskguard.deps.manifests import DependencyFacts
    from flaskguard.facts.deployment import DeploymentFacts
    from flaskguard.facts.templates import TemplateFacts

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# A view of one module: a module-level function of that module's facts alone (it may not
# consult the project), so that its answer on an edited module tells whether a loop that
# asked it would see the edit. See :meth:`Project.view`.
ModuleView = Callable[[ModuleFacts], T]


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
    by_exact_name: dict[str, list[tuple[int, str, CallSite, str]]] = field(default_factory=dict)
    others: list[tuple[int, str, CallSite, str]] = field(default_factory=list)
    offsets: dict[str, int] = field(default_factory=dict)  # position of a module's first call


@dataclass
class _ModuleIndex:
    names: dict[str, dict[str, list[Binding]]] = field(default_factory=dict)
    functions: dict[str, FunctionFacts] = field(default_factory=dict)
    classes: dict[str, ClassFacts] = field(default_factory=dict)
    star_imports: list[ImportBinding] = field(default_factory=list)
    calls_by_scope: dict[str, list[CallSite]] = field(default_factory=dict)
    assignments_by_scope: dict[str, list[Assignment]] = field(default_factory=dict)
    calls_at: dict[tuple[int, int], CallSite] = field(default_factory=dict)
    decorated: tuple[FunctionFacts, ...] = ()


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
        # What the analyses read of the facts (see :mod:`flaskguard.model.reads`): they are
        # handed watched modules; the project's own lookups read the plain ones and note keys.
        self.reads = ReadLog()
        self._plain_by_path: dict[str, ModuleFacts] = {}
        self.modules_by_path: dict[str, ModuleFacts] = {}
        self.modules_by_name: dict[str, ModuleFacts] = {}
        self._by_last_part: dict[str, list[ModuleFacts]] = defaultdict(list)
        for plain in sorted(modules, key=lambda m: m.path):
            self._plain_by_path[plain.path] = plain
            module = WatchedModule.of(plain, self.reads.fields.setdefault(plain.path, set()))
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
        self._views: dict[tuple[str, str], Any] = {}
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

    @staticmethod
    def absolute_import(module: ModuleFacts, binding: ImportBinding) -> str:
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

    def _index(self, path: str) -> _ModuleIndex:
        found = self._indexes.get(path)
        if found is None:
            found = _build_index(self._plain_by_path[path])
            self._indexes[path] = found
        return found

    def function(self, path: str, qualname: str) -> Optional[FunctionFacts]:
        self.reads.module_keys(path).add(("function", qualname))
        return self._index(path).functions.get(qualname)

    def cls(self, path: str, qualname: str) -> Optional[ClassFacts]:
        self.reads.module_keys(path).add(("class", qualname))
        return self._index(path).classes.get(qualname)

    def bindings_in(self, path: str, scope: str, name: str) -> list[Binding]:
        """The bindings of ``name`` in ``scope`` of a module itself (no enclosing scopes)."""
        self.reads.module_keys(path).add(("name", scope, name))
        return self._index(path).names.get(scope, {}).get(name, [])

    def decorated_functions(self, module: ModuleFacts) -> tuple[FunctionFacts, ...]:
        """A module's functions that have decorators: what route, hook and handler
        declarations are looked for in, without reading (and depending on) the others."""
        self.reads.module_keys(module.path).add(("decorated",))
        return self._index(module.path).decorated

    def view(self, module: ModuleFacts, of: ModuleView[T]) -> T:
        """What ``of`` selects from a module's facts, for project-wide loops: the loop asks
        each module for the calls or assignments it could act on (``x.config[...] = ...``,
        calls with a ``verify=`` keyword) instead of reading all of them, so an edit that
        adds other calls or assignments leaves what it read unchanged."""
        ref = view_ref(of)
        self.reads.module_keys(module.path).add(("view", ref))
        return self._viewed(module.path, ref, of)

    def view_entry(
        self, module: ModuleFacts, of: ModuleView[Mapping[K, V]], entry: K
    ) -> Optional[V]:
        """One entry of a module's view that maps keys to values (an index by scope and
        name, say): only that entry is noted as read."""
        ref = view_ref(of)
        self.reads.module_keys(module.path).add(("view", ref, entry))
        return self._viewed(module.path, ref, of).get(entry)

    def _viewed(self, path: str, ref: str, of: ModuleView[T]) -> T:
        key = (path, ref)
        if key in self._views:
            found: T = self._views[key]
            return found
        computed = of(self._plain_by_path[path])
        self._views[key] = computed
        return computed

    def lookup(self, frame: Frame, name: str) -> list[Binding]:
        """Every binding ``name`` may have in ``frame``, innermost scope first (LEGB)."""
        index = self._index(frame.module)
        reads = self.reads.module_keys(frame.module)
        scope: Optional[str] = frame.scope
        while scope is not None:
            reads.add(("name", scope, name))
            found = index.names.get(scope, {}).get(name)
            if found:
                return found
            scope = self._enclosing_scope(frame.module, scope)
        reads.add(("star",))
        for star in index.star_imports:
            module = self.modules_by_path[frame.module]
            target = self.find_module(self.absolute_import(module, star), module)
            if target is not None and target.path != frame.module:
                self.reads.module_keys(target.path).add(("name", "", name))
                found = self._index(target.path).names.get("", {}).get(name)
                if found:
                    return found
        return []

    def _enclosing_scope(self, path: str, scope: str) -> Optional[str]:
        if scope == "":
            return None
        if scope.startswith("<class "):
            cls = self.cls(path, scope[len("<class ") : -1])
            return cls.scope if cls is not None else ""
        function = self.function(path, scope)
        if function is None:
            return ""
        parent = function.scope
        # Class bodies are not enclosing scopes for the functions defined in them.
        while parent:
            cls = self.cls(path, parent)
            if cls is None:
                break
            parent = cls.scope
        return parent

    def calls_of_attribute(self, *names: str) -> list[tuple[str, CallSite]]:
        """Every call of an attribute named one of ``names`` (``x.name(...)``), in module and
        call order: a lookup, where rules and the model asked for them one scan of every call
        in the project at a time."""
        return self.call_candidates(names, None, other_callees=False)

    def calls_named(self, *names: str) -> list[tuple[str, CallSite]]:
        """Every call of ``name(...)`` or ``x.name(...)`` for a name in ``names``, in module
        and call order."""
        return self.call_candidates(names, None, other_callees=False, names=names)

    def call_candidates(
        self,
        attributes: Collection[str],
        named_by: Optional[ModuleView[tuple[CallSite, ...]]] = None,
        *,
        other_callees: bool = True,
        names: Collection[str] = (),
    ) -> list[tuple[str, CallSite]]:
        """In module and call order: calls of an attribute in ``attributes``, calls of a bare
        name in ``names`` or that the module view ``named_by`` selects (a module's bare-name
        calls of the names it imports, say), and, with ``other_callees``, calls of anything
        else (a call's result, a subscript...)."""
        index = self.cached("project.call-index", self._index_calls)
        wanted = set(attributes)
        self.reads.calls.update(("attribute", name) for name in wanted)
        entries = [entry for name in wanted for entry in index.by_attribute.get(name, ())]
        exact = set(names)
        self.reads.calls.update(("named", name) for name in exact)
        entries.extend(entry for name in exact for entry in index.by_exact_name.get(name, ()))
        if named_by is not None:
            seen = {id(entry[2]) for entry in entries}
            entries.extend(
                entry for entry in self._viewed_calls(named_by) if id(entry[2]) not in seen
            )
        if other_callees:
            self.reads.calls.add(("other",))
            entries.extend(index.others)
        entries.sort(key=lambda entry: entry[0])
        return [(path, site) for _, path, site, _ in entries]

    def _viewed_calls(
        self, of: ModuleView[tuple[CallSite, ...]]
    ) -> list[tuple[int, str, CallSite, str]]:
        """The calls a module view selects in every module, as call index entries."""

        def collect() -> list[tuple[int, str, CallSite, str]]:
            index = self.cached("project.call-index", self._index_calls)
            found: list[tuple[int, str, CallSite, str]] = []
            for module in self.modules_by_path.values():
                selected = self.view(module, of)
                if not selected:
                    continue
                offset = index.offsets[module.path]
                position = {
                    id(site): i for i, site in enumerate(self._plain_by_path[module.path].calls)
                }
                found.extend(
                    (offset + position[id(site)], module.path, site, "") for site in selected
                )
            return found

        return self.cached(f"project.viewed-calls.{view_ref(of)}", collect)

    def _index_calls(self) -> _CallIndex:
        index = _CallIndex()
        order = 0
        for module in self._plain_by_path.values():
            index.offsets[module.path] = order
            for site in module.calls:
                kind, called = call_key(site)
                if kind == "attribute":
                    index.by_attribute.setdefault(called, []).append(
                        (order, module.path, site, called)
                    )
                elif kind == "named":
                    index.by_exact_name.setdefault(called, []).append(
                        (order, module.path, site, called)
                    )
                else:
                    index.others.append((order, module.path, site, ""))
                order += 1
        return index

    def calls_in_scope(self, path: str, scope: str) -> list[CallSite]:
        self.reads.module_keys(path).add(("scope-calls", scope))
        return self._index(path).calls_by_scope.get(scope, [])

    def assignments_in_scope(self, path: str, scope: str) -> list[Assignment]:
        self.reads.module_keys(path).add(("scope-assignments", scope))
        return self._index(path).assignments_by_scope.get(scope, [])

    def call_at(self, path: str, line: int, col: int) -> Optional[CallSite]:
        self.reads.module_keys(path).add(("call-at", line, col))
        return self._index(path).calls_at.get((line, col))


def _build_index(module: ModuleFacts) -> _ModuleIndex:
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
        index.assignments_by_scope.setdefault(assignment.scope, []).append(assignment)
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
    index.decorated = tuple(function for function in module.functions if function.decorators)
    return index


def view_ref(of: Callable[..., object]) -> str:
    """How a module view is named in a read log: ``module:qualified name``."""
    return f"{of.__module__}:{of.__qualname__}"


def _view_of(ref: str) -> Optional[Callable[[ModuleFacts], Any]]:
    """The view a read log names, or None when this version of the code has none."""
    module_name, _, qualname = ref.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


def call_key(site: CallSite) -> tuple[str, str]:
    """How the project's call index files a call: ("attribute", name) for ``x.name(...)``,
    ("named", name) for ``name(...)``, ("other", "") for anything else."""
    func = site.call.func
    if isinstance(func, ir.Attr):
        return "attribute", func.attr
    if isinstance(func, ir.Name):
        return "named", func.id
    return "other", ""


def changed_read(
    reads: ReadLog, before: ModuleFacts, after: ModuleFacts, lines: Optional[LineMap] = None
) -> Optional[str]:
    """The first read in ``reads`` that a module's facts ``after`` an edit answer otherwise
    than ``before`` it did, described; None when every read gets the same answer, so that the
    analyses, which are deterministic in what they read, would find the same.

    With ``lines`` (old line -> new line, keeping their order), an answer is the same when it
    is the old one with its lines moved that way, and a read that names a line (a call at a
    position) is asked at the moved line: the analyses would then find the same with those
    lines moved, and the scan moves them in the stored findings."""
    for name in IDENTITY_FIELDS:
        if getattr(before, name) != getattr(after, name):
            return name

    def same(old: object, new: object) -> bool:
        return old == new if lines is None else equal_under(old, new, lines)

    path = before.path
    for name in sorted(reads.fields.get(path, ())):
        if not same(getattr(before, name), getattr(after, name)):
            return f"{name} of {path}"
    keys = reads.keys.get(path)
    if keys:
        old, new = _build_index(before), _build_index(after)
        views: dict[str, tuple[Any, Any]] = {}
        for key in sorted(keys, key=repr):
            try:
                asked = key if lines is None else moved_key(key, lines)
            except KeyError:
                return f"{key} in {path}: its line changed"
            if key[0] == "view":
                ref = str(key[1])
                if ref not in views:
                    of = _view_of(ref)
                    if of is None:
                        return f"unknown view {ref}"
                    views[ref] = (of(before), of(after))
                answers = views[ref]
                if len(key) > 2:
                    answers = (answers[0].get(key[2]), answers[1].get(asked[2]))
                if not same(*answers):
                    return f"{key} in {path}"
            elif not same(_index_answer(old, key), _index_answer(new, asked)):
                return f"{key} in {path}"
    if reads.calls:
        old_calls, new_calls = _calls_by_key(before), _calls_by_key(after)
        for key in sorted(reads.calls, key=repr):
            if not same(old_calls.get(key, []), new_calls.get(key, [])):
                return f"calls {key} in {path}"
    return None


def _calls_by_key(module: ModuleFacts) -> dict[ReadKey, list[CallSite]]:
    """A module's calls under each key the call index is read by: ("attribute", name),
    ("named", name), ("other",)."""
    calls: dict[ReadKey, list[CallSite]] = {}
    for site in module.calls:
        kind, called = call_key(site)
        calls.setdefault((kind, called) if called else (kind,), []).append(site)
    return calls


def _index_answer(index: _ModuleIndex, key: ReadKey) -> object:
    kind = key[0]
    if kind == "name":
        return index.names.get(str(key[1]), {}).get(str(key[2]))
    if kind == "function":
        return index.functions.get(str(key[1]))
    if kind == "class":
        return index.classes.get(str(key[1]))
    if kind == "decorated":
        return index.decorated
    if kind == "star":
        return index.star_imports
    if kind == "scope-calls":
        return index.calls_by_scope.get(str(key[1]))
    if kind == "scope-assignments":
        return index.assignments_by_scope.get(str(key[1]))
    if kind == "call-at":
        line, col = key[1], key[2]
        assert isinstance(line, int) and isinstance(col, int)
        return index.calls_at.get((line, col))
    raise ValueError(f"unknown read {key!r}")
