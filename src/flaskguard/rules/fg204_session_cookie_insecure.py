"""## What it does
Finds production (and default) configuration that weakens Flask's session cookie:
`SESSION_COOKIE_SECURE = False` and `SESSION_COOKIE_HTTPONLY = False` (medium),
`SESSION_COOKIE_SAMESITE = "None"` without `SESSION_COOKIE_SECURE = True` and a parent-domain
`SESSION_COOKIE_DOMAIN` such as `".example.com"` (low) — one finding per setting, at the line
that sets it.

`SESSION_COOKIE_SECURE` is off by default in Flask. An app that never turns it on is
reported once, at its `Flask(...)` call, with low severity and low confidence, and only when
the session matters — it uses Flask-Login (or Flask-Security) or writes `session[...]` — and
nothing else makes the cookie Secure: no Talisman (which sets it by default) and no
configuration loaded from outside the repository (`from_prefixed_env`, `from_envvar`,
`from_file`, a `from_pyfile` file that is not in the project; an optional one, loaded with
`silent=True`, does not count: the deployment may have none).

Development and testing profiles, test code, examples and migrations are not reported.

## Why is this bad?
Without `Secure`, the browser also sends the session cookie over plain HTTP — a single
`http://` link or a captive portal is enough for anyone on the network path to read it and
take over the session. Without `HttpOnly`, any XSS bug can read the cookie with
`document.cookie`. `SameSite=None` attaches the cookie to requests from every other site,
and a parent domain hands it to every subdomain.

## Example
```python
class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = False
```

## Use instead
```python
class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
```

## References
- Flask docs, "Security Considerations: Set-Cookie options"
- CWE-614: Sensitive Cookie in HTTPS Session Without 'Secure' Attribute
- CWE-1004: Sensitive Cookie Without 'HttpOnly' Flag
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import code_kind, is_production_path
from flaskguard.analysis.secrets import SecretsAnalysis, cookie_problems, secrets_analysis
from flaskguard.facts import ir
from flaskguard.facts.module import CallSite, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.appconfig import config_method_calls
from flaskguard.model.apps import AppDef, FlaskModel, flask_model, subscript_assignments
from flaskguard.model.objects import ExtRef, Instance, canonical
from flaskguard.model.project import Frame, Project, site_frame
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG204",
    name="session-cookie-insecure",
    summary="Session cookie without Secure, HttpOnly or a safe scope",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(614, 1004),
    owasp="A05:2021",
    tags=("session", "cookies", "configuration"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    'Set `SESSION_COOKIE_SECURE = True`, `SESSION_COOKIE_HTTPONLY = True`, `SESSION_COOKIE_SAMESITE = "Lax"` '
    "and no `SESSION_COOKIE_DOMAIN` in the production configuration (or use Flask-Talisman)."
)
SESSION_WRITE_METHODS = frozenset({"update", "setdefault", "__setitem__"})
EXTERNAL_CONFIG_METHODS = frozenset({"from_prefixed_env", "from_envvar", "from_file"})


def check(project: Project) -> Iterator[Finding]:
    analysis = secrets_analysis(project)
    model = flask_model(project)
    talisman = any(_talisman_sets_secure(analysis, model, app.instance) for app in model.apps)
    for problem in cookie_problems(
        analysis,
        "SESSION_COOKIE_",
        "session cookie",
        "take over the session",
        talisman,
    ):
        setting = problem.setting
        yield finding(
            META,
            path=setting.path,
            loc=setting.value_site,
            message=problem.text,
            remediation=REMEDIATION,
            severity=problem.severity,
            confidence=Confidence.MEDIUM if problem.env_vars else Confidence.HIGH,
            scope=setting.scope,
            code=f"{setting.via} cookie flag",
        )
    if any(True for _ in analysis.production_settings(frozenset({"SESSION_COOKIE_SECURE"}))):
        return
    writes = _session_writes(project, analysis)
    for app in model.apps:
        if not is_production_path(project, app.path):
            continue
        uses = _session_use(model, app, writes)
        if not uses or _talisman_sets_secure(analysis, model, app.instance):
            continue
        if _external_config(project, analysis, model, app):
            continue
        yield finding(
            META,
            path=app.path,
            loc=app.loc,
            message=f"This app {uses} but never sets SESSION_COOKIE_SECURE, which is off in "
            "Flask by default: browsers also send its session cookie over plain HTTP, where "
            "anyone on the network path can read it and take over the session.",
            remediation=REMEDIATION,
            severity=Severity.LOW,
            confidence=Confidence.LOW,
            scope=app.scope,
            code="Flask() without SESSION_COOKIE_SECURE",
        )


def _talisman_sets_secure(analysis: SecretsAnalysis, model: FlaskModel, app: Instance) -> bool:
    """Talisman sets ``SESSION_COOKIE_SECURE = True`` unless told otherwise."""
    for extension in model.extensions_of("talisman", app):
        option = extension.option("session_cookie_secure")
        if option is None:
            return True
        value = analysis.value(option[0], option[1])[0]
        if value is not False and value != 0:
            return True
    return False


def _session_writes(project: Project, analysis: SecretsAnalysis) -> list[str]:
    """Where production code writes to Flask's ``session`` (``path:line``)."""
    found: list[str] = []
    for module in project.modules:
        if code_kind(project, module.path) is not None:
            continue
        for assignment in project.view(module, subscript_assignments):
            target = assignment.target
            assert isinstance(target, ir.Subscript)
            frame = Frame(module.path, assignment.scope)
            if _is_session(analysis, target.value, frame):
                found.append(f"{module.path}:{assignment.loc.line}")
        for site in project.view(module, _session_method_calls):
            func = site.call.func
            assert isinstance(func, ir.Attr)
            frame = site_frame(Frame(module.path, site.scope), site)
            if _is_session(analysis, func.value, frame):
                found.append(f"{module.path}:{site.call.loc.line}")
    return found


