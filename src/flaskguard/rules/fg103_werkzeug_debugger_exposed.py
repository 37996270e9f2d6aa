"""## What it does
Finds the Werkzeug debugger made reachable or unprotected outside development-only code:
`DebuggedApplication(app, evalex=True)` wrapping an application in code that runs at import,
`run_simple(..., use_debugger=True)` without `use_evalex=False`,
`DebuggedApplication(..., pin_security=False)`, and `WERKZEUG_DEBUG_PIN=off` or a fixed PIN
in environment files, Dockerfiles, compose files or `os.environ` assignments.

## Why is this bad?
The Werkzeug debugger's console executes arbitrary Python in the server process. Its only
protections are the PIN (derived from host data that a file-read bug discloses, and switched
off by `WERKZEUG_DEBUG_PIN=off` or `pin_security=False`) and a `Host` header check that a
direct attacker controls. Wrapping the production app in it is remote code execution.

## Example
```python
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
```

## Use instead
Remove the wrapper; log exceptions instead (Flask logs them; add Sentry or similar). Never
set `WERKZEUG_DEBUG_PIN` in committed configuration.

## References
- Werkzeug debugger: https://werkzeug.palletsprojects.com/en/stable/debug/
- CWE-94: Improper Control of Generation of Code
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_env_template
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import analysis_for, dev_server_uses
from flaskguard.facts import ir
from flaskguard.facts.module import Assignment, ModuleFacts
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.frameworks import DEBUGGED_APPLICATION
from flaskguard.model.objects import ExtRef
from flaskguard.model.project import Frame, Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG103",
    name="werkzeug-debugger-exposed",
    summary="Werkzeug interactive debugger exposed or its PIN disabled",
    severity=Severity.CRITICAL,
    confidence=Confidence.HIGH,
    cwe=(94, 489, 306),
    owasp="A05:2021",
    tags=("debug", "rce"),
    fixable=False,
    doc=__doc__ or "",
)

REMEDIATION = (
    "Remove the debugger from code that serves requests; log exceptions instead. Never disable "
    "or fix the debugger PIN."
)


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    reached = {
        (r.frame.module, r.site.call.loc.line, r.site.call.loc.col): r.reach
        for r in analysis.context.reached_calls("import")
    }
    for path, site, frame in analysis.resolver.calls_to({DEBUGGED_APPLICATION}):
        evalex = site.call.argument(1, "evalex")
        pin_security = site.call.keyword("pin_security")
        evalex_on = evalex is not None and analysis.evaluate(evalex, frame).value is True
        pin_off = pin_security is not None and analysis.evaluate(pin_security, frame).value is False
        at_import = reached.get((path, site.call.loc.line, site.call.loc.col), Reach.NO)
        if not (evalex_on or pin_off):
            continue
        if at_import == Reach.NO and not pin_off:
            continue
        problems = []
        if evalex_on:
            problems.append("evalex=True gives every visitor an interactive Python console")
        if pin_off:
            problems.append("pin_security=False removes the PIN that guards it")
        where = (
            "in code that runs when the app is imported"
            if at_import != Reach.NO
            else "in code that runs only as a script"
        )
        yield finding(
            META,
            path=path,
            loc=site.call.loc,
            message=f"DebuggedApplication wraps the application {where}: "
            + "; ".join(problems)
            + ".",
            remediation=REMEDIATION,
            severity=Severity.CRITICAL if at_import != Reach.NO else Severity.HIGH,
            scope=site.scope,
            code=site.statement.code,
            anchors=[(path, site.statement.first_line)],
        )
    for module in project.modules:
        for assignment in project.view(module, _pin_assignments):
            target = assignment.target
            assert isinstance(target, ir.Subscript)
            frame = Frame(module.path, assignment.scope)
            if not any(
                isinstance(v, ExtRef) and v.name == "os.environ"
                for v in analysis.resolver.infer(target.value, frame)
            ):
                continue
            value = analysis.evaluate(assignment.value, frame).value
            if isinstance(value, str):
                yield _pin_finding(module.path, assignment.loc, value, assignment.scope)
    for use in dev_server_uses(project):
        if use.call.spec.display != "werkzeug.serving.run_simple" or analysis.is_dead(use):
            continue
        settings = analysis.settings(use, use.main_frame)
        if settings.debugger is not True:
            continue
        yield finding(
            META,
            path=use.call.module,
            loc=use.call.site.call.loc,
            message="run_simple(use_debugger=True) serves Werkzeug's interactive debugger "
            "(use_evalex defaults to True): whoever reaches the server can run Python in it.",
            remediation="Pass use_evalex=False, or better, drop use_debugger outside local development.",
            severity=Severity.CRITICAL if use.import_reach != Reach.NO else Severity.MEDIUM,
            scope=use.call.site.scope,
            code=use.call.site.statement.code,
            anchors=[(use.call.module, use.call.site.statement.first_line)],
        )
    for deployment in project.deployments:
        if is_env_template(deployment.path):
            continue
        for setting in deployment.env:
            if setting.key == "WERKZEUG_DEBUG_PIN":
                loc = ir.Loc(setting.line, setting.column, setting.line, setting.end_column)
                yield _pin_finding(setting.path, loc, setting.value, "")


def _pin_finding(path: str, loc: ir.Loc, value: str, scope: str) -> Finding:
    disabled = value.strip().lower() == "off"
    message = (
        "WERKZEUG_DEBUG_PIN=off disables the Werkzeug debugger's PIN: wherever the debugger "
        "runs, its console executes code for anyone who reaches it."
        if disabled
        else "WERKZEUG_DEBUG_PIN fixes the Werkzeug debugger's PIN to a value stored with the "
        "code: anyone who reads it can unlock the debugger console."
    )
    return finding(
        META,
        path=path,
        loc=loc,
        message=message,
        remediation=REMEDIATION,
        severity=Severity.HIGH,
        scope=scope,
        code="WERKZEUG_DEBUG_PIN",
        redact_snippet=True,
    )


RULE = Rule(META, check)


def _pin_assignments(module: ModuleFacts) -> tuple[Assignment, ...]:
    """``x["WERKZEUG_DEBUG_PIN"] = ...``."""
    return tuple(
        a
        for a in module.assignments
        if isinstance(a.target, ir.Subscript)
        and isinstance(a.target.index, ir.Const)
        and a.target.index.value == "WERKZEUG_DEBUG_PIN"
    )
