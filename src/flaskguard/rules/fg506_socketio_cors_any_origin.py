"""## What it does
Finds Flask-SocketIO servers that accept connections from any website:
`SocketIO(app, cors_allowed_origins="*")` or `socketio.init_app(app,
cors_allowed_origins="*")` (also `["*"]`), decided by constant evaluation.

## Why is this bad?
WebSocket connections are not covered by the same-origin policy; Socket.IO enforces it
itself through `cors_allowed_origins`, whose default only accepts the app's own origin.
With `"*"`, any page the user visits can open a socket with the user's cookies and send
and read events as the user (cross-site WebSocket hijacking; CVE-2019-13611 was this
default in Flask-SocketIO before 3.9.0).

## Example
```python
socketio = SocketIO(app, cors_allowed_origins="*")
```

## Use instead
```python
socketio = SocketIO(app, cors_allowed_origins=["https://app.example.com"])
```

## References
- python-engineio `cors_allowed_origins`
- CWE-1385: Missing Origin Validation in WebSockets
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.apps import debug_guarded, flask_model
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG506",
    name="socketio-cors-any-origin",
    summary="Socket.IO accepts connections from any origin",
    severity=Severity.MEDIUM,
    confidence=Confidence.HIGH,
    cwe=(1385,),
    owasp="A05:2021",
    tags=("cors", "websocket"),
    fixable=False,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    for extension in model.extensions_of("socketio"):
        for key, expr, frame, path, site in extension.options:
            if key != "cors_allowed_origins" or not is_production_path(project, path):
                continue
            if debug_guarded(site.guards):
                continue
            value = model.constant(expr, frame)
            if not (value == "*" or (isinstance(value, (list, tuple)) and "*" in value)):
                continue
            yield finding(
                META,
                path=path,
                loc=site.call.loc,
                message='Socket.IO is configured with cors_allowed_origins="*": any website can '
                "open a socket with the user's cookies and send and read events as that user.",
                remediation="List the origins that may connect "
                '(`cors_allowed_origins=["https://app.example.com"]`).',
                scope=site.scope,
                code=site.statement.code,
                anchors=[(path, site.statement.first_line)],
            )


RULE = Rule(META, check)
