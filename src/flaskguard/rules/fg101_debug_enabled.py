"""## What it does
Finds debug mode switched on from any source other than the dev-server call FG100 already
reports: a guarded `app.run(debug=True)`, `app.debug = True`, `app.config["DEBUG"] = True`,
`config.update(DEBUG=True)` / `from_mapping`, `DEBUG = True` in configuration classes and
`from_object` targets, environment lookups whose default turns debug on
(`os.environ.get("DEBUG", True)`), and `FLASK_DEBUG=1` (or the pre-2.3 `FLASK_ENV=development`)
in `.flaskenv`/`.env`, Dockerfile `ENV`, compose `environment`, uWSGI `env` or `app.yaml`.

Severity follows where the value ends up: **info** for development-only sources (a run call
under a `__main__` guard, a development or testing profile), **low** for committed
`.flaskenv`/`.env` files, **medium** for code paths that run in production (module-level
settings, the default configuration, environment defaults), **high** for production
profiles and container or platform configuration.

## Why is this bad?
Debug mode makes Flask propagate exceptions and auto-reload templates; combined with a dev
server or `DebuggedApplication` it runs the interactive Werkzeug debugger, which executes
arbitrary Python for whoever reaches it. A debug flag that is on by default is on in the
deployment that forgot to turn it off.

## Example
```python
class Config:
    DEBUG = True
```

## Use instead
```python
class Config:
    DEBUG = os.environ.get("FLASK_DEBUG", "0") == "1"
```
and turn debug on for local work with `flask run --debug`.

## References
- Flask docs, "Debug Mode"
- CWE-489: Active Debug Code
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import is_env_template, is_test_path
from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import (
    DevServerAnalysis,
    analysis_for,
    dev_server_uses,
    flask_debug_flag,
)
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.fixes import RemoveKeywordPlan
from flaskguard.model.objects import ClassRef
from flaskguard.model.project import Frame, Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG101",
    name="debug-enabled",
    summary="Debug mode enabled",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(489, 215),
    owasp="A05:2021",
    tags=("debug", "configuration"),
    fixable=True,
    doc=__doc__ or "",
)

REMEDIATION = (
    "Drive debug mode from the environment with a False default "
    '(`os.environ.get("FLASK_DEBUG") == "1"`) and enable it locally with `flask run --debug`.'
)
_DEVELOPMENT = re.compile(r"dev|debug|local|test", re.IGNORECASE)
_PRODUCTION = re.compile(r"prod|live|release|deploy", re.IGNORECASE)
_ENV_SEVERITY = {
    "flaskenv": Severity.LOW,
    "dotenv": Severity.LOW,
    "dockerfile": Severity.HIGH,
    "compose": Severity.MEDIUM,
    "uwsgi": Severity.HIGH,
    "appyaml": Severity.HIGH,
    "procfile": Severity.HIGH,
}


def profile_severity(name: Optional[str]) -> Severity:
    if name and _DEVELOPMENT.search(name):
        return Severity.INFO
    if name and _PRODUCTION.search(name):
        return Severity.HIGH
    return Severity.MEDIUM


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    # A setting that turns debug on for a dev server started at import is part of that
    # FG100 finding (its message names the setting); it is not reported twice.
    reported = {
        origin
        for use in dev_server_uses(project)
        if use.import_reach != Reach.NO
        for origin in [analysis.settings(use).debug.origin]
        if origin is not None
    }
    for result in (
        *_run_calls(project, analysis),
        *_config_writes(analysis),
        *_config_classes(project, analysis),
        *_environment_files(project),
    ):
        if (result.path, result.span.start_line) not in reported:
            yield result


def _run_calls(project: Project, analysis: DevServerAnalysis) -> Iterator[Finding]:
    for use in dev_server_uses(project):
        if (
            use.import_reach != Reach.NO
            or analysis.is_dead(use)
            or is_test_path(project, use.call.module)
        ):
            continue
        expr = analysis.argument(use.call, use.call.spec.debug)
        if expr is None:
            continue
        setting = analysis.evaluate(expr, use.main_frame or use.frame)
        if setting.value is NOT_CONSTANT or not setting.value:
            continue
        literal = (
            isinstance(expr, ir.Const)
            and expr.value is True
            and use.call.call.keyword("debug") is expr
            and use.call.spec.framework in ("Flask", "Flask-SocketIO", "Dash")
            and not use.call.via_thread
        )
        plan = (
            RemoveKeywordPlan(
                use.call.site.call.loc.line,
                use.call.site.call.loc.col,
                "debug",
                "Remove debug=True; turn debug on locally with `flask run --debug` or FLASK_DEBUG=1.",
            )
            if literal
            else None
        )
        yield finding(
            META,
            path=use.call.module,
            loc=use.call.site.call.loc,
            message=f"{use.call.spec.display}() turns debug mode on. The call does not run at import, "
            "so this is development-only — unless this script is how the app is deployed.",
            remediation=REMEDIATION,
            severity=Severity.INFO,
            fix_plan=plan,
            fix_unavailable_reason=None
            if literal
            else "debug is not a literal `debug=True` keyword.",
            scope=use.call.site.scope,
            code=use.call.site.statement.code,
            anchors=[(use.call.module, use.call.site.statement.first_line)],
        )


def _config_writes(analysis: DevServerAnalysis) -> Iterator[Finding]:
    for write in analysis.config_writes:
        if (
            write.key != "DEBUG"
            or write.profile is not None
            or is_test_path(analysis.project, write.module)
        ):
            continue
        frame = Frame(write.module, write.scope)
        import_reach = analysis.context.guard_reach(write.guards, frame)
        main_reach = analysis.context.guard_reach(write.guards, frame.with_world("main"))
        if import_reach == Reach.NO and main_reach == Reach.NO:
            continue
        setting = analysis.evaluate(write.value, write.frame)
        if setting.value is NOT_CONSTANT or not setting.value:
            continue
        severity = Severity.MEDIUM if import_reach != Reach.NO else Severity.INFO
        source = (
            f" (the default of environment variable {setting.env_vars[0]})"
            if setting.env_vars
            else ""
        )
        yield finding(
            META,
            path=write.module,
            loc=write.loc,
            message=f"{write.via} turns Flask's debug mode on{source}"
            + (
                " in code that runs at import."
                if import_reach != Reach.NO
                else " in code that only runs as a script."
            ),
            remediation=REMEDIATION,
            severity=severity,
            scope=write.scope,
            code=f"{write.via} = DEBUG",
        )


def _config_classes(project: Project, analysis: DevServerAnalysis) -> Iterator[Finding]:
    profiles = {w.profile for w in analysis.config_writes if w.profile}
    for module in project.modules:
        if is_test_path(project, module.path):
            continue
        for cls in module.classes:
            if not (cls.name in profiles or re.search(r"config|settings", cls.name, re.IGNORECASE)):
                continue
            for name, value, loc in cls.attributes:
                if name != "DEBUG":
                    continue
                frame = Frame(module.path, cls.scope)
                setting = analysis.evaluate(value, frame)
                if setting.value is NOT_CONSTANT or not setting.value:
                    continue
                severity = _class_severity(project, analysis, module.path, cls.qualname, cls.name)
                source = (
                    f" (the default of environment variable {setting.env_vars[0]})"
                    if setting.env_vars
                    else ""
                )
                yield finding(
                    META,
                    path=module.path,
                    loc=loc,
                    message=f"Configuration class {cls.name} sets DEBUG = True{source}; "
                    + (
                        "it is a development or testing profile."
                        if severity == Severity.INFO
                        else "every app configured from it (or from a subclass that does not "
                        "override DEBUG) runs in debug mode."
                    ),
                    remediation=REMEDIATION,
                    severity=severity,
                    scope=cls.qualname,
                    code=f"class {cls.name}: DEBUG",
                )


def _class_severity(
    project: Project, analysis: DevServerAnalysis, path: str, qualname: str, name: str
) -> Severity:
    """A base class inherits the most production-like profile that uses its value."""
    severity = profile_severity(name)
    if severity != Severity.MEDIUM:
        return severity
    own = ClassRef(path, qualname)
    subclass_severities = []
    for module in project.modules:
        for cls in module.classes:
            frame = Frame(module.path, cls.scope)
            for base in cls.bases:
                if own in analysis.resolver.infer(base, frame):
                    overrides = any(attr == "DEBUG" for attr, _, _ in cls.attributes)
                    if not overrides:
                        subclass_severities.append(profile_severity(cls.name))
    if subclass_severities and all(s == Severity.INFO for s in subclass_severities):
        return Severity.MEDIUM
    if any(s == Severity.HIGH for s in subclass_severities):
        return Severity.HIGH
    return Severity.MEDIUM


def _environment_files(project: Project) -> Iterator[Finding]:
    for deployment in project.deployments:
        if is_env_template(deployment.path):
            continue
        for setting in deployment.env:
            enabled = (setting.key == "FLASK_DEBUG" and flask_debug_flag(setting.value)) or (
                setting.key == "FLASK_ENV" and setting.value.strip().lower() == "development"
            )
            if not enabled:
                continue
            severity = _ENV_SEVERITY.get(setting.source, Severity.MEDIUM)
            where = {
                "flaskenv": "`flask run` and `app.run()` load it",
                "dotenv": "`flask run` and `app.run()` load it when python-dotenv is installed",
                "dockerfile": "every container built from this image runs with it",
                "compose": "the service runs with it",
                "uwsgi": "uWSGI sets it for the application",
                "appyaml": "App Engine sets it for the deployed app",
            }.get(setting.source, "the process runs with it")
            yield finding(
                META,
                path=setting.path,
                loc=ir.Loc(setting.line, setting.column, setting.line, setting.end_column),
                message=f"{setting.key} in {setting.path} turns Flask's debug mode on; {where}.",
                remediation="Remove it from committed and deployed configuration; use "
                "`flask run --debug` locally.",
                severity=severity,
                confidence=Confidence.HIGH,
                code=f"{setting.source}:{setting.key}",
            )


RULE = Rule(META, check)
