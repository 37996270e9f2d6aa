"""## What it does
Finds deployment configuration that serves the application with a development server: a
`Procfile`, Dockerfile `CMD`/`ENTRYPOINT`, compose `command`, or `app.yaml` `entrypoint` that
runs `flask run`, or runs `python app.py` (or `python -m package`) where that script's
`__main__` path starts a development server. A script that starts waitress or gunicorn
programmatically is fine and is not reported.

## Why is this bad?
`flask run` and `app.run()` start Werkzeug's development server: single process, no worker
management or timeouts, not hardened against slow or malformed clients, and — with
`FLASK_DEBUG` set — the interactive debugger. Flask's documentation: "Do not use the
development server when deploying to production."

## Example
```
web: flask run --host 0.0.0.0
```

## Use instead
```
web: gunicorn -w 4 -b 0.0.0.0:$PORT app:app
```

## References
- Flask docs, "Deploying to Production"
- CWE-489: Active Debug Code
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.context import Reach
from flaskguard.analysis.devserver import DevServerAnalysis, analysis_for, dev_server_uses
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.project import Project
from flaskguard.redaction import redact_assignments
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding, quote_code

META = RuleMeta(
    id="FG104",
    name="dev-server-as-production-entry",
    summary="Deployment serves the app with a development server",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(489,),
    owasp="A05:2021",
    tags=("dev-server", "deployment"),
    fixable=False,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    uses = dev_server_uses(project)
    for command in analysis.serve_commands():
        loc = ir.Loc(command.line, command.column, command.end_line, command.end_column)
        if command.server == "flask-run":
            yield finding(
                META,
                path=command.path,
                loc=loc,
                message=f"{quote_code(redact_assignments(command.text), 60)} serves the app with `flask run`, "
                "Werkzeug's development server, which is not built for production traffic.",
                remediation="Serve with a production WSGI server, e.g. `gunicorn -b 0.0.0.0:$PORT module:app`.",
                code=redact_assignments(command.text),
            )
            continue
        if command.server not in ("python-script", "python-module"):
            continue
        for target in command.targets:
            path = _script_module(analysis, target, command.server, command.path)
            if path is None:
                continue
            started = [
                u
                for u in uses
                if u.main_reach != Reach.NO
                and path in u.main_modules
                and u.import_reach == Reach.NO
            ]
            if not started:
                continue
            use = started[0]
            yield finding(
                META,
                path=command.path,
                loc=loc,
                message=f"{quote_code(redact_assignments(command.text), 60)} runs {path} as a script, which starts "
                f"{use.call.spec.display}() ({use.call.module}:{use.call.site.call.loc.line}): "
                "production traffic is served by the development server.",
                remediation="Serve with a production server (gunicorn, uWSGI, waitress, uvicorn) "
                "that imports the application object instead of running the script.",
                confidence=Confidence.HIGH if use.main_reach == Reach.YES else Confidence.MEDIUM,
                code=redact_assignments(command.text),
            )


def _script_module(
    analysis: DevServerAnalysis, target: str, server: str, from_path: str
) -> Optional[str]:
    if server == "python-module":
        project = analysis.project
        module = project.find_module(f"{target}.__main__") or project.find_module(target)
        return module.path if module is not None else None
    return analysis.module_for_target(target, from_path)


RULE = Rule(META, check)
