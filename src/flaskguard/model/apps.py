"""The Flask view of a project: applications, blueprints, extensions and the route table.

Everything is identified by what it *is*, through :class:`ObjectResolver`: an application is
an instance of ``flask.Flask`` (or a subclass, or the Flask object inside a Dash/Connexion
wrapper) whatever its variable is called and wherever it is created; a blueprint is an
instance of ``flask.Blueprint``; a route is a ``route``/``get``/``post``... decorator, an
``add_url_rule`` call or a REST ``add_resource`` on one of them. Blueprint prefixes follow
``register_blueprint`` chains (nested blueprints included), so each route has its full rule.

Authentication is decided per route from what a reviewer would check: auth decorators below
the route decorator (known libraries, project decorators whose wrapper tests the user and
aborts or redirects, configured names), ``decorators``/``method_decorators`` of class-based
views, and ``before_request`` hooks of the app or blueprint that enforce login.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Optional, Union

from flaskguard.analysis.constants import NOT_CONSTANT, ConstantEvaluator
from flaskguard.analysis.context import ExecutionContext, Reach
from flaskguard.analysis.purpose import identifier_words, walk
from flaskguard.facts import ir
from flaskguard.facts.module import (
    Assignment,
    CallSite,
    ClassFacts,
    FunctionFacts,
    Guard,
    ModuleFacts,
)
from flaskguard.knowledge.flaskapp import (
    ADMIN_MODEL_VIEWS,
    APP_CLASSES,
    AUTH_CHECK_CALLS,
    AUTH_DECORATORS,
    AUTH_IDENTIFIERS,
    AUTH_MEMBER_DECORATORS,
    AUTH_NAME_WORDS,
    BLUEPRINT_CLASSES,
    CSRF_FORM_CLASSES,
    EXTENSION_CLASSES,
    FAB_API_CLASSES,
    FAB_EXPOSE,
    FORM_VALIDATE_METHODS,
    HTML_RENDERERS,
    METHOD_VIEW_CLASSES,
    NON_AUTH_DECORATOR_ROOTS,
    REST_API_CLASSES,
    REST_NAMESPACE_CLASSES,
    ROUTE_DECORATORS,
    SECURITY_HEADERS,
    SENSITIVE_SEGMENTS,
    SENSITIVE_WORDS,
    STATE_CHANGING_METHODS,
    VIEW_CLASSES,
    WRAPPED_APP_ATTRIBUTES,
)
from flaskguard.model.objects import (
    ClassRef,
    ExtRef,
    FuncRef,
    Instance,
    Member,
    ObjectResolver,
    Value,
    canonical,
)
from flaskguard.model.project import ExprBinding, Frame, Project, site_frame

_CONVERTER = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_HANDLER_METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


# Words that turn an auth-sounding name around: ``anonymous_required`` and
# ``login_optional`` test the user too, but let strangers in.
# Session keys and strings whose test is about the user (``"user_id" in session``).
_AUTH_KEY_WORDS = frozenset({"user", "logged", "auth", "authenticated", "token", "admin"})
_REQUIREMENT_VERBS = frozenset({"require", "requires", "required", "protect", "protected"})
_NOT_AUTH_WORDS = frozenset(
    {
        "optional",
        "not",
        "skip",
        "exempt",
        "public",
        "anonymous",
        "without",
        "allow",
        "guest",
        "unauthenticated",
        "unactivated",
        "inactive",
    }
)


@dataclass(frozen=True)
class AppDef:
    instance: Instance
    path: str
    loc: ir.Loc
    scope: str
    site: CallSite


@dataclass(frozen=True)
class BlueprintDef:
    instance: Instance
    name: Optional[str]
    url_prefix: Optional[str]
    path: str
    loc: ir.Loc


@dataclass(frozen=True)
class Registration:
    """``parent.register_blueprint(child, url_prefix=...)``."""

    parent: Instance
    child: Instance
    url_prefix: Optional[str]
    has_prefix: bool
    name: Optional[str]
    path: str
    site: CallSite


@dataclass(frozen=True)
class Extension:
    kind: str  # "csrf", "talisman", "cors", "login", ... (knowledge.flaskapp.EXTENSION_CLASSES)
    class_name: str
    instance: Instance
    path: str
    site: CallSite  # the constructor call
    apps: tuple[Instance, ...]  # apps it is bound to; empty when the app cannot be resolved
    # keyword arguments of the constructor and of ``init_app`` calls, in order
    options: tuple[tuple[str, ir.Expr, Frame, str, CallSite], ...]

    def option(self, name: str) -> Optional[tuple[ir.Expr, Frame, str, CallSite]]:
        found = None
        for key, expr, frame, path, site in self.options:
            if key == name:
                found = (expr, frame, path, site)
        return found


@dataclass(frozen=True)
class Hook:
    """A ``before_request`` function registered on an app or blueprint."""

    owner: Instance
    app_wide: bool  # ``before_app_request`` on a blueprint
    function: FuncRef
    enforces_auth: bool


@dataclass(frozen=True)
class Route:
    rule: str  # the full URL rule, with prefixes; converters as written
    rule_known: bool  # False when part of the rule is not a constant
    methods: tuple[str, ...]  # sorted, without the implicit HEAD/OPTIONS
    endpoint: str
    path: str  # module of the view
    line: int  # line of the view (its ``def`` or ``class``)
    view: Optional[Union[FuncRef, ClassRef]]
    handlers: tuple[str, ...]  # qualnames of the functions that handle requests
    decorators: tuple[str, ...]  # what wraps the view, as written
    converters: tuple[tuple[str, str], ...]  # (parameter, converter)
    owner: Instance  # the app or blueprint the route is declared on
    apps: tuple[Instance, ...]  # the applications that serve it (empty: not registered)
    blueprint: Optional[BlueprintDef]
    site: CallSite  # the route decorator or registration call
    site_path: str  # the module of ``site``
    auth: Optional[bool]
    auth_via: tuple[str, ...]
    csrf: Optional[bool]
    misplaced_auth: tuple[tuple[str, ir.Loc], ...] = ()  # auth decorators above the route
    csrf_exempt_at: Optional[tuple[str, ir.Loc]] = None  # where ``csrf.exempt`` applies
    registration_guards: tuple[tuple[str, CallSite], ...] = field(default=())

    @property
    def state_changing(self) -> bool:
        return any(m in STATE_CHANGING_METHODS for m in self.methods)


@dataclass(frozen=True)
class _RouteDecl:
    owner: Instance
    rule: str
    rule_known: bool
    methods: tuple[str, ...]
    endpoint: Optional[str]
    view: Optional[Union[FuncRef, ClassRef]]
    path: str
    site: CallSite
    inner_decorators: tuple[tuple[ir.Expr, ir.Loc], ...]
    outer_decorators: tuple[tuple[ir.Expr, ir.Loc], ...]
    decorator_frame: Frame
    # The mount prefix to use instead of the owner's (a Flask-Admin view with an absolute url).
    prefix_override: Optional[str] = None
    # A library view class whose access checks are known (Flask-Admin's stock views allow all).
    library_view: bool = False


class FlaskModel:
    def __init__(
        self,
        project: Project,
        resolver: ObjectResolver,
        evaluator: ConstantEvaluator,
        context: ExecutionContext,
        extra_auth_decorators: Iterable[str] = (),
    ) -> None:
        self.project = project
        self.resolver = resolver
        self.evaluator = evaluator
        self.context = context
        self.extra_auth_decorators = frozenset(extra_auth_decorators)
        self._enforces: dict[tuple[str, str], bool] = {}
        self.apps = self._find_apps()
        self.blueprints = self._find_blueprints()
        self.registrations = self._find_registrations()
        self.extensions = self._find_extensions()
        self.hooks = self._find_hooks()
        self.routes = self._build_routes()

    # -- objects --------------------------------------------------------------------------

    def is_app(self, value: object) -> bool:
        return isinstance(value, Instance) and self.resolver.class_is(value.cls, "flask.Flask")

    def is_blueprint(self, value: object) -> bool:
        return isinstance(value, Instance) and any(
            self.resolver.class_is(value.cls, name) for name in BLUEPRINT_CLASSES
        )

    def apps_of(self, expr: ir.Expr, frame: Frame) -> list[Instance]:
        return [v for v in self.resolver.infer(expr, frame) if self.is_app(v)]  # type: ignore[misc]

    def app_def(self, instance: Instance) -> Optional[AppDef]:
        for app in self.apps:
            if app.instance.origin == instance.origin:
                return app
        return None

    def extensions_of(self, kind: str, app: Optional[Instance] = None) -> list[Extension]:
        """Extensions of ``kind`` bound to ``app``; those whose app is unknown count for all."""
        return [
            e
            for e in self.extensions
            if e.kind == kind and (app is None or not e.apps or _same(app, e.apps))
        ]

    def routes_of(self, app: Instance) -> list[Route]:
        return [
            r for r in self.routes if _same(app, r.apps) or (not r.apps and len(self.apps) <= 1)
        ]

    def _find_apps(self) -> list[AppDef]:
        found: dict[tuple[str, int, int], AppDef] = {}
        classes = {*APP_CLASSES, *(cls for cls, _ in WRAPPED_APP_ATTRIBUTES)}
        for path, site, frame in self.resolver.candidate_calls(classes, or_project_classes=True):
            for value in self.resolver.infer(site.call.func, frame):
                if not isinstance(value, (ExtRef, ClassRef)):
                    continue
                for created in self.resolver.infer(site.call, frame):
                    if not isinstance(created, Instance) or created.origin is None:
                        continue
                    app = created if self.is_app(created) else _wrapped_app(created)
                    if app is not None and created.origin[0] == path:
                        found[created.origin] = AppDef(app, path, site.call.loc, site.scope, site)
        return [found[key] for key in sorted(found)]

    def _find_blueprints(self) -> list[BlueprintDef]:
        found: list[BlueprintDef] = []
        candidates = self.resolver.candidate_calls(BLUEPRINT_CLASSES, or_project_classes=True)
        for path, site, frame in candidates:
            created = [
                v
                for v in self.resolver.infer(site.call, frame)
                if self.is_blueprint(v)
                and isinstance(v, Instance)
                and v.origin == (path, site.call.loc.line, site.call.loc.col)
            ]
            if not created:
                continue
            bp_name = self._string(site.call.argument(0, "name"), frame)
            prefix = self._string(site.call.keyword("url_prefix"), frame)
            found.append(BlueprintDef(created[0], bp_name, prefix, path, site.call.loc))
        return found

    def blueprint_def(self, instance: Instance) -> Optional[BlueprintDef]:
        for bp in self.blueprints:
            if bp.instance == instance:
                return bp
        return None

    def _find_registrations(self) -> list[Registration]:
        found: list[Registration] = []
        for path, site, frame in self.method_calls("register_blueprint"):
            func = site.call.func
            assert isinstance(func, ir.Attr)
            parents = [
                v
                for v in self.resolver.infer(func.value, frame)
                if self.is_app(v) or self.is_blueprint(v)
            ]
            child_expr = site.call.argument(0, "blueprint")
            if not parents or child_expr is None:
                continue
            children = [v for v in self.resolver.infer(child_expr, frame) if self.is_blueprint(v)]
            prefix_expr = site.call.keyword("url_prefix")
            prefix = self._string(prefix_expr, frame)
            name = self._string(site.call.keyword("name"), frame)
            for parent in parents:
                for child in children:
                    assert isinstance(parent, Instance) and isinstance(child, Instance)
                    found.append(
                        Registration(
                            parent, child, prefix, prefix_expr is not None, name, path, site
                        )
                    )
        return found

    def method_calls(self, *methods: str) -> Iterator[tuple[str, CallSite, Frame]]:
        for path, site in self.project.calls_of_attribute(*methods):
            yield path, site, site_frame(Frame(path, site.scope), site)

    def _find_extensions(self) -> list[Extension]:
        created: dict[Instance, tuple[str, str, str, CallSite, Frame]] = {}
        candidates = self.resolver.candidate_calls(EXTENSION_CLASSES, or_project_classes=True)
        for path, site, frame in candidates:
            for value in self.resolver.infer(site.call.func, frame):
                cls_name = _external_class(self.resolver, value)
                kind = EXTENSION_CLASSES.get(cls_name) if cls_name else None
                if kind is None or cls_name is None:
                    continue
                origin = (path, site.call.loc.line, site.call.loc.col)
                instance = Instance(value.name if isinstance(value, ExtRef) else value, origin)  # type: ignore[arg-type]
                created[instance] = (kind, cls_name, path, site, frame)
        bindings: dict[Instance, list[Instance]] = {i: [] for i in created}
        options: dict[Instance, list[tuple[str, ir.Expr, Frame, str, CallSite]]] = {
            i: [] for i in created
        }
        for instance, (kind, _, path, site, frame) in created.items():
            app_expr = site.call.argument(0, "app")
            if kind == "proxyfix":
                app_expr = site.call.argument(0, "app")
                if (
                    app_expr is not None
                    and isinstance(app_expr, ir.Attr)
                    and app_expr.attr == "wsgi_app"
                ):
                    app_expr = app_expr.value
            if app_expr is not None:
                bindings[instance].extend(self._apps_or_wrapped(app_expr, frame))
            options[instance].extend((k, v, frame, path, site) for k, v in site.call.kwargs if k)
        for path, site, frame in self.method_calls("init_app"):
            func = site.call.func
            assert isinstance(func, ir.Attr)
            for value in self.resolver.infer(func.value, frame):
                match = _matching_instance(value, created)
                if match is None:
                    continue
                app_expr = site.call.argument(0, "app")
                if app_expr is not None:
                    bindings[match].extend(self._apps_or_wrapped(app_expr, frame))
                options[match].extend((k, v, frame, path, site) for k, v in site.call.kwargs if k)
        return [
            Extension(
                kind,
                cls_name,
                instance,
                path,
                site,
                tuple(dict.fromkeys(bindings[instance])),
                tuple(options[instance]),
            )
            for instance, (kind, cls_name, path, site, _) in created.items()
        ]

    def _apps_or_wrapped(self, expr: ir.Expr, frame: Frame) -> list[Instance]:
        result: list[Instance] = []
        for value in self.resolver.infer(expr, frame):
            if self.is_app(value):
                assert isinstance(value, Instance)
                result.append(value)
            elif isinstance(value, Instance):
                wrapped = _wrapped_app(value)
                if wrapped is not None:
                    result.append(wrapped)
        return result

    # -- what the application does ---------------------------------------------------------

    def session_writes(self) -> list[tuple[str, ir.Loc, str]]:
        """``session[KEY] = ...`` on Flask's session: (path, location, key or "?")."""
        return self.project.cached("flask-session-writes", self._session_writes)

    def _session_writes(self) -> list[tuple[str, ir.Loc, str]]:
        found = []
        for module in self.project.modules:
            for assignment in self.project.view(module, subscript_assignments):
                target = assignment.target
                assert isinstance(target, ir.Subscript)
                frame = Frame(module.path, assignment.scope)
                if any(
                    isinstance(v, ExtRef) and canonical(v.name) == "flask.session"
                    for v in self.resolver.infer(target.value, frame)
                ):
                    key = target.index
                    name = (
                        key.value
                        if isinstance(key, ir.Const) and isinstance(key.value, str)
                        else "?"
                    )
                    found.append((module.path, assignment.loc, name))
        return found

    def uses_cookie_auth(self, app: Optional[Instance]) -> Optional[str]:
        """How users stay logged in through a cookie, if they do: Flask-Login, Flask-Security,
        or a user id kept in Flask's session."""
        for kind in ("login", "security"):
            found = self.extensions_of(kind, app)
            if found:
                return found[0].class_name
        for _, _, key in self.session_writes():
            if set(identifier_words(key)) & {"user", "uid", "logged", "auth", "username", "login"}:
                return f'session["{key}"]'
        return None

    def renders_html(self) -> Optional[tuple[str, ir.Loc]]:
        """The first call that renders an HTML template, if the project has one."""
        found = next(iter(self.resolver.calls_to(HTML_RENDERERS)), None)
        if found is None:
            return None
        path, site, _ = found
        return path, site.call.loc

    def sets_security_headers(self) -> bool:
        """Whether code sets CSP, HSTS or frame options on responses itself."""
        return any(
            self.project.view(module, _security_header_writes) for module in self.project.modules
        )

    # -- hooks and authentication ---------------------------------------------------------

    def _find_hooks(self) -> list[Hook]:
        hooks: list[Hook] = []
        kinds = ("before_request", "before_app_request")
        for module in self.project.modules:
            for function in self.project.decorated_functions(module):
                frame = Frame(module.path, function.scope)
                for decorator in function.decorators:
                    if isinstance(decorator, ir.Attr) and decorator.attr in kinds:
                        for owner in self.resolver.infer(decorator.value, frame):
                            if self.is_app(owner) or self.is_blueprint(owner):
                                assert isinstance(owner, Instance)
                                ref = FuncRef(module.path, function.qualname)
                                hooks.append(
                                    Hook(
                                        owner,
                                        decorator.attr == "before_app_request",
                                        ref,
                                        self.function_enforces_auth(ref),
                                    )
                                )
        for _, site, frame in self.method_calls(*kinds):
            func = site.call.func
            assert isinstance(func, ir.Attr)
            target = site.call.argument(0, "f")
            if target is None:
                continue
            owners = [
                v
                for v in self.resolver.infer(func.value, frame)
                if self.is_app(v) or self.is_blueprint(v)
            ]
            for value in self.resolver.infer(target, frame):
                if isinstance(value, FuncRef):
                    for owner in owners:
                        assert isinstance(owner, Instance)
                        hooks.append(
                            Hook(
                                owner,
                                func.attr == "before_app_request",
                                value,
                                self.function_enforces_auth(value),
                            )
                        )
        return hooks

    def function_enforces_auth(self, ref: FuncRef) -> bool:
        """Whether a project function (a decorator or hook) turns away unauthenticated users.

        It does when it calls a known auth check (``verify_jwt_in_request()``, wraps with
        ``login_required``), aborts with 401/403, or returns, redirects or aborts under a
        test of the user, the session's user or the request's credentials.
        """
        key = (ref.module, ref.qualname)
        cached = self._enforces.get(key)
        if cached is not None:
            return cached
        self._enforces[key] = False
        result = self._enforces_auth(ref)
        self._enforces[key] = result
        return result

    def _enforces_auth(self, ref: FuncRef) -> bool:
        module = self.project.module(ref.module)
        own = self.project.function(ref.module, ref.qualname)
        if own is not None:
            frame = Frame(ref.module, own.scope)
            if any(self.decorator_auth(d, frame) for d in own.decorators):
                return True
        functions, calls, assignments = self.project.view_entry(
            module, _code_inside, ref.qualname
        ) or ((), (), ())
        for function in functions:
            if any(_denies_access(returned) for returned in function.returns):
                return True
        for site in calls:
            frame = Frame(module.path, site.scope)
            if any(_mentions_auth(guard.test) for guard in site.guards):
                return True
            for value in self.resolver.infer(site.call.func, frame):
                name = canonical(value.name) if isinstance(value, ExtRef) else None
                if name in AUTH_CHECK_CALLS or name in AUTH_DECORATORS:
                    return True
                if name in ("flask.abort", "werkzeug.exceptions.abort"):
                    code = site.call.argument(0, "status")
                    if isinstance(code, ir.Const) and code.value in (401, 403):
                        return True
                # The check may live in a helper the wrapper calls.
                if (
                    isinstance(value, FuncRef)
                    and (value.module, value.qualname) != (ref.module, ref.qualname)
                    and self.project.function(value.module, value.qualname) is not None
                    and self.function_enforces_auth(FuncRef(value.module, value.qualname))
                ):
                    return True
            status = site.call.keyword("status")
            if isinstance(status, ir.Const) and status.value in (401, 403):
                return True
        for assignment in assignments:
            if any(_mentions_auth(guard.test) for guard in assignment.guards):
                return True
        for nested in functions:
            if nested.qualname == ref.qualname:
                continue
            frame = Frame(module.path, nested.scope)
            if any(self.decorator_auth(d, frame) for d in nested.decorators):
                return True
        if own is not None:
            for returned in own.returns:
                if isinstance(returned, ir.IfExp) and _mentions_auth(returned.test):
                    return True
        return False

    def decorator_auth(self, decorator: ir.Expr, frame: Frame) -> Optional[str]:
        """What authentication a decorator provides (a name for ``auth_via``), or None."""
        target = decorator.func if isinstance(decorator, ir.Call) else decorator
        written = ir.dotted_name(target) or ""
        if written and (
            written in self.extra_auth_decorators
            or written.rsplit(".", 1)[-1] in self.extra_auth_decorators
        ):
            return written
        words = set(identifier_words(written.rsplit(".", 1)[-1]))
        if words & _NOT_AUTH_WORDS:
            return None
        # ``@Permissions.FILES_LIST.require(403)``, ``@admin_permission.require()``: a guard
        # object's requirement, whatever library (or vendored copy) the object comes from.
        receiver, _, verb = written.rpartition(".")
        if verb in _REQUIREMENT_VERBS and set(identifier_words(receiver)) & AUTH_NAME_WORDS:
            return written
        values = self.resolver.infer(target, frame)
        readable = False
        for value in values:
            if isinstance(value, ExtRef):
                name = canonical(value.name)
                if name in AUTH_DECORATORS or name in self.extra_auth_decorators:
                    return written or name
                if name.startswith(NON_AUTH_DECORATOR_ROOTS):
                    return None
            elif isinstance(value, Member) and isinstance(value.instance.cls, str):
                members = AUTH_MEMBER_DECORATORS.get(value.instance.cls, frozenset())
                if value.name in members:
                    return written or value.name
            elif (
                isinstance(value, FuncRef)
                and self.project.function(value.module, value.qualname) is not None
            ):
                if self._configured_auth(value) or self.function_enforces_auth(
                    FuncRef(value.module, value.qualname)
                ):
                    return written or value.qualname
                readable = True
        if readable:
            return None
        # A decorator the model cannot read (an unknown library) is taken at its word:
        # ``admin_required`` guards access.
        if words & AUTH_NAME_WORDS:
            return written
        return None

    def _configured_auth(self, value: FuncRef) -> bool:
        """Whether ``extra-auth-decorators`` names this project function (``pkg.auth.name``)."""
        module_name = self.project.module(value.module).module_name
        dotted = f"{module_name}.{value.qualname}" if module_name else value.qualname
        return any(
            dotted == name or dotted.endswith("." + name) for name in self.extra_auth_decorators
        )

    # -- routes ---------------------------------------------------------------------------

    def _build_routes(self) -> list[Route]:
        routes: list[Route] = []
        for decl in self._declarations():
            routes.extend(self._mount(decl))
        routes.sort(key=lambda r: (r.rule, r.endpoint, r.path, r.line))
        return routes

    def _declarations(self) -> Iterator[_RouteDecl]:
        for module in self.project.modules:
            for function in self.project.decorated_functions(module):
                yield from self._decorator_routes(
                    module.path, function, FuncRef(module.path, function.qualname)
                )
            for cls in module.classes:
                yield from self._decorator_routes(
                    module.path, cls, ClassRef(module.path, cls.qualname)
                )
        for path, site, frame in self.method_calls("add_url_rule"):
            declared = list(self._add_url_rule(path, site, frame))
            if site.scope and not all(d.rule_known and d.view is not None for d in declared):
                # A registration helper (``def register_view(bp, routes, view_func)``): the
                # rule and view come from its callers.
                through_callers = list(self._through_callers(path, site))
                if through_callers:
                    declared = through_callers
            yield from declared
        for path, site, frame in self.method_calls("add_resource"):
            yield from self._add_resource(path, site, frame)
        for path, site, frame in self.method_calls("add_view", "add_views"):
            yield from self._admin_views(path, site, frame)

    def _decorator_routes(
        self, path: str, owner: Union[FunctionFacts, ClassFacts], view: Union[FuncRef, ClassRef]
    ) -> Iterator[_RouteDecl]:
        frame = Frame(path, owner.scope)
        locs = owner.decorator_locs or tuple(owner.loc for _ in owner.decorators)
        for index, decorator in enumerate(owner.decorators):
            if isinstance(owner, FunctionFacts) and isinstance(decorator, ir.Call):
                exposed = self._exposed(path, owner, decorator, index, locs, frame)
                if exposed is not None:
                    yield exposed
                    continue
            if not (
                isinstance(decorator, ir.Call)
                and isinstance(decorator.func, ir.Attr)
                and decorator.func.attr in ROUTE_DECORATORS
            ):
                continue
            receivers = [
                v
                for v in self.resolver.infer(decorator.func.value, frame)
                if isinstance(v, Instance)
                and (self.is_app(v) or self.is_blueprint(v) or self._is_rest(v))
            ]
            if not receivers:
                continue
            site = self.project.call_at(path, decorator.loc.line, decorator.loc.col)
            if site is None:
                continue
            rule_expr = decorator.argument(0, "rule")
            rule, known = self._rule(rule_expr, frame)
            implied = ROUTE_DECORATORS[decorator.func.attr]
            methods = implied or self._methods(decorator.keyword("methods"), frame, view)
            endpoint = self._string(decorator.keyword("endpoint"), frame)
            outer = tuple(zip(owner.decorators[:index], locs[:index]))
            for receiver in receivers:
                assert isinstance(receiver, Instance)
                yield _RouteDecl(
                    receiver,
                    rule,
                    known,
                    methods,
                    endpoint,
                    view,
                    path,
                    site,
                    tuple(zip(owner.decorators[index + 1 :], locs[index + 1 :])),
                    outer,
                    frame,
                )

    def _through_callers(self, path: str, site: CallSite) -> Iterator[_RouteDecl]:
        function = self.project.function(path, site.scope)
        if function is None:
            return
        for caller, caller_frame in self.resolver.callers_of(path, function):
            bound_self = None
            callee = self.resolver.callee_frame(
                function, path, caller.call, caller_frame, bound_self
            )
            yield from self._add_url_rule(path, site, site_frame(callee, site))

    def _exposed(
        self,
        path: str,
        method: FunctionFacts,
        decorator: ir.Call,
        index: int,
        locs: tuple[ir.Loc, ...],
        frame: Frame,
    ) -> Optional[_RouteDecl]:
        """A Flask-AppBuilder view method: ``@expose("/list/")`` under the class's
        ``route_base`` (``/<classname>`` by default, ``/api/v1/<resource_name>`` for APIs)."""
        if method.class_qualname is None:
            return None
        if not any(
            isinstance(v, ExtRef) and canonical(v.name) in FAB_EXPOSE
            for v in self.resolver.infer(decorator.func, frame)
        ):
            return None
        site = self.project.call_at(path, decorator.loc.line, decorator.loc.col)
        if site is None:
            return None
        view_class = ClassRef(path, method.class_qualname)
        owner = Instance("flask_appbuilder.BaseView", (path, *self._class_loc(view_class)))
        rule, known = self._rule(decorator.argument(0, "url") or ir.Const("/"), frame)
        methods = self._methods(decorator.argument(1, "methods"), frame, None)
        return _RouteDecl(
            owner,
            rule,
            known,
            methods,
            method.name,
            FuncRef(path, method.qualname),
            path,
            site,
            # ``expose`` only tags the method; AppBuilder registers the outermost function
            # later, so decorators above it apply as much as those below.
            tuple(
                (d, loc) for i, (d, loc) in enumerate(zip(method.decorators, locs)) if i != index
            ),
            (),
            frame,
        )

    def _class_loc(self, view: ClassRef) -> tuple[int, int]:
        facts = self.project.cls(view.module, view.qualname)
        return (facts.loc.line, facts.loc.col) if facts is not None else (0, 0)

    def _appbuilder_mounts(
        self, decl: _RouteDecl
    ) -> list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]]:
        """A Flask-AppBuilder view class serves its methods under ``route_base`` on a
        blueprint named after the class, in the app that AppBuilder is bound to."""
        view = decl.view
        assert isinstance(view, FuncRef)
        class_qualname = view.qualname.rsplit(".", 1)[0]
        cls = ClassRef(view.module, class_qualname)
        name = class_qualname.rsplit(".", 1)[-1]
        base = self._class_attribute(cls, "route_base")
        route_base = self.evaluator.evaluate(base[0], base[1]).value if base else None
        if not isinstance(route_base, str):
            if any(self.resolver.class_is(cls, api) for api in FAB_API_CLASSES):
                resource = self._class_attribute(cls, "resource_name")
                resource_name = (
                    self.evaluator.evaluate(resource[0], resource[1]).value if resource else None
                )
                if not isinstance(resource_name, str):
                    resource_name = name.lower()
                route_base = f"/api/v1/{resource_name}"
            else:
                route_base = f"/{name.lower()}"
        apps = [e.apps[0] for e in self.extensions_of("appbuilder") if len(e.apps) == 1]
        app = (
            apps[0] if len(apps) == 1 else (self.apps[0].instance if len(self.apps) == 1 else None)
        )
        return [(app, route_base, f"{name}.", ())]

    def _add_url_rule(self, path: str, site: CallSite, frame: Frame) -> Iterator[_RouteDecl]:
        func = site.call.func
        assert isinstance(func, ir.Attr)
        receivers = [
            v
            for v in self.resolver.infer(func.value, frame)
            if self.is_app(v) or self.is_blueprint(v)
        ]
        if not receivers:
            return
        endpoint = self._string(site.call.argument(1, "endpoint"), frame)
        view_expr = site.call.argument(2, "view_func")
        view, view_endpoint, wrappers = self._view_target(view_expr, frame)
        methods = self._methods(site.call.keyword("methods"), frame, view)
        for receiver, (rule, known) in itertools.product(
            receivers, self._rules(site.call.argument(0, "rule"), frame)
        ):
            assert isinstance(receiver, Instance)
            yield _RouteDecl(
                receiver,
                rule,
                known,
                methods,
                endpoint or view_endpoint,
                view,
                path,
                site,
                tuple((wrapper, site.call.loc) for wrapper in wrappers),
                (),
                frame,
            )

    def _admin_views(self, path: str, site: CallSite, frame: Frame) -> Iterator[_RouteDecl]:
        """Flask-Admin ``admin.add_view(ModelView(User, db.session))``: each view serves its
        list, create, edit and delete pages under the admin URL."""
        func = site.call.func
        assert isinstance(func, ir.Attr)
        admins = [
            v
            for v in self.resolver.infer(func.value, frame)
            if isinstance(v, Instance)
            and isinstance(v.cls, str)
            and EXTENSION_CLASSES.get(v.cls) == "admin"
        ]
        if not admins:
            return
        for view_expr in site.call.args:
            if not isinstance(view_expr, ir.Call):
                continue
            classes = [
                v
                for v in self.resolver.infer(view_expr.func, frame)
                if isinstance(v, (ClassRef, ExtRef))
            ]
            if not classes:
                continue
            view = classes[0]
            endpoint = self._string(view_expr.keyword("endpoint"), frame)
            if endpoint is None:
                model = view_expr.argument(0, "model")
                written = ir.dotted_name(model) if model is not None else None
                if written and self._is_model_view(view):
                    endpoint = written.rsplit(".", 1)[-1].lower()
                else:
                    name = view.qualname if isinstance(view, ClassRef) else view.name
                    endpoint = name.rsplit(".", 1)[-1].lower()
            url = self._string(view_expr.keyword("url"), frame)
            absolute = url is not None and url.startswith("/")
            rule = url if url is not None and absolute else "/" + (url or endpoint)
            for admin in admins:
                yield _RouteDecl(
                    admin,
                    rule,
                    True,
                    ("GET", "POST"),
                    f"{endpoint}.index_view",
                    view if isinstance(view, ClassRef) else None,
                    path,
                    site,
                    (),
                    (),
                    frame,
                    prefix_override="" if absolute else None,
                    library_view=isinstance(view, ExtRef),
                )

    def _is_model_view(self, view: Union[ClassRef, ExtRef]) -> bool:
        name = view if isinstance(view, ClassRef) else canonical(view.name)
        return any(self.resolver.class_is(name, cls) for cls in ADMIN_MODEL_VIEWS)

    def _admin_mounts(
        self, admin: Instance, decl: _RouteDecl
    ) -> list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]]:
        """Flask-Admin serves views under ``Admin(url=...)`` (``/admin``), except a view
        whose own ``url`` is absolute."""
        prefix = "/admin"
        if admin.origin is not None:
            created = self.project.call_at(*admin.origin)
            if created is not None:
                frame = site_frame(Frame(admin.origin[0], created.scope), created)
                prefix = self._string(created.call.keyword("url"), frame) or prefix
        if decl.prefix_override is not None:
            prefix = decl.prefix_override
        apps = [e.apps[0] for e in self.extensions_of("admin") if e.instance == admin and e.apps]
        app = apps[0] if apps else (self.apps[0].instance if len(self.apps) == 1 else None)
        return [(app, prefix, "", ())]

    def _add_resource(self, path: str, site: CallSite, frame: Frame) -> Iterator[_RouteDecl]:
        func = site.call.func
        assert isinstance(func, ir.Attr)
        apis = [v for v in self.resolver.infer(func.value, frame) if self._is_rest(v)]
        resource = site.call.argument(0, "resource")
        if not apis or resource is None:
            return
        views = [v for v in self.resolver.infer(resource, frame) if isinstance(v, ClassRef)]
        view = views[0] if views else None
        endpoint = self._string(site.call.keyword("endpoint"), frame)
        for url_expr in site.call.args[1:]:
            if isinstance(url_expr, ir.Starred):
                continue
            rule, known = self._rule(url_expr, frame)
            for api in apis:
                assert isinstance(api, Instance)
                yield _RouteDecl(
                    api,
                    rule,
                    known,
                    self._methods(None, frame, view),
                    endpoint or (view.qualname.rsplit(".", 1)[-1].lower() if view else None),
                    view,
                    path,
                    site,
                    (),
                    (),
                    frame,
                )

    def _is_rest(self, value: Value) -> bool:
        return (
            isinstance(value, Instance)
            and isinstance(value.cls, str)
            and (value.cls in REST_API_CLASSES or value.cls in REST_NAMESPACE_CLASSES)
        )

    def _view_target(
        self, expr: Optional[ir.Expr], frame: Frame, depth: int = 0
    ) -> tuple[Optional[Union[FuncRef, ClassRef]], Optional[str], tuple[ir.Expr, ...]]:
        """The view function or class of an ``add_url_rule`` ``view_func``, its endpoint name
        when ``as_view("name")`` gives one, and decorators applied by calling them
        (``login_required(view)``)."""
        if expr is None or depth > 4:
            return None, None, ()
        if (
            isinstance(expr, ir.Call)
            and isinstance(expr.func, ir.Attr)
            and expr.func.attr == "as_view"
        ):
            classes = [
                v for v in self.resolver.infer(expr.func.value, frame) if isinstance(v, ClassRef)
            ]
            name = self._string(expr.argument(0, "name"), frame)
            return (classes[0] if classes else None), name, ()
        if isinstance(expr, ir.Name):
            bound = frame.bound(expr.id)
            if bound is not None:
                return self._view_target(bound[0], bound[1], depth + 1)
            for binding in self.project.lookup(frame, expr.id):
                if isinstance(binding, ExprBinding):
                    return self._view_target(binding.expr, binding.frame, depth + 1)
        if isinstance(expr, ir.Call) and len(expr.args) == 1:
            inner, name, wrappers = self._view_target(expr.args[0], frame, depth + 1)
            if inner is not None:
                return inner, name, (expr.func, *wrappers)
        for value in self.resolver.infer(expr, frame):
            if isinstance(value, FuncRef):
                return FuncRef(value.module, value.qualname), None, ()
        return None, None, ()

    def _rules(self, expr: Optional[ir.Expr], frame: Frame) -> list[tuple[str, bool]]:
        """The rule, or each rule when it is a loop variable over a constant list."""
        if isinstance(expr, ir.Name) and frame.bound(expr.id) is None:
            for binding in self.project.lookup(frame, expr.id):
                if (
                    isinstance(binding, ExprBinding)
                    and isinstance(binding.expr, ir.Element)
                    and binding.frame.scope == frame.scope
                ):
                    items = self.evaluator.evaluate(binding.expr.iterable, frame).value
                    if (
                        isinstance(items, (list, tuple))
                        and items
                        and all(isinstance(i, str) for i in items)
                    ):
                        return [(item, True) for item in items]
        return [self._rule(expr, frame)]

    def _rule(self, expr: Optional[ir.Expr], frame: Frame) -> tuple[str, bool]:
        value = self._string(expr, frame)
        if value is None:
            return "<?>", False
        return value, True

    def _string(self, expr: Optional[ir.Expr], frame: Frame) -> Optional[str]:
        if expr is None:
            return None
        value = self.evaluator.evaluate(expr, frame).value
        return value if isinstance(value, str) else None

    def _methods(
        self, expr: Optional[ir.Expr], frame: Frame, view: Optional[Union[FuncRef, ClassRef]]
    ) -> tuple[str, ...]:
        if expr is not None:
            value = self.evaluator.evaluate(expr, frame).value
            if isinstance(value, (list, tuple, set, frozenset)) and all(
                isinstance(m, str) for m in value
            ):
                return tuple(sorted({m.upper() for m in value} - {"HEAD", "OPTIONS"}))
            return ("?",)
        if isinstance(view, ClassRef):
            return self._class_methods(view)
        return ("GET",)

    def _class_methods(self, view: ClassRef) -> tuple[str, ...]:
        declared = self._class_attribute(view, "methods")
        if declared is not None:
            expr, frame = declared
            value = self.evaluator.evaluate(expr, frame).value
            if isinstance(value, (list, tuple, set, frozenset)) and all(
                isinstance(m, str) for m in value
            ):
                return tuple(sorted({m.upper() for m in value} - {"HEAD", "OPTIONS"}))
        handlers = self._handler_methods(view)
        methods = {
            "GET" if name == "dispatch_request" else name.upper() for _, name in handlers
        } - {"HEAD", "OPTIONS"}
        return tuple(sorted(methods)) or ("GET",)

    def _handler_methods(self, view: ClassRef, depth: int = 0) -> list[tuple[str, str]]:
        """(module, qualname) of the HTTP method handlers of a class-based view, with bases."""
        facts = self.project.cls(view.module, view.qualname)
        if facts is None or depth > 8:
            return []
        found = [
            (f"{view.qualname}.{name}", name)
            for name in facts.methods
            if name in _HANDLER_METHODS
            or (name == "dispatch_request" and self._is_plain_view(view))
        ]
        names = {n for _, n in found}
        frame = Frame(view.module, facts.scope)
        for base in facts.bases:
            for value in self.resolver.infer(base, frame):
                if isinstance(value, ClassRef):
                    found.extend(
                        item
                        for item in self._handler_methods(value, depth + 1)
                        if item[1] not in names
                    )
        return found

    def _is_plain_view(self, view: ClassRef) -> bool:
        return any(self.resolver.class_is(view, name) for name in VIEW_CLASSES) and not any(
            self.resolver.class_is(view, name) for name in METHOD_VIEW_CLASSES
        )

    def _class_attribute(
        self, view: ClassRef, name: str, depth: int = 0
    ) -> Optional[tuple[ir.Expr, Frame]]:
        facts = self.project.cls(view.module, view.qualname)
        if facts is None or depth > 8:
            return None
        frame = Frame(view.module, f"<class {view.qualname}>")
        for attr, expr, _ in reversed(facts.attributes):
            if attr == name:
                return expr, frame
        base_frame = Frame(view.module, facts.scope)
        for base in facts.bases:
            for value in self.resolver.infer(base, base_frame):
                if isinstance(value, ClassRef):
                    found = self._class_attribute(value, name, depth + 1)
                    if found is not None:
                        return found
        return None

    def _mount(self, decl: _RouteDecl) -> list[Route]:
        """The routes a declaration becomes once its blueprint (if any) is registered."""
        blueprint = self.blueprint_def(decl.owner) if self.is_blueprint(decl.owner) else None
        if self.is_app(decl.owner):
            mounts: list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]] = [
                (decl.owner, "", "", ())
            ]
        elif self._is_rest(decl.owner):
            mounts = self._rest_mounts(decl.owner)
        elif decl.owner.cls == "flask_appbuilder.BaseView":
            mounts = self._appbuilder_mounts(decl)
        elif isinstance(decl.owner.cls, str) and EXTENSION_CLASSES.get(decl.owner.cls) == "admin":
            mounts = self._admin_mounts(decl.owner, decl)
        else:
            mounts = self._blueprint_mounts(decl.owner, 0)
        view_def = self._view_location(decl)
        handlers = self._handlers(decl)
        auth_via, undecided = self._route_auth(decl, handlers)
        routes = []
        for app, prefix, name_prefix, guards in mounts:
            rule = _join_rule(prefix, decl.rule)
            base_endpoint = decl.endpoint or self._default_endpoint(decl)
            endpoint = f"{name_prefix}{base_endpoint}" if name_prefix else base_endpoint
            via = list(auth_via)
            via.extend(self._hook_auth(decl.owner, app))
            auth: Optional[bool] = bool(via) or (None if undecided else False)
            apps = (app,) if app is not None else ()
            routes.append(
                Route(
                    rule=rule,
                    rule_known=decl.rule_known and "<?>" not in prefix,
                    methods=decl.methods,
                    endpoint=endpoint,
                    path=view_def[0],
                    line=view_def[1],
                    view=decl.view,
                    handlers=tuple(q for _, q in handlers),
                    decorators=tuple(
                        ir.dotted_name(_decorator_target(d)) or "?"
                        for d, _ in decl.inner_decorators
                        if not _is_route_decorator(d)
                    ),
                    converters=tuple(
                        (m.group("name"), m.group("converter") or "default")
                        for m in _CONVERTER.finditer(rule)
                    ),
                    owner=decl.owner,
                    apps=apps,
                    blueprint=blueprint,
                    site=decl.site,
                    site_path=decl.path,
                    auth=auth,
                    auth_via=tuple(dict.fromkeys(via)),
                    csrf=None,
                    misplaced_auth=self._misplaced_auth(decl),
                    registration_guards=((decl.path, decl.site), *guards),
                )
            )
        return [self._with_csrf(route, decl, handlers) for route in routes]

    def _blueprint_mounts(
        self, blueprint: Instance, depth: int
    ) -> list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]]:
        bp = self.blueprint_def(blueprint)
        own_prefix = (bp.url_prefix or "") if bp else ""
        own_name = (bp.name or "?") if bp else "?"
        registrations = [r for r in self.registrations if r.child == blueprint]
        if not registrations or depth > 6:
            return [(None, own_prefix, f"{own_name}.", ())]
        mounts: list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]] = []
        for registration in registrations:
            prefix = own_prefix
            if registration.has_prefix:
                prefix = registration.url_prefix if registration.url_prefix is not None else "<?>"
            name = registration.name or own_name
            here = ((registration.path, registration.site),)
            if self.is_app(registration.parent):
                mounts.append((registration.parent, prefix, f"{name}.", here))
            else:
                for app, parent_prefix, parent_name, guards in self._blueprint_mounts(
                    registration.parent, depth + 1
                ):
                    mounts.append(
                        (
                            app,
                            _join_rule(parent_prefix, prefix),
                            f"{parent_name}{name}.",
                            (*guards, *here),
                        )
                    )
        return mounts

    def _rest_mounts(
        self, api: Instance
    ) -> list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]]:
        """Where a Flask-RESTful/RESTX ``Api`` (or namespace) serves its resources."""
        if api.origin is None:
            return [(None, "", "", ())]
        module = self.project.module(api.origin[0])
        site = self.project.call_at(module.path, api.origin[1], api.origin[2])
        if site is None:
            return [(None, "", "", ())]
        frame = site_frame(Frame(module.path, site.scope), site)
        if isinstance(api.cls, str) and api.cls in REST_NAMESPACE_CLASSES:
            return self._namespace_mounts(api, site, frame)
        prefix = self._string(site.call.keyword("prefix") or site.call.keyword("path"), frame) or ""
        targets: list[ir.Expr] = []
        app_expr = site.call.argument(0, "app")
        if app_expr is not None and not (isinstance(app_expr, ir.Const)):
            targets.append(app_expr)
        for _, init, init_frame in self.method_calls("init_app"):
            func = init.call.func
            assert isinstance(func, ir.Attr)
            if api in self.resolver.infer(func.value, init_frame):
                argument = init.call.argument(0, "app")
                if argument is not None:
                    targets.append(argument)
                    frame = init_frame
        mounts: list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]] = []
        for target in targets:
            for value in self.resolver.infer(target, frame):
                if self.is_app(value):
                    assert isinstance(value, Instance)
                    mounts.append((value, prefix, "", ()))
                elif self.is_blueprint(value):
                    assert isinstance(value, Instance)
                    for app, bp_prefix, name, guards in self._blueprint_mounts(value, 0):
                        mounts.append((app, _join_rule(bp_prefix, prefix), name, guards))
        return mounts or [(None, prefix, "", ())]

    def _namespace_mounts(
        self, namespace: Instance, site: CallSite, frame: Frame
    ) -> list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]]:
        """A RESTX namespace is served under its path (default ``/<name>``) by each ``Api``
        it is added to (``api.add_namespace(ns, path=...)``)."""
        name = self._string(site.call.argument(0, "name"), frame) or ""
        own_path = self._string(site.call.keyword("path"), frame)
        if own_path is None:
            own_path = f"/{name}" if name else ""
        mounts: list[tuple[Optional[Instance], str, str, tuple[tuple[str, CallSite], ...]]] = []
        for _, added, added_frame in self.method_calls("add_namespace"):
            func = added.call.func
            assert isinstance(func, ir.Attr)
            argument = added.call.argument(0, "ns")
            if argument is None or namespace not in self.resolver.infer(argument, added_frame):
                continue
            path = self._string(added.call.argument(1, "path"), added_frame)
            for api in self.resolver.infer(func.value, added_frame):
                if isinstance(api, Instance) and self._is_rest(api) and api != namespace:
                    for app, prefix, _, guards in self._rest_mounts(api):
                        mounts.append(
                            (
                                app,
                                _join_rule(prefix, path if path is not None else own_path),
                                "",
                                guards,
                            )
                        )
        return mounts or [(None, own_path, "", ())]

    def _default_endpoint(self, decl: _RouteDecl) -> str:
        """The endpoint Flask (or the REST extension) derives from the view's name."""
        view = decl.view
        if view is None:
            target = decl.site.call.argument(2, "view_func")
            written = ir.dotted_name(target) if target is not None else None
            return written.rsplit(".", 1)[-1] if written else "?"
        name = view.qualname.rsplit(".", 1)[-1]
        owner = decl.owner
        if not (
            isinstance(owner.cls, str) and owner.cls.startswith(("flask_restx.", "flask_restplus."))
        ):
            return name
        endpoint = _camel_to_snake(name)
        if owner.cls in REST_NAMESPACE_CLASSES and owner.origin is not None:
            site = self.project.call_at(*owner.origin)
            if site is not None:
                frame = site_frame(Frame(owner.origin[0], site.scope), site)
                namespace = self._string(site.call.argument(0, "name"), frame)
                if namespace:
                    endpoint = f"{namespace}_{endpoint}"
        return endpoint

    def _view_location(self, decl: _RouteDecl) -> tuple[str, int]:
        view = decl.view
        if isinstance(view, FuncRef):
            function = self.project.function(view.module, view.qualname)
            if function is not None:
                return view.module, function.loc.line
        if isinstance(view, ClassRef):
            cls = self.project.cls(view.module, view.qualname)
            if cls is not None:
                return view.module, cls.loc.line
        return decl.path, decl.site.call.loc.line

    def _handlers(self, decl: _RouteDecl) -> list[tuple[str, str]]:
        view = decl.view
        if isinstance(view, FuncRef):
            return [(view.module, view.qualname)]
        if isinstance(view, ClassRef):
            return [(view.module, qualname) for qualname, _ in self._handler_methods(view)]
        return []

    def _route_auth(
        self, decl: _RouteDecl, handlers: list[tuple[str, str]]
    ) -> tuple[list[str], bool]:
        """Auth from the view's own decorators; and whether the answer is undecidable."""
        via: list[str] = []
        for decorator, _ in decl.inner_decorators:
            found = self.decorator_auth(decorator, decl.decorator_frame)
            if found:
                via.append(found)
        view = decl.view
        if isinstance(view, ClassRef):
            for attr in ("decorators", "method_decorators"):
                declared = self._class_attribute(view, attr)
                if declared is None:
                    continue
                expr, frame = declared
                elements: tuple[ir.Expr, ...] = ()
                if isinstance(expr, ir.Seq):
                    elements = expr.elts
                elif isinstance(expr, ir.DictExpr):
                    elements = tuple(
                        e for v in expr.values if isinstance(v, ir.Seq) for e in v.elts
                    )
                for element in elements:
                    found = self.decorator_auth(element, frame)
                    if found:
                        via.append(found)
            method_auth = []
            for module, qualname in handlers:
                function = self.project.function(module, qualname)
                if function is None:
                    continue
                frame = Frame(module, function.scope)
                method_auth.append(
                    [a for d in function.decorators for a in [self.decorator_auth(d, frame)] if a]
                )
            if method_auth and all(method_auth):
                via.extend(method_auth[0])
            if "is_accessible" in self._all_methods(view):
                via.append("is_accessible")
        return via, view is None and not decl.library_view

    def _all_methods(self, view: ClassRef, depth: int = 0) -> set[str]:
        facts = self.project.cls(view.module, view.qualname)
        if facts is None or depth > 8:
            return set()
        names = set(facts.methods)
        frame = Frame(view.module, facts.scope)
        for base in facts.bases:
            for value in self.resolver.infer(base, frame):
                if isinstance(value, ClassRef):
                    names |= self._all_methods(value, depth + 1)
        return names

    def _hook_auth(self, owner: Instance, app: Optional[Instance]) -> list[str]:
        via = []
        for hook in self.hooks:
            if not hook.enforces_auth:
                continue
            if (
                hook.owner == owner
                or (app is not None and hook.owner == app)
                or (hook.app_wide and app is not None and self._blueprint_in_app(hook.owner, app))
                or self._blueprint_contains(hook.owner, owner)
            ):
                via.append(f"before_request:{hook.function.qualname}")
        return via

    def _blueprint_in_app(self, blueprint: Instance, app: Instance) -> bool:
        return any(mount[0] == app for mount in self._blueprint_mounts(blueprint, 0))

    def _blueprint_contains(self, parent: Instance, child: Instance, depth: int = 0) -> bool:
        if depth > 6 or not self.is_blueprint(parent):
            return False
        for registration in self.registrations:
            if registration.parent == parent and (
                registration.child == child
                or self._blueprint_contains(registration.child, child, depth + 1)
            ):
                return True
        return False

    def _misplaced_auth(self, decl: _RouteDecl) -> tuple[tuple[str, ir.Loc], ...]:
        found = []
        for decorator, loc in decl.outer_decorators:
            if _is_route_decorator(decorator):
                continue
            name = self.decorator_auth(decorator, decl.decorator_frame)
            if name:
                found.append((name, loc))
        return tuple(found)

    # -- CSRF ---------------------------------------------------------------------------

    def _with_csrf(self, route: Route, decl: _RouteDecl, handlers: list[tuple[str, str]]) -> Route:
        if not route.state_changing:
            return route
        app = route.apps[0] if route.apps else None
        protectors = self.extensions_of("csrf", app)
        exempt = self._csrf_exempt(route, decl, protectors) if protectors else None
        csrf = (bool(protectors) and exempt is None) or any(
            self.validates_form(module, qualname) for module, qualname in handlers
        )
        return replace(route, csrf=csrf, csrf_exempt_at=exempt)

    def _csrf_exempt(
        self, route: Route, decl: _RouteDecl, protectors: list[Extension]
    ) -> Optional[tuple[str, ir.Loc]]:
        """Where ``csrf.exempt`` removes this route's protection, if it does."""
        instances = {p.instance for p in protectors}
        for decorator, loc in (*decl.inner_decorators, *decl.outer_decorators):
            target = decorator.func if isinstance(decorator, ir.Call) else decorator
            if (
                isinstance(target, ir.Attr)
                and target.attr == "exempt"
                and instances & set(self.resolver.infer(target.value, decl.decorator_frame))
            ):
                return decl.path, loc
        for path, site, frame in self.method_calls("exempt"):
            func = site.call.func
            assert isinstance(func, ir.Attr)
            if not instances & set(self.resolver.infer(func.value, frame)):
                continue
            argument = site.call.argument(0, "view")
            if argument is None:
                continue
            if isinstance(argument, ir.Const) and isinstance(argument.value, str):
                if argument.value.rsplit(".", 1)[-1] == route.endpoint.rsplit(".", 1)[-1]:
                    return path, site.call.loc
                continue
            for value in self.resolver.infer(argument, frame):
                if (
                    value == route.view
                    or value == route.owner
                    or (
                        isinstance(value, Instance)
                        and route.blueprint is not None
                        and value == route.blueprint.instance
                    )
                ):
                    return path, site.call.loc
        return None

    def validates_form(self, module: str, qualname: str) -> bool:
        """Whether a view validates a Flask-WTF form (which checks its CSRF token)."""
        for site in self.project.calls_in_scope(module, qualname):
            func = site.call.func
            if not (isinstance(func, ir.Attr) and func.attr in FORM_VALIDATE_METHODS):
                continue
            for value in self.resolver.infer(func.value, Frame(module, qualname)):
                if isinstance(value, Instance) and any(
                    self.resolver.class_is(value.cls, name) for name in CSRF_FORM_CLASSES
                ):
                    return not self.form_csrf_disabled(value.cls, site)
        return False

    def form_csrf_disabled(
        self, cls: Union[str, ClassRef], site: Optional[CallSite] = None
    ) -> bool:
        if not isinstance(cls, ClassRef):
            return False
        meta = self.project.cls(cls.module, f"{cls.qualname}.Meta")
        if meta is None:
            return False
        for name, expr, _ in meta.attributes:
            if (
                name == "csrf"
                and self.evaluator.evaluate(expr, Frame(cls.module, meta.scope)).value is False
            ):
                return True
        return False

    def reach(self, guards: tuple[Guard, ...], frame: Frame) -> Reach:
        return self.context.guard_reach(guards, frame)

    def constant(self, expr: ir.Expr, frame: Frame) -> object:
        value = self.evaluator.evaluate(expr, frame).value
        return None if value is NOT_CONSTANT else value


