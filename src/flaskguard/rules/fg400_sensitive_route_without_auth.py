"""## What it does
Finds routes to administrative, debugging and internal areas that anyone can call: a URL
rule or endpoint naming `admin`, `debug`, `internal`, `console`, `shell`, `config`, `env`,
`metrics`, `actuator`, `phpinfo`, `test`... (as a whole path segment, or a word of it for the
unambiguous ones: `/admin-panel`, `/api/admin_users`; never a substring: `/debugging-tips` is
not a debug route), and routes that are only registered when debug mode is on. Flask-Admin views
(`admin.add_view(ModelView(User, db.session))`) count as administrative wherever they are
mounted, and are protected only when their class (or a project base class) overrides
`is_accessible` or an app `before_request` hook checks the user.

A route counts as authenticated when a known auth decorator sits *below* the route decorator
(`login_required`, Flask-Security `auth_required`/`roles_required`, Flask-JWT-Extended
`jwt_required`, Flask-HTTPAuth `auth.login_required`, Flask-Principal
`permission.require()`...), when a project decorator's wrapper tests the user and aborts or
redirects, when a class-based view lists such decorators in `decorators`, when every handler
method of the view is decorated, or when a `before_request` hook of the app or blueprint
turns away anonymous users. Names listed in `extra-auth-decorators` in `[tool.flaskguard]`
count too.

## Why is this bad?
Administrative and debugging endpoints expose data and operations that only operators
should reach (OWASP A01, Broken Access Control). Without authentication they are one
request away for anyone who guesses or scans the URL — and `/admin`, `/debug` and
`/console` are the first paths every scanner tries.

## Example
```python
@app.route("/admin/users")
def admin_users():
    return render_template("users.html", users=User.query.all())
```

## Use instead
```python
@app.route("/admin/users")
@login_required
@roles_required("admin")
def admin_users():
    ...
```

## References
- OWASP Top 10 2021 A01: Broken Access Control
- CWE-306: Missing Authentication for Critical Function
- CWE-284: Improper Access Control
"""

from __future__ import annotations

from collections.abc import Iterator

from flaskguard.analysis.codecontext import is_production_path
from flaskguard.findings import Confidence, Finding, RelatedLocation, Severity
from flaskguard.model.apps import debug_only, flask_model, sensitive_area
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding, route_label

META = RuleMeta(
    id="FG400",
    name="sensitive-route-without-auth",
    summary="Administrative or debugging route reachable without authentication",
    severity=Severity.HIGH,
    confidence=Confidence.MEDIUM,
    cwe=(306, 284),
    owasp="A01:2021",
    tags=("access-control", "routes"),
    fixable=False,
    doc=__doc__ or "",
)


def check(project: Project) -> Iterator[Finding]:
    model = flask_model(project)
    seen: set[tuple[str, int, int]] = set()
    for route in model.routes:
        # FG401 owns routes whose auth decorator sits above the route decorator.
        if (
            route.auth is not False
            or route.misplaced_auth
            or not is_production_path(project, route.path)
        ):
            continue
        area = sensitive_area(route)
        debug_site = debug_only(route)
        if area is None and debug_site is None:
            continue
        site = route.site
        key = (route.site_path, site.call.loc.line, site.call.loc.col)
        if key in seen:
            continue
        seen.add(key)
        if area == "Flask-Admin":
            yield finding(
                META,
                path=route.site_path,
                loc=site.call.loc,
                message=f"Flask-Admin serves {route_label(route)} to anyone: its list, create, "
                "edit and delete pages need no login, because neither the view class nor a "
                "base class overrides `is_accessible` and no before_request hook checks the "
                "user.",
                remediation="Subclass the view and override `is_accessible` (e.g. `return "
                "current_user.is_authenticated and current_user.is_admin`), and use that "
                "class for every view added to the Admin.",
                scope=site.scope,
                code=site.statement.code,
                anchors=[(route.site_path, site.statement.first_line)],
            )
            continue
        if area is not None:
            why = f"it is an administrative or internal area (`{area}`)"
        else:
            why = "it is only registered in debug mode, where it is meant for developers"
        related = []
        if debug_site is not None:
            related.append(
                RelatedLocation(
                    debug_site[0], debug_site[1], 1, "registered under a debug-mode test"
                )
            )
        yield finding(
            META,
            path=route.site_path,
            loc=site.call.loc,
            message=f"{route_label(route)} is served to anyone who requests it, but {why}: "
            "no login decorator, view decorator or before_request hook checks the user.",
            remediation="Require authentication (and the right role) on the view, e.g. "
            "`@login_required` below the route decorator, or a `before_request` hook on its "
            "blueprint; remove debug-only routes from production code.",
            severity=Severity.HIGH if area is not None else Severity.MEDIUM,
            scope=site.scope,
            code=site.statement.code,
            anchors=[(route.site_path, site.statement.first_line)],
            related=related,
        )


RULE = Rule(META, check)
