"""Development-server calls of the project, where they run, and with which settings.

Shared by the FG1xx rules: each dev-server call site appears once, with the best chain by
which it runs at import, the best chain by which it runs as a script, and its effective debug
and bind settings following the callee's own defaulting (FLASK_SECURITY.md sections 1-2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Optional

from flaskguard.analysis.constants import NOT_CONSTANT, ConstantEvaluator, ModuleNames
from flaskguard.analysis.context import (
    ChainStep,
    ExecutionContext,
    Reach,
    ReachedCall,
)
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite, ModuleFacts
from flaskguard.knowledge.frameworks import (
    DEV_SERVER_FUNCTIONS,
    DEV_SERVER_METHODS,
    DevServer,
    Param,
    is_loopback,
)
from flaskguard.model.appconfig import ConfigWrite, config_writes
from flaskguard.model.objects import (
    ExtRef,
    Instance,
    Member,
    ObjectResolver,
    bound_names,
    canonical,
)
from flaskguard.model.project import Frame, Project, site_frame

if TYPE_CHECKING:
    from flaskguard.facts.deployment import EnvSetting, ServeCommand

CANDIDATE_ATTRIBUTES = frozenset(
    {method for _, method in DEV_SERVER_METHODS}
    | {name.rsplit(".", 1)[-1] for name in DEV_SERVER_FUNCTIONS}
    | {"start", "run"}
)
WSGI_SERVERS = frozenset(
    {"gunicorn", "uwsgi", "waitress", "uvicorn", "hypercorn", "daphne", "mod_wsgi"}
)


@dataclass(frozen=True)
class DevServerCall:
    module: str  # where the call is reported
    site: CallSite  # the dev-server call, or the ``Thread(target=...)`` that makes it
    call: ir.Call  # the effective call: for a started thread, ``target(*args, **kwargs)``
    spec: DevServer
    receiver: Optional[Instance]
    via_thread: bool
    arguments_frame: Optional[Frame] = None  # where the arguments are written, if elsewhere


@dataclass
class DevServerUse:
    call: DevServerCall
    frame: Frame
    import_reach: Reach = Reach.NO
    import_steps: tuple[ChainStep, ...] = ()
    main_reach: Reach = Reach.NO
    main_frame: Optional[Frame] = None
    main_modules: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Setting:
    value: object  # the effective value, or NOT_CONSTANT
    source: str  # where it comes from, for messages
    env_vars: tuple[str, ...] = ()
    origin: Optional[tuple[str, int]] = None  # (path, line) of a setting outside the call


@dataclass(frozen=True)
class ServerSettings:
    debug: Setting
    debugger: Optional[bool]  # Werkzeug's interactive debugger runs (None: unknown)
    host: Setting
    public: Optional[bool]  # binds a non-loopback address (None: unknown)


class DevServerAnalysis:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.resolver = ObjectResolver(project)
        self.evaluator = ConstantEvaluator(project, self.resolver)
        self.context = ExecutionContext(project, self.resolver, self.evaluator)
        self._config_writes: Optional[list[ConfigWrite]] = None

    @property
    def config_writes(self) -> list[ConfigWrite]:
        if self._config_writes is None:
            self._config_writes = config_writes(self.project, self.resolver)
        return self._config_writes

    # -- identification -------------------------------------------------------------------

    def identify(self, module: str, site: CallSite, frame: Frame) -> Optional[DevServerCall]:
        func = site.call.func
        # Dev-server methods and thread starts have fixed names; only functions can be aliased.
        if isinstance(func, ir.Attr) and func.attr not in CANDIDATE_ATTRIBUTES:
            return None
        for value in self.resolver.infer(func, frame):
            found = self._match(value)
            if found is not None:
                spec, receiver = found
                return DevServerCall(module, site, site.call, spec, receiver, False)
            started = self.context.started_target(value)
            if started is None:
                continue
            call, target, target_frame = started
            creation = self.project.call_at(target_frame.module, call.loc.line, call.loc.col)
            if creation is None:
                continue
            for target_value in self.resolver.infer(target, target_frame):
                found = self._match(target_value)
                if found is not None:
                    spec, receiver = found
                    return DevServerCall(
                        target_frame.module, creation, call, spec, receiver, True, target_frame
                    )
        return None

    def _match(self, value: object) -> Optional[tuple[DevServer, Optional[Instance]]]:
        if isinstance(value, ExtRef):
            spec = DEV_SERVER_FUNCTIONS.get(canonical(value.name))
            return (spec, None) if spec is not None else None
        if isinstance(value, Member):
            for (class_name, method), spec in DEV_SERVER_METHODS.items():
                if method == value.name and self.resolver.class_is(value.instance.cls, class_name):
                    return spec, value.instance
        return None

    # -- where they run -------------------------------------------------------------------

    def uses(self) -> list[DevServerUse]:
        found: dict[tuple[str, int, int], DevServerUse] = {}

        def record(reached: ReachedCall, world: Optional[str]) -> None:
            identified = self.identify(reached.frame.module, reached.site, reached.frame)
            if identified is None:
                return
            loc = identified.site.call.loc
            key = (identified.module, loc.line, loc.col)
            use = found.get(key)
            if use is None:
                use = DevServerUse(identified, reached.frame)
                found[key] = use
            if world == "import" and reached.reach > use.import_reach:
                use.import_reach = reached.reach
                use.import_steps = reached.chain
                use.call = identified
                use.frame = reached.frame
            elif world == "main" and reached.reach > Reach.NO:
                if reached.reach > use.main_reach:
                    use.main_reach = reached.reach
                    use.main_frame = reached.frame
                root = reached.chain[0].module if reached.chain else reached.frame.module
                use.main_modules.add(root)

        for reached in self.context.reached_calls("import"):
            record(reached, "import")
        for reached in self.context.reached_calls("main"):
            record(reached, "main")
        for module in self.project.modules:
            for site in self.project.view(module, possible_dev_server_calls):
                frame = site_frame(Frame(module.path, site.scope), site)
                record(ReachedCall(site, frame, Reach.NO, ()), None)
        return sorted(
            found.values(),
            key=lambda u: (u.call.module, u.call.site.call.loc.line, u.call.site.call.loc.col),
        )

    def is_dead(self, use: DevServerUse) -> bool:
        """Never runs: its own guards are false whether imported or run as a script."""
        site = use.call.site
        frame = site_frame(Frame(use.call.module, site.scope), site)
        return (
            self.context.guard_reach(site.guards, frame.with_world("import")) == Reach.NO
            and self.context.guard_reach(site.guards, frame.with_world("main")) == Reach.NO
        )

    # -- settings -------------------------------------------------------------------------

    def argument(self, call: DevServerCall, param: Optional[Param]) -> Optional[ir.Expr]:
        if param is None:
            return None
        return call.call.argument(param.position, param.name)

    def evaluate(self, expr: ir.Expr, frame: Frame) -> Setting:
        evaluation = self.evaluator.evaluate(expr, frame)
        value = evaluation.value
        if isinstance(value, ModuleNames):
            value = NOT_CONSTANT
        return Setting(value, "", tuple(evaluation.env_vars))

    def settings(self, use: DevServerUse, frame: Optional[Frame] = None) -> ServerSettings:
        call = use.call
        frame = call.arguments_frame or frame or use.frame
        spec = call.spec
        debug = self._debug(use, frame)
        host = self._host(call, frame)
        public: Optional[bool] = None
        if host.value is not NOT_CONSTANT:
            if host.value is None:
                public = not is_loopback(spec.default_host)
            elif isinstance(host.value, str):
                if host.value == "":
                    public = spec.empty_host_is_public
                else:
                    public = not is_loopback(host.value)
        debugger: Optional[bool] = False
        if spec.debug_runs_werkzeug_debugger:
            use_debugger = self.argument(call, spec.use_debugger)
            if use_debugger is not None:
                evaluated = self.evaluate(use_debugger, frame).value
                debugger = None if evaluated is NOT_CONSTANT else bool(evaluated)
            elif spec.debug is None:
                debugger = False
            else:
                debugger = None if debug.value is NOT_CONSTANT else bool(debug.value)
            use_evalex = self.argument(call, spec.use_evalex)
            if debugger and use_evalex is not None:
                evalex = self.evaluate(use_evalex, frame).value
                if evalex is not NOT_CONSTANT and not evalex:
                    debugger = False
        return ServerSettings(debug, debugger, host, public)

    def _host(self, call: DevServerCall, frame: Frame) -> Setting:
        expr = self.argument(call, call.spec.host)
        if expr is None:
            return Setting(None, f"default {call.spec.default_host or 'all interfaces'}")
        setting = self.evaluate(expr, frame)
        source = "the host argument"
        if setting.env_vars:
            source = f"the default of environment variable {setting.env_vars[0]}"
        return Setting(setting.value, source, setting.env_vars)

    def _debug(self, use: DevServerUse, frame: Frame) -> Setting:
        call = use.call
        spec = call.spec
        if spec.dev_flag is not None:
            dev = self.argument(call, spec.dev_flag)
            if dev is not None:
                setting = self.evaluate(dev, frame)
                if setting.value is not NOT_CONSTANT and setting.value:
                    return Setting(True, "dev=True", setting.env_vars)
        expr = self.argument(call, spec.debug)
        if expr is not None:
            setting = self.evaluate(expr, frame)
            if setting.value is not None:
                source = "debug argument"
                if setting.env_vars:
                    source = f"default of environment variable {setting.env_vars[0]}"
                value = setting.value if setting.value is NOT_CONSTANT else bool(setting.value)
                return Setting(value, source, setting.env_vars)
        if spec.reads_flask_debug:
            env = self.env_setting(call.module, "FLASK_DEBUG")
            if env is not None:
                return Setting(
                    flask_debug_flag(env.value),
                    f"FLASK_DEBUG in {env.path}",
                    (),
                    (env.path, env.line),
                )
            receiver = call.receiver
            app = receiver
            if receiver is not None and not self.resolver.class_is(receiver.cls, "flask.Flask"):
                app = self._socketio_app(call, frame)
            if app is not None:
                for write in self.config_writes:
                    if write.key == "DEBUG" and _same_object(write.app, app):
                        setting = self.evaluate(write.value, write.frame)
                        if setting.value is not NOT_CONSTANT and setting.value:
                            return Setting(True, write.via, setting.env_vars, write.value_origin)
        return Setting(False, "default")

    def _socketio_app(self, call: DevServerCall, frame: Frame) -> Optional[Instance]:
        if not call.call.args:
            return None
        for value in self.resolver.infer(call.call.args[0], frame):
            if isinstance(value, Instance) and self.resolver.class_is(value.cls, "flask.Flask"):
                return value
        return None

    # -- environment and deployment files --------------------------------------------------

    def env_setting(self, module_path: str, key: str) -> Optional[EnvSetting]:
        """``key`` from a ``.flaskenv``/``.env`` that Flask's dotenv loading would read.

        python-dotenv searches from the working directory upwards; the module's folder and its
        parents up to the project root are where that search starts in practice.
        """
        folders = [str(p) for p in PurePosixPath(module_path).parents]
        best: Optional[tuple[int, int, EnvSetting]] = None
        for deployment in self.project.deployments:
            if deployment.kind not in ("dotenv", "flaskenv"):
                continue
            name = deployment.path.rsplit("/", 1)[-1]
            if name not in (".env", ".flaskenv"):
                continue
            folder = str(PurePosixPath(deployment.path).parent)
            if folder not in folders:
                continue
            for setting in deployment.env:
                if setting.key == key:
                    # Existing variables win in python-dotenv: .flaskenv is loaded first.
                    rank = (folders.index(folder), 0 if name == ".flaskenv" else 1)
                    if best is None or rank < best[:2]:
                        best = (rank[0], rank[1], setting)
        return best[2] if best else None

    def serve_commands(self) -> list[ServeCommand]:
        return [c for d in self.project.deployments for c in d.commands]

    def wsgi_entries(self) -> dict[str, list[ServeCommand]]:
        """Modules a production server imports (and every module they import at import time)."""
        entries: dict[str, list[ServeCommand]] = {}
        for command in self.serve_commands():
            if command.server not in WSGI_SERVERS:
                continue
            for target in command.targets:
                module = self.module_for_target(target, command.path)
                if module is not None:
                    entries.setdefault(module, []).append(command)
        closure: dict[str, list[ServeCommand]] = {}
        for module, commands in entries.items():
            for imported in self.imported_at_import(module):
                closure.setdefault(imported, [])
                for command in commands:
                    if command not in closure[imported]:
                        closure[imported].append(command)
        return closure

    def module_for_target(self, target: str, from_path: str) -> Optional[str]:
        spec = target.split(":", 1)[0].strip()
        if not spec:
            return None
        if spec.endswith(".py"):
            base = str(PurePosixPath(from_path).parent)
            candidate = spec.lstrip("./")
            for path in (candidate, f"{base}/{candidate}" if base != "." else candidate):
                if path in self.project.modules_by_path:
                    return path
            return None
        module = self.project.find_module(spec)
        if module is None:
            module = self.project.find_module(f"{spec}.__init__")
        return module.path if module is not None else None

    def imported_at_import(self, path: str) -> list[str]:
        seen = [path]
        index = 0
        while index < len(seen):
            module = self.project.module(seen[index])
            index += 1
            for binding in module.imports:
                if binding.scope != "":
                    continue
                frame = Frame(module.path, "")
                if self.context.guard_reach(binding.guards, frame) == Reach.NO:
                    continue
                absolute = self.project.absolute_import(module, binding)
                names = [absolute]
                if binding.attr and binding.attr != "*":
                    names.insert(0, f"{absolute}.{binding.attr}" if absolute else binding.attr)
                for name in names:
                    found = self.project.find_module(name, module)
                    if found is not None:
                        # Importing a submodule runs its packages' __init__ first.
                        for candidate in (
                            found.path,
                            *self._package_inits(found.module_name),
                        ):
                            if candidate not in seen:
                                seen.append(candidate)
                        break
        return seen

    def _package_inits(self, module_name: str) -> list[str]:
        parts = module_name.split(".")
        inits = []
        for i in range(1, len(parts)):
            package = self.project.modules_by_name.get(".".join(parts[:i]))
            if package is not None and package.is_package:
                inits.append(package.path)
        return inits


def flask_debug_flag(value: str) -> bool:
    """Flask's ``get_debug_flag``: true for any non-empty value but 0, false and no."""
    return bool(value) and value.lower() not in ("0", "false", "no")


def _same_object(a: Instance, b: Instance) -> bool:
    if a.origin is not None and b.origin is not None:
        return a.origin == b.origin
    return a.cls == b.cls


def analysis_for(project: Project) -> DevServerAnalysis:
    return project.cached("devserver", lambda: DevServerAnalysis(project))


def dev_server_uses(project: Project) -> list[DevServerUse]:
    analysis = analysis_for(project)
    return project.cached("devserver.uses", analysis.uses)


def possible_dev_server_calls(module: ModuleFacts) -> tuple[CallSite, ...]:
    """The calls of a module that ``identify`` may recognise, known without inference: a
    method with a dev-server or thread-start name, a bare name the module binds by an import,
    an assignment or a parameter (callers may pass ``app.run``), and any other callee. A name
    bound only by a ``def`` or a ``class`` resolves to that function or class, never to a
    server, and a name bound nowhere (``len``) resolves to nothing."""
    names = bound_names(module, parameters=True)
    found = []
    for site in module.calls:
        func = site.call.func
        if isinstance(func, ir.Attr):
            if func.attr not in CANDIDATE_ATTRIBUTES:
                continue
        elif isinstance(func, ir.Name) and names is not None and func.id not in names:
            continue
        found.append(site)
    return tuple(found)