def _same(app: Instance, apps: Iterable[Instance]) -> bool:
    return any(app.origin == other.origin for other in apps)


def _wrapped_app(value: Instance) -> Optional[Instance]:
    if isinstance(value.cls, str):
        for (cls, _), wrapped in WRAPPED_APP_ATTRIBUTES.items():
            if cls == value.cls:
                return Instance(wrapped, value.origin)
    return None


def _external_class(resolver: ObjectResolver, value: Value) -> Optional[str]:
    if isinstance(value, ExtRef):
        return canonical(value.name)
    if isinstance(value, ClassRef):
        for name in EXTENSION_CLASSES:
            if resolver.class_is(value, name):
                return name
    return None


def _matching_instance(value: Value, created: Mapping[Instance, object]) -> Optional[Instance]:
    if isinstance(value, Instance) and value in created:
        return value
    return None


def _decorator_target(decorator: ir.Expr) -> ir.Expr:
    return decorator.func if isinstance(decorator, ir.Call) else decorator


def _is_route_decorator(decorator: ir.Expr) -> bool:
    return (
        isinstance(decorator, ir.Call)
        and isinstance(decorator.func, ir.Attr)
        and decorator.func.attr in ROUTE_DECORATORS
    )


def _denies_access(returned: ir.Expr) -> bool:
    """``return body, 401`` / ``return "Forbidden", 403``: a response that refuses access."""
    return isinstance(returned, ir.Seq) and any(
        isinstance(e, ir.Const) and e.value in (401, 403) for e in returned.elts[1:]
    )


