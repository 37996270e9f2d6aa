"""## What it does
Finds authentication decorators placed *above* the route decorator:

```python
@login_required
@app.route("/account")
def account(): ...
```

Decorators apply bottom-up. `@app.route` registers the function it receives — the
undecorated one — and returns it; `login_required` then wraps the returned function, but
the URL map already points at the original. The page is public.

Any decorator the model recognises as authentication counts (see FG400: known libraries,
project decorators whose wrapper checks the user, `extra-auth-decorators`).

## Why is this bad?
The code reads as protected, passes review, and serves the view to anonymous users. It is
the most common way a `login_required` silently does nothing.

## Example
```python
@login_required
@bp.route("/settings", methods=["POST"])
def settings(): ...
```

## Use instead
```python
@bp.route("/settings", methods=["POST"])
@login_required
def settings(): ...
```

The unsafe fix moves the authentication decorator to just below the route decorator (when
every decorator has lines of its own); it changes behaviour on purpose: the page starts
requiring a login.

## References
- Flask docs, "View Decorators": the route decorator must be the outermost
- CWE-862: Missing Authorization
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Optional

from flaskguard.analysis.codecontext import is_test_path
from flaskguard.facts import ir
from flaskguard.findings import Confidence, Finding, Severity
from flaskguard.fixes import MoveDecoratorPlan
from flaskguard.knowledge.flaskapp import ROUTE_DECORATORS
from flaskguard.model.apps import Route, flask_model
from flaskguard.model.objects import FuncRef
from flaskguard.model.project import Project
from flaskguard.rules.base import Rule, RuleMeta
from flaskguard.rules.common import finding, route_label

META = RuleMeta(
    id="FG401",
    name="auth-decorator-order",
    summary="Authentication decorator above the route decorator (route left unprotected)",
    severity=Severity.HIGH,
    confidence=Confidence.HIGH,
    cwe=(862,),
    owasp="A01:2021",
    tags=("access-control", "routes"),
    fixable=True,
    doc=__doc__ or "",
)


def _lowest_route_decorator(project: Project, route: Route) -> Optional[ir.Loc]:
    """Where the last route decorator of the view is: the auth decorator goes below it."""
    view = route.view
    if not isinstance(view, FuncRef) or view.module != route.site_path:
        return None
    function = project.function(view.module, view.qualname)
    if function is None or len(function.decorator_locs) != len(function.decorators):
        return None
    found = None
    for decorator, loc in zip(function.decorators, function.decorator_locs):
        if (
            isinstance(decorator, ir.Call)
            and isinstance(decorator.func, ir.Attr)
            and decorator.func.attr in ROUTE_DECORATORS
        ):
            found = loc
    return found


def check(project: Project) -> Iterator[Finding]:
    seen: set[tuple[str, int, int]] = set()
    for route in flask_model(project).routes:
        if is_test_path(project, route.site_path):
            continue
        for name, loc in route.misplaced_auth:
            key = (route.site_path, loc.line, loc.col)
            if key in seen:
                continue
            seen.add(key)
            below = _lowest_route_decorator(project, route)
            plan = (
                MoveDecoratorPlan(
                    loc.line,
                    loc.col,
                    below.line,
                    below.col,
                    f"Move `@{name}` below the route decorator.",
                )
                if below is not None
                else None
            )
            yield finding(
                META,
                path=route.site_path,
                loc=loc,
                message=f"`@{name}` is above the route decorator, so {route_label(route)} is "
                "registered without it: the URL serves the unprotected function to anyone.",
                remediation="Move the route decorator to the top, directly above the "
                "authentication decorator.",
                scope=route.site.scope,
                code=f"@{name} above {route.site.statement.code}",
                anchors=[(route.site_path, route.site.statement.first_line)],
                fix_plan=plan,
                fix_unavailable_reason=None
                if plan is not None
                else "the view's decorators could not be located",
            )


RULE = Rule(META, check)
