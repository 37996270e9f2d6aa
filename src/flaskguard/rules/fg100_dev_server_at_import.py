"""## What it does
Finds a development-server call — `Flask.run`, `SocketIO.run`, `Dash.run`/`run_server`,
`werkzeug.serving.run_simple`, `uvicorn.run`, `aiohttp.web.run_app`, `bottle.run`,
`Bottle.run`, `Quart.run`, `Sanic.run` — that runs when its module is *imported*: at module
top level, in a top-level `if`/`else`/`try`/`with`/loop or class body, or inside a function
(or a started thread's target) that is called at import time, in this module or another.
The receiver is recognised by what it is, under any name: `application = Flask(...)`,
`create_app().run()`, `SocketIO(app)`, `import flask as f`, subclasses of `Flask`.

## Why is this bad?
A production server loads the application with a normal import, so `__name__` is the
module's name and only a call guarded by `if __name__ == "__main__":` is skipped. An
unguarded call runs during that import, inside the server's process:

- under **gunicorn, uWSGI or waitress**, the import starts Werkzeug's development server
  inside the worker and never returns: the production port hangs, extra workers crash-loop
  on "Address already in use", and the single-threaded dev server answers instead — on
  whatever host the call names, often `0.0.0.0`;
- with **debug on** (`debug=True`, `FLASK_DEBUG=1` in `.flaskenv`/`.env`, `app.debug`) and a
  path that avoids the reloader (waitress, `use_reloader=False`), that server runs the
  **interactive Werkzeug debugger**: anyone who can reach it and compute or bypass the PIN
  can execute Python in the worker;
- under `flask run` the call is ignored with a warning and its arguments are discarded, so
  the code does not do what it says either.

For uvicorn, aiohttp, Sanic and Quart, a second server starts inside the production
server's process the same way.

Severity is graded per call: **critical** when Werkzeug's interactive debugger can run and
the server binds a non-loopback address, **high** when either holds, **medium** otherwise.
Deployment files (`Procfile`, `Dockerfile`, compose, gunicorn/uWSGI config, `app.yaml`)
that import the module through a production server raise the confidence.

## Example
```python
app = Flask(__name__)

@app.route("/")
def index():
    return "hello"

app.run(host="0.0.0.0", debug=True)
```

## Use instead
```python
if __name__ == "__main__":
    app.run()
```
and serve production with `gunicorn module:app` (or uWSGI, waitress, uvicorn). For local
development prefer `flask --app module run --debug`.

## References
- Flask docs, "Development Server": place `app.run()` in a main block.
- Werkzeug debugger: https://werkzeug.palletsprojects.com/en/stable/debug/
- CWE-489: Active Debug Code
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import (
    DevServerAnalysis,
    DevServerUse,
    ServerSettings,
    analysis_for,
    dev_server_uses,
)
from flaskguard.facts.deployment import ServeCommand
from flaskguard.findings import Confidence, Finding, RelatedLocation, Severity
from flaskguard.fixes import GuardPlan
from flaskguard.model.project import Project
from flaskguard.redaction import redact_assignments
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding, quote_code

META = RuleMeta(
    id="FG100",
    name="dev-server-at-import",
    summary="Development server started when the module is imported",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(489, 94, 668),
    owasp="A05:2021",
    tags=("dev-server", "debug", "deployment"),
    fixable=True,
    doc=__doc__ or "",
)


def grade(settings: ServerSettings) -> Severity:
    debugger = settings.debugger is True
    debug = settings.debug.value is True
    public = settings.public is True
    if debugger and public:
        return Severity.CRITICAL
    if debugger or debug or public:
        return Severity.HIGH
    return Severity.MEDIUM


def describe_settings(settings: ServerSettings) -> str:
    parts: list[str] = []
    if settings.debugger:
        parts.append(f"with the interactive Werkzeug debugger on ({settings.debug.source})")
    elif settings.debug.value is True:
        parts.append(f"in debug mode ({settings.debug.source})")
    elif settings.debug.value is NOT_CONSTANT:
        parts.append("with a debug setting that cannot be determined statically")
    host = settings.host
    if settings.public is True:
        shown = host.value if isinstance(host.value, str) and host.value else "all interfaces"
        where = f" ({host.source})" if host.env_vars else ""
        parts.append(f"bound to {shown}{where}, reachable from other machines")
    elif settings.public is None:
        parts.append("bound to a host that cannot be determined statically")
    return ", ".join(parts)


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    entries = analysis.wsgi_entries()
    for use in dev_server_uses(project):
        if use.import_reach == Reach.NO:
            continue
        yield _finding(analysis, use, entries)


def _finding(
    analysis: DevServerAnalysis,
    use: DevServerUse,
    entries: dict[str, list[ServeCommand]],
) -> Finding:
    call = use.call
    settings = analysis.settings(use)
    severity = grade(settings)
    steps = use.import_steps
    top_module = steps[0].module if steps else call.module
    top_statement = steps[0].site.top_statement if steps else call.site.top_statement
    how = "at module level"
    if steps:
        first = steps[0]
        how = f"through {quote_code(first.site.statement.code)} in {first.module} at import"
    elif call.site.class_qualname is not None:
        how = "in a class body at module level"
    elif call.site.guards:
        how = "in a top-level block that is not a `__main__` guard"
    if call.via_thread:
        how += ", in a thread started at import"
    detail = describe_settings(settings)
    commands = entries.get(top_module) or entries.get(call.module) or []
    confidence = Confidence.HIGH if use.import_reach == Reach.YES else Confidence.MEDIUM
    deployment = ""
    if commands:
        confidence = Confidence.HIGH
        command = commands[0]
        served = ", ".join(f"`{t}`" for t in command.targets) or quote_code(
            redact_assignments(command.text), 60
        )
        deployment = (
            f" {command.path}:{command.line} runs {command.server} on {served}, whose import "
            "runs this code: this happens in production."
        )
    condition = ""
    if use.import_reach == Reach.MAYBE:
        condition = (
            " It runs at import unless a condition that cannot be decided statically is false."
        )
    message = (
        f"{call.spec.display}() runs when this module is imported ({how})"
        + (f", {detail}" if detail else "")
        + f". {call.spec.production_note}"
        + (
            " With the interactive debugger on, anyone who reaches it can execute code."
            if settings.debugger
            else ""
        )
        + condition
        + deployment
    )
    trace = [
        RelatedLocation(
            step.module,
            step.site.call.loc.line,
            step.site.call.loc.col,
            f"calls {step.callee}()" + (" in a new thread" if step.via_thread else ""),
        )
        for step in steps
    ]
    if trace:
        trace.append(
            RelatedLocation(
                call.module,
                call.site.call.loc.line,
                call.site.call.loc.col,
                f"{call.spec.display}() starts the development server",
            )
        )
    related = [
        RelatedLocation(c.path, c.line, c.column, f"{c.server} imports this code")
        for c in commands[:3]
    ]
    fix_plan = None
    fix_unavailable_reason = None
    if top_module == call.module:
        fix_plan = GuardPlan(top_statement.loc.line)
    else:
        fix_unavailable_reason = (
            f"The server is started from {top_module}:{top_statement.loc.line}; guard that "
            "statement there."
        )
    return finding(
        META,
        path=call.module,
        loc=call.site.call.loc,
        fix_plan=fix_plan,
        fix_unavailable_reason=fix_unavailable_reason,
        message=message,
        remediation=(
            'Move the call under `if __name__ == "__main__":` and serve production with a WSGI/ASGI '
            "server (gunicorn, uWSGI, waitress, uvicorn); never pass debug=True in committed code."
        ),
        severity=severity,
        confidence=confidence,
        scope=call.site.scope,
        code=call.site.statement.code,
        anchors=[
            (call.module, call.site.statement.first_line),
            (top_module, top_statement.first_line),
        ],
        trace=trace,
        related=related,
    )


RULE = Rule(META, check)
