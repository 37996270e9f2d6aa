"""## What it does
Finds applications whose users log in with a cookie (Flask-Login, Flask-Security, or a user
id kept in Flask's session) that accept state-changing form requests (`POST`, `PUT`,
`PATCH`, `DELETE`) with no CSRF protection: no `CSRFProtect`/`SeaSurf` on the app, and the
views do not validate a Flask-WTF form (whose token check would protect them). Views that
only read JSON bodies are not counted: a cross-site form cannot send
`Content-Type: application/json` without a CORS preflight.

## Why is this bad?
The browser attaches the session cookie to form posts that other sites make. Without a
token check, a page the user visits can submit any of these forms as the user.

## Example
```python
app = Flask(__name__)
login_manager = LoginManager(app)

@app.post("/profile")
@login_required
def update_profile():
    current_user.email = request.form["email"]
```

## Use instead
```python
csrf = CSRFProtect(app)
```
and include `{{ csrf_token() }}` in the forms.

## References
- Flask-WTF, "CSRF Protection"
- CWE-352: Cross-Site Request Forgery
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.devserver import analysis_for
from flaskguard.analysis.purpose import walk
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.model.apps import Route, flask_model
from flaskguard.model.project import Project
from flaskguard.model.settings import config_model
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding

META = RuleMeta(
    id="FG502",
    name="csrf-missing",
    summary="Cookie-authenticated app accepts form posts without CSRF protection",
    severity=Severity.MEDIUM,
    confidence=Confidence.MEDIUM,
    cwe=(352,),
    owasp="A01:2021",
    tags=("csrf",),
    fixable=False,
    doc=__doc__ or "",
)

_JSON_READS = frozenset({"json", "get_json", "is_json"})


def _request_reads(project: Project, module: str, qualname: str) -> set[str]:
    """The ``request`` attributes a handler reads (``form``, ``json``, ``get_json``...)."""
    found: set[str] = set()
    roots: list[ir.Expr] = [site.call for site in project.calls_in_scope(module, qualname)]
    roots.extend(a.value for a in project.assignments_in_scope(module, qualname))
    function = project.function(module, qualname)
    if function is not None:
        roots.extend(function.returns)
    for root in roots:
        for node in walk(root):
            if (
                isinstance(node, ir.Attr)
                and isinstance(node.value, ir.Name)
                and node.value.id == "request"
            ):
                found.add(node.attr)
    return found


def _takes_forms(project: Project, route: Route) -> bool:
    if not route.handlers or route.view is None:
        return True
    for qualname in route.handlers:
        reads = _request_reads(project, route.view.module, qualname)
        if not reads or not reads <= _JSON_READS:
            return True
    return False


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    evaluator = analysis_for(project).evaluator
    disabled = any(
        evaluator.evaluate(s.value, s.frame).value is False
        for s in config_model(project).in_production("WTF_CSRF_ENABLED")
    )
    if disabled:
        return  # FG500 reports the switch itself
    for app in model.apps:
        if not is_production_path(project, app.path) or model.extensions_of("csrf", app.instance):
            continue
        cookie_auth = model.uses_cookie_auth(app.instance)
        if cookie_auth is None:
            continue
        exposed = [
            r
            for r in model.routes_of(app.instance)
            if r.state_changing and r.csrf is False and _takes_forms(project, r)
        ]
        if not exposed:
            continue
        names = ", ".join(f"`{'/'.join(r.methods)} {r.rule}`" for r in exposed[:3])
        more = f" and {len(exposed) - 3} more" if len(exposed) > 3 else ""
        yield finding(
            META,
            path=app.path,
            loc=app.loc,
            message=f"This app logs users in with a cookie ({cookie_auth}) but has no CSRF "
            f"protection: {names}{more} accept cross-site form posts, which the browser sends "
            "with the user's session.",
            remediation="Enable `CSRFProtect(app)` (Flask-WTF) and put `{{ csrf_token() }}` in "
            "every form, or validate a FlaskForm in each of these views.",
            scope=app.scope,
            code=app.site.statement.code,
            anchors=[(app.path, app.site.statement.first_line)],
        )


RULE = Rule(META, check)