def _mentions_auth(expr: ir.Expr) -> bool:
    """Whether a test reads the user, the session's user or the request's credentials."""
    for node in walk(expr):
        if isinstance(node, ir.Name) and node.id in AUTH_IDENTIFIERS:
            return True
        if isinstance(node, ir.Attr) and node.attr in AUTH_IDENTIFIERS:
            return True
        if (
            isinstance(node, ir.Const)
            and isinstance(node.value, str)
            and set(identifier_words(node.value)) & _AUTH_KEY_WORDS
        ):
            return True
    return False


def mentions_debug(expr: ir.Expr) -> bool:
    """Whether a test reads debug mode (``app.debug``, ``config["DEBUG"]``, ``FLASK_DEBUG``)."""
    for node in walk(expr):
        if isinstance(node, ir.Name) and node.id.lower() in ("debug", "flask_debug"):
            return True
        if isinstance(node, ir.Attr) and node.attr.lower() == "debug":
            return True
        if isinstance(node, ir.Const) and node.value in ("DEBUG", "FLASK_DEBUG"):
            return True
    return False


def debug_guarded(guards: Iterable[Guard]) -> bool:
    """Whether code only runs when debug mode is on."""
    for guard in guards:
        negated = isinstance(guard.test, ir.UnaryOp) and guard.test.op == "not"
        test = guard.test.operand if isinstance(guard.test, ir.UnaryOp) and negated else guard.test
        if guard.branch != negated and mentions_debug(test):
            return True
    return False


