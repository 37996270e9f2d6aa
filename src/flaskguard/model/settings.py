"""Every configuration value the project sets, with the profile it belongs to.

Sources: writes on application objects (``app.config[...]``, ``update``, ``from_mapping``,
``setdefault``, ``app.secret_key``... see :mod:`flaskguard.model.appconfig`), attributes of
configuration classes (with inheritance between them), and module-level constants of
configuration modules (``from_object("config")``, ``from_pyfile("settings.py")``,
``from_object(__name__)``, and modules named ``config``/``settings``).

Each value is classified as **production**, **development**, **testing** or **default**:
by the profile's name (``ProductionConfig``, ``DevConfig``, ``TestingConfig``,
``config/local.py``), by ``TESTING = True``, by its file (tests, conftest), and — for a base
class — by the subclasses that inherit the value without overriding it, so a base-class
default that only development and testing profiles use is not reported as a production
value. *Default* values are what a deployment gets unless something overrides them; rules
treat them like production.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Optional

from flaskguard.analysis.codecontext import is_test_path
from flaskguard.analysis.constants import ConstantEvaluator
from flaskguard.analysis.purpose import walk
from flaskguard.facts import ir
from flaskguard.facts.module import ClassFacts, Guard
from flaskguard.model.appconfig import ConfigWrite, module_constants
from flaskguard.model.objects import ClassRef, ModRef, ObjectResolver
from flaskguard.model.project import Frame, Project

ProfileKind = Literal["production", "development", "testing", "default"]
PRODUCTION_KINDS = frozenset({"production", "default"})

_TESTING = re.compile(r"test", re.IGNORECASE)
_DEVELOPMENT = re.compile(r"dev|debug|local", re.IGNORECASE)
_PRODUCTION = re.compile(r"prod|live|release|deploy|staging", re.IGNORECASE)
_CONFIG_CLASS = re.compile(r"config|settings", re.IGNORECASE)
_KEY_NAME = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+")
_CONFIG_MODULE = re.compile(r"(^|[._])(config|configs|settings|conf)($|[._])", re.IGNORECASE)
_RANK: dict[str, int] = {"testing": 0, "development": 1, "default": 2, "production": 3}


def profile_kind(name: Optional[str]) -> ProfileKind:
    if not name:
        return "default"
    if _TESTING.search(name):
        return "testing"
    if _DEVELOPMENT.search(name):
        return "development"
    if _PRODUCTION.search(name):
        return "production"
    return "default"


@dataclass(frozen=True)
class Setting:
    key: str
    value: ir.Expr
    frame: Frame  # where ``value`` is evaluated
    path: str  # where the value is written
    loc: ir.Loc
    scope: str
    guards: tuple[Guard, ...]
    via: str  # how it is set, for messages
    profile: Optional[str]  # the config class or module, if any
    kind: ProfileKind
    value_loc: Optional[ir.Loc] = None  # ``KEY=value`` inside a call, when known

    @property
    def in_production(self) -> bool:
        return self.kind in PRODUCTION_KINDS

    @property
    def value_site(self) -> ir.Loc:
        """Where the value is written: the keyword of a multi-line ``update(...)`` call, else
        the assignment target or the call."""
        return self.value_loc or self.loc


class ConfigModel:
    def __init__(
        self,
        project: Project,
        resolver: ObjectResolver,
        evaluator: ConstantEvaluator,
        writes: list[ConfigWrite],
    ) -> None:
        self.project = project
        self.resolver = resolver
        self.evaluator = evaluator
        self._writes = writes
        self._subclasses: dict[ClassRef, list[ClassRef]] = {}
        self.settings = list(self._collect())
        self._by_key: dict[str, list[Setting]] = {}
        for setting in self.settings:
            self._by_key.setdefault(setting.key, []).append(setting)

    def for_key(self, key: str) -> list[Setting]:
        return self._by_key.get(key, [])

    def in_production(self, key: str) -> list[Setting]:
        return [s for s in self.for_key(key) if s.in_production]

    def is_set(self, key: str) -> bool:
        return key in self._by_key

    # -- collection -----------------------------------------------------------------------

    def _collect(self) -> Iterator[Setting]:
        seen: set[tuple[str, int, int, str]] = set()
        for write in self._writes:
            if write.profile is not None:
                continue
            kind = self._write_kind(write)
            setting = Setting(
                write.key,
                write.value,
                write.frame,
                write.module,
                write.loc,
                write.scope,
                write.guards,
                write.via,
                None,
                kind,
                write.value_loc,
            )
            marker = (setting.path, setting.loc.line, setting.loc.col, setting.key)
            if marker not in seen:
                seen.add(marker)
                yield setting
        self._index_subclasses()
        targets = self._from_object_targets()
        self._config_classes = self._with_ancestors(targets)
        for module in self.project.modules:
            for cls in module.classes:
                ref = ClassRef(module.path, cls.qualname)
                if not self._is_config_class(ref, cls, targets):
                    continue
                frame = Frame(module.path, f"<class {cls.qualname}>")
                for name, value, loc in cls.attributes:
                    if not name.isupper():
                        continue
                    kind = self._class_value_kind(ref, name, targets, 0)
                    yield Setting(
                        name,
                        value,
                        frame,
                        module.path,
                        loc,
                        cls.qualname,
                        (),
                        f"{cls.name}.{name}",
                        cls.name,
                        kind,
                    )
        for path in self._config_modules(targets):
            module = self.project.module(path)
            profile = module.module_name or path
            base_kind = (
                "testing"
                if is_test_path(self.project, path)
                else profile_kind(profile.rsplit(".", 1)[-1] if "." in profile else profile)
            )
            for assignment in self.project.view(module, module_constants):
                target = assignment.target
                assert isinstance(target, ir.Name)
                if assignment.augmented:
                    continue
                yield Setting(
                    target.id,
                    assignment.value,
                    Frame(path, ""),
                    path,
                    assignment.loc,
                    "",
                    assignment.guards,
                    f"{target.id} in {profile}",
                    profile,
                    base_kind,
                )

    def _write_kind(self, write: ConfigWrite) -> ProfileKind:
        if is_test_path(self.project, write.module):
            return "testing"
        scope_words = write.scope.rsplit(".", 1)[-1]
        if write.scope and _TESTING.search(scope_words):
            return "testing"
        for guard in write.guards:
            test, holds = _polarity(guard.test)
            if guard.branch != holds:
                continue
            names = _names(test)
            if any(_TESTING.search(n) for n in names):
                return "testing"
            if any(re.search(r"debug|dev", n, re.IGNORECASE) for n in names):
                return "development"
        return "default"

    def _index_subclasses(self) -> None:
        for module in self.project.modules:
            for cls in module.classes:
                frame = Frame(module.path, cls.scope)
                for base in cls.bases:
                    for value in self.resolver.infer(base, frame):
                        if isinstance(value, ClassRef):
                            self._subclasses.setdefault(value, []).append(
                                ClassRef(module.path, cls.qualname)
                            )

    def _from_object_targets(self) -> set[object]:
        """Classes and modules handed to ``from_object``/``from_pyfile`` anywhere."""
        targets: set[object] = set()
        for path, site in self.project.calls_of_attribute("from_object", "from_pyfile"):
            func = site.call.func
            assert isinstance(func, ir.Attr)
            if not site.call.args:
                continue
            argument = site.call.args[0]
            frame = Frame(path, site.scope)
            if func.attr == "from_pyfile":
                name = self.evaluator.evaluate(argument, frame).value
                if isinstance(name, str):
                    found = self._file_module(name, path)
                    if found is not None:
                        targets.add(ModRef(found))
                continue
            if isinstance(argument, ir.Name) and argument.id == "__name__":
                targets.add(ModRef(path))
                continue
            value = self.evaluator.evaluate(argument, frame).value
            if isinstance(value, str):
                targets.update(self._dotted_target(value, path))
            targets.update(
                v for v in self.resolver.infer(argument, frame) if isinstance(v, (ClassRef, ModRef))
            )
        return targets

    def _dotted_target(self, dotted: str, importer: str) -> set[object]:
        module_name, _, attr = dotted.rpartition(".")
        importer_facts = self.project.module(importer)
        whole = self.project.find_module(dotted, importer_facts)
        if whole is not None:
            return {ModRef(whole.path)}
        if not module_name:
            return set()
        module = self.project.find_module(module_name, importer_facts)
        if module is None:
            return set()
        return {
            v
            for v in self.resolver.infer(ir.Name(attr), Frame(module.path, ""))
            if isinstance(v, ClassRef)
        }

    def _file_module(self, filename: str, near: str) -> Optional[str]:
        name = filename.replace("\\", "/").rsplit("/", 1)[-1]
        if not name.endswith(".py"):
            return None
        candidates = [p for p in self.project.modules_by_path if p.rsplit("/", 1)[-1] == name]
        if not candidates:
            return None
        directory = near.rsplit("/", 1)[0] if "/" in near else ""
        return min(candidates, key=lambda p: (0 if p.startswith(directory) else 1, len(p)))

    def _with_ancestors(self, targets: set[object]) -> set[ClassRef]:
        """Classes handed to ``from_object`` and every class they inherit values from."""
        found: set[ClassRef] = set()
        pending = [t for t in targets if isinstance(t, ClassRef)]
        while pending:
            ref = pending.pop()
            if ref in found:
                continue
            found.add(ref)
            facts = self.project.cls(ref.module, ref.qualname)
            if facts is None:
                continue
            frame = Frame(ref.module, facts.scope)
            for base in facts.bases:
                pending.extend(
                    v for v in self.resolver.infer(base, frame) if isinstance(v, ClassRef)
                )
        return found

    def _is_config_class(self, ref: ClassRef, cls: ClassFacts, targets: set[object]) -> bool:
        if ref in self._config_classes or _CONFIG_CLASS.search(cls.name):
            return any(name.isupper() for name, _, _ in cls.attributes) and not _names_table(cls)
        return False

    def _class_kind(self, ref: ClassRef, depth: int = 0) -> ProfileKind:
        if is_test_path(self.project, ref.module):
            return "testing"
        facts = self.project.cls(ref.module, ref.qualname)
        if facts is None:
            return "default"
        kind = profile_kind(facts.name)
        if kind != "testing" and self._sets_testing(ref, depth):
            return "testing"
        return kind

    def _sets_testing(self, ref: ClassRef, depth: int) -> bool:
        facts = self.project.cls(ref.module, ref.qualname)
        if facts is None or depth > 8:
            return False
        frame = Frame(ref.module, f"<class {ref.qualname}>")
        for name, value, _ in reversed(facts.attributes):
            if name == "TESTING":
                return self.evaluator.evaluate(value, frame).value is True
        base_frame = Frame(ref.module, facts.scope)
        for base in facts.bases:
            for base_value in self.resolver.infer(base, base_frame):
                if isinstance(base_value, ClassRef) and self._sets_testing(base_value, depth + 1):
                    return True
        return False

    def _class_value_kind(
        self, ref: ClassRef, key: str, targets: set[object], depth: int
    ) -> ProfileKind:
        """The most production-like profile that ends up with this class's value of ``key``."""
        own = self._class_kind(ref)
        subclasses = self._subclasses.get(ref, [])
        if not subclasses or depth > 8:
            return own
        kinds: list[ProfileKind] = []
        if ref in targets:
            kinds.append(own)
        for subclass in subclasses:
            facts = self.project.cls(subclass.module, subclass.qualname)
            if facts is None or any(name == key for name, _, _ in facts.attributes):
                continue
            kinds.append(self._class_value_kind(subclass, key, targets, depth + 1))
        if not kinds:
            # Every subclass overrides it: the value is used only where the base is used
            # directly, which the model cannot always see (``config[name]`` tables).
            return own if own != "default" else "development"
        return max(kinds, key=lambda k: _RANK[k])

    def _config_modules(self, targets: set[object]) -> list[str]:
        paths = {t.path for t in targets if isinstance(t, ModRef)}
        for module in self.project.modules:
            if _CONFIG_MODULE.search(
                module.module_name.rsplit(".", 1)[-1] if module.module_name else ""
            ):
                paths.add(module.path)
            elif module.module_name and "." in module.module_name:
                parent = module.module_name.rsplit(".", 2)[-2]
                if _CONFIG_MODULE.search(parent):
                    paths.add(module.path)
        return sorted(paths)


