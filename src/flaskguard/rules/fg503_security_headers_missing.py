"""## What it does
Finds applications that render HTML (`render_template`, `render_template_string`,
`stream_template`) with no security-header policy at all: no Flask-Talisman, no
secure-headers extension, and no code that sets `Content-Security-Policy`,
`Strict-Transport-Security` or `X-Frame-Options` on responses (an `after_request` hook,
`response.headers[...] = ...`, `headers.set/update`). JSON-only APIs are not reported.

Confidence is medium: the headers may be added by a reverse proxy the repository does not
describe.

## Why is this bad?
Without a Content-Security-Policy, any HTML injection is script execution; without
X-Frame-Options or `frame-ancestors`, pages can be framed for clickjacking; without HSTS,
the first request of a session can be downgraded to HTTP and the cookie stolen.

## Example
```python
app = Flask(__name__)

@app.route("/")
def index():
    return render_template("index.html")
```

## Use instead
```python
from flask_talisman import Talisman

Talisman(app)  # HTTPS, HSTS, CSP default-src 'self', frame options, secure cookies
```

## References
- Flask docs, "Security Considerations — Security Headers"
- CWE-693: Protection Mechanism Failure
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.findings import Confidence, Finding, RelatedLocation, Severity
from flaskguard.model.apps import flask_model
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG503",
    name="security-headers-missing",
    summary="HTML app sets no security headers (CSP, HSTS, frame options)",
    severity=Severity.LOW,
    confidence=Confidence.MEDIUM,
    cwe=(693,),
    owasp="A05:2021",
    tags=("headers",),
    fixable=False,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    rendered = model.renders_html()
    if rendered is None or model.sets_security_headers():
        return
    for app in model.apps:
        if not is_production_path(project, app.path):
            continue
        if model.extensions_of("talisman", app.instance) or model.extensions_of(
            "headers", app.instance
        ):
            continue
        yield finding(
            META,
            path=app.path,
            loc=app.loc,
            message="This app renders HTML but sends no Content-Security-Policy, "
            "Strict-Transport-Security or X-Frame-Options header: injected markup runs as "
            "script, pages can be framed, and the first HTTP request can be downgraded.",
            remediation="Add Flask-Talisman (`Talisman(app)`), or set the headers in an "
            "`after_request` hook (or at the reverse proxy, and document it).",
            scope=app.scope,
            code=app.site.statement.code,
            anchors=[(app.path, app.site.statement.first_line)],
            related=[
                RelatedLocation(
                    rendered[0], rendered[1].line, rendered[1].col, "renders an HTML template"
                )
            ],
        )


RULE = Rule(META, check)