def _is_security_header(expr: ir.Expr) -> bool:
    return (
        isinstance(expr, ir.Const)
        and isinstance(expr.value, str)
        and expr.value.lower() in SECURITY_HEADERS
    )


def _join_rule(prefix: str, rule: str) -> str:
    """How Flask joins a blueprint's ``url_prefix`` and a rule (``BlueprintSetupState``)."""
    if not prefix:
        return rule
    if not rule:
        return prefix
    return "/".join((prefix.rstrip("/"), rule.lstrip("/")))


def _camel_to_snake(name: str) -> str:
    """Flask-RESTX's ``camel_to_dash``: ``HelloWorld`` -> ``hello_world``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def sensitive_area(route: Route) -> Optional[str]:
    """The segment or word that makes a route administrative or internal, if any."""
    owner = route.owner.cls
    if isinstance(owner, str) and EXTENSION_CLASSES.get(owner) == "admin":
        return "Flask-Admin"
    for segment in route.rule.lower().split("/"):
        if not segment or segment.startswith("<"):
            continue
        if segment in SENSITIVE_SEGMENTS:
            return segment
        strong = set(identifier_words(segment)) & SENSITIVE_WORDS
        if strong:
            return sorted(strong)[0]
    strong = set(identifier_words(route.endpoint.rsplit(".", 1)[-1])) & SENSITIVE_WORDS
    if strong:
        return sorted(strong)[0]
    return None


def debug_only(route: Route) -> Optional[tuple[str, int]]:
    """Where the route is registered under a debug-mode test, if it is."""
    for path, site in route.registration_guards:
        if debug_guarded(site.guards):
            return path, site.call.loc.line
    return None


def flask_model(project: Project) -> FlaskModel:
    from flaskguard.analysis.devserver import analysis_for

    def build() -> FlaskModel:
        analysis = analysis_for(project)
        return FlaskModel(
            project,
            analysis.resolver,
            analysis.evaluator,
            analysis.context,
            project.extra_auth_decorators,
        )

    return project.cached("flask-model", build)


def subscript_assignments(module: ModuleFacts) -> tuple[Assignment, ...]:
    """A module's ``x[key] = ...`` assignments."""
    return tuple(a for a in module.assignments if isinstance(a.target, ir.Subscript))


