"""## What it does
Finds `socketio.run(..., allow_unsafe_werkzeug=True)` on a Flask-SocketIO server.

## Why is this bad?
In threading mode Flask-SocketIO serves with Werkzeug's development server and refuses to
start unless stdin is a terminal — a built-in guard against running the development server
in production (under a process manager or container). `allow_unsafe_werkzeug=True` switches
that guard off, so the development server (and its debugger, when debug is on) ends up
serving real traffic.

## Example
```python
socketio.run(app, host="0.0.0.0", allow_unsafe_werkzeug=True)
```

## Use instead
Install eventlet or gevent (Flask-SocketIO then uses their production-grade servers), or run
under gunicorn with an eventlet/gevent worker: `gunicorn -k eventlet -w 1 module:app`.

## References
- Flask-SocketIO deployment documentation
- CWE-489: Active Debug Code
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.constants import NOT_CONSTANT
from flaskguard.analysis.devserver import analysis_for, dev_server_uses
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG105",
    name="unsafe-werkzeug-allowed",
    summary="Flask-SocketIO told to serve production traffic with Werkzeug",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(489,),
    owasp="A05:2021",
    tags=("dev-server", "socketio"),
    fixable=False,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    analysis = analysis_for(project)
    for use in dev_server_uses(project):
        if use.call.spec.framework != "Flask-SocketIO" or analysis.is_dead(use):
            continue
        argument = use.call.call.keyword("allow_unsafe_werkzeug")
        if argument is None:
            continue
        value = analysis.evaluate(argument, use.frame).value
        if value is NOT_CONSTANT or not value:
            continue
        yield finding(
            META,
            path=use.call.module,
            loc=use.call.site.call.loc,
            message="allow_unsafe_werkzeug=True disables Flask-SocketIO's refusal to run "
            "Werkzeug's development server outside a terminal, so the development server can "
            "end up serving production traffic.",
            remediation="Remove allow_unsafe_werkzeug and serve with eventlet/gevent or a "
            "gunicorn eventlet/gevent worker.",
            scope=use.call.site.scope,
            code=use.call.site.statement.code,
            anchors=[(use.call.module, use.call.site.statement.first_line)],
        )


RULE = Rule(META, check)