def _session_method_calls(module: ModuleFacts) -> tuple[CallSite, ...]:
    """Calls of a method that writes to a session (``x.update(...)``, ``x.setdefault(...)``)."""
    return tuple(
        site
        for site in module.calls
        if isinstance(site.call.func, ir.Attr) and site.call.func.attr in SESSION_WRITE_METHODS
    )


def _is_session(analysis: SecretsAnalysis, expr: ir.Expr, frame: Frame) -> bool:
    return any(
        isinstance(v, ExtRef) and canonical(v.name) == "flask.session"
        for v in analysis.resolver.infer(expr, frame)
    )


def _session_use(model: FlaskModel, app: AppDef, writes: list[str]) -> str:
    """How the app depends on its session cookie, for the message ("" when it does not)."""
    if model.extensions_of("login", app.instance) or model.extensions_of("security", app.instance):
        return "logs users in with Flask-Login"
    if writes:
        more = f" and {len(writes) - 1} more" if len(writes) > 1 else ""
        return f"stores data in the session cookie ({writes[0]}{more})"
    return ""


def _external_config(
    project: Project, analysis: SecretsAnalysis, model: FlaskModel, app: AppDef
) -> bool:
    """The app loads configuration the repository does not hold; it may set the flag."""
    for module in project.modules:
        for site in project.view(module, config_method_calls):
            func = site.call.func
            assert isinstance(func, ir.Attr) and isinstance(func.value, ir.Attr)
            if func.attr not in (*EXTERNAL_CONFIG_METHODS, "from_pyfile"):
                continue
            frame = site_frame(Frame(module.path, site.scope), site)
            if not any(
                a.origin == app.instance.origin for a in model.apps_of(func.value.value, frame)
            ):
                continue
            # An optional override (``silent=True``) may be absent where the app is deployed.
            silent = site.call.keyword("silent")
            if isinstance(silent, ir.Const) and silent.value is True:
                continue
            if func.attr in EXTERNAL_CONFIG_METHODS:
                return True
            argument = site.call.argument(0, "filename")
            name = analysis.value(argument, frame)[0] if argument is not None else None
            if not (isinstance(name, str) and _in_project(project, name)):
                return True
    return False


def _in_project(project: Project, filename: str) -> bool:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return any(path.rsplit("/", 1)[-1] == name for path in project.modules_by_path)


RULE = Rule(META, check)
