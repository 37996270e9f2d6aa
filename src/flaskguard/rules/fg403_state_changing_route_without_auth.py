"""## What it does
In an application that protects some of its routes with authentication, finds routes that
accept `POST`, `PUT`, `PATCH` or `DELETE` without any. Routes that are public by nature —
login, logout, registration, password reset, e-mail confirmation, webhooks, OAuth callbacks,
token endpoints, health checks — are left alone, and so are views that only redirect
elsewhere (a deprecated URL forwarding with `code=307`) and apps with no authentication at
all (they are public by design, or protected outside the code).

Reported at low confidence: the model sees decorators, class-view decorators and
`before_request` hooks, not checks made inside the view body.

## Why is this bad?
An app that requires login for some views has users and data to protect; a state-changing
endpoint beside them that skips the check usually lets anyone modify that data (OWASP A01).

## Example
```python
@app.post("/posts/<int:post_id>/delete")
def delete_post(post_id): ...
```

## Use instead
```python
@app.post("/posts/<int:post_id>/delete")
@login_required
def delete_post(post_id): ...
```

## References
- OWASP Top 10 2021 A01: Broken Access Control
- CWE-862: Missing Authorization
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.analysis.purpose import identifier_words
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.knowledge.flaskapp import PUBLIC_BY_NATURE_WORDS
from flaskguard.model.apps import Route, debug_only, flask_model, sensitive_area
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding, route_label

META = RuleMeta(
    id="FG403",
    name="state-changing-route-without-auth",
    summary="State-changing route without authentication in an app that uses authentication",
    severity=Severity.MEDIUM,
    confidence=Confidence.LOW,
    cwe=(862,),
    owasp="A01:2021",
    tags=("access-control", "routes"),
    fixable=False,
    doc=__doc__ or "",
)


def only_redirects(project: Project, route: Route) -> bool:
    """A view that only forwards the request (``return redirect(url_for(...), code=307)``)
    changes nothing itself; the endpoint it forwards to is checked on its own."""
    view = route.view
    if view is None or not route.handlers:
        return False
    for qualname in route.handlers:
        function = project.function(view.module, qualname)
        if function is None or not function.returns:
            return False
        called = {
            ir.dotted_name(site.call.func) or "?"
            for site in project.calls_in_scope(view.module, qualname)
        }
        if not {name.rsplit(".", 1)[-1] for name in called} <= {"redirect", "url_for"}:
            return False
    return True


def public_by_nature(route: Route) -> bool:
    words = set(identifier_words(route.rule)) | set(identifier_words(route.endpoint))
    return bool(words & PUBLIC_BY_NATURE_WORDS)


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    seen: set[tuple[str, int, int]] = set()
    groups: list[list[Route]] = [model.routes_of(app.instance) for app in model.apps]
    if not model.apps:
        groups = [model.routes]
    for routes in groups:
        protected = [r for r in routes if r.auth]
        if not protected:
            continue
        for route in routes:
            if route.auth is not False or route.misplaced_auth or not route.state_changing:
                continue
            if not is_production_path(project, route.site_path) or public_by_nature(route):
                continue
            if only_redirects(project, route):
                continue
            # FG400 owns sensitive routes.
            if sensitive_area(route) is not None or debug_only(route) is not None:
                continue
            site = route.site
            key = (route.site_path, site.call.loc.line, site.call.loc.col)
            if key in seen:
                continue
            seen.add(key)
            yield finding(
                META,
                path=route.site_path,
                loc=site.call.loc,
                message=f"{route_label(route)} changes state without authentication, while "
                f"{len(protected)} other route(s) of this app require it "
                f"(e.g. `{protected[0].rule}`): anyone can call it.",
                remediation="Add the app's authentication decorator below the route decorator, "
                "or check the user in a `before_request` hook of its blueprint.",
                scope=site.scope,
                code=site.statement.code,
                anchors=[(route.site_path, site.statement.first_line)],
            )


RULE = Rule(META, check)