def _security_header_writes(module: ModuleFacts) -> bool:
    """Whether a module sets CSP, HSTS or frame options on ``x.headers`` itself."""
    for assignment in module.assignments:
        target = assignment.target
        if (
            isinstance(target, ir.Subscript)
            and isinstance(target.value, ir.Attr)
            and target.value.attr == "headers"
            and _is_security_header(target.index)
        ):
            return True
    for site in module.calls:
        func = site.call.func
        if not (
            isinstance(func, ir.Attr)
            and isinstance(func.value, ir.Attr)
            and func.value.attr == "headers"
        ):
            continue
        arguments = [*site.call.args, *(v for _, v in site.call.kwargs)]
        for argument in arguments:
            if _is_security_header(argument):
                return True
            if isinstance(argument, ir.DictExpr) and any(
                k is not None and _is_security_header(k) for k in argument.keys
            ):
                return True
    return False


_Inside = tuple[tuple[FunctionFacts, ...], tuple[CallSite, ...], tuple[Assignment, ...]]


def _code_inside(module: ModuleFacts) -> dict[str, _Inside]:
    """By qualified name: the function itself and the functions nested in it, and the calls
    and assignments in its body or theirs."""
    functions: dict[str, list[FunctionFacts]] = {}
    calls: dict[str, list[CallSite]] = {}
    assignments: dict[str, list[Assignment]] = {}
    for function in module.functions:
        for outer in _enclosing_names(function.qualname):
            functions.setdefault(outer, []).append(function)
    for site in module.calls:
        for outer in _enclosing_names(site.scope):
            calls.setdefault(outer, []).append(site)
    for assignment in module.assignments:
        for outer in _enclosing_names(assignment.scope):
            assignments.setdefault(outer, []).append(assignment)
    return {
        name: (
            tuple(functions.get(name, ())),
            tuple(calls.get(name, ())),
            tuple(assignments.get(name, ())),
        )
        for name in functions.keys() | calls.keys() | assignments.keys()
    }


def _enclosing_names(scope: str) -> list[str]:
    """``a``, ``a.b`` and ``a.b.c`` for scope ``a.b.c``; none for the module."""
    parts = scope.split(".") if scope else []
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