def _names_table(cls: ClassFacts) -> bool:
    """A class that lists configuration key *names* (``SECRET_KEY = "SECRET_KEY"``,
    ``DB_PASSWORD = "PI_DB_PASSWORD"``) rather than values: an enum of keys, not a profile."""
    values = [value for name, value, _ in cls.attributes if name.isupper()]
    names = [
        v
        for v in values
        if isinstance(v, ir.Const) and isinstance(v.value, str) and _KEY_NAME.fullmatch(v.value)
    ]
    return len(names) >= 3 and len(names) >= 0.8 * len(values)


def _polarity(test: ir.Expr) -> tuple[ir.Expr, bool]:
    """The thing a guard tests, and whether the guarded branch runs when it is set:
    ``not testing`` and ``test_config is None`` run when it is *not*."""
    holds = True
    while isinstance(test, ir.UnaryOp) and test.op == "not":
        test, holds = test.operand, not holds
    if (
        isinstance(test, ir.Compare)
        and len(test.ops) == 1
        and isinstance(test.comparators[0], ir.Const)
        and test.comparators[0].value in (None, False)
    ):
        if test.ops[0] in ("is", "=="):
            return test.left, not holds
        if test.ops[0] in ("is not", "!="):
            return test.left, holds
    return test, holds


def _names(expr: ir.Expr) -> list[str]:
    """The names, attributes and strings a guard test reads."""
    found: list[str] = []
    for node in walk(expr):
        if isinstance(node, ir.Name):
            found.append(node.id)
        elif isinstance(node, ir.Attr):
            found.append(node.attr)
        elif isinstance(node, ir.Const) and isinstance(node.value, str):
            found.append(node.value)
    return found


def config_model(project: Project) -> ConfigModel:
    from flaskguard.analysis.devserver import analysis_for

    def build() -> ConfigModel:
        analysis = analysis_for(project)
        return ConfigModel(project, analysis.resolver, analysis.evaluator, analysis.config_writes)

    return project.cached("config-model", build)
